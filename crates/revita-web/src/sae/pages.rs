//! The small-area estimation page: a Fay–Herriot spec (JSON), its estimates
//! with MSE and CV, the residual plot, the map of the estimates by CV class,
//! the CSV export and storing the estimates as indicators.

use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::Response;
use revita_app::AppError;
use revita_app::sae::{EXAMPLE_SPEC, FhRun, FhSpec, FhStored, cv_class};
use revita_methods::access::Action;
use serde::Serialize;

use crate::kit::{Fields, Page, PageResult, field};

/// An area in the results table, formatted.
#[derive(Serialize)]
struct AreaView {
    code: String,
    name: String,
    in_sample: bool,
    direct: String,
    variance: String,
    direct_cv: String,
    estimate: String,
    mse: String,
    cv: String,
    cv_class: &'static str,
    gamma: String,
    residual: String,
}

/// A run, formatted.
#[derive(Serialize)]
struct RunView {
    name: String,
    unit: String,
    method: String,
    transform: String,
    mse: String,
    beta: Vec<(String, String)>,
    sigma_u2: String,
    rho: Option<String>,
    neighbour_pairs: Option<usize>,
    iterations: usize,
    in_sample: usize,
    out_of_sample: usize,
    areas: Vec<AreaView>,
    excluded: Vec<(String, String, String)>,
    plot: String,
    map: Option<String>,
    output: Option<String>,
}

/// What storing wrote (or would write).
#[derive(Serialize)]
struct StoredView {
    dry_run: bool,
    observations: usize,
    indicators_created: String,
    replaced: u64,
}

/// `sae.html`.
#[derive(Serialize)]
struct SaeView {
    spec: String,
    csrf: String,
    refused: Option<String>,
    run: Option<RunView>,
    stored: Option<StoredView>,
    may_store: bool,
}

/// `GET /sae`: the form, with the example spec.
pub async fn sae_page(page: Page) -> PageResult {
    show(&page, StatusCode::OK, EXAMPLE_SPEC.trim().to_string(), None, None, None).await
}

/// `POST /sae`: runs the spec typed.
pub async fn run(page: Page, Form(form): Form<Fields>) -> PageResult {
    let page = page.at("/sae");
    page.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let text = form.get("spec").cloned().unwrap_or_default();
    match run_spec(&page, &text).await {
        Ok(run) => show(&page, StatusCode::OK, text, Some(run), None, None).await,
        Err(e) => refused(&page, text, e).await,
    }
}

/// `POST /sae.csv`: the run's table as CSV (UTF-8 with a byte-order mark).
pub async fn export(page: Page, Form(form): Form<Fields>) -> PageResult<Response> {
    page.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let run = run_spec(&page, form.get("spec").map_or("", String::as_str)).await?;
    let mut rows = run.table();
    let header = rows.remove(0);
    let bytes = revita_app::export::csv_table(&header, &rows)?;
    Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Csv, "sae-fh"))
}

/// `POST /sae/store`: stores the estimates of the spec (or, with
/// `dry_run`, says what would be stored).
pub async fn store(page: Page, Form(form): Form<Fields>) -> PageResult {
    let page = page.at("/sae");
    page.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let text = form.get("spec").cloned().unwrap_or_default();
    let dry_run = field(&form, "dry_run").is_some();
    let actor = page.viewer()?.actor.clone();
    let stored = match FhSpec::from_json(&text) {
        Ok(spec) => page.app().store_fh(&actor, &spec, dry_run, &page.origin()).await,
        Err(e) => Err(e),
    };
    match stored {
        Ok(stored) => {
            let run = run_spec(&page, &text).await?;
            show(&page, StatusCode::OK, text, Some(run), Some(stored), None).await
        }
        Err(e) => refused(&page, text, e).await,
    }
}

async fn run_spec(page: &Page, text: &str) -> Result<FhRun, AppError> {
    let spec = FhSpec::from_json(text)?;
    page.app().run_fh(&page.viewer()?.actor, &spec).await
}

/// The form again with what was typed and why it was refused: 422 for a
/// spec the data refuse, 403 for a store outside the jurisdiction; other
/// failures go to the error page.
async fn refused(page: &Page, text: String, e: AppError) -> PageResult {
    let status = match &e {
        AppError::Invalid(_) | AppError::NotFound(_) | AppError::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => return Err(e.into()),
    };
    let reason = match &e {
        AppError::NotFound(what) => format!("not found: {what}"),
        other => other.to_string(),
    };
    show(page, status, text, None, None, Some(reason)).await
}

