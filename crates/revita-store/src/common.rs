//! The queries both back ends share, written once. The SQL below is the
//! common dialect of SQLite 3.35+ and PostgreSQL 12+ (`$n` parameters,
//! `ON CONFLICT … DO UPDATE`, row-value comparison); each back end's module
//! expands `shared_store_impl!` with its own pool type and supplies what
//! differs (connection, migrations, bulk load) as inherent methods.

macro_rules! shared_store_impl {
    ($store:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl crate::Store for $store {
            fn backend(&self) -> crate::Backend {
                $backend
            }

            async fn migrate(&self) -> crate::StoreResult<()> {
                self.run_migrations().await?;
                // Search keys are computed in Rust (pinyin), so rows loaded
                // before migration 0003 are filled in here.
                use crate::rows::RowExt;
                let missing = sqlx::query(crate::sql::REGIONS_WITHOUT_SEARCH_KEY).fetch_all(&self.pool).await?;
                if !missing.is_empty() {
                    let mut tx = self.pool.begin().await?;
                    for row in &missing {
                        let key = revita_methods::search::search_key(
                            &row.text("name_zh")?,
                            row.opt_text("name_en")?.as_deref(),
                        );
                        sqlx::query(crate::sql::SET_SEARCH_KEY)
                            .bind(key)
                            .bind(row.text("code")?)
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await?;
                }
                Ok(())
            }

            async fn ping(&self) -> crate::StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn upsert_regions(&self, regions: &[revita_methods::Region]) -> crate::StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                for r in regions {
                    sqlx::query(crate::sql::UPSERT_REGION)
                        .bind(r.code.as_str())
                        .bind(&r.name_zh)
                        .bind(r.name_en.as_deref())
                        .bind(&r.level)
                        .bind(r.parent.as_ref().map(|p| p.as_str()))
                        .bind(crate::rows::date_text(r.valid_from))
                        .bind(crate::rows::date_text(r.valid_to))
                        .bind(revita_methods::search::search_key(&r.name_zh, r.name_en.as_deref()))
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(regions.len() as u64)
            }

            async fn region(
                &self,
                code: &revita_methods::RegionCode,
            ) -> crate::StoreResult<Option<revita_methods::Region>> {
                let row = sqlx::query(crate::sql::REGION).bind(code.as_str()).fetch_optional(&self.pool).await?;
                row.as_ref().map(crate::rows::region).transpose()
            }

            async fn regions(&self) -> crate::StoreResult<Vec<revita_methods::Region>> {
                let rows = sqlx::query(crate::sql::REGIONS).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::region).collect()
            }

            async fn regions_at_level(&self, level: &str) -> crate::StoreResult<Vec<revita_methods::Region>> {
                let rows = sqlx::query(crate::sql::REGIONS_AT_LEVEL).bind(level).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::region).collect()
            }

            async fn children(
                &self,
                code: &revita_methods::RegionCode,
            ) -> crate::StoreResult<Vec<revita_methods::Region>> {
                let rows = sqlx::query(crate::sql::CHILDREN).bind(code.as_str()).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::region).collect()
            }

            async fn descendants(
                &self,
                code: &revita_methods::RegionCode,
                level: Option<&str>,
            ) -> crate::StoreResult<Vec<revita_methods::Region>> {
                let rows =
                    sqlx::query(crate::sql::DESCENDANTS).bind(code.as_str()).bind(level).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::region).collect()
            }

            async fn search_regions(&self, query: &str, limit: i64) -> crate::StoreResult<Vec<revita_methods::Region>> {
                let pattern = crate::sql::contains_pattern(query);
                let rows = sqlx::query(crate::sql::SEARCH_REGIONS)
                    .bind(query.trim())
                    .bind(pattern)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(crate::rows::region).collect()
            }

            async fn upsert_boundaries(&self, boundaries: &[crate::Boundary]) -> crate::StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                for b in boundaries {
                    sqlx::query(crate::sql::UPSERT_BOUNDARY)
                        .bind(b.region.as_str())
                        .bind(&b.geojson)
                        .bind(b.source.as_deref())
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(boundaries.len() as u64)
            }

            async fn has_boundary(&self, code: &revita_methods::RegionCode) -> crate::StoreResult<bool> {
                let row = sqlx::query(crate::sql::HAS_BOUNDARY).bind(code.as_str()).fetch_optional(&self.pool).await?;
                Ok(row.is_some())
            }

            async fn boundary(&self, code: &revita_methods::RegionCode) -> crate::StoreResult<Option<crate::Boundary>> {
                let row = sqlx::query(crate::sql::BOUNDARY).bind(code.as_str()).fetch_optional(&self.pool).await?;
                row.as_ref().map(crate::rows::boundary).transpose()
            }

            async fn boundaries_at_level(&self, level: &str) -> crate::StoreResult<Vec<crate::Boundary>> {
                let rows = sqlx::query(crate::sql::BOUNDARIES_AT_LEVEL).bind(level).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::boundary).collect()
            }

            async fn upsert_indicators(&self, indicators: &[revita_methods::Indicator]) -> crate::StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                for i in indicators {
                    sqlx::query(crate::sql::UPSERT_INDICATOR)
                        .bind(i.code.as_str())
                        .bind(&i.name_zh)
                        .bind(i.name_en.as_deref())
                        .bind(&i.unit)
                        .bind(i.direction.as_str())
                        .bind(i.aggregation.as_str())
                        .bind(i.aggregation.weight().map(|w| w.as_str()))
                        .bind(i.description.as_deref())
                        .bind(i.source.as_deref())
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(indicators.len() as u64)
            }

            async fn indicators(&self) -> crate::StoreResult<Vec<revita_methods::Indicator>> {
                let rows = sqlx::query(crate::sql::INDICATORS).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::indicator).collect()
            }

            async fn indicator(
                &self,
                code: &revita_methods::IndicatorCode,
            ) -> crate::StoreResult<Option<revita_methods::Indicator>> {
                let row = sqlx::query(crate::sql::INDICATOR).bind(code.as_str()).fetch_optional(&self.pool).await?;
                row.as_ref().map(crate::rows::indicator).transpose()
            }

            async fn begin_observation_load(
                &self,
                mode: crate::LoadMode,
            ) -> crate::StoreResult<Box<dyn crate::ObservationLoad>> {
                self.start_observation_load(mode).await
            }

            async fn observations(
                &self,
                query: &crate::ObservationQuery,
                after: Option<&crate::ObservationKey>,
                limit: i64,
            ) -> crate::StoreResult<Vec<revita_methods::Observation>> {
                let rows = sqlx::query(crate::sql::OBSERVATIONS)
                    .bind(query.indicator.as_ref().map(|c| c.as_str()))
                    .bind(query.region.as_ref().map(|c| c.as_str()))
                    .bind(query.parent.as_ref().map(|c| c.as_str()))
                    .bind(query.level.as_deref())
                    .bind(query.period.as_deref())
                    .bind(after.is_some())
                    .bind(after.map(|k| k.indicator.as_str()).unwrap_or(""))
                    .bind(after.map(|k| k.region.as_str()).unwrap_or(""))
                    .bind(after.map(|k| k.period.as_str()).unwrap_or(""))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(crate::rows::observation).collect()
            }

            async fn periods(&self, indicator: &revita_methods::IndicatorCode) -> crate::StoreResult<Vec<String>> {
                let rows = sqlx::query(crate::sql::PERIODS).bind(indicator.as_str()).fetch_all(&self.pool).await?;
                rows.iter().map(|r| crate::rows::RowExt::text(r, "period")).collect()
            }

            async fn upsert_designations(
                &self,
                designations: &[revita_methods::Designation],
            ) -> crate::StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                for d in designations {
                    let category = d.category.as_str();
                    let valid_from = crate::rows::date_text(d.valid_from);
                    sqlx::query(crate::sql::DELETE_SAME_DESIGNATION)
                        .bind(d.region.as_str())
                        .bind(&category)
                        .bind(valid_from.as_deref())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(crate::sql::INSERT_DESIGNATION)
                        .bind(d.region.as_str())
                        .bind(&category)
                        .bind(d.class.as_deref())
                        .bind(&d.basis.title)
                        .bind(d.basis.number.as_deref())
                        .bind(valid_from.as_deref())
                        .bind(crate::rows::date_text(d.valid_to))
                        .bind(d.notes.as_deref())
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(designations.len() as u64)
            }

            async fn designations_of(
                &self,
                region: &revita_methods::RegionCode,
            ) -> crate::StoreResult<Vec<revita_methods::Designation>> {
                let rows = sqlx::query(crate::sql::DESIGNATIONS_OF).bind(region.as_str()).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::designation).collect()
            }

            async fn designations(
                &self,
                category: Option<&revita_methods::DesignationCategory>,
            ) -> crate::StoreResult<Vec<revita_methods::Designation>> {
                let rows = sqlx::query(crate::sql::DESIGNATIONS)
                    .bind(category.map(|c| c.as_str()))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(crate::rows::designation).collect()
            }

            async fn upsert_pairings(&self, pairings: &[revita_methods::Pairing]) -> crate::StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                for p in pairings {
                    sqlx::query(crate::sql::DELETE_SAME_PAIRING)
                        .bind(&p.program)
                        .bind(p.donor.as_str())
                        .bind(p.recipient.as_str())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(crate::sql::INSERT_PAIRING)
                        .bind(&p.program)
                        .bind(p.donor.as_str())
                        .bind(p.recipient.as_str())
                        .bind(p.start_year.map(i64::from))
                        .bind(p.end_year.map(i64::from))
                        .bind(p.notes.as_deref())
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(pairings.len() as u64)
            }

            async fn pairings_of(
                &self,
                region: &revita_methods::RegionCode,
            ) -> crate::StoreResult<Vec<revita_methods::Pairing>> {
                let rows = sqlx::query(crate::sql::PAIRINGS_OF).bind(region.as_str()).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::pairing).collect()
            }

            async fn replace_code_history(&self, records: &[revita_methods::CodeRecord]) -> crate::StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM code_history").execute(&mut *tx).await?;
                for r in records {
                    sqlx::query(crate::sql::INSERT_CODE_RECORD)
                        .bind(r.code.as_str())
                        .bind(&r.name)
                        .bind(&r.level)
                        .bind(r.status.as_str())
                        .bind(i64::from(r.first_year))
                        .bind(r.end_year.map(i64::from))
                        .bind(crate::rows::successors_text(r))
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(records.len() as u64)
            }

            async fn code_history(&self) -> crate::StoreResult<Vec<revita_methods::CodeRecord>> {
                let rows = sqlx::query(crate::sql::CODE_HISTORY).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::code_record).collect()
            }

            async fn data_version(&self) -> crate::StoreResult<i64> {
                use crate::rows::RowExt;
                let row = sqlx::query(crate::sql::DATA_VERSION).fetch_one(&self.pool).await?;
                row.int("version")
            }

            async fn inventory(&self) -> crate::StoreResult<crate::Inventory> {
                use crate::rows::RowExt;
                let levels = sqlx::query(crate::sql::REGIONS_BY_LEVEL).fetch_all(&self.pool).await?;
                let count = |sql: &'static str| async move {
                    let row = sqlx::query(sql).fetch_one(&self.pool).await?;
                    row.int("n")
                };
                Ok(crate::Inventory {
                    regions_by_level: levels
                        .iter()
                        .map(|r| Ok((r.text("level")?, r.int("n")?)))
                        .collect::<crate::StoreResult<_>>()?,
                    boundaries: count("SELECT COUNT(*) AS n FROM boundaries").await?,
                    indicators: count("SELECT COUNT(*) AS n FROM indicators").await?,
                    observations: count("SELECT COUNT(*) AS n FROM observations").await?,
                    designations: count("SELECT COUNT(*) AS n FROM designations").await?,
                    history_codes: count("SELECT COUNT(DISTINCT code) AS n FROM code_history").await?,
                })
            }
        }
    };
}

pub(crate) use shared_store_impl;
