//! Development plans: the list and the create form, a plan's dashboard
//! (status and its moves, goals and targets with their status, a map of
//! the scope by status, projects with execution and a timeline), the
//! printable view, the PDF and XLSX downloads, the project template and
//! import, and the forms that change a plan (pages); plans and their
//! progress as JSON (API).

mod api;
mod forms;
pub(crate) mod i18n;
mod pages;

use revita_app::{AppError, AppResult};
use revita_methods::RegionCode;

use crate::{Route, get, post, upload};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/plans", pages::plans_page),
        post("/plans", pages::plan_create),
        get("/plans/projects-template.xlsx", pages::projects_template),
        get("/plans/{id}", pages::plan_page),
        get("/plans/{id}/print", pages::plan_print),
        get("/plans/{id}/document.pdf", pages::plan_pdf),
        get("/plans/{id}/data.xlsx", pages::plan_xlsx),
        post("/plans/{id}/status", forms::plan_move),
        post("/plans/{id}/goals", forms::goal_add),
        post("/plans/{id}/targets", forms::target_add),
        post("/plans/{id}/targets/{target}", forms::target_edit),
        post("/plans/{id}/edit", forms::plan_edit),
        post("/plans/{id}/projects", forms::project_add),
        upload("/plans/{id}/projects/import", forms::projects_import),
        post("/projects/{id}/progress", forms::project_progress),
        post("/projects/{id}/milestones", forms::project_milestone),
        post("/projects/{id}/disbursements", forms::project_disbursement),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/plans", api::plans_api),
        post("/plans", api::plan_create),
        get("/plans.csv", api::plans_api),
        get("/plans/{id}", api::plan_api),
        post("/plans/{id}/edit", api::plan_edit),
        post("/plans/{id}/status", api::plan_move),
        post("/plans/{id}/goals", api::goal_add),
        post("/plans/{id}/targets", api::target_add),
        post("/plans/{id}/targets/{target}", api::target_edit),
        post("/plans/{id}/projects", api::project_add),
        post("/projects/{id}/progress", api::project_progress),
        post("/projects/{id}/milestones", api::project_milestone),
        post("/projects/{id}/disbursements", api::project_disbursement),
    ]
}

/// A region code from a form.
fn region(text: &str) -> AppResult<RegionCode> {
    RegionCode::parse(text).map_err(|e| AppError::Invalid(e.to_string()))
}
