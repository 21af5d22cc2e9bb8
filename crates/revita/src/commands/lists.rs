//! `revita lists`: committed designation lists and their members.

use anyhow::{Context, bail};
use revita_app::export::ExportFormat;

use super::{acting, open, scope};
use crate::cli::ListsArgs;

pub(super) async fn lists(args: ListsArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    let actor = acting(&app, &args.db).await?;
    if !scope(&app, &actor, revita_methods::access::Action::Read).await?.is_everywhere() {
        bail!("designation lists are national decisions; listing them is for national users");
    }
    if let Some(id) = args.id {
        if let Some(out) = &args.out {
            let format = match ExportFormat::from_path(out) {
                Some(f @ (ExportFormat::Csv | ExportFormat::Xlsx)) => f,
                _ => bail!("{}: write .csv or .xlsx", out.display()),
            };
            let bytes = app.designation_list_table(id, format).await?;
            std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
            outln!("list {id} written to {}", out.display());
            return Ok(());
        }
        let bytes = app.designation_list_table(id, ExportFormat::Csv).await?;
        out!("{}", String::from_utf8_lossy(&bytes));
        return Ok(());
    }
    let lists = app.designation_lists(args.category.as_deref()).await?;
    if args.json {
        let json: Vec<serde_json::Value> = lists
            .iter()
            .map(|l| {
                serde_json::json!({"id": l.id, "category": l.category.as_str(), "method": l.name, "run_year": l.run_year,
                "classes": l.classes, "basis": l.basis.title, "basis_number": l.basis.number,
                "effective_from": l.effective_from.to_string(),
                "transition_until": l.transition_until.map(|d| d.to_string()), "members": l.members,
                "joining": l.joining, "leaving": l.leaving, "spec_sha256": l.spec_sha256,
                "input_sha256": l.input_sha256, "approved_by": l.approved_by, "approved_at": l.approved_at})
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    for l in &lists {
        outln!(
            "{}\t{}\tfrom {}\t{} regions (+{} −{})\t{}\t{}",
            l.id,
            l.category.as_str(),
            l.effective_from,
            l.members,
            l.joining,
            l.leaving,
            l.basis.title,
            l.name
        );
    }
    Ok(())
}
