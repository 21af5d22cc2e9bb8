//! The import page: upload a file, see the validation report (a dry run of
//! the same importer the CLI uses) before anything is written, then
//! confirm.

pub(crate) mod i18n;
mod pages;

use crate::{Route, get, post, upload};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/import", pages::import_form),
        upload("/import", pages::import_check),
        post("/import/confirm", pages::import_confirm),
    ]
}
