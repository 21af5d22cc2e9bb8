//! Readers for relocation and work-relief (issue 17; methods.md §2, §3):
//! resettlement sites, relocated households and their incomes, work-relief
//! projects, rosters and wage payments. Each checks what a row says about
//! itself (keywords, counts, dates, the 25 m² red line); whether the
//! household, site or project exists is the use case's business.

use revita_methods::Date;
use revita_methods::relocation::{
    EmploymentPlace, Mover, MoverError, MoverFlag, Setting, SiteCategory, SiteSubtype, check_mover,
};
use revita_methods::work_relief::{FundSource, ProjectStatus, WorkerCategory, WorksType, mask_account};

use super::{Cells, Parsed, amount, optional, read_all, required};
use crate::error::{Problems, RowError};
use crate::table::Table;

/// A yes/no cell: `1 0 yes no true false 是 否 y n`, empty as no.
fn flag(c: &Cells, spec: usize) -> Result<bool, RowError> {
    match c.text(spec).to_lowercase().as_str() {
        "" | "0" | "no" | "n" | "false" | "否" => Ok(false),
        "1" | "yes" | "y" | "true" | "是" => Ok(true),
        other => Err(c.error(spec, format!("'{other}' is not yes or no (1/0, 是/否)"))),
    }
}

/// A whole number of at least 0; `default` when empty.
fn count(c: &Cells, spec: usize, default: Option<i64>) -> Result<i64, RowError> {
    let value = amount(c, spec, default.map(|d| d as f64))?;
    if value.fract() != 0.0 || value > 1e15 {
        return Err(c.error(spec, format!("{value} is not a whole number")));
    }
    Ok(value as i64)
}

/// A keyword of `parse`'s set, naming the set when refused.
fn keyword<T>(c: &Cells, spec: usize, parse: fn(&str) -> Option<T>, all: &[&str]) -> Result<T, RowError> {
    let text = c.required(spec)?;
    parse(text).ok_or_else(|| c.error(spec, format!("'{text}' is not one of {}", all.join(", "))))
}

fn keywords<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| as_str(*v)).collect()
}

fn coordinate(c: &Cells, spec: usize, limit: f64) -> Result<f64, RowError> {
    let value = c.opt_number(spec)?.ok_or_else(|| c.error(spec, "is empty"))?;
    if !(-limit..=limit).contains(&value) {
        return Err(c.error(spec, format!("{value} is outside -{limit}..{limit} (is it projected?)")));
    }
    Ok(value)
}

fn short_id(c: &Cells, spec: usize) -> Result<String, RowError> {
    let id = c.required(spec)?;
    if id.chars().count() > 64 {
        return Err(c.error(spec, "is longer than 64 characters"));
    }
    Ok(id.to_string())
}

/// A resettlement site read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRecord {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The county.
    pub county: revita_methods::RegionCode,
    /// The township.
    pub township: Option<String>,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// Urban or rural.
    pub setting: Setting,
    /// The subtype (its category follows).
    pub subtype: SiteSubtype,
    /// People it can house.
    pub capacity_people: i64,
    /// Housing units.
    pub capacity_units: i64,
    /// Floor area (m²).
    pub floor_area: f64,
    /// School, clinic, elder care, community centre.
    pub services: [bool; 4],
    /// Employment workshops.
    pub workshops: i64,
    /// Party branch, residents' committee established.
    pub governance: [bool; 2],
    /// Property certificates issued.
    pub certificates: i64,
}

