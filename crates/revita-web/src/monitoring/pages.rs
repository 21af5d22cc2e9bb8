//! The monitoring page (the registry screened, grouped, mapped, and the
//! alerts), the registry download and the home page's alerts.

use std::collections::HashMap;

use axum::extract::Query;
use revita_app::cases::CaseActor;
use revita_app::{AppError, AppResult, Topic};
use revita_methods::monitoring::DEFAULT_TIME_LIMITS;
use revita_methods::screening::{Deprivation, GroupLevel, MpiWeights, Tally};
use serde::Serialize;

use super::{LISTED, MonitoringParams, line_of};
use crate::kit::{Page, PageResult, today};
use crate::state::WebState;
use crate::views::PageContext;

/// One MPI indicator's part of the whole.
#[derive(Serialize, Clone)]
struct IndicatorShare {
    name: &'static str,
    weight: String,
    censored: String,
    share: String,
}

/// One group (a county, a province, …) of the table.
#[derive(Serialize, Clone)]
struct GroupRow {
    code: String,
    /// The region's page, for groups that are regions with pages.
    link: String,
    /// The same table one level down, within this group.
    drill: Option<String>,
    households: u64,
    flagged: u64,
    flagged_pct: String,
    h: String,
    a: String,
    m0: String,
    contribution: String,
}

/// The totals over every group.
#[derive(Serialize, Clone)]
struct Totals {
    households: u64,
    flagged: u64,
    h: String,
    a: String,
    m0: String,
}

/// A case whose next step is late.
#[derive(Serialize, Clone)]
struct OverdueRow {
    id: i64,
    household: String,
    step: &'static str,
    due: String,
    days: i64,
}

/// A region whose flagged share or M0 rose.
#[derive(Serialize, Clone)]
struct RisingRow {
    region: String,
    indicator: &'static str,
    from_year: i32,
    from: String,
    to_year: i32,
    to: String,
}

/// A flagged household no case follows.
#[derive(Serialize, Clone)]
struct UnfollowedRow {
    id: String,
    village: String,
    head: String,
    fired: Vec<&'static str>,
}

/// `monitoring.html`: made once per change of what it shows (see
/// [`monitoring_page`]), so it is kept whole in a cache.
#[derive(Serialize, Clone)]
pub(crate) struct MonitoringView {
    line: f64,
    k: String,
    cutoff: String,
    weights: String,
    chart: String,
    level: &'static str,
    levels: Vec<&'static str>,
    under: String,
    indicators: Vec<IndicatorShare>,
    map: Option<String>,
    total: Totals,
    counties: Vec<GroupRow>,
    overdue: Vec<OverdueRow>,
    rising: Vec<RisingRow>,
    unfollowed: Vec<UnfollowedRow>,
    unfollowed_total: usize,
}

/// How the registry is screened and grouped, from the query.
struct Screening<'a> {
    line: f64,
    k_text: String,
    weights: MpiWeights,
    cutoff: u32,
    level: GroupLevel,
    under: Option<(GroupLevel, &'a str)>,
}

impl<'a> Screening<'a> {
    async fn of(page: &Page, params: &'a MonitoringParams) -> AppResult<Screening<'a>> {
        let line = line_of(&page.state, params.line.as_deref()).await?;
        let k_text = params.k.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("1/3").to_string();
        let k = revita_methods::screening::parse_cutoff(&k_text).map_err(|e| AppError::Invalid(e.to_string()))?;
        let weights = match params.weights.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => MpiWeights::parse(text).map_err(|e| AppError::Invalid(e.to_string()))?,
            None => MpiWeights::GLOBAL,
        };
        let cutoff = weights.cutoff(k).map_err(|e| AppError::Invalid(e.to_string()))?;
        let level = match params.level.as_deref().filter(|l| !l.is_empty()) {
            Some(text) => GroupLevel::parse(text).ok_or_else(|| {
                AppError::Invalid(format!("level '{text}' is not province, prefecture, county, township or village"))
            })?,
            None => GroupLevel::County,
        };
        let under = match (&params.under, params.under_level.as_deref().and_then(GroupLevel::parse)) {
            (Some(code), Some(l)) if !code.is_empty() => Some((l, code.as_str())),
            _ => None,
        };
        Ok(Screening { line, k_text, weights, cutoff, level, under })
    }
}

