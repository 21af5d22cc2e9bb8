//! China's administrative division codes, the default [`CodeScheme`].
//!
//! GB/T 2260 gives county-level-and-above units six digits `PPCCXX`: the
//! province `PP`, the prefecture `CC` within it and the county `XX` within
//! that; trailing `00` pairs mark higher levels (`110000` Beijing, `130100`
//! Shijiazhuang, `130102` Chang'an district). The National Bureau of
//! Statistics extends them to twelve digits `PPCCXXTTTVVV` for townships (`TTT`)
//! and villages (`VVV`) in its 统计用区划代码 tables.
//!
//! revita keys each region by its shortest unambiguous form: six digits for
//! county level and above, nine for townships, twelve for villages. A 12-digit
//! NBS code of a county, such as `110101000000`, is normalised to `110101`.
//! The national root is `000000` (全国), which GB/T 2260 does not define but
//! every roll-up needs.
//!
//! Sources: GB/T 2260-2007 *Codes for the administrative divisions of the
//! People's Republic of China*; NBS, *2022年统计用区划代码和城乡划分代码* (see
//! `data/README.md`).

use crate::region::{CodeScheme, RegionCode, RegionError};

/// The name of China's code scheme ([`CodeScheme::name`]).
pub const SCHEME_NAME: &str = "GB/T 2260";

/// The two-digit prefixes of China's 34 province-level units (GB/T 2260).
pub const PROVINCE_PREFIXES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

/// The code of the national root region.
pub const COUNTRY_CODE: &str = "000000";

/// China's levels, root first.
pub const LEVELS: [&str; 6] = ["country", "province", "prefecture", "county", "township", "village"];

/// The GB/T 2260 + NBS scheme.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChinaScheme;

impl ChinaScheme {
    fn invalid(code: &str, reason: impl Into<String>) -> RegionError {
        RegionError::Scheme { code: code.to_string(), scheme: "GB/T 2260", reason: reason.into() }
    }
}

impl CodeScheme for ChinaScheme {
    fn name(&self) -> &'static str {
        SCHEME_NAME
    }

    fn levels(&self) -> &[&'static str] {
        &LEVELS
    }

    fn normalize(&self, code: &RegionCode) -> Result<RegionCode, RegionError> {
        let text = code.as_str();
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Self::invalid(text, "it must consist of digits only"));
        }
        let canonical = match text.len() {
            2 => format!("{text}0000"),
            4 => format!("{text}00"),
            6 => text.to_string(),
            9 if text.ends_with("000") => return Err(Self::invalid(text, "township part 000 is empty")),
            9 => text.to_string(),
            12 if text.ends_with("000000") => text[..6].to_string(),
            12 if text.ends_with("000") => text[..9].to_string(),
            12 => text.to_string(),
            n => return Err(Self::invalid(text, format!("it has {n} digits, not 2, 4, 6, 9 or 12"))),
        };
        if canonical != COUNTRY_CODE && !PROVINCE_PREFIXES.contains(&&canonical[..2]) {
            return Err(Self::invalid(text, format!("{} is not a province prefix", &canonical[..2])));
        }
        if &canonical[2..4] == "00" && &canonical[4..6] != "00" {
            return Err(Self::invalid(text, "a county code needs a prefecture part other than 00"));
        }
        Ok(RegionCode::parse(&canonical).expect("digit strings are valid region codes"))
    }

    /// The country; a province's 2, 4 or 6 digits (a prefecture part of 00
    /// only with a county part of 00); and 3 township digits (not 000) or 6
    /// village digits after 6.
    fn code_pattern(&self) -> String {
        let province = PROVINCE_PREFIXES.join("|");
        let part = "(0[1-9]|[1-9][0-9])";
        format!(
            "^({COUNTRY_CODE}|({province})((00)?|{part})|({province})(0000|{part}[0-9]{{2}})((00[1-9]|0[1-9][0-9]|[1-9][0-9]{{2}})|[0-9]{{6}})?)$"
        )
    }

    fn level_of(&self, code: &RegionCode) -> Option<&'static str> {
        let canonical = self.normalize(code).ok()?;
        let c = canonical.as_str();
        Some(match c.len() {
            12 => "village",
            9 => "township",
            _ if c == COUNTRY_CODE => "country",
            _ if &c[2..] == "0000" => "province",
            _ if &c[4..] == "00" => "prefecture",
            _ => "county",
        })
    }

    fn parent_candidates(&self, code: &RegionCode) -> Vec<RegionCode> {
        let Ok(canonical) = self.normalize(code) else { return Vec::new() };
        let c = canonical.as_str();
        let candidates = match self.level_of(&canonical) {
            Some("village") => vec![c[..9].to_string()],
            Some("township") => vec![c[..6].to_string()],
            // Counties directly under a province (municipal districts, 省直辖县级
            // units such as 429004 Xiantao) have no `PPCC00` parent.
            Some("county") => vec![format!("{}00", &c[..4]), format!("{}0000", &c[..2])],
            Some("prefecture") => vec![format!("{}0000", &c[..2])],
            Some("province") => vec![COUNTRY_CODE.to_string()],
            _ => Vec::new(),
        };
        candidates.into_iter().map(|p| RegionCode::parse(&p).expect("digit strings are valid region codes")).collect()
    }
}

#[cfg(test)]
mod tests;