/// Reads sites: `code,name,county_code[,township],lon,lat,setting,subtype
/// [,category],capacity_people,capacity_units[,floor_area,school,clinic,
/// elder_care,community_centre,employment_workshops,party_branch,committee,
/// certificates]`. A category, if given, must be the subtype's; certificates
/// may not exceed units.
pub fn read_sites(table: &mut Table) -> Result<Parsed<SiteRecord>, Problems> {
    let specs = [
        required(&["code", "site_code"]),
        required(&["name"]),
        required(&["county_code", "region_code"]),
        optional(&["township"]),
        required(&["lon", "longitude"]),
        required(&["lat", "latitude"]),
        required(&["setting", "type"]),
        required(&["subtype"]),
        optional(&["category"]),
        required(&["capacity_people", "people"]),
        required(&["capacity_units", "units"]),
        optional(&["floor_area"]),
        optional(&["school"]),
        optional(&["clinic"]),
        optional(&["elder_care"]),
        optional(&["community_centre", "community_center"]),
        optional(&["employment_workshops", "workshops"]),
        optional(&["party_branch"]),
        optional(&["committee"]),
        optional(&["certificates", "property_certificates"]),
    ];
    read_all(table, &specs, |c| {
        let subtype = keyword(c, 7, SiteSubtype::parse, &keywords(SiteSubtype::ALL, SiteSubtype::as_str))?;
        if let Some(text) = c.opt_text(8) {
            let category = keyword(c, 8, SiteCategory::parse, &keywords(SiteCategory::ALL, SiteCategory::as_str))?;
            if category != subtype.category() {
                return Err(c.error(8, format!("'{text}' is not the category of subtype {}", subtype.as_str())));
            }
        }
        let units = count(c, 10, None)?;
        let certificates = count(c, 19, Some(0))?;
        if certificates > units {
            return Err(c.error(19, format!("{certificates} certificates for {units} units")));
        }
        Ok(SiteRecord {
            code: short_id(c, 0)?,
            name: c.required(1)?.to_string(),
            county: c.region_code(2)?,
            township: c.opt_text(3),
            lon: coordinate(c, 4, 180.0)?,
            lat: coordinate(c, 5, 90.0)?,
            setting: keyword(c, 6, Setting::parse, &keywords(Setting::ALL, Setting::as_str))?,
            subtype,
            capacity_people: count(c, 9, None)?,
            capacity_units: units,
            floor_area: amount(c, 11, Some(0.0))?,
            services: [flag(c, 12)?, flag(c, 13)?, flag(c, 14)?, flag(c, 15)?],
            workshops: count(c, 16, Some(0))?,
            governance: [flag(c, 17)?, flag(c, 18)?],
            certificates,
        })
    })
}

/// A relocated household read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct RelocationRecord {
    /// The registry household.
    pub household_id: String,
    /// The site.
    pub site_code: String,
    /// Registered poor.
    pub registered_poor: bool,
    /// A same-time mover.
    pub same_time_mover: bool,
    /// When it moved.
    pub moved_on: Option<Date>,
    /// The §2.2 facts (persons, labour, employed, area, contribution, reason).
    pub mover: Mover,
    /// Where its workers work.
    pub employment_place: Option<EmploymentPlace>,
    /// Old house demolished.
    pub demolished: bool,
    /// Homestead reclaimed.
    pub reclaimed: bool,
    /// What §2.2 flags without refusing: a contribution above the caps, a
    /// red line crossed with its reason.
    pub flags: Vec<MoverFlag>,
}

/// Reads relocated households: `household_id,site_code,registered_poor
/// [,same_time_mover,moved_on],persons,labour,employed[,employment_place],
/// housing_area_pc[,self_contribution,demolished,reclaimed,override_reason]`,
/// each checked against methods.md §2.2 (a registered-poor household above
/// 25 m² per person needs an override reason).
pub fn read_relocations(table: &mut Table) -> Result<Parsed<RelocationRecord>, Problems> {
    let specs = [
        required(&["household_id", "hh_id"]),
        required(&["site_code", "site"]),
        required(&["registered_poor"]),
        optional(&["same_time_mover"]),
        optional(&["moved_on", "move_date"]),
        required(&["persons"]),
        required(&["labour", "labor"]),
        required(&["employed"]),
        optional(&["employment_place"]),
        required(&["housing_area_pc", "housing_area_per_person"]),
        optional(&["self_contribution"]),
        optional(&["demolished", "old_house_demolished"]),
        optional(&["reclaimed", "homestead_reclaimed"]),
        optional(&["override_reason"]),
    ];
    read_all(table, &specs, |c| {
        let employment_place = match c.opt_text(8) {
            None => None,
            Some(_) => {
                Some(keyword(c, 8, EmploymentPlace::parse, &keywords(EmploymentPlace::ALL, EmploymentPlace::as_str))?)
            }
        };
        let mover = Mover {
            registered_poor: flag(c, 2)?,
            persons: count(c, 5, None)?,
            labour: count(c, 6, None)?,
            employed: count(c, 7, None)?,
            housing_area_per_person: amount(c, 9, None)?,
            self_contribution: amount(c, 10, Some(0.0))?,
            override_reason: c.opt_text(13),
        };
        let flags = check_mover(&mover).map_err(|e| {
            let spec = match e {
                MoverError::NoPersons => 5,
                MoverError::Counts => {
                    if mover.labour > mover.persons {
                        6
                    } else {
                        7
                    }
                }
                MoverError::Negative("self-contribution") => 10,
                MoverError::Negative(_) | MoverError::HousingAboveRedLine(_) => 9,
            };
            c.error(spec, e.to_string())
        })?;
        Ok(RelocationRecord {
            household_id: short_id(c, 0)?,
            site_code: short_id(c, 1)?,
            registered_poor: mover.registered_poor,
            same_time_mover: flag(c, 3)?,
            moved_on: c.opt_date(4)?,
            employment_place,
            demolished: flag(c, 11)?,
            reclaimed: flag(c, 12)?,
            mover,
            flags,
        })
    })
}

