//! Mapping database rows to domain types, shared by both back ends. Values
//! that fail the domain's checks on the way out mean the database was written
//! by something other than revita; they surface as decode errors.

use revita_methods::crosswalk::parse_successors;
use revita_methods::{
    Aggregation, Basis, CodeRecord, CodeStatus, Date, Designation, DesignationCategory, Direction, Indicator,
    IndicatorCode, Observation, ObservationStatus, Period, Region, RegionCode,
};
use sqlx::Row;

use crate::{Boundary, StoreResult};

/// Typed column access, implemented for both back ends' row types.
pub(crate) trait RowExt {
    fn text(&self, column: &str) -> StoreResult<String>;
    fn opt_text(&self, column: &str) -> StoreResult<Option<String>>;
    fn float(&self, column: &str) -> StoreResult<f64>;
    fn opt_float(&self, column: &str) -> StoreResult<Option<f64>>;
    fn int(&self, column: &str) -> StoreResult<i64>;
    fn opt_int(&self, column: &str) -> StoreResult<Option<i64>>;
}

macro_rules! impl_row_ext {
    ($row:ty) => {
        impl RowExt for $row {
            fn text(&self, column: &str) -> StoreResult<String> {
                Ok(self.try_get(column)?)
            }
            fn opt_text(&self, column: &str) -> StoreResult<Option<String>> {
                Ok(self.try_get(column)?)
            }
            fn float(&self, column: &str) -> StoreResult<f64> {
                Ok(self.try_get(column)?)
            }
            fn opt_float(&self, column: &str) -> StoreResult<Option<f64>> {
                Ok(self.try_get(column)?)
            }
            fn int(&self, column: &str) -> StoreResult<i64> {
                Ok(self.try_get(column)?)
            }
            fn opt_int(&self, column: &str) -> StoreResult<Option<i64>> {
                Ok(self.try_get(column)?)
            }
        }
    };
}

impl_row_ext!(sqlx::sqlite::SqliteRow);
impl_row_ext!(sqlx::postgres::PgRow);

/// A stored value the domain refuses: the database was changed behind
/// revita's back (or by a defect), and the read fails rather than guess.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> crate::StoreError {
    crate::StoreError::Database(sqlx::Error::Decode(format!("stored value is invalid: {what}").into()))
}

fn opt_date(row: &impl RowExt, column: &str) -> StoreResult<Option<Date>> {
    row.opt_text(column)?.map(|d| Date::parse(&d).map_err(corrupt)).transpose()
}

fn code(text: &str) -> StoreResult<RegionCode> {
    RegionCode::parse(text).map_err(corrupt)
}

pub(crate) fn region(row: &impl RowExt) -> StoreResult<Region> {
    Ok(Region {
        code: code(&row.text("code")?)?,
        name_zh: row.text("name_zh")?,
        name_en: row.opt_text("name_en")?,
        level: row.text("level")?,
        parent: row.opt_text("parent_code")?.map(|p| code(&p)).transpose()?,
        valid_from: opt_date(row, "valid_from")?,
        valid_to: opt_date(row, "valid_to")?,
    })
}

pub(crate) fn boundary(row: &impl RowExt) -> StoreResult<Boundary> {
    Ok(Boundary {
        region: code(&row.text("region_code")?)?,
        geojson: row.text("geojson")?,
        source: row.opt_text("source")?,
    })
}

pub(crate) fn indicator(row: &impl RowExt) -> StoreResult<Indicator> {
    let weight = row.opt_text("weight_indicator")?;
    Ok(Indicator {
        code: IndicatorCode::parse(&row.text("code")?).map_err(corrupt)?,
        name_zh: row.text("name_zh")?,
        name_en: row.opt_text("name_en")?,
        unit: row.text("unit")?,
        direction: Direction::parse(&row.text("direction")?).map_err(corrupt)?,
        aggregation: Aggregation::parse(&row.text("aggregation")?, weight.as_deref()).map_err(corrupt)?,
        description: row.opt_text("description")?,
        source: row.opt_text("source")?,
        range: revita_methods::ValueRange { min: row.opt_float("valid_min")?, max: row.opt_float("valid_max")? },
    })
}

