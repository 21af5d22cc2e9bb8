//! revita's HTTP server: the web UI (server-rendered pages with SVG maps and
//! charts, English and Chinese) and the JSON API under `/api/v1`.
//!
//! Handlers are thin: they parse the request, call `revita-app` use cases,
//! and render a template (pages) or map the result to DTOs of their own
//! (API). Errors map through one table to an HTTP status and a stable code;
//! pages and JSON errors both show the request id that tags the log line.

mod admin;
mod allocate;
mod api;
mod assets;
pub mod auth;
mod designate;
mod dto;
mod error;
mod headers;
pub mod i18n;
mod maps;
mod monitoring;
mod openapi;
mod pages;
mod plans;
mod redirect;
mod request_id;
mod state;
mod upload;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, post};
use revita_app::App;

pub use error::ApiError;
pub use openapi::{ENDPOINTS, document as openapi_document};
pub use state::WebState;

/// Every route: the one list the router is built from, and that the
/// access-control test walks (a route missing from the test's table fails
/// it).
fn route_table() -> Vec<(String, MethodRouter<WebState>)> {
    let pages: Vec<(&str, MethodRouter<WebState>)> = vec![
        ("/login", get(auth::login_form).post(auth::login_submit)),
        ("/logout", post(auth::logout)),
        ("/account/password", get(auth::password_form).post(auth::password_submit)),
        ("/account/tokens", get(admin::tokens_index).post(admin::tokens_create)),
        ("/account/tokens/{id}/revoke", post(admin::tokens_revoke)),
        ("/admin/users", get(admin::users_index).post(admin::users_create)),
        ("/admin/users/{name}", post(admin::users_update)),
        ("/audit", get(admin::audit_index)),
        ("/audit.csv", get(admin::audit_csv)),
        ("/", get(pages::home_show)),
        ("/maps/map.svg", get(pages::map_svg)),
        ("/regions", get(pages::region_index)),
        ("/regions/{code}", get(pages::region_show)),
        ("/regions/{code}/children.csv", get(pages::region_children_csv)),
        ("/regions/{code}/children.xlsx", get(pages::region_children_xlsx)),
        ("/indicators", get(pages::indicator_index)),
        ("/indicators/{code}", get(pages::indicator_show)),
        ("/designate", get(designate::designate_page)),
        ("/designate/commit", post(designate::designate_commit)),
        ("/allocate", get(allocate::allocate_page)),
        ("/monitoring", get(monitoring::monitoring_page)),
        ("/monitoring/lines", get(monitoring::lines_page).post(monitoring::lines_set)),
        ("/monitoring/households.csv", get(monitoring::registry_csv)),
        ("/households/{id}", get(monitoring::household_page).post(monitoring::household_edit)),
        ("/households/{id}/cases", post(monitoring::case_open)),
        ("/households/{id}/members", post(monitoring::member_change)),
        ("/cases/{id}/move", post(monitoring::case_move)),
        ("/cases/{id}/measures", post(monitoring::case_measure)),
        ("/plans", get(plans::plans_page).post(plans::plan_create)),
        ("/plans/projects-template.xlsx", get(plans::projects_template)),
        ("/plans/{id}", get(plans::plan_page)),
        ("/plans/{id}/print", get(plans::plan_print)),
        ("/plans/{id}/document.pdf", get(plans::plan_pdf)),
        ("/plans/{id}/data.xlsx", get(plans::plan_xlsx)),
        ("/plans/{id}/status", post(plans::plan_move)),
        ("/plans/{id}/goals", post(plans::goal_add)),
        ("/plans/{id}/targets", post(plans::target_add)),
        ("/plans/{id}/targets/{target}", post(plans::target_edit)),
        ("/plans/{id}/edit", post(plans::plan_edit)),
        ("/plans/{id}/projects", post(plans::project_add)),
        ("/plans/{id}/projects/import", post(plans::projects_import)),
        ("/projects/{id}/progress", post(plans::project_progress)),
        ("/projects/{id}/milestones", post(plans::project_milestone)),
        ("/projects/{id}/disbursements", post(plans::project_disbursement)),
        ("/allocate.csv", get(allocate::allocate_csv)),
        ("/allocate.xlsx", get(allocate::allocate_xlsx)),
        ("/designate.csv", get(designate::designate_csv)),
        ("/designate.xlsx", get(designate::designate_xlsx)),
        ("/import", get(upload::import_form).post(upload::import_check)),
        ("/import/confirm", post(upload::import_confirm)),
        ("/lang/{code}", get(pages::language_switch)),
        ("/api", get(openapi::api_page)),
        ("/static/app.css", get(assets::stylesheet)),
        ("/static/app.js", get(assets::script)),
        ("/health", get(api::health)),
    ];
    let api = api::routes().into_iter().map(|(path, r)| (format!("/api/v1{path}"), r));
    pages.into_iter().map(|(path, r)| (path.to_string(), r)).chain(api).collect()
}

/// The paths of every route, for the access-control test.
pub fn route_paths() -> Vec<String> {
    route_table().into_iter().map(|(path, _)| path).collect()
}

/// Builds the router over an app.
pub fn router(app: App) -> Router {
    router_with(app, Vec::new())
}

/// Builds the router, publishing `public` pages for anonymous reading.
pub fn router_with(app: App, public: Vec<auth::PublicPage>) -> Router {
    let state = WebState {
        app,
        templates: Arc::new(views::environment()),
        maps: Arc::default(),
        profiles: Arc::default(),
        details: Arc::default(),
        scopes: Arc::default(),
        alerts: Arc::default(),
        public: Arc::new(public),
    };
    let mut router = Router::new();
    for (path, method_router) in route_table() {
        router = router.route(&path, method_router);
    }
    router
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(upload::MAX_UPLOAD_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn(headers::secure))
        .layer(axum::middleware::from_fn(request_id::tag))
        .with_state(state)
}

/// Serves the router on `addr` until Ctrl-C; calls `ready` with the bound
/// address once listening (port 0 picks a free port).
pub async fn serve(
    app: App,
    public: Vec<auth::PublicPage>,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    let service = router_with(app, public).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
