//! The pairing-assistance ledger (migration 20, issue 18): donors' rules by
//! programme and the flows they deliver, read within a jurisdiction (a
//! pairing belongs to a jurisdiction that holds its donor or its recipient).

use revita_methods::RegionCode;
use revita_methods::pairing::FlowKind;

use crate::db::{Topic, on_pool, on_tx};
use crate::rows::{RowExt, corrupt};
use crate::{Store, StoreResult, Tx};

/// A donor's rule in a programme.
#[derive(Debug, Clone, PartialEq)]
pub struct PairingRule {
    /// The programme, as the pairings name it.
    pub program: String,
    /// The donor.
    pub donor: RegionCode,
    /// `revenue_share` or `growing`.
    pub kind: String,
    /// The share of revenue (revenue_share).
    pub share: Option<f64>,
    /// Which earlier year's revenue (revenue_share; 1: the year before).
    pub lag: Option<i32>,
    /// The first year's amount (growing; yuan).
    pub base: Option<f64>,
    /// The yearly growth (growing; 0.08 for 8%).
    pub growth: Option<f64>,
    /// The first year the rule applies.
    pub start_year: i32,
    /// The indicator holding the donor's fiscal revenue (yuan).
    pub revenue_indicator: String,
    /// Where the rule comes from.
    pub note: Option<String>,
}

/// A recorded delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct PairingFlow {
    /// Its number (0 before it is stored).
    pub id: i64,
    /// The programme.
    pub program: String,
    /// The donor.
    pub donor: RegionCode,
    /// The recipient.
    pub recipient: RegionCode,
    /// The year.
    pub year: i32,
    /// What it is.
    pub kind: FlowKind,
    /// The project (or batch) it belongs to: a flow is stored once per
    /// pairing, year, kind and project.
    pub project: String,
    /// How much, in the kind's unit.
    pub amount: f64,
    /// The sector (education, health, housing, industry, …).
    pub sector: Option<String>,
    /// Spent at county level or below.
    pub county_level: bool,
    /// Spent on livelihoods.
    pub livelihood: bool,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: String,
}

const RULE_COLUMNS: &str = "program, donor_code, kind, share, lag, base, growth, start_year, revenue_indicator, note";
const FLOW_COLUMNS: &str = "id, program, donor_code, recipient_code, year, kind, project, amount, sector, \
     county_level, livelihood, recorded_by, recorded_at";

fn region(text: &str) -> StoreResult<RegionCode> {
    RegionCode::parse(text).map_err(corrupt)
}

fn year(value: i64) -> StoreResult<i32> {
    i32::try_from(value).map_err(|_| corrupt(format!("year {value}")))
}

fn rule<R: RowExt>(row: &R) -> StoreResult<PairingRule> {
    Ok(PairingRule {
        program: row.text("program")?,
        donor: region(&row.text("donor_code")?)?,
        kind: row.text("kind")?,
        share: row.opt_float("share")?,
        lag: row.opt_int("lag")?.map(year).transpose()?,
        base: row.opt_float("base")?,
        growth: row.opt_float("growth")?,
        start_year: year(row.int("start_year")?)?,
        revenue_indicator: row.text("revenue_indicator")?,
        note: row.opt_text("note")?,
    })
}

fn flow<R: RowExt>(row: &R) -> StoreResult<PairingFlow> {
    let kind = row.text("kind")?;
    Ok(PairingFlow {
        id: row.int("id")?,
        program: row.text("program")?,
        donor: region(&row.text("donor_code")?)?,
        recipient: region(&row.text("recipient_code")?)?,
        year: year(row.int("year")?)?,
        kind: FlowKind::parse(&kind).ok_or_else(|| corrupt(format!("flow kind {kind}")))?,
        project: row.text("project")?,
        amount: row.float("amount")?,
        sector: row.opt_text("sector")?,
        county_level: row.int("county_level")? != 0,
        livelihood: row.int("livelihood")? != 0,
        recorded_by: row.text("recorded_by")?,
        recorded_at: row.text("recorded_at")?,
    })
}

/// The condition that a row's donor or recipient lies within `roots`
/// (everything when `None`), its parameters numbered after `offset`.
fn either_side(roots: Option<&[RegionCode]>, offset: usize) -> (String, Vec<String>) {
    match roots {
        None => ("1 = 1".into(), Vec::new()),
        Some(roots) => {
            let (donor, mut binds) = crate::regions::within_condition("donor_code", roots, offset);
            let (recipient, more) = crate::regions::within_condition("recipient_code", roots, offset + binds.len());
            binds.extend(more);
            (format!("({donor} OR {recipient})"), binds)
        }
    }
}

impl Store {
    /// Every pairing whose donor or recipient lies within `roots`, of one
    /// programme when given, by programme, donor and recipient.
    pub async fn pairings_within(
        &self,
        roots: Option<&[RegionCode]>,
        program: Option<&str>,
    ) -> StoreResult<Vec<revita_methods::Pairing>> {
        let (condition, binds) = either_side(roots, 1);
        let sql = format!(
            "SELECT program, donor_code, recipient_code, start_year, end_year, notes FROM pairings \
             WHERE ($1 IS NULL OR program = $1) AND {condition} ORDER BY program, donor_code, recipient_code"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(program);
            for code in &binds {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(crate::rows::pairing).collect()
        })
    }

