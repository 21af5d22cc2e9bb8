//! Designations (with their history), committed official lists and
//! pairing-assistance partners.

use revita_methods::{Designation, DesignationCategory, DesignationList, Pairing, RegionCode};

use crate::db::{on_pool, on_tx};
use crate::rows::RowExt;
use crate::{Store, StoreResult, Tx};

const DESIGNATION_COLUMNS: &str =
    "region_code, category, class, basis_title, basis_number, valid_from, valid_to, notes";

/// A corrected list replaces the designation with the same region, category
/// and start; `COALESCE` makes an unknown start compare equal to itself.
const DELETE_SAME_DESIGNATION: &str = "DELETE FROM designations \
     WHERE region_code = $1 AND category = $2 AND COALESCE(valid_from, '') = COALESCE($3, '')";
const INSERT_DESIGNATION: &str = "INSERT INTO designations \
     (region_code, category, class, basis_title, basis_number, valid_from, valid_to, notes) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

const INSERT_LIST: &str = "INSERT INTO designation_lists \
     (category, name, run_year, classes, basis_title, basis_number, effective_from, transition_until, spec_json, \
      spec_sha256, input_sha256, members, joining, leaving, approved_by, approved_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id";
const INSERT_LIST_MEMBER: &str =
    "INSERT INTO designation_list_members (list_id, region_code, class) VALUES ($1, $2, $3)";
const LIST_MEMBERS: &str =
    "SELECT region_code, class FROM designation_list_members WHERE list_id = $1 ORDER BY region_code";
const LISTS: &str = "SELECT id, category, name, run_year, classes, basis_title, basis_number, \
     effective_from, transition_until, spec_json, spec_sha256, input_sha256, members, joining, leaving, approved_by, \
     approved_at FROM designation_lists WHERE ($1 IS NULL OR category = $1) ORDER BY effective_from, id";

/// A pairing with the same programme, donor and recipient is replaced.
const DELETE_SAME_PAIRING: &str = "DELETE FROM pairings WHERE program = $1 AND donor_code = $2 AND recipient_code = $3";
const INSERT_PAIRING: &str = "INSERT INTO pairings \
     (program, donor_code, recipient_code, start_year, end_year, notes) VALUES ($1, $2, $3, $4, $5, $6)";
const PAIRINGS_OF: &str = "SELECT program, donor_code, recipient_code, start_year, end_year, notes \
     FROM pairings WHERE donor_code = $1 OR recipient_code = $1 ORDER BY program, donor_code, recipient_code";

impl Store {
    /// Designations of a region, current and ended, latest start first.
    pub async fn designations_of(&self, region: &RegionCode) -> StoreResult<Vec<Designation>> {
        let sql = format!(
            "SELECT {DESIGNATION_COLUMNS} FROM designations WHERE region_code = $1 \
             ORDER BY COALESCE(valid_from, '') DESC, category"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(region.as_str()).fetch_all(pool).await?;
            rows.iter().map(crate::rows::designation).collect()
        })
    }

    /// Designations of one category, or all, by region; only of regions in
    /// the subtrees under `within`'s roots if given.
    pub async fn designations(
        &self,
        category: Option<&DesignationCategory>,
        within: Option<&[RegionCode]>,
    ) -> StoreResult<Vec<Designation>> {
        let (condition, codes) = designation_filter(within, 1);
        let sql = format!(
            "SELECT {DESIGNATION_COLUMNS} FROM designations WHERE ($1 IS NULL OR category = $1) AND {condition} \
             ORDER BY region_code, category, COALESCE(valid_from, '')"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(category.map(|c| c.as_str()));
            for code in &codes {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(crate::rows::designation).collect()
        })
    }

    /// One page of the designations of one category (or all) within
    /// `within`'s subtrees, by region and then by id, after the key `after`
    /// (region, id): at most `limit` of them, each with its id (the cursor).
    pub async fn designation_page(
        &self,
        category: Option<&DesignationCategory>,
        within: Option<&[RegionCode]>,
        after: Option<(&str, i64)>,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Designation)>> {
        let (condition, codes) = designation_filter(within, 4);
        let sql = format!(
            "SELECT id, {DESIGNATION_COLUMNS} FROM designations WHERE ($1 IS NULL OR category = $1) AND {condition} \
             AND ($2 IS NULL OR region_code > $2 OR (region_code = $2 AND id > $3)) ORDER BY region_code, id LIMIT $4"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(category.map(|c| c.as_str()))
                .bind(after.map(|(region, _)| region))
                .bind(after.map(|(_, id)| id).unwrap_or(0))
                .bind(limit);
            for code in &codes {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(|row| Ok((row.int("id")?, crate::rows::designation(row)?))).collect()
        })
    }

    /// How many designations [`Store::designation_page`] pages through.
    pub async fn count_designations(
        &self,
        category: Option<&DesignationCategory>,
        within: Option<&[RegionCode]>,
    ) -> StoreResult<i64> {
        let (condition, codes) = designation_filter(within, 1);
        let sql = format!("SELECT COUNT(*) FROM designations WHERE ($1 IS NULL OR category = $1) AND {condition}");
        on_pool!(self, pool => {
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(category.map(|c| c.as_str()));
            for code in &codes {
                query = query.bind(code.as_str());
            }
            Ok(query.fetch_one(pool).await?)
        })
    }

    /// A committed list's members (region and class), by region code.
    pub async fn designation_list_members(&self, list: i64) -> StoreResult<Vec<(RegionCode, String)>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(LIST_MEMBERS).bind(list).fetch_all(pool).await?;
            rows.iter().map(crate::rows::list_member).collect()
        })
    }

    /// Committed lists (of a category), oldest first.
    pub async fn designation_lists(&self, category: Option<&DesignationCategory>) -> StoreResult<Vec<DesignationList>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(LISTS).bind(category.map(|c| c.as_str())).fetch_all(pool).await?;
            rows.iter().map(crate::rows::designation_list).collect()
        })
    }

    /// Pairings in which a region is donor or recipient.
    pub async fn pairings_of(&self, region: &RegionCode) -> StoreResult<Vec<Pairing>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(PAIRINGS_OF).bind(region.as_str()).fetch_all(pool).await?;
            rows.iter().map(crate::rows::pairing).collect()
        })
    }
}

