//! Saved designation and allocation specs (migration 18): named, every
//! version kept, so that a spec can be shared by name and number and a run
//! repeated years later with the method as it was.

use crate::db::{on_pool, on_tx};
use crate::rows::RowExt;
use crate::{Store, StoreResult, Tx};

const COLUMNS: &str = "id, kind, name, version, spec, note, saved_by, saved_at";
const NEXT_VERSION: &str = "SELECT COALESCE(MAX(version), 0) + 1 FROM saved_specs WHERE kind = $1 AND name = $2";
const INSERT: &str = "INSERT INTO saved_specs (kind, name, version, spec, note, saved_by, saved_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

/// One saved version of a spec.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSpec {
    /// Its number (what a link to it names).
    pub id: i64,
    /// `designation` or `allocation`.
    pub kind: String,
    /// The name it is saved under.
    pub name: String,
    /// Its version under the name, from 1.
    pub version: i64,
    /// The spec, JSON text as saved.
    pub spec: String,
    /// What changed, in the saver's words.
    pub note: Option<String>,
    /// Who saved it.
    pub saved_by: String,
    /// When (ISO 8601, UTC).
    pub saved_at: String,
}

fn saved_spec<R: RowExt>(row: &R) -> StoreResult<SavedSpec> {
    Ok(SavedSpec {
        id: row.int("id")?,
        kind: row.text("kind")?,
        name: row.text("name")?,
        version: row.int("version")?,
        spec: row.text("spec")?,
        note: row.opt_text("note")?,
        saved_by: row.text("saved_by")?,
        saved_at: row.text("saved_at")?,
    })
}

impl Store {
    /// One saved version.
    pub async fn saved_spec(&self, id: i64) -> StoreResult<Option<SavedSpec>> {
        let sql = format!("SELECT {COLUMNS} FROM saved_specs WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(saved_spec).transpose()
        })
    }

    /// A page of saved specs of a kind, the latest version of each name
    /// only, by name after `after`.
    pub async fn saved_spec_page(&self, kind: &str, after: Option<&str>, limit: i64) -> StoreResult<Vec<SavedSpec>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM saved_specs s WHERE kind = $1 AND ($2 IS NULL OR name > $2) \
             AND version = (SELECT MAX(version) FROM saved_specs v WHERE v.kind = s.kind AND v.name = s.name) \
             ORDER BY name LIMIT $3"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind).bind(after).bind(limit).fetch_all(pool).await?;
            rows.iter().map(saved_spec).collect()
        })
    }

    /// How many names specs of a kind are saved under.
    pub async fn count_saved_specs(&self, kind: &str) -> StoreResult<i64> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(DISTINCT name) FROM saved_specs WHERE kind = $1")
                .bind(kind)
                .fetch_one(pool)
                .await?)
        })
    }

    /// Every version saved under a name, the newest first.
    pub async fn spec_versions(&self, kind: &str, name: &str) -> StoreResult<Vec<SavedSpec>> {
        let sql = format!("SELECT {COLUMNS} FROM saved_specs WHERE kind = $1 AND name = $2 ORDER BY version DESC");
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind).bind(name).fetch_all(pool).await?;
            rows.iter().map(saved_spec).collect()
        })
    }
}

impl Tx {
    /// Saves `spec` as the next version under its kind and name; its id
    /// and version.
    pub async fn save_spec(
        &mut self,
        kind: &str,
        name: &str,
        spec: &str,
        note: Option<&str>,
        by: &str,
        at: &str,
    ) -> StoreResult<(i64, i64)> {
        let (id, version) = on_tx!(self, conn => {
            let version: i64 = sqlx::query_scalar(NEXT_VERSION).bind(kind).bind(name).fetch_one(&mut *conn).await?;
            let id: i64 = sqlx::query_scalar(INSERT)
                .bind(kind)
                .bind(name)
                .bind(version)
                .bind(spec)
                .bind(note)
                .bind(by)
                .bind(at)
                .fetch_one(&mut *conn)
                .await?;
            (id, version)
        });
        Ok((id, version))
    }
}