    /// Every donor rule, by programme and donor.
    pub async fn pairing_rules(&self) -> StoreResult<Vec<PairingRule>> {
        let sql = format!("SELECT {RULE_COLUMNS} FROM pairing_rules ORDER BY program, donor_code");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(rule).collect()
        })
    }

    /// The flows of pairings within `roots` in the years `from..=to`, by number.
    pub async fn pairing_flows(
        &self,
        roots: Option<&[RegionCode]>,
        from: i32,
        to: i32,
    ) -> StoreResult<Vec<PairingFlow>> {
        let (condition, binds) = either_side(roots, 2);
        let sql = format!(
            "SELECT {FLOW_COLUMNS} FROM pairing_flows WHERE year >= $1 AND year <= $2 AND {condition} ORDER BY id"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(from)).bind(i64::from(to));
            for code in &binds {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(flow).collect()
        })
    }

    /// A page of the flows within `roots`, by number after `after`, with
    /// how many there are in all.
    pub async fn pairing_flow_page(
        &self,
        roots: Option<&[RegionCode]>,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<PairingFlow>, i64)> {
        let (condition, binds) = either_side(roots, 1);
        let (counted, _) = either_side(roots, 0);
        let sql = format!(
            "SELECT {FLOW_COLUMNS} FROM pairing_flows WHERE id > $1 AND {condition} ORDER BY id LIMIT {}",
            limit.max(0)
        );
        let count = format!("SELECT COUNT(*) FROM pairing_flows WHERE {counted}");
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after);
            let mut counting = sqlx::query_scalar(sqlx::AssertSqlSafe(count));
            for code in &binds {
                query = query.bind(code.as_str());
                counting = counting.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            let total: i64 = counting.fetch_one(pool).await?;
            Ok((rows.iter().map(flow).collect::<StoreResult<Vec<_>>>()?, total))
        })
    }
}

impl Tx {
    /// Stores a donor's rule in a programme, replacing the one before.
    pub async fn put_pairing_rule(&mut self, r: &PairingRule) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO pairing_rules (program, donor_code, kind, share, lag, base, growth, start_year, \
             revenue_indicator, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (program, donor_code) DO UPDATE SET kind = excluded.kind, share = excluded.share, \
             lag = excluded.lag, base = excluded.base, growth = excluded.growth, start_year = excluded.start_year, \
             revenue_indicator = excluded.revenue_indicator, note = excluded.note";
        on_tx!(self, conn => {
            sqlx::query(SQL)
                .bind(&r.program)
                .bind(r.donor.as_str())
                .bind(&r.kind)
                .bind(r.share)
                .bind(r.lag.map(i64::from))
                .bind(r.base)
                .bind(r.growth)
                .bind(i64::from(r.start_year))
                .bind(&r.revenue_indicator)
                .bind(r.note.as_deref())
                .execute(&mut *conn)
                .await?;
        });
        self.changed(Topic::Designations);
        Ok(())
    }

    /// Stores flows, each replacing a stored one of the same pairing,
    /// year, kind and project; how many replaced one.
    pub async fn put_pairing_flows(&mut self, flows: &[PairingFlow]) -> StoreResult<u64> {
        const EXISTS: &str = "SELECT COUNT(*) FROM pairing_flows WHERE program = $1 AND donor_code = $2 \
             AND recipient_code = $3 AND year = $4 AND kind = $5 AND project = $6";
        const SQL: &str = "INSERT INTO pairing_flows (program, donor_code, recipient_code, year, kind, project, amount, \
             sector, county_level, livelihood, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (program, donor_code, recipient_code, year, kind, project) DO UPDATE SET \
             amount = excluded.amount, sector = excluded.sector, county_level = excluded.county_level, \
             livelihood = excluded.livelihood, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at";
        let replaced = on_tx!(self, conn => {
            let mut replaced = 0_u64;
            for f in flows {
                let n: i64 = sqlx::query_scalar(EXISTS)
                    .bind(&f.program)
                    .bind(f.donor.as_str())
                    .bind(f.recipient.as_str())
                    .bind(i64::from(f.year))
                    .bind(f.kind.as_str())
                    .bind(&f.project)
                    .fetch_one(&mut *conn)
                    .await?;
                replaced += u64::from(n > 0);
                sqlx::query(SQL)
                    .bind(&f.program)
                    .bind(f.donor.as_str())
                    .bind(f.recipient.as_str())
                    .bind(i64::from(f.year))
                    .bind(f.kind.as_str())
                    .bind(&f.project)
                    .bind(f.amount)
                    .bind(f.sector.as_deref())
                    .bind(i64::from(f.county_level))
                    .bind(i64::from(f.livelihood))
                    .bind(&f.recorded_by)
                    .bind(&f.recorded_at)
                    .execute(&mut *conn)
                    .await?;
            }
            replaced
        });
        self.changed(Topic::Designations);
        Ok(replaced)
    }
}
