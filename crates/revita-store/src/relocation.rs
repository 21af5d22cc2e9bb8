//! Relocation and work-relief (migration 24, issue 17; methods.md §2, §3):
//! resettlement sites kept by their county's office, relocated registry
//! households and their incomes, work-relief projects with their rosters
//! and wage payments, and the remuneration rules in versions.
//!
//! Jurisdiction: a site and a project belong to their county; a relocated
//! household is read within the jurisdiction of its site's county (the
//! use cases also check the household's registry county on writes).

use revita_methods::RegionCode;
use revita_methods::work_relief::RemunerationRule;

use crate::db::{Topic, on_pool, on_tx};
use crate::paging::page_within;
use crate::registry::in_list;
use crate::rows::{RowExt, corrupt};
use crate::{Store, StoreResult, Tx};

/// A resettlement site (易地扶贫搬迁安置点).
#[derive(Debug, Clone, PartialEq)]
pub struct ResettlementSite {
    /// Its number (0 for a new one).
    pub id: i64,
    /// Its code (unique).
    pub code: String,
    /// Its name.
    pub name: String,
    /// The county whose office keeps it.
    pub county: RegionCode,
    /// The township, as text.
    pub township: Option<String>,
    /// Longitude (WGS 84).
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// `urban` or `rural`.
    pub setting: String,
    /// `concentrated` or `dispersed`.
    pub category: String,
    /// The subtype keyword (`within_village`, …, `self_urban`).
    pub subtype: String,
    /// People it can house.
    pub capacity_people: i64,
    /// Housing units.
    pub capacity_units: i64,
    /// Floor area (m²).
    pub floor_area: f64,
    /// A school or kindergarten serves it.
    pub school: bool,
    /// A clinic serves it.
    pub clinic: bool,
    /// Elder care serves it.
    pub elder_care: bool,
    /// It has a community centre.
    pub community_centre: bool,
    /// Employment workshops (就业帮扶车间).
    pub workshops: i64,
    /// A party branch is established.
    pub party_branch: bool,
    /// A residents' committee is established.
    pub committee: bool,
    /// Property certificates issued.
    pub certificates: i64,
    /// Raised by every change.
    pub version: i64,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// A relocated registry household.
#[derive(Debug, Clone, PartialEq)]
pub struct Relocation {
    /// The registry household.
    pub household_id: String,
    /// The site it moved to.
    pub site_code: String,
    /// Registered poor (建档立卡).
    pub registered_poor: bool,
    /// A same-time mover (同步搬迁).
    pub same_time_mover: bool,
    /// When it moved (ISO date).
    pub moved_on: Option<String>,
    /// Persons moved.
    pub persons: i64,
    /// Labour-capable persons.
    pub labour: i64,
    /// Employed persons.
    pub employed: i64,
    /// Where they work (`local`, `in_county`, `in_province`, `out_of_province`).
    pub employment_place: Option<String>,
    /// Housing floor area per person (m²).
    pub housing_area_pc: f64,
    /// The household's own contribution (yuan).
    pub self_contribution: f64,
    /// Old house demolished.
    pub demolished: bool,
    /// Homestead reclaimed.
    pub reclaimed: bool,
    /// Why the 25 m² red line is exceeded, if it is.
    pub override_reason: Option<String>,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// A household's net income per person in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct RelocationIncome {
    /// The registry household.
    pub household_id: String,
    /// The year.
    pub year: i32,
    /// Yuan per person.
    pub income: f64,
}

/// A stored remuneration rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliefRule {
    /// Its number.
    pub id: i64,
    /// The rule with its version.
    pub rule: RemunerationRule,
    /// Where it comes from.
    pub note: Option<String>,
    /// Who added it (`migration` for the seeded ones).
    pub created_by: String,
    /// When.
    pub created_at: String,
}

