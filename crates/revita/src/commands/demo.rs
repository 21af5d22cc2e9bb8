//! `revita demo` (and `serve --demo`): the demo dataset of real regions and its users.

use super::now;
use anyhow::bail;
use revita_app::App;

/// The demo database file `serve --demo` creates afresh.
pub(super) const DEMO_DATABASE: &str = "revita-demo.sqlite";

pub(super) async fn load_demo(app: &App) -> anyhow::Result<()> {
    if !app.is_empty().await? {
        bail!("the database already holds data; load the demo into an empty database");
    }
    eprintln!("loading the demo dataset…");
    for report in revita_app::demo::load(app).await? {
        eprint!("{report}");
    }
    Ok(())
}

/// Adds the synthetic examples (a registry with members and cases, a sample
/// plan) once the demo users exist, unless the registry holds households.
pub(super) async fn load_demo_examples(app: &App) -> anyhow::Result<()> {
    let today = revita_app::clock::today();
    let added = revita_app::demo::load_examples(app, today, now()).await?;
    if added.households > 0 {
        eprintln!(
            "synthetic examples (clearly marked 示例/DEMO, not real data): {} households with {} members, {} monitoring cases, a sample plan; {} example specs saved",
            added.households, added.members, added.cases, added.specs
        );
    }
    Ok(())
}

/// Creates the demo users that do not exist yet and lists them.
pub(super) async fn create_demo_users(app: &App) -> anyhow::Result<()> {
    let created = revita_app::demo::create_users(app, now()).await?;
    outln!("demo users (name / password / role @ jurisdiction){}:", if created == 0 { ", already there" } else { "" });
    for (name, password, role, scope) in revita_app::demo::USERS {
        outln!("  {name:<14} {password:<20} {role} @ {scope}");
    }
    Ok(())
}