pub(crate) fn observation(row: &impl RowExt) -> StoreResult<Observation> {
    let status = row.text("status")?;
    Ok(Observation {
        indicator: IndicatorCode::parse(&row.text("indicator_code")?).map_err(corrupt)?,
        region: code(&row.text("region_code")?)?,
        period: Period::parse(&row.text("period")?).map_err(corrupt)?,
        value: row.float("value")?,
        source: row.opt_text("source")?,
        status: ObservationStatus::parse(&status).ok_or_else(|| corrupt(status))?,
    })
}

pub(crate) fn designation(row: &impl RowExt) -> StoreResult<Designation> {
    Ok(Designation {
        region: code(&row.text("region_code")?)?,
        category: DesignationCategory::parse(&row.text("category")?).map_err(corrupt)?,
        class: row.opt_text("class")?,
        basis: Basis { title: row.text("basis_title")?, number: row.opt_text("basis_number")? },
        valid_from: opt_date(row, "valid_from")?,
        valid_to: opt_date(row, "valid_to")?,
        notes: row.opt_text("notes")?,
    })
}

pub(crate) fn designation_list(row: &impl RowExt) -> StoreResult<revita_methods::DesignationList> {
    let count = |column: &str| row.int(column).and_then(|n| u64::try_from(n).map_err(corrupt));
    Ok(revita_methods::DesignationList {
        id: row.int("id")?,
        category: DesignationCategory::parse(&row.text("category")?).map_err(corrupt)?,
        name: row.text("name")?,
        run_year: i32::try_from(row.int("run_year")?).map_err(corrupt)?,
        classes: row.text("classes")?.split('\n').map(String::from).collect(),
        basis: Basis { title: row.text("basis_title")?, number: row.opt_text("basis_number")? },
        effective_from: opt_date(row, "effective_from")?.ok_or_else(|| corrupt("a list without its effective date"))?,
        transition_until: opt_date(row, "transition_until")?,
        spec_json: row.text("spec_json")?,
        spec_sha256: row.text("spec_sha256")?,
        input_sha256: row.text("input_sha256")?,
        members: count("members")?,
        joining: count("joining")?,
        leaving: count("leaving")?,
        approved_by: row.text("approved_by")?,
        approved_at: row.int("approved_at")?,
    })
}

pub(crate) fn monitoring_line(row: &impl RowExt) -> StoreResult<revita_methods::monitoring::MonitoringLine> {
    let multiple: Option<f64> = row.opt_float("multiple")?;
    Ok(revita_methods::monitoring::MonitoringLine {
        region: code(&row.text("region_code")?)?,
        year: i32::try_from(row.int("year")?).map_err(corrupt)?,
        amount: row.float("amount")?,
        rule: revita_methods::monitoring::LineRule::from_parts(&row.text("rule")?, multiple).map_err(corrupt)?,
    })
}

pub(crate) fn household(row: &impl RowExt) -> StoreResult<revita_methods::monitoring::RegisteredHousehold> {
    let narrow = |column: &str| row.int(column).and_then(|v| i32::try_from(v).map_err(corrupt));
    let village: i64 = row.text("village_code")?.parse().map_err(corrupt)?;
    Ok(revita_methods::monitoring::RegisteredHousehold {
        id: row.text("id")?,
        household: revita_methods::screening::Household {
            village_code: village,
            size: narrow("size")?,
            labor: narrow("labor")?,
            income_pc: row.float("income_pc")?,
            income_pc_prev: row.float("income_pc_prev")?,
            medical_exp: row.float("medical_exp")?,
            education_exp: row.float("education_exp")?,
            disaster_loss: row.float("disaster_loss")?,
            deprived: u16::try_from(row.int("deprived")?).map_err(corrupt)?,
        },
        head_name: row.opt_text("head_name")?,
        id_number: row.opt_text("id_number")?,
        phone: row.opt_text("phone")?,
        income_sources: income_sources(row)?,
        relocation_site: row.opt_text("relocation_site")?,
    })
}

