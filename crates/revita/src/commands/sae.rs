//! `revita sae`: Fay–Herriot estimates over stored observations (acting as
//! the `--token` owner within their jurisdiction, stored with an audit
//! entry), and the census EBP from files (benchmark B2's contract).

use anyhow::Context;
use revita_app::auth::Origin;
use revita_app::sae::{EbpFiles, EbpSettings, FhSpec, TransformationKind, ebp_files};

use super::{now, open};
use crate::cli::{SaeAction, SaeArgs};

pub(super) async fn run(args: SaeArgs) -> anyhow::Result<()> {
    match args.action {
        SaeAction::Ebp { sample, population, out, z, l, b, seed, threads, gini } => {
            let threads =
                threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)).max(1);
            let files = EbpFiles {
                sample,
                population,
                out,
                line: z,
                replicates: l as usize,
                bootstrap: b as usize,
                seed,
                threads,
                gini,
            };
            let s = ebp_files(&files)?;
            let beta: Vec<String> = s.fit.beta.iter().enumerate().map(|(i, v)| format!("b{i}={v:.10}")).collect();
            outln!("params {} su2={:.10} se2={:.10}", beta.join(" "), s.fit.sigma_u2, s.fit.sigma_e2);
            outln!("domains {} ({} out of sample); wrote {}", s.domains, s.out_of_sample, files.out.display());
            if let Some(per) = s.bootstrap_seconds {
                outln!("bootstrap: {} replicates, {per:.3} s per replicate", files.bootstrap);
            }
            let (read, compute, write) = s.seconds;
            outln!("TIME read={read:.3} compute={compute:.3} write={write:.3} total={:.3}", read + compute + write);
        }
        SaeAction::EbpStore {
            sample,
            population,
            covariates,
            z,
            unit,
            transformation,
            lambda,
            l,
            b,
            seed,
            output,
            year,
            dry_run,
            out,
        } => {
            let app = open(&args.db).await?;
            let actor = super::plan::actor(&app, &args.db).await?;
            let transformation =
                if transformation == "box-cox" { TransformationKind::BoxCox } else { TransformationKind::Log };
            let settings =
                EbpSettings { line: z, replicates: l, bootstrap: b, seed, covariates, unit, transformation, lambda };
            let run = app.run_ebp(&sample, &population, &settings, false).await?;
            if let Some(path) = &out {
                let mut rows = run.table();
                let header = rows.remove(0);
                let bytes = revita_app::export::csv_table(&header, &rows)?;
                std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
            }
            let beta: Vec<String> = run.fit.beta.iter().map(|(n, v)| format!("{n}={v:.6}")).collect();
            let lambda = run.fit.lambda.map(|l| format!(" lambda={l:.4}")).unwrap_or_default();
            outln!("fit {} su2={:.6} se2={:.6}{lambda}", beta.join(" "), run.fit.sigma_u2, run.fit.sigma_e2);
            let origin = Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
            let stored = app.store_ebp(&actor, &run, &output, year, dry_run, &origin).await?;
            let verb = if stored.dry_run { "would store" } else { "stored" };
            outln!(
                "{verb} {} values of {} domains; indicators defined: {}; replaced: {}",
                stored.observations.len(),
                run.domains.len(),
                if stored.indicators_created.is_empty() { "none".into() } else { stored.indicators_created.join(", ") },
                stored.replaced
            );
        }
        SaeAction::Fh { spec, store, dry_run, out, json } => {
            let text = std::fs::read_to_string(&spec).with_context(|| format!("reading {}", spec.display()))?;
            let spec = FhSpec::from_json(&text)?;
            let app = open(&args.db).await?;
            let actor = super::plan::actor(&app, &args.db).await?;
            let run = app.run_fh(&actor, &spec).await?;
            if let Some(path) = &out {
                let mut rows = run.table();
                let header = rows.remove(0);
                let bytes = revita_app::export::csv_table(&header, &rows)?;
                std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
            }
            if json {
                outln!("{}", serde_json::to_string_pretty(&run)?);
            } else {
                let beta: Vec<String> = run.fit.beta.iter().map(|(n, b)| format!("{n}={b:.6}")).collect();
                outln!("fit {} sigma_u2={:.6} iterations={}", beta.join(" "), run.fit.sigma_u2, run.fit.iterations);
                outln!("code\tname\tin_sample\tdirect\testimate\tmse\tcv_pct");
                for a in &run.areas {
                    let direct = a.direct.map(|d| format!("{d:.4}")).unwrap_or_default();
                    let cv = a.cv.map(|c| format!("{c:.1}")).unwrap_or_default();
                    outln!(
                        "{}\t{}\t{}\t{direct}\t{:.4}\t{:.4}\t{cv}",
                        a.code,
                        a.name_zh,
                        a.in_sample,
                        a.estimate,
                        a.mse
                    );
                }
                for e in &run.excluded {
                    outln!("excluded {} {}: {}", e.code, e.name_zh, e.reason);
                }
            }
            if store {
                let origin = Origin { now: now(), request_id: None, client_addr: Some("cli".into()) };
                let stored = app.store_fh(&actor, &spec, dry_run, &origin).await?;
                let verb = if dry_run { "would store" } else { "stored" };
                outln!(
                    "{verb} {} observations (indicators defined: {}; values replaced: {})",
                    stored.observations.len(),
                    if stored.indicators_created.is_empty() {
                        "none".into()
                    } else {
                        stored.indicators_created.join(", ")
                    },
                    stored.replaced
                );
            }
        }
    }
    Ok(())
}
