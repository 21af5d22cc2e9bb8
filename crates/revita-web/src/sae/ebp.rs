//! The census EBP page (`/sae/ebp`) and its API twin: a survey sample and a
//! census uploaded together, the fit, every domain's mean income, headcount
//! ratio and poverty gap with their bootstrap MSE and CV, the headcount map
//! by CV class, the CSV, and storing the estimates as indicators.

use std::collections::HashMap;

use axum::Json;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use revita_app::AppError;
use revita_app::sae::{EbpRun, EbpSettings, FhStored, TransformationKind, cv_class};
use revita_methods::RegionCode;
use revita_methods::access::Action;
use serde::Serialize;
use serde_json::json;

use super::pages::{Mapped, cv_class_map, num};
use crate::error::ApiError;
use crate::kit::{Api, Page, PageResult};
use crate::staging::Received;

/// What the form holds, as typed (kept when a run is refused).
#[derive(Debug, Clone, Serialize)]
struct EbpForm {
    z: String,
    l: String,
    b: String,
    seed: String,
    covariates: String,
    unit: String,
    transformation: String,
    lambda: String,
    output: String,
    year: String,
}

impl EbpForm {
    fn of(fields: &HashMap<String, String>) -> EbpForm {
        let get = |name: &str, default: &str| fields.get(name).map_or(default.to_string(), |v| v.trim().to_string());
        EbpForm {
            z: get("z", "7600"),
            l: get("L", "50"),
            b: get("B", "0"),
            seed: get("seed", "20100401"),
            covariates: get("covariates", ""),
            unit: get("unit", "元"),
            transformation: get("transformation", "log"),
            lambda: get("lambda", ""),
            output: get("output", ""),
            year: get("year", ""),
        }
    }

    /// The settings, each field checked by name.
    fn settings(&self) -> Result<EbpSettings, AppError> {
        fn number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, AppError> {
            text.parse().map_err(|_| AppError::Invalid(format!("{name}: '{}' is not a number", text.escape_debug())))
        }
        let covariates: Vec<String> = self
            .covariates
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
        let settings = EbpSettings {
            line: number("z", &self.z)?,
            replicates: number("L", &self.l)?,
            bootstrap: number("B", &self.b)?,
            seed: number("seed", &self.seed)?,
            covariates,
            unit: if self.unit.is_empty() { "元".into() } else { self.unit.clone() },
            transformation: match self.transformation.as_str() {
                "" | "log" => TransformationKind::Log,
                "box_cox" => TransformationKind::BoxCox,
                other => {
                    return Err(AppError::Invalid(format!(
                        "transformation: '{}' is not log or box_cox",
                        other.escape_debug()
                    )));
                }
            },
            lambda: if self.lambda.is_empty() { None } else { Some(number("lambda", &self.lambda)?) },
        };
        settings.check(true)?;
        Ok(settings)
    }
}

/// A domain, formatted.
#[derive(Serialize)]
struct DomainView {
    domain: String,
    region: Option<String>,
    name: String,
    n_sample: usize,
    n_pop: usize,
    mean: String,
    fgt0: String,
    fgt1: String,
    gini: String,
    cv_mean: String,
    cv_fgt0: String,
    cv_fgt1: String,
    cv_class: &'static str,
    direct_fgt0: String,
    direct_cv_fgt0: String,
}

/// A run, formatted.
#[derive(Serialize)]
struct RunView {
    lambda: Option<String>,
    beta: Vec<(String, String)>,
    sigma_u2: String,
    sigma_e2: String,
    domains: Vec<DomainView>,
    in_sample: usize,
    out_of_sample: usize,
    with_mse: bool,
    unit: String,
    line: String,
    map: Option<String>,
    seconds: String,
}

/// `sae_ebp.html`.
#[derive(Serialize)]
struct EbpView {
    form: EbpForm,
    csrf: String,
    refused: Option<String>,
    run: Option<RunView>,
    stored: Option<(bool, usize, String, u64)>,
    may_store: bool,
    max_l: usize,
    max_b: usize,
}

/// `GET /sae/ebp`: the form.
pub async fn form_page(page: Page) -> PageResult {
    show(&page, StatusCode::OK, EbpForm::of(&HashMap::new()), None, None, None).await
}

