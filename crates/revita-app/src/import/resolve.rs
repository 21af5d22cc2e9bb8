//! Resolving region codes found in data files to loaded regions.

use std::collections::{BTreeMap, HashMap, HashSet};

use revita_methods::{CodeHistory, RegionCode, Resolution};

use crate::report::CodeRemap;
use crate::{App, AppResult};

/// Where a code that is not loaded as written leads.
#[derive(Debug, Clone)]
struct Mapped {
    targets: Vec<RegionCode>,
    /// `Some` when the code history mapped a retired code (holding the
    /// year it was retired, if known); `None` for a spelling of a loaded code.
    retired_in: Option<Option<i32>>,
}

/// Resolves codes against the loaded regions, the scheme and the code
/// history, remembering every retired code it mapped.
pub(crate) struct RegionResolver {
    known: HashSet<RegionCode>,
    history: CodeHistory,
    scheme: std::sync::Arc<dyn revita_methods::CodeScheme + Send + Sync>,
    /// Resolutions of codes that are not loaded as written.
    cache: HashMap<RegionCode, Result<Mapped, String>>,
    /// Mapped retired codes, with the last row counted for each.
    remaps: BTreeMap<String, (CodeRemap, u64)>,
}

impl RegionResolver {
    /// Loads the regions and the code history of `app`'s store.
    pub(crate) async fn load(app: &App) -> AppResult<RegionResolver> {
        let known = app.store().regions().await?.into_iter().map(|r| r.code).collect();
        let history = CodeHistory::new(app.store().code_history().await?);
        Ok(RegionResolver {
            known,
            history,
            scheme: app.scheme.clone(),
            cache: HashMap::new(),
            remaps: BTreeMap::new(),
        })
    }

    /// The loaded region(s) `code` stands for, or why there are none.
    /// `row` is the file row the code is on: a wide row resolves its code
    /// once per value but counts as one row in the report.
    pub(crate) fn resolve(&mut self, code: &RegionCode, row: u64) -> Result<Vec<RegionCode>, String> {
        if self.known.contains(code) {
            return Ok(vec![code.clone()]);
        }
        if !self.cache.contains_key(code) {
            let resolved = self.resolve_unknown(code);
            self.cache.insert(code.clone(), resolved);
        }
        let resolved = self.cache.get(code).expect("inserted above").clone();
        let mapped = resolved?;
        if let Some(retired_in) = mapped.retired_in {
            let (remap, last_row) = self.remaps.entry(code.to_string()).or_insert_with(|| {
                let to = mapped.targets.iter().map(|t| t.to_string()).collect();
                (CodeRemap { from: code.to_string(), to, retired_in, rows: 0 }, 0)
            });
            if *last_row != row {
                remap.rows += 1;
                *last_row = row;
            }
        }
        Ok(mapped.targets)
    }

    fn resolve_unknown(&self, code: &RegionCode) -> Result<Mapped, String> {
        let canonical = self.scheme.normalize(code).map_err(|e| e.to_string())?;
        if self.known.contains(&canonical) {
            return Ok(Mapped { targets: vec![canonical], retired_in: None });
        }
        match self.history.resolve(&canonical) {
            Resolution::Mapped { targets, retired_in } => {
                let loaded: Vec<_> = targets.iter().filter(|t| self.known.contains(*t)).cloned().collect();
                let when = retired_in.map(|y| format!(" in {y}")).unwrap_or_default();
                if loaded.is_empty() {
                    let list = targets.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ");
                    Err(format!("region code {canonical} was retired{when}; its successor {list} is not loaded"))
                } else {
                    Ok(Mapped { targets: loaded, retired_in: Some(retired_in) })
                }
            }
            Resolution::Retired { retired_in } => {
                let when = retired_in.map(|y| format!(" in {y}")).unwrap_or_default();
                Err(format!("region code {canonical} was retired{when} and has no recorded successor"))
            }
            Resolution::Current | Resolution::Unknown => Err(format!("unknown region code {canonical}")),
        }
    }

    /// The retired codes mapped so far, by code.
    pub(crate) fn into_remaps(self) -> Vec<CodeRemap> {
        self.remaps.into_values().map(|(remap, _)| remap).collect()
    }
}