impl Tx {
    /// Adds designations; one with the same region, category and start
    /// replaces the stored one (a corrected list), others are kept as history.
    pub async fn upsert_designations(&mut self, designations: &[Designation]) -> StoreResult<u64> {
        for d in designations {
            self.write_designation(d).await?;
        }
        self.changed(crate::db::Topic::Designations);
        Ok(designations.len() as u64)
    }

    async fn write_designation(&mut self, d: &Designation) -> StoreResult<()> {
        let category = d.category.as_str();
        let valid_from = crate::rows::date_text(d.valid_from);
        on_tx!(self, conn => {
            sqlx::query(DELETE_SAME_DESIGNATION)
                .bind(d.region.as_str())
                .bind(&category)
                .bind(valid_from.as_deref())
                .execute(&mut *conn)
                .await?;
            sqlx::query(INSERT_DESIGNATION)
                .bind(d.region.as_str())
                .bind(&category)
                .bind(d.class.as_deref())
                .bind(&d.basis.title)
                .bind(d.basis.number.as_deref())
                .bind(valid_from.as_deref())
                .bind(crate::rows::date_text(d.valid_to))
                .bind(d.notes.as_deref())
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    /// Records an official list, its members (region and class) and the
    /// designations it makes or ends; returns the list's number.
    pub async fn commit_designation_list(
        &mut self,
        list: &DesignationList,
        members: &[(RegionCode, String)],
        designations: &[Designation],
    ) -> StoreResult<i64> {
        let id: i64 = on_tx!(self, conn => {
            let id: i64 = sqlx::query_scalar(INSERT_LIST)
                .bind(list.category.as_str())
                .bind(&list.name)
                .bind(i64::from(list.run_year))
                .bind(list.classes.join("\n"))
                .bind(&list.basis.title)
                .bind(list.basis.number.as_deref())
                .bind(list.effective_from.to_string())
                .bind(crate::rows::date_text(list.transition_until))
                .bind(&list.spec_json)
                .bind(&list.spec_sha256)
                .bind(&list.input_sha256)
                .bind(list.members as i64)
                .bind(list.joining as i64)
                .bind(list.leaving as i64)
                .bind(&list.approved_by)
                .bind(list.approved_at)
                .fetch_one(&mut *conn)
                .await?;
            for (region, class) in members {
                sqlx::query(INSERT_LIST_MEMBER).bind(id).bind(region.as_str()).bind(class).execute(&mut *conn).await?;
            }
            id
        });
        self.upsert_designations(designations).await?;
        Ok(id)
    }

    /// Adds pairings; one with the same programme, donor and recipient
    /// replaces the stored one.
    pub async fn upsert_pairings(&mut self, pairings: &[Pairing]) -> StoreResult<u64> {
        on_tx!(self, conn => {
            for p in pairings {
                sqlx::query(DELETE_SAME_PAIRING)
                    .bind(&p.program)
                    .bind(p.donor.as_str())
                    .bind(p.recipient.as_str())
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(INSERT_PAIRING)
                    .bind(&p.program)
                    .bind(p.donor.as_str())
                    .bind(p.recipient.as_str())
                    .bind(p.start_year.map(i64::from))
                    .bind(p.end_year.map(i64::from))
                    .bind(p.notes.as_deref())
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(crate::db::Topic::Designations);
        Ok(pairings.len() as u64)
    }
}

/// The condition that keeps designations within `within`'s subtrees (all
/// when `None`), its parameters numbered after `offset`.
fn designation_filter(within: Option<&[RegionCode]>, offset: usize) -> (String, Vec<String>) {
    match within {
        Some(roots) => crate::regions::within_condition("region_code", roots, offset),
        None => ("1 = 1".to_string(), Vec::new()),
    }
}
