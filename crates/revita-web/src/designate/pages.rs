//! The designation form, its run (table, histogram, class map, comparison
//! with another run), the commit of a run as an official list (preview,
//! then confirm), and the downloads.

use std::collections::{HashMap, HashSet};

use axum::extract::{Form, Query, RawQuery};
use revita_app::AppError;
use revita_app::designate::{AsTable, DesignationRun, DesignationSpec, FromJson};
use revita_app::export::ExportFormat;
use revita_app::specs::SpecKind;
use revita_report::chart::{Histogram, histogram};
use revita_report::map::{Choropleth, Feature, LegendEntry};
use revita_report::palette::{NO_DATA, sequential};
use serde::{Deserialize, Serialize};

use super::{RunParams, run, year_of};
use crate::kit::{Page, PageResult};
use crate::views::PageContext;

/// The spec the form starts from: the shipped ARC-style example.
const EXAMPLE_SPEC: &str = include_str!("../../../../data/specs/education-lag-arc.json");

/// `designate.html`: the form, and what a run, a preview or a commit adds.
#[derive(Serialize, Default)]
struct DesignateView {
    spec: String,
    year: String,
    against_spec: String,
    against_year: Option<i32>,
    run_query: String,
    can_decide: bool,
    csrf: String,
    problem: Option<String>,
    #[serde(flatten)]
    drawn: Option<Drawn>,
    comparison: Option<ComparisonView>,
    preview: Option<PreviewView>,
    committed: Option<CommittedView>,
    /// The spec form, filled as last submitted.
    builder: Option<super::builder::SpecForm>,
    /// Whether the spec form starts open (it was used or refused).
    builder_open: bool,
    /// The indicators to pick from: code and label.
    indicators: Vec<IndicatorOption>,
    /// Saved specs: the one run, the list, the save form.
    #[serde(flatten)]
    saved: crate::saved::SavedPart,
}

/// An indicator as the spec form offers it.
#[derive(Serialize)]
struct IndicatorOption {
    code: String,
    label: String,
}

/// `GET /designate`: the form, and with `spec` and `year` the run.
pub async fn designate_page(
    page: Page,
    RawQuery(raw): RawQuery,
    Query(mut params): Query<RunParams>,
    Query(fields): Query<HashMap<String, String>>,
) -> PageResult {
    designate_with(page, raw.unwrap_or_default(), &mut params, &fields, None).await
}

/// The designation page for a query: a spec from the spec form (`build`),
/// a saved spec (`saved`) or the JSON field, run; `save` is the save form
/// refused, shown with its reason and what was typed.
async fn designate_with(
    page: Page,
    raw: String,
    params: &mut RunParams,
    fields: &HashMap<String, String>,
    save: Option<(String, crate::saved::SaveForm)>,
) -> PageResult {
    let builder = fields.contains_key("build").then(|| super::builder::SpecForm::from_query(fields));
    let mut built_problem = None;
    if let Some(form) = &builder {
        match form.spec() {
            Ok(spec) => params.spec = Some(serde_json::to_string_pretty(&spec).unwrap_or_default()),
            Err(AppError::Invalid(reason)) => built_problem = Some(reason),
            Err(e) => return Err(e.into()),
        }
    }
    let saved = crate::saved::requested(&page, fields).await?;
    if let Some(saved) = &saved
        && params.spec.is_none()
    {
        params.spec = Some(saved.spec.clone());
    }
    let params = &*params;
    let mut view = DesignateView {
        spec: params.spec.clone().unwrap_or_else(|| EXAMPLE_SPEC.to_string()),
        year: year_of(&params.year).ok().flatten().unwrap_or(2020).to_string(),
        against_spec: params.against_spec.clone().unwrap_or_default(),
        against_year: year_of(&params.against_year).ok().flatten(),
        run_query: raw,
        csrf: page.csrf(),
        builder_open: builder.is_some(),
        builder: Some(builder.unwrap_or_default().padded()),
        ..Default::default()
    };
    view.indicators = page
        .app()
        .indicators()
        .await?
        .iter()
        .map(|i| {
            let lang = page.lang();
            let direction = page.t(i.direction.as_str());
            let name = lang.name(&i.name_zh, i.name_en.as_deref());
            IndicatorOption { code: i.code.to_string(), label: format!("{name} ({}, {direction})", lang.unit(&i.unit)) }
        })
        .collect();
    view.saved = crate::saved::part(&page, SpecKind::Designation, "/designate", saved.as_ref(), save).await?;
    if let Some(reason) = built_problem {
        view.problem = Some(reason);
        return page.render("designate.html", page.t("designation_runs"), view);
    }
    if let Some(viewer) = &page.viewer {
        let decides = page.app().jurisdiction(&viewer.actor, revita_methods::access::Action::EditDecisions).await;
        view.can_decide = decides.is_ok_and(|scope| !scope.is_nowhere());
    }
    if params.spec.is_some() {
        let outcome = async {
            let run = run(&page.state, page.viewer.as_ref(), params).await?;
            let comparison = compare(&page, params, &run).await?;
            Ok::<_, AppError>((draw(&page, &run).await?, comparison))
        };
        match outcome.await {
            Ok((drawn, comparison)) => (view.drawn, view.comparison) = (Some(drawn), comparison),
            // A spec that cannot run is shown with the form, to be corrected.
            Err(AppError::Invalid(message) | AppError::NotFound(message)) => view.problem = Some(message),
            Err(e) => return Err(e.into()),
        }
    }
    page.render("designate.html", page.t("designation_runs"), view)
}

