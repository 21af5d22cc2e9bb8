//! `/api/v1`: regions, observations, designations, roll-ups, the inventory
//! and map data, each within the caller's jurisdiction.

use axum::Json;
use axum::extract::{Path, Query};
use axum::response::Response;
use revita_app::{AppError, ObservationKey, ObservationQuery, RegionSet};
use revita_methods::{DesignationCategory, IndicatorCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::dto::{DesignationDto, ObservationDto, ObservationPage, PairingDto, RegionDetailDto, RegionDto};
use crate::error::{ApiError, ApiResult, GeoJson, GeoResult};
use crate::kit::Api;
use crate::listing::{Listing, MAX_CSV_ROWS, MAX_PAGE, Paging, Want, page_size};

/// `GET /regions/{code}`: a region with its breadcrumb (within the
/// jurisdiction), designations and pairings.
pub async fn region_show(api: Api, Path(code): Path<String>) -> ApiResult<RegionDetailDto> {
    let code = api.region_code(&code)?;
    let visible = api.readable(&code).await?;
    let detail = api.state.detail(&code).await?;
    Ok(Json(RegionDetailDto {
        region: RegionDto::from(&detail.region),
        ancestors: detail.ancestors.iter().filter(|r| visible.covers(&r.code)).map(RegionDto::from).collect(),
        children: detail.children,
        has_boundary: detail.has_boundary,
        designations: detail.designations.iter().map(DesignationDto::from).collect(),
        pairings: detail.pairings.iter().map(PairingDto::from).collect(),
    }))
}

/// `GET /regions/{code}/children[.csv]`: a page of the direct children, by
/// code, or all of them as CSV.
pub async fn region_children(
    api: Api,
    Path(code): Path<String>,
    Query(paging): Query<Paging>,
) -> Result<Response, ApiError> {
    let code = api.region_code(&code)?;
    region_list(&api, &RegionSet::Children(&code), &paging, &format!("{code}-children")).await
}

#[derive(Deserialize)]
pub struct LevelParams {
    level: Option<String>,
    // Not `#[serde(flatten)] Paging`: a query string's numbers reach a
    // flattened struct as text, which then does not parse as a number.
    limit: Option<i64>,
    after: Option<String>,
}

/// `GET /regions/{code}/descendants[.csv]?level=`: a page of the
/// descendants (all, or at one level), by code, or all of them as CSV.
pub async fn region_descendants(
    api: Api,
    Path(code): Path<String>,
    Query(params): Query<LevelParams>,
) -> Result<Response, ApiError> {
    let code = api.region_code(&code)?;
    let level = api.level(params.level.as_deref())?;
    let set = RegionSet::Descendants(&code, level.as_deref());
    let paging = Paging { limit: params.limit, after: params.after };
    region_list(&api, &set, &paging, &format!("{code}-descendants")).await
}

/// A list of regions below one the caller may read.
async fn region_list(api: &Api, set: &RegionSet<'_>, paging: &Paging, stem: &str) -> Result<Response, ApiError> {
    let (RegionSet::Children(root) | RegionSet::Descendants(root, _)) = *set;
    api.readable(root).await?;
    let want = Want::of(api.csv, paging, 1000)?;
    // The cursor is a region code, held to the scheme like any other.
    let after = want.after().map(|code| api.region_code(code)).transpose()?;
    let total = match want.counts() {
        true => Some(api.app().count_regions(set).await?),
        false => None,
    };
    want.allow(total)?;
    let rows = api.app().region_page(set, after.as_ref().map(|c| c.as_str()), want.limit()).await?;
    let rows: Vec<RegionDto> = rows.iter().map(RegionDto::from).collect();
    Listing { name: "regions", columns: REGION_COLUMNS, rows, total }.respond(&want, stem, |r| r.code.clone())
}

/// The columns of a region list's CSV.
const REGION_COLUMNS: &[&str] = &["code", "name_zh", "name_en", "level", "parent", "valid_from", "valid_to"];

/// The columns of a designation list's CSV.
const DESIGNATION_COLUMNS: &[&str] =
    &["region", "category", "class", "basis_title", "basis_number", "valid_from", "valid_to", "notes"];

/// `GET /regions/{code}/designations[.csv]`: every designation of the
/// region, current and past (a handful: one page).
pub async fn region_designations(api: Api, Path(code): Path<String>) -> Result<Response, ApiError> {
    let code = api.region_code(&code)?;
    api.readable(&code).await?;
    let detail = api.state.detail(&code).await?;
    let rows: Vec<DesignationDto> = detail.designations.iter().map(DesignationDto::from).collect();
    let want = Want::of(api.csv, &Paging::default(), MAX_PAGE)?;
    let total = Some(rows.len() as i64);
    Listing { name: "designations", columns: DESIGNATION_COLUMNS, rows, total }.respond(
        &want,
        &format!("{code}-designations"),
        |_| String::new(),
    )
}

/// `GET /regions/{code}/boundary`: the boundary as a GeoJSON Feature.
pub async fn region_boundary(api: Api, Path(code): Path<String>) -> GeoResult {
    let code = api.region_code(&code)?;
    api.readable(&code).await?;
    let boundary = api.app().boundary(&code).await?;
    let geometry: Value = serde_json::from_str(&boundary.geojson)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored geometry is not JSON: {e}")))?;
    Ok(GeoJson(json!({
        "type": "Feature",
        "properties": {"code": code.to_string(), "source": boundary.source},
        "geometry": geometry,
    })))
}

/// `GET /regions/{code}/profile`: the data of the region page.
pub async fn region_profile(api: Api, Path(code): Path<String>) -> ApiResult<Value> {
    let code = api.region_code(&code)?;
    let visible = api.readable(&code).await?;
    let profile = api.state.profile(&code, &visible).await?;
    let points = |pts: &[(revita_methods::Period, f64)]| -> Vec<Value> {
        pts.iter().map(|(p, v)| json!({"period": p.to_string(), "value": v})).collect()
    };
    let series: Vec<Value> = profile
        .series
        .iter()
        .map(|s| {
            let references: Vec<Value> = s
                .references
                .iter()
                .map(|(r, pts)| json!({"region": r.code.to_string(), "points": points(pts)}))
                .collect();
            json!({
                "indicator": s.indicator.code.to_string(),
                "points": points(&s.points),
                "source": s.source,
                "synthetic": s.synthetic,
                "references": references,
                "standing": s.standing.map(|st| json!({"rank": st.rank, "of": st.of, "percentile": st.percentile})),
            })
        })
        .collect();
    let columns: Vec<Value> =
        profile.child_columns.iter().map(|(i, p)| json!({"indicator": i.code.to_string(), "period": p})).collect();
    let children: Vec<Value> = profile
        .children
        .iter()
        .map(|row| {
            let r = &row.region;
            json!({"code": r.code.to_string(), "name_zh": r.name_zh, "name_en": r.name_en, "values": row.values})
        })
        .collect();
    Ok(Json(json!({
        "region": RegionDto::from(&profile.detail.region),
        "ancestors": profile.detail.ancestors.iter().map(RegionDto::from).collect::<Vec<_>>(),
        "designations": profile.detail.designations.iter().map(DesignationDto::from).collect::<Vec<_>>(),
        "series": series,
        "child_columns": columns,
        "children": children,
    })))
}

#[derive(Deserialize)]
pub struct SearchParams {
    q: String,
    limit: Option<i64>,
}

/// `GET /search[.csv]?q=`: regions by code or name within the
/// jurisdiction, best first, at most `limit` (ranked, so not paged: a
/// caller narrows the text instead), with how many match in all.
pub async fn region_search(api: Api, Query(params): Query<SearchParams>) -> Result<Response, ApiError> {
    let visible = api.visible().await?;
    let q = params.q.trim();
    if q.is_empty() || q.chars().count() > 100 {
        return Err(AppError::Invalid("q must be 1 to 100 characters".into()).into());
    }
    let limit = page_size(params.limit, 20)?;
    if limit > MAX_SEARCH {
        return Err(AppError::Invalid(format!("limit {limit} is more than a search gives ({MAX_SEARCH})")).into());
    }
    let found = api.app().search(q, limit, &visible).await?;
    let total = Some(api.app().count_search(q, &visible).await?);
    let rows: Vec<RegionDto> = found.iter().map(RegionDto::from).collect();
    // A ranked list has no cursor: the page is the answer.
    let want = if api.csv { Want::Csv } else { Want::Page { limit: i64::MAX, after: None } };
    Listing { name: "regions", columns: REGION_COLUMNS, rows, total }.respond(&want, "search", |r| r.code.clone())
}

/// The most regions one search gives.
const MAX_SEARCH: i64 = 500;

#[derive(Deserialize)]
pub struct ObservationParams {
    indicator: Option<String>,
    region: Option<String>,
    parent: Option<String>,
    level: Option<String>,
    period: Option<String>,
    limit: Option<i64>,
    /// Cursor from the previous page: `indicator|region|period`.
    after: Option<String>,
}

/// `GET /observations`: one page of observations in key order, within the
/// jurisdiction (a condition of the query: every page is full and the
/// cursor names only regions the caller may see).
pub async fn observation_list(api: Api, Query(p): Query<ObservationParams>) -> ApiResult<ObservationPage> {
    let visible = api.visible().await?;
    let query = observation_query(&api, &p)?;
    let after = p.after.as_deref().map(parse_cursor).transpose()?;
    let limit = page_size(p.limit, 1000)?;
    let rows = api.app().observations(&query, after.as_ref(), limit, &visible).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|o| format!("{}|{}|{}", o.indicator, o.region, o.period)))
        .flatten();
    let total = match after {
        None => Some(api.app().count_observations(&query, &visible).await?),
        Some(_) => None,
    };
    Ok(Json(ObservationPage { observations: rows.iter().map(ObservationDto::from).collect(), next, total }))
}

