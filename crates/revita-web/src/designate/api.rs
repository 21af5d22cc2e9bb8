//! `/api/v1/designate`.

use axum::Json;
use axum::extract::Query;
use revita_app::designate::DesignationRun;

use super::{RunParams, run};
use crate::error::ApiResult;
use crate::kit::Api;

/// `GET /designate?spec=…&year=…`: the run as JSON.
pub async fn designate_api(api: Api, Query(params): Query<RunParams>) -> ApiResult<DesignationRun> {
    Ok(Json(run(&api.state, Some(&api.viewer), &params).await?))
}
