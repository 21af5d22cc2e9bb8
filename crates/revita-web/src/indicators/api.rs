//! `/api/v1/indicators`: definitions (national, read by any caller).

use axum::Json;
use axum::extract::Path;

use super::dto::IndicatorDto;
use crate::error::ApiResult;
use crate::kit::Api;

/// `GET /indicators`: every definition.
pub async fn indicator_list(api: Api) -> ApiResult<Vec<IndicatorDto>> {
    Ok(Json(api.app().indicators().await?.iter().map(IndicatorDto::from).collect()))
}

/// `GET /indicators/{code}`: one definition and the periods it has data for.
pub async fn indicator_show(api: Api, Path(code): Path<String>) -> ApiResult<IndicatorDto> {
    let indicator = api.app().indicator(&code).await?;
    let mut dto = IndicatorDto::from(&indicator);
    dto.periods = Some(api.app().periods(&indicator.code).await?);
    Ok(Json(dto))
}
