//! The code scheme a database's regions follow, stored in the database
//! itself (issue 15): set once, by the first command that names it (or by
//! the demo), and read by every later command and server, so that
//! `--profile` need not be repeated and cannot silently disagree.

use std::sync::Arc;

use revita_methods::china::ChinaScheme;
use revita_methods::region::{CodeScheme, GenericScheme};
use revita_store::DynStore;

use crate::auth::ChangeBy;
use crate::{App, AppError, AppResult};

/// The setting that holds the scheme, as [`Profile::to_text`] writes it.
const CODE_SCHEME: &str = "code_scheme";

/// Which code scheme regions follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Profile {
    /// China's GB/T 2260 / NBS codes (the default).
    China,
    /// Free-form codes under the given levels, root first.
    Generic(Vec<String>),
}

impl Profile {
    /// Reads `china` or a comma-separated list of level names, root first
    /// (`country,state,county`).
    pub fn parse(text: &str) -> AppResult<Profile> {
        if text.trim() == "china" {
            return Ok(Profile::China);
        }
        let levels: Vec<String> = text.split(',').map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        if levels.is_empty() {
            return Err(AppError::Invalid(
                "a code scheme is 'china' or a comma-separated list of level names, root first".into(),
            ));
        }
        Ok(Profile::Generic(levels))
    }

    /// The profile as [`Profile::parse`] reads it.
    pub fn to_text(&self) -> String {
        match self {
            Profile::China => "china".into(),
            Profile::Generic(levels) => levels.join(","),
        }
    }

    pub(crate) fn scheme(&self) -> Arc<dyn CodeScheme + Send + Sync> {
        match self {
            Profile::China => Arc::new(ChinaScheme),
            Profile::Generic(levels) => {
                // Level names live as long as the program: leaking a handful of
                // short strings once per start-up buys `&'static str` levels.
                let levels = levels.iter().map(|l| &*Box::leak(l.clone().into_boxed_str())).collect();
                Arc::new(GenericScheme::new(levels))
            }
        }
    }
}

impl App {
    /// An app over `store` whose regions follow the code scheme stored in
    /// the database. A `requested` scheme (`--profile`) that differs from
    /// the stored one replaces it only if every stored region follows it
    /// (always so for a database without regions), audited as `by`'s
    /// change; otherwise the database is refused, since its codes would be
    /// read wrongly. Without either, China's scheme applies.
    pub async fn open(store: DynStore, requested: Option<&Profile>, by: &ChangeBy) -> AppResult<App> {
        let stored = store.setting(CODE_SCHEME).await?.map(|text| Profile::parse(&text)).transpose()?;
        let profile = match (stored, requested) {
            (Some(stored), None) => stored,
            (None, None) => Profile::China,
            (Some(stored), Some(requested)) if stored == *requested => stored,
            (stored, Some(requested)) => {
                adopt(&store, stored.as_ref(), requested, by).await?;
                requested.clone()
            }
        };
        Ok(App::new(store, &profile))
    }
}

/// Stores `requested` as the database's scheme, if every region follows it.
async fn adopt(store: &DynStore, stored: Option<&Profile>, requested: &Profile, by: &ChangeBy) -> AppResult<()> {
    let scheme = requested.scheme();
    for region in store.regions().await? {
        let follows = match scheme.normalize(&region.code) {
            Ok(canonical) if canonical == region.code => scheme.check_level(&region.code, &region.level),
            Ok(canonical) => Err(revita_methods::region::RegionError::Scheme {
                code: region.code.to_string(),
                scheme: scheme.name(),
                reason: format!("it is written {canonical} there"),
            }),
            Err(e) => Err(e),
        };
        if let Err(reason) = follows {
            let current = stored.unwrap_or(&Profile::China).to_text();
            return Err(AppError::Invalid(format!(
                "this database's regions follow the code scheme '{current}', not '{}' ({reason}); leave --profile \
                 out, or use a new database for regions coded otherwise",
                requested.to_text()
            )));
        }
    }
    let json = |p: &Profile| serde_json::json!({ CODE_SCHEME: p.to_text() }).to_string();
    let entry =
        by.entry("settings.code_scheme", ("setting", CODE_SCHEME), None, (stored.map(json), Some(json(requested))));
    let text = requested.to_text();
    store.write(entry, async |tx| tx.put_setting(CODE_SCHEME, &text).await).await?;
    Ok(())
}
