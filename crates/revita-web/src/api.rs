//! The `/api/v1` handlers, named `resource_action`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use revita_app::{App, AppError, AppResult, ObservationKey, ObservationQuery};
use revita_methods::{DesignationCategory, IndicatorCode};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::dto::{DesignationDto, IndicatorDto, ObservationDto, ObservationPage, RegionDetailDto, RegionDto};
use crate::error::ApiError;
use crate::get;
use crate::request_id::RequestId;

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Attaches the request id to a use-case result.
fn respond<T>(result: AppResult<T>, id: &RequestId) -> ApiResult<T> {
    result.map(Json).map_err(|e| ApiError::new(e, &id.0))
}

/// The API routes, relative to `/api/v1`.
pub(crate) fn routes() -> Vec<crate::Route> {
    vec![
        get("/regions/{code}", region_show),
        get("/regions/{code}/children", region_children),
        get("/regions/{code}/descendants", region_descendants),
        get("/regions/{code}/designations", region_designations),
        get("/regions/{code}/boundary", region_boundary),
        get("/regions/{code}/profile", region_profile),
        get("/search", region_search),
        get("/indicators", indicator_list),
        get("/indicators/{code}", indicator_show),
        get("/observations", observation_list),
        get("/designations", designation_list),
        get("/rollup", rollup_show),
        get("/inventory", inventory_show),
        get("/map", map_geojson),
        get("/designate", crate::designate::designate_api),
        get("/allocate", crate::allocate::allocate_api),
        get("/alerts", crate::monitoring::alerts_api),
        get("/plans", crate::plans::plans_api),
        get("/plans/{id}", crate::plans::plan_api),
        get("/openapi.json", crate::openapi::openapi_json),
    ]
}

/// `GET /health`: 200 when the store answers, 503 otherwise.
pub async fn health(State(app): State<App>) -> (StatusCode, Json<Value>) {
    let (backend, answer) = app.health().await;
    match answer {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok", "backend": backend}))),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "backend": backend})))
        }
    }
}

async fn region_show(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Path(code): Path<String>,
) -> ApiResult<RegionDetailDto> {
    let result = async {
        let code = state.app.parse_region_code(&code)?;
        let visible = state.readable(Some(&viewer), &code).await?;
        let detail = state.detail(&code).await?;
        let seen = |r: &&revita_methods::Region| visible.covers(&r.code);
        Ok(RegionDetailDto {
            region: RegionDto::from(&detail.region),
            ancestors: detail.ancestors.iter().filter(seen).map(RegionDto::from).collect(),
            children: detail.children,
            has_boundary: detail.has_boundary,
            designations: detail.designations.iter().map(DesignationDto::from).collect(),
            pairings: detail.pairings.iter().map(crate::dto::PairingDto::from).collect(),
        })
    };
    respond(result.await, &id)
}

async fn region_children(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Path(code): Path<String>,
) -> ApiResult<Vec<RegionDto>> {
    let result = async {
        let code = state.app.parse_region_code(&code)?;
        state.readable(Some(&viewer), &code).await?;
        Ok(state.app.children(&code).await?.iter().map(RegionDto::from).collect())
    };
    respond(result.await, &id)
}

#[derive(Deserialize)]
struct LevelParams {
    level: Option<String>,
}

async fn region_descendants(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Path(code): Path<String>,
    Query(params): Query<LevelParams>,
) -> ApiResult<Vec<RegionDto>> {
    let result = async {
        let code = state.app.parse_region_code(&code)?;
        state.readable(Some(&viewer), &code).await?;
        Ok(state.app.descendants(&code, params.level.as_deref()).await?.iter().map(RegionDto::from).collect())
    };
    respond(result.await, &id)
}

async fn region_designations(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Path(code): Path<String>,
) -> ApiResult<Vec<DesignationDto>> {
    let result = async {
        let code = state.app.parse_region_code(&code)?;
        state.readable(Some(&viewer), &code).await?;
        let detail = state.detail(&code).await?;
        Ok(detail.designations.iter().map(DesignationDto::from).collect())
    };
    respond(result.await, &id)
}

/// The boundary as a GeoJSON Feature.
async fn region_boundary(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Path(code): Path<String>,
) -> ApiResult<Value> {
    let result = async {
        let code = state.app.parse_region_code(&code)?;
        state.readable(Some(&viewer), &code).await?;
        let boundary = state.app.boundary(&code).await?;
        let geometry: Value =
            serde_json::from_str(&boundary.geojson).map_err(|e| anyhow::anyhow!("stored geometry is not JSON: {e}"))?;
        Ok(
            json!({"type": "Feature", "properties": {"code": code.to_string(), "source": boundary.source}, "geometry": geometry}),
        )
    };
    respond(result.await, &id)
}