/// `GET /observations.csv`: every observation the list's filters match,
/// within the jurisdiction, as one CSV file in the long layout (which
/// imports again), with a byte-order mark for spreadsheets.
pub async fn observation_csv(
    api: Api,
    Query(p): Query<ObservationParams>,
) -> Result<axum::response::Response, ApiError> {
    let visible = api.visible().await?;
    let query = observation_query(&api, &p)?;
    let total = api.app().count_observations(&query, &visible).await?;
    if total > MAX_CSV_ROWS {
        let reason = format!(
            "{total} observations match, more than one download of {MAX_CSV_ROWS}: narrow the filters, page through /api/v1/observations, or use revita export"
        );
        return Err(AppError::Invalid(reason).into());
    }
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(anyhow::anyhow!("no temporary directory: {e}")))?;
    let path = dir.path().join("observations.csv");
    let format = revita_app::export::ExportFormat::Csv;
    api.app().export_observations(&query, &path, format, &visible).await?;
    let bytes = std::fs::read(&path).map_err(|e| AppError::Internal(anyhow::anyhow!("cannot read the export: {e}")))?;
    Ok(crate::kit::attachment(bytes, format, "observations"))
}

/// The list's filters as a query; each value checked as the API's
/// description says.
fn observation_query(api: &Api, p: &ObservationParams) -> Result<ObservationQuery, ApiError> {
    let invalid = |e: &dyn std::fmt::Display| AppError::Invalid(e.to_string());
    Ok(ObservationQuery {
        indicator: p.indicator.as_deref().map(IndicatorCode::parse).transpose().map_err(|e| invalid(&e))?,
        region: p.region.as_deref().map(|c| api.region_code(c)).transpose()?,
        parent: p.parent.as_deref().map(|c| api.region_code(c)).transpose()?,
        level: api.level(p.level.as_deref())?,
        period: p
            .period
            .as_deref()
            .map(revita_methods::Period::parse)
            .transpose()
            .map_err(|e| invalid(&e))?
            .map(|p| p.to_string()),
        within: None,
    })
}

