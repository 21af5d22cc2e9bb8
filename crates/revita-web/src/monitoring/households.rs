//! A household's page (triggers with their numbers, members, cases) and the
//! forms that change it: the household's figures, its members, opening a
//! case, moving it through the procedure, recording assistance.

use axum::extract::{Form, Path};
use revita_app::cases::{CaseActor, Move};
use revita_app::{App, AppError, AppResult, Jurisdiction};
use revita_methods::access::Action;
use revita_methods::monitoring::{Category, Channel, MeasureKind, Step};
use revita_methods::registry::{Inconsistency, Labour, Member, Schooling, Sex};
use revita_methods::screening::Deprivation;
use serde::Serialize;

use super::line_of;
use crate::kit::{Fields, Page, PageResult, date, field, number, required, today};
use crate::views::PageContext;

/// A measure of assistance recorded on a case.
#[derive(Serialize)]
struct MeasureRow {
    kind: &'static str,
    description: String,
    amount: f64,
    start: String,
    end: String,
    actor: String,
}

/// A step a case took.
#[derive(Serialize)]
struct EventRow {
    step: &'static str,
    on: String,
    actor: String,
    evidence: String,
    notice_end: String,
}

/// A case of the household.
#[derive(Serialize)]
struct CaseRow {
    id: i64,
    category: &'static str,
    channel: &'static str,
    step: &'static str,
    since: String,
    version: i64,
    next: Vec<&'static str>,
    measures_open: bool,
    measures: Vec<MeasureRow>,
    events: Vec<EventRow>,
}

/// A deprivation and whether the household has it.
#[derive(Serialize)]
struct Flag {
    name: &'static str,
    on: bool,
}

/// Income by source.
#[derive(Serialize)]
struct Sources {
    wage: f64,
    business: f64,
    property: f64,
    transfer: f64,
    total: f64,
    per_capita: String,
    transfer_share: String,
}

/// The household's figures (identifiers masked unless the reader may see
/// them).
#[derive(Serialize)]
struct HouseholdFigures {
    id: String,
    village: String,
    county: String,
    head: String,
    id_number: String,
    phone: String,
    size: i32,
    labor: i32,
    income: f64,
    income_prev: f64,
    spending: f64,
    half_income: f64,
    deprived: Vec<&'static str>,
    flags_all: Vec<Flag>,
    score: u32,
    medical: f64,
    education: f64,
    disaster: f64,
    relocation_site: String,
    sources: Option<Sources>,
    version: i64,
}

/// A member of the household.
#[derive(Serialize)]
struct MemberRow {
    seq: i32,
    name: String,
    sex: &'static str,
    age: i32,
    labour: &'static str,
    disabled: bool,
    ill: bool,
    schooling: &'static str,
    insured: bool,
}

/// Which triggers fired.
#[derive(Serialize)]
struct Fired {
    income: bool,
    drop: bool,
    expense: bool,
    guarantee: bool,
}

/// `household.html`.
#[derive(Serialize)]
struct HouseholdView {
    household: HouseholdFigures,
    members: Vec<MemberRow>,
    inconsistencies: Vec<String>,
    unmasked: bool,
    line: f64,
    flags: Fired,
    cases: Vec<CaseRow>,
    can_edit: bool,
    csrf: String,
    today: String,
    measure_kinds: Vec<&'static str>,
    sexes: Vec<&'static str>,
    labours: Vec<&'static str>,
    schoolings: Vec<&'static str>,
    next_seq: i32,
    /// The form that was refused, shown again.
    refused: Option<crate::kit::Refused>,
}

/// `GET /households/{id}`: a household, its triggers and its cases.
pub async fn household_page(page: Page, Path(household_id): Path<String>) -> PageResult {
    household_shown(page, &household_id, None).await
}