/// A work-relief project (以工代赈项目).
#[derive(Debug, Clone, PartialEq)]
pub struct ReliefProject {
    /// Its number (0 for a new one).
    pub id: i64,
    /// Its code (unique).
    pub code: String,
    /// Its name.
    pub name: String,
    /// The county.
    pub county: RegionCode,
    /// The village's code, if one.
    pub village_code: Option<String>,
    /// `central`, `provincial` or `key_project`.
    pub fund_source: String,
    /// The batch's name.
    pub batch: String,
    /// The fiscal year.
    pub year: i32,
    /// The works type keyword.
    pub works_type: String,
    /// Total investment (yuan).
    pub total_investment: f64,
    /// Central investment.
    pub central_investment: f64,
    /// Labour remuneration planned.
    pub remuneration_planned: f64,
    /// Labour remuneration paid, as recorded.
    pub remuneration_paid: f64,
    /// Start of works (ISO date).
    pub start_on: Option<String>,
    /// Planned end of works.
    pub end_on: Option<String>,
    /// Acceptance.
    pub accepted_on: Option<String>,
    /// The status keyword.
    pub status: String,
    /// Training sessions held.
    pub training_sessions: i64,
    /// Public-benefit maintenance posts created.
    pub maintenance_posts: i64,
    /// Raised by every change.
    pub version: i64,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// A worker on a project's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliefWorker {
    /// The project.
    pub project_id: i64,
    /// The worker's identifier on the project.
    pub worker_id: String,
    /// The worker's name.
    pub name: Option<String>,
    /// The category keyword.
    pub category: String,
    /// The registry household, if linked.
    pub household_id: Option<String>,
    /// The member's number in it.
    pub member_seq: Option<i64>,
}

/// A wage payment.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliefPayment {
    /// The project.
    pub project_id: i64,
    /// Who was paid.
    pub worker_id: String,
    /// When (ISO date).
    pub paid_on: String,
    /// Yuan.
    pub amount: f64,
    /// The account reference, masked (`****1234`).
    pub account_ref: String,
}

const SITE_COLUMNS: &str = "id, code, name, county_code, township, lon, lat, setting, category, subtype, \
     capacity_people, capacity_units, floor_area, school, clinic, elder_care, community_centre, workshops, \
     party_branch, committee, certificates, version, updated_by, updated_at";
const RELOCATION_COLUMNS: &str = "r.household_id, r.site_code, r.registered_poor, r.same_time_mover, r.moved_on, \
     r.persons, r.labour, r.employed, r.employment_place, r.housing_area_pc, r.self_contribution, r.demolished, \
     r.reclaimed, r.override_reason, r.updated_by, r.updated_at";
const PROJECT_COLUMNS: &str = "id, code, name, county_code, village_code, fund_source, batch, year, works_type, \
     total_investment, central_investment, remuneration_planned, remuneration_paid, start_on, end_on, accepted_on, \
     status, training_sessions, maintenance_posts, version, updated_by, updated_at";
const WORKER_COLUMNS: &str = "w.project_id, w.worker_id, w.name, w.category, w.household_id, w.member_seq";
const PAYMENT_COLUMNS: &str = "y.project_id, y.worker_id, y.paid_on, y.amount, y.account_ref";

/// Case steps at which a household is a monitoring object: from the
/// county's approval until its risk is marked eliminated (methods.md §9.1).
const MONITORED_STEPS: &str = "('approved', 'assisted', 'kept_under_monitoring')";

fn flag<R: RowExt>(row: &R, column: &str) -> StoreResult<bool> {
    Ok(row.int(column)? != 0)
}

fn year<R: RowExt>(row: &R, column: &str) -> StoreResult<i32> {
    i32::try_from(row.int(column)?).map_err(corrupt)
}

