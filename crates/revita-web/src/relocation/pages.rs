//! The follow-up page (sites, KPIs by site against targets, alerts,
//! imports) and the site-assignment optimiser's page.

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::extract::{Multipart, Query};
use axum::http::StatusCode;
use revita_app::AppError;
use revita_app::relocation::SiteAssignment;
use revita_methods::RegionCode;
use revita_methods::assignment::UnplacedReason;
use revita_methods::geometry::MultiPolygon;
use revita_methods::relocation::{FollowUp, Kpi, MoverFlag, Targets};
use serde::Serialize;

use crate::kit::{Page, PageResult, UploadResult};

/// A site, formatted.
#[derive(Serialize)]
struct SiteRow {
    id: i64,
    code: String,
    name: String,
    county: String,
    subtype: String,
    capacity: String,
    households: i64,
    labour_households: i64,
    kpis: Vec<String>,
}

/// An alert, formatted.
#[derive(Serialize)]
struct AlertRow {
    site: String,
    kpi: String,
    value: String,
    target: String,
}

/// A county's or province's numbers, formatted.
#[derive(Serialize)]
struct GroupRow {
    code: String,
    name: String,
    households: i64,
    labour_households: i64,
    kpis: Vec<String>,
}

/// A household flagged for review, formatted.
#[derive(Serialize)]
struct FlagRow {
    household: String,
    site: String,
    flag: String,
    value: String,
}

/// `relocation.html`.
#[derive(Serialize)]
struct FollowUpView {
    year: i32,
    kpis: Vec<String>,
    sites: Vec<SiteRow>,
    counties: Vec<GroupRow>,
    provinces: Vec<GroupRow>,
    alerts: Vec<AlertRow>,
    county_alerts: Vec<AlertRow>,
    unemployed: Vec<String>,
    flagged: Vec<FlagRow>,
    map: Option<String>,
    may_enter: bool,
    csrf: String,
    upload: Option<UploadResult>,
}

fn percent(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// The year income growth is measured to: `?year=`, else last year.
pub(super) fn year_of(query: &HashMap<String, String>) -> Result<i32, AppError> {
    match query.get("year").map(|y| y.trim()).filter(|y| !y.is_empty()) {
        None => Ok(crate::kit::today().year() - 1),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| AppError::Invalid(format!("year: '{y}' is not a year from 1900 to 2100"))),
    }
}

/// `GET /relocation`.
pub async fn follow_up_page(page: Page, Query(query): Query<HashMap<String, String>>) -> PageResult {
    let year = year_of(&query)?;
    show(page, year, None).await
}