/// The four income sources, recorded together or not at all.
fn income_sources(row: &impl RowExt) -> StoreResult<Option<revita_methods::registry::IncomeSources>> {
    Ok(
        match [
            row.opt_float("income_wage")?,
            row.opt_float("income_business")?,
            row.opt_float("income_property")?,
            row.opt_float("income_transfer")?,
        ] {
            [Some(wage), Some(business), Some(property), Some(transfer)] => {
                Some(revita_methods::registry::IncomeSources { wage, business, property, transfer })
            }
            _ => None,
        },
    )
}

pub(crate) fn case(row: &impl RowExt) -> StoreResult<revita_methods::monitoring::Case> {
    use revita_methods::monitoring::{Category, Channel, Step};
    let text = |column: &str| row.text(column);
    Ok(revita_methods::monitoring::Case {
        id: row.int("id")?,
        household_id: text("household_id")?,
        county: code(&text("county_code")?)?,
        category: Category::parse(&text("category")?).ok_or_else(|| corrupt("a case category"))?,
        channel: Channel::parse(&text("channel")?).ok_or_else(|| corrupt("a case channel"))?,
        step: Step::parse(&text("step")?).ok_or_else(|| corrupt("a case step"))?,
        step_since: opt_date(row, "step_since")?.ok_or_else(|| corrupt("a case without its date"))?,
        version: row.int("version")?,
    })
}

pub(crate) fn case_event(row: &impl RowExt) -> StoreResult<revita_methods::monitoring::CaseEvent> {
    Ok(revita_methods::monitoring::CaseEvent {
        step: revita_methods::monitoring::Step::parse(&row.text("step")?).ok_or_else(|| corrupt("a case step"))?,
        on: opt_date(row, "on_date")?.ok_or_else(|| corrupt("an event without its date"))?,
        actor: row.text("actor")?,
        evidence: row.opt_text("evidence")?,
        notice_end: opt_date(row, "notice_end")?,
        at: row.int("at")?,
    })
}

pub(crate) fn income_check(row: &impl RowExt) -> StoreResult<revita_methods::monitoring::IncomeCheck> {
    Ok(revita_methods::monitoring::IncomeCheck {
        on: opt_date(row, "on_date")?.ok_or_else(|| corrupt("a check without its date"))?,
        income_pc: row.float("income_pc")?,
    })
}

pub(crate) fn list_member(row: &impl RowExt) -> StoreResult<(RegionCode, String)> {
    Ok((code(&row.text("region_code")?)?, row.text("class")?))
}

pub(crate) fn pairing(row: &impl RowExt) -> StoreResult<revita_methods::Pairing> {
    let year = |v: Option<i64>| v.map(|y| i32::try_from(y).map_err(corrupt)).transpose();
    Ok(revita_methods::Pairing {
        program: row.text("program")?,
        donor: code(&row.text("donor_code")?)?,
        recipient: code(&row.text("recipient_code")?)?,
        start_year: year(row.opt_int("start_year")?)?,
        end_year: year(row.opt_int("end_year")?)?,
        notes: row.opt_text("notes")?,
    })
}

pub(crate) fn code_record(row: &impl RowExt) -> StoreResult<CodeRecord> {
    let status = row.text("status")?;
    let year = |v: i64| i32::try_from(v).map_err(corrupt);
    Ok(CodeRecord {
        code: code(&row.text("code")?)?,
        name: row.text("name")?,
        level: row.text("level")?,
        status: CodeStatus::parse(&status).ok_or_else(|| corrupt(status))?,
        first_year: year(row.int("first_year")?)?,
        end_year: row.opt_int("end_year")?.map(year).transpose()?,
        successors: parse_successors(&row.text("successors")?).map_err(corrupt)?,
    })
}