fn site<R: RowExt>(row: &R) -> StoreResult<ResettlementSite> {
    Ok(ResettlementSite {
        id: row.int("id")?,
        code: row.text("code")?,
        name: row.text("name")?,
        county: RegionCode::parse(&row.text("county_code")?).map_err(corrupt)?,
        township: row.opt_text("township")?,
        lon: row.float("lon")?,
        lat: row.float("lat")?,
        setting: row.text("setting")?,
        category: row.text("category")?,
        subtype: row.text("subtype")?,
        capacity_people: row.int("capacity_people")?,
        capacity_units: row.int("capacity_units")?,
        floor_area: row.float("floor_area")?,
        school: flag(row, "school")?,
        clinic: flag(row, "clinic")?,
        elder_care: flag(row, "elder_care")?,
        community_centre: flag(row, "community_centre")?,
        workshops: row.int("workshops")?,
        party_branch: flag(row, "party_branch")?,
        committee: flag(row, "committee")?,
        certificates: row.int("certificates")?,
        version: row.int("version")?,
        updated_by: row.text("updated_by")?,
        updated_at: row.text("updated_at")?,
    })
}

fn relocation<R: RowExt>(row: &R) -> StoreResult<Relocation> {
    Ok(Relocation {
        household_id: row.text("household_id")?,
        site_code: row.text("site_code")?,
        registered_poor: flag(row, "registered_poor")?,
        same_time_mover: flag(row, "same_time_mover")?,
        moved_on: row.opt_text("moved_on")?,
        persons: row.int("persons")?,
        labour: row.int("labour")?,
        employed: row.int("employed")?,
        employment_place: row.opt_text("employment_place")?,
        housing_area_pc: row.float("housing_area_pc")?,
        self_contribution: row.float("self_contribution")?,
        demolished: flag(row, "demolished")?,
        reclaimed: flag(row, "reclaimed")?,
        override_reason: row.opt_text("override_reason")?,
        updated_by: row.text("updated_by")?,
        updated_at: row.text("updated_at")?,
    })
}

fn income<R: RowExt>(row: &R) -> StoreResult<RelocationIncome> {
    Ok(RelocationIncome {
        household_id: row.text("household_id")?,
        year: year(row, "year")?,
        income: row.float("income")?,
    })
}

fn rule<R: RowExt>(row: &R) -> StoreResult<ReliefRule> {
    Ok(ReliefRule {
        id: row.int("id")?,
        rule: RemunerationRule {
            from_year: year(row, "from_year")?,
            to_year: row.opt_int("to_year")?.map(|y| i32::try_from(y).map_err(corrupt)).transpose()?,
            batch_pattern: row.text("batch_pattern")?,
            min_share: row.float("min_share")?,
            version: row.int("version")?,
        },
        note: row.opt_text("note")?,
        created_by: row.text("created_by")?,
        created_at: row.text("created_at")?,
    })
}

fn project<R: RowExt>(row: &R) -> StoreResult<ReliefProject> {
    Ok(ReliefProject {
        id: row.int("id")?,
        code: row.text("code")?,
        name: row.text("name")?,
        county: RegionCode::parse(&row.text("county_code")?).map_err(corrupt)?,
        village_code: row.opt_text("village_code")?,
        fund_source: row.text("fund_source")?,
        batch: row.text("batch")?,
        year: year(row, "year")?,
        works_type: row.text("works_type")?,
        total_investment: row.float("total_investment")?,
        central_investment: row.float("central_investment")?,
        remuneration_planned: row.float("remuneration_planned")?,
        remuneration_paid: row.float("remuneration_paid")?,
        start_on: row.opt_text("start_on")?,
        end_on: row.opt_text("end_on")?,
        accepted_on: row.opt_text("accepted_on")?,
        status: row.text("status")?,
        training_sessions: row.int("training_sessions")?,
        maintenance_posts: row.int("maintenance_posts")?,
        version: row.int("version")?,
        updated_by: row.text("updated_by")?,
        updated_at: row.text("updated_at")?,
    })
}

fn worker<R: RowExt>(row: &R) -> StoreResult<ReliefWorker> {
    Ok(ReliefWorker {
        project_id: row.int("project_id")?,
        worker_id: row.text("worker_id")?,
        name: row.opt_text("name")?,
        category: row.text("category")?,
        household_id: row.opt_text("household_id")?,
        member_seq: row.opt_int("member_seq")?,
    })
}

