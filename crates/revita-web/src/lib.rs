//! revita's HTTP server: `GET /health` and the JSON API under `/api/v1`.
//!
//! Handlers are thin: they parse the request, call a `revita-app` use case,
//! and map the result to a JSON DTO of their own (domain types never go on
//! the wire directly). Errors map through one table to an HTTP status and a
//! stable snake_case code, with the request id that also tags the log line.

mod api;
mod dto;
mod error;
mod request_id;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use revita_app::App;

pub use error::ApiError;

/// Builds the router over an app.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/health", get(api::health))
        .nest("/api/v1", api::routes())
        .layer(axum::middleware::from_fn(request_id::tag))
        .with_state(app)
}

/// Serves the router on `addr` until Ctrl-C; calls `ready` with the bound
/// address once listening (port 0 picks a free port).
pub async fn serve(app: App, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    axum::serve(listener, router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