/// `POST /designate/specs`: saves the spec as the next version under its
/// name (audited) and opens it; refused, the page shows why on the save
/// form, with what was typed.
pub async fn designate_save(page: Page, Form(form): Form<crate::saved::SaveForm>) -> PageResult {
    let page = page.at("/designate");
    match crate::saved::save(&page, SpecKind::Designation, &form).await? {
        Ok(saved) => page.see_other(&crate::saved::link("/designate", &saved, form.year.as_deref())),
        Err(reason) => {
            let mut params = RunParams {
                spec: Some(form.spec.clone()),
                year: form.year.clone(),
                against_spec: None,
                against_year: None,
            };
            let refused = Some((reason, form));
            let mut response = designate_with(page, String::new(), &mut params, &HashMap::new(), refused).await?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// A region whose class changed between two runs.
#[derive(Serialize)]
struct Changed {
    code: String,
    name: String,
    from: String,
    to: String,
}

/// One row of the transition matrix.
#[derive(Serialize)]
struct MatrixRow {
    class: String,
    counts: Vec<usize>,
}

/// The comparison of two runs.
#[derive(Serialize)]
struct ComparisonView {
    from: String,
    to: String,
    to_classes: Vec<String>,
    matrix: Vec<MatrixRow>,
    same_classes: bool,
    changed: Vec<Changed>,
    map: Option<String>,
}

/// The comparison with a second run, when the query asks for one: the
/// transition matrix, and for runs with the same classes a map of which
/// regions moved to a worse or a better class.
async fn compare(page: &Page, params: &RunParams, first: &DesignationRun) -> Result<Option<ComparisonView>, AppError> {
    let (state, ctx) = (&page.state, &page.ctx);
    let against_spec = params.against_spec.as_deref().filter(|s| !s.trim().is_empty());
    let against_year = year_of(&params.against_year)?;
    if against_spec.is_none() && against_year.is_none() {
        return Ok(None);
    }
    let spec = DesignationSpec::from_json(against_spec.or(params.spec.as_deref()).unwrap_or_default())?;
    let visible = page.visible().await?;
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
        let kinds: HashMap<&str, &str> =
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
                        ctx.lang.region_name(&r.name_zh, r.name_en.as_deref()),
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
            let title = format!("{} → {}", comparison.from, comparison.to);
            let (subtitle, legend_title) = (ctx.t("class_changes").to_string(), ctx.t("class").to_string());
            let map = Choropleth::page(title, subtitle, features, legend_title, legend);
            crate::official::draw(state, map, &regions, ctx.lang)
        })
    } else {
        None
    };
    let none = ctx.t("not_classified");
    let changed = comparison
        .regions
        .iter()
        .filter(|t| comparison.same_classes && t.changed())
        .chain(&comparison.unmatched)
        .map(|t| Changed {
            code: t.code.clone(),
            name: t.name.clone(),
            from: t.from.clone().unwrap_or_else(|| none.to_string()),
            to: t.to.clone().unwrap_or_else(|| none.to_string()),
        })
        .collect();
    let matrix = comparison
        .from_classes
        .iter()
        .zip(&comparison.matrix)
        .map(|(class, counts)| MatrixRow { class: class.clone(), counts: counts.clone() })
        .collect();
    Ok(Some(ComparisonView {
        from: comparison.from.clone(),
        to: comparison.to.clone(),
        to_classes: comparison.to_classes.clone(),
        matrix,
        same_classes: comparison.same_classes,
        changed,
        map,
    }))
}

