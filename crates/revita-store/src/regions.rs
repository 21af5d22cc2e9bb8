//! Regions, their boundaries and the code history.
//!
//! Every region stores its path from the root, `/000000/520000/520100/`
//! (migration 13), kept true by [`Tx::upsert_regions`] whatever a write
//! moves. A jurisdiction — a region and everything below it — is then the
//! range of paths starting with its own, which an index serves; reads that
//! must stay within a user's jurisdiction filter by it in SQL
//! ([`within_condition`]).

use std::collections::HashMap;

use revita_methods::{CodeRecord, Region, RegionCode};

use crate::db::{on_pool, on_tx};
use crate::rows::RowExt;
use crate::{Boundary, Store, StoreResult, Tx};

const REGION_COLUMNS: &str = "code, name_zh, name_en, level, parent_code, valid_from, valid_to";

const UPSERT_REGION: &str = "INSERT INTO regions \
     (code, name_zh, name_en, level, parent_code, valid_from, valid_to, search_key, path) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, \
     level = excluded.level, parent_code = excluded.parent_code, \
     valid_from = excluded.valid_from, valid_to = excluded.valid_to, search_key = excluded.search_key, \
     path = excluded.path";

/// Rewrites the paths of a moved region's descendants: `$1` the new path,
/// `$2` the length of the old one, `$3`/`$4` the old path's range.
const MOVE_DESCENDANTS: &str = "UPDATE regions SET path = $1 || substr(path, CAST($2 AS INTEGER) + 1) \
     WHERE path > $3 AND path < $4";

const REGIONS_WITHOUT_SEARCH_KEY: &str = "SELECT code, name_zh, name_en FROM regions WHERE search_key IS NULL";
const SET_SEARCH_KEY: &str = "UPDATE regions SET search_key = $1 WHERE code = $2";
const SET_PATH: &str = "UPDATE regions SET path = $1 WHERE code = $2";

const UPSERT_BOUNDARY: &str = "INSERT INTO boundaries (region_code, geojson, source) VALUES ($1, $2, $3) \
     ON CONFLICT (region_code) DO UPDATE SET geojson = excluded.geojson, source = excluded.source";
const HAS_BOUNDARY: &str = "SELECT 1 AS n FROM boundaries WHERE region_code = $1";
const BOUNDARY: &str = "SELECT region_code, geojson, source FROM boundaries WHERE region_code = $1";
const BOUNDARIES_AT_LEVEL: &str = "SELECT b.region_code, b.geojson, b.source FROM boundaries b \
     JOIN regions r ON r.code = b.region_code WHERE r.level = $1 ORDER BY b.region_code";

const INSERT_CODE_RECORD: &str = "INSERT INTO code_history \
     (code, name, level, status, first_year, end_year, successors) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const CODE_HISTORY: &str = "SELECT code, name, level, status, first_year, end_year, successors \
     FROM code_history ORDER BY code, first_year";

/// The upper end of the range of paths below `path` (which ends in `/`):
/// the same text with that `/` raised to the next character, `0`. Paths
/// compare byte-wise (SQLite's BINARY, PostgreSQL's "C" collation).
pub(crate) fn path_upper_bound(path: &str) -> String {
    let stem = path.strip_suffix('/').unwrap_or(path);
    format!("{stem}0")
}

/// A region's path given its parent's.
fn child_path(parent: Option<&str>, code: &str) -> String {
    match parent {
        Some(p) => format!("{p}{code}/"),
        None => format!("/{code}/"),
    }
}

/// An SQL condition that `column` (a region code) lies in one of the
/// subtrees under `roots`, with its parameters numbered after `offset`
/// bound ones. No roots: nothing qualifies.
pub(crate) fn within_condition(column: &str, roots: &[RegionCode], offset: usize) -> (String, Vec<String>) {
    if roots.is_empty() {
        return ("1 = 0".to_string(), Vec::new());
    }
    let params: Vec<String> = (1..=roots.len()).map(|i| format!("${}", offset + i)).collect();
    let condition = format!(
        "{column} IN (SELECT d.code FROM regions root JOIN regions d ON d.path >= root.path \
         AND d.path < substr(root.path, 1, length(root.path) - 1) || '0' WHERE root.code IN ({}))",
        params.join(", ")
    );
    (condition, roots.iter().map(|r| r.as_str().to_string()).collect())
}

