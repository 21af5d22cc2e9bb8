//! Search keys: what a region can be found by besides its code and Chinese
//! name — its pinyin, written whole (`bijieshi`) and as initials (`bjs`), and
//! its English name. Stored beside each region so that a search is one
//! indexed `LIKE`.
//!
//! Readings come from the `pinyin` crate's table of the most common reading
//! of each character; place names with rarer readings (六安 Lu'an, 蚌埠
//! Bengbu) are found by their common reading (`liuan`, `bangbu`) as well as
//! by their English names where those are loaded.

use pinyin::ToPinyin;

/// The lowercase search key of a region: pinyin, initials and English name,
/// separated by spaces.
pub fn search_key(name_zh: &str, name_en: Option<&str>) -> String {
    let mut full = String::new();
    let mut initials = String::new();
    for (c, reading) in name_zh.chars().zip(name_zh.to_pinyin()) {
        match reading {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if c.is_ascii_alphanumeric() => {
                full.push(c.to_ascii_lowercase());
                initials.push(c.to_ascii_lowercase());
            }
            None => {}
        }
    }
    let mut key = format!("{full} {initials}");
    if let Some(en) = name_en.filter(|e| !e.is_empty()) {
        key.push(' ');
        key.push_str(&en.to_lowercase());
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_by_pinyin_initials_and_english() {
        assert_eq!(search_key("毕节市", None), "bijieshi bjs");
        assert_eq!(search_key("贵州省", Some("Guizhou")), "guizhousheng gzs guizhou");
        assert_eq!(search_key("七星关区", None), "qixingguanqu qxgq");
    }

    #[test]
    fn latin_letters_and_digits_are_kept() {
        assert_eq!(search_key("X1区", None), "x1qu x1q");
    }
}
