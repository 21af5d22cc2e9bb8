//! Designation runs in the browser and the API: a spec (JSON) and a year
//! in, the ranked table, a histogram of the index, a choropleth of the
//! classes and the excluded regions out, within the viewer's jurisdiction.
//! Running a spec changes nothing, so it is a GET: a run's URL can be kept
//! and shared, and the downloads are the same URL with `.csv` or `.xlsx`.

use axum::extract::{Query, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::{Extension, Json};
use minijinja::{Value, context};
use revita_app::designate::{DesignationRun, DesignationSpec};
use revita_app::export::ExportFormat;
use revita_app::{AppError, AppResult};
use revita_report::chart::{Histogram, histogram};
use revita_report::map::{Choropleth, Feature, LegendEntry, render};
use revita_report::palette::{NO_DATA, sequential};
use revita_report::projection::Albers;
use serde::Deserialize;

use crate::error::ApiError;
use crate::request_id::RequestId;
use crate::state::WebState;
use crate::views::{PageContext, html, render as render_page};

/// The spec the form starts from: the shipped ARC-style example.
const EXAMPLE_SPEC: &str = include_str!("../../../data/specs/education-lag-arc.json");

/// A run's parameters, from the query string.
#[derive(Debug, Deserialize)]
pub struct RunParams {
    spec: Option<String>,
    /// Years come as text: an empty form field means none.
    year: Option<String>,
    /// Compare with a run of this spec (default: the same spec)…
    against_spec: Option<String>,
    /// …for this year (default: the same year).
    against_year: Option<String>,
}

/// A year from a form field: none when empty, an error when not a year.
fn year_of(field: &Option<String>) -> AppResult<Option<i32>> {
    match field.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| AppError::Invalid(format!("'{text}' is not a year"))),
    }
}

impl RunParams {
    /// The spec and year, or why they cannot run.
    fn parse(&self) -> AppResult<(DesignationSpec, i32)> {
        let spec = DesignationSpec::from_json(self.spec.as_deref().unwrap_or_default())?;
        let year = year_of(&self.year)?.ok_or_else(|| AppError::Invalid("give the year of the run".into()))?;
        Ok((spec, year))
    }
}

/// Runs the spec for the viewer: only regions it may read are compared.
async fn run(state: &WebState, viewer: Option<&crate::auth::Viewer>, params: &RunParams) -> AppResult<DesignationRun> {
    let (spec, year) = params.parse()?;
    let visible = state.visible(viewer).await?;
    state.app.designate(&spec, year, &visible).await
}

