//! Return-to-poverty monitoring: the registry screened within the viewer's
//! jurisdiction (group table, M0 map, alerts: flagged households no case
//! follows yet, overdue case steps, rising regions), a household's page
//! (the triggers with their numbers; identifiers unmasked only for roles
//! that may see them, every such view audited), the forms that edit a
//! household and move its cases through the procedure, and the monitoring
//! lines (pages); the alerts as JSON (API).

mod api;
pub(crate) mod households;
pub(crate) mod i18n;
mod lines;
mod pages;

pub(crate) use pages::{HomeAlerts, MonitoringView, home_alerts};
use revita_app::{AppError, AppResult};
use revita_methods::screening::DEFAULT_LINE;
use serde::Deserialize;

use crate::kit::today;
use crate::state::WebState;
use crate::{Route, get, post};

/// The pages.
pub(crate) fn routes() -> Vec<Route> {
    vec![
        get("/monitoring", pages::monitoring_page),
        get("/monitoring/households.csv", pages::registry_csv),
        get("/monitoring/lines", lines::lines_page),
        post("/monitoring/lines", lines::lines_set),
        get("/households/{id}", households::household_page),
        post("/households/{id}", households::household_edit),
        post("/households/{id}/cases", households::case_open),
        post("/households/{id}/members", households::member_change),
        post("/cases/{id}/move", households::case_move),
        post("/cases/{id}/measures", households::case_measure),
    ]
}

/// The API, relative to `/api/v1`.
pub(crate) fn api_routes() -> Vec<Route> {
    vec![
        get("/alerts", api::alerts_api),
        post("/households/{id}/cases", api::case_open),
        post("/cases/{id}/move", api::case_move),
        post("/cases/{id}/measures", api::case_measure),
    ]
}

/// Flagged households listed on the page (the count shows them all).
const LISTED: usize = 50;

/// The query of the monitoring page.
#[derive(Debug, Deserialize)]
pub struct MonitoringParams {
    /// The monitoring line; default: the national line of this year, else
    /// SPEC B1's 7,600.
    line: Option<String>,
    /// The MPI cut-off k as a fraction (`1/3`, the default) or a decimal.
    k: Option<String>,
    /// The MPI weights as ten whole parts (default: the global MPI's).
    weights: Option<String>,
    /// The level of the table (default: county).
    level: Option<String>,
    /// Only the groups under this region (drill-down), with `under_level`.
    under: Option<String>,
    /// The level of `under`.
    under_level: Option<String>,
}

/// The line to screen against: the one asked for, else this year's
/// national line, else the default.
async fn line_of(state: &WebState, asked: Option<&str>) -> AppResult<f64> {
    if let Some(text) = asked.map(str::trim).filter(|t| !t.is_empty()) {
        return match text.parse::<f64>() {
            Ok(line) if line.is_finite() && line > 0.0 && line <= 1e9 => Ok(line),
            _ => Err(AppError::Invalid(format!("'{text}' is not a positive amount of yuan"))),
        };
    }
    let root = revita_methods::RegionCode::parse("000000").map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(state.app.monitoring_line_for(&root, today().year()).await?.map_or(DEFAULT_LINE, |l| l.amount))
}
