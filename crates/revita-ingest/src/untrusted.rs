//! The last line of defence for decoding untrusted files with libraries
//! that may panic on damaged input (the `parquet` crate asserts and indexes
//! freely; `calamine` does arithmetic on positions read from the file).
//!
//! A panic there must not take down an import or a screen, let alone the
//! server: [`catch_panic`] turns it into an error message. (What can be
//! checked before decoding is checked first: see `parquet_check`.) It
//! relies on unwinding, the default `panic` strategy; a build with
//! `panic = "abort"` would lose the guard.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `f`, turning a panic into the panic's message. The state `f`
/// touched may be half-updated after a panic, so callers drop it and report
/// the file as damaged, which is why asserting unwind safety is sound here.
pub(crate) fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        // A panic message can be long (a debug dump); a report needs the gist.
        let message: String = message.chars().take(200).collect();
        format!("the file is damaged (its decoder failed: {message})")
    })
}