/// The columns of a region `d` in a query over a region set.
const DESCENDANT_COLUMNS: &str = "d.code, d.name_zh, d.name_en, d.level, d.parent_code, d.valid_from, d.valid_to";

/// The regions a paged list holds.
#[derive(Debug, Clone, Copy)]
pub enum RegionSet<'a> {
    /// A region's direct children.
    Children(&'a RegionCode),
    /// Everything below a region, or only what lies at one level.
    Descendants(&'a RegionCode, Option<&'a str>),
}

impl RegionSet<'_> {
    /// The `FROM … WHERE …` of the set over `$1` (the root) and `$2` (the
    /// level, or NULL), with the two values.
    fn parts(&self) -> (&'static str, &str, Option<&str>) {
        match *self {
            RegionSet::Children(code) => {
                ("FROM regions d WHERE d.parent_code = $1 AND ($2 IS NULL OR d.level = $2)", code.as_str(), None)
            }
            RegionSet::Descendants(code, level) => (
                "FROM regions root JOIN regions d ON d.path > root.path \
                 AND d.path < substr(root.path, 1, length(root.path) - 1) || '0' \
                 WHERE root.code = $1 AND ($2 IS NULL OR d.level = $2)",
                code.as_str(),
                level,
            ),
        }
    }
}