/// `GET /monitoring`: the registry screened, and the alerts.
pub async fn monitoring_page(page: Page, Query(params): Query<MonitoringParams>) -> PageResult {
    let page = page.at("/monitoring");
    let visible = page.visible().await?;
    let screening = Screening::of(&page, &params).await?;
    // The page is made once per change of the registry, cases, regions or
    // stored results, per set of parameters, scope, language and day,
    // however many read it (issue 14: each request screened the whole
    // registry and drew the map).
    let versions = page.app().versions().await?;
    let topics = versions.key(&[Topic::Registry, Topic::Cases, Topic::Regions, Topic::Observations, Topic::Indicators]);
    let s = &screening;
    let key = format!(
        "{topics}|{}|{}|{}|{}|{}|{:?}|{}|{}",
        today(),
        s.line,
        s.weights.to_text(),
        s.cutoff,
        s.level.as_str(),
        s.under,
        visible.key(),
        page.lang().code()
    );
    let view = page
        .state
        .monitoring_pages
        .get_or_compute(key, async || monitoring_view(&page, &screening, &params, &visible).await)
        .await?;
    page.render("monitoring.html", page.t("monitoring"), &*view)
}

/// The monitoring page's view: one pass over the registry (the groups,
/// their sum for the totals, and the flagged households no case follows),
/// then the cases and the rising regions.
async fn monitoring_view(
    page: &Page,
    s: &Screening<'_>,
    params: &MonitoringParams,
    visible: &revita_app::Jurisdiction,
) -> AppResult<MonitoringView> {
    let (ctx, weights, level) = (&page.ctx, &s.weights, s.level);
    let grouping = revita_app::cases::Grouping { line: s.line, weights, cutoff: s.cutoff, level, under: s.under };
    let overview = page.app().monitoring_overview(&grouping, visible, LISTED).await?;
    let grouped = &overview.groups;
    let mut total = Tally::default();
    grouped.iter().for_each(|(_, t)| total.merge(t));
    let shares = total.contributions_under(weights);
    let indicators = Deprivation::MPI
        .iter()
        .enumerate()
        .zip(total.censored_headcounts())
        .map(|((j, d), h)| IndicatorShare {
            name: d.name(),
            weight: format!("{}/{}", weights.parts()[j], weights.scale()),
            censored: format!("{h:.3}"),
            share: format!("{:.1}", 100.0 * shares[j]),
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
    let map = m0_map(&page.state, ctx, level, grouped, weights).await?;
    let query = format!("line={}&k={}&weights={}", s.line, s.k_text, weights.to_text());
    let below = level.below().map(|b| b.as_str());
    let counties = grouped
        .iter()
        .map(|(code, t)| GroupRow {
            code: code.clone(),
            link: match level {
                GroupLevel::County | GroupLevel::Province | GroupLevel::Prefecture => format!("/regions/{code}"),
                _ => String::new(),
            },
            drill: below.map(|b| format!("/monitoring?{query}&level={b}&under={code}&under_level={}", level.as_str())),
            households: t.households,
            flagged: t.flagged,
            flagged_pct: format!("{:.1}", 100.0 * t.flagged as f64 / t.households.max(1) as f64),
            h: format!("{:.3}", t.headcount()),
            a: format!("{:.3}", t.intensity_under(weights)),
            m0: format!("{:.3}", t.m0_under(weights)),
            contribution: format!("{:.1}", 100.0 * t.share_of_m0(&total)),
        })
        .collect();
    let origin = revita_app::auth::Origin { now: crate::auth::now(), ..Default::default() };
    let actor = CaseActor { name: "", within: visible, origin: &origin };
    let overdue = page
        .app()
        .overdue_cases(&actor, today(), &DEFAULT_TIME_LIMITS)
        .await?
        .into_iter()
        .map(|(case, late)| OverdueRow {
            id: case.id,
            household: case.household_id,
            step: late.step.as_str(),
            due: late.due.to_string(),
            days: late.days_late,
        })
        .collect();
    let rising = page
        .app()
        .rising_regions(visible)
        .await?
        .iter()
        .map(|r| RisingRow {
            region: r.region.to_string(),
            indicator: r.indicator,
            from_year: r.rise.from.0,
            from: format!("{:.3}", r.rise.from.1),
            to_year: r.rise.to.0,
            to: format!("{:.3}", r.rise.to.1),
        })
        .collect();
    let unfollowed = overview
        .unfollowed
        .iter()
        .map(|u| UnfollowedRow {
            id: u.household.id.clone(),
            village: u.household.household.village_code.to_string(),
            head: u.household.head_name.clone().unwrap_or_default(),
            fired: [
                (u.flags.income, "income"),
                (u.flags.drop, "drop"),
                (u.flags.expense, "expense"),
                (u.flags.guarantee, "guarantee"),
            ]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect(),
        })
        .collect();
    Ok(MonitoringView {
        line: s.line,
        k: s.k_text.clone(),
        cutoff: format!("{}/{}", s.cutoff, weights.scale()),
        weights: weights.to_text(),
        chart,
        level: level.as_str(),
        levels: GroupLevel::ALL.iter().map(|l| l.as_str()).collect(),
        under: params.under.clone().unwrap_or_default(),
        indicators,
        map,
        total: Totals {
            households: total.households,
            flagged: total.flagged,
            h: format!("{:.3}", total.headcount()),
            a: format!("{:.3}", total.intensity_under(weights)),
            m0: format!("{:.3}", total.m0_under(weights)),
        },
        counties,
        overdue,
        rising,
        unfollowed,
        unfollowed_total: overview.unfollowed_total,
    })
}

/// A choropleth of M0 by group, over the groups with a stored boundary
/// (provinces, prefectures and counties; township and village boundaries
/// are rarely loaded), five quantile classes; none without boundaries.
async fn m0_map(
    state: &WebState,
    ctx: &PageContext,
    level: GroupLevel,
    grouped: &[(String, Tally)],
    weights: &MpiWeights,
) -> AppResult<Option<String>> {
    use revita_report::map::{Choropleth, Feature, LegendEntry};
    use revita_report::palette::sequential;
    let values: HashMap<&str, f64> = grouped.iter().map(|(c, t)| (c.as_str(), t.m0_under(weights))).collect();
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
                title: format!("{}: M0 {m0:.3}", ctx.lang.region_name(&r.name_zh, r.name_en.as_deref())),
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
    let title = format!("M0 · {}", ctx.t(&format!("level_{}", level.as_str())));
    let map = Choropleth::page(title, ctx.t("monitoring").to_string(), features, "M0".into(), legend);
    Ok(Some(crate::official::draw(state, map, &regions, ctx.lang)))
}

/// `GET /monitoring/households.csv`: the registry within the viewer's
/// jurisdiction, identifiers masked unless the viewer may read them there.
pub async fn registry_csv(page: Page, Query(params): Query<MonitoringParams>) -> PageResult {
    let line = line_of(&page.state, params.line.as_deref()).await?;
    let mut bytes = Vec::new();
    page.app().export_registry(&page.viewer()?.actor, line, &mut bytes, &page.origin()).await?;
    Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Csv, "registry"))
}