/// A cursor, `indicator|region|period`.
fn parse_cursor(cursor: &str) -> Result<ObservationKey, AppError> {
    let mut parts = cursor.split('|');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(i), Some(r), Some(p), None) => {
            Ok(ObservationKey { indicator: i.into(), region: r.into(), period: p.into() })
        }
        _ => Err(AppError::Invalid(format!("cursor '{cursor}' is not indicator|region|period"))),
    }
}

#[derive(Deserialize)]
pub struct DesignationParams {
    category: Option<String>,
    limit: Option<i64>,
    after: Option<String>,
}

/// `GET /designations[.csv]?category=`: a page of the designations within
/// the jurisdiction, by region, or all of them as CSV.
pub async fn designation_list(api: Api, Query(p): Query<DesignationParams>) -> Result<Response, ApiError> {
    let visible = api.visible().await?;
    let category = p
        .category
        .as_deref()
        .map(DesignationCategory::parse)
        .transpose()
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let want = Want::of(api.csv, &Paging { limit: p.limit, after: p.after.clone() }, 1000)?;
    let after = want.after().map(|c| designation_cursor(&api, c)).transpose()?;
    let total = match want.counts() {
        true => Some(api.app().count_designations(category.as_ref(), &visible).await?),
        false => None,
    };
    want.allow(total)?;
    let rows = api.app().designation_page(category.as_ref(), &visible, after, want.limit()).await?;
    let rows: Vec<Keyed<DesignationDto>> =
        rows.iter().map(|(id, d)| Keyed { id: *id, row: DesignationDto::from(d) }).collect();
    Listing { name: "designations", columns: DESIGNATION_COLUMNS, rows, total }
        .respond(&want, "designations", |k| format!("{}|{}", k.row.region, k.id))
}