impl Store {
    /// One region.
    pub async fn region(&self, code: &RegionCode) -> StoreResult<Option<Region>> {
        let sql = format!("SELECT {REGION_COLUMNS} FROM regions WHERE code = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code.as_str()).fetch_optional(pool).await?;
            row.as_ref().map(crate::rows::region).transpose()
        })
    }

    /// Every region (to build the hierarchy), by code.
    pub async fn regions(&self) -> StoreResult<Vec<Region>> {
        self.region_list("ORDER BY code", None).await
    }

    /// Every region at a level, by code.
    pub async fn regions_at_level(&self, level: &str) -> StoreResult<Vec<Region>> {
        self.region_list("WHERE level = $1 ORDER BY code", Some(level)).await
    }

    /// Children of a region, by code.
    pub async fn children(&self, code: &RegionCode) -> StoreResult<Vec<Region>> {
        self.region_list("WHERE parent_code = $1 ORDER BY code", Some(code.as_str())).await
    }

    async fn region_list(&self, tail: &str, bind: Option<&str>) -> StoreResult<Vec<Region>> {
        let sql = format!("SELECT {REGION_COLUMNS} FROM regions {tail}");
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            if let Some(value) = bind {
                query = query.bind(value);
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(crate::rows::region).collect()
        })
    }

    /// Ancestors of a region, root first (empty for a root or an unknown code).
    pub async fn ancestors(&self, code: &RegionCode) -> StoreResult<Vec<Region>> {
        const ANCESTORS: &str = "WITH RECURSIVE up(code, parent_code, depth) AS ( \
               SELECT code, parent_code, 0 FROM regions WHERE code = $1 \
               UNION ALL SELECT r.code, r.parent_code, up.depth + 1 FROM regions r JOIN up ON r.code = up.parent_code) \
             SELECT r.code, r.name_zh, r.name_en, r.level, r.parent_code, r.valid_from, r.valid_to \
             FROM regions r JOIN up ON up.code = r.code WHERE up.depth > 0 ORDER BY up.depth DESC";
        on_pool!(self, pool => {
            let rows = sqlx::query(ANCESTORS).bind(code.as_str()).fetch_all(pool).await?;
            rows.iter().map(crate::rows::region).collect()
        })
    }

    /// Descendants of a region (all, or at one level), by code: the range
    /// of paths below the region's own.
    pub async fn descendants(&self, code: &RegionCode, level: Option<&str>) -> StoreResult<Vec<Region>> {
        const DESCENDANTS: &str = "SELECT d.code, d.name_zh, d.name_en, d.level, d.parent_code, d.valid_from, \
             d.valid_to FROM regions root JOIN regions d ON d.path > root.path \
             AND d.path < substr(root.path, 1, length(root.path) - 1) || '0' \
             WHERE root.code = $1 AND ($2 IS NULL OR d.level = $2) ORDER BY d.code";
        on_pool!(self, pool => {
            let rows = sqlx::query(DESCENDANTS).bind(code.as_str()).bind(level).fetch_all(pool).await?;
            rows.iter().map(crate::rows::region).collect()
        })
    }

    /// One page of a list of regions, by code, after the code `after`: at
    /// most `limit` of them (keyset paging: a page costs the same however
    /// deep into the list it is).
    pub async fn region_page(&self, set: &RegionSet<'_>, after: Option<&str>, limit: i64) -> StoreResult<Vec<Region>> {
        let (from, root, level) = set.parts();
        let sql =
            format!("SELECT {} {from} AND ($3 IS NULL OR d.code > $3) ORDER BY d.code LIMIT $4", DESCENDANT_COLUMNS);
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(root).bind(level).bind(after).bind(limit)
                .fetch_all(pool).await?;
            rows.iter().map(crate::rows::region).collect()
        })
    }

    /// How many regions a list holds, over every page.
    pub async fn count_regions(&self, set: &RegionSet<'_>) -> StoreResult<i64> {
        let (from, root, level) = set.parts();
        let sql = format!("SELECT COUNT(*) {from}");
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(root).bind(level).fetch_one(pool).await?)
        })
    }

    /// The regions under `roots` (the roots included), the highest levels
    /// first, at most `limit`: what a form offers to pick from.
    pub async fn regions_under(&self, roots: &[RegionCode], limit: i64) -> StoreResult<Vec<Region>> {
        let (condition, codes) = within_condition("code", roots, 0);
        let sql = format!(
            "SELECT {REGION_COLUMNS} FROM regions WHERE {condition} ORDER BY length(path), code LIMIT ${}",
            codes.len() + 1
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for code in &codes {
                query = query.bind(code.as_str());
            }
            let rows = query.bind(limit).fetch_all(pool).await?;
            rows.iter().map(crate::rows::region).collect()
        })
    }

    /// Regions whose code equals or whose Chinese or English name (or
    /// pinyin) contains `query`; the exact code first, then higher levels
    /// (shorter codes), then by code.
    pub async fn search_regions(
        &self,
        query: &str,
        limit: i64,
        within: Option<&[RegionCode]>,
    ) -> StoreResult<Vec<Region>> {
        let (condition, codes) = match within {
            Some(roots) => within_condition("code", roots, 3),
            None => ("1 = 1".to_string(), Vec::new()),
        };
        let sql = format!(
            "SELECT {REGION_COLUMNS} FROM regions \
             WHERE (code = $1 OR name_zh LIKE $2 ESCAPE '\\' OR search_key LIKE lower($2) ESCAPE '\\') AND {condition} \
             ORDER BY CASE WHEN code = $1 THEN 0 ELSE 1 END, length(path), code LIMIT $3"
        );
        let pattern = contains_pattern(query);
        on_pool!(self, pool => {
            let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(query.trim()).bind(&pattern).bind(limit);
            for code in &codes {
                statement = statement.bind(code.as_str());
            }
            let rows = statement.fetch_all(pool).await?;
            rows.iter().map(crate::rows::region).collect()
        })
    }

    /// How many regions [`Store::search_regions`] would find without a limit.
    pub async fn count_search(&self, query: &str, within: Option<&[RegionCode]>) -> StoreResult<i64> {
        let (condition, codes) = match within {
            Some(roots) => within_condition("code", roots, 2),
            None => ("1 = 1".to_string(), Vec::new()),
        };
        let sql = format!(
            "SELECT COUNT(*) FROM regions \
             WHERE (code = $1 OR name_zh LIKE $2 ESCAPE '\\' OR search_key LIKE lower($2) ESCAPE '\\') AND {condition}"
        );
        let pattern = contains_pattern(query);
        on_pool!(self, pool => {
            let mut statement = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(query.trim()).bind(&pattern);
            for code in &codes {
                statement = statement.bind(code.as_str());
            }
            Ok(statement.fetch_one(pool).await?)
        })
    }

    /// Whether a region has a boundary (without reading it).
    pub async fn has_boundary(&self, code: &RegionCode) -> StoreResult<bool> {
        on_pool!(self, pool => {
            Ok(sqlx::query(HAS_BOUNDARY).bind(code.as_str()).fetch_optional(pool).await?.is_some())
        })
    }

    /// One region's boundary.
    pub async fn boundary(&self, code: &RegionCode) -> StoreResult<Option<Boundary>> {
        on_pool!(self, pool => {
            let row = sqlx::query(BOUNDARY).bind(code.as_str()).fetch_optional(pool).await?;
            row.as_ref().map(crate::rows::boundary).transpose()
        })
    }

    /// Boundaries of every region at a level.
    pub async fn boundaries_at_level(&self, level: &str) -> StoreResult<Vec<Boundary>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(BOUNDARIES_AT_LEVEL).bind(level).fetch_all(pool).await?;
            rows.iter().map(crate::rows::boundary).collect()
        })
    }

    /// The boundaries of the given regions (those that have one), by code.
    pub async fn boundaries_of(&self, codes: &[RegionCode]) -> StoreResult<Vec<Boundary>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let params: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT region_code, geojson, source FROM boundaries WHERE region_code IN ({}) ORDER BY region_code",
            params.join(", ")
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for code in codes {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(crate::rows::boundary).collect()
        })
    }

    /// What a map at a level may draw: every region at `levels` (the level
    /// and those above it), and the regions at `below` (the next level
    /// down) whose parent is above the level — a county directly under its
    /// province on a prefecture map.
    pub async fn map_candidates(&self, levels: &[&str], below: Option<&str>) -> StoreResult<Vec<Region>> {
        let list: Vec<String> = (2..levels.len() + 2).map(|i| format!("${i}")).collect();
        let above = &list[..list.len().saturating_sub(1)];
        let above = if above.is_empty() { "NULL".to_string() } else { above.join(", ") };
        let sql = format!(
            "SELECT {DESCENDANT_COLUMNS} FROM regions d LEFT JOIN regions p ON p.code = d.parent_code \
             WHERE d.level IN ({}) OR (d.level = $1 AND p.level IN ({above})) ORDER BY d.code",
            list.join(", ")
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(below);
            for level in levels {
                query = query.bind(*level);
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(crate::rows::region).collect()
        })
    }

    /// The whole code history.
    pub async fn code_history(&self) -> StoreResult<Vec<CodeRecord>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(CODE_HISTORY).fetch_all(pool).await?;
            rows.iter().map(crate::rows::code_record).collect()
        })
    }

    /// The deepest region that all of `codes` lie within (itself for one
    /// code), from their paths; `None` for no codes or codes under
    /// different roots. Unknown codes are ignored.
    pub async fn common_ancestor(&self, codes: &[RegionCode]) -> StoreResult<Option<RegionCode>> {
        let mut common: Option<Vec<String>> = None;
        for chunk in codes.chunks(500) {
            let list = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let sql = format!("SELECT path FROM regions WHERE code IN ({list}) AND path IS NOT NULL");
            let paths: Vec<String> = on_pool!(self, pool => {
                let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                for code in chunk {
                    query = query.bind(code.as_str());
                }
                query.fetch_all(pool).await?
            });
            for path in paths {
                let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
                common = Some(match common {
                    None => segments,
                    Some(prefix) => {
                        prefix.into_iter().zip(segments).take_while(|(a, b)| a == b).map(|(a, _)| a).collect()
                    }
                });
            }
        }
        Ok(common.and_then(|c| c.last().cloned()).and_then(|code| RegionCode::parse(&code).ok()))
    }

    /// Fills in what migrations cannot compute in SQL: pinyin search keys
    /// (migration 3) and region paths (migration 13) of rows loaded before.
    pub(crate) async fn backfill_regions(&self) -> StoreResult<()> {
        let mut tx = Tx::begin(&self.pool).await?;
        on_tx!(tx, conn => {
            let missing = sqlx::query(REGIONS_WITHOUT_SEARCH_KEY).fetch_all(&mut *conn).await?;
            for row in &missing {
                let key = revita_methods::search::search_key(&row.text("name_zh")?, row.opt_text("name_en")?.as_deref());
                sqlx::query(SET_SEARCH_KEY).bind(key).bind(row.text("code")?).execute(&mut *conn).await?;
            }
            let unplaced = sqlx::query("SELECT 1 AS n FROM regions WHERE path IS NULL LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?;
            if unplaced.is_some() {
                let rows = sqlx::query("SELECT code, parent_code FROM regions").fetch_all(&mut *conn).await?;
                let parents: HashMap<String, Option<String>> = rows
                    .iter()
                    .map(|r| Ok((r.text("code")?, r.opt_text("parent_code")?)))
                    .collect::<StoreResult<_>>()?;
                for (code, path) in all_paths(&parents) {
                    sqlx::query(SET_PATH).bind(path).bind(code).execute(&mut *conn).await?;
                }
            }
            Ok::<(), crate::StoreError>(())
        })?;
        // Derived columns only: nothing a user sees as a change.
        tx.commit().await
    }
}

