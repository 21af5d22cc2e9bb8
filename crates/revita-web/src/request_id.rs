//! A request id for every request: taken from `x-request-id` when a proxy set
//! one, made up otherwise; echoed in the response header and in error bodies
//! so that a user's report can be matched to the server log.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The request id, stored in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

tokio::task_local! {
    /// The id of the request the current task serves: errors made far from
    /// the handler's arguments (`?` on a use-case result) still carry it.
    static CURRENT: String;
}

/// The id of the request being served (`-` outside of one).
pub fn current() -> String {
    CURRENT.try_with(Clone::clone).unwrap_or_else(|_| "-".to_string())
}

/// Middleware: tags the request and the response.
pub async fn tag(mut request: Request, next: Next) -> Response {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{:x}-{:06}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = CURRENT.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
