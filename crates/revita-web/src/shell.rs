//! The site's frame: the language switch, the 404 page, the health check,
//! static assets and the API's description.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use revita_app::{App, AppError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::i18n::Lang;
use crate::kit::{Page, PageError};
use crate::{Route, assets, get, openapi};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/lang/{code}", language_switch),
        get("/api", openapi::api_page),
        get("/static/app.css", assets::stylesheet),
        get("/static/app.js", assets::script),
        get("/health", health),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![get("/openapi.json", openapi::openapi_json)]
}

#[derive(Deserialize)]
pub struct BackParams {
    back: Option<String>,
}

/// `GET /lang/{code}`: remembers the language and returns to the page.
pub async fn language_switch(Path(code): Path<String>, Query(params): Query<BackParams>) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Zh);
    // Only local paths, so the switch cannot be used as an open redirect.
    let back = crate::redirect::local_or_home(params.back);
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly", lang.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

/// Fallback: 404 as a page (or JSON under /api).
pub async fn not_found(page: Page, uri: axum::http::Uri) -> Response {
    let error = AppError::NotFound(uri.path().to_string());
    if uri.path().starts_with("/api/") {
        let error = AppError::NotFound(format!("endpoint {}", uri.path()));
        return crate::error::ApiError::new(error, &page.id.0).into_response();
    }
    PageError::App(error).into_response()
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
