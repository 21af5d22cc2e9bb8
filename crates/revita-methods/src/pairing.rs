//! Pairing assistance (对口支援, 东西部协作): a donor region paired with a
//! recipient under a programme, e.g. Guangdong → Shufu county under the
//! 2010 round of counterpart support to Xinjiang (methods.md §4).

use crate::region::RegionCode;

/// A donor–recipient pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing {
    /// The programme, e.g. 对口援疆 (2010 round).
    pub program: String,
    /// The donor region (a province or city).
    pub donor: RegionCode,
    /// The recipient region.
    pub recipient: RegionCode,
    /// First year of the pairing, where known.
    pub start_year: Option<i32>,
    /// Last year, if it ended.
    pub end_year: Option<i32>,
    /// Source or verification note.
    pub notes: Option<String>,
}

/// Why a pairing is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairingError {
    /// No programme name.
    #[error("pairing has no programme")]
    NoProgram,
    /// A region paired with itself.
    #[error("region {0} cannot be paired with itself")]
    SelfPaired(String),
    /// Ends before it starts.
    #[error("pairing ends in {end} before it starts in {start}")]
    Inverted {
        /// Start year.
        start: i32,
        /// End year.
        end: i32,
    },
}

impl Pairing {
    /// Checks the programme, the two sides and the years.
    pub fn validate(&self) -> Result<(), PairingError> {
        if self.program.trim().is_empty() {
            return Err(PairingError::NoProgram);
        }
        if self.donor == self.recipient {
            return Err(PairingError::SelfPaired(self.donor.to_string()));
        }
        match (self.start_year, self.end_year) {
            (Some(start), Some(end)) if end < start => Err(PairingError::Inverted { start, end }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairing() -> Pairing {
        Pairing {
            program: "对口援疆 (2010 round)".into(),
            donor: RegionCode::parse("440000").unwrap(),
            recipient: RegionCode::parse("653121").unwrap(),
            start_year: Some(2010),
            end_year: None,
            notes: None,
        }
    }

    #[test]
    fn a_pairing_needs_two_sides_a_programme_and_ordered_years() {
        assert!(pairing().validate().is_ok());
        let mut p = pairing();
        p.recipient = p.donor.clone();
        assert_eq!(p.validate(), Err(PairingError::SelfPaired("440000".into())));
        let mut p = pairing();
        p.end_year = Some(2009);
        assert_eq!(p.validate(), Err(PairingError::Inverted { start: 2010, end: 2009 }));
        let mut p = pairing();
        p.program = " ".into();
        assert_eq!(p.validate(), Err(PairingError::NoProgram));
    }
}
