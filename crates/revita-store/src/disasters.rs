//! Post-disaster recovery (migration 21, issue 21): events kept by the
//! office of a region, the counties they hit, assessment lines, unit costs
//! in versions, and the link to a reconstruction plan.

use revita_methods::RegionCode;

use crate::db::{Topic, on_pool, on_tx};
use crate::paging::page_within;
use crate::rows::{RowExt, corrupt};
use crate::{Store, StoreResult, Tx};

/// A disaster event.
#[derive(Debug, Clone, PartialEq)]
pub struct DisasterEvent {
    /// Its number.
    pub id: i64,
    /// Its name (unique), e.g. 汶川特大地震.
    pub name: String,
    /// `earthquake`, `flood`, `landslide`, `drought`, `typhoon`, `other`.
    pub kind: String,
    /// The day it struck (ISO 8601).
    pub occurred_on: String,
    /// Its magnitude as reported (Ms 8.0, a 50-year flood, …).
    pub magnitude: Option<String>,
    /// The region whose office keeps it.
    pub region: RegionCode,
    /// The reconstruction plan it is linked to.
    pub plan_id: Option<i64>,
    /// The needs parameters (JSON: uplift by sector, default uplift,
    /// recovery share).
    pub uplift: String,
    /// Raised by every change.
    pub version: i64,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// A county an event hit.
#[derive(Debug, Clone, PartialEq)]
pub struct HitCounty {
    /// The county.
    pub county: RegionCode,
    /// `extreme`, `severe`, `moderate` or `light`.
    pub severity: String,
    /// People affected.
    pub affected: f64,
    /// People displaced.
    pub displaced: f64,
    /// People in transitional shelters.
    pub shelters: f64,
}

/// A unit cost of an asset class.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitCost {
    /// The sector.
    pub sector: String,
    /// The asset class (`brick_house`, `primary_school`, `county_road_km`, …).
    pub asset: String,
    /// Pre-disaster replacement cost of a unit (yuan).
    pub replacement_cost: f64,
    /// Repair cost of a damaged unit (yuan).
    pub repair_cost: f64,
}

/// An assessment line.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentLine {
    /// The county.
    pub county: RegionCode,
    /// The sector.
    pub sector: String,
    /// The asset class or flow.
    pub asset: String,
    /// `public` or `private`.
    pub ownership: String,
    /// `damage` or `loss`.
    pub kind: String,
    /// Units destroyed (damage).
    pub destroyed: f64,
    /// Units damaged (damage).
    pub damaged: f64,
    /// The line's own replacement cost, else the unit-cost table's.
    pub replacement_cost: Option<f64>,
    /// The line's own repair cost.
    pub repair_cost: Option<f64>,
    /// The flow without the disaster over the recovery period (loss).
    pub baseline: f64,
    /// The flow after it (loss).
    pub actual: f64,
    /// Higher costs over the period (loss).
    pub additional_costs: f64,
}

/// A registry household's rebuild under an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Rebuild {
    /// The registry household.
    pub household_id: String,
    /// Its county (as the registry has it).
    pub county: RegionCode,
    /// The rebuild grant (yuan).
    pub grant: f64,
    /// `planned`, `under_way` or `completed`.
    pub status: String,
    /// The day it was completed.
    pub completed_on: Option<String>,
}

/// Rebuilds counted by county and status, with their grants.
#[derive(Debug, Clone, PartialEq)]
pub struct RebuildCount {
    /// The county.
    pub county: RegionCode,
    /// The status.
    pub status: String,
    /// How many households.
    pub households: i64,
    /// Their grants added up (yuan).
    pub grants: f64,
}

const EVENT_COLUMNS: &str =
    "id, name, kind, occurred_on, magnitude, region_code, plan_id, uplift, version, updated_by, updated_at";