/// The household page; with `refused`, that form open with its reason and
/// what was typed, answered 422.
async fn household_shown(page: Page, household_id: &str, refused: Option<crate::kit::Refused>) -> PageResult {
    let household_id = household_id.to_string();
    let view = page.app().view_household(&page.viewer()?.actor, &household_id, &page.origin()).await?;
    let line = line_of(&page.state, None).await?;
    let shown = &view.household;
    let h = &shown.household;
    let flags = h.flags(line);
    let cases = view
        .cases
        .iter()
        .map(|(case, events, measures)| CaseRow {
            id: case.id,
            category: case.category.as_str(),
            channel: case.channel.as_str(),
            step: case.step.as_str(),
            since: case.step_since.to_string(),
            version: case.version,
            next: case.step.next().iter().map(|s| s.as_str()).collect(),
            measures_open: revita_methods::monitoring::measures_allowed(case.step),
            measures: measures
                .iter()
                .map(|m| MeasureRow {
                    kind: m.kind.as_str(),
                    description: m.description.clone(),
                    amount: m.amount,
                    start: m.start.to_string(),
                    end: m.end.map(|d| d.to_string()).unwrap_or_default(),
                    actor: m.actor.clone(),
                })
                .collect(),
            events: events
                .iter()
                .map(|e| EventRow {
                    step: e.step.as_str(),
                    on: e.on.to_string(),
                    actor: e.actor.clone(),
                    evidence: e.evidence.clone().unwrap_or_default(),
                    notice_end: e.notice_end.map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    let figures = HouseholdFigures {
        id: shown.id.clone(),
        village: h.village_code.to_string(),
        county: view.county.to_string(),
        head: shown.head_name.clone().unwrap_or_default(),
        id_number: shown.id_number.clone().unwrap_or_default(),
        phone: shown.phone.clone().unwrap_or_default(),
        size: h.size,
        labor: h.labor,
        income: h.income_pc,
        income_prev: h.income_pc_prev,
        spending: (h.medical_exp + h.education_exp) + h.disaster_loss,
        half_income: 0.5 * h.income_pc * f64::from(h.size),
        deprived: Deprivation::ALL.iter().filter(|d| h.is_deprived(**d)).map(|d| d.name()).collect(),
        flags_all: Deprivation::ALL.iter().map(|d| Flag { name: d.name(), on: h.is_deprived(*d) }).collect(),
        score: h.mpi_score(),
        medical: h.medical_exp,
        education: h.education_exp,
        disaster: h.disaster_loss,
        relocation_site: shown.relocation_site.clone().unwrap_or_default(),
        sources: shown.income_sources.map(|s| Sources {
            wage: s.wage,
            business: s.business,
            property: s.property,
            transfer: s.transfer,
            total: s.total(),
            per_capita: format!("{:.2}", s.per_capita(h.size)),
            transfer_share: s.transfer_share().map(|x| format!("{:.1}", 100.0 * x)).unwrap_or_default(),
        }),
        version: view.version,
    };
    let year = today().year();
    let members = view
        .members
        .iter()
        .map(|m| MemberRow {
            seq: m.seq,
            name: m.name.clone().unwrap_or_default(),
            sex: m.sex.as_str(),
            age: m.age(year),
            labour: m.labour.as_str(),
            disabled: m.disabled,
            ill: m.chronically_ill,
            schooling: m.schooling.as_str(),
            insured: m.insured,
        })
        .collect();
    let view = HouseholdView {
        household: figures,
        members,
        inconsistencies: view.inconsistencies.iter().map(|i| inconsistency_text(&page.ctx, i)).collect(),
        unmasked: view.unmasked,
        line,
        flags: Fired { income: flags.income, drop: flags.drop, expense: flags.expense, guarantee: flags.guarantee },
        cases,
        can_edit: view.may_edit,
        csrf: page.csrf(),
        today: today().to_string(),
        measure_kinds: MeasureKind::ALL.iter().map(|k| k.as_str()).collect(),
        sexes: Sex::ALL.iter().map(|k| k.as_str()).collect(),
        labours: Labour::ALL.iter().map(|k| k.as_str()).collect(),
        schoolings: Schooling::ALL.iter().map(|k| k.as_str()).collect(),
        next_seq: view.members.iter().map(|m| m.seq).max().unwrap_or(0) + 1,
        refused,
    };
    match view.refused.is_some() {
        true => {
            page.render_with(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "household.html", page.t("household"), view)
        }
        false => page.render("household.html", page.t("household"), view),
    }
}

/// An inconsistency in the page's language.
fn inconsistency_text(ctx: &PageContext, found: &Inconsistency) -> String {
    match found {
        Inconsistency::Size { listed, recorded } => format!("{}: {listed} ≠ {recorded}", ctx.t("mismatch_size")),
        Inconsistency::Labour { listed, recorded } => format!("{}: {listed} ≠ {recorded}", ctx.t("mismatch_labour")),
        Inconsistency::Income { from_sources, recorded } => {
            format!("{}: {from_sources:.2} ≠ {recorded:.2}", ctx.t("mismatch_income"))
        }
        Inconsistency::GuaranteeNotFlagged { seq } => format!("{}: {seq}", ctx.t("mismatch_guarantee")),
    }
}

/// Where the viewer may enter data: the jurisdiction of the case forms.
async fn data_entry(page: &Page) -> AppResult<Jurisdiction> {
    page.app().jurisdiction(&page.viewer()?.actor, Action::EditData).await
}

/// `POST /households/{id}`: the household edit form (numbers, deprivation
/// checkboxes `d_<name>`, income by source, relocation site, version).
pub async fn household_edit(page: Page, Path(household_id): Path<String>, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let edited = async {
        let edit = household_edit_of(&form)?;
        page.app().edit_household(&page.viewer()?.actor, &household_id, &edit, &page.origin()).await
    };
    match edited.await {
        Ok(_) => page.see_other(&format!("/households/{household_id}")),
        Err(e) => refuse_or_fail(page, &household_id, "household", form, e).await,
    }
}

/// A household-page form refused by the data (a bad value, a stale
/// version): the page again with the reason on that form and what was
/// typed in it (422); any other error is an error page.
async fn refuse_or_fail(page: Page, household_id: &str, form_name: &str, form: Fields, error: AppError) -> PageResult {
    match error {
        AppError::Invalid(reason) | AppError::Conflict(reason) => {
            let refused = crate::kit::Refused::new(form_name.to_string(), reason, form, None);
            household_shown(page, household_id, Some(refused)).await
        }
        e => Err(e.into()),
    }
}

/// The income-source fields, named as in registry files.
const INCOME_SOURCES: [&str; 4] = ["income_wage", "income_business", "income_property", "income_transfer"];

/// Reads the edit form; every field is named in its error.
fn household_edit_of(form: &Fields) -> AppResult<revita_app::registry::HouseholdEdit> {
    let number = |name: &str| -> AppResult<Option<f64>> {
        field(form, name)
            .map(|t| {
                revita_methods::observation::parse_value(t)
                    .ok_or_else(|| AppError::Invalid(format!("{name}: '{t}' is not a number")))
            })
            .transpose()
    };
    let required = |name: &str| number(name)?.ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")));
    let whole = |name: &str| -> AppResult<i32> {
        let t = field(form, name).ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")))?;
        t.parse().map_err(|_| AppError::Invalid(format!("{name}: '{t}' is not a whole number")))
    };
    let deprived = Deprivation::ALL
        .iter()
        .filter(|d| field(form, &format!("d_{}", d.name())).is_some())
        .fold(0u16, |bits, d| bits | d.bit());
    let sources: Vec<Option<f64>> = INCOME_SOURCES.iter().map(|n| number(n)).collect::<AppResult<_>>()?;
    let income_sources = match sources.as_slice() {
        [Some(wage), Some(business), Some(property), Some(transfer)] => Some(revita_methods::registry::IncomeSources {
            wage: *wage,
            business: *business,
            property: *property,
            transfer: *transfer,
        }),
        [None, None, None, None] => None,
        _ => return Err(AppError::Invalid("income by source: give all four sources or none".into())),
    };
    Ok(revita_app::registry::HouseholdEdit {
        household: revita_methods::screening::Household {
            village_code: 0,
            size: whole("size")?,
            labor: whole("labor")?,
            income_pc: required("income_pc")?,
            income_pc_prev: required("income_pc_prev")?,
            medical_exp: required("medical_exp")?,
            education_exp: required("education_exp")?,
            disaster_loss: required("disaster_loss")?,
            deprived,
        },
        income_sources,
        relocation_site: field(form, "relocation_site").map(str::to_string),
        version: whole("version")?.into(),
    })
}

/// `POST /households/{id}/members`: adds or replaces (by `seq`) one member,
/// or with `remove`, removes member `seq`; guarded by the household's
/// `version`.
pub async fn member_change(page: Page, Path(household_id): Path<String>, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let changed = async {
        let whole = |name: &str| -> AppResult<i64> {
            let t = field(&form, name).ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")))?;
            t.parse().map_err(|_| AppError::Invalid(format!("{name}: '{t}' is not a whole number")))
        };
        let keyword =
            |name: &str| field(&form, name).ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")));
        let seq = i32::try_from(whole("seq")?).map_err(|_| AppError::Invalid("seq: out of range".into()))?;
        let change = if field(&form, "remove").is_some() {
            revita_app::registry::MemberChange::Remove(seq)
        } else {
            revita_app::registry::MemberChange::Save(Member {
                seq,
                name: field(&form, "name").map(str::to_string),
                sex: Sex::parse(keyword("sex")?).ok_or_else(|| AppError::Invalid("sex: male or female".into()))?,
                birth_year: i32::try_from(whole("birth_year")?)
                    .map_err(|_| AppError::Invalid("birth_year: out of range".into()))?,
                labour: Labour::parse(keyword("labour")?).ok_or_else(|| AppError::Invalid("labour: unknown".into()))?,
                disabled: field(&form, "disabled").is_some(),
                chronically_ill: field(&form, "chronically_ill").is_some(),
                schooling: Schooling::parse(keyword("schooling")?)
                    .ok_or_else(|| AppError::Invalid("schooling: unknown".into()))?,
                insured: field(&form, "insured").is_some(),
            })
        };
        page.app().change_member(&page.viewer()?.actor, &household_id, change, whole("version")?, &page.origin()).await
    };
    match changed.await {
        Ok(_) => page.see_other(&format!("/households/{household_id}")),
        Err(e) => refuse_or_fail(page, &household_id, "member", form, e).await,
    }
}

/// A change to a monitoring case, from a form or the API: the one place
/// its fields are read, so that both check the same things.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CaseWrite<'a> {
    /// Opens a case on the household: `category`, `channel`, `on`,
    /// `evidence`.
    Open(&'a str),
    /// Moves the case `id` a step: `to`, `on`, `version`, `evidence`,
    /// `notice_end`.
    Move(i64),
    /// Records a measure on the case `id`: `kind`, `description`, `amount`,
    /// `start`, `end`.
    Measure(i64),
}

impl CaseWrite<'_> {
    /// Runs the change; the case it opened or changed and its household.
    pub(crate) async fn run(self, app: &App, actor: &CaseActor<'_>, form: &Fields) -> AppResult<(i64, String)> {
        let evidence = field(form, "evidence").map(str::to_string);
        match self {
            CaseWrite::Open(household_id) => {
                let category = Category::parse(required(form, "category")?)
                    .ok_or_else(|| AppError::Invalid("category: unknown category".into()))?;
                let channel = Channel::parse(required(form, "channel")?)
                    .ok_or_else(|| AppError::Invalid("channel: unknown channel".into()))?;
                let case = app.open_case(actor, household_id, category, channel, date(form, "on")?, evidence).await?;
                Ok((case, household_id.to_string()))
            }
            CaseWrite::Move(case_id) => {
                let to = required(form, "to")?;
                let to = Step::parse(to).ok_or_else(|| AppError::Invalid(format!("to: '{to}' is not a step")))?;
                let notice_end = field(form, "notice_end").map(|_| date(form, "notice_end")).transpose()?;
                let step = Move { to, on: date(form, "on")?, version: number(form, "version")?, evidence, notice_end };
                let case = app.move_case(actor, case_id, &step).await?;
                Ok((case.id, case.household_id))
            }
            CaseWrite::Measure(case_id) => {
                let kind = field(form, "kind")
                    .and_then(MeasureKind::parse)
                    .ok_or_else(|| AppError::Invalid("kind: not a kind of assistance".into()))?;
                let amount_text = field(form, "amount").unwrap_or("0");
                let measure = revita_methods::monitoring::Measure {
                    kind,
                    description: field(form, "description").unwrap_or("").to_string(),
                    amount: revita_methods::observation::parse_value(amount_text)
                        .ok_or_else(|| AppError::Invalid(format!("amount: '{amount_text}' is not a number")))?,
                    start: date(form, "start")?,
                    end: field(form, "end").map(|_| date(form, "end")).transpose()?,
                    actor: String::new(),
                    at: 0,
                };
                let case = app.record_measure(actor, case_id, &measure).await?;
                Ok((case.id, case.household_id))
            }
        }
    }
}

/// Runs a case form's change, then back to the case's household; a change
/// the data refuse (a step out of order, a stale version, a bad date)
/// shows the household again with the reason on that form and what was
/// typed in it.
async fn case_change(page: Page, write: CaseWrite<'_>, form: Fields) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at("/monitoring");
    let within = data_entry(&page).await?;
    let origin = page.origin();
    let actor = CaseActor { name: &page.viewer()?.actor.name, within: &within, origin: &origin };
    match write.run(page.app(), &actor, &form).await {
        Ok((_, household)) => page.see_other(&format!("/households/{household}")),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => {
            let (name, household, item) = match write {
                CaseWrite::Open(household) => ("open-case".to_string(), household.to_string(), None),
                CaseWrite::Move(case) => (
                    format!("move-{case}"),
                    page.app().case_with_events(&actor, case).await?.0.household_id,
                    Some(case),
                ),
                CaseWrite::Measure(case) => (
                    format!("measure-{case}"),
                    page.app().case_with_events(&actor, case).await?.0.household_id,
                    Some(case),
                ),
            };
            let page = page.at(&format!("/households/{household}"));
            household_shown(page, &household, Some(crate::kit::Refused::new(name, reason, form, item))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /households/{id}/cases`: opens a case, then back to the household.
pub async fn case_open(page: Page, Path(household_id): Path<String>, Form(form): Form<Fields>) -> PageResult {
    case_change(page, CaseWrite::Open(&household_id), form).await
}

/// `POST /cases/{id}/move`: moves a case, then back to its household.
pub async fn case_move(page: Page, Path(case_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    case_change(page, CaseWrite::Move(case_id), form).await
}

/// `POST /cases/{id}/measures`: records an assistance measure (`kind`,
/// `description`, `amount`, `start`, `end`), then back to the household.
pub async fn case_measure(page: Page, Path(case_id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    case_change(page, CaseWrite::Measure(case_id), form).await
}
