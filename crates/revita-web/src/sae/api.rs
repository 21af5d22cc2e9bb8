//! `/api/v1/sae/…`: a Fay–Herriot run and storing its estimates, as JSON,
//! with the page's checks (jurisdiction, CSRF for session callers, audit).

use axum::Json;
use axum::http::HeaderMap;
use revita_app::AppResult;
use revita_app::sae::{FhRun, FhSpec, FhStored};
use serde::Deserialize;
use serde_json::Value;

use crate::error::ApiResult;
use crate::kit::{Api, api_write};

/// `POST /sae/fh/store`: the spec and whether to write nothing. The spec
/// is parsed by [`FhSpec::from_json`], so that a bad one is a 400 naming
/// the field, as on the page.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreBody {
    spec: Value,
    #[serde(default)]
    dry_run: bool,
}

fn spec(value: &Value) -> AppResult<FhSpec> {
    FhSpec::from_json(&value.to_string())
}

/// `POST /sae/fh`: the spec's estimates (nothing is written).
pub async fn run(api: Api, headers: HeaderMap, Json(body): Json<Value>) -> ApiResult<FhRun> {
    // A POST like the writes, so a session caller sends its CSRF token too.
    api_write(&api, &headers)?;
    Ok(Json(api.app().run_fh(&api.viewer.actor, &spec(&body)?).await?))
}

/// `POST /sae/fh/store`: stores the estimates (or, with `dry_run`, says
/// what would be stored).
pub async fn store(api: Api, headers: HeaderMap, Json(body): Json<StoreBody>) -> ApiResult<FhStored> {
    let origin = api_write(&api, &headers)?;
    Ok(Json(api.app().store_fh(&api.viewer.actor, &spec(&body.spec)?, body.dry_run, &origin).await?))
}