/// A late case on the home page.
#[derive(Serialize, Clone)]
struct LateCase {
    id: i64,
    household: String,
    step: &'static str,
    days: i64,
}

/// A rising region on the home page.
#[derive(Serialize, Clone)]
struct Rising {
    region: String,
    indicator: &'static str,
}

/// The alerts a logged-in user's home page shows.
#[derive(Serialize, Clone)]
pub(crate) struct HomeAlerts {
    overdue: Vec<LateCase>,
    overdue_total: usize,
    rising: Vec<Rising>,
    rising_total: usize,
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
) -> AppResult<HomeAlerts> {
    let versions = state.app.versions().await?;
    let topics = versions.key(&[Topic::Cases, Topic::Registry, Topic::Observations]);
    let key = format!("{topics}|{}|{}", today(), visible.key());
    let alerts = state.alerts.get_or_compute(key, async || compute_home_alerts(state, viewer, visible).await).await?;
    Ok((*alerts).clone())
}

async fn compute_home_alerts(
    state: &WebState,
    viewer: &crate::auth::Viewer,
    visible: &revita_app::Jurisdiction,
) -> AppResult<HomeAlerts> {
    let origin = revita_app::auth::Origin { now: crate::auth::now(), ..Default::default() };
    let actor = CaseActor { name: &viewer.actor.name, within: visible, origin: &origin };
    let overdue = state.app.overdue_cases(&actor, today(), &DEFAULT_TIME_LIMITS).await?;
    let rising = state.app.rising_regions(visible).await?;
    Ok(HomeAlerts {
        overdue: overdue
            .iter()
            .take(5)
            .map(|(case, late)| LateCase {
                id: case.id,
                household: case.household_id.clone(),
                step: late.step.as_str(),
                days: late.days_late,
            })
            .collect(),
        overdue_total: overdue.len(),
        rising: rising
            .iter()
            .take(5)
            .map(|r| Rising { region: r.region.to_string(), indicator: r.indicator })
            .collect(),
        rising_total: rising.len(),
    })
}