/// Text form of optional dates for binding.
pub(crate) fn date_text(date: Option<Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

/// `;`-joined successor codes, as the MCA file writes them.
pub(crate) fn successors_text(record: &CodeRecord) -> String {
    record.successors.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(";")
}

pub(crate) fn user(row: &impl RowExt) -> StoreResult<crate::security::User> {
    Ok(crate::security::User {
        id: row.int("id")?,
        name: row.text("name")?,
        password_hash: row.text("password_hash")?,
        disabled: row.int("disabled")? != 0,
        must_change_password: row.int("must_change_password")? != 0,
        version: row.int("version")?,
        created_at: row.int("created_at")?,
    })
}

pub(crate) fn api_token(row: &impl RowExt) -> StoreResult<crate::security::ApiToken> {
    Ok(crate::security::ApiToken {
        id: row.int("id")?,
        user_id: row.int("user_id")?,
        name: row.text("name")?,
        created_at: row.int("created_at")?,
        expires_at: row.int("expires_at")?,
        revoked: row.int("revoked")? != 0,
    })
}

pub(crate) fn grant(row: &impl RowExt) -> StoreResult<revita_methods::access::Grant> {
    let role = row.text("role")?;
    Ok(revita_methods::access::Grant {
        role: revita_methods::access::Role::parse(&role).ok_or_else(|| corrupt(role))?,
        scope: code(&row.text("scope_code")?)?,
    })
}

pub(crate) fn audit_entry(row: &impl RowExt) -> StoreResult<crate::security::AuditEntry> {
    Ok(crate::security::AuditEntry {
        id: row.int("id")?,
        at: row.int("at")?,
        actor: row.text("actor")?,
        action: row.text("action")?,
        object_type: row.text("object_type")?,
        object_id: row.text("object_id")?,
        region: row.opt_text("region_code")?,
        before: row.opt_text("before_value")?,
        after: row.opt_text("after_value")?,
        request_id: row.opt_text("request_id")?,
        client_addr: row.opt_text("client_addr")?,
        prev_hash: row.opt_text("prev_hash")?,
        hash: row.opt_text("hash")?,
    })
}

pub(crate) fn member(row: &impl RowExt) -> StoreResult<revita_methods::registry::Member> {
    use revita_methods::registry::{Labour, Schooling, Sex};
    let narrow = |column: &str| row.int(column).and_then(|v| i32::try_from(v).map_err(corrupt));
    let sex = row.text("sex")?;
    let labour = row.text("labour")?;
    let schooling = row.text("schooling")?;
    Ok(revita_methods::registry::Member {
        seq: narrow("seq")?,
        name: row.opt_text("name")?,
        sex: Sex::parse(&sex).ok_or_else(|| corrupt(format!("sex '{sex}'")))?,
        birth_year: narrow("birth_year")?,
        labour: Labour::parse(&labour).ok_or_else(|| corrupt(format!("labour '{labour}'")))?,
        disabled: row.int("disabled")? != 0,
        chronically_ill: row.int("chronically_ill")? != 0,
        schooling: Schooling::parse(&schooling).ok_or_else(|| corrupt(format!("schooling '{schooling}'")))?,
        insured: row.int("insured")? != 0,
    })
}

pub(crate) fn measure(row: &impl RowExt) -> StoreResult<revita_methods::monitoring::Measure> {
    let kind = row.text("kind")?;
    Ok(revita_methods::monitoring::Measure {
        kind: revita_methods::monitoring::MeasureKind::parse(&kind).ok_or_else(|| corrupt(format!("kind '{kind}'")))?,
        description: row.text("description")?,
        amount: row.float("amount")?,
        start: Date::parse(&row.text("start_date")?).map_err(corrupt)?,
        end: opt_date(row, "end_date")?,
        actor: row.text("actor")?,
        at: row.int("at")?,
    })
}
