//! A basin agreement as a planner writes it (JSON), checked whole before
//! it is stored or run, and a year settled from its samples with every step.
//!
//! Two kinds: a **pair** (upstream and downstream, one assessment section:
//! P ≤ 1 and downstream pays, else upstream pays; 新安江, 东江, 九洲江) and
//! **segments** (three or more parties, each section's failure moving money
//! between named parties by shares; 赤水河). Either has rounds, each with
//! its own years, indicators, weights, limits, stability coefficient and
//! money (methods.md §5.1–5.2).

use std::collections::{BTreeMap, HashSet};

use revita_methods::eco::{
    AssessedIndicator, Direction, EcoError, JointSample, SectionRule, compensation_index, joint_sample,
    segment_settlement,
};
use revita_store::eco::StoredSample;
use serde::{Deserialize, Serialize};

use crate::{AppError, AppResult};

/// The longest agreement stored, in bytes.
const MAX_BYTES: usize = 256 * 1024;
/// The most sections, rounds or indicators an agreement names.
const MAX_ITEMS: usize = 100;

/// A basin agreement.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BasinAgreement {
    /// What it is, e.g. "新安江流域上下游横向生态补偿".
    pub name: String,
    /// The upstream party of a pair agreement (a province's or county's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream: Option<String>,
    /// The downstream party of a pair agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downstream: Option<String>,
    /// The assessment section of a pair agreement, e.g. 街口.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Section-by-section rules of an agreement of three or more parties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<SegmentRule>,
    /// Where the sections are (for the map).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// The rounds, each with its years and parameters.
    pub rounds: Vec<Round>,
}

/// A section's place.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Its name as the samples name it.
    pub name: String,
    /// Longitude (degrees east).
    pub lon: f64,
    /// Latitude (degrees north).
    pub lat: f64,
}

/// What a section's failure moves, e.g. on the Chishui: failure at 清水铺
/// → Yunnan's 1 share paid half to Guizhou, half to Sichuan.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    /// The section.
    pub section: String,
    /// The money at stake at this section (yuan a year).
    pub amount: f64,
    /// Who pays on failure, with shares summing to 1.
    pub payers: BTreeMap<String, f64>,
    /// Who receives, with shares summing to 1.
    pub payees: BTreeMap<String, f64>,
}

/// A round of an agreement.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Round {
    /// Its name, e.g. "第一轮".
    pub name: String,
    /// The first year it covers.
    pub from: i32,
    /// The last year it covers.
    pub to: i32,
    /// The stability coefficient k0.
    pub k0: f64,
    /// What the paying party pays in a year under a pair agreement (yuan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// The most two laboratories' results may differ, as a share of their
    /// mean, for a sample to count without its reserve (default 0.1).
    #[serde(default = "tolerance")]
    pub tolerance: f64,
    /// A P at or above this (and not above 1) raises an alert: the standard
    /// is about to be missed (default 0.95).
    #[serde(default = "alert_at")]
    pub alert_at: f64,
    /// The indicators with their weights and basic limits.
    pub indicators: Vec<AgreementIndicator>,
}

fn tolerance() -> f64 {
    0.1
}

fn alert_at() -> f64 {
    0.95
}

/// One indicator of a round.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AgreementIndicator {
    /// Its code as the sample file names it.
    pub code: String,
    /// Its weight k_i.
    pub weight: f64,
    /// Its basic limit C_i0 (mg/L).
    pub limit: f64,
}

/// A year settled.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Settlement {
    /// The agreement's name.
    pub agreement: String,
    /// The year.
    pub year: i32,
    /// The round that governs it.
    pub round: String,
    /// The tolerance of the joint-sampling rule.
    pub tolerance: f64,
    /// Each assessed section with its index.
    pub sections: Vec<SectionResult>,
    /// Who pays whom how much, and why.
    pub transfers: Vec<TransferLine>,
    /// How many samples counted by their reserve (the parties disagreed).
    pub reserves: usize,
    /// How many samples were declared void.
    pub void: usize,
    /// Samples left out: disputed without a reserve (`where: results`).
    pub disputed: Vec<String>,
}

