//! Return-to-poverty monitoring in the browser: the registry screened
//! within the viewer's jurisdiction (county table and alerts: flagged
//! households that no case follows yet, overdue case steps), a household's
//! page (the triggers with their numbers; identifiers unmasked only for
//! roles that may see them, and every such view audited), and the forms
//! that open a case and move it through the procedure.

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use revita_app::cases::{CaseActor, Move};
use revita_app::{AppError, AppResult};
use revita_methods::Date;
use revita_methods::access::Action;
use revita_methods::monitoring::{Category, Channel, Step};
use revita_methods::screening::{DEFAULT_LINE, Deprivation, GroupLevel, MpiWeights, Tally};
use serde::Deserialize;

use crate::request_id::RequestId;
use crate::state::WebState;
use crate::views::PageContext;

/// Flagged households listed on the page (the count shows them all).
const LISTED: usize = 50;

fn today() -> Date {
    Date::from_days_since_epoch(crate::auth::now().div_euclid(86_400))
}

/// The query of the monitoring page.
#[derive(Debug, Deserialize)]
pub struct MonitoringParams {
    /// The monitoring line; default: the national line of this year, else
    /// SPEC B1's 7,600.
    line: Option<String>,
    /// The MPI cut-off k as a fraction (`1/3`, the default) or a decimal.
    k: Option<String>,
    /// The MPI weights as ten whole parts (default: the global MPI's).
    weights: Option<String>,
    /// The level of the table (default: county).
    level: Option<String>,
    /// Only the groups under this region (drill-down), with `under_level`.
    under: Option<String>,
    /// The level of `under`.
    under_level: Option<String>,
}

/// The line to screen against: the one asked for, else this year's
/// national line, else the default.
async fn line_of(state: &WebState, asked: Option<&str>) -> AppResult<f64> {
    if let Some(text) = asked.map(str::trim).filter(|t| !t.is_empty()) {
        return text.parse().map_err(|_| AppError::Invalid(format!("'{text}' is not an amount")));
    }
    let root = revita_methods::RegionCode::parse("000000").map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(state.app.monitoring_line_for(&root, today().year()).await?.map_or(DEFAULT_LINE, |l| l.amount))
}