async fn show(
    page: &Page,
    status: StatusCode,
    spec: String,
    run: Option<FhRun>,
    stored: Option<FhStored>,
    refused: Option<String>,
) -> PageResult {
    let actor = &page.viewer()?.actor;
    let run = match run {
        Some(run) => Some(run_view(page, &run).await?),
        None => None,
    };
    let stored = stored.map(|s| StoredView {
        dry_run: s.dry_run,
        observations: s.observations.len(),
        indicators_created: s.indicators_created.join(", "),
        replaced: s.replaced,
    });
    let view = SaeView {
        spec,
        csrf: page.csrf(),
        refused,
        run,
        stored,
        may_store: actor.access.may_anywhere(Action::EditData),
    };
    page.render_with(status, "sae.html", page.t("sae_title"), view)
}

/// A number with `d` decimals, or a dash.
pub(super) fn num(v: Option<f64>, d: usize) -> String {
    match v {
        Some(v) if v.is_finite() => format!("{v:.d$}"),
        _ => "—".into(),
    }
}

async fn run_view(page: &Page, run: &FhRun) -> Result<RunView, AppError> {
    let zh = page.lang() == crate::i18n::Lang::Zh;
    let areas = run
        .areas
        .iter()
        .map(|a| AreaView {
            code: a.code.to_string(),
            name: if zh { a.name_zh.clone() } else { a.name_en.clone().unwrap_or_else(|| a.name_zh.clone()) },
            in_sample: a.in_sample,
            direct: num(a.direct, 2),
            variance: num(a.variance, 3),
            direct_cv: num(a.direct_cv, 1),
            estimate: num(Some(a.estimate), 2),
            mse: num(Some(a.mse), 3),
            cv: num(a.cv, 1),
            cv_class: cv_class(a.cv),
            gamma: num(a.gamma, 3),
            residual: num(a.residual, 2),
        })
        .collect();
    Ok(RunView {
        name: run.spec.name.clone(),
        unit: run.unit.clone(),
        method: keyword(&run.fit.method),
        transform: keyword(&run.fit.transform),
        mse: keyword(&run.fit.mse),
        beta: run.fit.beta.iter().map(|(n, b)| (n.clone(), format!("{b:.4}"))).collect(),
        sigma_u2: format!("{:.4}", run.fit.sigma_u2),
        rho: run.fit.rho.map(|r| format!("{r:.4}")),
        neighbour_pairs: run.fit.neighbour_pairs,
        iterations: run.fit.iterations,
        in_sample: run.areas.iter().filter(|a| a.in_sample).count(),
        out_of_sample: run.areas.iter().filter(|a| !a.in_sample).count(),
        areas,
        excluded: run.excluded.iter().map(|e| (e.code.to_string(), e.name_zh.clone(), e.reason.clone())).collect(),
        plot: residual_plot(page, run),
        map: estimate_map(page, run).await?,
        output: run.spec.output.clone(),
    })
}

/// A spec keyword as it is written in JSON (`reml`, `prasad_rao`, …).
fn keyword<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

/// The standardised residuals against the EBLUP on the model's scale, with
/// the lines at 0 and ±2: hand-written SVG (a scatter is not among
/// revita-report's charts).
fn residual_plot(page: &Page, run: &FhRun) -> String {
    use revita_report::svg::escape;
    let points: Vec<(f64, f64, String)> = run
        .areas
        .iter()
        .filter_map(|a| a.residual.map(|r| (a.model_estimate, r, format!("{} {}: {r:.2}", a.code, a.name_zh))))
        .collect();
    let (w, h, left, right, top, bottom) = (640.0, 320.0, 56.0, 16.0, 28.0, 44.0);
    let (x0, x1) = points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let (x0, x1) = if x1 > x0 { (x0, x1) } else { (x0 - 1.0, x0 + 1.0) };
    let ymax = points.iter().map(|p| p.1.abs()).fold(3.0_f64, f64::max).ceil();
    let sx = |x: f64| left + (x - x0) / (x1 - x0) * (w - left - right);
    let sy = |y: f64| top + (ymax - y) / (2.0 * ymax) * (h - top - bottom);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"sae-plot-title\" class=\"chart\" id=\"sae-residuals\">\
         <title id=\"sae-plot-title\">{}</title>\
         <rect x=\"{left}\" y=\"{top}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>",
        escape(page.t("sae_plot_title")),
        w - left - right,
        h - top - bottom
    );
    for y in [-2.0, 0.0, 2.0] {
        let dash = if y == 0.0 { "" } else { " stroke-dasharray=\"4 3\"" };
        let (x2, yy, tx, ty) = (w - right, sy(y), left - 6.0, sy(y) + 4.0);
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{x2}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#666\"{dash}/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" font-size=\"11\" text-anchor=\"end\">{y}</text>"
        ));
    }
    for x in [x0, (x0 + x1) / 2.0, x1] {
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{x:.3}</text>",
            sx(x),
            h - bottom + 16.0
        ));
    }
    for (x, y, title) in &points {
        let fill = if y.abs() > 2.0 { "#D55E00" } else { "#0072B2" };
        svg.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{fill}\" fill-opacity=\"0.8\"><title>{}</title></circle>",
            sx(*x),
            sy(*y),
            escape(title)
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\
         <text x=\"14\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1})\">{}</text></svg>",
        (left + w - right) / 2.0,
        h - 8.0,
        escape(page.t("sae_plot_x")),
        h / 2.0,
        h / 2.0,
        escape(page.t("sae_plot_y"))
    ));
    svg
}

