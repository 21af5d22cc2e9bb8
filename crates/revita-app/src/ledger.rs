//! The pairing-assistance ledger (issue 18, methods.md §4): each donor's
//! rule in a programme, its obligation in a year split among the recipients
//! it is paired with that year, what it delivered (funds by project, cadres,
//! technicians, investment, labour, purchases), fulfilment and the shares
//! to livelihoods and to county level against the 70% and 80% norms; flows
//! recorded and imported all or nothing; an IATI activity file of the aid
//! projects. A pairing is read by anyone whose jurisdiction holds its donor
//! or its recipient, and its flows written by their data-entry users.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use revita_ingest::error::RowError;
use revita_methods::access::Action;
use revita_methods::convergence::{ObligationRule, fulfilment, obligation};
use revita_methods::pairing::{Delivered, Flow, FlowKind, split_obligation};
use revita_methods::{IndicatorCode, Pairing, Period, RegionCode};
use revita_store::ObservationQuery;
pub use revita_store::ledger::{PairingFlow, PairingRule};

use crate::auth::{Actor, Origin, audit_entry};
use crate::{App, AppError, AppResult, ImportReport};

/// The indicator holding donors' fiscal revenue unless a rule names another.
pub const REVENUE_INDICATOR: &str = "fiscal_revenue";

/// One pairing's line of the ledger in a year.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    /// The pairing.
    pub pairing: Pairing,
    /// The donor's name (Chinese).
    pub donor_name: String,
    /// The recipient's name.
    pub recipient_name: String,
    /// The year.
    pub year: i32,
    /// What was due from the donor to this recipient (yuan), where a rule
    /// and the revenue it needs are known.
    pub obligation: Option<f64>,
    /// How it was computed, for the reader (`1% × 278.5 bn (2007) ÷ 3`).
    pub basis: Option<String>,
    /// What was delivered.
    pub delivered: Delivered,
    /// Funds delivered ÷ obligation.
    pub fulfilment: Option<f64>,
}

/// The ledger of a year: its rows and their totals.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// The year.
    pub year: i32,
    /// One row per pairing in force that year within the reader's jurisdiction.
    pub rows: Vec<LedgerRow>,
    /// Everything delivered, added up.
    pub total: Delivered,
    /// Everything due, added up (rows with a known obligation).
    pub due: f64,
}

impl Ledger {
    /// Funds delivered over funds due, for the rows with an obligation.
    pub fn fulfilment(&self) -> Option<f64> {
        let delivered: f64 = self.rows.iter().filter(|r| r.obligation.is_some()).map(|r| r.delivered.funds).sum();
        fulfilment(delivered, self.due)
    }

    /// Totals by a key of the rows (donor, recipient): (name, due, delivered).
    pub fn by(&self, key: impl Fn(&LedgerRow) -> (String, String)) -> Vec<(String, String, f64, Delivered)> {
        let mut groups: BTreeMap<String, (String, f64, Delivered)> = BTreeMap::new();
        for r in &self.rows {
            let (code, name) = key(r);
            let entry = groups.entry(code).or_insert_with(|| (name, 0.0, Delivered::default()));
            entry.1 += r.obligation.unwrap_or(0.0);
            entry.2.add(&r.delivered);
        }
        groups.into_iter().map(|(code, (name, due, delivered))| (code, name, due, delivered)).collect()
    }
}

/// A rule as the methods take it.
fn method_rule(rule: &PairingRule) -> Option<ObligationRule> {
    match rule.kind.as_str() {
        "revenue_share" => Some(ObligationRule::RevenueShare { share: rule.share?, lag: rule.lag.unwrap_or(1) }),
        "growing" => Some(ObligationRule::Growing { base: rule.base?, growth: rule.growth.unwrap_or(0.0) }),
        _ => None,
    }
}