/// A classified region as the table shows it.
#[derive(Serialize)]
struct RunRow {
    code: String,
    name: String,
    index: String,
    rank: Option<usize>,
    percentile: String,
    class: String,
    fill: &'static str,
    distance: String,
    nearest: String,
    imputed: String,
    /// Each indicator's part of the index, in spec order (empty for a rule).
    parts: Vec<String>,
}

/// How many regions a class holds.
#[derive(Serialize)]
struct ClassCount {
    class: String,
    fill: &'static str,
    count: usize,
}

/// A region left out of the run, and why.
#[derive(Serialize)]
struct Excluded {
    code: String,
    name: String,
    reason: String,
}

/// What the run was.
#[derive(Serialize)]
struct RunSummary {
    spec: String,
    year: i32,
    indicators: Vec<String>,
    /// Whether the table shows each indicator's part of the index.
    parts: bool,
    warnings: Vec<String>,
    weights: Vec<String>,
    excluded: Vec<Excluded>,
}

/// A run drawn: its summary, table, class counts, histogram and map.
#[derive(Serialize)]
struct Drawn {
    run: RunSummary,
    rows: Vec<RunRow>,
    counts: Vec<ClassCount>,
    histogram: Option<String>,
    map: Option<String>,
}

/// A class label in the reader's language: the labels revita's methods
/// give (a rule's `designated`, ARC's bands) have their translations; a
/// spec's own labels are shown as written.
fn class_name(lang: crate::i18n::Lang, class: &str) -> String {
    let key = format!("class_{}", class.replace([' ', '-'], "_"));
    lang.lookup(&key).map_or_else(|| class.to_string(), str::to_string)
}

/// The run's table, histogram and map for the template.
async fn draw(page: &Page, run: &DesignationRun) -> Result<Drawn, AppError> {
    let (state, ctx) = (&page.state, &page.ctx);
    let colours = sequential(run.classes.len().max(1), true);
    let colour_of =
        |class: &str| run.classes.iter().position(|c| c == class).map(|i| colours[i.min(colours.len() - 1)]);
    let rows = run
        .rows
        .iter()
        .map(|r| RunRow {
            code: r.code.clone(),
            name: r.name.clone(),
            index: r.index.map(|v| format!("{v:.2}")).unwrap_or_default(),
            rank: r.rank,
            percentile: r.percentile.map(|p| format!("{:.1}", 100.0 * p)).unwrap_or_default(),
            class: class_name(ctx.lang, &r.class),
            fill: colour_of(&r.class).unwrap_or(NO_DATA),
            distance: r.explanation.boundary_distance.map(|d| format!("{d:.2}")).unwrap_or_default(),
            nearest: r.explanation.nearest_change.as_ref().map(|c| c.describe()).unwrap_or_default(),
            imputed: r.imputed.join(", "),
            parts: r.explanation.contributions.iter().map(|p| format!("{p:.2}")).collect(),
        })
        .collect();
    let counts = run
        .classes
        .iter()
        .map(|c| ClassCount {
            class: class_name(ctx.lang, c),
            fill: colour_of(c).unwrap_or(NO_DATA),
            count: run.rows.iter().filter(|r| &r.class == c).count(),
        })
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
    let summary = RunSummary {
        spec: run.spec.clone(),
        year: run.year,
        indicators: run.indicators.clone(),
        parts: run.rows.iter().any(|r| !r.explanation.contributions.is_empty()),
        warnings: run.warnings.clone(),
        weights: run.weights.iter().map(|w| format!("{w:.3}")).collect(),
        excluded: run
            .excluded
            .iter()
            .map(|e| Excluded { code: e.code.clone(), name: e.name.clone(), reason: e.reason.clone() })
            .collect(),
    };
    Ok(Drawn { run: summary, rows, counts, histogram: chart, map })
}

