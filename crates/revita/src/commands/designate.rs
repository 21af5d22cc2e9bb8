//! `revita designate`: a designation rule run, compared with a list, and committed.

use anyhow::Context;
use revita_app::App;
use revita_app::designate::{AsTable, FromJson};
use revita_app::export::ExportFormat;

use super::{acting, cli_origin, from_files, open, scope};
use crate::cli::DesignateArgs;

pub(super) async fn designate(args: DesignateArgs) -> anyhow::Result<()> {
    let read_spec = |path: &std::path::Path| -> anyhow::Result<revita_app::designate::DesignationSpec> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        revita_app::designate::DesignationSpec::from_json(&text).with_context(|| format!("{}", path.display()))
    };
    let spec = read_spec(&args.run.spec)?;
    let against = match (&args.against_spec, args.against_year) {
        (None, None) => None,
        (path, year) => Some((path.as_deref().map(read_spec).transpose()?, year.unwrap_or(args.run.year))),
    };
    let app = open(&args.db).await?;
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    let scratch = from_files(&app, &args.run.observations).await?;
    let source = scratch.as_ref().map_or(&app, |s| &s.app);
    let run = source.designate(&spec, args.run.year, &visible).await?;
    let format = match &args.run.out {
        None => None,
        Some(out) => match ExportFormat::from_path(out) {
            Some(f @ (ExportFormat::Csv | ExportFormat::Xlsx)) => Some((out, f)),
            _ => anyhow::bail!("{}: write .csv or .xlsx", out.display()),
        },
    };
    if let Some((other_spec, other_year)) = against {
        let other = source.designate(other_spec.as_ref().unwrap_or(&spec), other_year, &visible).await?;
        return print_comparison(&run.compare(&other), format, args.run.json);
    }
    if let Some((out, format)) = format {
        std::fs::write(out, run.table(format)?).with_context(|| format!("writing {}", out.display()))?;
    }
    if let Some(category) = &args.commit {
        return commit_list(&app, &actor, &spec, &run, category, &args).await;
    }
    if args.run.json {
        outln!("{}", serde_json::to_string_pretty(&run)?);
        return Ok(());
    }
    let mut classes: Vec<(&str, usize)> = Vec::new();
    for row in &run.rows {
        match classes.iter_mut().find(|(c, _)| *c == row.class) {
            Some((_, n)) => *n += 1,
            None => classes.push((&row.class, 1)),
        }
    }
    outln!("{} for {}: {} regions classified, {} excluded", run.spec, run.year, run.rows.len(), run.excluded.len());
    for (class, n) in classes {
        outln!("  {class}: {n}");
    }
    for warning in &run.warnings {
        outln!("  warning: {warning}");
    }
    for e in run.excluded.iter().take(10) {
        outln!("  excluded {} {}: {}", e.code, e.name, e.reason);
    }
    Ok(())
}

/// Commits a run as an official designation list, within the jurisdiction
/// the acting user may decide in, and audits it.
pub(super) async fn commit_list(
    app: &App,
    actor: &Option<revita_app::auth::Actor>,
    spec: &revita_app::designate::DesignationSpec,
    run: &revita_app::designate::DesignationRun,
    category: &str,
    args: &DesignateArgs,
) -> anyhow::Result<()> {
    let date =
        |text: &str| revita_methods::Date::parse(text).with_context(|| format!("'{text}' is not a date (YYYY-MM-DD)"));
    let decision = revita_app::designate::ListDecision {
        category: category.to_string(),
        classes: args.classes.clone(),
        basis_title: args.basis.clone().unwrap_or_default(),
        basis_number: args.basis_number.clone(),
        effective_from: date(args.effective.as_deref().unwrap_or_default())?,
        transition_until: args.transition_until.as_deref().map(date).transpose()?,
    };
    let within = scope(app, actor, revita_methods::access::Action::EditDecisions).await?;
    let Some(confirm) = &args.confirm else {
        let preview = app.preview_designation_list(run, &decision, &within).await?;
        if args.run.json {
            outln!("{}", serde_json::to_string_pretty(&preview)?);
            return Ok(());
        }
        let codes = |list: &[String]| if list.is_empty() { "—".to_string() } else { list.join(", ") };
        outln!("the list would put {} regions in {category} from {}:", preview.members, decision.effective_from);
        outln!("  joining ({}): {}", preview.joining.len(), codes(&preview.joining));
        outln!("  leaving ({}): {}", preview.leaving.len(), codes(&preview.leaving));
        outln!("  staying ({}): {}", preview.staying.len(), codes(&preview.staying));
        outln!("  designations left as they are (outside the run or excluded): {}", preview.untouched);
        outln!("nothing was written; to commit this list, run the same command with --confirm {}", preview.fingerprint);
        return Ok(());
    };
    let by = revita_app::auth::ChangeBy { actor: actor.clone(), origin: cli_origin() };
    let committed = app.commit_designation_list(spec, run, &decision, &by, &within, confirm).await?;
    if args.run.json {
        outln!("{}", serde_json::to_string_pretty(&committed)?);
        return Ok(());
    }
    outln!(
        "list {} committed: {} regions in {category} from {}; {} join, {} leave",
        committed.id,
        committed.members,
        decision.effective_from,
        committed.joining.len(),
        committed.leaving.len()
    );
    outln!("  spec sha256 {}\n  input sha256 {}", committed.spec_sha256, committed.input_sha256);
    Ok(())
}

/// Prints a comparison of two runs: the transition matrix and the regions
/// that changed class.
pub(super) fn print_comparison(
    comparison: &revita_app::designate::RunComparison,
    out: Option<(&std::path::PathBuf, ExportFormat)>,
    json: bool,
) -> anyhow::Result<()> {
    if let Some((out, format)) = out {
        std::fs::write(out, comparison.table(format)?).with_context(|| format!("writing {}", out.display()))?;
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(comparison)?);
        return Ok(());
    }
    outln!("from {} (rows) to {} (columns):", comparison.from, comparison.to);
    outln!("  \t{}", comparison.to_classes.join("\t"));
    for (class, counts) in comparison.from_classes.iter().zip(&comparison.matrix) {
        let counts: Vec<String> = counts.iter().map(usize::to_string).collect();
        outln!("  {class}\t{}", counts.join("\t"));
    }
    let class = |c: &Option<String>| c.clone().unwrap_or_else(|| "not classified".into());
    let mut listed: Vec<&revita_app::designate::Transition> = comparison.unmatched.iter().collect();
    if comparison.same_classes {
        let changed: Vec<_> = comparison.regions.iter().filter(|t| t.changed()).collect();
        outln!("{} of {} regions changed class", changed.len(), comparison.regions.len());
        listed.splice(0..0, changed);
    }
    for t in listed.iter().take(20) {
        outln!("  {} {}: {} → {}", t.code, t.name, class(&t.from), class(&t.to));
    }
    Ok(())
}
