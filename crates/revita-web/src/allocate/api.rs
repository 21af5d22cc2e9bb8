//! `/api/v1/allocate`.

use axum::Json;
use axum::extract::Query;
use revita_app::allocate::AllocationRun;

use super::{AllocateParams, run};
use crate::error::ApiResult;
use crate::kit::Api;

/// `GET /allocate?spec=…&year=…`: the allocation as JSON.
pub async fn allocate_api(api: Api, Query(params): Query<AllocateParams>) -> ApiResult<AllocationRun> {
    Ok(Json(run(&api.state, Some(&api.viewer), &params).await?))
}
