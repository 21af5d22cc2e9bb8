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