/// A section's index with every step.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct SectionResult {
    /// The section.
    pub section: String,
    /// The indicators, in the round's order.
    pub indicators: Vec<String>,
    /// Their weights k_i.
    pub weights: Vec<f64>,
    /// Their basic limits C_i0.
    pub limits: Vec<f64>,
    /// How many samples counted, per indicator.
    pub samples: Vec<usize>,
    /// Each indicator's annual mean C_i (mg/L).
    pub means: Vec<f64>,
    /// C_i / C_i0.
    pub ratios: Vec<f64>,
    /// k_i × C_i / C_i0.
    pub weighted: Vec<f64>,
    /// The stability coefficient.
    pub k0: f64,
    /// The compensation index.
    pub p: f64,
    /// Whether the basic standard was met (P ≤ 1).
    pub met: bool,
    /// P is close to 1 (at or above the round's alert level) though met.
    pub alert: bool,
}

/// One payment a settlement makes due.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TransferLine {
    /// Who pays.
    pub payer: String,
    /// Who receives.
    pub payee: String,
    /// How much (yuan).
    pub amount: f64,
    /// The section whose result made it due.
    pub section: String,
}

/// Why a year cannot be settled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettleError {
    /// No round covers the year.
    #[error("no round of the agreement covers {0}")]
    NoRound(i32),
    /// A section's index cannot be computed.
    #[error("section {section}: {source}")]
    Index {
        /// The section.
        section: String,
        /// Why.
        source: EcoError,
    },
}

impl BasinAgreement {
    /// The agreement from its JSON text, checked whole.
    pub fn from_json(text: &str) -> AppResult<BasinAgreement> {
        if text.len() > MAX_BYTES {
            return Err(AppError::Invalid(format!("basin agreement: more than {} KiB", MAX_BYTES / 1024)));
        }
        let agreement: BasinAgreement =
            serde_json::from_str(text).map_err(|e| AppError::Invalid(format!("basin agreement: {e}")))?;
        agreement.check().map_err(|e| AppError::Invalid(format!("basin agreement: {e}")))?;
        Ok(agreement)
    }

    /// Its JSON text as stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an agreement serialises")
    }

    /// Whether it settles section by section among three or more parties.
    pub fn is_segmented(&self) -> bool {
        !self.segments.is_empty()
    }

    /// The sections it assesses.
    pub fn assessed_sections(&self) -> Vec<&str> {
        match &self.section {
            Some(section) => vec![section.as_str()],
            None => self.segments.iter().map(|s| s.section.as_str()).collect(),
        }
    }

    /// Every party it names.
    pub fn parties(&self) -> Vec<&str> {
        let mut parties: Vec<&str> = self.upstream.iter().chain(&self.downstream).map(String::as_str).collect();
        for s in &self.segments {
            for p in s.payers.keys().chain(s.payees.keys()) {
                if !parties.contains(&p.as_str()) {
                    parties.push(p);
                }
            }
        }
        parties
    }

    /// Every indicator code some round assesses.
    pub fn indicator_codes(&self) -> HashSet<&str> {
        self.rounds.iter().flat_map(|r| r.indicators.iter().map(|i| i.code.as_str())).collect()
    }

    /// The round that covers `year`.
    pub fn round_for(&self, year: i32) -> Option<&Round> {
        self.rounds.iter().find(|r| (r.from..=r.to).contains(&year))
    }

    fn check(&self) -> Result<(), String> {
        let line = |text: &str, what: &str| -> Result<(), String> {
            if text.trim().is_empty() || text.chars().count() > 200 || text.chars().any(char::is_control) {
                Err(format!("{what}: give one line of 1 to 200 characters"))
            } else {
                Ok(())
            }
        };
        line(&self.name, "name")?;
        if self.rounds.is_empty() {
            return Err("name at least one round".into());
        }
        if [self.rounds.len(), self.sections.len(), self.segments.len()].iter().any(|n| *n > MAX_ITEMS) {
            return Err(format!("at most {MAX_ITEMS} rounds, sections and segments"));
        }
        match (&self.upstream, &self.downstream, &self.section, self.segments.is_empty()) {
            (Some(up), Some(down), Some(section), true) => {
                line(up, "upstream")?;
                line(down, "downstream")?;
                line(section, "section")?;
                if up == down {
                    return Err("upstream and downstream must be different parties".into());
                }
                if let Some(r) = self.rounds.iter().find(|r| !r.amount.is_some_and(|a| a.is_finite() && a > 0.0)) {
                    return Err(format!("round {}: give the amount paid a year (yuan, above 0)", r.name));
                }
            }
            (None, None, None, false) => self.check_segments(&line)?,
            _ => {
                return Err("give either upstream, downstream and section (two parties) or segments \
                            (three or more), not both"
                    .into());
            }
        }
        let mut names = HashSet::new();
        for s in &self.sections {
            line(&s.name, "section name")?;
            if !names.insert(s.name.as_str()) {
                return Err(format!("section {} is placed twice", s.name));
            }
            if !((-180.0..=180.0).contains(&s.lon) && (-90.0..=90.0).contains(&s.lat)) {
                return Err(format!("section {}: longitude and latitude must be degrees", s.name));
            }
        }
        let mut rounds: Vec<&Round> = self.rounds.iter().collect();
        rounds.sort_by_key(|r| r.from);
        for pair in rounds.windows(2) {
            if pair[1].from <= pair[0].to {
                return Err(format!("rounds {} and {} cover the same years", pair[0].name, pair[1].name));
            }
        }
        self.rounds.iter().try_for_each(|r| r.check(&line))
    }

    fn check_segments(&self, line: &impl Fn(&str, &str) -> Result<(), String>) -> Result<(), String> {
        let mut seen = HashSet::new();
        for s in &self.segments {
            line(&s.section, "segment section")?;
            if !seen.insert(s.section.as_str()) {
                return Err(format!("section {} has two segment rules", s.section));
            }
            if !(s.amount.is_finite() && s.amount > 0.0) {
                return Err(format!("segment {}: the amount must be above 0", s.section));
            }
            for (side, shares) in [("payers", &s.payers), ("payees", &s.payees)] {
                let sum: f64 = shares.values().sum();
                if shares.is_empty()
                    || shares.values().any(|v| !(v.is_finite() && *v > 0.0))
                    || (sum - 1.0).abs() > 1e-9
                {
                    return Err(format!("segment {}: the {side}' shares must be above 0 and sum to 1", s.section));
                }
                for party in shares.keys() {
                    line(party, side)?;
                }
            }
        }
        Ok(())
    }
}