fn payment<R: RowExt>(row: &R) -> StoreResult<ReliefPayment> {
    Ok(ReliefPayment {
        project_id: row.int("project_id")?,
        worker_id: row.text("worker_id")?,
        paid_on: row.text("paid_on")?,
        amount: row.float("amount")?,
        account_ref: row.text("account_ref")?,
    })
}

/// `column` within `roots` (everything when `None`), its parameters
/// numbered after `offset`.
fn within(column: &str, roots: Option<&[RegionCode]>, offset: usize) -> (String, Vec<String>) {
    match roots {
        Some(roots) => crate::regions::within_condition(column, roots, offset),
        None => ("1 = 1".to_string(), Vec::new()),
    }
}

/// Runs a query whose only parameters are `binds`, mapping every row.
macro_rules! fetch_all {
    ($store:expr, $sql:expr, $binds:expr, $map:path) => {{
        let sql: String = $sql;
        on_pool!($store, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for b in &$binds {
                query = query.bind(b.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map($map).collect::<StoreResult<Vec<_>>>()
        })
    }};
}

/// The same inside a transaction.
macro_rules! fetch_all_tx {
    ($tx:expr, $sql:expr, $binds:expr, $map:path) => {{
        let sql: String = $sql;
        let found = on_tx!($tx, conn => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for b in $binds {
                query = query.bind(b.as_str());
            }
            let rows = query.fetch_all(&mut *conn).await?;
            rows.iter().map($map).collect::<StoreResult<Vec<_>>>()?
        });
        Ok(found)
    }};
}