fn event<R: RowExt>(row: &R) -> StoreResult<DisasterEvent> {
    Ok(DisasterEvent {
        id: row.int("id")?,
        name: row.text("name")?,
        kind: row.text("kind")?,
        occurred_on: row.text("occurred_on")?,
        magnitude: row.opt_text("magnitude")?,
        region: RegionCode::parse(&row.text("region_code")?).map_err(corrupt)?,
        plan_id: row.opt_int("plan_id")?,
        uplift: row.text("uplift")?,
        version: row.int("version")?,
        updated_by: row.text("updated_by")?,
        updated_at: row.text("updated_at")?,
    })
}

fn county<R: RowExt>(row: &R) -> StoreResult<HitCounty> {
    Ok(HitCounty {
        county: RegionCode::parse(&row.text("county_code")?).map_err(corrupt)?,
        severity: row.text("severity")?,
        affected: row.float("affected")?,
        displaced: row.float("displaced")?,
        shelters: row.float("shelters")?,
    })
}

fn line<R: RowExt>(row: &R) -> StoreResult<AssessmentLine> {
    Ok(AssessmentLine {
        county: RegionCode::parse(&row.text("county_code")?).map_err(corrupt)?,
        sector: row.text("sector")?,
        asset: row.text("asset")?,
        ownership: row.text("ownership")?,
        kind: row.text("kind")?,
        destroyed: row.float("destroyed")?,
        damaged: row.float("damaged")?,
        replacement_cost: row.opt_float("replacement_cost")?,
        repair_cost: row.opt_float("repair_cost")?,
        baseline: row.float("baseline")?,
        actual: row.float("actual")?,
        additional_costs: row.float("additional_costs")?,
    })
}