impl Round {
    fn check(&self, line: &impl Fn(&str, &str) -> Result<(), String>) -> Result<(), String> {
        line(&self.name, "round name")?;
        let name = &self.name;
        if self.from > self.to || !(1900..=2200).contains(&self.from) || self.to > 2200 {
            return Err(format!("round {name}: the years run from `from` to `to`, between 1900 and 2200"));
        }
        if !(self.k0.is_finite() && self.k0 > 0.0) {
            return Err(format!("round {name}: k0 must be above 0"));
        }
        if !((0.0..1.0).contains(&self.tolerance) && self.alert_at > 0.0 && self.alert_at <= 1.0) {
            return Err(format!(
                "round {name}: the tolerance is a share below 1 and the alert level above 0, at most 1"
            ));
        }
        if self.indicators.is_empty() || self.indicators.len() > MAX_ITEMS {
            return Err(format!("round {name}: name 1 to {MAX_ITEMS} indicators"));
        }
        let mut seen = HashSet::new();
        for i in &self.indicators {
            line(&i.code, "indicator")?;
            if !seen.insert(i.code.as_str()) {
                return Err(format!("round {name}: indicator {} is named twice", i.code));
            }
            if !(i.weight.is_finite() && i.weight > 0.0 && i.limit.is_finite() && i.limit > 0.0) {
                return Err(format!("round {name}: indicator {} needs a weight and a limit above 0", i.code));
            }
        }
        let sum: f64 = self.indicators.iter().map(|i| i.weight).sum();
        if (sum - 1.0).abs() > 1e-6 {
            return Err(format!("round {name}: the weights sum to {sum}, not 1"));
        }
        Ok(())
    }
}

