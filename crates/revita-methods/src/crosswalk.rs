//! The old-to-new code crosswalk: data keyed by a retired code (a 2014
//! poverty-county list, an old yearbook) is mapped to the region(s) that
//! carry its area today.
//!
//! Input is a code history such as the Ministry of Civil Affairs' 1981–2024
//! record of county-level-and-above codes (`data/demo/code_history.csv`):
//! per code, one record for each period of use, with a status (`in_use`,
//! `retired`, `changed`) and the successor codes that took over its area.
//!
//! Resolution rule: a code with an `in_use` record is current. Otherwise its
//! latest record's successors are followed, recursively, until current codes
//! are reached; a retired code can thus lead to one region (a merger or a
//! re-coding) or to several (a split). Cycles in the history are cut.

use std::collections::{BTreeSet, HashMap};

use crate::region::RegionCode;

/// The state of one record of a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeStatus {
    /// Valid at the end of the history.
    InUse,
    /// Abolished; its area went to the successors.
    Retired,
    /// Continued under a new name or record; successors say where.
    Changed,
}

impl CodeStatus {
    /// Parses the keyword of the MCA history file.
    pub fn parse(text: &str) -> Option<CodeStatus> {
        match text.trim() {
            "in_use" => Some(CodeStatus::InUse),
            "retired" => Some(CodeStatus::Retired),
            "changed" => Some(CodeStatus::Changed),
            _ => None,
        }
    }

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeStatus::InUse => "in_use",
            CodeStatus::Retired => "retired",
            CodeStatus::Changed => "changed",
        }
    }
}

/// One period of use of a code.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeRecord {
    /// The code.
    pub code: RegionCode,
    /// The name it had then.
    pub name: String,
    /// Its level then.
    pub level: String,
    /// Status of this record.
    pub status: CodeStatus,
    /// First year the record was valid.
    pub first_year: i32,
    /// Year the record stopped being valid (exclusive), if it did.
    pub end_year: Option<i32>,
    /// Codes that took over the area.
    pub successors: Vec<RegionCode>,
}

/// Where a code leads today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The code is in use.
    Current,
    /// The code is retired; its area now lies in `targets` (one for a
    /// re-coding or merger, several for a split).
    Mapped {
        /// Current codes, sorted.
        targets: Vec<RegionCode>,
        /// The year the code stopped being valid.
        retired_in: Option<i32>,
    },
    /// The code is retired and no current successor is recorded.
    Retired {
        /// The year the code stopped being valid.
        retired_in: Option<i32>,
    },
    /// The history does not know the code.
    Unknown,
}

/// A code history, indexed by code.
#[derive(Debug, Clone, Default)]
pub struct CodeHistory {
    records: HashMap<RegionCode, Vec<CodeRecord>>,
}

impl CodeHistory {
    /// Indexes records in any order.
    pub fn new(records: impl IntoIterator<Item = CodeRecord>) -> CodeHistory {
        let mut by_code: HashMap<RegionCode, Vec<CodeRecord>> = HashMap::new();
        for record in records {
            by_code.entry(record.code.clone()).or_default().push(record);
        }
        CodeHistory { records: by_code }
    }

    /// Number of distinct codes.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the history is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Resolves a code to the code(s) in use today.
    pub fn resolve(&self, code: &RegionCode) -> Resolution {
        let Some(records) = self.records.get(code) else { return Resolution::Unknown };
        if records.iter().any(|r| r.status == CodeStatus::InUse) {
            return Resolution::Current;
        }
        let retired_in = latest(records).and_then(|r| r.end_year);
        let mut targets = BTreeSet::new();
        let mut visited = BTreeSet::from([code.clone()]);
        self.follow(code, &mut visited, &mut targets);
        if targets.is_empty() {
            Resolution::Retired { retired_in }
        } else {
            Resolution::Mapped { targets: targets.into_iter().collect(), retired_in }
        }
    }

    fn follow(&self, code: &RegionCode, visited: &mut BTreeSet<RegionCode>, targets: &mut BTreeSet<RegionCode>) {
        let Some(record) = self.records.get(code).and_then(|r| latest(r)) else { return };
        for successor in &record.successors {
            if !visited.insert(successor.clone()) {
                continue;
            }
            match self.records.get(successor) {
                Some(rs) if rs.iter().any(|r| r.status == CodeStatus::InUse) => {
                    targets.insert(successor.clone());
                }
                Some(_) => self.follow(successor, visited, targets),
                None => {}
            }
        }
    }
}

/// The record that ended last (an open-ended record counts as latest).
fn latest(records: &[CodeRecord]) -> Option<&CodeRecord> {
    records.iter().max_by_key(|r| r.end_year.unwrap_or(i32::MAX))
}

/// Parses the MCA history's successor list: `;`-separated codes, each
/// optionally suffixed by `[YYYY]`, the year of the boundary change.
pub fn parse_successors(text: &str) -> Result<Vec<RegionCode>, crate::region::RegionError> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| RegionCode::parse(s.split('[').next().unwrap_or(s)))
        .collect()
}

#[cfg(test)]
mod tests;