/// A row with the id its list is paged by.
#[derive(Serialize)]
struct Keyed<T> {
    id: i64,
    #[serde(flatten)]
    row: T,
}

/// A designation cursor, `region|id`.
fn designation_cursor<'c>(api: &Api, cursor: &'c str) -> Result<(&'c str, i64), AppError> {
    let invalid = || AppError::Invalid(format!("cursor '{cursor}' is not region|id"));
    let (region, id) = cursor.split_once('|').ok_or_else(invalid)?;
    api.region_code(region)?;
    Ok((region, crate::listing::sequence_number(id).ok_or_else(invalid)?))
}

#[derive(Deserialize)]
pub struct RollupParams {
    region: String,
    indicator: String,
    period: String,
    level: Option<String>,
}

/// `GET /rollup`: an indicator rolled up to a region from what lies in the
/// jurisdiction below it (partial, and saying so, above it).
pub async fn rollup_show(api: Api, Query(p): Query<RollupParams>) -> ApiResult<revita_app::query::Rollup> {
    let region = api.region_code(&p.region)?;
    let visible = api.visible().await?;
    let level = api.level(p.level.as_deref())?;
    Ok(Json(api.app().rollup(&region, &p.indicator, &p.period, level.as_deref(), &visible).await?))
}

/// `GET /inventory`: whole-database counts, for national readers.
pub async fn inventory_show(api: Api) -> ApiResult<Value> {
    let inventory = api.app().inventory(&api.visible().await?).await?;
    let levels: serde_json::Map<String, Value> =
        inventory.regions_by_level.into_iter().map(|(l, n)| (l, json!(n))).collect();
    Ok(Json(json!({
        "regions_by_level": levels,
        "boundaries": inventory.boundaries,
        "indicators": inventory.indicators,
        "observations": inventory.observations,
        "designations": inventory.designations,
        "history_codes": inventory.history_codes,
    })))
}

#[derive(Deserialize)]
pub struct MapQuery {
    theme: Option<String>,
    period: Option<String>,
    level: Option<String>,
    within: Option<String>,
}