async fn show(page: Page, year: i32, upload: Option<(StatusCode, UploadResult)>) -> PageResult {
    let actor = page.viewer()?.actor.clone();
    let view = page.app().relocation_follow_up(&actor, year, &Targets::default()).await?;
    let sites = page.app().resettlement_sites(&actor).await?;
    let zh = page.lang() == crate::i18n::Lang::Zh;
    let kpi_name = |k: Kpi| if zh { k.zh().to_string() } else { k.as_str().replace('_', " ") };
    let kpis_of = |f: &FollowUp| Kpi::ALL.iter().map(|k| percent(f.value(*k))).collect();
    let rows = sites
        .iter()
        .map(|s| {
            let f = view.sites.get(&s.code).cloned().unwrap_or_default();
            SiteRow {
                id: s.id,
                code: s.code.clone(),
                name: s.name.clone(),
                county: s.county.to_string(),
                subtype: s.subtype.clone(),
                capacity: format!("{} / {}", s.capacity_people, s.capacity_units),
                households: f.households,
                labour_households: f.labour_households,
                kpis: kpis_of(&f),
            }
        })
        .collect();
    let codes: Vec<RegionCode> = view.counties.keys().chain(view.provinces.keys()).cloned().collect();
    let names = page.app().region_names(&codes).await?;
    let group_rows = |groups: &BTreeMap<RegionCode, FollowUp>| -> Vec<GroupRow> {
        groups
            .iter()
            .map(|(code, f)| GroupRow {
                code: code.to_string(),
                name: names.get(code).cloned().unwrap_or_default(),
                households: f.households,
                labour_households: f.labour_households,
                kpis: kpis_of(f),
            })
            .collect()
    };
    let alert_row = |group: String, kpi: Kpi, value: f64, target: f64| AlertRow {
        site: group,
        kpi: kpi_name(kpi),
        value: percent(Some(value)),
        target: percent(Some(target)),
    };
    let status = upload.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    let body = FollowUpView {
        year,
        kpis: Kpi::ALL.iter().map(|k| kpi_name(*k)).collect(),
        counties: group_rows(&view.counties),
        provinces: group_rows(&view.provinces),
        alerts: view.alerts.iter().map(|a| alert_row(a.group.clone(), a.kpi, a.value, a.target)).collect(),
        county_alerts: view
            .county_alerts
            .iter()
            .map(|a| {
                let name = names.get(&a.group).cloned().unwrap_or_default();
                alert_row(format!("{name} ({})", a.group), a.kpi, a.value, a.target)
            })
            .collect(),
        unemployed: view.unemployed.clone(),
        flagged: view
            .flagged
            .iter()
            .map(|f| FlagRow {
                household: f.household_id.clone(),
                site: f.site.clone(),
                flag: page.t(&format!("rl_flag_{}", f.flag.key())).to_string(),
                value: match &f.flag {
                    MoverFlag::HousingOverride { area, reason } => format!("{area:.1} m² — {reason}"),
                    MoverFlag::ContributionPerPerson { per_person } => {
                        format!("{per_person:.2} {}", page.t("rl_yuan_pp"))
                    }
                    MoverFlag::ContributionPerHousehold { total } => format!("{total:.2} {}", page.t("rl_yuan")),
                },
            })
            .collect(),
        map: site_map(&page, &sites, &view).await?,
        sites: rows,
        may_enter: actor.access.may_anywhere(revita_methods::access::Action::EditData),
        csrf: page.csrf(),
        upload: upload.map(|(_, u)| u),
    };
    page.render_with(status, "relocation.html", page.t("rl_title"), body)
}

/// The sites on their counties: a dot each, orange where a KPI misses its
/// target, blue where all are met, grey where nobody has moved in yet.
async fn site_map(
    page: &Page,
    sites: &[revita_app::relocation::ResettlementSite],
    view: &revita_app::relocation::FollowUpView,
) -> Result<Option<String>, AppError> {
    use revita_report::map::{Choropleth, Feature, LegendEntry, Marker, render};
    if sites.is_empty() {
        return Ok(None);
    }
    let counties: Vec<RegionCode> = sites.iter().map(|s| s.county.clone()).collect();
    let shapes = page.app().region_shapes(&counties).await?;
    let frame = frame_around(sites.iter().map(|s| (s.lon, s.lat)));
    let mut features: Vec<Feature<'_>> = shapes
        .iter()
        .map(|(code, shape)| Feature {
            code: code.as_str(),
            shape,
            fill: COUNTY_FILL,
            title: code.to_string(),
            href: Some(format!("/regions/{code}")),
        })
        .collect();
    if features.is_empty() {
        features.push(Feature { code: "frame", shape: &frame, fill: COUNTY_FILL, title: String::new(), href: None });
    }
    let missed: HashSet<&str> = view.alerts.iter().map(|a| a.group.as_str()).collect();
    let fill_of = |s: &revita_app::relocation::ResettlementSite| {
        if view.sites.get(&s.code).is_none_or(|f| f.households == 0) {
            EMPTY_SITE
        } else if missed.contains(s.code.as_str()) {
            SITE_BELOW
        } else {
            SITE_MET
        }
    };
    let legend = vec![
        LegendEntry { fill: SITE_MET.into(), label: page.t("rl_map_met").into() },
        LegendEntry { fill: SITE_BELOW.into(), label: page.t("rl_map_below").into() },
        LegendEntry { fill: EMPTY_SITE.into(), label: page.t("rl_map_empty").into() },
    ];
    let mut map = Choropleth::page(
        page.t("rl_sites_map").into(),
        page.t("rl_sites_map_note").into(),
        features,
        page.t("rl_sites").into(),
        legend,
    );
    map.markers = sites
        .iter()
        .map(|s| {
            let households = view.sites.get(&s.code).map_or(0, |f| f.households);
            Marker {
                at: (s.lon, s.lat),
                label: s.name.clone(),
                fill: fill_of(s).into(),
                title: format!("{} {}: {households} / {}", s.code, s.name, s.capacity_units),
            }
        })
        .collect();
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}

