//! Observations sent in a request's body (the API's write): CSV in any
//! layout the import takes, or a JSON data value set, staged as a file and
//! read by the same importer, so that both are checked row by row alike.

use serde::Deserialize;

use super::ObservationImport;
use crate::{App, AppError, AppResult, ImportReport};

/// A request body of observations.
#[derive(Debug, Clone, Copy)]
pub enum ObservationBody<'a> {
    /// CSV text in any layout `import observations` takes.
    Csv(&'a [u8]),
    /// `{"dataValues": [{"indicator", "region", "period", "value"}, …]}`.
    Json(&'a [u8]),
}

/// One value of a JSON body: `indicator`, `region`, `period`, `value` (or
/// DHIS2's `dataElement`, `orgUnit`, `period`, `value`), optional `source`
/// and `status`.
#[derive(Deserialize)]
struct DataValue {
    #[serde(alias = "dataElement")]
    indicator: String,
    #[serde(alias = "orgUnit")]
    region: String,
    period: serde_json::Value,
    value: serde_json::Value,
    source: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct DataValueSet {
    #[serde(rename = "dataValues")]
    data_values: Vec<DataValue>,
}

impl App {
    /// Imports observations from a request body, as [`App::import_observations`]
    /// imports a file (the caller's jurisdiction and audit in `import`).
    pub async fn import_observation_body(
        &self,
        body: ObservationBody<'_>,
        import: &ObservationImport,
    ) -> AppResult<ImportReport> {
        let (csv, name) = match body {
            ObservationBody::Csv(bytes) => (bytes.to_vec(), "request body (CSV)"),
            ObservationBody::Json(bytes) => (data_values_csv(bytes)?, "request body (JSON)"),
        };
        let dir = tempfile::tempdir().map_err(|e| anyhow::anyhow!("no temporary directory: {e}"))?;
        let path = dir.path().join("observations.csv");
        std::fs::write(&path, csv).map_err(|e| anyhow::anyhow!("cannot stage the body: {e}"))?;
        let import = ObservationImport { file_name: Some(name.to_string()), ..import.clone() };
        self.import_observations(&path, &import, &|_| {}).await
    }
}

/// A JSON data value set as the long CSV layout the importer reads.
fn data_values_csv(body: &[u8]) -> AppResult<Vec<u8>> {
    let set: DataValueSet = serde_json::from_slice(body)
        .map_err(|e| AppError::Invalid(format!("the JSON body is not a data value set: {e}")))?;
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut csv = String::from("region_code,indicator,period,value,source,status\n");
    for v in &set.data_values {
        let fields = [
            quote(&v.region),
            quote(&v.indicator),
            quote(&text(&v.period)),
            quote(&text(&v.value)),
            quote(v.source.as_deref().unwrap_or("")),
            quote(v.status.as_deref().unwrap_or("")),
        ];
        csv.push_str(&fields.join(","));
        csv.push('\n');
    }
    Ok(csv.into_bytes())
}