/// `POST /sae/ebp`: runs the EBP on the two files; `action` `csv` answers
/// the table as CSV, `store` (or `check`, a dry run) stores the estimates.
pub async fn run(page: Page, multipart: Multipart) -> PageResult<Response> {
    let page = page.at("/sae/ebp");
    let unsupported = |name: &str, _: &str| format!("{name}: upload a .csv file");
    let received = page.receive(multipart, &["csv"], unsupported).await?;
    let form = EbpForm::of(&received.fields);
    let action = received.fields.get("action").map_or("run", String::as_str).to_string();
    let outcome = async {
        let run = run_received(&page, &received, &form).await?;
        let stored = match action.as_str() {
            "store" | "check" => Some(store(&page, &run, &form, action == "check").await?),
            _ => None,
        };
        Ok::<_, AppError>((run, stored))
    }
    .await;
    match outcome {
        Ok((run, _)) if action == "csv" => {
            let mut rows = run.table();
            let header = rows.remove(0);
            let bytes = revita_app::export::csv_table(&header, &rows)?;
            Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Csv, "sae-ebp"))
        }
        Ok((run, stored)) => Ok(show(&page, StatusCode::OK, form, Some(run), stored, None).await?),
        Err(e) => {
            let status = match &e {
                AppError::Invalid(_) | AppError::Rejected { .. } | AppError::NotFound(_) => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => return Err(e.into()),
            };
            Ok(show(&page, status, form, None, None, Some(named(&received, &e.to_string()))).await?)
        }
    }
}

/// The files' names as the user chose them, in place of where they waited.
fn named(received: &Received, text: &str) -> String {
    received.files.values().fold(text.to_string(), |t, f| t.replace(&f.path.display().to_string(), &f.name))
}

/// The two files of the form, and the run on them.
async fn run_received(page: &Page, received: &Received, form: &EbpForm) -> Result<EbpRun, AppError> {
    let settings = form.settings()?;
    let file = |name: &str| {
        received.files.get(name).ok_or_else(|| AppError::Invalid(format!("{name}: choose the {name} file (.csv)")))
    };
    let (sample, census) = (file("sample")?, file("population")?);
    page.app().run_ebp(&sample.path, &census.path, &settings, true).await
}

async fn store(page: &Page, run: &EbpRun, form: &EbpForm, dry_run: bool) -> Result<FhStored, AppError> {
    if form.output.is_empty() {
        return Err(AppError::Invalid("output: name the indicators to store the estimates as".into()));
    }
    let year: i32 = form
        .year
        .parse()
        .map_err(|_| AppError::Invalid(format!("year: '{}' is not a year", form.year.escape_debug())))?;
    page.app().store_ebp(&page.viewer()?.actor, run, &form.output, year, dry_run, &page.origin()).await
}

async fn show(
    page: &Page,
    status: StatusCode,
    form: EbpForm,
    run: Option<EbpRun>,
    stored: Option<FhStored>,
    refused: Option<String>,
) -> PageResult {
    let actor = &page.viewer()?.actor;
    let run = match run {
        Some(run) => Some(run_view(page, &run).await?),
        None => None,
    };
    let view = EbpView {
        form,
        csrf: page.csrf(),
        refused,
        run,
        stored: stored.map(|s| (s.dry_run, s.observations.len(), s.indicators_created.join(", "), s.replaced)),
        may_store: actor.access.may_anywhere(Action::EditData),
        max_l: revita_app::sae::MAX_WEB_REPLICATES,
        max_b: revita_app::sae::MAX_WEB_BOOTSTRAP,
    };
    page.render_with(status, "sae_ebp.html", page.t("sae_ebp_title"), view)
}

