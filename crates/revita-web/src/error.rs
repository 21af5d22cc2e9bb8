//! One table from use-case errors to HTTP statuses and stable error codes.
//! Internal details are logged with the request id, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use revita_app::AppError;
use serde::Serialize;

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    error: AppError,
    request_id: String,
}

impl ApiError {
    /// Wraps a use-case error with the request's id.
    pub fn new(error: AppError, request_id: &str) -> ApiError {
        ApiError { error, request_id: request_id.to_string() }
    }
}

/// A use-case error in an API handler (`?`), tagged with the id of the
/// request being served.
impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        ApiError { error, request_id: crate::request_id::current() }
    }
}

/// What an API handler returns: JSON, or a JSON error.
pub type ApiResult<T> = Result<axum::Json<T>, ApiError>;

/// A GeoJSON answer, served as `application/geo+json` (RFC 7946).
pub struct GeoJson(pub serde_json::Value);

impl IntoResponse for GeoJson {
    fn into_response(self) -> Response {
        let mut response = Json(self.0).into_response();
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/geo+json"));
        response
    }
}

/// What a GeoJSON handler returns.
pub type GeoResult = Result<GeoJson, ApiError>;

#[derive(Serialize)]
struct ErrorBody {
    code: &'static str,
    message: String,
    request_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<String>,
}

/// Seconds a client is told to wait before retrying when the database is
/// busy with another writer.
pub(crate) const RETRY_AFTER_SECONDS: &str = "2";

/// The status and code of each kind of error: the one table, for the API
/// and the HTML error pages alike.
pub(crate) fn classify(error: &AppError) -> (StatusCode, &'static str) {
    match error {
        AppError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
        AppError::Rejected { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "rejected_file"),
        AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        AppError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = classify(&self.error);
        let (message, problems) = match &self.error {
            AppError::Internal(e) => {
                tracing::error!(request_id = %self.request_id, error = ?e, "internal error");
                ("internal error; the server log has the details under this request id".to_string(), Vec::new())
            }
            AppError::Rejected { problems, .. } => (
                format!("nothing was imported: {} problem(s) found", problems.total),
                problems.errors.iter().map(|e| e.to_string()).collect(),
            ),
            other => (other.to_string(), Vec::new()),
        };
        let mut response =
            (status, Json(ErrorBody { code, message, request_id: self.request_id, problems })).into_response();
        if matches!(self.error, AppError::Busy) {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
        response
    }
}

/// The stable code of an HTTP error status, for errors the framework
/// answers before a handler runs (a path or query that does not parse, a
/// method the route does not take, a body of the wrong type or size).
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "invalid_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_request",
        StatusCode::SERVICE_UNAVAILABLE => "busy",
        s if s.is_server_error() => "internal",
        _ => "invalid_request",
    }
}

/// Most bytes of a framework error's text kept as the JSON message.
const FRAMEWORK_MESSAGE_LIMIT: usize = 4096;

/// Every error under `/api/` is JSON (issue 16): a response the framework
/// made before a handler ran (a rejected path or query as `text/plain`, a
/// 405 with an empty body) is rewritten as the API's error body, keeping
/// its status and headers (`Allow` on a 405).
pub(crate) async fn json_api_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, FRAMEWORK_MESSAGE_LIMIT).await.unwrap_or_default();
    let message = match String::from_utf8_lossy(&text).trim() {
        "" => status.canonical_reason().unwrap_or("error").to_lowercase(),
        text => text.to_string(),
    };
    let body =
        ErrorBody { code: code_of(status), message, request_id: crate::request_id::current(), problems: Vec::new() };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    let json = serde_json::to_vec(&body).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(json))
}