const UNRELIABLE: &str = "#BBBBBB";

/// An estimated region on a map.
pub(super) struct Mapped<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub shape: &'a revita_methods::geometry::MultiPolygon,
    pub estimate: f64,
    pub cv: Option<f64>,
}

/// The estimates mapped: reliable and use-with-caution estimates (CV up to
/// 30%) in quintile classes, unreliable ones grey, so that no map reader
/// takes a noisy estimate for a fact.
async fn estimate_map(page: &Page, run: &FhRun) -> Result<Option<String>, AppError> {
    let shapes = page.app().sae_map_areas(run).await?;
    let mapped: Vec<Mapped<'_>> = shapes
        .iter()
        .filter_map(|s| {
            let a = run.areas.iter().find(|a| a.code == s.code)?;
            Some(Mapped { code: s.code.as_str(), name: &s.name, shape: &s.shape, estimate: a.estimate, cv: a.cv })
        })
        .collect();
    let title = format!("{} · {}", page.t("sae_map"), run.spec.year);
    let subtitle = format!("{} ({})", run.spec.name, run.unit);
    cv_class_map(page, &mapped, title, subtitle, &run.unit)
}

/// Estimates by CV class on a map ([`estimate_map`]'s rule); `None` when
/// nothing has a boundary.
pub(super) fn cv_class_map(
    page: &Page,
    mapped: &[Mapped<'_>],
    title: String,
    subtitle: String,
    unit: &str,
) -> Result<Option<String>, AppError> {
    use revita_methods::classify::{class_of, quantile_breaks};
    use revita_report::map::{Choropleth, Feature, LegendEntry, render};
    if mapped.is_empty() {
        return Ok(None);
    }
    let shown: Vec<f64> = mapped.iter().filter(|a| cv_class(a.cv) != "unreliable").map(|a| a.estimate).collect();
    let breaks = if shown.is_empty() {
        Vec::new()
    } else {
        quantile_breaks(&shown, 5.min(shown.len())).map_err(|e| AppError::Invalid(e.to_string()))?
    };
    let colours = revita_report::palette::sequential(breaks.len().max(1), false);
    let features = mapped
        .iter()
        .map(|a| {
            let class = cv_class(a.cv);
            let fill = if class == "unreliable" || breaks.is_empty() {
                UNRELIABLE
            } else {
                colours[class_of(a.estimate, &breaks)]
            };
            Feature {
                code: a.code,
                shape: a.shape,
                fill,
                title: format!(
                    "{} {}: {:.2} {unit} (CV {} %, {})",
                    a.code,
                    a.name,
                    a.estimate,
                    num(a.cv, 1),
                    page.t(&format!("sae_cv_{class}"))
                ),
                href: Some(format!("/regions/{}", a.code)),
            }
        })
        .collect();
    let mut lower = shown.iter().copied().fold(f64::INFINITY, f64::min);
    let mut legend: Vec<LegendEntry> = breaks
        .iter()
        .zip(&colours)
        .map(|(upper, fill)| {
            let label = format!("{lower:.1} – {upper:.1}");
            lower = *upper;
            LegendEntry { fill: fill.to_string(), label }
        })
        .collect();
    legend.push(LegendEntry { fill: UNRELIABLE.into(), label: page.t("sae_map_unreliable").into() });
    let map = Choropleth::page(title, subtitle, features, page.t("sae_estimate").into(), legend);
    Ok(Some(render(&map, &revita_report::projection::Albers::china())))
}
