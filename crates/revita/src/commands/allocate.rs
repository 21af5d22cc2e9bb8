//! `revita allocate`: a fund allocated by a factor formula.

use anyhow::{Context, bail};
use revita_app::export::ExportFormat;

use super::{acting, from_files, open, scope};
use crate::cli::AllocateArgs;

pub(super) async fn allocate(args: AllocateArgs) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(&args.run.spec).with_context(|| format!("reading {}", args.run.spec.display()))?;
    let spec = revita_app::allocate::AllocationSpec::from_json(&text)
        .with_context(|| format!("{}", args.run.spec.display()))?;
    let app = open(&args.db).await?;
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    let scratch = from_files(&app, &args.run.observations).await?;
    let run = scratch.as_ref().map_or(&app, |s| &s.app).allocate(&spec, args.run.year, &visible).await?;
    if let Some(out) = &args.run.out {
        let format = match ExportFormat::from_path(out) {
            Some(f @ (ExportFormat::Csv | ExportFormat::Xlsx)) => f,
            _ => bail!("{}: write .csv or .xlsx", out.display()),
        };
        std::fs::write(out, run.bytes(format)?).with_context(|| format!("writing {}", out.display()))?;
    }
    if args.run.json {
        outln!("{}", serde_json::to_string_pretty(&run)?);
        return Ok(());
    }
    outln!(
        "{} for {}: {} allocated to {} regions, {} excluded",
        run.spec,
        run.year,
        run.total,
        run.rows.len(),
        run.excluded.len()
    );
    let mut largest: Vec<&revita_app::allocate::AllocationRow> = run.rows.iter().collect();
    largest.sort_by(|a, b| b.amount.total_cmp(&a.amount).then_with(|| a.code.cmp(&b.code)));
    for row in largest.iter().take(10) {
        let change = row.change_pct.map(|c| format!(", {c:+.1}% on last year")).unwrap_or_default();
        let scenarios: Vec<String> =
            run.scenarios.iter().zip(&row.scenarios).map(|(name, v)| format!("{name}: {v}")).collect();
        let scenarios = if scenarios.is_empty() { String::new() } else { format!(" [{}]", scenarios.join("; ")) };
        outln!("  {} {}: {}{change}{scenarios}", row.code, row.name, row.amount);
    }
    for e in run.excluded.iter().take(10) {
        outln!("  excluded {} {}: {}", e.code, e.name, e.reason);
    }
    for note in run.notes.iter().take(10) {
        outln!("  note: {note}");
    }
    Ok(())
}
