//! The audit log: appended only inside the transaction of the change it
//! records ([`Tx::commit`](crate::Tx::commit)), never changed afterwards
//! (the database refuses updates, deletes and, on PostgreSQL, `TRUNCATE`),
//! and chained: each row stores the SHA-256 of the previous row's hash and
//! its own fields, so that editing or deleting a row in the database file
//! breaks the chain at that row, which [`Store::verify_audit_chain`] finds.
//!
//! The chain cannot tell that rows were cut off the end; operators who need
//! that keep the head hash [`AuditChain::head`] reports somewhere else.

use sha2::{Digest, Sha256};

use crate::db::{Conn, on_pool};
use crate::security::{AuditEntry, AuditFilter};
use crate::{Store, StoreResult};

/// Arbitrary key of the PostgreSQL advisory lock that serialises appends
/// to the chain (SQLite's write lock already does).
const CHAIN_LOCK: i64 = 0x0061_7564_6974; // "audit"

/// The hash that the first chained row follows.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const APPEND: &str = "INSERT INTO audit_log (at, actor, action, object_type, object_id, region_code, before_value, \
     after_value, request_id, client_addr, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
const HEAD: &str = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1";
const COLUMNS: &str = "SELECT id, at, actor, action, object_type, object_id, region_code, before_value, after_value, \
     request_id, client_addr, prev_hash, hash FROM audit_log";

/// The chained hash of an entry: SHA-256 over the previous hash and every
/// field of the entry, each length-prefixed (absent fields marked apart
/// from empty ones), so that no two different rows hash alike.
pub fn chain_hash(prev: &str, e: &AuditEntry) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    let at = e.at.to_string();
    let fields: [Option<&str>; 10] = [
        Some(&at),
        Some(&e.actor),
        Some(&e.action),
        Some(&e.object_type),
        Some(&e.object_id),
        e.region.as_deref(),
        e.before.as_deref(),
        e.after.as_deref(),
        e.request_id.as_deref(),
        e.client_addr.as_deref(),
    ];
    for field in fields {
        match field {
            None => hasher.update([0u8]),
            Some(text) => {
                hasher.update([1u8]);
                hasher.update((text.len() as u64).to_be_bytes());
                hasher.update(text.as_bytes());
            }
        }
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends entries to the chain inside an open transaction.
pub(crate) async fn append_chained(conn: &mut Conn, entries: &[AuditEntry]) -> StoreResult<()> {
    match conn {
        Conn::Sqlite(t) => append_chained_sqlite(t, entries).await,
        Conn::Postgres(t) => append_chained_pg(t, entries).await,
    }
}

/// Appends entries after the current head of the chain; the caller's
/// transaction keeps anyone else from appending meanwhile.
macro_rules! append_after_head {
    ($conn:expr, $entries:expr) => {{
        let head: Option<Option<String>> = sqlx::query_scalar(HEAD).fetch_optional(&mut *$conn).await?;
        let mut prev = head.flatten().unwrap_or_else(|| GENESIS.to_string());
        for e in $entries {
            let hash = chain_hash(&prev, e);
            sqlx::query(APPEND)
                .bind(e.at)
                .bind(&e.actor)
                .bind(&e.action)
                .bind(&e.object_type)
                .bind(&e.object_id)
                .bind(e.region.as_deref())
                .bind(e.before.as_deref())
                .bind(e.after.as_deref())
                .bind(e.request_id.as_deref())
                .bind(e.client_addr.as_deref())
                .bind(&prev)
                .bind(&hash)
                .execute(&mut *$conn)
                .await?;
            prev = hash;
        }
        Ok(())
    }};
}

/// On SQLite the transaction holds the database's write lock.
async fn append_chained_sqlite(conn: &mut sqlx::SqliteConnection, entries: &[AuditEntry]) -> StoreResult<()> {
    append_after_head!(conn, entries)
}

/// On PostgreSQL an advisory lock, held to the end of the transaction,
/// serialises appends (concurrent transactions would otherwise both follow
/// the same head).
pub(crate) async fn append_chained_pg(conn: &mut sqlx::PgConnection, entries: &[AuditEntry]) -> StoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(CHAIN_LOCK).execute(&mut *conn).await?;
    append_after_head!(conn, entries)
}

/// An entry's fields in the order of the audit log's columns, for rusqlite.
pub(crate) fn rusqlite_fields(e: &AuditEntry) -> [&dyn rusqlite::ToSql; 10] {
    [
        &e.at,
        &e.actor,
        &e.action,
        &e.object_type,
        &e.object_id,
        &e.region,
        &e.before,
        &e.after,
        &e.request_id,
        &e.client_addr,
    ]
}

/// Appends entries through the SQLite bulk loader's own connection, inside
/// its open transaction.
pub(crate) fn append_chained_rusqlite(conn: &rusqlite::Connection, entries: &[AuditEntry]) -> rusqlite::Result<()> {
    let head: Option<Option<String>> = {
        let mut statement = conn.prepare(HEAD)?;
        let mut rows = statement.query(())?;
        match rows.next()? {
            Some(row) => Some(row.get(0)?),
            None => None,
        }
    };
    let mut prev = head.flatten().unwrap_or_else(|| GENESIS.to_string());
    let sql = APPEND.replace('$', "?");
    for e in entries {
        let hash = chain_hash(&prev, e);
        conn.execute(
            &sql,
            rusqlite::params_from_iter(rusqlite_fields(e).into_iter().chain([&prev as &dyn rusqlite::ToSql, &hash])),
        )?;
        prev = hash;
    }
    Ok(())
}