/// Checks a rule before it is stored.
pub fn check_rule(rule: &PairingRule) -> AppResult<()> {
    let bad = |why: &str| Err(AppError::Invalid(format!("rule for {} in {}: {why}", rule.donor, rule.program)));
    if rule.program.trim().is_empty() || rule.program.chars().count() > 200 {
        return bad("name the programme (1 to 200 characters)");
    }
    let positive = |v: Option<f64>| v.is_some_and(|v| v.is_finite() && v > 0.0);
    match rule.kind.as_str() {
        "revenue_share" if !positive(rule.share) || rule.share.is_some_and(|s| s >= 1.0) => {
            bad("a revenue share is a number above 0 and below 1 (0.005 for 0.5%)")
        }
        "revenue_share" if rule.lag.is_some_and(|l| !(0..=10).contains(&l)) => bad("the lag is 0 to 10 years"),
        "growing" if !positive(rule.base) => bad("the first year's amount must be above 0"),
        "growing" if rule.growth.is_some_and(|g| !(g.is_finite() && g > -1.0 && g < 10.0)) => {
            bad("the growth is a yearly rate (0.08 for 8%)")
        }
        "revenue_share" | "growing" => Ok(()),
        other => bad(&format!("'{other}' is not revenue_share or growing")),
    }?;
    IndicatorCode::parse(&rule.revenue_indicator).map_err(|e| AppError::Invalid(format!("revenue_indicator: {e}")))?;
    if !(1900..=2200).contains(&rule.start_year) {
        return bad("the start year is between 1900 and 2200");
    }
    Ok(())
}

impl App {
    /// The ledger of `year` (of one programme when given) within the
    /// actor's read jurisdiction.
    pub async fn pairing_ledger(&self, actor: &Actor, year: i32, program: Option<&str>) -> AppResult<Ledger> {
        if program.is_some_and(|p| p.chars().count() > 200 || p.chars().any(char::is_control)) {
            return Err(AppError::Invalid("program: one line of at most 200 characters".into()));
        }
        let read = self.jurisdiction(actor, Action::Read).await?;
        let visible: Vec<Pairing> = self
            .store()
            .pairings_within(read.roots(), program)
            .await?
            .into_iter()
            .filter(|p| p.active_in(year))
            .collect();
        // Every pairing of the donors seen, wherever the recipient, to split
        // each donor's obligation among all its recipients.
        let all: Vec<Pairing> =
            self.store().pairings_within(None, program).await?.into_iter().filter(|p| p.active_in(year)).collect();
        let rules: HashMap<(String, RegionCode), PairingRule> = self
            .store()
            .pairing_rules()
            .await?
            .into_iter()
            .map(|r| ((r.program.clone(), r.donor.clone()), r))
            .collect();
        let flows = self.store().pairing_flows(read.roots(), year, year).await?;
        let mut by_pair: HashMap<(String, RegionCode, RegionCode), Vec<Flow>> = HashMap::new();
        for f in flows {
            by_pair.entry((f.program.clone(), f.donor.clone(), f.recipient.clone())).or_default().push(Flow {
                kind: f.kind,
                amount: f.amount,
                county_level: f.county_level,
                livelihood: f.livelihood,
            });
        }
        let names: HashMap<RegionCode, String> =
            self.store().regions().await?.into_iter().map(|r| (r.code, r.name_zh)).collect();
        let mut revenue_cache: HashMap<(String, RegionCode, i32), Option<f64>> = HashMap::new();
        let mut rows = Vec::new();
        for p in visible {
            let siblings = all.iter().filter(|q| q.program == p.program && q.donor == p.donor).count().max(1);
            let rule = rules.get(&(p.program.clone(), p.donor.clone()));
            let (obligation, basis) = match rule.and_then(|r| method_rule(r).map(|m| (r, m))) {
                Some((rule, method)) => {
                    let lag = rule.lag.unwrap_or(1);
                    let base_year = year - lag;
                    let key = (rule.revenue_indicator.clone(), p.donor.clone(), base_year);
                    let revenue = match revenue_cache.get(&key) {
                        Some(v) => *v,
                        None => {
                            let v = self.revenue(&rule.revenue_indicator, &p.donor, base_year).await?;
                            revenue_cache.insert(key, v);
                            v
                        }
                    };
                    let total =
                        obligation(method, rule.start_year, year, |y| (y == base_year).then_some(revenue).flatten());
                    let part = total.map(|t| split_obligation(t, &vec![1.0; siblings])[0]);
                    let basis = match method {
                        ObligationRule::RevenueShare { share, .. } => {
                            revenue.map(|r| format!("{}% × {:.0} ({base_year}) ÷ {siblings}", share * 100.0, r))
                        }
                        ObligationRule::Growing { base, growth } => Some(format!(
                            "{base:.0} × (1 + {}%)^{} ÷ {siblings}",
                            growth * 100.0,
                            year - rule.start_year
                        )),
                    };
                    (part, basis)
                }
                None => (None, None),
            };
            let delivered = Delivered::of(
                by_pair
                    .get(&(p.program.clone(), p.donor.clone(), p.recipient.clone()))
                    .map_or(&[][..], |v| v.as_slice()),
            );
            rows.push(LedgerRow {
                donor_name: names.get(&p.donor).cloned().unwrap_or_default(),
                recipient_name: names.get(&p.recipient).cloned().unwrap_or_default(),
                year,
                fulfilment: obligation.and_then(|o| fulfilment(delivered.funds, o)),
                obligation,
                basis,
                delivered,
                pairing: p,
            });
        }
        let mut total = Delivered::default();
        for r in &rows {
            total.add(&r.delivered);
        }
        let due = rows.iter().filter_map(|r| r.obligation).sum();
        Ok(Ledger { year, total, due, rows })
    }

