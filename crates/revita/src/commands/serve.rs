//! `revita serve`: the web UI and the REST API.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use revita_app::DatabaseUrl;

use crate::cli::ServeArgs;

use super::demo::DEMO_DATABASE;
use super::demo::{create_demo_users, load_demo, load_demo_examples};
use super::open;

pub(super) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut db = args.db.clone();
    let default_file = db.database_url == "revita.sqlite";
    if args.demo && default_file {
        db.database_url = DEMO_DATABASE.to_string();
    }
    if args.demo {
        // The demo's regions are China's: its database says so.
        db.profile.get_or_insert_with(|| "china".into());
    }
    if args.reset_demo {
        // Only the demo's own file is ever deleted: what a user names with
        // --database-url may hold their work.
        if !(args.demo && default_file) {
            bail!("--reset-demo starts {DEMO_DATABASE} afresh; it works with --demo and no --database-url");
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{DEMO_DATABASE}{suffix}"));
        }
    }
    let app = open(&db).await?;
    if args.demo {
        // A demo database kept from an earlier start keeps what its users
        // entered (issue 13); an empty one gets the demo dataset.
        let fresh = app.is_empty().await?;
        if fresh {
            load_demo(&app).await?;
        } else {
            eprintln!("serving the demo database as it is (start with --reset-demo for a fresh one)");
        }
        create_demo_users(&app).await?;
        if fresh {
            load_demo_examples(&app).await?;
        }
    }
    let public = args
        .public
        .iter()
        .map(|p| {
            revita_web::auth::PublicPage::parse(p).with_context(|| format!("--public '{p}' is not map or indicators"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let settings = revita_web::UploadSettings {
        max_bytes: args.max_upload_mb.saturating_mul(1024 * 1024),
        ..revita_web::UploadSettings::DEFAULT
    };
    // A temporary upload directory is made with the first upload, so that a
    // server that never takes one leaves nothing behind even when killed.
    let uploads = match &args.upload_dir {
        Some(dir) => revita_web::Uploads::in_dir(dir, settings)
            .with_context(|| format!("cannot use --upload-dir {}", dir.display()))?,
        None => revita_web::Uploads::temporary(settings),
    };
    tracing::info!(upload_dir = ?args.upload_dir, max_upload_mb = args.max_upload_mb, "uploads");
    let options =
        revita_web::Options { public, uploads, time_zone: args.time_zone, map_approval: args.map_approval.clone() };
    let limits = revita_web::ConnectionLimits {
        header_timeout: std::time::Duration::from_secs(args.header_timeout_secs),
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout_secs),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
    };
    tracing::info!(?limits, "connections");
    let addr = SocketAddr::new(args.bind, args.port);
    revita_web::serve(app, options, limits, addr, |bound| {
        tracing::info!(database = %DatabaseUrl::new(&db.database_url), "revita listening on http://{bound}");
        println!("revita is ready at http://{bound} (health: http://{bound}/health)");
    })
    .await
    .with_context(|| format!("cannot serve on {addr}"))
}
