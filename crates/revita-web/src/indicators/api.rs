//! `/api/v1/indicators`: definitions (national, read by any caller).

use axum::Json;
use axum::extract::{Path, Query};
use axum::response::Response;

use super::dto::IndicatorDto;
use crate::error::{ApiError, ApiResult};
use crate::kit::Api;
use crate::listing::{Listing, Paging, Want};

/// `GET /indicators[.csv]`: a page of the definitions by code, or all of
/// them as CSV. The catalogue is small (tens to hundreds) and read whole
/// wherever a page names indicators, so it is paged after reading.
pub async fn indicator_list(api: Api, Query(paging): Query<Paging>) -> Result<Response, ApiError> {
    let want = Want::of(api.csv, &paging, 1000)?;
    if let Some(after) = want.after() {
        revita_methods::IndicatorCode::parse(after)
            .map_err(|e| revita_app::AppError::Invalid(format!("after: {e}")))?;
    }
    let all = api.app().indicators().await?;
    let total = want.counts().then_some(all.len() as i64);
    let rows: Vec<IndicatorDto> = all
        .iter()
        .filter(|i| want.after().is_none_or(|after| i.code.as_str() > after))
        .take(usize::try_from(want.limit()).unwrap_or(usize::MAX))
        .map(IndicatorDto::from)
        .collect();
    const COLUMNS: &[&str] = &[
        "code",
        "name_zh",
        "name_en",
        "unit",
        "direction",
        "aggregation",
        "weight_indicator",
        "valid_min",
        "valid_max",
        "source",
        "description",
    ];
    Listing { name: "indicators", columns: COLUMNS, rows, total }.respond(&want, "indicators", |i| i.code.clone())
}

/// `GET /indicators/{code}`: one definition and the periods it has data for.
pub async fn indicator_show(api: Api, Path(code): Path<String>) -> ApiResult<IndicatorDto> {
    let indicator = api.app().indicator(&code).await?;
    let mut dto = IndicatorDto::from(&indicator);
    dto.periods = Some(api.app().periods(&indicator.code).await?);
    Ok(Json(dto))
}