impl Store {
    /// One event.
    pub async fn disaster_event(&self, id: i64) -> StoreResult<Option<DisasterEvent>> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM disaster_events WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(event).transpose()
        })
    }

    /// A page of the events kept by offices within `roots`, by number after
    /// `after`, with how many there are in all.
    pub async fn disaster_event_page(
        &self,
        roots: Option<&[RegionCode]>,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<DisasterEvent>, i64)> {
        page_within!(self, "disaster_events", EVENT_COLUMNS, "region_code", roots, after, limit, event)
    }

    /// The counties an event hit, by code.
    pub async fn disaster_counties(&self, event_id: i64) -> StoreResult<Vec<HitCounty>> {
        const SQL: &str = "SELECT county_code, severity, affected, displaced, shelters FROM disaster_counties \
             WHERE event_id = $1 ORDER BY county_code";
        on_pool!(self, pool => {
            let rows = sqlx::query(SQL).bind(event_id).fetch_all(pool).await?;
            rows.iter().map(county).collect()
        })
    }

    /// An event's latest unit costs and their version (0: none).
    pub async fn disaster_unit_costs(&self, event_id: i64) -> StoreResult<(i64, Vec<UnitCost>)> {
        const SQL: &str = "SELECT version, sector, asset, replacement_cost, repair_cost FROM disaster_unit_costs \
             WHERE event_id = $1 AND version = (SELECT MAX(version) FROM disaster_unit_costs WHERE event_id = $1) \
             ORDER BY sector, asset";
        on_pool!(self, pool => {
            let rows = sqlx::query(SQL).bind(event_id).fetch_all(pool).await?;
            let version = match rows.first() {
                Some(r) => r.int("version")?,
                None => 0,
            };
            let costs = rows
                .iter()
                .map(|r| {
                    Ok(UnitCost {
                        sector: r.text("sector")?,
                        asset: r.text("asset")?,
                        replacement_cost: r.float("replacement_cost")?,
                        repair_cost: r.float("repair_cost")?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            Ok((version, costs))
        })
    }

    /// An event's assessment lines, by county, sector and asset.
    pub async fn disaster_lines(&self, event_id: i64) -> StoreResult<Vec<AssessmentLine>> {
        const SQL: &str = "SELECT county_code, sector, asset, ownership, kind, destroyed, damaged, replacement_cost, \
             repair_cost, baseline, actual, additional_costs FROM disaster_lines WHERE event_id = $1 \
             ORDER BY county_code, sector, asset, ownership, kind";
        on_pool!(self, pool => {
            let rows = sqlx::query(SQL).bind(event_id).fetch_all(pool).await?;
            rows.iter().map(line).collect()
        })
    }
}

impl Store {
    /// An event's rebuilds counted by county and status.
    pub async fn disaster_rebuild_counts(&self, event_id: i64) -> StoreResult<Vec<RebuildCount>> {
        const SQL: &str = "SELECT county_code, status, COUNT(*) AS n, SUM(grant_amount) AS grants FROM disaster_rebuilds \
             WHERE event_id = $1 GROUP BY county_code, status ORDER BY county_code, status";
        on_pool!(self, pool => {
            let rows = sqlx::query(SQL).bind(event_id).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    Ok(RebuildCount {
                        county: RegionCode::parse(&r.text("county_code")?).map_err(corrupt)?,
                        status: r.text("status")?,
                        households: r.int("n")?,
                        grants: r.opt_float("grants")?.unwrap_or(0.0),
                    })
                })
                .collect()
        })
    }
}

impl Tx {
    /// Stores rebuilds, each replacing the household's stored one.
    pub async fn put_disaster_rebuilds(&mut self, event_id: i64, rebuilds: &[Rebuild]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO disaster_rebuilds (event_id, household_id, county_code, grant_amount, status, \
             completed_on) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, household_id) DO UPDATE SET \
             county_code = excluded.county_code, grant_amount = excluded.grant_amount, status = excluded.status, \
             completed_on = excluded.completed_on";
        on_tx!(self, conn => {
            for r in rebuilds {
                sqlx::query(SQL)
                    .bind(event_id)
                    .bind(&r.household_id)
                    .bind(r.county.as_str())
                    .bind(r.grant)
                    .bind(&r.status)
                    .bind(r.completed_on.as_deref())
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Disasters);
        Ok(())
    }

    /// One event, inside the transaction.
    pub async fn disaster_event(&mut self, id: i64) -> StoreResult<Option<DisasterEvent>> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM disaster_events WHERE id = $1");
        Ok(on_tx!(self, conn => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
            row.as_ref().map(event).transpose()?
        }))
    }

    /// Whether an event is named `name`, inside the transaction.
    pub async fn disaster_event_named(&mut self, name: &str) -> StoreResult<bool> {
        Ok(on_tx!(self, conn => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM disaster_events WHERE name = $1")
                .bind(name)
                .fetch_one(&mut *conn)
                .await?;
            n > 0
        }))
    }

    /// Stores a new event (version 1); its number.
    pub async fn insert_disaster_event(&mut self, e: &DisasterEvent) -> StoreResult<i64> {
        const SQL: &str = "INSERT INTO disaster_events (name, kind, occurred_on, magnitude, region_code, plan_id, \
             uplift, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) RETURNING id";
        let id = on_tx!(self, conn => {
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(&e.name)
                .bind(&e.kind)
                .bind(&e.occurred_on)
                .bind(e.magnitude.as_deref())
                .bind(e.region.as_str())
                .bind(e.plan_id)
                .bind(&e.uplift)
                .bind(&e.updated_by)
                .bind(&e.updated_at)
                .fetch_one(&mut *conn)
                .await?;
            id
        });
        self.changed(Topic::Disasters);
        Ok(id)
    }

    /// Rewrites an event if it is still at `version`; whether it was.
    pub async fn update_disaster_event(&mut self, e: &DisasterEvent, version: i64) -> StoreResult<bool> {
        const SQL: &str = "UPDATE disaster_events SET name = $1, kind = $2, occurred_on = $3, magnitude = $4, \
             region_code = $5, plan_id = $6, uplift = $7, version = version + 1, updated_by = $8, updated_at = $9 \
             WHERE id = $10 AND version = $11";
        let changed = on_tx!(self, conn => {
            sqlx::query(SQL)
                .bind(&e.name)
                .bind(&e.kind)
                .bind(&e.occurred_on)
                .bind(e.magnitude.as_deref())
                .bind(e.region.as_str())
                .bind(e.plan_id)
                .bind(&e.uplift)
                .bind(&e.updated_by)
                .bind(&e.updated_at)
                .bind(e.id)
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if changed > 0 {
            self.changed(Topic::Disasters);
        }
        Ok(changed > 0)
    }

    /// Stores the counties an event hit, replacing each one's stored row.
    pub async fn put_disaster_counties(&mut self, event_id: i64, counties: &[HitCounty]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO disaster_counties (event_id, county_code, severity, affected, displaced, shelters) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id, county_code) DO UPDATE SET \
             severity = excluded.severity, affected = excluded.affected, displaced = excluded.displaced, \
             shelters = excluded.shelters";
        on_tx!(self, conn => {
            for c in counties {
                sqlx::query(SQL)
                    .bind(event_id)
                    .bind(c.county.as_str())
                    .bind(&c.severity)
                    .bind(c.affected)
                    .bind(c.displaced)
                    .bind(c.shelters)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Disasters);
        Ok(())
    }

    /// Stores unit costs as the event's next version; the version.
    pub async fn add_disaster_unit_costs(&mut self, event_id: i64, costs: &[UnitCost]) -> StoreResult<i64> {
        const NEXT: &str = "SELECT COALESCE(MAX(version), 0) + 1 FROM disaster_unit_costs WHERE event_id = $1";
        const SQL: &str = "INSERT INTO disaster_unit_costs (event_id, version, sector, asset, replacement_cost, \
             repair_cost) VALUES ($1, $2, $3, $4, $5, $6)";
        let version = on_tx!(self, conn => {
            let version: i64 = sqlx::query_scalar(NEXT).bind(event_id).fetch_one(&mut *conn).await?;
            for c in costs {
                sqlx::query(SQL)
                    .bind(event_id)
                    .bind(version)
                    .bind(&c.sector)
                    .bind(&c.asset)
                    .bind(c.replacement_cost)
                    .bind(c.repair_cost)
                    .execute(&mut *conn)
                    .await?;
            }
            version
        });
        self.changed(Topic::Disasters);
        Ok(version)
    }

    /// Stores assessment lines, each replacing the stored line of the same
    /// county, sector, asset, ownership and kind; how many replaced one.
    pub async fn put_disaster_lines(&mut self, event_id: i64, lines: &[AssessmentLine]) -> StoreResult<u64> {
        const EXISTS: &str = "SELECT COUNT(*) FROM disaster_lines WHERE event_id = $1 AND county_code = $2 \
             AND sector = $3 AND asset = $4 AND ownership = $5 AND kind = $6";
        const SQL: &str = "INSERT INTO disaster_lines (event_id, county_code, sector, asset, ownership, kind, \
             destroyed, damaged, replacement_cost, repair_cost, baseline, actual, additional_costs) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (event_id, county_code, sector, asset, ownership, kind) DO UPDATE SET \
             destroyed = excluded.destroyed, damaged = excluded.damaged, replacement_cost = excluded.replacement_cost, \
             repair_cost = excluded.repair_cost, baseline = excluded.baseline, actual = excluded.actual, \
             additional_costs = excluded.additional_costs";
        let replaced = on_tx!(self, conn => {
            let mut replaced = 0_u64;
            for l in lines {
                let n: i64 = sqlx::query_scalar(EXISTS)
                    .bind(event_id)
                    .bind(l.county.as_str())
                    .bind(&l.sector)
                    .bind(&l.asset)
                    .bind(&l.ownership)
                    .bind(&l.kind)
                    .fetch_one(&mut *conn)
                    .await?;
                replaced += u64::from(n > 0);
                sqlx::query(SQL)
                    .bind(event_id)
                    .bind(l.county.as_str())
                    .bind(&l.sector)
                    .bind(&l.asset)
                    .bind(&l.ownership)
                    .bind(&l.kind)
                    .bind(l.destroyed)
                    .bind(l.damaged)
                    .bind(l.replacement_cost)
                    .bind(l.repair_cost)
                    .bind(l.baseline)
                    .bind(l.actual)
                    .bind(l.additional_costs)
                    .execute(&mut *conn)
                    .await?;
            }
            replaced
        });
        self.changed(Topic::Disasters);
        Ok(replaced)
    }
}
