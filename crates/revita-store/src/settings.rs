//! Settings of the database itself (the code scheme its regions follow),
//! one text value per name.

use crate::db::{on_pool, on_tx};
use crate::{Store, StoreResult, Tx};

const SETTING: &str = "SELECT value FROM settings WHERE name = $1";
const PUT_SETTING: &str =
    "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value";

impl Store {
    /// The setting's value, if it was ever set.
    pub async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(SETTING).bind(name).fetch_optional(pool).await?)
        })
    }
}

impl Tx {
    /// The setting's value as this transaction sees it.
    pub async fn setting(&mut self, name: &str) -> StoreResult<Option<String>> {
        on_tx!(self, conn => {
            Ok(sqlx::query_scalar(SETTING).bind(name).fetch_optional(&mut *conn).await?)
        })
    }

    /// Sets (or replaces) a setting.
    pub async fn put_setting(&mut self, name: &str, value: &str) -> StoreResult<()> {
        on_tx!(self, conn => {
            sqlx::query(PUT_SETTING).bind(name).bind(value).execute(&mut *conn).await?;
        });
        self.wrote();
        Ok(())
    }
}
