//! Basin agreements in the store: kept by the office of a region, whose
//! users (deciders) write and change them and settle their years, whose
//! data-entry clerks import their samples; read by anyone whose
//! jurisdiction holds that region. Every change is checked against the
//! stored row (an agreement may not be moved out of, or taken over from
//! outside, the user's jurisdiction) and commits with its audit entry.

use std::collections::HashMap;
use std::path::Path;

use revita_ingest::error::RowError;
use revita_methods::RegionCode;
use revita_methods::access::Action;
use revita_store::eco::{Payment, StoredAgreement, StoredSample, StoredSettlement};

use super::agreement::{BasinAgreement, Settlement, settle};
use crate::auth::{Actor, Origin, audit_entry};
use crate::{App, AppError, AppResult, ImportReport};

/// An agreement as a reader sees it.
#[derive(Debug, Clone)]
pub struct AgreementView {
    /// As stored.
    pub stored: StoredAgreement,
    /// Its terms.
    pub agreement: BasinAgreement,
    /// The years it has samples in, with how many, newest first.
    pub sample_years: Vec<(i32, i64)>,
    /// Its settled years, newest first.
    pub settlements: Vec<(StoredSettlement, Settlement)>,
    /// The latest sampled year not yet settled, computed from the samples
    /// so far (the running P, whose alert warns before the year ends), or
    /// why it cannot be computed yet.
    pub running: Option<Result<Settlement, String>>,
    /// Whether the reader may change it and settle its years.
    pub may_decide: bool,
    /// Whether the reader may import its samples.
    pub may_enter: bool,
}

/// The payments ledger: a page of payments with how many there are.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// The payments, by number.
    pub payments: Vec<Payment>,
    /// How many in all.
    pub total: i64,
}

/// What a sample import found (and, unless a dry run, wrote).
pub type SampleImport = ImportReport;

/// The statuses a payment may have.
pub const PAYMENT_STATUSES: [&str; 3] = ["due", "paid", "waived"];

