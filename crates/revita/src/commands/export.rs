//! `revita export`: observations and the registry as CSV, XLSX or Parquet.

use anyhow::Context;
use revita_app::ObservationQuery;
use revita_app::export::ExportFormat;
use revita_methods::Period;

use super::{acting, now, open, scope};
use crate::cli::{ExportArgs, Format};

pub(super) fn export_format(args: &ExportArgs) -> anyhow::Result<ExportFormat> {
    Ok(match args.format {
        Some(Format::Csv) => ExportFormat::Csv,
        Some(Format::Xlsx) => ExportFormat::Xlsx,
        Some(Format::Parquet) => ExportFormat::Parquet,
        None => ExportFormat::from_path(&args.out)
            .with_context(|| format!("{}: give --format or a .csv, .xlsx or .parquet name", args.out.display()))?,
    })
}

pub(super) async fn export(args: ExportArgs) -> anyhow::Result<()> {
    let app = open(&args.db).await?;
    if args.registry {
        let actor = super::plan::actor(&app, &args.db).await?;
        let origin = revita_app::auth::Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
        let partial = args.out.with_extension("partial");
        let mut file = std::io::BufWriter::new(
            std::fs::File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?,
        );
        let written = app.export_registry(&actor, args.line, &mut file, &origin).await?;
        drop(file);
        std::fs::rename(&partial, &args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
        outln!(
            "wrote {} households to {} ({} with identifiers)",
            written.households,
            args.out.display(),
            written.unmasked
        );
        return Ok(());
    }
    let format = export_format(&args)?;
    let query = ObservationQuery {
        indicator: args.indicator.as_deref().map(revita_methods::IndicatorCode::parse).transpose()?,
        region: args.region.as_deref().map(|c| app.parse_region_code(c)).transpose()?,
        parent: args.parent.as_deref().map(|c| app.parse_region_code(c)).transpose()?,
        level: args.level.clone(),
        period: args.period.as_deref().map(Period::parse).transpose()?.map(|p| p.to_string()),
        within: None,
    };
    let actor = acting(&app, &args.db).await?;
    let visible = scope(&app, &actor, revita_methods::access::Action::Read).await?;
    let rows = app.export_observations(&query, &args.out, format, &visible).await?;
    outln!("{}: wrote {rows} observations", args.out.display());
    Ok(())
}
