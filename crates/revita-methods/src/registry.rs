//! The household registry beyond screening: members, income by source and
//! the relocation link (methods.md §9.1: the monitoring registry records each
//! member's age, labour capacity, health, schooling and medical insurance,
//! the household's income by source and its rigid expenditure).
//!
//! Screening reads [`Household`](crate::screening::Household); these records
//! explain its numbers to the cadre who keeps them and are checked against
//! it ([`Member::check`], [`consistency`]).

use crate::keywords::keywords;

keywords!(
    /// A member's sex as the registry records it.
    Sex {
        /// 男.
        Male => "male" | "男",
        /// 女.
        Female => "female" | "女",
    }
);

keywords!(
    /// Labour capacity (劳动能力) in the registry's three grades.
    Labour {
        /// Able to work.
        Full => "full" | "有劳动能力",
        /// Able to work part of the time (weak or half labour).
        Partial => "partial" | "弱劳动力",
        /// Unable to work (children, the old, the severely ill).
        None => "none" | "无劳动能力",
    }
);

keywords!(
    /// A member's schooling status (在校生情况).
    Schooling {
        /// Below school age.
        Preschool => "preschool" | "学龄前",
        /// In compulsory education (primary or junior secondary).
        Compulsory => "compulsory" | "义务教育在校",
        /// In senior secondary, vocational or higher education.
        Beyond => "beyond" | "高中及以上在校",
        /// Of compulsory-school age and not in school: a "guarantee" gap.
        OutOfSchool => "out_of_school" | "失学辍学",
        /// Left school (finished, or past school age).
        NotInSchool => "not_in_school" | "非在校",
    }
);

/// One member of a registered household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's number within the household (1 = the head).
    pub seq: i32,
    /// Name (a personal identifier: masked for most roles).
    pub name: Option<String>,
    /// Sex.
    pub sex: Sex,
    /// Year of birth.
    pub birth_year: i32,
    /// Labour capacity.
    pub labour: Labour,
    /// Holds a disability certificate (残疾).
    pub disabled: bool,
    /// Has a chronic or serious illness (慢性病/大病).
    pub chronically_ill: bool,
    /// Schooling status.
    pub schooling: Schooling,
    /// Enrolled in basic medical insurance (基本医疗保险).
    pub insured: bool,
}

/// The compulsory-schooling ages (Compulsory Education Law: six to fifteen).
pub const COMPULSORY_AGES: std::ops::RangeInclusive<i32> = 6..=15;

impl Member {
    /// The member's age at the end of `year`.
    pub fn age(&self, year: i32) -> i32 {
        year - self.birth_year
    }

    /// Checks what a member record can say about itself in `year`: a
    /// positive number, a birth year not in the future nor more than 120
    /// years back.
    pub fn check(&self, year: i32) -> Result<(), MemberError> {
        if self.seq < 1 {
            return Err(MemberError::Number(self.seq));
        }
        if self.birth_year > year || self.birth_year < year - 120 {
            return Err(MemberError::BirthYear { birth_year: self.birth_year, earliest: year - 120, latest: year });
        }
        Ok(())
    }

    /// Whether the member is a "guarantee" gap in `year`: of compulsory
    /// school age and out of school, or not insured.
    pub fn guarantee_gap(&self, year: i32) -> bool {
        !self.insured || (COMPULSORY_AGES.contains(&self.age(year)) && self.schooling == Schooling::OutOfSchool)
    }
}

/// What is wrong with a member record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    /// A member number below 1.
    #[error("member number {0} is not positive")]
    Number(i32),
    /// A birth year in the future or more than 120 years back.
    #[error("birth year {birth_year} is not between {earliest} and {latest}")]
    BirthYear {
        /// The year given.
        birth_year: i32,
        /// The earliest accepted.
        earliest: i32,
        /// The latest accepted (the year of the record).
        latest: i32,
    },
}