/// `GET /monitoring`: the registry screened, and the alerts.
pub async fn monitoring_page(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Query(params): Query<MonitoringParams>,
) -> Response {
    let ctx = PageContext::new(&headers, "/monitoring".into()).viewer(viewer.as_deref());
    let result = async {
        let visible = state.visible(viewer.as_deref()).await?;
        let line = line_of(&state, params.line.as_deref()).await?;
        let k_text = params.k.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("1/3").to_string();
        let k = revita_methods::screening::parse_cutoff(&k_text).map_err(AppError::Invalid)?;
        let weights = match params.weights.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => MpiWeights::parse(text).map_err(AppError::Invalid)?,
            None => MpiWeights::GLOBAL,
        };
        let cutoff = weights.cutoff(k).map_err(AppError::Invalid)?;
        let level = match params.level.as_deref().filter(|l| !l.is_empty()) {
            Some(text) => GroupLevel::parse(text).ok_or_else(|| {
                AppError::Invalid(format!("level '{text}' is not province, prefecture, county, township or village"))
            })?,
            None => GroupLevel::County,
        };
        let under_level = params.under_level.as_deref().and_then(GroupLevel::parse);
        let under = match (&params.under, under_level) {
            (Some(code), Some(l)) if !code.is_empty() => Some((l, code.as_str())),
            _ => None,
        };
        // The page's figures, map and tables are made once per change of the
        // registry, cases, regions or stored results, per set of parameters,
        // scope, language and day, however many read it (issue 14: each
        // request screened the whole registry and drew the map).
        let versions = state.app.versions().await?;
        let topics = versions.key(&[
            revita_app::Topic::Registry,
            revita_app::Topic::Cases,
            revita_app::Topic::Regions,
            revita_app::Topic::Observations,
            revita_app::Topic::Indicators,
        ]);
        let key = format!(
            "{topics}|{}|{line}|{}|{cutoff}|{}|{under:?}|{}|{}",
            today(),
            weights.to_text(),
            level.as_str(),
            visible.key(),
            ctx.lang.code()
        );
        let values = state
            .monitoring_pages
            .get_or_compute(key, async || {
            // One pass over the registry: the groups (and their sum for the
            // totals), and the flagged households that no case follows.
            let grouping = revita_app::cases::Grouping { line, weights: &weights, cutoff, level, under };
            let overview = state.app.monitoring_overview(&grouping, &visible, LISTED).await?;
            let grouped = &overview.groups;
            let mut total = Tally::default();
            grouped.iter().for_each(|(_, t)| total.merge(t));
            let total_m0 = total.m0_under(&weights);
            let shares = total.contributions_under(&weights);
            let indicators: Vec<Value> = Deprivation::MPI
                .iter()
                .enumerate()
                .zip(total.censored_headcounts())
                .map(|((j, d), h)| {
                    context! {
                        name => d.name(),
                        weight => format!("{}/{}", weights.parts()[j], weights.scale()),
                        censored => format!("{h:.3}"),
                        share => format!("{:.1}", 100.0 * shares[j]),
                    }
                })
                .collect();
            let chart = revita_report::chart::bar_chart(&revita_report::chart::BarChart {
                title: ctx.t("share_of_m0").to_string(),
                unit: "%".into(),
                bars: Deprivation::MPI
                    .iter()
                    .zip(shares)
                    .map(|(d, share)| (ctx.t(&format!("indicator_{}", d.name())).to_string(), 100.0 * share))
                    .collect(),
            });
            let map = m0_map(&state, &ctx, level, grouped, &weights).await?;
            let query = format!("line={line}&k={k_text}&weights={}", weights.to_text());
            let below = level.below().map(|b| b.as_str());
            let counties: Vec<Value> = grouped
                .iter()
                .map(|(code, t)| {
                    context! {
                        code => code.clone(),
                        link => match (level, below) {
                            (GroupLevel::County, _) | (GroupLevel::Province, _) | (GroupLevel::Prefecture, _) => format!("/regions/{code}"),
                            _ => String::new(),
                        },
                        drill => below.map(|b| format!("/monitoring?{query}&level={b}&under={code}&under_level={}", level.as_str())),
                        households => t.households,
                        flagged => t.flagged,
                        flagged_pct => format!("{:.1}", 100.0 * t.flagged as f64 / t.households.max(1) as f64),
                        h => format!("{:.3}", t.headcount()),
                        a => format!("{:.3}", t.intensity_under(&weights)),
                        m0 => format!("{:.3}", t.m0_under(&weights)),
                        contribution => format!("{:.1}", 100.0 * t.share_of_m0(&total)),
                    }
                })
                .collect();
            let origin = revita_app::auth::Origin { now: crate::auth::now(), ..Default::default() };
            let actor = CaseActor { name: "", within: &visible, origin: &origin };
            let overdue: Vec<Value> = state
                .app
                .overdue_cases(&actor, today(), &revita_methods::monitoring::DEFAULT_TIME_LIMITS)
                .await?
                .into_iter()
                .map(|(case, late)| {
                    context! { id => case.id, household => case.household_id, step => late.step.as_str(), due => late.due.to_string(), days => late.days_late }
                })
                .collect();
            let rising: Vec<Value> = state
                .app
                .rising_regions(&visible)
                .await?
                .iter()
                .map(|r| {
                    context! {
                        region => r.region.to_string(), indicator => r.indicator,
                        from_year => r.rise.from.0, from => format!("{:.3}", r.rise.from.1),
                        to_year => r.rise.to.0, to => format!("{:.3}", r.rise.to.1),
                    }
                })
                .collect();
            let unfollowed_total = overview.unfollowed_total;
            let unfollowed: Vec<Value> = overview
                .unfollowed
                .iter()
                .map(|u| {
                    let fired: Vec<&str> = [
                        (u.flags.income, "income"),
                        (u.flags.drop, "drop"),
                        (u.flags.expense, "expense"),
                        (u.flags.guarantee, "guarantee"),
                    ]
                    .into_iter()
                    .filter_map(|(on, name)| on.then_some(name))
                    .collect();
                    context! {
                        id => u.household.id.clone(),
                        village => u.household.household.village_code.to_string(),
                        head => u.household.head_name.clone().unwrap_or_default(),
                        fired => fired,
                    }
                })
                .collect();
            let t = &total;
            let values = context! {
                line => line,
                k => k_text,
                cutoff => format!("{cutoff}/{}", weights.scale()),
                weights => weights.to_text(),
                chart => chart,
                level => level.as_str(),
                levels => GroupLevel::ALL.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
                under => params.under.clone().unwrap_or_default(),
                indicators => indicators,
                map => map,
                total => context! { households => t.households, flagged => t.flagged, h => format!("{:.3}", t.headcount()), a => format!("{:.3}", t.intensity_under(&weights)), m0 => format!("{total_m0:.3}") },
                counties => counties,
                overdue => overdue,
                rising => rising,
                unfollowed => unfollowed,
                unfollowed_total => unfollowed_total,
            };
                Ok(values)
            })
            .await?;
        crate::kit::rendered(&state, &ctx, "monitoring.html", ctx.t("monitoring"), (*values).clone())
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// A choropleth of M0 by group, over the groups with a stored boundary
/// (provinces, prefectures and counties; township and village boundaries
/// are rarely loaded), five quantile classes; none without boundaries.
async fn m0_map(
    state: &WebState,
    ctx: &PageContext,
    level: GroupLevel,
    grouped: &[(String, revita_methods::screening::Tally)],
    weights: &MpiWeights,
) -> AppResult<Option<String>> {
    use revita_report::map::{Choropleth, Feature, LegendEntry, render};
    use revita_report::palette::sequential;
    let values: std::collections::HashMap<&str, f64> =
        grouped.iter().map(|(c, t)| (c.as_str(), t.m0_under(weights))).collect();
    let regions = state.app.map_regions(level.as_str(), None).await?;
    let shown: Vec<&revita_app::maps::MapRegion> =
        regions.iter().filter(|r| !r.shape.is_empty() && values.contains_key(r.code.as_str())).collect();
    if shown.is_empty() {
        return Ok(None);
    }
    let m0s: Vec<f64> = shown.iter().map(|r| values[r.code.as_str()]).collect();
    let breaks = revita_methods::classify::quantile_breaks(&m0s, 5).unwrap_or_default();
    let colours = sequential(breaks.len().max(1), false);
    let features: Vec<Feature> = shown
        .iter()
        .map(|r| {
            let m0 = values[r.code.as_str()];
            let class = revita_methods::classify::class_of(m0, &breaks).min(colours.len() - 1);
            Feature {
                code: r.code.as_str(),
                shape: &r.shape,
                fill: colours[class],
                title: format!("{}: M0 {m0:.3}", ctx.lang.name(&r.name_zh, r.name_en.as_deref())),
                href: Some(format!("/regions/{}", r.code)),
            }
        })
        .collect();
    let mut lower = m0s.iter().copied().fold(f64::INFINITY, f64::min);
    let legend = breaks
        .iter()
        .zip(&colours)
        .map(|(upper, fill)| {
            let label = format!("{lower:.3} – {upper:.3}");
            lower = *upper;
            LegendEntry { fill: fill.to_string(), label }
        })
        .collect();
    let map = Choropleth {
        title: format!("M0 · {}", ctx.t(&format!("level_{}", level.as_str()))),
        subtitle: ctx.t("monitoring").to_string(),
        features,
        legend_title: "M0".into(),
        legend,
        width: 760.0,
        tolerance_px: 0.6,
    };
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}

/// `GET /households/{id}`: a household, its triggers and its cases.
pub async fn household_page(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(household_id): Path<String>,
) -> Response {
    let ctx = PageContext::new(&headers, format!("/households/{household_id}")).viewer(Some(&viewer));
    let result = async {
        let origin = crate::auth::origin(&headers, &id);
        let view = state.app.view_household(&viewer.actor, &household_id, &origin).await?;
        let (shown, county, unmasked, can_edit) = (&view.household, &view.county, view.unmasked, view.may_edit);
        let line = line_of(&state, None).await?;
        let h = &shown.household;
        let flags = h.flags(line);
        let cases: Vec<Value> = view
            .cases
            .iter()
            .map(|(case, events, measures)| {
                context! {
                    id => case.id,
                    category => case.category.as_str(),
                    channel => case.channel.as_str(),
                    step => case.step.as_str(),
                    since => case.step_since.to_string(),
                    version => case.version,
                    next => case.step.next().iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    measures_open => revita_methods::monitoring::measures_allowed(case.step),
                    measures => measures.iter().map(|m| context! {
                        kind => m.kind.as_str(), description => m.description.clone(), amount => m.amount,
                        start => m.start.to_string(), end => m.end.map(|d| d.to_string()).unwrap_or_default(),
                        actor => m.actor.clone(),
                    }).collect::<Vec<_>>(),
                    events => events.iter().map(|e| context! {
                        step => e.step.as_str(), on => e.on.to_string(), actor => e.actor.clone(),
                        evidence => e.evidence.clone().unwrap_or_default(),
                        notice_end => e.notice_end.map(|d| d.to_string()).unwrap_or_default(),
                    }).collect::<Vec<_>>(),
                }
            })
            .collect();
        let spending = (h.medical_exp + h.education_exp) + h.disaster_loss;
        let values = context! {
            household => context! {
                id => shown.id.clone(),
                village => h.village_code.to_string(),
                county => county.to_string(),
                head => shown.head_name.clone().unwrap_or_default(),
                id_number => shown.id_number.clone().unwrap_or_default(),
                phone => shown.phone.clone().unwrap_or_default(),
                size => h.size,
                labor => h.labor,
                income => h.income_pc,
                income_prev => h.income_pc_prev,
                spending => spending,
                half_income => 0.5 * h.income_pc * f64::from(h.size),
                deprived => Deprivation::ALL.iter().filter(|d| h.is_deprived(**d)).map(|d| d.name()).collect::<Vec<_>>(),
                flags_all => Deprivation::ALL.iter().map(|d| context! { name => d.name(), on => h.is_deprived(*d) }).collect::<Vec<_>>(),
                score => h.mpi_score(),
                medical => h.medical_exp,
                education => h.education_exp,
                disaster => h.disaster_loss,
                relocation_site => shown.relocation_site.clone().unwrap_or_default(),
                sources => shown.income_sources.map(|s| context! {
                    wage => s.wage, business => s.business, property => s.property, transfer => s.transfer,
                    total => s.total(), per_capita => format!("{:.2}", s.per_capita(h.size)),
                    transfer_share => s.transfer_share().map(|x| format!("{:.1}", 100.0 * x)).unwrap_or_default(),
                }),
                version => view.version,
            },
            members => view.members.iter().map(|m| context! {
                seq => m.seq, name => m.name.clone().unwrap_or_default(), sex => m.sex.as_str(),
                age => m.age(today().year()), labour => m.labour.as_str(), disabled => m.disabled,
                ill => m.chronically_ill, schooling => m.schooling.as_str(), insured => m.insured,
            }).collect::<Vec<_>>(),
            inconsistencies => view.inconsistencies.iter().map(|i| inconsistency_text(&ctx, i)).collect::<Vec<_>>(),
            unmasked => unmasked,
            line => line,
            flags => context! { income => flags.income, drop => flags.drop, expense => flags.expense, guarantee => flags.guarantee },
            cases => cases,
            can_edit => can_edit,
            csrf => viewer.csrf.clone().unwrap_or_default(),
            today => today().to_string(),
            measure_kinds => revita_methods::monitoring::MeasureKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            sexes => revita_methods::registry::Sex::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            labours => revita_methods::registry::Labour::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            schoolings => revita_methods::registry::Schooling::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            next_seq => view.members.iter().map(|m| m.seq).max().unwrap_or(0) + 1,
        };
        crate::kit::rendered(&state, &ctx, "household.html", ctx.t("household"), values)
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// The open-case form.
#[derive(Debug, Deserialize)]
pub struct OpenCaseForm {
    csrf: String,
    category: String,
    channel: String,
    on: String,
    evidence: Option<String>,
}

fn date(text: &str) -> AppResult<Date> {
    Date::parse(text.trim()).map_err(|e| AppError::Invalid(format!("'{text}': {e}")))
}

/// The actor of a case form: the viewer, where it may enter data.
async fn case_actor(state: &WebState, viewer: &crate::auth::Viewer) -> AppResult<revita_app::Jurisdiction> {
    state.app.jurisdiction(&viewer.actor, Action::EditData).await
}

/// `POST /households/{id}/cases`: opens a case, then back to the household.
pub async fn case_open(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(household_id): Path<String>,
    Form(form): Form<OpenCaseForm>,
) -> Response {
    let ctx = PageContext::new(&headers, format!("/households/{household_id}")).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(&form.csrf)?;
        let within = case_actor(&state, &viewer).await?;
        let origin = crate::auth::origin(&headers, &id);
        let actor = CaseActor { name: &viewer.actor.name, within: &within, origin: &origin };
        let category = Category::parse(&form.category).ok_or_else(|| AppError::Invalid("unknown category".into()))?;
        let channel = Channel::parse(&form.channel).ok_or_else(|| AppError::Invalid("unknown channel".into()))?;
        let evidence = form.evidence.clone().filter(|e| !e.trim().is_empty());
        state.app.open_case(&actor, &household_id, category, channel, date(&form.on)?, evidence).await?;
        Ok(Redirect::to(&format!("/households/{household_id}")).into_response())
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// The move form.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    csrf: String,
    to: String,
    on: String,
    version: i64,
    evidence: Option<String>,
    notice_end: Option<String>,
}

/// `POST /cases/{id}/move`: moves a case, then back to its household.
pub async fn case_move(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(case_id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Response {
    let ctx = PageContext::new(&headers, "/monitoring".into()).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(&form.csrf)?;
        let within = case_actor(&state, &viewer).await?;
        let origin = crate::auth::origin(&headers, &id);
        let actor = CaseActor { name: &viewer.actor.name, within: &within, origin: &origin };
        let to = Step::parse(&form.to).ok_or_else(|| AppError::Invalid(format!("'{}' is not a step", form.to)))?;
        let notice_end = form.notice_end.as_deref().filter(|t| !t.trim().is_empty()).map(date).transpose()?;
        let step = Move {
            to,
            on: date(&form.on)?,
            version: form.version,
            evidence: form.evidence.clone().filter(|e| !e.trim().is_empty()),
            notice_end,
        };
        let case = state.app.move_case(&actor, case_id, &step).await?;
        Ok(Redirect::to(&format!("/households/{}", case.household_id)).into_response())
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// `GET /api/v1/alerts`: overdue case steps and flagged households no case
/// follows, within the caller's jurisdiction.
pub async fn alerts_api(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Query(params): Query<MonitoringParams>,
) -> Result<axum::Json<serde_json::Value>, crate::error::ApiError> {
    let result = async {
        let visible = state.visible(Some(&viewer)).await?;
        let line = line_of(&state, params.line.as_deref()).await?;
        let origin = revita_app::auth::Origin { now: crate::auth::now(), ..Default::default() };
        let actor = CaseActor { name: &viewer.actor.name, within: &visible, origin: &origin };
        let overdue =
            state.app.overdue_cases(&actor, today(), &revita_methods::monitoring::DEFAULT_TIME_LIMITS).await?;
        let (unfollowed, total) = state.app.unfollowed(&visible, line, LISTED).await?;
        let rising = state.app.rising_regions(&visible).await?;
        Ok::<_, AppError>(serde_json::json!({
            "rising": rising.iter().map(|r| serde_json::json!({"region": r.region.as_str(), "indicator": r.indicator, "from_year": r.rise.from.0, "from": r.rise.from.1, "to_year": r.rise.to.0, "to": r.rise.to.1})).collect::<Vec<_>>(),
            "line": line,
            "overdue": overdue.iter().map(|(c, o)| serde_json::json!({"case": c.id, "household": c.household_id, "county": c.county.as_str(), "step": o.step.as_str(), "due": o.due.to_string(), "days_late": o.days_late})).collect::<Vec<_>>(),
            "flagged_without_case": total,
            "households": unfollowed.iter().map(|u| serde_json::json!({"id": u.household.id, "village": u.household.household.village_code.to_string()})).collect::<Vec<_>>(),
        }))
    };
    result.await.map(axum::Json).map_err(|e| crate::error::ApiError::new(e, &id.0))
}

/// `GET /monitoring/lines`: the monitoring lines, and a form to set one.
pub async fn lines_page(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
) -> Response {
    let ctx = PageContext::new(&headers, "/monitoring/lines".into()).viewer(Some(&viewer));
    let result = async {
        let lines: Vec<Value> = state
            .app
            .monitoring_lines()
            .await?
            .iter()
            .map(|l| {
                let (rule, multiple) = l.rule.parts();
                context! { region => l.region.to_string(), year => l.year, amount => l.amount, rule => rule, multiple => multiple }
            })
            .collect();
        let editable = state.app.jurisdiction(&viewer.actor, Action::EditData).await?;
        let values = context! {
            lines => lines,
            can_edit => !editable.is_nowhere(),
            csrf => viewer.csrf.clone().unwrap_or_default(),
            year => today().year(),
        };
        crate::kit::rendered(&state, &ctx, "lines.html", ctx.t("monitoring_lines"), values)
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// The line form.
#[derive(Debug, Deserialize)]
pub struct LineForm {
    csrf: String,
    region: String,
    year: i32,
    amount: f64,
    rule: Option<String>,
    multiple: Option<String>,
}

/// `POST /monitoring/lines`: sets a line within the user's jurisdiction.
pub async fn lines_set(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Form(form): Form<LineForm>,
) -> Response {
    let ctx = PageContext::new(&headers, "/monitoring/lines".into()).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(&form.csrf)?;
        let multiple = match form.multiple.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => {
                Some(text.parse::<f64>().map_err(|_| AppError::Invalid(format!("'{text}' is not a number")))?)
            }
            None => None,
        };
        let rule = revita_methods::monitoring::LineRule::from_parts(form.rule.as_deref().unwrap_or(""), multiple)
            .map_err(AppError::Invalid)?;
        let region = state.app.parse_region_code(&form.region)?;
        let line = revita_methods::monitoring::MonitoringLine { region, year: form.year, amount: form.amount, rule };
        let within = state.app.jurisdiction(&viewer.actor, Action::EditData).await?;
        let by = revita_app::auth::ChangeBy::new(&viewer.actor, &crate::auth::origin(&headers, &id));
        state.app.set_monitoring_line(line, &within, &by).await?;
        Ok(Redirect::to("/monitoring/lines").into_response())
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// `POST /households/{id}`: the household edit form (numbers, deprivation
/// checkboxes `d_<name>`, income by source, relocation site, version).
pub async fn household_edit(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(household_id): Path<String>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let ctx = PageContext::new(&headers, format!("/households/{household_id}")).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(form.get("csrf").map_or("", String::as_str))?;
        let edit = household_edit_of(&form)?;
        let origin = crate::auth::origin(&headers, &id);
        state.app.edit_household(&viewer.actor, &household_id, &edit, &origin).await?;
        Ok(Redirect::to(&format!("/households/{household_id}")).into_response())
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// Reads the edit form; every field is named in its error.
fn household_edit_of(
    form: &std::collections::HashMap<String, String>,
) -> AppResult<revita_app::registry::HouseholdEdit> {
    let field = |name: &str| form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let number = |name: &str| -> AppResult<Option<f64>> {
        field(name)
            .map(|t| {
                revita_methods::observation::parse_value(t)
                    .ok_or_else(|| AppError::Invalid(format!("{name}: '{t}' is not a number")))
            })
            .transpose()
    };
    let required = |name: &str| number(name)?.ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")));
    let whole = |name: &str| -> AppResult<i32> {
        let t = field(name).ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")))?;
        t.parse().map_err(|_| AppError::Invalid(format!("{name}: '{t}' is not a whole number")))
    };
    let deprived = Deprivation::ALL
        .iter()
        .filter(|d| field(&format!("d_{}", d.name())).is_some())
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
        relocation_site: field("relocation_site").map(str::to_string),
        version: whole("version")?.into(),
    })
}

/// The income-source fields, named as in registry files.
const INCOME_SOURCES: [&str; 4] = ["income_wage", "income_business", "income_property", "income_transfer"];

/// An inconsistency in the page's language.
fn inconsistency_text(ctx: &PageContext, found: &revita_methods::registry::Inconsistency) -> String {
    use revita_methods::registry::Inconsistency;
    match found {
        Inconsistency::Size { listed, recorded } => format!("{}: {listed} ≠ {recorded}", ctx.t("mismatch_size")),
        Inconsistency::Labour { listed, recorded } => format!("{}: {listed} ≠ {recorded}", ctx.t("mismatch_labour")),
        Inconsistency::Income { from_sources, recorded } => {
            format!("{}: {from_sources:.2} ≠ {recorded:.2}", ctx.t("mismatch_income"))
        }
        Inconsistency::GuaranteeNotFlagged { seq } => format!("{}: {seq}", ctx.t("mismatch_guarantee")),
    }
}

/// `POST /cases/{id}/measures`: records an assistance measure (`kind`,
/// `description`, `amount`, `start`, `end`), then back to the household.
pub async fn case_measure(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(case_id): Path<i64>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let ctx = PageContext::new(&headers, "/monitoring".into()).viewer(Some(&viewer));
    let result = async {
        let field = |name: &str| form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        viewer.check_csrf(field("csrf").unwrap_or(""))?;
        let within = case_actor(&state, &viewer).await?;
        let origin = crate::auth::origin(&headers, &id);
        let actor = CaseActor { name: &viewer.actor.name, within: &within, origin: &origin };
        let kind = field("kind")
            .and_then(revita_methods::monitoring::MeasureKind::parse)
            .ok_or_else(|| AppError::Invalid("kind: not a kind of assistance".into()))?;
        let amount_text = field("amount").unwrap_or("0");
        let measure = revita_methods::monitoring::Measure {
            kind,
            description: field("description").unwrap_or("").to_string(),
            amount: revita_methods::observation::parse_value(amount_text)
                .ok_or_else(|| AppError::Invalid(format!("amount: '{amount_text}' is not a number")))?,
            start: date(field("start").ok_or_else(|| AppError::Invalid("start: a date is required".into()))?)?,
            end: field("end").map(date).transpose()?,
            actor: String::new(),
            at: 0,
        };
        let case = state.app.record_measure(&actor, case_id, &measure).await?;
        Ok(Redirect::to(&format!("/households/{}", case.household_id)).into_response())
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// The alerts a logged-in user's home page shows: overdue case steps and
/// regions whose flagged share or M0 rose, within the user's jurisdiction,
/// computed once per data version, day and scope (the home page is the most
/// visited; the cases are read whole). Flagged households without a case
/// need a registry scan; the home page links to the monitoring page for them.
pub async fn home_alerts(
    state: &WebState,
    viewer: &crate::auth::Viewer,
    visible: &revita_app::Jurisdiction,
) -> AppResult<Value> {
    let versions = state.app.versions().await?;
    let topics =
        versions.key(&[revita_app::Topic::Cases, revita_app::Topic::Registry, revita_app::Topic::Observations]);
    let key = format!("{topics}|{}|{}", today(), visible.key());
    let alerts = state.alerts.get_or_compute(key, async || compute_home_alerts(state, viewer, visible).await).await?;
    Ok((*alerts).clone())
}

async fn compute_home_alerts(
    state: &WebState,
    viewer: &crate::auth::Viewer,
    visible: &revita_app::Jurisdiction,
) -> AppResult<Value> {
    let origin = revita_app::auth::Origin { now: crate::auth::now(), ..Default::default() };
    let actor = CaseActor { name: &viewer.actor.name, within: visible, origin: &origin };
    let overdue = state.app.overdue_cases(&actor, today(), &revita_methods::monitoring::DEFAULT_TIME_LIMITS).await?;
    let rising = state.app.rising_regions(visible).await?;
    Ok(context! {
        overdue => overdue.iter().take(5).map(|(case, late)| context! {
            id => case.id, household => case.household_id.clone(), step => late.step.as_str(), days => late.days_late,
        }).collect::<Vec<_>>(),
        overdue_total => overdue.len(),
        rising => rising.iter().take(5).map(|r| context! { region => r.region.to_string(), indicator => r.indicator }).collect::<Vec<_>>(),
        rising_total => rising.len(),
    })
}

/// `GET /monitoring/households.csv`: the registry within the viewer's
/// jurisdiction, identifiers masked unless the viewer may read them there.
pub async fn registry_csv(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Query(params): Query<MonitoringParams>,
) -> Response {
    let ctx = PageContext::new(&headers, "/monitoring".into()).viewer(Some(&viewer));
    let result = async {
        let line = line_of(&state, params.line.as_deref()).await?;
        let mut bytes = Vec::new();
        let origin = crate::auth::origin(&headers, &id);
        state.app.export_registry(&viewer.actor, line, &mut bytes, &origin).await?;
        Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Csv, "registry"))
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// `POST /households/{id}/members`: adds or replaces (by `seq`) one member,
/// or with `remove`, removes member `seq`; guarded by the household's
/// `version`.
pub async fn member_change(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    Path(household_id): Path<String>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    use revita_methods::registry::{Labour, Member, Schooling, Sex};
    let ctx = PageContext::new(&headers, format!("/households/{household_id}")).viewer(Some(&viewer));
    let result = async {
        let field = |name: &str| form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        viewer.check_csrf(field("csrf").unwrap_or(""))?;
        let whole = |name: &str| -> AppResult<i64> {
            let t = field(name).ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")))?;
            t.parse().map_err(|_| AppError::Invalid(format!("{name}: '{t}' is not a whole number")))
        };
        let keyword = |name: &str| field(name).ok_or_else(|| AppError::Invalid(format!("{name}: a value is required")));
        let seq = i32::try_from(whole("seq")?).map_err(|_| AppError::Invalid("seq: out of range".into()))?;
        let change = if field("remove").is_some() {
            revita_app::registry::MemberChange::Remove(seq)
        } else {
            revita_app::registry::MemberChange::Save(Member {
                seq,
                name: field("name").map(str::to_string),
                sex: Sex::parse(keyword("sex")?).ok_or_else(|| AppError::Invalid("sex: male or female".into()))?,
                birth_year: i32::try_from(whole("birth_year")?)
                    .map_err(|_| AppError::Invalid("birth_year: out of range".into()))?,
                labour: Labour::parse(keyword("labour")?).ok_or_else(|| AppError::Invalid("labour: unknown".into()))?,
                disabled: field("disabled").is_some(),
                chronically_ill: field("chronically_ill").is_some(),
                schooling: Schooling::parse(keyword("schooling")?)
                    .ok_or_else(|| AppError::Invalid("schooling: unknown".into()))?,
                insured: field("insured").is_some(),
            })
        };
        let origin = crate::auth::origin(&headers, &id);
        state.app.change_member(&viewer.actor, &household_id, change, whole("version")?, &origin).await?;
        Ok(Redirect::to(&format!("/households/{household_id}")).into_response())
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}