/// Grey county fill under point layers.
pub(super) const COUNTY_FILL: &str = "#eeeeee";
const SITE_MET: &str = "#0072B2";
const SITE_BELOW: &str = "#E69F00";
const EMPTY_SITE: &str = "#999999";

/// A rectangle around `points`, padded by 5% (at least 0.01°): the
/// background of a point map with no boundaries to draw.
pub(super) fn frame_around(points: impl Iterator<Item = (f64, f64)>) -> MultiPolygon {
    let points: Vec<(f64, f64)> = points.collect();
    let Some(b) = revita_methods::geometry::Bounds::of(points.iter()) else { return Vec::new() };
    let pad = 0.05 * b.width().max(b.height()).max(0.01);
    vec![vec![vec![
        (b.min_x - pad, b.min_y - pad),
        (b.max_x + pad, b.min_y - pad),
        (b.max_x + pad, b.max_y + pad),
        (b.min_x - pad, b.max_y + pad),
        (b.min_x - pad, b.min_y - pad),
    ]]]
}

/// `POST /relocation/import`: `sites`, `relocations` or `incomes`.
pub async fn import(page: Page, multipart: Multipart) -> PageResult {
    let page = page.at("/relocation");
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv, .xlsx or .geojson file");
    let received = page.receive(multipart, &["csv", "xlsx", "geojson"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a file to upload".into()))?;
    let dry_run = received.fields.get("dry_run").is_some_and(|v| !v.is_empty());
    let kind = received.fields.get("kind").cloned().unwrap_or_default();
    let actor = page.viewer()?.actor.clone();
    let (app, origin) = (page.app(), page.origin());
    let result = match kind.as_str() {
        "sites" => app.import_resettlement_sites(&actor, &staged.path, dry_run, &origin).await,
        "relocations" => app.import_relocations(&actor, &staged.path, dry_run, &origin).await,
        "incomes" => app.import_relocation_incomes(&actor, &staged.path, dry_run, &origin).await,
        other => Err(AppError::Invalid(format!("kind: '{other}' is not sites, relocations or incomes"))),
    };
    let key = if dry_run { "rl_checked" } else { "rl_imported" };
    let shown = UploadResult::of(result, &staged, page.t("rl_nothing"), |report| {
        let done = page.t(key).replace("{rows}", &report.rows_read.to_string()).replace("{file}", &staged.name);
        match report.flagged {
            0 => done,
            n => format!("{done} {}", page.t("rl_flagged_count").replace("{n}", &n.to_string())),
        }
    })?;
    let year = crate::kit::today().year() - 1;
    show(page, year, Some(shown)).await
}

/// The optimiser's form.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct AssignForm {
    pub county: String,
    pub origins: String,
    pub k: String,
    pub max_km: String,
    pub keep_together: bool,
}

/// The optimiser's arguments, checked.
pub(super) struct AssignArgs {
    pub county: Option<revita_methods::RegionCode>,
    pub origins: String,
    pub k: usize,
    pub max_metres: Option<i64>,
    pub keep_together: bool,
}

pub(super) fn assign_args(query: &HashMap<String, String>) -> Result<AssignArgs, AppError> {
    let get = |k: &str| query.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let county = get("county")
        .map(|c| revita_methods::RegionCode::parse(c).map_err(|e| AppError::Invalid(format!("county: {e}"))))
        .transpose()?;
    let k = match get("k") {
        None => 5,
        Some(t) => t
            .parse()
            .ok()
            .filter(|k| (1..=100).contains(k))
            .ok_or_else(|| AppError::Invalid(format!("k: '{t}' is not a whole number from 1 to 100")))?,
    };
    let max_metres = match get("max_km") {
        None => None,
        Some(t) => {
            let km: f64 = t
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v > 0.0 && *v <= 20_000.0)
                .ok_or_else(|| AppError::Invalid(format!("max_km: '{t}' is not a distance from 0 to 20000 km")))?;
            Some((km * 1000.0).round() as i64)
        }
    };
    let origins = get("origins").unwrap_or("village").to_string();
    let keep_together = match get("keep_together") {
        None => false,
        Some("1" | "true" | "on") => true,
        Some(other) => return Err(AppError::Invalid(format!("keep_together: '{other}' is not 1, true or on"))),
    };
    Ok(AssignArgs { county, origins, k, max_metres, keep_together })
}

