//! Regions: the places revita plans for. Codes are text and levels are named
//! by a [`CodeScheme`], so the same types serve China's GB/T 2260 / NBS codes
//! (the default, see [`crate::china`]) and any other agency's hierarchy, e.g.
//! US states and counties keyed by FIPS codes.

use std::fmt;

use crate::date::Date;

/// A region's code: non-empty text without whitespace or commas. Codes are
/// never numbers: `"110000"` and `"011000"` are different codes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(String);

/// Why a text is not a region code, or does not fit a code scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// The code is empty.
    #[error("region code is empty")]
    EmptyCode,
    /// The code holds whitespace, a comma or a control character.
    #[error("region code '{0}' contains whitespace, a comma or a control character")]
    BadCharacter(String),
    /// The code does not follow the scheme's structure.
    #[error("region code '{code}' is not a valid {scheme} code: {reason}")]
    Scheme {
        /// The offending code.
        code: String,
        /// The scheme's name.
        scheme: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The level is not one of the scheme's levels.
    #[error("level '{level}' is not one of {expected}")]
    UnknownLevel {
        /// The offending level name.
        level: String,
        /// The scheme's levels, comma separated.
        expected: String,
    },
    /// The region has no Chinese/primary name.
    #[error("region {0} has no name")]
    EmptyName(String),
    /// `valid_to` lies before `valid_from`.
    #[error("region {code} is valid to {to} before it is valid from {from}")]
    InvertedValidity {
        /// The region.
        code: String,
        /// Start of validity.
        from: Date,
        /// End of validity.
        to: Date,
    },
}

impl RegionCode {
    /// Checks and wraps a code (surrounding whitespace is trimmed).
    pub fn parse(text: &str) -> Result<RegionCode, RegionError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(RegionError::EmptyCode);
        }
        if text.chars().any(|c| c.is_whitespace() || c == ',' || c.is_control()) {
            return Err(RegionError::BadCharacter(text.to_string()));
        }
        Ok(RegionCode(text.to_string()))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name of a level of a hierarchy (`province`, `county`, `state` …), as
/// defined by a [`CodeScheme`].
pub type Level = String;

/// A region as revita stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// The region's code, unique in the store.
    pub code: RegionCode,
    /// Official name (Chinese for China).
    pub name_zh: String,
    /// English or pinyin name, where known.
    pub name_en: Option<String>,
    /// The level, one of the scheme's levels.
    pub level: Level,
    /// The parent region; `None` only for a root.
    pub parent: Option<RegionCode>,
    /// First day the region exists under this code, where known.
    pub valid_from: Option<Date>,
    /// Last day the region exists under this code; `None` while current.
    pub valid_to: Option<Date>,
}

/// What an incoming row does to a region as stored (issue 13: a region
/// import may re-parent regions, and with them everything inside, so what
/// it changes decides who may make it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegionChange {
    /// The region is not stored yet.
    pub created: bool,
    /// Its Chinese or English name changes.
    pub renamed: bool,
    /// Its parent changes.
    pub moved: bool,
    /// Its level changes.
    pub relevelled: bool,
    /// Its validity dates change.
    pub redated: bool,
}

impl RegionChange {
    /// How `incoming` changes `stored` (`None`: a new region).
    pub fn between(stored: Option<&Region>, incoming: &Region) -> RegionChange {
        match stored {
            None => RegionChange { created: true, ..RegionChange::default() },
            Some(s) => RegionChange {
                created: false,
                renamed: s.name_zh != incoming.name_zh || s.name_en != incoming.name_en,
                moved: s.parent != incoming.parent,
                relevelled: s.level != incoming.level,
                redated: s.valid_from != incoming.valid_from || s.valid_to != incoming.valid_to,
            },
        }
    }

    /// Whether anything changes.
    pub fn is_change(&self) -> bool {
        self.created || self.renamed || self.moved || self.relevelled || self.redated
    }

    /// Whether an existing region is renamed, moved or given another level:
    /// changes to the structure others rely on, which only administrators
    /// make.
    pub fn restructures(&self) -> bool {
        !self.created && (self.renamed || self.moved || self.relevelled)
    }
}

impl Region {
    /// Checks what can be checked on one region alone: a name and an
    /// ordered validity interval.
    pub fn validate(&self) -> Result<(), RegionError> {
        if self.name_zh.trim().is_empty() {
            return Err(RegionError::EmptyName(self.code.to_string()));
        }
        if let (Some(from), Some(to)) = (self.valid_from, self.valid_to)
            && to < from
        {
            return Err(RegionError::InvertedValidity { code: self.code.to_string(), from, to });
        }
        Ok(())
    }
}

/// A code scheme: which levels exist (top-down) and what a code says about its
/// level and parent. China's scheme derives both from the code's digits;
/// a generic scheme only knows its level names.
pub trait CodeScheme {
    /// A short name for messages, e.g. `"GB/T 2260"`.
    fn name(&self) -> &'static str;

    /// Level names from the root down.
    fn levels(&self) -> &[&'static str];

    /// Canonical form of a code in this scheme (e.g. a 12-digit NBS county
    /// code shortened to its 6-digit GB/T 2260 form), or why it is invalid.
    fn normalize(&self, code: &RegionCode) -> Result<RegionCode, RegionError>;

    /// The level the code itself implies, if the scheme encodes levels.
    fn level_of(&self, code: &RegionCode) -> Option<&'static str>;

    /// Candidate parents implied by the code, nearest first; the first one
    /// that exists is the parent. Empty when the code implies nothing.
    fn parent_candidates(&self, code: &RegionCode) -> Vec<RegionCode>;

    /// A regular expression (ECMA 262, as JSON Schema uses) that matches
    /// the codes [`CodeScheme::normalize`] accepts, for API descriptions.
    fn code_pattern(&self) -> String {
        "^[0-9A-Za-z_.-]{1,32}$".to_string()
    }

    /// Checks that `level` is one of [`CodeScheme::levels`] and agrees with
    /// what the code implies.
    fn check_level(&self, code: &RegionCode, level: &str) -> Result<(), RegionError> {
        if !self.levels().contains(&level) {
            return Err(RegionError::UnknownLevel { level: level.to_string(), expected: self.levels().join(", ") });
        }
        match self.level_of(code) {
            Some(implied) if implied != level => Err(RegionError::Scheme {
                code: code.to_string(),
                scheme: self.name(),
                reason: format!("its digits make it a {implied}, not a {level}"),
            }),
            _ => Ok(()),
        }
    }
}

/// A scheme for any agency's hierarchy: free-form codes under named levels,
/// with parents always given explicitly.
#[derive(Debug, Clone)]
pub struct GenericScheme {
    levels: Vec<&'static str>,
}

impl GenericScheme {
    /// A scheme with the given level names, root first.
    pub fn new(levels: Vec<&'static str>) -> GenericScheme {
        GenericScheme { levels }
    }
}

impl CodeScheme for GenericScheme {
    fn name(&self) -> &'static str {
        "generic"
    }
    fn levels(&self) -> &[&'static str] {
        &self.levels
    }
    fn normalize(&self, code: &RegionCode) -> Result<RegionCode, RegionError> {
        Ok(code.clone())
    }
    fn level_of(&self, _code: &RegionCode) -> Option<&'static str> {
        None
    }
    fn parent_candidates(&self, _code: &RegionCode) -> Vec<RegionCode> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests;