/// `%query%` with LIKE's wildcards escaped, so that a user's `%` or `_`
/// matches itself.
pub(crate) fn contains_pattern(query: &str) -> String {
    let escaped = query.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Every region's path, from a map of code to parent. A region whose
/// parent chain is broken or cyclic (which the importers never write) is
/// placed as a root.
fn all_paths(parents: &HashMap<String, Option<String>>) -> Vec<(String, String)> {
    let mut done: HashMap<String, String> = HashMap::with_capacity(parents.len());
    for start in parents.keys() {
        let mut chain = vec![start.clone()];
        let mut base: Option<String> = None;
        while let Some(code) = chain.last() {
            if let Some(path) = done.get(code) {
                base = Some(path.clone());
                chain.pop();
                break;
            }
            match parents.get(code).cloned().flatten() {
                Some(parent) if parents.contains_key(&parent) && !chain.contains(&parent) => chain.push(parent),
                _ => break,
            }
        }
        for code in chain.into_iter().rev() {
            let path = child_path(base.as_deref(), &code);
            done.insert(code, path.clone());
            base = Some(path);
        }
    }
    let mut paths: Vec<(String, String)> = done.into_iter().collect();
    paths.sort();
    paths
}

impl Tx {
    /// Inserts or updates regions by code, keeping every path true: a
    /// region's path follows its (new) parent, and the paths below a region
    /// that moved move with it. Rows may come in any order.
    pub async fn upsert_regions(&mut self, regions: &[Region]) -> StoreResult<u64> {
        let stored = self.stored_paths(regions.iter().map(|r| r.code.as_str())).await?;
        let outside_parents: Vec<&str> = regions
            .iter()
            .filter_map(|r| r.parent.as_ref().map(|p| p.as_str()))
            .filter(|p| !regions.iter().any(|r| r.code.as_str() == *p))
            .collect();
        let parent_paths = self.stored_paths(outside_parents.into_iter()).await?;
        let new_paths = batch_paths(regions, &parent_paths);
        on_tx!(self, conn => {
            for r in regions {
                sqlx::query(UPSERT_REGION)
                    .bind(r.code.as_str())
                    .bind(&r.name_zh)
                    .bind(r.name_en.as_deref())
                    .bind(&r.level)
                    .bind(r.parent.as_ref().map(|p| p.as_str()))
                    .bind(crate::rows::date_text(r.valid_from))
                    .bind(crate::rows::date_text(r.valid_to))
                    .bind(revita_methods::search::search_key(&r.name_zh, r.name_en.as_deref()))
                    .bind(new_paths.get(r.code.as_str()))
                    .execute(&mut *conn)
                    .await?;
            }
            // Deepest first, so that a move inside a moved subtree is not
            // overwritten by the outer one.
            let mut moved: Vec<(&String, &String)> = stored
                .iter()
                .filter_map(|(code, old)| new_paths.get(code.as_str()).filter(|new| *new != old).map(|new| (old, new)))
                .collect();
            moved.sort_by_key(|(old, _)| std::cmp::Reverse(old.len()));
            for (old, new) in moved {
                sqlx::query(MOVE_DESCENDANTS)
                    .bind(new)
                    .bind(old.len() as i64)
                    .bind(old)
                    .bind(path_upper_bound(old))
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), crate::StoreError>(())
        })?;
        self.changed(crate::db::Topic::Regions);
        Ok(regions.len() as u64)
    }

    /// The stored paths of the named regions (those stored), by code.
    async fn stored_paths(&mut self, codes: impl Iterator<Item = &str>) -> StoreResult<HashMap<String, String>> {
        let codes: Vec<&str> = codes.collect();
        let mut found = HashMap::new();
        for chunk in codes.chunks(500) {
            let list = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let sql = format!("SELECT code, path FROM regions WHERE code IN ({list}) AND path IS NOT NULL");
            on_tx!(self, conn => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for code in chunk {
                    query = query.bind(*code);
                }
                for row in query.fetch_all(&mut *conn).await? {
                    found.insert(row.text("code")?, row.text("path")?);
                }
                Ok::<(), crate::StoreError>(())
            })?;
        }
        Ok(found)
    }

    /// Inserts or replaces boundaries.
    pub async fn upsert_boundaries(&mut self, boundaries: &[Boundary]) -> StoreResult<u64> {
        on_tx!(self, conn => {
            for b in boundaries {
                sqlx::query(UPSERT_BOUNDARY)
                    .bind(b.region.as_str())
                    .bind(&b.geojson)
                    .bind(b.source.as_deref())
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), crate::StoreError>(())
        })?;
        self.changed(crate::db::Topic::Regions);
        Ok(boundaries.len() as u64)
    }

    /// Replaces the whole code history.
    pub async fn replace_code_history(&mut self, records: &[CodeRecord]) -> StoreResult<u64> {
        on_tx!(self, conn => {
            sqlx::query("DELETE FROM code_history").execute(&mut *conn).await?;
            for r in records {
                sqlx::query(INSERT_CODE_RECORD)
                    .bind(r.code.as_str())
                    .bind(&r.name)
                    .bind(&r.level)
                    .bind(r.status.as_str())
                    .bind(i64::from(r.first_year))
                    .bind(r.end_year.map(i64::from))
                    .bind(crate::rows::successors_text(r))
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), crate::StoreError>(())
        })?;
        self.changed(crate::db::Topic::Regions);
        Ok(records.len() as u64)
    }
}