#[derive(Deserialize)]
struct SearchParams {
    q: String,
    limit: Option<i64>,
}

async fn region_search(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Query(params): Query<SearchParams>,
) -> ApiResult<Vec<RegionDto>> {
    let result = async {
        let visible = state.visible(Some(&viewer)).await?;
        let found = state.app.search(&params.q, params.limit.unwrap_or(20), &visible).await?;
        Ok(found.iter().map(RegionDto::from).collect())
    };
    respond(result.await, &id)
}

async fn indicator_list(State(app): State<App>, Extension(id): Extension<RequestId>) -> ApiResult<Vec<IndicatorDto>> {
    let result = async { Ok(app.indicators().await?.iter().map(IndicatorDto::from).collect()) };
    respond(result.await, &id)
}

async fn indicator_show(
    State(app): State<App>,
    Extension(id): Extension<RequestId>,
    Path(code): Path<String>,
) -> ApiResult<IndicatorDto> {
    let result = async {
        let indicator = app.indicator(&code).await?;
        let mut dto = IndicatorDto::from(&indicator);
        dto.periods = Some(app.periods(&indicator.code).await?);
        Ok(dto)
    };
    respond(result.await, &id)
}

#[derive(Deserialize)]
struct ObservationParams {
    indicator: Option<String>,
    region: Option<String>,
    parent: Option<String>,
    level: Option<String>,
    period: Option<String>,
    limit: Option<i64>,
    /// Cursor from the previous page: `indicator|region|period`.
    after: Option<String>,
}

async fn observation_list(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Query(p): Query<ObservationParams>,
) -> ApiResult<ObservationPage> {
    let app = &state.app;
    let result = async {
        let visible = state.visible(Some(&viewer)).await?;
        let invalid = |e: &dyn std::fmt::Display| AppError::Invalid(e.to_string());
        let query = ObservationQuery {
            indicator: p.indicator.as_deref().map(IndicatorCode::parse).transpose().map_err(|e| invalid(&e))?,
            region: p.region.as_deref().map(|c| app.parse_region_code(c)).transpose()?,
            parent: p.parent.as_deref().map(|c| app.parse_region_code(c)).transpose()?,
            level: p.level.clone(),
            period: p
                .period
                .as_deref()
                .map(revita_methods::Period::parse)
                .transpose()
                .map_err(|e| invalid(&e))?
                .map(|p| p.to_string()),
            within: None,
        };
        let after = match p.after.as_deref() {
            Some(cursor) => {
                let mut parts = cursor.split('|');
                match (parts.next(), parts.next(), parts.next(), parts.next()) {
                    (Some(i), Some(r), Some(per), None) => {
                        Some(ObservationKey { indicator: i.into(), region: r.into(), period: per.into() })
                    }
                    _ => return Err(AppError::Invalid(format!("cursor '{cursor}' is not indicator|region|period"))),
                }
            }
            None => None,
        };
        let limit = p.limit.unwrap_or(1000).clamp(1, 10_000);
        let rows = app.observations(&query, after.as_ref(), limit, &visible).await?;
        let next = (rows.len() as i64 == limit)
            .then(|| rows.last().map(|o| format!("{}|{}|{}", o.indicator, o.region, o.period)))
            .flatten();
        // The jurisdiction is a condition of the query: every page is full
        // and the cursor names only regions the reader may see.
        let observations = rows.iter().map(ObservationDto::from).collect();
        Ok(ObservationPage { observations, next })
    };
    respond(result.await, &id)
}

#[derive(Deserialize)]
struct DesignationParams {
    category: Option<String>,
}

async fn designation_list(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Query(p): Query<DesignationParams>,
) -> ApiResult<Vec<DesignationDto>> {
    let app = &state.app;
    let result = async {
        let visible = state.visible(Some(&viewer)).await?;
        let category = p
            .category
            .as_deref()
            .map(DesignationCategory::parse)
            .transpose()
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let found = app.designations(category.as_ref(), &visible).await?;
        Ok(found.iter().map(DesignationDto::from).collect())
    };
    respond(result.await, &id)
}

#[derive(Deserialize)]
struct RollupParams {
    region: String,
    indicator: String,
    period: String,
    level: Option<String>,
}

async fn rollup_show(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Query(p): Query<RollupParams>,
) -> ApiResult<revita_app::query::Rollup> {
    let result = async {
        let region = state.app.parse_region_code(&p.region)?;
        let visible = state.visible(Some(&viewer)).await?;
        state.app.rollup(&region, &p.indicator, &p.period, p.level.as_deref(), &visible).await
    };
    respond(result.await, &id)
}