impl Store {
    /// The site with this number.
    pub async fn resettlement_site_numbered(&self, id: i64) -> StoreResult<Option<ResettlementSite>> {
        let sql = format!("SELECT {SITE_COLUMNS} FROM resettlement_sites WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(site).transpose()
        })
    }

    /// The site with this code.
    pub async fn resettlement_site(&self, code: &str) -> StoreResult<Option<ResettlementSite>> {
        let sql = format!("SELECT {SITE_COLUMNS} FROM resettlement_sites WHERE code = $1");
        Ok(fetch_all!(self, sql, [code.to_string()], site)?.into_iter().next())
    }

    /// A page of the sites kept within `roots`, by number after `after`,
    /// with how many there are in all.
    pub async fn resettlement_site_page(
        &self,
        roots: Option<&[RegionCode]>,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<ResettlementSite>, i64)> {
        page_within!(self, "resettlement_sites", SITE_COLUMNS, "county_code", roots, after, limit, site)
    }

    /// Every site kept within `roots`, by code.
    pub async fn resettlement_sites(&self, roots: Option<&[RegionCode]>) -> StoreResult<Vec<ResettlementSite>> {
        let (condition, binds) = within("county_code", roots, 0);
        let sql = format!("SELECT {SITE_COLUMNS} FROM resettlement_sites WHERE {condition} ORDER BY code");
        fetch_all!(self, sql, binds, site)
    }

    /// The relocation of a household.
    pub async fn relocation(&self, household_id: &str) -> StoreResult<Option<Relocation>> {
        let sql = format!("SELECT {RELOCATION_COLUMNS} FROM relocations r WHERE r.household_id = $1");
        Ok(fetch_all!(self, sql, [household_id.to_string()], relocation)?.into_iter().next())
    }

    /// The households relocated to sites within `roots`, by site and
    /// household.
    pub async fn relocations(&self, roots: Option<&[RegionCode]>) -> StoreResult<Vec<Relocation>> {
        let (condition, binds) = within("s.county_code", roots, 0);
        let sql = format!(
            "SELECT {RELOCATION_COLUMNS} FROM relocations r JOIN resettlement_sites s ON s.code = r.site_code \
             WHERE {condition} ORDER BY r.site_code, r.household_id"
        );
        fetch_all!(self, sql, binds, relocation)
    }

    /// The incomes of the households relocated to sites within `roots`,
    /// by household and year.
    pub async fn relocation_incomes(&self, roots: Option<&[RegionCode]>) -> StoreResult<Vec<RelocationIncome>> {
        let (condition, binds) = within("s.county_code", roots, 0);
        let sql = format!(
            "SELECT i.household_id, i.year, i.income FROM relocation_incomes i \
             JOIN relocations r ON r.household_id = i.household_id JOIN resettlement_sites s ON s.code = r.site_code \
             WHERE {condition} ORDER BY i.household_id, i.year"
        );
        fetch_all!(self, sql, binds, income)
    }

    /// The households relocated to sites within `roots` that are
    /// monitoring objects: a case of theirs stands between the county's
    /// approval and the risk marked eliminated (approved, assisted, kept
    /// under monitoring). By id.
    pub async fn monitored_relocations(&self, roots: Option<&[RegionCode]>) -> StoreResult<Vec<String>> {
        let (condition, binds) = within("s.county_code", roots, 0);
        let sql = format!(
            "SELECT DISTINCT r.household_id FROM relocations r JOIN resettlement_sites s ON s.code = r.site_code \
             JOIN cases c ON c.household_id = r.household_id WHERE c.step IN {MONITORED_STEPS} AND {condition} \
             ORDER BY r.household_id"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
            for b in &binds {
                query = query.bind(b.as_str());
            }
            Ok(query.fetch_all(pool).await?)
        })
    }

    /// Every remuneration rule, every version, by number.
    pub async fn relief_rules(&self) -> StoreResult<Vec<ReliefRule>> {
        let sql = "SELECT id, from_year, to_year, batch_pattern, min_share, version, note, created_by, created_at \
             FROM relief_rules ORDER BY id"
            .to_string();
        fetch_all!(self, sql, Vec::<String>::new(), rule)
    }

    /// The project with this code.
    pub async fn relief_project(&self, code: &str) -> StoreResult<Option<ReliefProject>> {
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM relief_projects WHERE code = $1");
        Ok(fetch_all!(self, sql, [code.to_string()], project)?.into_iter().next())
    }

    /// A page of the projects within `roots`, by number after `after`, with
    /// how many there are in all.
    pub async fn relief_project_page(
        &self,
        roots: Option<&[RegionCode]>,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<ReliefProject>, i64)> {
        page_within!(self, "relief_projects", PROJECT_COLUMNS, "county_code", roots, after, limit, project)
    }

    /// Every project within `roots`, by number.
    pub async fn relief_projects(&self, roots: Option<&[RegionCode]>) -> StoreResult<Vec<ReliefProject>> {
        let (condition, binds) = within("county_code", roots, 0);
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM relief_projects WHERE {condition} ORDER BY id");
        fetch_all!(self, sql, binds, project)
    }

    /// The rosters of every project within `roots`, by project and worker.
    pub async fn relief_workers(&self, roots: Option<&[RegionCode]>) -> StoreResult<Vec<ReliefWorker>> {
        let (condition, binds) = within("p.county_code", roots, 0);
        let sql = format!(
            "SELECT {WORKER_COLUMNS} FROM relief_workers w JOIN relief_projects p ON p.id = w.project_id \
             WHERE {condition} ORDER BY w.project_id, w.worker_id"
        );
        fetch_all!(self, sql, binds, worker)
    }

    /// The payments of every project within `roots`, by project, worker
    /// and date.
    pub async fn relief_payments(&self, roots: Option<&[RegionCode]>) -> StoreResult<Vec<ReliefPayment>> {
        let (condition, binds) = within("p.county_code", roots, 0);
        let sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM relief_payments y JOIN relief_projects p ON p.id = y.project_id \
             WHERE {condition} ORDER BY y.project_id, y.worker_id, y.paid_on"
        );
        fetch_all!(self, sql, binds, payment)
    }
}

