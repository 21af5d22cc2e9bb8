//! revita's HTTP server: the web UI (server-rendered pages with SVG maps and
//! charts, English and Chinese) and the JSON API under `/api/v1`.
//!
//! Handlers are thin: they parse the request, call `revita-app` use cases,
//! and render a template (pages) or map the result to DTOs of their own
//! (API). Errors map through one table to an HTTP status and a stable code;
//! pages and JSON errors both show the request id that tags the log line.

mod account;
mod admin;
mod allocate;
mod assets;
pub mod auth;
mod designate;
mod disasters;
mod eco;
mod error;
mod headers;
pub mod i18n;
mod imports;
mod indicators;
mod kit;
mod listing;
mod maps;
mod monitoring;
mod official;
mod openapi;
mod pairing;
mod plans;
mod redirect;
mod regions;
mod relocation;
mod request_id;
mod resource_cities;
mod sae;
mod saved;
mod server;
mod shell;
mod staging;
mod state;
mod subsidence;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::MethodRouter;
use revita_app::App;

pub use error::ApiError;
pub use openapi::{ENDPOINTS, document as openapi_document};
pub use server::{ConnectionLimits, SHUTDOWN_GRACE, run as serve_listener};
pub use staging::{MULTIPART_OVERHEAD_BYTES, UploadSettings, Uploads};
pub use state::WebState;

/// One route of the table: a path, a method and the handler for it.
struct Route {
    path: &'static str,
    method: Method,
    handler: MethodRouter<WebState>,
    /// Takes uploaded files: its body limit is the upload limit.
    upload: bool,
}

fn get<H, T>(path: &'static str, handler: H) -> Route
where
    H: axum::handler::Handler<T, WebState>,
    T: 'static,
{
    Route { path, method: Method::GET, handler: axum::routing::get(handler), upload: false }
}

fn post<H, T>(path: &'static str, handler: H) -> Route
where
    H: axum::handler::Handler<T, WebState>,
    T: 'static,
{
    Route { path, method: Method::POST, handler: axum::routing::post(handler), upload: false }
}

/// A POST that takes uploaded files (multipart): its body may be as large
/// as the upload limit (and the multipart overhead), where every other
/// route keeps a small one.
fn upload<H, T>(path: &'static str, handler: H) -> Route
where
    H: axum::handler::Handler<T, WebState>,
    T: 'static,
{
    Route { upload: true, ..post(path, handler) }
}

/// Every route, one method a row: the one list the router is built from,
/// and that the access-control test walks (a route missing from the test's
/// tables fails it). A path with two methods has two rows, merged by the
/// router.
fn route_table() -> Vec<(String, Route)> {
    let pages: Vec<Route> = [
        account::routes(),
        admin::routes(),
        regions::routes(),
        indicators::routes(),
        allocate::routes(),
        designate::routes(),
        eco::routes(),
        pairing::routes(),
        disasters::routes(),
        subsidence::routes(),
        resource_cities::routes(),
        relocation::routes(),
        sae::routes(),
        monitoring::routes(),
        plans::routes(),
        imports::routes(),
        shell::routes(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let api: Vec<Route> = [
        regions::api_routes(),
        indicators::api_routes(),
        allocate::api_routes(),
        designate::api_routes(),
        eco::api_routes(),
        pairing::api_routes(),
        disasters::api_routes(),
        subsidence::api_routes(),
        resource_cities::api_routes(),
        relocation::api_routes(),
        sae::api_routes(),
        monitoring::api_routes(),
        plans::api_routes(),
        shell::api_routes(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let api = api.into_iter().map(|r| (format!("/api/v1{}", r.path), r));
    pages.into_iter().map(|r| (r.path.to_string(), r)).chain(api).collect()
}

/// The paths of every route, each once, for the access-control test.
pub fn route_paths() -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for (path, _) in route_table() {
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// Every route's path and method, for the access-control test (which walks
/// every write with a forged CSRF token).
pub fn route_methods() -> Vec<(String, Method)> {
    route_table().into_iter().map(|(path, route)| (path, route.method)).collect()
}

/// What a server is built with beside the app.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Pages published for anonymous reading.
    pub public: Vec<auth::PublicPage>,
    /// Where uploads wait, and their limits.
    pub uploads: Uploads,
    /// The time zone times are shown in (Beijing time by default).
    pub time_zone: revita_methods::UtcOffset,
    /// The approval number (审图号) national maps carry, when published.
    pub map_approval: Option<String>,
}

/// The body limit of every route but the uploads: forms are small.
const FORM_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Builds the router over an app (uploads in a private temporary directory,
/// with the default limits).
pub fn router(app: App) -> Router {
    router_with(app, Vec::new())
}

/// Builds the router, publishing `public` pages for anonymous reading.
pub fn router_with(app: App, public: Vec<auth::PublicPage>) -> Router {
    router_with_options(app, Options { public, ..Options::default() })
}

/// Builds the router with its options.
pub fn router_with_options(app: App, options: Options) -> Router {
    let upload_limit = usize::try_from(options.uploads.settings().max_request_bytes()).unwrap_or(usize::MAX);
    let state = WebState {
        app,
        templates: Arc::new(views::environment()),
        maps: Arc::default(),
        profiles: Arc::default(),
        details: Arc::default(),
        scopes: Arc::default(),
        alerts: Arc::default(),
        monitoring_pages: Arc::default(),
        public: Arc::new(options.public),
        uploads: options.uploads,
        time_zone: options.time_zone,
        map_approval: options.map_approval.map(Arc::from),
    };
    let mut router = Router::new();
    for (path, route) in route_table() {
        let handler =
            if route.upload { route.handler.layer(DefaultBodyLimit::max(upload_limit)) } else { route.handler };
        router = router.route(&path, handler);
    }
    router
        .fallback(shell::not_found)
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
        // Inside authentication, so that an error page knows its reader.
        .layer(axum::middleware::from_fn_with_state(state.clone(), kit::error_pages))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn(headers::secure))
        // Outside everything else, so that no error under /api/ leaves as text.
        .layer(axum::middleware::from_fn(error::json_api_errors))
        .layer(axum::middleware::from_fn(request_id::tag))
        .with_state(state)
}

/// Serves the router on `addr` within `limits` until Ctrl-C; calls `ready`
/// with the bound address once listening (port 0 picks a free port).
pub async fn serve(
    app: App,
    options: Options,
    limits: ConnectionLimits,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    server::run(listener, router_with_options(app, options), limits, shutdown).await
}
