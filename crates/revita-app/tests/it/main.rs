//! Use-case tests, each run against SQLite and PostgreSQL.

use std::path::{Path, PathBuf};

use revita_app::import::{FileImport, ObservationImport};
use revita_app::{App, AppError, Jurisdiction, Profile};
use revita_methods::RegionCode;
use revita_store::{DynStore, ObservationQuery};
use revita_testkit::both_backends;

mod allocate;
mod auth;
mod cases;
mod demo;
mod designate;
mod observations;
mod plans;
mod regions;
mod registry;
mod relocation;
mod screen;

/// A temporary directory holding test files.
struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Files {
        Files(tempfile::tempdir().unwrap())
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        self.write_bytes(name, text.as_bytes())
    }

    fn write_bytes(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

fn app(store: DynStore) -> App {
    App::new(store, &Profile::China)
}

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).unwrap()
}

const REGIONS: &str = "code,name_zh,name_en,level,parent_code\n\
    000000,全国,China,country,\n\
    520000,贵州省,Guizhou,province,000000\n\
    520100,贵阳市,,prefecture,520000\n\
    520102,南明区,,county,520100\n\
    520103,云岩区,,county,520100\n\
    520500,毕节市,,prefecture,520000\n\
    520502,七星关区,,county,520500\n";

/// 毕节市 522401 became 七星关区 520502 in 2011 (real); 520199 is a made-up
/// district split between 南明 and 云岩.
const HISTORY: &str = "code,province_name,prefecture_name,name,level,status,first_year,end_year,successor_codes\n\
    520102,贵州省,贵阳市,南明区,county,in_use,1981,,\n\
    520103,贵州省,贵阳市,云岩区,county,in_use,1981,,\n\
    520502,贵州省,毕节市,七星关区,county,in_use,2011,,\n\
    522401,贵州省,毕节地区,毕节市,county,retired,1993,2011,520502\n\
    520199,贵州省,贵阳市,示例区,county,retired,1981,1990,520102;520103\n";

const INDICATORS: &str = "code,name_zh,name_en,unit,direction,aggregation,weight_indicator\n\
    pop_total,常住人口,Resident population,persons,neutral,sum,\n\
    urbanization_rate_pct,城镇化率,Urbanization rate,%,higher_is_better,weighted_mean,pop_total\n\
    sex_ratio,性别比,Sex ratio,males per 100 females,neutral,none,\n";

/// Loads the Guizhou fixture: regions, history and indicators.
async fn guizhou(app: &App, files: &Files) {
    let options = FileImport::default();
    app.import_regions(&files.write("regions.csv", REGIONS), &options).await.unwrap();
    app.import_code_history(&files.write("history.csv", HISTORY), &options).await.unwrap();
    app.import_indicators(&files.write("indicators.csv", INDICATORS), &options).await.unwrap();
}

async fn import_obs(app: &App, path: &Path) -> Result<revita_app::ImportReport, AppError> {
    app.import_observations(path, &ObservationImport::default(), &|_| {}).await
}

async fn observation_count(app: &App) -> usize {
    app.test_store().observations(&ObservationQuery::default(), None, 100_000).await.unwrap().len()
}

/// The problems of a rejected import, as text.
fn rejected(result: Result<revita_app::ImportReport, AppError>) -> Vec<String> {
    match result {
        // Name files by their base name, as the user would have typed them.
        Err(AppError::Rejected { problems, .. }) => problems
            .errors
            .iter()
            .map(|e| {
                let name = Path::new(&e.file).file_name().unwrap().to_str().unwrap();
                e.to_string().replacen(&e.file, name, 1)
            })
            .collect(),
        other => panic!("expected a rejected import, got {other:?}"),
    }
}