/// What checking the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditChain {
    /// Rows in the log.
    pub rows: u64,
    /// Rows written before the chain existed (migration 13), not covered.
    pub unchained: u64,
    /// The last row's hash (keep it elsewhere to detect a cut-off tail).
    pub head: Option<String>,
    /// The first row that does not follow from the one before (its id and
    /// why), if any.
    pub broken_at: Option<(i64, String)>,
}

/// Rows are checked this many at a time, so the check needs no memory for
/// the whole log.
const VERIFY_PAGE: i64 = 5_000;

impl Store {
    /// Audit entries within a filter, newest first.
    pub async fn audit_log(&self, f: &AuditFilter, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let (sql, binds) = audit_query(f);
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for b in &binds {
                query = match b {
                    Bind::Text(t) => query.bind(t.clone()),
                    Bind::Int(i) => query.bind(*i),
                };
            }
            let rows = query.bind(limit).fetch_all(pool).await?;
            rows.iter().map(crate::rows::audit_entry).collect()
        })
    }

    /// Walks the whole log in order and recomputes every link of the chain.
    pub async fn verify_audit_chain(&self) -> StoreResult<AuditChain> {
        let mut report = AuditChain { rows: 0, unchained: 0, head: None, broken_at: None };
        let mut prev: Option<String> = None;
        let mut after = 0i64;
        loop {
            let sql = format!("{COLUMNS} WHERE id > $1 ORDER BY id LIMIT $2");
            let page: Vec<AuditEntry> = on_pool!(self, pool => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after).bind(VERIFY_PAGE).fetch_all(pool).await?;
                rows.iter().map(crate::rows::audit_entry).collect::<StoreResult<Vec<_>>>()
            })?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for e in page {
                report.rows += 1;
                let (Some(stored_prev), Some(stored_hash)) = (&e.prev_hash, &e.hash) else {
                    if prev.is_some() && report.broken_at.is_none() {
                        report.broken_at = Some((e.id, "the row has no hash but follows chained rows".into()));
                    }
                    report.unchained += 1;
                    continue;
                };
                let expected_prev = prev.clone().unwrap_or_else(|| GENESIS.to_string());
                if report.broken_at.is_none() {
                    if prev.is_some() && *stored_prev != expected_prev {
                        report.broken_at = Some((e.id, "the row before it was changed or deleted".into()));
                    } else if chain_hash(stored_prev, &e) != *stored_hash {
                        report.broken_at = Some((e.id, "the row's fields do not match its hash".into()));
                    }
                }
                prev = Some(stored_hash.clone());
            }
        }
        report.head = prev;
        Ok(report)
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

/// The audit query for a filter: only the conditions in use, numbered in
/// order, the limit bound last.
fn audit_query(f: &AuditFilter) -> (String, Vec<Bind>) {
    let mut binds = Vec::new();
    let mut conditions = Vec::new();
    if let Some(actor) = &f.actor {
        binds.push(Bind::Text(actor.clone()));
        conditions.push(format!("actor = ${}", binds.len()));
    }
    if let Some(object_type) = &f.object_type {
        binds.push(Bind::Text(object_type.clone()));
        conditions.push(format!("object_type = ${}", binds.len()));
    }
    if let Some(since) = f.since {
        binds.push(Bind::Int(since));
        conditions.push(format!("at >= ${}", binds.len()));
    }
    if let Some(until) = f.until {
        binds.push(Bind::Int(until));
        conditions.push(format!("at < ${}", binds.len()));
    }
    if let Some(before) = f.before_id {
        binds.push(Bind::Int(before));
        conditions.push(format!("id < ${}", binds.len()));
    }
    if let Some(roots) = &f.within {
        let (condition, codes) = crate::regions::within_condition("region_code", roots, binds.len());
        binds.extend(codes.into_iter().map(Bind::Text));
        conditions.push(condition);
    }
    let mut sql = COLUMNS.to_string();
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", binds.len() + 1));
    (sql, binds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> AuditEntry {
        AuditEntry { at: 1, actor: "a".into(), action: "x.y".into(), object_type: "t".into(), ..Default::default() }
    }

    #[test]
    fn the_hash_covers_every_field_and_the_previous_hash() {
        let base = chain_hash(GENESIS, &entry());
        assert_eq!(base.len(), 64);
        assert_ne!(base, chain_hash(&base, &entry()), "the previous hash is part of it");
        let changed = [
            AuditEntry { at: 2, ..entry() },
            AuditEntry { actor: "b".into(), ..entry() },
            AuditEntry { region: Some("520102".into()), ..entry() },
            AuditEntry { before: Some(String::new()), ..entry() },
            AuditEntry { client_addr: Some("10.0.0.1".into()), ..entry() },
        ];
        for e in changed {
            assert_ne!(chain_hash(GENESIS, &e), base, "{e:?}");
        }
        // Field boundaries are unambiguous: moving text between fields changes the hash.
        let a = AuditEntry { actor: "ab".into(), action: "c".into(), ..entry() };
        let b = AuditEntry { actor: "a".into(), action: "bc".into(), ..entry() };
        assert_ne!(chain_hash(GENESIS, &a), chain_hash(GENESIS, &b));
    }

    #[test]
    fn the_audit_query_numbers_only_the_filters_in_use() {
        let (sql, binds) = audit_query(&AuditFilter { actor: Some("x".into()), since: Some(5), ..Default::default() });
        assert!(sql.ends_with("WHERE actor = $1 AND at >= $2 ORDER BY id DESC LIMIT $3"), "{sql}");
        assert_eq!(binds.len(), 2);
    }
}