async fn run_view(page: &Page, run: &EbpRun) -> Result<RunView, AppError> {
    let pct = |v: f64| num(Some(100.0 * v), 2);
    let cv = |v: Option<f64>| num(v, 1);
    let domains = run
        .domains
        .iter()
        .map(|d| DomainView {
            domain: d.domain.to_string(),
            region: d.region.as_ref().map(RegionCode::to_string),
            name: d.name_zh.clone().unwrap_or_default(),
            n_sample: d.n_sample,
            n_pop: d.n_pop,
            mean: num(Some(d.mean), 1),
            fgt0: pct(d.fgt0),
            fgt1: pct(d.fgt1),
            gini: num(Some(d.gini), 3),
            cv_mean: cv(d.mse.and_then(|m| m.cv_mean)),
            cv_fgt0: cv(d.mse.and_then(|m| m.cv_fgt0)),
            cv_fgt1: cv(d.mse.and_then(|m| m.cv_fgt1)),
            cv_class: if d.mse.is_some() { cv_class(d.mse.and_then(|m| m.cv_fgt0)) } else { "" },
            direct_fgt0: d.direct.map_or("—".into(), |x| pct(x.fgt0.value)),
            direct_cv_fgt0: cv(d
                .direct
                .and_then(|x| (x.fgt0.value > 0.0).then(|| 100.0 * x.fgt0.variance.max(0.0).sqrt() / x.fgt0.value))),
        })
        .collect();
    let codes: Vec<RegionCode> = run.domains.iter().filter_map(|d| d.region.clone()).collect();
    let shapes = page.app().region_shapes(&codes).await?;
    let mapped: Vec<Mapped<'_>> = shapes
        .iter()
        .filter_map(|(code, shape)| {
            let d = run.domains.iter().find(|d| d.region.as_ref() == Some(code))?;
            Some(Mapped {
                code: code.as_str(),
                name: d.name_zh.as_deref().unwrap_or_default(),
                shape,
                estimate: 100.0 * d.fgt0,
                cv: d.mse.and_then(|m| m.cv_fgt0),
            })
        })
        .collect();
    let title = page.t("sae_ebp_map").to_string();
    let subtitle = format!("z = {} {}, L = {}", run.settings.line, run.settings.unit, run.settings.replicates);
    Ok(RunView {
        lambda: run.fit.lambda.map(|l| format!("{l:.4}")),
        beta: run.fit.beta.iter().map(|(n, b)| (n.clone(), format!("{b:.5}"))).collect(),
        sigma_u2: format!("{:.5}", run.fit.sigma_u2),
        sigma_e2: format!("{:.5}", run.fit.sigma_e2),
        in_sample: run.domains.iter().filter(|d| d.n_sample > 0).count(),
        out_of_sample: run.domains.iter().filter(|d| d.n_sample == 0).count(),
        domains,
        with_mse: run.settings.bootstrap > 0,
        unit: run.settings.unit.clone(),
        line: format!("{}", run.settings.line),
        map: cv_class_map(page, &mapped, title, subtitle, "%")?,
        seconds: format!("{:.2}", run.seconds.0 + run.seconds.1),
    })
}

/// `POST /api/v1/sae/ebp` (multipart: `sample` and `population` files; `z`,
/// `L`, `B`, `seed`, `covariates`, `unit`; with `output` and `year`, `store`
/// = 1 stores the estimates, `dry_run` = 1 says what would be stored).
pub async fn api(api: Api, headers: axum::http::HeaderMap, multipart: Multipart) -> Result<Response, ApiError> {
    let origin = crate::kit::api_write(&api, &headers)?;
    let received = api.receive(multipart, &["csv"]).await?;
    let form = EbpForm::of(&received.fields);
    let settings = form.settings()?;
    let file = |name: &str| {
        received.files.get(name).ok_or_else(|| AppError::Invalid(format!("{name}: send the {name} file (.csv)")))
    };
    let (sample, census) = (file("sample")?, file("population")?);
    let run = api.app().run_ebp(&sample.path, &census.path, &settings, true).await.map_err(|e| rename(&received, e))?;
    let flag = |name: &str| received.fields.get(name).is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes"));
    let stored = if flag("store") || flag("dry_run") {
        if form.output.is_empty() {
            return Err(AppError::Invalid("output: name the indicators to store the estimates as".into()).into());
        }
        let year: i32 = form
            .year
            .parse()
            .map_err(|_| AppError::Invalid(format!("year: '{}' is not a year", form.year.escape_debug())))?;
        Some(api.app().store_ebp(&api.viewer.actor, &run, &form.output, year, flag("dry_run"), &origin).await?)
    } else {
        None
    };
    Ok(Json(json!({"run": run, "stored": stored})).into_response())
}

/// An error naming the files as the caller sent them.
fn rename(received: &Received, e: AppError) -> AppError {
    match e {
        AppError::Invalid(text) => AppError::Invalid(named(received, &text)),
        other => other,
    }
}