/// Reads incomes per person by year: `household_id,year,income`.
pub fn read_relocation_incomes(table: &mut Table) -> Result<Parsed<(String, i32, f64)>, Problems> {
    let specs = [required(&["household_id", "hh_id"]), required(&["year"]), required(&["income", "income_pc"])];
    read_all(table, &specs, |c| {
        let year = c.opt_year(1)?.ok_or_else(|| c.error(1, "is empty"))?;
        if !(1949..=2200).contains(&year) {
            return Err(c.error(1, format!("{year} is not a plausible year")));
        }
        Ok((short_id(c, 0)?, year, amount(c, 2, None)?))
    })
}

/// A work-relief project read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliefProjectRecord {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The county.
    pub county: revita_methods::RegionCode,
    /// The village's code.
    pub village_code: Option<String>,
    /// The fund source.
    pub fund_source: FundSource,
    /// The batch's name.
    pub batch: String,
    /// The fiscal year.
    pub year: i32,
    /// The works type.
    pub works_type: WorksType,
    /// Total investment.
    pub total_investment: f64,
    /// Central investment.
    pub central_investment: f64,
    /// Remuneration planned.
    pub remuneration_planned: f64,
    /// Remuneration paid.
    pub remuneration_paid: f64,
    /// Start of works.
    pub start_on: Option<Date>,
    /// Planned end of works.
    pub end_on: Option<Date>,
    /// Acceptance.
    pub accepted_on: Option<Date>,
    /// The status.
    pub status: ProjectStatus,
    /// Training sessions.
    pub training_sessions: i64,
    /// Maintenance posts.
    pub maintenance_posts: i64,
}

/// Reads work-relief projects: `code,name,county_code[,village_code],
/// fund_source,batch,year,works_type,total_investment,central_investment,
/// remuneration_planned[,remuneration_paid,start_on,end_on,accepted_on],
/// status[,training_sessions,maintenance_posts]`. Central funds may not
/// exceed the total, the end may not precede the start, and an accepted
/// project needs its acceptance date.
pub fn read_relief_projects(table: &mut Table) -> Result<Parsed<ReliefProjectRecord>, Problems> {
    let specs = [
        required(&["code", "project_code"]),
        required(&["name"]),
        required(&["county_code", "region_code"]),
        optional(&["village_code"]),
        required(&["fund_source"]),
        required(&["batch"]),
        required(&["year"]),
        required(&["works_type"]),
        required(&["total_investment"]),
        required(&["central_investment"]),
        required(&["remuneration_planned"]),
        optional(&["remuneration_paid"]),
        optional(&["start_on", "start_date"]),
        optional(&["end_on", "end_date"]),
        optional(&["accepted_on", "acceptance_date"]),
        required(&["status"]),
        optional(&["training_sessions"]),
        optional(&["maintenance_posts"]),
    ];
    read_all(table, &specs, |c| {
        let total = amount(c, 8, None)?;
        let central = amount(c, 9, None)?;
        if central > total {
            return Err(c.error(9, format!("central investment {central} exceeds the total {total}")));
        }
        let (start, end) = (c.opt_date(12)?, c.opt_date(13)?);
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            return Err(c.error(13, format!("the end {e} precedes the start {s}")));
        }
        let status = keyword(c, 15, ProjectStatus::parse, &keywords(ProjectStatus::ALL, ProjectStatus::as_str))?;
        let accepted_on = c.opt_date(14)?;
        if status == ProjectStatus::Accepted && accepted_on.is_none() {
            return Err(c.error(14, "an accepted project needs its acceptance date"));
        }
        let year = c.opt_year(6)?.ok_or_else(|| c.error(6, "is empty"))?;
        if !(1984..=2200).contains(&year) {
            return Err(c.error(6, format!("{year} is not a plausible year")));
        }
        Ok(ReliefProjectRecord {
            code: short_id(c, 0)?,
            name: c.required(1)?.to_string(),
            county: c.region_code(2)?,
            village_code: c.opt_text(3),
            fund_source: keyword(c, 4, FundSource::parse, &keywords(FundSource::ALL, FundSource::as_str))?,
            batch: c.required(5)?.to_string(),
            year,
            works_type: keyword(c, 7, WorksType::parse, &keywords(WorksType::ALL, WorksType::as_str))?,
            total_investment: total,
            central_investment: central,
            remuneration_planned: amount(c, 10, None)?,
            remuneration_paid: amount(c, 11, Some(0.0))?,
            start_on: start,
            end_on: end,
            accepted_on,
            status,
            training_sessions: count(c, 16, Some(0))?,
            maintenance_posts: count(c, 17, Some(0))?,
        })
    })
}

