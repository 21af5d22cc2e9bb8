//! Where the server may send a browser back to: local paths only, so that a
//! link such as `/login?next=…` or `/lang/en?back=…` cannot be used to send
//! a user to another site (an open redirect).
//!
//! Browsers are generous with what they take for a URL: `//evil.example` and
//! `/\evil.example` both lead to evil.example, tabs and newlines are dropped
//! from URLs before they are parsed, and whatever decodes the target once
//! more (a proxy, a second redirect) turns `/%5Cevil` into `/\evil`. So a
//! target is accepted only when it is a plain path in every one of these
//! readings.

/// How many rounds of percent-decoding a target is checked through: enough
/// for any proxy chain, and a bound for the work a crafted target can cause.
const DECODE_ROUNDS: usize = 4;

/// Whether `target` is a path on this site, safe to put in a `Location`
/// header:
/// - it starts with exactly one `/`, not followed by `/` or `\`;
/// - it holds visible ASCII only (no control characters, spaces, or
///   characters a `Location` header cannot carry), and no `\` at all;
/// - and the same holds for its prefix after each round of percent-decoding
///   (`/%2F%2Fevil`, `/%5Cevil` and `/%09/evil` are refused), with no
///   control characters anywhere in the decoded text.
pub fn is_local_path(target: &str) -> bool {
    if !target.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') {
        return false;
    }
    let mut text = target.as_bytes().to_vec();
    for _ in 0..=DECODE_ROUNDS {
        if !starts_locally(&text) || text.iter().any(|b| b.is_ascii_control()) {
            return false;
        }
        match percent_decode(&text) {
            Some(decoded) if decoded != text => text = decoded,
            _ => return true,
        }
    }
    // Still changing after every round: not something a page links to.
    false
}

/// `target` if it is a local path, else the home page.
pub fn local_or_home(target: Option<String>) -> String {
    target.filter(|t| is_local_path(t)).unwrap_or_else(|| "/".into())
}

/// One `/`, then anything but another `/` or a `\` (whitespace a browser
/// would skip counts as the character after it).
fn starts_locally(text: &[u8]) -> bool {
    let mut rest = text.iter().copied().filter(|b| !matches!(b, b'\t' | b'\n' | b'\r'));
    rest.next() == Some(b'/') && !matches!(rest.next(), Some(b'/' | b'\\'))
}

/// One round of percent-decoding; `None` when nothing was encoded.
fn percent_decode(text: &[u8]) -> Option<Vec<u8>> {
    let hex = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < text.len() {
        let pair = text.get(i + 1).copied().and_then(hex).zip(text.get(i + 2).copied().and_then(hex));
        match (text[i], pair) {
            (b'%', Some((high, low))) => {
                out.push((high << 4) | low);
                changed = true;
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_accepted() {
        for good in ["/", "/regions", "/regions/520102?x=1&y=%2F", "/regions?q=%E5%8C%BA", "/a/b//c", "/https://x"] {
            assert!(is_local_path(good), "{good}");
        }
    }

    #[test]
    fn other_sites_and_tricks_are_refused() {
        for evil in [
            "",
            "//evil.example",
            "/\\evil.example/x",
            "\\\\evil.example",
            "/%5Cevil.example",
            "/%5cevil.example",
            "/%2F%2Fevil.example",
            "/%2Fevil.example",
            "/%252F%252Fevil.example",
            "/%255Cevil.example",
            "https://evil.example",
            "http:evil.example",
            "javascript:alert(1)",
            "\t/evil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/%0D%0ASet-Cookie:x=1",
            "/\r\nSet-Cookie: x=1",
            " /evil.example",
            "/区",
            "evil.example",
            "/a\\b",
        ] {
            assert!(!is_local_path(evil), "{evil:?}");
        }
        assert_eq!(local_or_home(Some("//evil.example".into())), "/");
        assert_eq!(local_or_home(None), "/");
        assert_eq!(local_or_home(Some("/regions".into())), "/regions");
    }
}