async fn inventory_show(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
) -> ApiResult<Value> {
    let app = &state.app;
    let result = async {
        let inv = app.inventory(&state.visible(Some(&viewer)).await?).await?;
        let levels: serde_json::Map<String, Value> =
            inv.regions_by_level.into_iter().map(|(l, n)| (l, json!(n))).collect();
        Ok(json!({
            "regions_by_level": levels,
            "boundaries": inv.boundaries,
            "indicators": inv.indicators,
            "observations": inv.observations,
            "designations": inv.designations,
            "history_codes": inv.history_codes,
        }))
    };
    respond(result.await, &id)
}

/// `GET /api/v1/regions/{code}/profile`: the data of the region page.
async fn region_profile(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Path(code): Path<String>,
) -> ApiResult<Value> {
    let result = async {
        let code = state.app.parse_region_code(&code)?;
        let visible = state.readable(Some(&viewer), &code).await?;
        let profile = state.profile(&code, &visible).await?;
        let points = |pts: &[(revita_methods::Period, f64)]| -> Vec<Value> {
            pts.iter().map(|(p, v)| json!({"period": p.to_string(), "value": v})).collect()
        };
        let series: Vec<Value> = profile
            .series
            .iter()
            .map(|s| {
                json!({
                    "indicator": s.indicator.code.to_string(),
                    "points": points(&s.points),
                    "source": s.source,
                    "synthetic": s.synthetic,
                    "references": s.references.iter().map(|(r, pts)| json!({"region": r.code.to_string(), "points": points(pts)})).collect::<Vec<_>>(),
                    "standing": s.standing.map(|st| json!({"rank": st.rank, "of": st.of, "percentile": st.percentile})),
                })
            })
            .collect();
        let columns: Vec<Value> =
            profile.child_columns.iter().map(|(i, p)| json!({"indicator": i.code.to_string(), "period": p})).collect();
        let children: Vec<Value> = profile
            .children
            .iter()
            .map(|row| json!({"code": row.region.code.to_string(), "name_zh": row.region.name_zh, "name_en": row.region.name_en, "values": row.values}))
            .collect();
        Ok(json!({
            "region": RegionDto::from(&profile.detail.region),
            "ancestors": profile.detail.ancestors.iter().map(RegionDto::from).collect::<Vec<_>>(),
            "designations": profile.detail.designations.iter().map(DesignationDto::from).collect::<Vec<_>>(),
            "series": series,
            "child_columns": columns,
            "children": children,
        }))
    };
    respond(result.await, &id)
}

#[derive(Deserialize)]
struct MapQuery {
    theme: Option<String>,
    period: Option<String>,
    level: Option<String>,
    within: Option<String>,
}

/// `GET /api/v1/map`: the map's regions as GeoJSON with their values.
async fn map_geojson(
    State(state): State<crate::state::WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Query(q): Query<MapQuery>,
) -> ApiResult<Value> {
    let app = &state.app;
    let result = async {
        let visible = state.visible(Some(&viewer)).await?;
        let level = q.level.clone().unwrap_or_else(|| "province".into());
        let within = q.within.as_deref().filter(|w| !w.is_empty()).map(|w| app.parse_region_code(w)).transpose()?;
        let theme = q.theme.clone().unwrap_or_else(|| "indicator:pop_total".into());
        let data = match theme.split_once(':') {
            Some(("indicator", code)) => app.indicator_map(&level, within.as_ref(), code, q.period.as_deref()).await?,
            Some(("designation", category)) => {
                let on = q
                    .period
                    .as_deref()
                    .map(revita_methods::Date::parse)
                    .transpose()
                    .map_err(|e| AppError::Invalid(e.to_string()))?;
                app.designation_map(
                    &level,
                    within.as_ref(),
                    category,
                    on.unwrap_or(revita_methods::Date::first_of_year(2100)),
                )
                .await?
            }
            _ => {
                return Err(AppError::Invalid(format!(
                    "theme '{theme}' is not indicator:<code> or designation:<category>"
                )));
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
                let coordinates: Vec<Vec<Vec<[f64; 2]>>> =
                    r.shape.iter().map(|poly| poly.iter().map(|ring| ring.iter().map(|&(x, y)| [x, y]).collect()).collect()).collect();
                let geometry = if coordinates.is_empty() { Value::Null } else { json!({"type": "MultiPolygon", "coordinates": coordinates}) };
                json!({"type": "Feature", "properties": {"code": r.code.to_string(), "name_zh": r.name_zh, "name_en": r.name_en, "value": r.value}, "geometry": geometry})
            })
            .collect();
        Ok(
            json!({"type": "FeatureCollection", "level": data.level, "period": period, "theme": theme_json, "features": features}),
        )
    };
    respond(result.await, &id)
}