/// A household's net income by source for a year, yuan for the whole
/// household (the NBS household survey's four sources).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct IncomeSources {
    /// 工资性收入: wages.
    pub wage: f64,
    /// 经营净收入: net business income (may be negative).
    pub business: f64,
    /// 财产净收入: net property income.
    pub property: f64,
    /// 转移净收入: net transfers (pensions, subsidies, remittances).
    pub transfer: f64,
}

impl IncomeSources {
    /// The household's total net income.
    pub fn total(&self) -> f64 {
        self.wage + self.business + self.property + self.transfer
    }

    /// Net income per person for a household of `size`.
    pub fn per_capita(&self, size: i32) -> f64 {
        self.total() / f64::from(size.max(1))
    }

    /// Transfers as a share of the total: a high share signals income that
    /// stops when support does (the "stable income" test of methods.md §9.1).
    pub fn transfer_share(&self) -> Option<f64> {
        let total = self.total();
        (total > 0.0).then(|| self.transfer / total)
    }
}

/// A disagreement between a household's screening record and its members or
/// income sources, for the cadre to resolve.
#[derive(Debug, Clone, PartialEq)]
pub enum Inconsistency {
    /// The number of members listed differs from the recorded size.
    Size {
        /// Members listed.
        listed: i32,
        /// Recorded size.
        recorded: i32,
    },
    /// Members listed as able to work (fully or partly) differ from the
    /// recorded labour count.
    Labour {
        /// Members able to work.
        listed: i32,
        /// Recorded labour count.
        recorded: i32,
    },
    /// Income by source per person differs from the recorded per-capita
    /// income by more than one yuan.
    Income {
        /// Σ sources / size.
        from_sources: f64,
        /// Recorded per-capita income.
        recorded: f64,
    },
    /// A member is a guarantee gap but the household's insurance or
    /// attendance flag is not set.
    GuaranteeNotFlagged {
        /// The member's number.
        seq: i32,
    },
}