impl Tx {
    /// The stored sites with these codes, inside the transaction (what an
    /// upsert would replace, for the jurisdiction check).
    pub async fn resettlement_sites_coded(&mut self, codes: &[&str]) -> StoreResult<Vec<ResettlementSite>> {
        let mut found = Vec::new();
        for chunk in codes.chunks(500) {
            let sql = format!("SELECT {SITE_COLUMNS} FROM resettlement_sites WHERE code IN ({})", in_list(chunk.len()));
            let rows: StoreResult<Vec<_>> = fetch_all_tx!(self, sql, chunk.iter().map(|c| c.to_string()), site);
            found.extend(rows?);
        }
        Ok(found)
    }

    /// Stores sites, each replacing the stored one of the same code (its
    /// version raised).
    pub async fn put_resettlement_sites(&mut self, sites: &[ResettlementSite]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO resettlement_sites (code, name, county_code, township, lon, lat, setting, \
             category, subtype, capacity_people, capacity_units, floor_area, school, clinic, elder_care, \
             community_centre, workshops, party_branch, committee, certificates, version, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1, \
             $21, $22) ON CONFLICT (code) DO UPDATE SET name = excluded.name, county_code = excluded.county_code, \
             township = excluded.township, lon = excluded.lon, lat = excluded.lat, setting = excluded.setting, \
             category = excluded.category, subtype = excluded.subtype, capacity_people = excluded.capacity_people, \
             capacity_units = excluded.capacity_units, floor_area = excluded.floor_area, school = excluded.school, \
             clinic = excluded.clinic, elder_care = excluded.elder_care, community_centre = excluded.community_centre, \
             workshops = excluded.workshops, party_branch = excluded.party_branch, committee = excluded.committee, \
             certificates = excluded.certificates, version = resettlement_sites.version + 1, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at";
        on_tx!(self, conn => {
            for s in sites {
                sqlx::query(SQL)
                    .bind(&s.code)
                    .bind(&s.name)
                    .bind(s.county.as_str())
                    .bind(s.township.as_deref())
                    .bind(s.lon)
                    .bind(s.lat)
                    .bind(&s.setting)
                    .bind(&s.category)
                    .bind(&s.subtype)
                    .bind(s.capacity_people)
                    .bind(s.capacity_units)
                    .bind(s.floor_area)
                    .bind(i64::from(s.school))
                    .bind(i64::from(s.clinic))
                    .bind(i64::from(s.elder_care))
                    .bind(i64::from(s.community_centre))
                    .bind(s.workshops)
                    .bind(i64::from(s.party_branch))
                    .bind(i64::from(s.committee))
                    .bind(s.certificates)
                    .bind(&s.updated_by)
                    .bind(&s.updated_at)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Relocation);
        Ok(())
    }

    /// The stored relocations of these households, inside the transaction.
    pub async fn relocations_of(&mut self, household_ids: &[&str]) -> StoreResult<Vec<Relocation>> {
        let mut found = Vec::new();
        for chunk in household_ids.chunks(500) {
            let sql = format!(
                "SELECT {RELOCATION_COLUMNS} FROM relocations r WHERE r.household_id IN ({})",
                in_list(chunk.len())
            );
            let rows: StoreResult<Vec<_>> = fetch_all_tx!(self, sql, chunk.iter().map(|c| c.to_string()), relocation);
            found.extend(rows?);
        }
        Ok(found)
    }

    /// Stores relocations, each replacing the household's stored one.
    pub async fn put_relocations(&mut self, relocations: &[Relocation]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO relocations (household_id, site_code, registered_poor, same_time_mover, \
             moved_on, persons, labour, employed, employment_place, housing_area_pc, self_contribution, demolished, \
             reclaimed, override_reason, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16) ON CONFLICT (household_id) DO UPDATE SET site_code = excluded.site_code, \
             registered_poor = excluded.registered_poor, same_time_mover = excluded.same_time_mover, \
             moved_on = excluded.moved_on, persons = excluded.persons, labour = excluded.labour, \
             employed = excluded.employed, employment_place = excluded.employment_place, \
             housing_area_pc = excluded.housing_area_pc, self_contribution = excluded.self_contribution, \
             demolished = excluded.demolished, reclaimed = excluded.reclaimed, \
             override_reason = excluded.override_reason, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at";
        on_tx!(self, conn => {
            for r in relocations {
                sqlx::query(SQL)
                    .bind(&r.household_id)
                    .bind(&r.site_code)
                    .bind(i64::from(r.registered_poor))
                    .bind(i64::from(r.same_time_mover))
                    .bind(r.moved_on.as_deref())
                    .bind(r.persons)
                    .bind(r.labour)
                    .bind(r.employed)
                    .bind(r.employment_place.as_deref())
                    .bind(r.housing_area_pc)
                    .bind(r.self_contribution)
                    .bind(i64::from(r.demolished))
                    .bind(i64::from(r.reclaimed))
                    .bind(r.override_reason.as_deref())
                    .bind(&r.updated_by)
                    .bind(&r.updated_at)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Relocation);
        Ok(())
    }

    /// Stores incomes, each replacing the stored one of its household and
    /// year.
    pub async fn put_relocation_incomes(&mut self, incomes: &[RelocationIncome]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO relocation_incomes (household_id, year, income) VALUES ($1, $2, $3) \
             ON CONFLICT (household_id, year) DO UPDATE SET income = excluded.income";
        on_tx!(self, conn => {
            for i in incomes {
                sqlx::query(SQL).bind(&i.household_id).bind(i64::from(i.year)).bind(i.income).execute(&mut *conn).await?;
            }
        });
        self.changed(Topic::Relocation);
        Ok(())
    }

    /// Adds a version of a remuneration rule: one above the highest stored
    /// for its key (years and batch pattern; `rule.version` is ignored).
    /// Its number and version.
    pub async fn add_relief_rule(
        &mut self,
        rule: &RemunerationRule,
        note: Option<&str>,
        by: &str,
        at: &str,
    ) -> StoreResult<(i64, i64)> {
        const LATEST: &str = "SELECT COALESCE(MAX(version), 0) FROM relief_rules WHERE from_year = $1 \
             AND (to_year = $2 OR (to_year IS NULL AND $3 = 1)) AND batch_pattern = $4";
        const SQL: &str = "INSERT INTO relief_rules (from_year, to_year, batch_pattern, min_share, version, note, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
        let to_year = rule.to_year.map(i64::from);
        let found = on_tx!(self, conn => {
            let latest: i64 = sqlx::query_scalar(LATEST)
                .bind(i64::from(rule.from_year))
                .bind(to_year.unwrap_or(i64::MIN))
                .bind(i64::from(to_year.is_none()))
                .bind(&rule.batch_pattern)
                .fetch_one(&mut *conn)
                .await?;
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(i64::from(rule.from_year))
                .bind(to_year)
                .bind(&rule.batch_pattern)
                .bind(rule.min_share)
                .bind(latest + 1)
                .bind(note)
                .bind(by)
                .bind(at)
                .fetch_one(&mut *conn)
                .await?;
            (id, latest + 1)
        });
        self.changed(Topic::Relocation);
        Ok(found)
    }

    /// The stored projects with these codes, inside the transaction.
    pub async fn relief_projects_coded(&mut self, codes: &[&str]) -> StoreResult<Vec<ReliefProject>> {
        let mut found = Vec::new();
        for chunk in codes.chunks(500) {
            let sql = format!("SELECT {PROJECT_COLUMNS} FROM relief_projects WHERE code IN ({})", in_list(chunk.len()));
            let rows: StoreResult<Vec<_>> = fetch_all_tx!(self, sql, chunk.iter().map(|c| c.to_string()), project);
            found.extend(rows?);
        }
        Ok(found)
    }

    /// Stores projects, each replacing the stored one of the same code (its
    /// version raised); their numbers, in order.
    pub async fn put_relief_projects(&mut self, projects: &[ReliefProject]) -> StoreResult<Vec<i64>> {
        const SQL: &str = "INSERT INTO relief_projects (code, name, county_code, village_code, fund_source, batch, \
             year, works_type, total_investment, central_investment, remuneration_planned, remuneration_paid, \
             start_on, end_on, accepted_on, status, training_sessions, maintenance_posts, version, updated_by, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
             1, $19, $20) ON CONFLICT (code) DO UPDATE SET name = excluded.name, county_code = excluded.county_code, \
             village_code = excluded.village_code, fund_source = excluded.fund_source, batch = excluded.batch, \
             year = excluded.year, works_type = excluded.works_type, total_investment = excluded.total_investment, \
             central_investment = excluded.central_investment, \
             remuneration_planned = excluded.remuneration_planned, remuneration_paid = excluded.remuneration_paid, \
             start_on = excluded.start_on, end_on = excluded.end_on, accepted_on = excluded.accepted_on, \
             status = excluded.status, training_sessions = excluded.training_sessions, \
             maintenance_posts = excluded.maintenance_posts, version = relief_projects.version + 1, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at RETURNING id";
        let mut ids = Vec::with_capacity(projects.len());
        on_tx!(self, conn => {
            for p in projects {
                let id: i64 = sqlx::query_scalar(SQL)
                    .bind(&p.code)
                    .bind(&p.name)
                    .bind(p.county.as_str())
                    .bind(p.village_code.as_deref())
                    .bind(&p.fund_source)
                    .bind(&p.batch)
                    .bind(i64::from(p.year))
                    .bind(&p.works_type)
                    .bind(p.total_investment)
                    .bind(p.central_investment)
                    .bind(p.remuneration_planned)
                    .bind(p.remuneration_paid)
                    .bind(p.start_on.as_deref())
                    .bind(p.end_on.as_deref())
                    .bind(p.accepted_on.as_deref())
                    .bind(&p.status)
                    .bind(p.training_sessions)
                    .bind(p.maintenance_posts)
                    .bind(&p.updated_by)
                    .bind(&p.updated_at)
                    .fetch_one(&mut *conn)
                    .await?;
                ids.push(id);
            }
        });
        self.changed(Topic::Relocation);
        Ok(ids)
    }

    /// Stores roster workers, each replacing the stored one of its project
    /// and identifier.
    pub async fn put_relief_workers(&mut self, workers: &[ReliefWorker]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO relief_workers (project_id, worker_id, name, category, household_id, \
             member_seq) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (project_id, worker_id) DO UPDATE SET \
             name = excluded.name, category = excluded.category, household_id = excluded.household_id, \
             member_seq = excluded.member_seq";
        on_tx!(self, conn => {
            for w in workers {
                sqlx::query(SQL)
                    .bind(w.project_id)
                    .bind(&w.worker_id)
                    .bind(w.name.as_deref())
                    .bind(&w.category)
                    .bind(w.household_id.as_deref())
                    .bind(w.member_seq)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Relocation);
        Ok(())
    }

    /// Stores payments, each replacing the stored one of its project,
    /// worker and date. Account references must already be masked.
    pub async fn put_relief_payments(&mut self, payments: &[ReliefPayment]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO relief_payments (project_id, worker_id, paid_on, amount, account_ref) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, worker_id, paid_on) DO UPDATE SET \
             amount = excluded.amount, account_ref = excluded.account_ref";
        on_tx!(self, conn => {
            for y in payments {
                sqlx::query(SQL)
                    .bind(y.project_id)
                    .bind(&y.worker_id)
                    .bind(&y.paid_on)
                    .bind(y.amount)
                    .bind(&y.account_ref)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Relocation);
        Ok(())
    }

    /// Which of these registry members exist, as (household, seq) pairs,
    /// inside the transaction.
    pub async fn existing_members(&mut self, members: &[(String, i64)]) -> StoreResult<Vec<(String, i64)>> {
        const SQL: &str = "SELECT 1 FROM household_members WHERE household_id = $1 AND seq = $2";
        let mut found = Vec::new();
        on_tx!(self, conn => {
            for (household, seq) in members {
                if sqlx::query(SQL).bind(household).bind(*seq).fetch_optional(&mut *conn).await?.is_some() {
                    found.push((household.clone(), *seq));
                }
            }
        });
        Ok(found)
    }
}