/// The paths of a batch of regions, whose parents are in the batch or
/// stored (`parent_paths`); a region whose parent is neither is a root.
fn batch_paths(regions: &[Region], parent_paths: &HashMap<String, String>) -> HashMap<String, String> {
    let parents: HashMap<&str, Option<&str>> =
        regions.iter().map(|r| (r.code.as_str(), r.parent.as_ref().map(|p| p.as_str()))).collect();
    let mut paths: HashMap<String, String> = HashMap::with_capacity(regions.len());
    for r in regions {
        let mut chain = vec![r.code.as_str()];
        let mut base: Option<String> = None;
        while let Some(&code) = chain.last() {
            if let Some(path) = paths.get(code) {
                base = Some(path.clone());
                chain.pop();
                break;
            }
            match parents.get(code).copied().flatten() {
                Some(parent) if parents.contains_key(parent) && !chain.contains(&parent) => chain.push(parent),
                Some(parent) => {
                    base = parent_paths.get(parent).cloned();
                    break;
                }
                None => break,
            }
        }
        for code in chain.into_iter().rev() {
            let path = child_path(base.as_deref(), code);
            paths.insert(code.to_string(), path.clone());
            base = Some(path);
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, parent: Option<&str>) -> Region {
        Region {
            code: RegionCode::parse(code).unwrap(),
            name_zh: code.into(),
            name_en: None,
            level: "x".into(),
            parent: parent.map(|p| RegionCode::parse(p).unwrap()),
            valid_from: None,
            valid_to: None,
        }
    }

    #[test]
    fn a_batch_gets_paths_from_its_own_rows_and_stored_parents_in_any_order() {
        let batch = [region("520102", Some("520100")), region("520100", Some("520000")), region("530000", None)];
        let stored = HashMap::from([("520000".to_string(), "/000000/520000/".to_string())]);
        let paths = batch_paths(&batch, &stored);
        assert_eq!(paths["520100"], "/000000/520000/520100/");
        assert_eq!(paths["520102"], "/000000/520000/520100/520102/");
        assert_eq!(paths["530000"], "/530000/");
    }

    #[test]
    fn all_paths_follow_parents_and_survive_a_cycle() {
        let parents = HashMap::from([
            ("a".to_string(), None),
            ("b".to_string(), Some("a".to_string())),
            ("c".to_string(), Some("b".to_string())),
            ("x".to_string(), Some("y".to_string())),
            ("y".to_string(), Some("x".to_string())),
        ]);
        let paths: HashMap<String, String> = all_paths(&parents).into_iter().collect();
        assert_eq!(paths["c"], "/a/b/c/");
        assert!(paths["x"].ends_with("/x/") && paths["y"].ends_with("/y/"));
    }

    #[test]
    fn the_range_below_a_path_is_bounded_by_raising_its_last_slash() {
        assert_eq!(path_upper_bound("/000000/520000/"), "/000000/5200000");
        assert!("/000000/520000/520100/" < path_upper_bound("/000000/520000/").as_str());
        assert!("/000000/5200001/" > path_upper_bound("/000000/520000/").as_str());
    }

    #[test]
    fn like_wildcards_in_a_query_match_themselves() {
        assert_eq!(contains_pattern(" 贵阳 "), "%贵阳%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