/// Checks members and income sources against the screening record in
/// `year`. Members are only compared when some are listed.
pub fn consistency(
    household: &crate::screening::Household,
    members: &[Member],
    income: Option<&IncomeSources>,
    year: i32,
) -> Vec<Inconsistency> {
    use crate::screening::Deprivation;
    let mut found = Vec::new();
    if !members.is_empty() {
        let listed = members.len() as i32;
        if listed != household.size {
            found.push(Inconsistency::Size { listed, recorded: household.size });
        }
        let able = members.iter().filter(|m| m.labour != Labour::None).count() as i32;
        if able != household.labor {
            found.push(Inconsistency::Labour { listed: able, recorded: household.labor });
        }
        for m in members {
            let out_of_school = COMPULSORY_AGES.contains(&m.age(year)) && m.schooling == Schooling::OutOfSchool;
            let insurance_shown = m.insured || household.is_deprived(Deprivation::HealthInsurance);
            let attendance_shown = !out_of_school || household.is_deprived(Deprivation::Attendance);
            if !(insurance_shown && attendance_shown) {
                found.push(Inconsistency::GuaranteeNotFlagged { seq: m.seq });
            }
        }
    }
    if let Some(sources) = income {
        let from_sources = sources.per_capita(household.size);
        if (from_sources - household.income_pc).abs() > 1.0 {
            found.push(Inconsistency::Income { from_sources, recorded: household.income_pc });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screening::{Deprivation, Household};

    fn member(seq: i32, birth_year: i32, labour: Labour) -> Member {
        Member {
            seq,
            name: None,
            sex: Sex::Female,
            birth_year,
            labour,
            disabled: false,
            chronically_ill: false,
            schooling: Schooling::NotInSchool,
            insured: true,
        }
    }

    fn household() -> Household {
        Household {
            village_code: 520_103_001_001,
            size: 3,
            labor: 2,
            income_pc: 8000.0,
            income_pc_prev: 8000.0,
            medical_exp: 0.0,
            education_exp: 0.0,
            disaster_loss: 0.0,
            deprived: 0,
        }
    }

    #[test]
    fn keywords_read_english_and_chinese() {
        assert_eq!(Sex::parse("女"), Some(Sex::Female));
        assert_eq!(Sex::parse(" Male "), Some(Sex::Male));
        assert_eq!(Labour::parse("弱劳动力"), Some(Labour::Partial));
        assert_eq!(Schooling::parse("out_of_school"), Some(Schooling::OutOfSchool));
        assert_eq!(Schooling::parse("dropped"), None);
        for s in Schooling::ALL {
            assert_eq!(Schooling::parse(s.as_str()), Some(*s));
            assert_eq!(Schooling::parse(s.zh()), Some(*s));
        }
    }

    #[test]
    fn members_are_checked_and_aged() {
        let m = member(1, 1960, Labour::Full);
        assert_eq!(m.age(2026), 66);
        assert_eq!(m.check(2026), Ok(()));
        assert_eq!(member(0, 1960, Labour::Full).check(2026), Err(MemberError::Number(0)));
        let future = member(1, 2027, Labour::Full).check(2026).unwrap_err();
        assert_eq!(future, MemberError::BirthYear { birth_year: 2027, earliest: 1906, latest: 2026 });
        assert!(future.to_string().contains("between 1906 and 2026"));
        assert!(member(1, 1905, Labour::Full).check(2026).is_err());
    }

    /// A 12-year-old out of school is a gap; a 16-year-old out of school is
    /// past compulsory age; an uninsured adult is a gap.
    #[test]
    fn guarantee_gaps_follow_compulsory_ages_and_insurance() {
        let child = Member { schooling: Schooling::OutOfSchool, ..member(3, 2014, Labour::None) };
        assert!(child.guarantee_gap(2026));
        assert!(!Member { birth_year: 2010, ..child.clone() }.guarantee_gap(2026));
        assert!(Member { insured: false, ..member(1, 1970, Labour::Full) }.guarantee_gap(2026));
    }

    /// Sources 12,000 + 6,000 + 0 + 6,000 = 24,000 for 3 people: 8,000 per
    /// person, as recorded; transfers are a quarter.
    #[test]
    fn income_sources_sum_to_per_capita_income() {
        let sources = IncomeSources { wage: 12_000.0, business: 6000.0, property: 0.0, transfer: 6000.0 };
        assert_eq!(sources.total(), 24_000.0);
        assert_eq!(sources.per_capita(3), 8000.0);
        assert_eq!(sources.transfer_share(), Some(0.25));
        assert_eq!(IncomeSources::default().transfer_share(), None);
        let members = [member(1, 1970, Labour::Full), member(2, 1972, Labour::Partial), member(3, 2015, Labour::None)];
        assert_eq!(consistency(&household(), &members, Some(&sources), 2026), vec![]);
    }

    #[test]
    fn disagreements_with_the_screening_record_are_listed() {
        let members = [member(1, 1970, Labour::Full), Member { insured: false, ..member(2, 1972, Labour::None) }];
        let low = IncomeSources { wage: 12_000.0, ..Default::default() };
        let found = consistency(&household(), &members, Some(&low), 2026);
        assert_eq!(
            found,
            vec![
                Inconsistency::Size { listed: 2, recorded: 3 },
                Inconsistency::Labour { listed: 1, recorded: 2 },
                Inconsistency::GuaranteeNotFlagged { seq: 2 },
                Inconsistency::Income { from_sources: 4000.0, recorded: 8000.0 },
            ]
        );
        let flagged = Household { deprived: Deprivation::HealthInsurance.bit(), ..household() };
        assert!(!consistency(&flagged, &members, None, 2026).contains(&Inconsistency::GuaranteeNotFlagged { seq: 2 }));
        assert_eq!(consistency(&household(), &[], None, 2026), vec![]);
    }
}