/// A roster line read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliefWorkerRecord {
    /// The project's code.
    pub project_code: String,
    /// The worker's identifier on the project.
    pub worker_id: String,
    /// The worker's name.
    pub name: Option<String>,
    /// The category hired from.
    pub category: WorkerCategory,
    /// The registry member: household and number.
    pub member: Option<(String, i64)>,
}

/// Reads a roster: `project_code,worker_id[,name],category[,household_id,
/// member_seq]` (household and number together or not at all).
pub fn read_relief_workers(table: &mut Table) -> Result<Parsed<ReliefWorkerRecord>, Problems> {
    let specs = [
        required(&["project_code", "project"]),
        required(&["worker_id"]),
        optional(&["name"]),
        required(&["category"]),
        optional(&["household_id", "hh_id"]),
        optional(&["member_seq", "seq"]),
    ];
    read_all(table, &specs, |c| {
        let member = match (c.opt_text(4), c.opt_text(5)) {
            (None, None) => None,
            (Some(h), Some(_)) => Some((h, count(c, 5, None)?)),
            (Some(_), None) => return Err(c.error(5, "a household needs the member's number")),
            (None, Some(_)) => return Err(c.error(4, "a member's number needs the household")),
        };
        Ok(ReliefWorkerRecord {
            project_code: short_id(c, 0)?,
            worker_id: short_id(c, 1)?,
            name: c.opt_text(2),
            category: keyword(c, 3, WorkerCategory::parse, &keywords(WorkerCategory::ALL, WorkerCategory::as_str))?,
            member,
        })
    })
}

/// A wage payment read from a file, its account already masked.
#[derive(Debug, Clone, PartialEq)]
pub struct ReliefPaymentRecord {
    /// The project's code.
    pub project_code: String,
    /// Who was paid.
    pub worker_id: String,
    /// When.
    pub paid_on: Date,
    /// Yuan (more than 0).
    pub amount: f64,
    /// `****` and the account's last four characters.
    pub account_ref: String,
}

/// Reads wage payments: `project_code,worker_id,paid_on,amount,account`.
/// The account is masked here, so that the full number never leaves the
/// reader (methods.md §3.4).
pub fn read_relief_payments(table: &mut Table) -> Result<Parsed<ReliefPaymentRecord>, Problems> {
    let specs = [
        required(&["project_code", "project"]),
        required(&["worker_id"]),
        required(&["paid_on", "date"]),
        required(&["amount"]),
        required(&["account", "account_ref", "bank_account"]),
    ];
    read_all(table, &specs, |c| {
        let amount = amount(c, 3, None)?;
        if amount == 0.0 {
            return Err(c.error(3, "a payment is more than 0"));
        }
        Ok(ReliefPaymentRecord {
            project_code: short_id(c, 0)?,
            worker_id: short_id(c, 1)?,
            paid_on: c.opt_date(2)?.ok_or_else(|| c.error(2, "is empty"))?,
            amount,
            account_ref: mask_account(c.required(4)?),
        })
    })
}