/// A choropleth of the run's classes over the regions it classified (the
/// regions at the spec's level that the viewer may read and that have a
/// boundary); excluded regions in grey.
async fn class_map(
    state: &crate::state::WebState,
    ctx: &PageContext,
    run: &DesignationRun,
    colour_of: &(dyn Fn(&str) -> Option<&'static str> + Sync),
) -> Result<Option<String>, AppError> {
    let level = &run.level;
    let classified: HashMap<&str, &str> = run.rows.iter().map(|r| (r.code.as_str(), r.class.as_str())).collect();
    let excluded: HashSet<&str> = run.excluded.iter().map(|e| e.code.as_str()).collect();
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
            let name = ctx.lang.region_name(&r.name_zh, r.name_en.as_deref());
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
    let title = format!("{} · {}", run.spec, run.year);
    let map = Choropleth::page(title, run.indicators.join(", "), features, ctx.t("class").to_string(), legend);
    Ok(Some(crate::official::draw(state, map, &regions, ctx.lang)))
}

/// The commit form's fields: the run (spec and year) and the decision.
#[derive(Debug, Deserialize)]
pub struct CommitForm {
    pub(crate) csrf: String,
    pub(crate) spec: String,
    pub(crate) year: String,
    pub(crate) category: String,
    /// Comma-separated class labels.
    pub(crate) classes: String,
    pub(crate) basis_title: String,
    pub(crate) basis_number: Option<String>,
    pub(crate) effective: String,
    pub(crate) transition_until: Option<String>,
    /// The fingerprint of the preview being confirmed; without it the
    /// commit is only previewed.
    pub(crate) confirm: Option<String>,
}

/// What committing would change, to be confirmed (the form's fields are
/// carried along so that confirming sends the same decision).
#[derive(Serialize)]
struct PreviewView {
    category: String,
    classes: String,
    basis_title: String,
    basis_number: String,
    effective: String,
    transition_until: String,
    #[serde(flatten)]
    preview: revita_app::designate::ListPreview,
}

/// A committed list.
#[derive(Serialize)]
struct CommittedView {
    id: i64,
    category: String,
    effective: String,
    members: usize,
    joining: Vec<String>,
    leaving: Vec<String>,
    spec_sha256: String,
    input_sha256: String,
}

/// `POST /designate/commit`: runs the spec again (over the regions the user
/// may read) and shows what committing it as an official list would change
/// (regions joining, leaving, staying and untouched); confirmed, commits it
/// within the jurisdiction the user may decide in, audited.
pub async fn designate_commit(page: Page, Form(form): Form<CommitForm>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let page = page.at("/designate");
    let origin = page.origin();
    let (decision, decided) = decide_list(&page.state, page.viewer()?, &origin, &form).await?;
    let mut view = DesignateView { spec: form.spec.clone(), year: form.year.clone(), ..Default::default() };
    match decided {
        Decided::Preview(preview) => {
            view.csrf = form.csrf.clone();
            view.preview = Some(PreviewView {
                category: decision.category,
                classes: form.classes.clone(),
                basis_title: form.basis_title.clone(),
                basis_number: form.basis_number.clone().unwrap_or_default(),
                effective: form.effective.clone(),
                transition_until: form.transition_until.clone().unwrap_or_default(),
                preview,
            });
        }
        Decided::Committed(committed) => {
            view.committed = Some(CommittedView {
                id: committed.id,
                category: decision.category,
                effective: decision.effective_from.to_string(),
                members: committed.members,
                joining: committed.joining,
                leaving: committed.leaving,
                spec_sha256: committed.spec_sha256,
                input_sha256: committed.input_sha256,
            });
        }
    }
    page.render("designate.html", page.t("designation_runs"), view)
}

/// What a commit request came to: a preview to confirm, or the list
/// committed.
#[derive(Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub(crate) enum Decided {
    /// What committing would change; send its fingerprint back as
    /// `confirm` to commit.
    Preview(revita_app::designate::ListPreview),
    /// The committed list.
    Committed(revita_app::designate::CommittedList),
}