    /// The programmes of the pairings within the actor's read jurisdiction.
    pub async fn pairing_programs(&self, actor: &Actor) -> AppResult<Vec<String>> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let mut programs: Vec<String> =
            self.store().pairings_within(read.roots(), None).await?.into_iter().map(|p| p.program).collect();
        programs.dedup();
        Ok(programs)
    }

    /// A donor's revenue of a year from the stored observations (published
    /// figures: read whatever the reader's jurisdiction).
    async fn revenue(&self, indicator: &str, donor: &RegionCode, year: i32) -> AppResult<Option<f64>> {
        let Ok(code) = IndicatorCode::parse(indicator) else { return Ok(None) };
        let query = ObservationQuery {
            indicator: Some(code),
            region: Some(donor.clone()),
            period: Some(Period::Year(year).to_string()),
            ..Default::default()
        };
        Ok(self.store().observations(&query, None, 1).await?.first().map(|o| o.value))
    }

    /// Every donor rule.
    pub async fn pairing_rules(&self) -> AppResult<Vec<PairingRule>> {
        Ok(self.store().pairing_rules().await?)
    }

    /// Stores a donor's rule in a programme (deciders over the donor), audited.
    pub async fn set_pairing_rule(&self, actor: &Actor, rule: &PairingRule, origin: &Origin) -> AppResult<()> {
        check_rule(rule)?;
        if !self.jurisdiction(actor, Action::EditDecisions).await?.covers(&rule.donor) {
            return Err(AppError::Forbidden(format!("{} may not set the rules of {}", actor.name, rule.donor)));
        }
        if self.store().region(&rule.donor).await?.is_none() {
            return Err(AppError::Invalid(format!("donor: {} is not a known region", rule.donor)));
        }
        let mut tx = self.store().begin().await?;
        tx.put_pairing_rule(rule).await?;
        let after = format!(
            "{} {} share={:?} lag={:?} base={:?} growth={:?} from {}",
            rule.program, rule.kind, rule.share, rule.lag, rule.base, rule.growth, rule.start_year
        );
        tx.audit(audit_entry(
            &actor.name,
            "pairing.rule",
            ("pairing_rule", &format!("{}|{}", rule.program, rule.donor)),
            Some(&rule.donor),
            (None, Some(after)),
            origin,
        ));
        tx.commit().await?;
        Ok(())
    }

    /// Checks flows and, unless a dry run, stores them in one transaction:
    /// each must name a pairing in force in its year, on a side within the
    /// actor's data-entry jurisdiction. Problems are `(row, column, reason)`.
    async fn check_flows(
        &self,
        actor: &Actor,
        flows: &[(u64, PairingFlow)],
    ) -> AppResult<Vec<(u64, &'static str, String)>> {
        let enter = self.jurisdiction(actor, Action::EditData).await?;
        let pairings = self.store().pairings_within(None, None).await?;
        let mut problems = Vec::new();
        let mut seen: HashMap<(String, RegionCode, RegionCode, i32, FlowKind, String), u64> = HashMap::new();
        for (row, f) in flows {
            let pairing =
                pairings.iter().find(|p| p.program == f.program && p.donor == f.donor && p.recipient == f.recipient);
            match pairing {
                None => problems.push((
                    *row,
                    "recipient_code",
                    format!("{} and {} are not paired in {}", f.donor, f.recipient, f.program),
                )),
                Some(p) if !p.active_in(f.year) => {
                    problems.push((*row, "year", format!("the pairing is not in force in {}", f.year)))
                }
                Some(_) => {}
            }
            if !enter.covers(&f.donor) && !enter.covers(&f.recipient) {
                problems.push((*row, "donor_code", "neither side is within your jurisdiction".into()));
            }
            if !(f.amount.is_finite() && f.amount >= 0.0) {
                problems.push((*row, "amount", format!("{} is not an amount of at least 0", f.amount)));
            }
            let key = (f.program.clone(), f.donor.clone(), f.recipient.clone(), f.year, f.kind, f.project.clone());
            if let Some(first) = seen.insert(key, *row) {
                problems.push((*row, "project", format!("this flow is already on row {first}")));
            }
        }
        Ok(problems)
    }

    /// Records flows (a form's one, or a file's), all or nothing, audited;
    /// how many replaced stored ones.
    pub async fn record_pairing_flows(&self, actor: &Actor, flows: &[PairingFlow], origin: &Origin) -> AppResult<u64> {
        let numbered: Vec<(u64, PairingFlow)> =
            flows.iter().cloned().enumerate().map(|(i, f)| (i as u64 + 1, f)).collect();
        if let Some((_, column, reason)) = self.check_flows(actor, &numbered).await?.into_iter().next() {
            return Err(AppError::Invalid(format!("{column}: {reason}")));
        }
        self.write_flows(actor, flows, "form", origin).await
    }

    async fn write_flows(&self, actor: &Actor, flows: &[PairingFlow], source: &str, origin: &Origin) -> AppResult<u64> {
        let at = revita_methods::UtcOffset::UTC.format(origin.now);
        let stamped: Vec<PairingFlow> = flows
            .iter()
            .map(|f| PairingFlow { recorded_by: actor.name.clone(), recorded_at: at.clone(), ..f.clone() })
            .collect();
        let mut tx = self.store().begin().await?;
        let replaced = tx.put_pairing_flows(&stamped).await?;
        let region = stamped.first().map(|f| f.recipient.clone());
        tx.audit(audit_entry(
            &actor.name,
            "pairing.flows",
            ("pairing_flows", source),
            region.as_ref(),
            (None, Some(format!("{} flows, {replaced} replaced", stamped.len()))),
            origin,
        ));
        tx.commit().await?;
        Ok(replaced)
    }

    /// Imports flows from a CSV or XLSX file
    /// (`program,donor_code,recipient_code,year,kind,project,amount[,sector,county_level,livelihood]`),
    /// all or nothing, every problem named by row and column.
    pub async fn import_pairing_flows(
        &self,
        actor: &Actor,
        path: &Path,
        dry_run: bool,
        origin: &Origin,
    ) -> AppResult<ImportReport> {
        let (table, (parsed, mut problems)) =
            crate::import::read_table(path, None, revita_ingest::records::read_pairing_flows_with_problems).await?;
        let flows: Vec<(u64, PairingFlow)> = parsed
            .rows
            .iter()
            .map(|(row, r)| {
                let flow = PairingFlow {
                    id: 0,
                    program: r.program.clone(),
                    donor: r.donor.clone(),
                    recipient: r.recipient.clone(),
                    year: r.year,
                    kind: r.kind,
                    project: r.project.clone(),
                    amount: r.amount,
                    sector: r.sector.clone(),
                    county_level: r.county_level,
                    livelihood: r.livelihood,
                    recorded_by: String::new(),
                    recorded_at: String::new(),
                };
                (*row, flow)
            })
            .collect();
        for (row, column, reason) in self.check_flows(actor, &flows).await? {
            problems.push(RowError::cell(&table.file, row, column, reason));
        }
        if !problems.is_empty() {
            problems.sort_by_row();
            return Err(problems.into());
        }
        let list: Vec<PairingFlow> = flows.into_iter().map(|(_, f)| f).collect();
        let mut report = ImportReport::checked(&table, "pairing_flows", dry_run, list.len(), &parsed.ignored_columns);
        if !dry_run {
            report.replaces = self.write_flows(actor, &list, &table.file, origin).await?;
        }
        Ok(report)
    }

    /// A page of the flows within the actor's read jurisdiction.
    pub async fn pairing_flow_page(&self, actor: &Actor, after: i64, limit: i64) -> AppResult<(Vec<PairingFlow>, i64)> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        Ok(self.store().pairing_flow_page(read.roots(), after, limit).await?)
    }

    /// The centre of each region's boundary (lon, lat), for flow maps.
    pub async fn region_centres(&self, codes: &[RegionCode]) -> AppResult<HashMap<RegionCode, (f64, f64)>> {
        let mut centres = HashMap::new();
        for (region, shape) in self.region_shapes(codes).await? {
            if let Some(bounds) = revita_methods::geometry::Bounds::of(shape.iter().flatten().flatten()) {
                centres.insert(region, ((bounds.min_x + bounds.max_x) / 2.0, (bounds.min_y + bounds.max_y) / 2.0));
            }
        }
        Ok(centres)
    }

    /// The flows of the actor's jurisdiction in `from..=to` as an IATI
    /// activity file (version 2.03): one activity per pairing and project of
    /// funds, its donor as funding organisation, its recipient as the place.
    pub async fn pairing_iati(&self, actor: &Actor, from: i32, to: i32, now: i64) -> AppResult<String> {
        let read = self.jurisdiction(actor, Action::Read).await?;
        let flows = self.store().pairing_flows(read.roots(), from, to).await?;
        let names: HashMap<RegionCode, String> =
            self.store().regions().await?.into_iter().map(|r| (r.code, r.name_zh)).collect();
        Ok(crate::iati::activities(&flows, &names, &revita_methods::UtcOffset::UTC.format(now)))
    }
}

