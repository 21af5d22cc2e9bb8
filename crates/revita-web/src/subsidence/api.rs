//! `/api/v1/subsidence…` and `/api/v1/places`: subsidence areas within the
//! caller's jurisdiction (paged, `.csv`), an area with who lies inside,
//! houses by grade, farmland by class and progress; village and household
//! points (paged).

use axum::Json;
use axum::extract::{Path, Query};
use axum::response::Response;
use revita_app::AppError;
use revita_app::subsidence::Profile;
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::kit::Api;
use crate::listing::{Listing, Paging, Want, sequence_number};

/// An area in a list.
#[derive(Serialize)]
struct AreaRow {
    id: i64,
    code: String,
    name: String,
    county: String,
    stability: Option<String>,
    responsible_entity: Option<String>,
    subsided_km2: Option<f64>,
    plan_id: Option<i64>,
    version: i64,
}

/// `GET /subsidence[.csv]`: the areas kept within the caller's jurisdiction.
pub async fn list(api: Api, Query(paging): Query<Paging>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &paging, 100)?;
    let after = match want.after() {
        None => 0,
        Some(t) => sequence_number(t)
            .filter(|n| *n > 0)
            .ok_or_else(|| AppError::Invalid(format!("cursor '{t}' is not an area number")))?,
    };
    let (areas, total) = api.app().subsidence_areas(&api.viewer.actor, after, want.limit()).await?;
    let rows: Vec<AreaRow> = areas
        .into_iter()
        .map(|a| {
            let p: Profile = serde_json::from_str(&a.profile).unwrap_or_default();
            AreaRow {
                id: a.id,
                code: a.code,
                name: a.name,
                county: a.county.to_string(),
                stability: p.stability,
                responsible_entity: p.responsible_entity,
                subsided_km2: p.subsided_km2,
                plan_id: a.plan_id,
                version: a.version,
            }
        })
        .collect();
    const COLUMNS: &[&str] =
        &["id", "code", "name", "county", "stability", "responsible_entity", "subsided_km2", "plan_id", "version"];
    let total = want.counts().then_some(total);
    Listing { name: "areas", columns: COLUMNS, rows, total }.respond(&want, "subsidence", |a| a.id.to_string())
}

/// `GET /subsidence/{id}`: an area with who lies inside, graded houses,
/// classed farmland and progress.
pub async fn area(api: Api, Path(id): Path<i64>) -> ApiResult<Value> {
    let v = api.app().subsidence_area(&api.viewer.actor, id).await?;
    let houses: Vec<Value> = v
        .houses
        .iter()
        .map(|h| {
            json!({
                "house_id": h.house.house_id, "household_id": h.house.household_id,
                "strain": h.house.strain, "curvature": h.house.curvature, "tilt": h.house.tilt,
                "grade": h.grade.as_ref().ok().map(|a| a.grade.as_str()),
                "decided_by": h.grade.as_ref().ok().map(|a| a.decided_by.as_str()),
                "problem": h.grade.as_ref().err(),
            })
        })
        .collect();
    let parcels: Vec<Value> = v
        .parcels
        .iter()
        .map(|p| {
            json!({
                "parcel_id": p.parcel.parcel_id, "hectares": p.parcel.hectares,
                "class": p.class.as_ref().ok().map(|a| a.class.as_str()),
                "decided_by": p.class.as_ref().ok().map(|a| a.decided_by.as_str()),
                "problem": p.class.as_ref().err(),
            })
        })
        .collect();
    let [i, ii, iii, iv] = v.houses_by_grade;
    let [light, moderate, severe] = v.hectares_by_class;
    Ok(Json(json!({
        "id": v.area.id, "code": v.area.code, "name": v.area.name, "county": v.area.county.as_str(),
        "version": v.area.version, "plan_id": v.area.plan_id, "plan_title": v.plan_title,
        "profile": v.profile,
        "geometry": serde_json::from_str::<Value>(&v.area.geometry).unwrap_or(Value::Null),
        "inside": v.inside,
        "houses_by_grade": {"I": i, "II": ii, "III": iii, "IV": iv},
        "hectares_by_class": {"light": light, "moderate": moderate, "severe": severe},
        "houses": houses,
        "farmland": parcels,
        "progress": v.progress,
    })))
}

/// A place in a list.
#[derive(Serialize)]
struct PlaceRow {
    kind: String,
    id: String,
    name: String,
    county: String,
    lon: f64,
    lat: f64,
    population: i64,
    households: i64,
}

/// `GET /places`: village and household points within the caller's
/// jurisdiction, by kind and id; the cursor is `kind:id`.
pub async fn places(api: Api, Query(paging): Query<Paging>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &paging, 100)?;
    let after = match want.after() {
        None => ("", ""),
        Some(t) => t
            .split_once(':')
            .filter(|(k, id)| {
                revita_app::subsidence::PLACE_KINDS.contains(k)
                    && (1..=64).contains(&id.chars().count())
                    && !id.chars().any(char::is_control)
            })
            .ok_or_else(|| AppError::Invalid(format!("cursor '{t}' is not kind:id")))?,
    };
    let (places, total) = api.app().places(&api.viewer.actor, after, want.limit()).await?;
    let rows: Vec<PlaceRow> = places
        .into_iter()
        .map(|p| PlaceRow {
            kind: p.kind,
            id: p.id,
            name: p.name,
            county: p.county.to_string(),
            lon: p.lon,
            lat: p.lat,
            population: p.population,
            households: p.households,
        })
        .collect();
    const COLUMNS: &[&str] = &["kind", "id", "name", "county", "lon", "lat", "population", "households"];
    let total = want.counts().then_some(total);
    Listing { name: "places", columns: COLUMNS, rows, total }
        .respond(&want, "places", |p| format!("{}:{}", p.kind, p.id))
}
