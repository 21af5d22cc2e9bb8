//! The registry page (map, list, imports) and an area's page (profile, who
//! lies inside, houses by grade, farmland by class, progress, imports).

use axum::extract::{Form, Multipart, Path};
use axum::http::StatusCode;
use revita_app::AppError;
use revita_app::subsidence::{AreaView, Profile};
use serde::Serialize;

use crate::allocate::wan;
use crate::kit::{Fields, Page, PageResult, Refused, UploadResult, field};

/// An area in the list.
#[derive(Serialize)]
struct AreaRow {
    id: i64,
    code: String,
    name: String,
    county: String,
    stability: Option<String>,
    entity: Option<String>,
    subsided_km2: Option<f64>,
}

/// `subsidence.html`.
#[derive(Serialize)]
struct ListView {
    areas: Vec<AreaRow>,
    total: i64,
    map: Option<String>,
    may_enter: bool,
    csrf: String,
    upload: Option<UploadResult>,
}

const STABLE: &str = "#56B4E9";
const SUBSIDING: &str = "#D55E00";
const UNKNOWN: &str = "#BBBBBB";

/// `GET /subsidence`.
pub async fn list_page(page: Page) -> PageResult {
    list(page, None).await
}

async fn list(page: Page, upload: Option<(StatusCode, UploadResult)>) -> PageResult {
    let status = upload.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    let upload = upload.map(|(_, u)| u);
    let actor = page.viewer()?.actor.clone();
    let mapped = page.app().subsidence_map_areas(&actor).await?;
    let (_, total) = page.app().subsidence_areas(&actor, 0, 0).await?;
    let profile =
        |a: &revita_app::subsidence::SubsidenceArea| serde_json::from_str::<Profile>(&a.profile).unwrap_or_default();
    let villages = match revita_methods::geometry::Bounds::of(
        mapped.iter().flat_map(|(_, s)| revita_methods::geometry::points(s)),
    ) {
        Some(b) => page.app().villages_in_box(&actor, (b.min_x, b.min_y, b.max_x, b.max_y)).await?,
        None => Vec::new(),
    };
    let map = area_map(&page, &mapped, &villages);
    let areas = mapped
        .iter()
        .map(|(a, _)| {
            let p = profile(a);
            AreaRow {
                id: a.id,
                code: a.code.clone(),
                name: a.name.clone(),
                county: a.county.to_string(),
                stability: p.stability,
                entity: p.responsible_entity,
                subsided_km2: p.subsided_km2,
            }
        })
        .collect();
    let view = ListView {
        areas,
        total,
        map,
        may_enter: actor.access.may_anywhere(revita_methods::access::Action::EditData),
        csrf: page.csrf(),
        upload,
    };
    page.render_with(status, "subsidence.html", page.t("sb_title"), view)
}

/// The registry's map: areas filled by stability.
fn area_map(
    page: &Page,
    areas: &[(revita_app::subsidence::SubsidenceArea, revita_methods::geometry::MultiPolygon)],
    villages: &[revita_app::subsidence::Place],
) -> Option<String> {
    use revita_report::map::{Choropleth, Feature, LegendEntry, Marker, render};
    if areas.is_empty() {
        return None;
    }
    let features = areas
        .iter()
        .map(|(a, shape)| {
            let fill = match serde_json::from_str::<Profile>(&a.profile).ok().and_then(|p| p.stability).as_deref() {
                Some("stable") => STABLE,
                Some("subsiding") => SUBSIDING,
                _ => UNKNOWN,
            };
            Feature {
                code: a.code.as_str(),
                shape,
                fill,
                title: format!("{} {}", a.code, a.name),
                href: Some(format!("/subsidence/{}", a.id)),
            }
        })
        .collect();
    let legend = vec![
        LegendEntry { fill: STABLE.into(), label: page.t("sb_stability_stable").into() },
        LegendEntry { fill: SUBSIDING.into(), label: page.t("sb_stability_subsiding").into() },
        LegendEntry { fill: UNKNOWN.into(), label: page.t("sb_unknown").into() },
    ];
    let mut map = Choropleth::page(
        page.t("sb_map").to_string(),
        page.t("sb_map_legend").to_string(),
        features,
        page.t("sb_stability").to_string(),
        legend,
    );
    // The village layer: every village the reader may see around the areas.
    map.markers = villages
        .iter()
        .map(|v| Marker {
            at: (v.lon, v.lat),
            label: v.name.clone(),
            fill: "#333333".into(),
            title: format!("{} {}: {} / {}", v.id, v.name, v.population, v.households),
        })
        .collect();
    Some(render(&map, &revita_report::projection::Albers::china()))
}

