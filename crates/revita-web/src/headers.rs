//! Security headers on every response: a Content-Security-Policy that allows
//! scripts only from this server (no inline script), no framing, no MIME
//! sniffing, and a strict referrer policy. Inline styles stay allowed: the
//! SVG maps and charts carry their own small stylesheets.
//!
//! Nothing is stored by caches unless a handler says otherwise: pages,
//! downloads and API answers are cut to the viewer's jurisdiction, and some
//! (the registry export, the audit log, the alerts) carry personal data, so
//! every response without its own `Cache-Control` gets `no-store`. Only the
//! static assets and the map image set their own.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// The policy: everything from this origin, scripts never inline.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Middleware: adds the headers.
pub async fn secure(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