/// `GET /designate`: the form, and with `spec` and `year` the run.
pub async fn designate_page(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    Query(params): Query<RunParams>,
) -> Response {
    let path = raw.as_deref().map_or("/designate".to_string(), |q| format!("/designate?{q}"));
    let ctx = PageContext::new(&headers, path).viewer(viewer.as_deref());
    let spec_text = params.spec.clone().unwrap_or_else(|| EXAMPLE_SPEC.to_string());
    let year = year_of(&params.year).ok().flatten().unwrap_or(2020);
    let against_year = year_of(&params.against_year).ok().flatten();
    let mut values = context! {
        spec => spec_text,
        year => year,
        against_spec => params.against_spec.clone().unwrap_or_default(),
        against_year => against_year,
        run_query => raw.clone().unwrap_or_default(),
    };
    if let Some(viewer) = viewer.as_deref() {
        let decides = state.app.jurisdiction(&viewer.actor, revita_methods::access::Action::EditDecisions).await;
        let can_decide = decides.is_ok_and(|scope| !scope.is_nowhere());
        values = context! { can_decide => can_decide, csrf => viewer.csrf.clone().unwrap_or_default(), ..values };
    }
    if params.spec.is_some() {
        let outcome = match run(&state, viewer.as_deref(), &params).await {
            Ok(run) => {
                let compared = compare(&state, viewer.as_deref(), &ctx, &params, &run).await;
                match (draw(&state, &ctx, &run).await, compared) {
                    (Ok(extra), Ok(comparison)) => Ok(context! { comparison => comparison, ..extra }),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        match outcome {
            Ok(extra) => values = context! { ..values, ..extra },
            // A spec that cannot run is shown with the form, to be corrected.
            Err(AppError::Invalid(message) | AppError::NotFound(message)) => {
                values = context! { problem => message, ..values };
            }
            Err(e) => return crate::kit::error_page(&state, &ctx, e, &id),
        }
    }
    match render_page(&state.templates, "designate.html", &ctx, ctx.t("designation_runs"), values) {
        Ok(body) => html(axum::http::StatusCode::OK, body),
        Err(e) => {
            crate::kit::error_page(&state, &ctx, AppError::Internal(anyhow::anyhow!("designate.html: {e:#}")), &id)
        }
    }
}

/// The comparison with a second run, when the query asks for one: the
/// transition matrix, and for runs with the same classes a map of which
/// regions moved to a worse or a better class.
async fn compare(
    state: &WebState,
    viewer: Option<&crate::auth::Viewer>,
    ctx: &PageContext,
    params: &RunParams,
    first: &DesignationRun,
) -> AppResult<Option<Value>> {
    let against_spec = params.against_spec.as_deref().filter(|s| !s.trim().is_empty());
    let against_year = year_of(&params.against_year)?;
    if against_spec.is_none() && against_year.is_none() {
        return Ok(None);
    }
    let spec = DesignationSpec::from_json(against_spec.or(params.spec.as_deref()).unwrap_or_default())?;
    let visible = state.visible(viewer).await?;
    let second = state.app.designate(&spec, against_year.unwrap_or(first.year), &visible).await?;
    let comparison = first.compare(&second);
    let moved = |t: &revita_app::designate::Transition| -> Option<&'static str> {
        let position =
            |classes: &[String], c: &Option<String>| c.as_ref().and_then(|c| classes.iter().position(|x| x == c));
        match (position(&comparison.from_classes, &t.from), position(&comparison.to_classes, &t.to)) {
            (Some(a), Some(b)) if b < a => Some("worse"),
            (Some(a), Some(b)) if b > a => Some("better"),
            (Some(_), Some(_)) => Some("same"),
            _ => None,
        }
    };
    const FILLS: [(&str, &str); 3] = [("worse", "#b2182b"), ("same", "#bdbdbd"), ("better", "#2166ac")];
    let fill = |kind: &str| FILLS.iter().find(|(k, _)| *k == kind).map_or(NO_DATA, |(_, f)| *f);
    let map = if comparison.same_classes {
        let kinds: std::collections::HashMap<&str, &str> =
            comparison.regions.iter().filter_map(|t| moved(t).map(|k| (t.code.as_str(), k))).collect();
        let regions = state.app.map_regions(&first.level, None).await?;
        let features: Vec<Feature> = regions
            .iter()
            .filter(|r| !r.shape.is_empty() && kinds.contains_key(r.code.as_str()))
            .map(|r| {
                let kind = kinds[r.code.as_str()];
                Feature {
                    code: r.code.as_str(),
                    shape: &r.shape,
                    fill: fill(kind),
                    title: format!(
                        "{}: {}",
                        ctx.lang.name(&r.name_zh, r.name_en.as_deref()),
                        ctx.t(&format!("moved_{kind}"))
                    ),
                    href: Some(format!("/regions/{}", r.code)),
                }
            })
            .collect();
        let legend = FILLS
            .iter()
            .map(|(kind, f)| LegendEntry {
                fill: f.to_string(),
                label: format!(
                    "{} ({})",
                    ctx.t(&format!("moved_{kind}")),
                    kinds.values().filter(|k| *k == kind).count()
                ),
            })
            .collect();
        (!features.is_empty()).then(|| {
            render(
                &Choropleth {
                    title: format!("{} → {}", comparison.from, comparison.to),
                    subtitle: ctx.t("class_changes").to_string(),
                    features,
                    legend_title: ctx.t("class").to_string(),
                    legend,
                    width: 760.0,
                    tolerance_px: 0.6,
                },
                &Albers::china(),
            )
        })
    } else {
        None
    };
    let changed: Vec<Value> = comparison
        .regions
        .iter()
        .filter(|t| comparison.same_classes && t.changed())
        .chain(&comparison.unmatched)
        .map(|t| {
            let none = ctx.t("not_classified").to_string();
            context! { code => t.code.clone(), name => t.name.clone(), from => t.from.clone().unwrap_or(none.clone()), to => t.to.clone().unwrap_or(none) }
        })
        .collect();
    Ok(Some(context! {
        from => comparison.from.clone(),
        to => comparison.to.clone(),
        to_classes => comparison.to_classes.clone(),
        matrix => comparison.from_classes.iter().zip(&comparison.matrix).map(|(c, counts)| context! { class => c.clone(), counts => counts.clone() }).collect::<Vec<_>>(),
        same_classes => comparison.same_classes,
        changed => changed,
        map => map,
    }))
}

/// The run's table, histogram and map for the template.
async fn draw(state: &WebState, ctx: &PageContext, run: &DesignationRun) -> AppResult<Value> {
    let colours = sequential(run.classes.len().max(1), true);
    let colour_of =
        |class: &str| run.classes.iter().position(|c| c == class).map(|i| colours[i.min(colours.len() - 1)]);
    let rows: Vec<Value> = run
        .rows
        .iter()
        .map(|r| {
            context! {
                code => r.code.clone(),
                name => r.name.clone(),
                index => r.index.map(|v| format!("{v:.2}")).unwrap_or_default(),
                rank => r.rank,
                percentile => r.percentile.map(|p| format!("{:.1}", 100.0 * p)).unwrap_or_default(),
                class => r.class.clone(),
                fill => colour_of(&r.class).unwrap_or(NO_DATA),
                distance => r.explanation.boundary_distance.map(|d| format!("{d:.2}")).unwrap_or_default(),
                nearest => r.explanation.nearest_change.as_ref().map(|c| c.describe()).unwrap_or_default(),
                imputed => r.imputed.join(", "),
            }
        })
        .collect();
    let counts: Vec<Value> = run
        .classes
        .iter()
        .map(|c| context! { class => c.clone(), fill => colour_of(c).unwrap_or(NO_DATA), count => run.rows.iter().filter(|r| &r.class == c).count() })
        .collect();
    let indices: Vec<f64> = run.rows.iter().filter_map(|r| r.index).collect();
    let chart = (!indices.is_empty()).then(|| {
        histogram(&Histogram {
            title: format!("{} · {}", run.spec, run.year),
            unit: ctx.t("index").to_string(),
            values: indices,
            bins: 20,
            marker: None,
        })
    });
    let map = class_map(state, ctx, run, &colour_of).await?;
    Ok(context! {
        run => context! {
            spec => run.spec.clone(),
            year => run.year,
            indicators => run.indicators.clone(),
            warnings => run.warnings.clone(),
            weights => run.weights.iter().map(|w| format!("{w:.3}")).collect::<Vec<_>>(),
            excluded => run.excluded.iter().map(|e| context! { code => e.code.clone(), name => e.name.clone(), reason => e.reason.clone() }).collect::<Vec<_>>(),
        },
        rows => rows,
        counts => counts,
        histogram => chart,
        map => map,
    })
}

/// A choropleth of the run's classes over the regions it classified (the
/// regions at the spec's level that the viewer may read and that have a
/// boundary); excluded regions in grey.
async fn class_map(
    state: &WebState,
    ctx: &PageContext,
    run: &DesignationRun,
    colour_of: &(dyn Fn(&str) -> Option<&'static str> + Sync),
) -> AppResult<Option<String>> {
    let level = &run.level;
    let classified: std::collections::HashMap<&str, &str> =
        run.rows.iter().map(|r| (r.code.as_str(), r.class.as_str())).collect();
    let excluded: std::collections::HashSet<&str> = run.excluded.iter().map(|e| e.code.as_str()).collect();
    let regions = state.app.map_regions(level, None).await?;
    let shown: Vec<&revita_app::maps::MapRegion> = regions
        .iter()
        .filter(|r| !r.shape.is_empty())
        .filter(|r| classified.contains_key(r.code.as_str()) || excluded.contains(r.code.as_str()))
        .collect();
    if shown.is_empty() {
        return Ok(None);
    }
    let features: Vec<Feature> = shown
        .iter()
        .map(|r| {
            let class = classified.get(r.code.as_str()).copied();
            let name = ctx.lang.name(&r.name_zh, r.name_en.as_deref());
            Feature {
                code: r.code.as_str(),
                shape: &r.shape,
                fill: class.and_then(colour_of).unwrap_or(NO_DATA),
                title: format!("{name}: {}", class.unwrap_or(ctx.t("excluded"))),
                href: Some(format!("/regions/{}", r.code)),
            }
        })
        .collect();
    let mut legend: Vec<LegendEntry> = run
        .classes
        .iter()
        .map(|c| LegendEntry { fill: colour_of(c).unwrap_or(NO_DATA).to_string(), label: c.clone() })
        .collect();
    legend.push(LegendEntry {
        fill: NO_DATA.to_string(),
        label: format!("{} ({})", ctx.t("excluded"), run.excluded.len()),
    });
    let map = Choropleth {
        title: format!("{} · {}", run.spec, run.year),
        subtitle: run.indicators.join(", "),
        features,
        legend_title: ctx.t("class").to_string(),
        legend,
        width: 760.0,
        tolerance_px: 0.6,
    };
    Ok(Some(render(&map, &Albers::china())))
}

/// The commit form's fields: the run (spec and year) and the decision.
#[derive(Debug, Deserialize)]
pub struct CommitForm {
    csrf: String,
    spec: String,
    year: String,
    category: String,
    /// Comma-separated class labels.
    classes: String,
    basis_title: String,
    basis_number: Option<String>,
    effective: String,
    transition_until: Option<String>,
    /// The fingerprint of the preview being confirmed; without it the
    /// commit is only previewed.
    confirm: Option<String>,
}

/// What the commit form led to: a preview to confirm, or the list.
enum Committing {
    Preview(revita_app::designate::ListPreview),
    Done(revita_app::designate::CommittedList),
}

/// `POST /designate/commit`: runs the spec again (over the regions the user
/// may read) and shows what committing it as an official list would change
/// (regions joining, leaving, staying and untouched); confirmed, commits it
/// within the jurisdiction the user may decide in, audited.
pub async fn designate_commit(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    headers: HeaderMap,
    axum::extract::Form(form): axum::extract::Form<CommitForm>,
) -> Response {
    let ctx = PageContext::new(&headers, "/designate".into()).viewer(Some(&viewer));
    let result = async {
        viewer.check_csrf(&form.csrf)?;
        let params = RunParams {
            spec: Some(form.spec.clone()),
            year: Some(form.year.clone()),
            against_spec: None,
            against_year: None,
        };
        let (spec, year) = params.parse()?;
        let visible = state.visible(Some(&viewer)).await?;
        let run = state.app.designate(&spec, year, &visible).await?;
        let within = state.app.jurisdiction(&viewer.actor, revita_methods::access::Action::EditDecisions).await?;
        if within.is_nowhere() {
            return Err(AppError::Forbidden(format!("{} may not decide designations", viewer.actor.name)));
        }
        let date = |text: &str| {
            revita_methods::Date::parse(text.trim()).map_err(|e| AppError::Invalid(format!("'{text}': {e}")))
        };
        let optional = |text: &Option<String>| text.clone().filter(|t| !t.trim().is_empty());
        let decision = revita_app::designate::ListDecision {
            category: form.category.trim().to_string(),
            classes: form.classes.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect(),
            basis_title: form.basis_title.clone(),
            basis_number: optional(&form.basis_number),
            effective_from: date(&form.effective)?,
            transition_until: optional(&form.transition_until).as_deref().map(date).transpose()?,
        };
        let origin = crate::auth::origin(&headers, &id);
        let by = revita_app::auth::ChangeBy::new(&viewer.actor, &origin);
        let outcome = match form.confirm.as_deref().filter(|c| !c.trim().is_empty()) {
            None => Committing::Preview(state.app.preview_designation_list(&run, &decision, &within).await?),
            Some(confirm) => Committing::Done(
                state.app.commit_designation_list(&spec, &run, &decision, &by, &within, confirm).await?,
            ),
        };
        Ok((outcome, decision))
    };
    match result.await {
        Ok((Committing::Preview(preview), decision)) => {
            let values = context! {
                spec => form.spec.clone(),
                year => form.year.clone(),
                csrf => form.csrf.clone(),
                preview => context! {
                    category => decision.category,
                    classes => form.classes.clone(),
                    basis_title => form.basis_title.clone(),
                    basis_number => form.basis_number.clone().unwrap_or_default(),
                    effective => form.effective.clone(),
                    transition_until => form.transition_until.clone().unwrap_or_default(),
                    members => preview.members,
                    joining => preview.joining,
                    leaving => preview.leaving,
                    staying => preview.staying,
                    untouched => preview.untouched,
                    fingerprint => preview.fingerprint,
                },
            };
            match render_page(&state.templates, "designate.html", &ctx, ctx.t("designation_runs"), values) {
                Ok(body) => html(axum::http::StatusCode::OK, body),
                Err(e) => crate::kit::error_page(&state, &ctx, AppError::Internal(anyhow::anyhow!("{e:#}")), &id),
            }
        }
        Ok((Committing::Done(committed), decision)) => {
            let values = context! {
                spec => form.spec.clone(),
                year => form.year.clone(),
                committed => context! {
                    id => committed.id,
                    category => decision.category,
                    effective => decision.effective_from.to_string(),
                    members => committed.members,
                    joining => committed.joining,
                    leaving => committed.leaving,
                    spec_sha256 => committed.spec_sha256,
                    input_sha256 => committed.input_sha256,
                },
            };
            match render_page(&state.templates, "designate.html", &ctx, ctx.t("designation_runs"), values) {
                Ok(body) => html(axum::http::StatusCode::OK, body),
                Err(e) => crate::kit::error_page(&state, &ctx, AppError::Internal(anyhow::anyhow!("{e:#}")), &id),
            }
        }
        Err(e) => crate::kit::error_page(&state, &ctx, e, &id),
    }
}

/// `GET /designate.csv` and `/designate.xlsx`: the run as a table.
async fn download(
    state: WebState,
    id: RequestId,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    params: RunParams,
    format: ExportFormat,
) -> Response {
    let ctx = PageContext::new(&headers, "/designate".into()).viewer(viewer.as_deref());
    let result = async {
        let run = run(&state, viewer.as_deref(), &params).await?;
        let bytes = run.table(format)?;
        Ok(crate::kit::attachment(bytes, format, &format!("designation-{}", run.year)))
    };
    result.await.unwrap_or_else(|e| crate::kit::error_page(&state, &ctx, e, &id))
}

/// `GET /designate.csv`.
pub async fn designate_csv(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Query(params): Query<RunParams>,
) -> Response {
    download(state, id, viewer, headers, params, ExportFormat::Csv).await
}

/// `GET /designate.xlsx`.
pub async fn designate_xlsx(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    viewer: Option<Extension<crate::auth::Viewer>>,
    headers: HeaderMap,
    Query(params): Query<RunParams>,
) -> Response {
    download(state, id, viewer, headers, params, ExportFormat::Xlsx).await
}

/// `GET /api/v1/designate?spec=…&year=…`: the run as JSON.
pub async fn designate_api(
    State(state): State<WebState>,
    Extension(id): Extension<RequestId>,
    Extension(viewer): Extension<crate::auth::Viewer>,
    Query(params): Query<RunParams>,
) -> Result<Json<DesignationRun>, ApiError> {
    run(&state, Some(&viewer), &params).await.map(Json).map_err(|e| ApiError::new(e, &id.0))
}