/// The ledger as a workbook: one sheet of pairings (amounts in yuan, the
/// fulfilment and shares as live formulas over the amounts), one by donor.
pub fn ledger_workbook(ledger: &Ledger) -> AppResult<Vec<u8>> {
    use revita_ingest::export::{Cell, Sheet};
    let text = |t: &str| Cell::Text(t.to_string());
    let header = [
        "program 项目",
        "donor 支援方",
        "donor_name",
        "recipient 受援方",
        "recipient_name",
        "year 年度",
        "obligation (yuan) 应援",
        "basis 依据",
        "funds (yuan) 实援资金",
        "livelihood funds 民生资金",
        "county-level funds 县及以下资金",
        "fulfilment 完成率",
        "livelihood share 民生占比",
        "county share 县及以下占比",
        "cadres (person-months) 干部",
        "technicians (person-months) 专技人才",
        "investment (yuan) 引导投资",
        "labour (persons) 转移就业",
        "purchases (yuan) 消费帮扶",
    ];
    let rows = ledger
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let n = i + 2;
            let d = &r.delivered;
            let share = |num: &str, value: Option<f64>| match value {
                Some(v) => Cell::Formula(format!("=IF(I{n}>0,{num}{n}/I{n},\"\")"), v),
                None => text(""),
            };
            vec![
                text(&r.pairing.program),
                text(r.pairing.donor.as_str()),
                text(&r.donor_name),
                text(r.pairing.recipient.as_str()),
                text(&r.recipient_name),
                Cell::Number(f64::from(r.year)),
                r.obligation.map_or_else(|| text(""), Cell::Number),
                text(r.basis.as_deref().unwrap_or("")),
                Cell::Number(d.funds),
                Cell::Number(d.livelihood_funds),
                Cell::Number(d.county_funds),
                match r.fulfilment {
                    Some(f) => Cell::Formula(format!("=IF(G{n}>0,I{n}/G{n},\"\")"), f),
                    None => text(""),
                },
                share("J", d.livelihood_share()),
                share("K", d.county_share()),
                Cell::Number(d.cadre_months),
                Cell::Number(d.technician_months),
                Cell::Number(d.investment),
                Cell::Number(d.labour),
                Cell::Number(d.purchases),
            ]
        })
        .collect();
    let by_donor = ledger
        .by(|r| (r.pairing.donor.to_string(), r.donor_name.clone()))
        .into_iter()
        .map(|(code, name, due, d)| vec![text(&code), text(&name), Cell::Number(due), Cell::Number(d.funds)])
        .collect();
    let sheets = [
        Sheet { name: format!("ledger {}", ledger.year), header: header.map(String::from).to_vec(), rows },
        Sheet {
            name: "by donor".into(),
            header: ["donor", "name", "obligation (yuan)", "funds (yuan)"].map(String::from).to_vec(),
            rows: by_donor,
        },
    ];
    revita_ingest::export::workbook_bytes(&sheets).map_err(|e| AppError::Internal(anyhow::anyhow!(e)))
}