/// `GET /map`: the map's regions as GeoJSON with their values.
pub async fn map_geojson(api: Api, Query(q): Query<MapQuery>) -> GeoResult {
    let app = api.app();
    let visible = api.visible().await?;
    let level = q.level.clone().unwrap_or_else(|| "province".into());
    if !["province", "prefecture", "county"].contains(&level.as_str()) {
        return Err(AppError::Invalid(format!("level '{level}' is not province, prefecture or county")).into());
    }
    let within = q.within.as_deref().filter(|w| !w.is_empty()).map(|w| api.region_code(w)).transpose()?;
    let theme = q.theme.clone().unwrap_or_else(|| "indicator:pop_total".into());
    let data = match theme.split_once(':') {
        Some(("indicator", code)) => app.indicator_map(&level, within.as_ref(), code, q.period.as_deref()).await?,
        Some(("designation", category)) => {
            // A day, or a period's last day (the status at the end of 2020).
            let on = match q.period.as_deref() {
                None => revita_methods::Date::first_of_year(2100),
                Some(text) => revita_methods::Date::parse(text)
                    .or_else(|_| revita_methods::Period::parse(text).map(|p| p.last_day()))
                    .map_err(|_| AppError::Invalid(format!("'{text}' is neither a day (YYYY-MM-DD) nor a period")))?,
            };
            app.designation_map(&level, within.as_ref(), category, on).await?
        }
        _ => {
            let reason = format!("theme '{theme}' is not indicator:<code> or designation:<category>");
            return Err(AppError::Invalid(reason).into());
        }
    };
    let (theme_json, period) = match &data.theme {
        revita_app::maps::MapTheme::Indicator { indicator, period, sources } => (
            json!({"indicator": indicator.code.to_string(), "unit": indicator.unit, "sources": sources}),
            Some(period.clone()),
        ),
        revita_app::maps::MapTheme::Designation { category, on } => {
            (json!({"designation": category.as_str(), "on": on.to_string()}), None)
        }
    };
    let features: Vec<Value> = data
        .regions
        .iter()
        .filter(|r| visible.covers(&r.code))
        .map(|r| {
            let coordinates: Vec<Vec<Vec<[f64; 2]>>> = r
                .shape
                .iter()
                .map(|poly| poly.iter().map(|ring| ring.iter().map(|&(x, y)| [x, y]).collect()).collect())
                .collect();
            let geometry = if coordinates.is_empty() {
                Value::Null
            } else {
                json!({"type": "MultiPolygon", "coordinates": coordinates})
            };
            let properties =
                json!({"code": r.code.to_string(), "name_zh": r.name_zh, "name_en": r.name_en, "value": r.value});
            json!({"type": "Feature", "properties": properties, "geometry": geometry})
        })
        .collect();
    let mut collection = json!({
        "type": "FeatureCollection",
        "level": data.level,
        "period": period,
        "theme": theme_json,
        "features": features,
    });
    // A national map of China carries the dashed boundary line, as official
    // maps draw it, beside the regions (a foreign member: `features` stays
    // one feature per region).
    if within.is_none() && api.state.frame().china {
        collection["boundary_lines"] = json!([crate::official::dash_line_feature()]);
    }
    Ok(GeoJson(collection))
}

#[derive(Deserialize)]
pub struct ImportParams {
    /// Check everything, write nothing.
    #[serde(rename = "dryRun", default)]
    dry_run: bool,
    /// Replace stored values (else a value already stored is a conflict).
    #[serde(default)]
    replace: bool,
}

/// `POST /observations[?dryRun=true][&replace=true]`: observations from a
/// CSV body (any layout the import takes) or a JSON body
/// `{"dataValues": [{"indicator", "region", "period", "value"}, …]}`,
/// checked and written all or nothing within the caller's data-entry
/// jurisdiction, exactly as an import; the answer is the import summary, or
/// 422 with every problem (row and column) and nothing written. A session
/// caller sends its CSRF token in `X-CSRF-Token`.
pub async fn observation_import(
    api: Api,
    Query(p): Query<ImportParams>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<revita_app::ImportReport> {
    let origin = crate::kit::api_write(&api, &headers)?;
    let viewer = &api.viewer;
    let within = api.app().jurisdiction(&viewer.actor, revita_methods::access::Action::EditData).await?;
    if within.is_nowhere() {
        return Err(AppError::Forbidden(format!("{} may not enter data", viewer.actor.name)).into());
    }
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let body = if json {
        revita_app::import::ObservationBody::Json(&body)
    } else {
        revita_app::import::ObservationBody::Csv(&body)
    };
    let import = revita_app::import::ObservationImport {
        dry_run: p.dry_run,
        replace: p.replace,
        within,
        by: revita_app::auth::ChangeBy::new(&viewer.actor, &origin),
        ..Default::default()
    };
    let mut report = api.app().import_observation_body(body, &import).await?;
    report.file = "request body".into();
    Ok(Json(report))
}
