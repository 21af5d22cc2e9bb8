//! The queries both back ends share, written once. The SQL below is the
//! common dialect of SQLite 3.35+ and PostgreSQL 12+ (`$n` parameters,
//! `ON CONFLICT … DO UPDATE`, row-value comparison); each back end's module
//! expands `shared_store_impl!` with its own pool type and supplies what
//! differs (connection, migrations, bulk load) as inherent methods.

macro_rules! shared_store_impl {
    ($store:ty, $backend:expr, $db:ty) => {
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

            async fn ancestors(
                &self,
                code: &revita_methods::RegionCode,
            ) -> crate::StoreResult<Vec<revita_methods::Region>> {
                let rows = sqlx::query(crate::sql::ANCESTORS).bind(code.as_str()).fetch_all(&self.pool).await?;
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
                let (sql, binds) = crate::sql::observations(query, after);
                // Audited: the text holds only fixed column names and `$n`
                // placeholders; every value is bound.
                let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql));
                for value in &binds {
                    statement = statement.bind(value.as_str());
                }
                let rows = statement.bind(limit).fetch_all(&self.pool).await?;
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
                    write_designation(&mut tx, d).await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(designations.len() as u64)
            }

            async fn commit_designation_list(
                &self,
                list: &revita_methods::DesignationList,
                members: &[(revita_methods::RegionCode, String)],
                designations: &[revita_methods::Designation],
            ) -> crate::StoreResult<i64> {
                let mut tx = self.pool.begin().await?;
                let id: i64 = sqlx::query_scalar(crate::sql::INSERT_DESIGNATION_LIST)
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
                    .fetch_one(&mut *tx)
                    .await?;
                for (region, class) in members {
                    sqlx::query(crate::sql::INSERT_LIST_MEMBER)
                        .bind(id)
                        .bind(region.as_str())
                        .bind(class)
                        .execute(&mut *tx)
                        .await?;
                }
                for d in designations {
                    write_designation(&mut tx, d).await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn upsert_households(
                &self,
                households: &[revita_methods::monitoring::RegisteredHousehold],
            ) -> crate::StoreResult<u64> {
                // Fifty rows a statement: 700 parameters, well inside both
                // back ends' limits, and a tenth of the statements of
                // single-row inserts.
                const ROWS: usize = 50;
                let mut tx = self.pool.begin().await?;
                let full = [crate::sql::upsert_households(ROWS, false), crate::sql::upsert_households(ROWS, true)];
                for chunk in households.chunks(ROWS) {
                    let details = chunk.iter().any(|h| h.income_sources.is_some() || h.relocation_site.is_some());
                    let sql = if chunk.len() == ROWS {
                        full[usize::from(details)].clone()
                    } else {
                        crate::sql::upsert_households(chunk.len(), details)
                    };
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for h in chunk {
                        let r = &h.household;
                        let village = r.village_code.to_string();
                        let county = village.get(..6).unwrap_or(&village).to_string();
                        query = query
                            .bind(h.id.clone())
                            .bind(village)
                            .bind(county)
                            .bind(i64::from(r.size))
                            .bind(i64::from(r.labor))
                            .bind(r.income_pc)
                            .bind(r.income_pc_prev)
                            .bind(r.medical_exp)
                            .bind(r.education_exp)
                            .bind(r.disaster_loss)
                            .bind(i64::from(r.deprived))
                            .bind(h.head_name.clone())
                            .bind(h.id_number.clone())
                            .bind(h.phone.clone());
                        if details {
                            query = query
                                .bind(h.income_sources.map(|s| s.wage))
                                .bind(h.income_sources.map(|s| s.business))
                                .bind(h.income_sources.map(|s| s.property))
                                .bind(h.income_sources.map(|s| s.transfer))
                                .bind(h.relocation_site.clone());
                        }
                    }
                    query.execute(&mut *tx).await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(households.len() as u64)
            }

            async fn households(&self) -> crate::StoreResult<Vec<revita_methods::monitoring::RegisteredHousehold>> {
                let rows = sqlx::query(crate::sql::HOUSEHOLDS_ALL).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::household).collect()
            }

            async fn for_each_household(
                &self,
                visit: &mut (dyn FnMut(revita_methods::monitoring::RegisteredHousehold) + Send),
            ) -> crate::StoreResult<u64> {
                use futures_util::TryStreamExt;
                let mut rows = sqlx::query(crate::sql::HOUSEHOLDS_ALL).fetch(&self.pool);
                let mut n = 0;
                while let Some(row) = rows.try_next().await? {
                    visit(crate::rows::household(&row)?);
                    n += 1;
                }
                Ok(n)
            }

            async fn household(
                &self,
                id: &str,
            ) -> crate::StoreResult<Option<revita_methods::monitoring::RegisteredHousehold>> {
                let row = sqlx::query(crate::sql::HOUSEHOLD_BY_ID).bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(crate::rows::household).transpose()
            }

            async fn household_version(&self, id: &str) -> crate::StoreResult<Option<i64>> {
                Ok(sqlx::query_scalar(crate::sql::HOUSEHOLD_VERSION).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn update_household(
                &self,
                household: &revita_methods::monitoring::RegisteredHousehold,
                version: i64,
            ) -> crate::StoreResult<i64> {
                let h = &household.household;
                let sources = household.income_sources;
                let mut tx = self.pool.begin().await?;
                let updated = sqlx::query(crate::sql::UPDATE_HOUSEHOLD)
                    .bind(i64::from(h.size))
                    .bind(i64::from(h.labor))
                    .bind(h.income_pc)
                    .bind(h.income_pc_prev)
                    .bind(h.medical_exp)
                    .bind(h.education_exp)
                    .bind(h.disaster_loss)
                    .bind(i64::from(h.deprived))
                    .bind(sources.map(|s| s.wage))
                    .bind(sources.map(|s| s.business))
                    .bind(sources.map(|s| s.property))
                    .bind(sources.map(|s| s.transfer))
                    .bind(household.relocation_site.clone())
                    .bind(&household.id)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if updated != 1 {
                    return Err(crate::StoreError::stale(format!("household {}", household.id), version));
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(version + 1)
            }

            async fn replace_members(
                &self,
                members: &[(String, Vec<revita_methods::registry::Member>)],
            ) -> crate::StoreResult<u64> {
                // Bulk statements: 500 households a delete and a version
                // bump, 50 members an insert (500 parameters, inside both
                // back ends' limits), so a national file is not millions
                // of round trips.
                const HOUSEHOLDS: usize = 500;
                const MEMBERS: usize = 50;
                let mut tx = self.pool.begin().await?;
                for chunk in members.chunks(HOUSEHOLDS) {
                    for sql in
                        [crate::sql::delete_members_of(chunk.len()), crate::sql::bump_household_versions(chunk.len())]
                    {
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for (household, _) in chunk {
                            query = query.bind(household);
                        }
                        query.execute(&mut *tx).await?;
                    }
                }
                let rows: Vec<(&String, &revita_methods::registry::Member)> =
                    members.iter().flat_map(|(household, list)| list.iter().map(move |m| (household, m))).collect();
                for chunk in rows.chunks(MEMBERS) {
                    let mut query = sqlx::query(sqlx::AssertSqlSafe(crate::sql::insert_members(chunk.len())));
                    for (household, m) in chunk {
                        query = query
                            .bind(*household)
                            .bind(i64::from(m.seq))
                            .bind(m.name.clone())
                            .bind(m.sex.as_str())
                            .bind(i64::from(m.birth_year))
                            .bind(m.labour.as_str())
                            .bind(i64::from(m.disabled))
                            .bind(i64::from(m.chronically_ill))
                            .bind(m.schooling.as_str())
                            .bind(i64::from(m.insured));
                    }
                    query.execute(&mut *tx).await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(rows.len() as u64)
            }

            async fn replace_household_members(
                &self,
                household_id: &str,
                members: &[revita_methods::registry::Member],
                version: i64,
            ) -> crate::StoreResult<i64> {
                let mut tx = self.pool.begin().await?;
                let bumped = sqlx::query(crate::sql::BUMP_HOUSEHOLD_VERSION_FROM)
                    .bind(household_id)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if bumped != 1 {
                    return Err(crate::StoreError::stale(format!("household {household_id}"), version));
                }
                sqlx::query(crate::sql::DELETE_MEMBERS).bind(household_id).execute(&mut *tx).await?;
                for m in members {
                    write_member(&mut tx, household_id, m).await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(version + 1)
            }

            async fn members(&self, household_id: &str) -> crate::StoreResult<Vec<revita_methods::registry::Member>> {
                let rows = sqlx::query(crate::sql::MEMBERS).bind(household_id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::member).collect()
            }

            async fn open_case(
                &self,
                case: &revita_methods::monitoring::Case,
                first: &revita_methods::monitoring::CaseEvent,
            ) -> crate::StoreResult<i64> {
                let mut tx = self.pool.begin().await?;
                let id: i64 = sqlx::query_scalar(crate::sql::INSERT_CASE)
                    .bind(&case.household_id)
                    .bind(case.county.as_str())
                    .bind(case.category.as_str())
                    .bind(case.channel.as_str())
                    .bind(case.step.as_str())
                    .bind(case.step_since.to_string())
                    .fetch_one(&mut *tx)
                    .await?;
                write_case_event(&mut tx, id, first).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn move_case(
                &self,
                id: i64,
                version: i64,
                event: &revita_methods::monitoring::CaseEvent,
            ) -> crate::StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                let moved = sqlx::query(crate::sql::MOVE_CASE)
                    .bind(event.step.as_str())
                    .bind(event.on.to_string())
                    .bind(id)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if moved != 1 {
                    return Err(crate::StoreError::stale(format!("case {id}"), version));
                }
                write_case_event(&mut tx, id, event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn case(&self, id: i64) -> crate::StoreResult<Option<revita_methods::monitoring::Case>> {
                let sql = format!("{} WHERE id = $1", crate::sql::CASE_COLUMNS_FROM);
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(crate::rows::case).transpose()
            }

            async fn cases(&self) -> crate::StoreResult<Vec<revita_methods::monitoring::Case>> {
                let sql = format!("{} ORDER BY id", crate::sql::CASE_COLUMNS_FROM);
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::case).collect()
            }

            async fn cases_of_household(
                &self,
                household_id: &str,
            ) -> crate::StoreResult<Vec<revita_methods::monitoring::Case>> {
                let sql = format!("{} WHERE household_id = $1 ORDER BY id", crate::sql::CASE_COLUMNS_FROM);
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(household_id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::case).collect()
            }

            async fn add_measure(
                &self,
                case_id: i64,
                m: &revita_methods::monitoring::Measure,
            ) -> crate::StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(crate::sql::INSERT_MEASURE)
                    .bind(case_id)
                    .bind(m.kind.as_str())
                    .bind(&m.description)
                    .bind(m.amount)
                    .bind(m.start.to_string())
                    .bind(crate::rows::date_text(m.end))
                    .bind(&m.actor)
                    .bind(m.at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn measures(&self, case_id: i64) -> crate::StoreResult<Vec<revita_methods::monitoring::Measure>> {
                let rows = sqlx::query(crate::sql::MEASURES).bind(case_id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::measure).collect()
            }

            async fn case_events(&self, id: i64) -> crate::StoreResult<Vec<revita_methods::monitoring::CaseEvent>> {
                let rows = sqlx::query(crate::sql::CASE_EVENTS).bind(id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::case_event).collect()
            }

            async fn record_income_check(
                &self,
                id: i64,
                check: &revita_methods::monitoring::IncomeCheck,
            ) -> crate::StoreResult<()> {
                sqlx::query(crate::sql::UPSERT_INCOME_CHECK)
                    .bind(id)
                    .bind(check.on.to_string())
                    .bind(check.income_pc)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn income_checks(&self, id: i64) -> crate::StoreResult<Vec<revita_methods::monitoring::IncomeCheck>> {
                let rows = sqlx::query(crate::sql::INCOME_CHECKS).bind(id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::income_check).collect()
            }

            async fn upsert_monitoring_lines(
                &self,
                lines: &[revita_methods::monitoring::MonitoringLine],
            ) -> crate::StoreResult<u64> {
                let mut tx = self.pool.begin().await?;
                for line in lines {
                    let (rule, multiple) = line.rule.parts();
                    sqlx::query(crate::sql::UPSERT_MONITORING_LINE)
                        .bind(line.region.as_str())
                        .bind(i64::from(line.year))
                        .bind(line.amount)
                        .bind(rule)
                        .bind(multiple)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(crate::sql::BUMP_DATA_VERSION).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(lines.len() as u64)
            }

            async fn monitoring_lines(
                &self,
                year: Option<i32>,
            ) -> crate::StoreResult<Vec<revita_methods::monitoring::MonitoringLine>> {
                let rows =
                    sqlx::query(crate::sql::MONITORING_LINES).bind(year.map(i64::from)).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::monitoring_line).collect()
            }

            async fn designation_list_members(
                &self,
                list: i64,
            ) -> crate::StoreResult<Vec<(revita_methods::RegionCode, String)>> {
                let rows = sqlx::query(crate::sql::LIST_MEMBERS).bind(list).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::list_member).collect()
            }

            async fn designation_lists(
                &self,
                category: Option<&revita_methods::DesignationCategory>,
            ) -> crate::StoreResult<Vec<revita_methods::DesignationList>> {
                let rows = sqlx::query(crate::sql::DESIGNATION_LISTS)
                    .bind(category.map(|c| c.as_str()))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(crate::rows::designation_list).collect()
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

            async fn create_user(
                &self,
                name: &str,
                password_hash: &str,
                now: i64,
            ) -> crate::StoreResult<crate::security::User> {
                if self.user_by_name(name).await?.is_some() {
                    return Err(crate::StoreError::Conflict(format!("user name '{name}' is taken")));
                }
                let row = sqlx::query(crate::sql::CREATE_USER)
                    .bind(name)
                    .bind(password_hash)
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await?;
                crate::rows::user(&row)
            }

            async fn user_by_name(&self, name: &str) -> crate::StoreResult<Option<crate::security::User>> {
                let row = sqlx::query(crate::sql::USER_BY_NAME).bind(name).fetch_optional(&self.pool).await?;
                row.as_ref().map(crate::rows::user).transpose()
            }

            async fn user(&self, id: i64) -> crate::StoreResult<Option<crate::security::User>> {
                let row = sqlx::query(crate::sql::USER_BY_ID).bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(crate::rows::user).transpose()
            }

            async fn users(&self) -> crate::StoreResult<Vec<crate::security::User>> {
                let rows = sqlx::query(crate::sql::USERS).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::user).collect()
            }

            async fn update_user(&self, user: &crate::security::User) -> crate::StoreResult<crate::security::User> {
                let done = sqlx::query(crate::sql::UPDATE_USER)
                    .bind(&user.password_hash)
                    .bind(i64::from(user.disabled))
                    .bind(i64::from(user.must_change_password))
                    .bind(user.id)
                    .bind(user.version)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(crate::StoreError::Conflict(format!(
                        "user '{}' was changed by someone else since it was read (version {}); reload and try again",
                        user.name, user.version
                    )));
                }
                self.user(user.id).await?.ok_or_else(|| crate::StoreError::NotFound(format!("user {}", user.id)))
            }

            async fn set_grants(
                &self,
                user_id: i64,
                grants: &[revita_methods::access::Grant],
            ) -> crate::StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(crate::sql::DELETE_GRANTS).bind(user_id).execute(&mut *tx).await?;
                for g in grants {
                    sqlx::query(crate::sql::INSERT_GRANT)
                        .bind(user_id)
                        .bind(g.role.as_str())
                        .bind(g.scope.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn grants(&self, user_id: i64) -> crate::StoreResult<Vec<revita_methods::access::Grant>> {
                let rows = sqlx::query(crate::sql::GRANTS).bind(user_id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::grant).collect()
            }

            async fn create_session(
                &self,
                token_hash: &str,
                session: &crate::security::Session,
            ) -> crate::StoreResult<()> {
                sqlx::query(crate::sql::CREATE_SESSION)
                    .bind(token_hash)
                    .bind(session.user_id)
                    .bind(&session.csrf)
                    .bind(session.expires_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session_user(
                &self,
                token_hash: &str,
            ) -> crate::StoreResult<Option<(crate::security::Session, crate::security::User)>> {
                use crate::rows::RowExt;
                let row = sqlx::query(crate::sql::SESSION_USER).bind(token_hash).fetch_optional(&self.pool).await?;
                row.map(|r| {
                    let session = crate::security::Session {
                        user_id: r.int("user_id")?,
                        csrf: r.text("csrf")?,
                        expires_at: r.int("expires_at")?,
                    };
                    Ok((session, crate::rows::user(&r)?))
                })
                .transpose()
            }

            async fn session(&self, token_hash: &str) -> crate::StoreResult<Option<crate::security::Session>> {
                use crate::rows::RowExt;
                let row = sqlx::query(crate::sql::SESSION).bind(token_hash).fetch_optional(&self.pool).await?;
                row.map(|r| {
                    Ok(crate::security::Session {
                        user_id: r.int("user_id")?,
                        csrf: r.text("csrf")?,
                        expires_at: r.int("expires_at")?,
                    })
                })
                .transpose()
            }

            async fn delete_session(&self, token_hash: &str) -> crate::StoreResult<()> {
                sqlx::query(crate::sql::DELETE_SESSION).bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn delete_sessions_of(&self, user_id: i64) -> crate::StoreResult<()> {
                sqlx::query(crate::sql::DELETE_SESSIONS_OF).bind(user_id).execute(&self.pool).await?;
                Ok(())
            }

            async fn create_api_token(
                &self,
                user_id: i64,
                name: &str,
                token_hash: &str,
                created_at: i64,
                expires_at: i64,
            ) -> crate::StoreResult<crate::security::ApiToken> {
                let row = sqlx::query(crate::sql::CREATE_API_TOKEN)
                    .bind(user_id)
                    .bind(name)
                    .bind(token_hash)
                    .bind(created_at)
                    .bind(expires_at)
                    .fetch_one(&self.pool)
                    .await?;
                crate::rows::api_token(&row)
            }

            async fn api_tokens(&self, user_id: i64) -> crate::StoreResult<Vec<crate::security::ApiToken>> {
                let rows = sqlx::query(crate::sql::API_TOKENS_OF).bind(user_id).fetch_all(&self.pool).await?;
                rows.iter().map(crate::rows::api_token).collect()
            }

            async fn api_token_by_hash(
                &self,
                token_hash: &str,
            ) -> crate::StoreResult<Option<crate::security::ApiToken>> {
                let row =
                    sqlx::query(crate::sql::API_TOKEN_BY_HASH).bind(token_hash).fetch_optional(&self.pool).await?;
                row.as_ref().map(crate::rows::api_token).transpose()
            }

            async fn revoke_api_token(&self, user_id: i64, token_id: i64) -> crate::StoreResult<bool> {
                let done =
                    sqlx::query(crate::sql::REVOKE_API_TOKEN).bind(token_id).bind(user_id).execute(&self.pool).await?;
                Ok(done.rows_affected() > 0)
            }

            async fn append_audit(&self, e: &crate::security::AuditEntry) -> crate::StoreResult<()> {
                sqlx::query(crate::sql::APPEND_AUDIT)
                    .bind(e.at)
                    .bind(&e.actor)
                    .bind(&e.action)
                    .bind(&e.object_type)
                    .bind(&e.object_id)
                    .bind(e.before.as_deref())
                    .bind(e.after.as_deref())
                    .bind(e.request_id.as_deref())
                    .bind(e.client_addr.as_deref())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn audit_log(
                &self,
                f: &crate::security::AuditFilter,
                limit: i64,
            ) -> crate::StoreResult<Vec<crate::security::AuditEntry>> {
                let rows = sqlx::query(crate::sql::AUDIT_LOG)
                    .bind(f.actor.as_deref())
                    .bind(f.object_type.as_deref())
                    .bind(f.since)
                    .bind(f.until)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(crate::rows::audit_entry).collect()
            }

            async fn record_login_attempt(&self, key: &str, at: i64) -> crate::StoreResult<()> {
                sqlx::query(crate::sql::RECORD_LOGIN_ATTEMPT).bind(key).bind(at).execute(&self.pool).await?;
                Ok(())
            }

            async fn login_attempts_since(&self, key: &str, since: i64) -> crate::StoreResult<i64> {
                use crate::rows::RowExt;
                // Attempts older than a day serve no throttle.
                sqlx::query(crate::sql::PRUNE_LOGIN_ATTEMPTS).bind(since - 86_400).execute(&self.pool).await?;
                let row =
                    sqlx::query(crate::sql::LOGIN_ATTEMPTS_SINCE).bind(key).bind(since).fetch_one(&self.pool).await?;
                row.int("n")
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

        /// Writes one household member.
        async fn write_member(
            tx: &mut sqlx::Transaction<'_, $db>,
            household: &str,
            m: &revita_methods::registry::Member,
        ) -> crate::StoreResult<()> {
            sqlx::query(crate::sql::INSERT_MEMBER)
                .bind(household)
                .bind(i64::from(m.seq))
                .bind(m.name.clone())
                .bind(m.sex.as_str())
                .bind(i64::from(m.birth_year))
                .bind(m.labour.as_str())
                .bind(i64::from(m.disabled))
                .bind(i64::from(m.chronically_ill))
                .bind(m.schooling.as_str())
                .bind(i64::from(m.insured))
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        /// Records a case event (events are only ever added).
        async fn write_case_event(
            tx: &mut sqlx::Transaction<'_, $db>,
            case: i64,
            event: &revita_methods::monitoring::CaseEvent,
        ) -> crate::StoreResult<()> {
            sqlx::query(crate::sql::INSERT_CASE_EVENT)
                .bind(case)
                .bind(event.step.as_str())
                .bind(event.on.to_string())
                .bind(&event.actor)
                .bind(event.evidence.as_deref())
                .bind(crate::rows::date_text(event.notice_end))
                .bind(event.at)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        /// Writes a designation, replacing one with the same region,
        /// category and start.
        async fn write_designation(
            tx: &mut sqlx::Transaction<'_, $db>,
            d: &revita_methods::Designation,
        ) -> crate::StoreResult<()> {
            let category = d.category.as_str();
            let valid_from = crate::rows::date_text(d.valid_from);
            sqlx::query(crate::sql::DELETE_SAME_DESIGNATION)
                .bind(d.region.as_str())
                .bind(&category)
                .bind(valid_from.as_deref())
                .execute(&mut **tx)
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
                .execute(&mut **tx)
                .await?;
            Ok(())
        }
    };
}

pub(crate) use shared_store_impl;