impl App {
    /// A page of the agreements the actor may read, by number after `after`.
    pub async fn eco_agreements(
        &self,
        actor: &Actor,
        after: i64,
        limit: i64,
    ) -> AppResult<(Vec<StoredAgreement>, i64)> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        Ok(self.store().eco_agreement_page(read.roots(), after, limit).await?)
    }

    /// An agreement the actor may read, with its samples' years, its
    /// settlements and the running index.
    pub async fn eco_agreement(&self, actor: &Actor, id: i64) -> AppResult<AgreementView> {
        let stored = self.readable_agreement(actor, id).await?;
        let agreement = BasinAgreement::from_json(&stored.spec)?;
        let sample_years = self.store().eco_sample_years(id).await?;
        let mut settlements = Vec::new();
        for s in self.store().eco_settlements(id).await? {
            let result: Settlement = serde_json::from_str(&s.result)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("settlement {id}/{}: {e}", s.year)))?;
            settlements.push((s, result));
        }
        let running = match sample_years.iter().find(|(y, _)| settlements.iter().all(|(s, _)| s.year != *y)) {
            Some((year, _)) => {
                let samples = self.stored_samples(id, Some(*year)).await?;
                Some(settle(&agreement, *year, &samples).map_err(|e| e.to_string()))
            }
            None => None,
        };
        let may_decide = self.jurisdiction(actor, Action::EditDecisions).await?.covers(&stored.region);
        let may_enter = self.jurisdiction(actor, Action::EditData).await?.covers(&stored.region);
        Ok(AgreementView { stored, agreement, sample_years, settlements, running, may_decide, may_enter })
    }

    /// An agreement's samples (of one year when given), each with where it
    /// came from for messages.
    pub async fn eco_samples(&self, actor: &Actor, id: i64, year: Option<i32>) -> AppResult<Vec<StoredSample>> {
        self.readable_agreement(actor, id).await?;
        Ok(self.store().eco_samples(id, year).await?)
    }

    async fn stored_samples(&self, id: i64, year: Option<i32>) -> AppResult<Vec<(String, StoredSample)>> {
        let samples = self.store().eco_samples(id, year).await?;
        Ok(samples.into_iter().map(|s| (format!("{} {}", s.sampled_on, s.section), s)).collect())
    }

    async fn readable_agreement(&self, actor: &Actor, id: i64) -> AppResult<StoredAgreement> {
        let stored =
            self.store().eco_agreement(id).await?.ok_or_else(|| AppError::NotFound(format!("agreement {id}")))?;
        if !self.jurisdiction(actor, Action::Read).await?.covers(&stored.region) {
            // Its number only: a reader elsewhere learns nothing of it.
            return Err(AppError::Forbidden(format!("agreement {id} is kept outside your jurisdiction")));
        }
        Ok(stored)
    }

    /// Stores an agreement (new when `id` is `None`, else a new version of
    /// agreement `id` at `version`) kept by the office of `region`; its
    /// number. The actor must decide both where the agreement is kept now
    /// and where it is to be kept.
    pub async fn save_eco_agreement(
        &self,
        actor: &Actor,
        id: Option<(i64, i64)>,
        region: &RegionCode,
        text: &str,
        origin: &Origin,
    ) -> AppResult<i64> {
        let agreement = BasinAgreement::from_json(text)?;
        let decide = self.jurisdiction(actor, Action::EditDecisions).await?;
        if !decide.covers(region) {
            return Err(AppError::Forbidden(format!("{} may not keep agreements for {region}", actor.name)));
        }
        if self.store().region(region).await?.is_none() {
            return Err(AppError::Invalid(format!("region: {region} is not a known region")));
        }
        let spec = agreement.to_json();
        let at = revita_methods::UtcOffset::UTC.format(origin.now);
        let mut tx = self.store().begin().await?;
        if let Some(other) = tx.eco_agreement_named(&agreement.name).await?
            && Some(other) != id.map(|(i, _)| i)
        {
            return Err(AppError::Conflict(format!("agreement {other} is already named {}", agreement.name)));
        }
        let (id, before) = match id {
            None => (tx.insert_eco_agreement(&agreement.name, region, &spec, &actor.name, &at).await?, None),
            Some((id, version)) => {
                let stored =
                    tx.eco_agreement(id).await?.ok_or_else(|| AppError::NotFound(format!("agreement {id}")))?;
                if !decide.covers(&stored.region) {
                    return Err(AppError::Forbidden(format!("{} may not change agreement {id}", actor.name)));
                }
                if !tx.update_eco_agreement(id, version, (&agreement.name, region, &spec), &actor.name, &at).await? {
                    return Err(AppError::Conflict(format!(
                        "agreement {id} was changed by someone else (now version {}); reload it",
                        stored.version
                    )));
                }
                (id, Some(format!("{} v{} {}", stored.region, stored.version, stored.spec)))
            }
        };
        let action = if before.is_none() { "eco.agreement.create" } else { "eco.agreement.edit" };
        tx.audit(audit_entry(
            &actor.name,
            action,
            ("eco_agreement", &id.to_string()),
            Some(region),
            (before, Some(spec)),
            origin,
        ));
        tx.commit().await?;
        Ok(id)
    }

    /// Imports an agreement's samples from a CSV or XLSX file, all or
    /// nothing: every row must name a section the agreement assesses or
    /// places and an indicator one of its rounds assesses, once. Samples
    /// stored under the same section, day and indicator are replaced (the
    /// report counts them). A dry run reports without writing.
    pub async fn import_eco_samples(
        &self,
        actor: &Actor,
        id: i64,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<SampleImport> {
        let stored = self.readable_agreement(actor, id).await?;
        if !self.jurisdiction(actor, Action::EditData).await?.covers(&stored.region) {
            return Err(AppError::Forbidden(format!("{} may not enter samples of agreement {id}", actor.name)));
        }
        let agreement = BasinAgreement::from_json(&stored.spec)?;
        let (table, (parsed, mut problems)) =
            crate::import::read_table(path, None, revita_ingest::records::read_water_samples_with_problems).await?;
        let mut sections: Vec<&str> = agreement.assessed_sections();
        sections.extend(agreement.sections.iter().map(|s| s.name.as_str()));
        let indicators = agreement.indicator_codes();
        let mut seen: HashMap<(String, String, String), u64> = HashMap::new();
        let mut outside_rounds = 0;
        for (row, s) in &parsed.rows {
            let cell = |column: &str, reason: String| RowError::cell(&table.file, *row, column, reason);
            if !sections.contains(&s.section.as_str()) {
                problems.push(cell("section", format!("'{}' is not a section of {}", s.section, agreement.name)));
            }
            if !indicators.contains(s.indicator.as_str()) {
                let mut known: Vec<&str> = indicators.iter().copied().collect();
                known.sort();
                problems.push(cell("indicator", format!("'{}' is not one of {}", s.indicator, known.join(", "))));
            }
            let key = (s.section.clone(), s.date.to_string(), s.indicator.clone());
            if let Some(first) = seen.insert(key, *row) {
                problems.push(cell("date", format!("this sample is already on row {first}")));
            }
            outside_rounds += usize::from(agreement.round_for(s.date.year()).is_none());
        }
        if !problems.is_empty() {
            problems.sort_by_row();
            return Err(problems.into());
        }
        let samples: Vec<StoredSample> = parsed.rows.iter().map(|(_, s)| super::stored_sample(s)).collect();
        let mut report =
            ImportReport::checked(&table, "water_samples", dry_run, samples.len(), &parsed.ignored_columns);
        if outside_rounds > 0 {
            report.notes.push(format!("{outside_rounds} sample(s) fall in years no round covers; kept, not settled"));
        }
        if dry_run {
            // Counted from one read: a check takes no write lock.
            let key = |s: &StoredSample| (s.section.clone(), s.sampled_on.clone(), s.indicator.clone());
            let stored: std::collections::HashSet<_> =
                self.store().eco_samples(id, None).await?.iter().map(key).collect();
            report.replaces = samples.iter().filter(|s| stored.contains(&key(s))).count() as u64;
            return Ok(report);
        }
        let mut tx = self.store().begin().await?;
        // The stored row again, inside the transaction: it may have moved.
        let now = tx.eco_agreement(id).await?.ok_or_else(|| AppError::NotFound(format!("agreement {id}")))?;
        if now.region != stored.region {
            return Err(AppError::Conflict(format!("agreement {id} was moved meanwhile; try again")));
        }
        report.replaces = tx.put_eco_samples(id, &samples).await?;
        tx.audit(audit_entry(
            &actor.name,
            "eco.samples.import",
            ("eco_agreement", &id.to_string()),
            Some(&stored.region),
            (None, Some(format!("{}: {} samples, {} replaced", table.file, samples.len(), report.replaces))),
            origin,
        ));
        tx.commit().await?;
        Ok(report)
    }

    /// Settles a year of an agreement from its stored samples, replacing an
    /// earlier settlement of the year unless one of its payments has been
    /// paid or waived; the settlement with the payments it makes due.
    pub async fn settle_eco_year(&self, actor: &Actor, id: i64, year: i32, origin: &Origin) -> AppResult<Settlement> {
        let stored = self.readable_agreement(actor, id).await?;
        if !self.jurisdiction(actor, Action::EditDecisions).await?.covers(&stored.region) {
            return Err(AppError::Forbidden(format!("{} may not settle agreement {id}", actor.name)));
        }
        let agreement = BasinAgreement::from_json(&stored.spec)?;
        let samples = self.stored_samples(id, Some(year)).await?;
        let settlement = settle(&agreement, year, &samples).map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut tx = self.store().begin().await?;
        let now = tx.eco_agreement(id).await?.ok_or_else(|| AppError::NotFound(format!("agreement {id}")))?;
        if now.version != stored.version {
            return Err(AppError::Conflict(format!("agreement {id} was changed meanwhile; settle again")));
        }
        if let Some(done) = tx.eco_payments_of(id, year).await?.iter().find(|p| p.status != "due") {
            return Err(AppError::Conflict(format!(
                "{year} is settled and payment {} is {}: it is not settled again",
                done.id, done.status
            )));
        }
        let result = serde_json::to_string(&settlement).map_err(|e| AppError::Internal(e.into()))?;
        let payments: Vec<(String, String, f64, String)> = settlement
            .transfers
            .iter()
            .map(|t| {
                let p = settlement.sections.iter().find(|s| s.section == t.section).map_or(f64::NAN, |s| s.p);
                (t.payer.clone(), t.payee.clone(), t.amount, format!("{} P={p:.4}", t.section))
            })
            .collect();
        let at = revita_methods::UtcOffset::UTC.format(origin.now);
        let settled =
            StoredSettlement { agreement_id: id, year, result, settled_by: actor.name.clone(), settled_at: at };
        tx.put_eco_settlement(&settled, &payments).await?;
        let summary: Vec<String> = settlement.sections.iter().map(|s| format!("{} P={:.4}", s.section, s.p)).collect();
        tx.audit(audit_entry(
            &actor.name,
            "eco.settle",
            ("eco_agreement", &id.to_string()),
            Some(&stored.region),
            (None, Some(format!("{year}: {}; {} payment(s)", summary.join(", "), payments.len()))),
            origin,
        ));
        tx.commit().await?;
        Ok(settlement)
    }

    /// A page of the payments ledger within the actor's jurisdiction (of
    /// one agreement when given), by number after `after`.
    pub async fn eco_ledger(&self, actor: &Actor, agreement: Option<i64>, after: i64, limit: i64) -> AppResult<Ledger> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let (payments, total) = self.store().eco_payment_page(read.roots(), agreement, after, limit).await?;
        Ok(Ledger { payments, total })
    }

    /// One payment of an agreement the actor may read.
    pub async fn eco_payment(&self, actor: &Actor, id: i64) -> AppResult<Payment> {
        let payment = self.store().eco_payment(id).await?.ok_or_else(|| AppError::NotFound(format!("payment {id}")))?;
        self.readable_agreement(actor, payment.agreement_id).await.map_err(|e| match e {
            AppError::Forbidden(_) => AppError::Forbidden(format!("payment {id} is outside your jurisdiction")),
            other => other,
        })?;
        Ok(payment)
    }

    /// Records a payment as paid (with the day and a reference), waived or
    /// due again, if it is still at `version`.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_eco_payment(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        status: &str,
        paid_on: Option<&str>,
        reference: Option<&str>,
        origin: &Origin,
    ) -> AppResult<Payment> {
        if !PAYMENT_STATUSES.contains(&status) {
            return Err(AppError::Invalid(format!("status: '{status}' is not one of {}", PAYMENT_STATUSES.join(", "))));
        }
        let paid_on = paid_on.map(str::trim).filter(|d| !d.is_empty());
        let paid_on = match (status, paid_on) {
            ("paid", None) => return Err(AppError::Invalid("paid_on: give the day it was paid".into())),
            ("paid", Some(day)) => Some(
                revita_methods::Date::parse(day).map_err(|e| AppError::Invalid(format!("paid_on: {e}")))?.to_string(),
            ),
            _ => None,
        };
        let reference = reference.map(str::trim).filter(|r| !r.is_empty());
        if reference.is_some_and(|r| r.chars().count() > 200 || r.chars().any(char::is_control)) {
            return Err(AppError::Invalid("reference: one line of at most 200 characters".into()));
        }
        let decide = self.jurisdiction(actor, Action::EditDecisions).await?;
        let mut tx = self.store().begin().await?;
        let before = tx.eco_payment(id).await?.ok_or_else(|| AppError::NotFound(format!("payment {id}")))?;
        let agreement =
            tx.eco_agreement(before.agreement_id).await?.ok_or_else(|| AppError::NotFound(format!("payment {id}")))?;
        if !decide.covers(&agreement.region) {
            return Err(AppError::Forbidden(format!("{} may not record payment {id}", actor.name)));
        }
        if !tx.update_eco_payment(id, version, status, paid_on.as_deref(), reference).await? {
            return Err(AppError::Conflict(format!(
                "payment {id} was changed by someone else (now version {}); reload it",
                before.version
            )));
        }
        tx.audit(audit_entry(
            &actor.name,
            "eco.payment",
            ("eco_payment", &id.to_string()),
            Some(&agreement.region),
            (Some(before.status.clone()), Some(format!("{status} {}", paid_on.as_deref().unwrap_or("")))),
            origin,
        ));
        tx.commit().await?;
        self.store().eco_payment(id).await?.ok_or_else(|| AppError::NotFound(format!("payment {id}")))
    }
}