/// `POST /subsidence/areas`: a GeoJSON file of areas.
pub async fn import_areas(page: Page, multipart: Multipart) -> PageResult {
    let page = page.at("/subsidence");
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .geojson file");
    let received = page.receive(multipart, &["geojson", "json"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a file to upload".into()))?;
    let dry_run = received.fields.get("dry_run").is_some_and(|v| !v.is_empty());
    let actor = page.viewer()?.actor.clone();
    let result = page.app().import_subsidence_areas(&actor, &staged.path, dry_run, &page.origin()).await;
    let shown = shown(&page, result, &staged, dry_run)?;
    list(page, Some(shown)).await
}

/// `POST /subsidence/places`: a CSV file of village and household points.
pub async fn import_places(page: Page, multipart: Multipart) -> PageResult {
    let page = page.at("/subsidence");
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx file");
    let received = page.receive(multipart, &["csv", "xlsx"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a file to upload".into()))?;
    let dry_run = received.fields.get("dry_run").is_some_and(|v| !v.is_empty());
    let actor = page.viewer()?.actor.clone();
    let result = page.app().import_places(&actor, &staged.path, dry_run, &page.origin()).await;
    let shown = shown(&page, result, &staged, dry_run)?;
    list(page, Some(shown)).await
}

fn shown(
    page: &Page,
    result: Result<revita_app::ImportReport, AppError>,
    staged: &crate::staging::Staged,
    dry_run: bool,
) -> Result<(StatusCode, UploadResult), AppError> {
    let key = if dry_run { "sb_checked" } else { "sb_imported" };
    UploadResult::of(result, staged, page.t("sb_nothing"), |report| {
        page.t(key).replace("{rows}", &report.rows_read.to_string()).replace("{file}", &staged.name)
    })
}

/// A house, formatted.
#[derive(Serialize)]
struct HouseRow {
    id: String,
    household: Option<String>,
    strain: Option<f64>,
    curvature: Option<f64>,
    tilt: Option<f64>,
    grade: Option<&'static str>,
    decided_by: Option<&'static str>,
    problem: Option<String>,
}

/// A parcel, formatted.
#[derive(Serialize)]
struct ParcelRow {
    id: String,
    hectares: f64,
    class: Option<&'static str>,
    decided_by: Option<&'static str>,
    problem: Option<String>,
}

/// A progress measure, formatted.
#[derive(Serialize)]
struct ProgressRow {
    key: &'static str,
    done: String,
    planned: String,
    share: Option<String>,
    percent: f64,
}

/// `subsidence_area.html`.
#[derive(Serialize)]
struct AreaPage {
    id: i64,
    code: String,
    name: String,
    county: String,
    county_name: String,
    version: i64,
    profile: Profile,
    mines: String,
    inside: revita_app::subsidence::Inside,
    houses: Vec<HouseRow>,
    houses_by_grade: [usize; 4],
    parcels: Vec<ParcelRow>,
    hectares_by_class: [String; 3],
    progress: Vec<ProgressRow>,
    plan_id: Option<i64>,
    plan_title: Option<String>,
    may_enter: bool,
    may_decide: bool,
    csrf: String,
    upload: Option<UploadResult>,
    refused: Option<Refused>,
    status_refused: bool,
}

/// `GET /subsidence/{id}`.
pub async fn area_page(page: Page, Path(id): Path<i64>) -> PageResult {
    show(page, id, None, None).await
}

fn amount(key: &str, v: f64) -> String {
    if key == "funds" { wan(v) } else { format!("{v:.1}") }
}

async fn show(page: Page, id: i64, upload: Option<(StatusCode, UploadResult)>, refused: Option<Refused>) -> PageResult {
    let upload_status = upload.as_ref().map(|(s, _)| *s);
    let upload = upload.map(|(_, u)| u);
    let actor = page.viewer()?.actor.clone();
    let view: AreaView = page.app().subsidence_area(&actor, id).await?;
    let houses = view
        .houses
        .iter()
        .map(|h| HouseRow {
            id: h.house.house_id.clone(),
            household: h.house.household_id.clone(),
            strain: h.house.strain,
            curvature: h.house.curvature,
            tilt: h.house.tilt,
            grade: h.grade.as_ref().ok().map(|a| a.grade.as_str()),
            decided_by: h.grade.as_ref().ok().map(|a| a.decided_by.as_str()),
            problem: h.grade.as_ref().err().cloned(),
        })
        .collect();
    let parcels = view
        .parcels
        .iter()
        .map(|p| ParcelRow {
            id: p.parcel.parcel_id.clone(),
            hectares: p.parcel.hectares,
            class: p.class.as_ref().ok().map(|a| a.class.as_str()),
            decided_by: p.class.as_ref().ok().map(|a| a.decided_by.as_str()),
            problem: p.class.as_ref().err().cloned(),
        })
        .collect();
    let progress = view
        .progress
        .iter()
        .map(|p| ProgressRow {
            key: p.key,
            done: amount(p.key, p.done),
            planned: amount(p.key, p.planned),
            share: p.share.map(|s| format!("{:.1}%", 100.0 * s)),
            percent: p.share.map_or(0.0, |s| (100.0 * s).clamp(0.0, 100.0)),
        })
        .collect();
    let status_refused = refused.is_some();
    let area = &view.area;
    let page_view = AreaPage {
        id: area.id,
        code: area.code.clone(),
        name: area.name.clone(),
        county: area.county.to_string(),
        county_name: view.county_name.clone(),
        version: area.version,
        mines: view.profile.mines.join("、"),
        profile: view.profile.clone(),
        inside: view.inside.clone(),
        houses,
        houses_by_grade: view.houses_by_grade,
        parcels,
        hectares_by_class: view.hectares_by_class.map(|h| format!("{h:.2}")),
        progress,
        plan_id: area.plan_id,
        plan_title: view.plan_title.clone(),
        may_enter: view.may_enter,
        may_decide: view.may_decide,
        csrf: page.csrf(),
        upload,
        refused,
        status_refused,
    };
    let status = match upload_status {
        Some(s) => s,
        None if status_refused => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let title = format!("{} — {}", area.name, page.t("sb_title"));
    page.render_with(status, "subsidence_area.html", &title, page_view)
}

/// `POST /subsidence/{id}/import`: `houses` or `farmland`.
pub async fn import_file(page: Page, Path(id): Path<i64>, multipart: Multipart) -> PageResult {
    let page = page.at(&format!("/subsidence/{id}"));
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv or .xlsx file");
    let received = page.receive(multipart, &["csv", "xlsx"], unsupported).await?;
    let staged = received.file.ok_or_else(|| AppError::Invalid("choose a file to upload".into()))?;
    let dry_run = received.fields.get("dry_run").is_some_and(|v| !v.is_empty());
    let kind = received.fields.get("kind").cloned().unwrap_or_default();
    let actor = page.viewer()?.actor.clone();
    let result = page.app().import_subsidence_file(&actor, id, &kind, &staged.path, dry_run, &page.origin()).await;
    let shown = shown(&page, result, &staged, dry_run)?;
    show(page, id, Some(shown), None).await
}

/// The progress fields of the form: numbers, blank for none.
const PROGRESS_FIELDS: [&str; 8] = [
    "households_to_relocate",
    "households_relocated",
    "houses_to_reinforce",
    "houses_reinforced",
    "hectares_to_reclaim",
    "hectares_reclaimed",
    "funds_planned",
    "funds_disbursed",
];

/// The profile with the form's progress fields and plan number applied.
pub(super) fn progress_from(stored: &Profile, form: &Fields) -> Result<(Profile, Option<i64>), AppError> {
    let mut value = serde_json::to_value(stored).map_err(|e| AppError::Internal(e.into()))?;
    for name in PROGRESS_FIELDS {
        let number = match field(form, name) {
            None => serde_json::Value::Null,
            Some(text) => {
                let v: f64 =
                    text.trim().parse().map_err(|_| AppError::Invalid(format!("{name}: '{text}' is not a number")))?;
                serde_json::json!(v)
            }
        };
        value[name] = number;
    }
    let profile = Profile::from_value(value).map_err(AppError::Invalid)?;
    let plan = match field(form, "plan_id") {
        None => None,
        Some(t) => {
            Some(t.trim().parse::<i64>().map_err(|_| AppError::Invalid(format!("plan_id: '{t}' is not a number")))?)
        }
    };
    Ok((profile, plan))
}

/// `POST /subsidence/{id}/progress`: the progress fields, `plan_id` and
/// `version`.
pub async fn progress(page: Page, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    page.check_csrf(field(&form, "csrf").unwrap_or(""))?;
    let page = page.at(&format!("/subsidence/{id}"));
    let result = async {
        let actor = &page.viewer()?.actor;
        let view = page.app().subsidence_area(actor, id).await?;
        let version: i64 = crate::kit::number(&form, "version")?;
        let (profile, plan) = progress_from(&view.profile, &form)?;
        page.app().update_subsidence_progress(actor, id, version, &profile, plan, &page.origin()).await
    }
    .await;
    match result {
        Ok(()) => page.see_other(&format!("/subsidence/{id}")),
        Err(AppError::Invalid(reason) | AppError::Conflict(reason)) => {
            show(page, id, None, Some(Refused::new("progress".into(), reason, form, None))).await
        }
        Err(e) => Err(e.into()),
    }
}