/// A flow, formatted.
#[derive(Serialize)]
struct FlowRow {
    from: String,
    to: String,
    households: i64,
    km: String,
}

/// `relocation_assign.html`.
#[derive(Serialize)]
struct AssignView {
    form: AssignForm,
    ran: bool,
    problem: Option<String>,
    total_km: String,
    placed: i64,
    flows: Vec<FlowRow>,
    site_use: Vec<(String, i64, i64, String)>,
    unplaced: Vec<(String, i64, String)>,
    gap: Option<String>,
    map: Option<String>,
}

/// `GET /relocation/assign`: the form, and with `run=1` the assignment.
pub async fn assign_page(page: Page, Query(query): Query<HashMap<String, String>>) -> PageResult {
    let form = AssignForm {
        county: query.get("county").cloned().unwrap_or_default(),
        origins: query.get("origins").cloned().unwrap_or_else(|| "village".into()),
        k: query.get("k").cloned().unwrap_or_else(|| "5".into()),
        max_km: query.get("max_km").cloned().unwrap_or_default(),
        keep_together: query.contains_key("keep_together"),
    };
    let mut view = AssignView {
        form,
        ran: false,
        problem: None,
        total_km: String::new(),
        placed: 0,
        flows: Vec::new(),
        site_use: Vec::new(),
        unplaced: Vec::new(),
        gap: None,
        map: None,
    };
    if query.contains_key("run") {
        let actor = page.viewer()?.actor.clone();
        let result = async {
            let a = assign_args(&query)?;
            page.app().assign_to_sites(&actor, a.county.as_ref(), &a.origins, a.k, a.max_metres, a.keep_together).await
        }
        .await;
        match result {
            Ok(r) => fill(&page, &mut view, &r).await?,
            Err(AppError::Invalid(reason)) => view.problem = Some(reason),
            Err(e) => return Err(e.into()),
        }
    }
    let status = if view.problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    page.render_with(status, "relocation_assign.html", page.t("rl_assign"), view)
}

async fn fill(page: &Page, view: &mut AssignView, r: &SiteAssignment) -> Result<(), AppError> {
    let name = |id: &str| r.names.get(id).map_or(id.to_string(), |n| format!("{n} ({id})"));
    let a = &r.assignment;
    view.ran = true;
    view.total_km = format!("{:.1}", a.total_cost as f64 / 1000.0);
    view.placed = a.placed();
    view.flows = a
        .flows
        .iter()
        .map(|f| FlowRow {
            from: name(&f.origin),
            to: name(&f.site),
            households: f.households,
            km: format!("{:.1}", f.cost as f64 / 1000.0),
        })
        .collect();
    view.site_use = a
        .site_use
        .iter()
        .map(|s| {
            let share = if s.capacity > 0 {
                format!("{:.0}%", 100.0 * s.used as f64 / s.capacity as f64)
            } else {
                "—".into()
            };
            (name(&s.site), s.used, s.capacity, share)
        })
        .collect();
    view.unplaced = a
        .unplaced
        .iter()
        .map(|u| {
            let why = match u.reason {
                UnplacedReason::NoLink { .. } => page.t("rl_reason_no_link"),
                UnplacedReason::CapacityExhausted => page.t("rl_reason_capacity"),
            };
            (name(&u.origin), u.households, why.to_string())
        })
        .collect();
    view.gap = a.keep_together.as_ref().map(|k| {
        format!(
            "{:.1} km ({:.2}%); {} / {}",
            k.gap() as f64 / 1000.0,
            100.0 * k.relative_gap(),
            k.moved,
            k.left_split.len()
        )
    });
    view.map = flow_map(page, r).await?;
    Ok(())
}