/// Runs the spec again over the regions the viewer may read and either
/// previews the list it makes or, with `confirm` (the preview's
/// fingerprint), commits it within the jurisdiction the viewer may decide
/// in: the one path of the commit form and the API.
pub(crate) async fn decide_list(
    state: &crate::state::WebState,
    viewer: &crate::auth::Viewer,
    origin: &revita_app::auth::Origin,
    form: &CommitForm,
) -> revita_app::AppResult<(revita_app::designate::ListDecision, Decided)> {
    let params = RunParams {
        spec: Some(form.spec.clone()),
        year: Some(form.year.clone()),
        against_spec: None,
        against_year: None,
    };
    let (spec, year): (DesignationSpec, i32) = params.parse()?;
    let visible = state.visible(Some(viewer)).await?;
    let app = &state.app;
    let run = app.designate(&spec, year, &visible).await?;
    let within = app.jurisdiction(&viewer.actor, revita_methods::access::Action::EditDecisions).await?;
    if within.is_nowhere() {
        return Err(AppError::Forbidden(format!("{} may not decide designations", viewer.actor.name)));
    }
    let date =
        |text: &str| revita_methods::Date::parse(text.trim()).map_err(|e| AppError::Invalid(format!("'{text}': {e}")));
    let optional = |text: &Option<String>| text.clone().filter(|t| !t.trim().is_empty());
    let decision = revita_app::designate::ListDecision {
        category: form.category.trim().to_string(),
        classes: form.classes.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect(),
        basis_title: form.basis_title.clone(),
        basis_number: optional(&form.basis_number),
        effective_from: date(&form.effective)?,
        transition_until: optional(&form.transition_until).as_deref().map(date).transpose()?,
    };
    let decided = match form.confirm.as_deref().filter(|c| !c.trim().is_empty()) {
        None => Decided::Preview(app.preview_designation_list(&run, &decision, &within).await?),
        Some(confirm) => {
            let by = revita_app::auth::ChangeBy::new(&viewer.actor, origin);
            Decided::Committed(app.commit_designation_list(&spec, &run, &decision, &by, &within, confirm).await?)
        }
    };
    Ok((decision, decided))
}

/// The run as a table.
async fn download(page: Page, params: RunParams, format: ExportFormat) -> PageResult {
    let run = run(&page.state, page.viewer.as_ref(), &params).await?;
    let bytes = run.table(format)?;
    Ok(crate::kit::attachment(bytes, format, &format!("designation-{}", run.year)))
}

/// `GET /designate.csv`.
pub async fn designate_csv(page: Page, Query(params): Query<RunParams>) -> PageResult {
    download(page, params, ExportFormat::Csv).await
}

/// `GET /designate.xlsx`.
pub async fn designate_xlsx(page: Page, Query(params): Query<RunParams>) -> PageResult {
    download(page, params, ExportFormat::Xlsx).await
}

#[cfg(test)]
mod tests {
    use super::class_name;
    use crate::i18n::Lang;

    #[test]
    fn the_methods_class_labels_are_translated_and_a_specs_own_kept() {
        assert_eq!(class_name(Lang::Zh, "designated"), "认定");
        assert_eq!(class_name(Lang::Zh, "not designated"), "未认定");
        assert_eq!(class_name(Lang::Zh, "at-risk"), "风险");
        assert_eq!(class_name(Lang::En, "at-risk"), "at risk");
        assert_eq!(class_name(Lang::Zh, "lagging"), "lagging");
    }
}