/// Settles `agreement` for `year` from `samples` (each with where it came
/// from, for messages): every valid sample of an assessed section in the
/// year counts by the joint-sampling rule (the mean of two results within
/// the round's tolerance, else the reserve; disputed without a reserve, it
/// is left out and listed), each indicator's annual mean goes into P, and P
/// decides who pays — the pair's direction rule, or each failed section's
/// segment rule.
pub fn settle(
    agreement: &BasinAgreement,
    year: i32,
    samples: &[(String, StoredSample)],
) -> Result<Settlement, SettleError> {
    let round = agreement.round_for(year).ok_or(SettleError::NoRound(year))?;
    let assessed = agreement.assessed_sections();
    let prefix = format!("{year:04}-");
    // values[section][indicator] = the counted results.
    let mut values: BTreeMap<&str, BTreeMap<&str, Vec<f64>>> = BTreeMap::new();
    let (mut reserves, mut void, mut disputed) = (0, 0, Vec::new());
    for (place, s) in samples {
        if !s.sampled_on.starts_with(&prefix) || !assessed.contains(&s.section.as_str()) {
            continue;
        }
        if !round.indicators.iter().any(|i| i.code == s.indicator) {
            continue;
        }
        if !s.valid {
            void += 1;
            continue;
        }
        let counted = match joint_sample(s.upstream, s.downstream, round.tolerance, s.reserve) {
            JointSample::Agreed(v) => v,
            JointSample::Reserve(v) => {
                reserves += 1;
                v
            }
            JointSample::Disputed => {
                disputed.push(format!("{place}: {} {} {} / {}", s.section, s.indicator, s.upstream, s.downstream));
                continue;
            }
        };
        values.entry(&s.section).or_default().entry(&s.indicator).or_default().push(counted);
    }
    let indicators: Vec<AssessedIndicator> = round
        .indicators
        .iter()
        .map(|i| AssessedIndicator { code: i.code.clone(), weight: i.weight, limit: i.limit })
        .collect();
    let mut sections = Vec::new();
    for section in &assessed {
        let by_indicator = values.get(section);
        let counted: Vec<Vec<f64>> = round
            .indicators
            .iter()
            .map(|i| by_indicator.and_then(|m| m.get(i.code.as_str())).cloned().unwrap_or_default())
            .collect();
        let index = compensation_index(&indicators, &counted, round.k0)
            .map_err(|source| SettleError::Index { section: section.to_string(), source })?;
        let met = index.direction == Direction::DownstreamPays;
        sections.push(SectionResult {
            section: section.to_string(),
            indicators: round.indicators.iter().map(|i| i.code.clone()).collect(),
            weights: round.indicators.iter().map(|i| i.weight).collect(),
            limits: round.indicators.iter().map(|i| i.limit).collect(),
            samples: counted.iter().map(Vec::len).collect(),
            alert: met && index.p >= round.alert_at,
            means: index.means,
            ratios: index.ratios,
            weighted: index.weighted,
            k0: index.k0,
            p: index.p,
            met,
        });
    }
    let transfers = transfers(agreement, round, &sections);
    Ok(Settlement {
        agreement: agreement.name.clone(),
        year,
        round: round.name.clone(),
        tolerance: round.tolerance,
        sections,
        transfers,
        reserves,
        void,
        disputed,
    })
}

/// The payments the sections' results make due.
fn transfers(agreement: &BasinAgreement, round: &Round, sections: &[SectionResult]) -> Vec<TransferLine> {
    if let (Some(up), Some(down), Some(section)) = (&agreement.upstream, &agreement.downstream, sections.first()) {
        let (payer, payee) = if section.met { (down, up) } else { (up, down) };
        return vec![TransferLine {
            payer: payer.clone(),
            payee: payee.clone(),
            amount: round.amount.unwrap_or(0.0),
            section: section.section.clone(),
        }];
    }
    let rules: Vec<SectionRule> = agreement
        .segments
        .iter()
        .map(|s| SectionRule {
            section: s.section.clone(),
            amount: s.amount,
            payers: s.payers.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            payees: s.payees.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        })
        .collect();
    let failed: Vec<&str> = sections.iter().filter(|s| !s.met).map(|s| s.section.as_str()).collect();
    segment_settlement(&rules, &failed)
        .into_iter()
        .map(|t| TransferLine { payer: t.from, payee: t.to, amount: t.amount, section: t.section })
        .collect()
}

/// The Xin'an agreement's first three rounds as the demo ships them
/// (methods.md §5.1: round 1 equal weights and k0 0.85; round 3's commonly
/// cited weights; amounts per the provinces' stakes). Limits are the
/// 2008–2010 baseline means as reported, rounded.
pub const XINAN_EXAMPLE: &str = include_str!("xinan.json");

/// A Chishui-style agreement of three provinces (methods.md §5.2).
pub const CHISHUI_EXAMPLE: &str = include_str!("chishui.json");