/// A schematic map of the assignment: sites as dots, each flow a line
/// from its origin, over the box of everything drawn.
async fn flow_map(page: &Page, r: &SiteAssignment) -> Result<Option<String>, AppError> {
    use revita_report::map::{Choropleth, Feature, LegendEntry, Link, Marker, render};
    let at = page.app().assignment_points(&page.viewer()?.actor).await?;
    let drawn: Vec<(f64, f64)> = r
        .assignment
        .flows
        .iter()
        .flat_map(|f| [at.get(&f.origin).copied(), at.get(&f.site).copied()])
        .flatten()
        .collect();
    if drawn.is_empty() {
        return Ok(None);
    }
    let frame = frame_around(drawn.into_iter());
    let features = vec![Feature { code: "frame", shape: &frame, fill: "#f7f7f7", title: String::new(), href: None }];
    let legend = vec![LegendEntry { fill: "#0072B2".into(), label: page.t("rl_sites").into() }];
    let mut map = Choropleth::page(page.t("rl_map").into(), String::new(), features, page.t("rl_flows").into(), legend);
    let most = r.assignment.flows.iter().map(|f| f.households).max().unwrap_or(1).max(1) as f64;
    map.links = r
        .assignment
        .flows
        .iter()
        .filter_map(|f| {
            Some(Link {
                from: *at.get(&f.origin)?,
                to: *at.get(&f.site)?,
                width: 1.0 + 4.0 * f.households as f64 / most,
                title: format!("{} → {}: {}", f.origin, f.site, f.households),
            })
        })
        .collect();
    map.markers = r
        .assignment
        .site_use
        .iter()
        .filter_map(|s| {
            Some(Marker {
                at: *at.get(&s.site)?,
                label: r.names.get(&s.site).cloned().unwrap_or_else(|| s.site.clone()),
                fill: "#0072B2".into(),
                title: format!("{}: {} / {}", s.site, s.used, s.capacity),
            })
        })
        .collect();
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}

/// A relocated household, formatted.
#[derive(Serialize)]
struct HouseholdRow {
    id: String,
    persons: i64,
    labour: i64,
    employed: i64,
    place: String,
    area: String,
    contribution: String,
    flags: Vec<&'static str>,
}

/// `relocation_site.html`.
#[derive(Serialize)]
struct SiteView {
    id: i64,
    code: String,
    name: String,
    county: String,
    township: String,
    setting: String,
    category: String,
    subtype: String,
    capacity_people: i64,
    capacity_units: i64,
    floor_area: f64,
    services: Vec<(&'static str, bool)>,
    workshops: i64,
    governance: Vec<(&'static str, bool)>,
    certificates: i64,
    year: i32,
    kpis: Vec<(String, String)>,
    households: Vec<HouseholdRow>,
}

/// `GET /relocation/sites/{id}`: a site, its services and governance,
/// its follow-up numbers and its relocated households.
pub async fn site_page(
    page: Page,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult {
    let year = year_of(&query)?;
    let (site, households, numbers) = page.app().resettlement_site(&page.viewer()?.actor, id, year).await?;
    let zh = page.lang() == crate::i18n::Lang::Zh;
    let view = SiteView {
        id: site.id,
        code: site.code.clone(),
        name: site.name.clone(),
        county: site.county.to_string(),
        township: site.township.clone().unwrap_or_default(),
        setting: site.setting.clone(),
        category: site.category.clone(),
        subtype: site.subtype.clone(),
        capacity_people: site.capacity_people,
        capacity_units: site.capacity_units,
        floor_area: site.floor_area,
        services: vec![
            ("school", site.school),
            ("clinic", site.clinic),
            ("elder_care", site.elder_care),
            ("community_centre", site.community_centre),
        ],
        workshops: site.workshops,
        governance: vec![("party_branch", site.party_branch), ("committee", site.committee)],
        certificates: site.certificates,
        year,
        kpis: Kpi::ALL
            .iter()
            .map(|k| (if zh { k.zh().to_string() } else { k.as_str().replace('_', " ") }, percent(numbers.value(*k))))
            .collect(),
        households: households
            .iter()
            .map(|r| {
                let mut flags = Vec::new();
                if r.registered_poor {
                    flags.push("registered_poor");
                }
                if r.same_time_mover {
                    flags.push("same_time_mover");
                }
                if r.demolished {
                    flags.push("demolished");
                }
                if r.reclaimed {
                    flags.push("reclaimed");
                }
                if r.override_reason.is_some() {
                    flags.push("override");
                }
                HouseholdRow {
                    id: r.household_id.clone(),
                    persons: r.persons,
                    labour: r.labour,
                    employed: r.employed,
                    place: r.employment_place.clone().unwrap_or_default(),
                    area: format!("{:.1}", r.housing_area_pc),
                    contribution: format!("{:.0}", r.self_contribution),
                    flags,
                }
            })
            .collect(),
    };
    let title = format!("{} — {}", site.name, page.t("rl_title"));
    page.render("relocation_site.html", &title, view)
}
