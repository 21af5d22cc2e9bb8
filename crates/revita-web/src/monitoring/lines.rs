//! The monitoring lines (yuan per person per year, by region and year).

use axum::extract::Form;
use revita_app::AppError;
use revita_methods::access::Action;
use revita_methods::monitoring::{LineRule, MonitoringLine};
use serde::{Deserialize, Serialize};

use crate::kit::{Page, PageResult, today};

/// A line as the table shows it.
#[derive(Serialize)]
struct LineRow {
    region: String,
    year: i32,
    amount: f64,
    rule: &'static str,
    multiple: Option<f64>,
}

/// `lines.html`.
#[derive(Serialize)]
struct LinesView {
    lines: Vec<LineRow>,
    can_edit: bool,
    csrf: String,
    year: i32,
}

/// `GET /monitoring/lines`: the monitoring lines, and a form to set one.
pub async fn lines_page(page: Page) -> PageResult {
    let lines = page
        .app()
        .monitoring_lines()
        .await?
        .iter()
        .map(|l| {
            let (rule, multiple) = l.rule.parts();
            LineRow { region: l.region.to_string(), year: l.year, amount: l.amount, rule, multiple }
        })
        .collect();
    let editable = page.app().jurisdiction(&page.viewer()?.actor, Action::EditData).await?;
    let view = LinesView { lines, can_edit: !editable.is_nowhere(), csrf: page.csrf(), year: today().year() };
    page.render("lines.html", page.t("monitoring_lines"), view)
}

/// The line form.
#[derive(Debug, Deserialize)]
pub struct LineForm {
    csrf: String,
    region: String,
    year: i32,
    amount: f64,
    rule: Option<String>,
    multiple: Option<String>,
}

/// `POST /monitoring/lines`: sets a line within the user's jurisdiction.
pub async fn lines_set(page: Page, Form(form): Form<LineForm>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let page = page.at("/monitoring/lines");
    let multiple = match form.multiple.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => Some(text.parse::<f64>().map_err(|_| AppError::Invalid(format!("'{text}' is not a number")))?),
        None => None,
    };
    let rule = LineRule::from_parts(form.rule.as_deref().unwrap_or(""), multiple)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let region = page.app().parse_region_code(&form.region)?;
    let line = MonitoringLine { region, year: form.year, amount: form.amount, rule };
    let actor = &page.viewer()?.actor;
    let within = page.app().jurisdiction(actor, Action::EditData).await?;
    let origin = page.origin();
    page.app().set_monitoring_line(line, &within, &revita_app::auth::ChangeBy::new(actor, &origin)).await?;
    page.see_other("/monitoring/lines")
}
