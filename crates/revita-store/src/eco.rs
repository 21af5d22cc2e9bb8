//! Ecological compensation (migration 19, issue 19): basin agreements
//! (JSON text the app checks before it stores it, owned by the office of a
//! region), their jointly taken water samples, each year's settlement as
//! settled, the payments a settlement makes due, land-use areas and GEP
//! line items per region and year.

use revita_methods::RegionCode;

use crate::db::{Topic, on_pool, on_tx};
use crate::rows::{RowExt, corrupt};
use crate::{Store, StoreResult, Tx};

/// A stored basin agreement.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAgreement {
    /// Its number.
    pub id: i64,
    /// Its name (unique).
    pub name: String,
    /// The region whose office keeps it (whose users may change it).
    pub region: RegionCode,
    /// The agreement, JSON text.
    pub spec: String,
    /// Raised by every change, so that two editors cannot overwrite each other.
    pub version: i64,
    /// Who changed it last.
    pub updated_by: String,
    /// When (ISO 8601, UTC).
    pub updated_at: String,
}

/// A stored water sample.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSample {
    /// The assessment section.
    pub section: String,
    /// The day it was taken (ISO 8601).
    pub sampled_on: String,
    /// The indicator's code.
    pub indicator: String,
    /// The upstream party's result (mg/L).
    pub upstream: f64,
    /// The downstream party's result (mg/L).
    pub downstream: f64,
    /// The reserve sample's result, when one was analysed.
    pub reserve: Option<f64>,
    /// The laboratory (or laboratories) that analysed it.
    pub lab: Option<String>,
    /// Whether it counts (a sample declared void does not).
    pub valid: bool,
}

/// A settled year.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSettlement {
    /// The agreement.
    pub agreement_id: i64,
    /// The year.
    pub year: i32,
    /// The result with every step, JSON text.
    pub result: String,
    /// Who settled it.
    pub settled_by: String,
    /// When.
    pub settled_at: String,
}

/// A payment a settlement made due.
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    /// Its number.
    pub id: i64,
    /// The agreement.
    pub agreement_id: i64,
    /// The year settled.
    pub year: i32,
    /// Who pays.
    pub payer: String,
    /// Who receives.
    pub payee: String,
    /// How much (yuan).
    pub amount: f64,
    /// Why (the result that made it due).
    pub reason: String,
    /// `due`, `paid` or `waived`.
    pub status: String,
    /// When it was paid.
    pub paid_on: Option<String>,
    /// The transfer's reference (a voucher number).
    pub reference: Option<String>,
    /// Raised by every change.
    pub version: i64,
}

/// A land-use area.
#[derive(Debug, Clone, PartialEq)]
pub struct LandUseArea {
    /// The region.
    pub region: RegionCode,
    /// The year.
    pub year: i32,
    /// The ecosystem type (Xie et al. 2015's name).
    pub kind: String,
    /// Its area (hectares).
    pub hectares: f64,
}

/// A GEP line item.
#[derive(Debug, Clone, PartialEq)]
pub struct GepItem {
    /// The region.
    pub region: RegionCode,
    /// The year.
    pub year: i32,
    /// The final product or service, e.g. `water_conservation`.
    pub service: String,
    /// Its physical quantity.
    pub quantity: f64,
    /// The quantity's unit, e.g. `m³`.
    pub unit: String,
    /// The price per unit (yuan).
    pub price: f64,
    /// How the price was found: `market`, `replacement_cost`,
    /// `avoided_cost`, `travel_cost`, …
    pub price_method: String,
}

const AGREEMENT_COLUMNS: &str = "id, name, region_code, spec, version, updated_by, updated_at";
const SAMPLE_COLUMNS: &str = "section, sampled_on, indicator, upstream, downstream, reserve, lab, valid";
const PAYMENT_COLUMNS: &str =
    "p.id, p.agreement_id, p.year, p.payer, p.payee, p.amount, p.reason, p.status, p.paid_on, p.reference, p.version";

fn agreement<R: RowExt>(row: &R) -> StoreResult<StoredAgreement> {
    Ok(StoredAgreement {
        id: row.int("id")?,
        name: row.text("name")?,
        region: RegionCode::parse(&row.text("region_code")?).map_err(corrupt)?,
        spec: row.text("spec")?,
        version: row.int("version")?,
        updated_by: row.text("updated_by")?,
        updated_at: row.text("updated_at")?,
    })
}

fn sample<R: RowExt>(row: &R) -> StoreResult<StoredSample> {
    Ok(StoredSample {
        section: row.text("section")?,
        sampled_on: row.text("sampled_on")?,
        indicator: row.text("indicator")?,
        upstream: row.float("upstream")?,
        downstream: row.float("downstream")?,
        reserve: row.opt_float("reserve")?,
        lab: row.opt_text("lab")?,
        valid: row.int("valid")? != 0,
    })
}

fn year(value: i64) -> StoreResult<i32> {
    i32::try_from(value).map_err(|_| corrupt(format!("year {value}")))
}

fn settlement<R: RowExt>(row: &R) -> StoreResult<StoredSettlement> {
    Ok(StoredSettlement {
        agreement_id: row.int("agreement_id")?,
        year: year(row.int("year")?)?,
        result: row.text("result")?,
        settled_by: row.text("settled_by")?,
        settled_at: row.text("settled_at")?,
    })
}

fn payment<R: RowExt>(row: &R) -> StoreResult<Payment> {
    Ok(Payment {
        id: row.int("id")?,
        agreement_id: row.int("agreement_id")?,
        year: year(row.int("year")?)?,
        payer: row.text("payer")?,
        payee: row.text("payee")?,
        amount: row.float("amount")?,
        reason: row.text("reason")?,
        status: row.text("status")?,
        paid_on: row.opt_text("paid_on")?,
        reference: row.opt_text("reference")?,
        version: row.int("version")?,
    })
}

fn land_use<R: RowExt>(row: &R) -> StoreResult<LandUseArea> {
    Ok(LandUseArea {
        region: RegionCode::parse(&row.text("region_code")?).map_err(corrupt)?,
        year: year(row.int("year")?)?,
        kind: row.text("kind")?,
        hectares: row.float("hectares")?,
    })
}

fn gep_item<R: RowExt>(row: &R) -> StoreResult<GepItem> {
    Ok(GepItem {
        region: RegionCode::parse(&row.text("region_code")?).map_err(corrupt)?,
        year: year(row.int("year")?)?,
        service: row.text("service")?,
        quantity: row.float("quantity")?,
        unit: row.text("unit")?,
        price: row.float("price")?,
        price_method: row.text("price_method")?,
    })
}

/// `column` within the subtrees under `within` (everywhere when `None`),
/// its parameters numbered after `offset`.
fn within(column: &str, within: Option<&[RegionCode]>, offset: usize) -> (String, Vec<String>) {
    match within {
        Some(roots) => crate::regions::within_condition(column, roots, offset),
        None => ("1 = 1".to_string(), Vec::new()),
    }
}

impl Store {
    /// One agreement.
    pub async fn eco_agreement(&self, id: i64) -> StoreResult<Option<StoredAgreement>> {
        let sql = format!("SELECT {AGREEMENT_COLUMNS} FROM eco_agreements WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(agreement).transpose()
        })
    }

    /// A page of the agreements kept by offices within `roots`, by number
    /// after `after`, with how many there are in all.
    pub async fn eco_agreement_page(
        &self,
        roots: Option<&[RegionCode]>,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<StoredAgreement>, i64)> {
        let (condition, binds) = within("region_code", roots, 1);
        let (counted, _) = within("region_code", roots, 0);
        let sql = format!(
            "SELECT {AGREEMENT_COLUMNS} FROM eco_agreements WHERE id > $1 AND {condition} ORDER BY id LIMIT {}",
            limit.max(0)
        );
        let count = format!("SELECT COUNT(*) FROM eco_agreements WHERE {counted}");
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after);
            let mut counting = sqlx::query_scalar(sqlx::AssertSqlSafe(count));
            for code in &binds {
                query = query.bind(code.as_str());
                counting = counting.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            let total: i64 = counting.fetch_one(pool).await?;
            Ok((rows.iter().map(agreement).collect::<StoreResult<Vec<_>>>()?, total))
        })
    }

    /// An agreement's samples, by section, day and indicator; of one year
    /// only when `year` is given.
    pub async fn eco_samples(&self, agreement_id: i64, year: Option<i32>) -> StoreResult<Vec<StoredSample>> {
        let (from, to) = match year {
            Some(y) => (format!("{y:04}-01-01"), format!("{y:04}-12-31")),
            None => ("0000-01-01".to_string(), "9999-12-31".to_string()),
        };
        let sql = format!(
            "SELECT {SAMPLE_COLUMNS} FROM eco_samples WHERE agreement_id = $1 AND sampled_on >= $2 \
             AND sampled_on <= $3 ORDER BY section, sampled_on, indicator"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agreement_id).bind(from).bind(to).fetch_all(pool).await?;
            rows.iter().map(sample).collect()
        })
    }

    /// The years an agreement has samples in, with how many, newest first.
    pub async fn eco_sample_years(&self, agreement_id: i64) -> StoreResult<Vec<(i32, i64)>> {
        const SQL: &str = "SELECT substr(sampled_on, 1, 4) AS y, COUNT(*) AS n FROM eco_samples \
             WHERE agreement_id = $1 GROUP BY substr(sampled_on, 1, 4) ORDER BY y DESC";
        on_pool!(self, pool => {
            let rows = sqlx::query(SQL).bind(agreement_id).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    let y = r.text("y")?;
                    Ok((y.parse().map_err(|_| corrupt(format!("sample date year {y}")))?, r.int("n")?))
                })
                .collect()
        })
    }

    /// An agreement's settled years, the newest first.
    pub async fn eco_settlements(&self, agreement_id: i64) -> StoreResult<Vec<StoredSettlement>> {
        const SQL: &str = "SELECT agreement_id, year, result, settled_by, settled_at FROM eco_settlements \
             WHERE agreement_id = $1 ORDER BY year DESC";
        on_pool!(self, pool => {
            let rows = sqlx::query(SQL).bind(agreement_id).fetch_all(pool).await?;
            rows.iter().map(settlement).collect()
        })
    }

    /// One payment.
    pub async fn eco_payment(&self, id: i64) -> StoreResult<Option<Payment>> {
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM eco_payments p WHERE p.id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(payment).transpose()
        })
    }

    /// A page of the payments ledger: the payments of agreements kept by
    /// offices within `roots` (of one agreement when given), by number
    /// after `after`, with how many there are in all.
    pub async fn eco_payment_page(
        &self,
        roots: Option<&[RegionCode]>,
        agreement_id: Option<i64>,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<Payment>, i64)> {
        let (condition, binds) = within("a.region_code", roots, 2);
        let (counted, _) = within("a.region_code", roots, 1);
        let join = "FROM eco_payments p JOIN eco_agreements a ON a.id = p.agreement_id";
        let sql = format!(
            "SELECT {PAYMENT_COLUMNS} {join} WHERE p.id > $1 AND ($2 = 0 OR p.agreement_id = $2) AND {condition} \
             ORDER BY p.id LIMIT {}",
            limit.max(0)
        );
        let count = format!("SELECT COUNT(*) {join} WHERE ($1 = 0 OR p.agreement_id = $1) AND {counted}");
        let agreement = agreement_id.unwrap_or(0);
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after).bind(agreement);
            let mut counting = sqlx::query_scalar(sqlx::AssertSqlSafe(count)).bind(agreement);
            for code in &binds {
                query = query.bind(code.as_str());
                counting = counting.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            let total: i64 = counting.fetch_one(pool).await?;
            Ok((rows.iter().map(payment).collect::<StoreResult<Vec<_>>>()?, total))
        })
    }

    /// The land-use areas of regions within `roots`, by region, year and type.
    pub async fn eco_land_use(&self, roots: Option<&[RegionCode]>) -> StoreResult<Vec<LandUseArea>> {
        let (condition, binds) = within("region_code", roots, 0);
        let sql = format!(
            "SELECT region_code, year, kind, hectares FROM eco_land_use WHERE {condition} \
             ORDER BY region_code, year, kind"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for code in &binds {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(land_use).collect()
        })
    }

    /// The GEP items of regions within `roots`, by region, year and service.
    pub async fn eco_gep_items(&self, roots: Option<&[RegionCode]>) -> StoreResult<Vec<GepItem>> {
        let (condition, binds) = within("region_code", roots, 0);
        let sql = format!(
            "SELECT region_code, year, service, quantity, unit, price, price_method FROM eco_gep_items \
             WHERE {condition} ORDER BY region_code, year, service"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for code in &binds {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(gep_item).collect()
        })
    }
}

impl Tx {
    /// One agreement, read inside the transaction (to check the stored row
    /// before it is changed).
    pub async fn eco_agreement(&mut self, id: i64) -> StoreResult<Option<StoredAgreement>> {
        let sql = format!("SELECT {AGREEMENT_COLUMNS} FROM eco_agreements WHERE id = $1");
        Ok(on_tx!(self, conn => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
            row.as_ref().map(agreement).transpose()?
        }))
    }

    /// The number of the agreement named `name`, if one is.
    pub async fn eco_agreement_named(&mut self, name: &str) -> StoreResult<Option<i64>> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar("SELECT id FROM eco_agreements WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *conn)
                .await?
        }))
    }

    /// Stores a new agreement (version 1); its number.
    pub async fn insert_eco_agreement(
        &mut self,
        name: &str,
        region: &RegionCode,
        spec: &str,
        by: &str,
        at: &str,
    ) -> StoreResult<i64> {
        const SQL: &str = "INSERT INTO eco_agreements (name, region_code, spec, version, updated_by, updated_at) \
             VALUES ($1, $2, $3, 1, $4, $5) RETURNING id";
        let id = on_tx!(self, conn => {
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(name)
                .bind(region.as_str())
                .bind(spec)
                .bind(by)
                .bind(at)
                .fetch_one(&mut *conn)
                .await?;
            id
        });
        self.changed(Topic::Eco);
        Ok(id)
    }

    /// Rewrites an agreement if it is still at `version`; whether it was.
    pub async fn update_eco_agreement(
        &mut self,
        id: i64,
        version: i64,
        (name, region, spec): (&str, &RegionCode, &str),
        by: &str,
        at: &str,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE eco_agreements SET name = $1, region_code = $2, spec = $3, \
             version = version + 1, updated_by = $4, updated_at = $5 WHERE id = $6 AND version = $7";
        let changed = on_tx!(self, conn => {
            sqlx::query(SQL)
                .bind(name)
                .bind(region.as_str())
                .bind(spec)
                .bind(by)
                .bind(at)
                .bind(id)
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if changed > 0 {
            self.changed(Topic::Eco);
        }
        Ok(changed > 0)
    }

    /// Adds samples to an agreement, replacing any stored under the same
    /// section, day and indicator; how many were already stored.
    pub async fn put_eco_samples(&mut self, agreement_id: i64, samples: &[StoredSample]) -> StoreResult<u64> {
        const EXISTS: &str = "SELECT COUNT(*) FROM eco_samples WHERE agreement_id = $1 AND section = $2 \
             AND sampled_on = $3 AND indicator = $4";
        const SQL: &str = "INSERT INTO eco_samples (agreement_id, section, sampled_on, indicator, upstream, \
             downstream, reserve, lab, valid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (agreement_id, section, sampled_on, indicator) DO UPDATE SET upstream = excluded.upstream, \
             downstream = excluded.downstream, reserve = excluded.reserve, lab = excluded.lab, valid = excluded.valid";
        let replaced = on_tx!(self, conn => {
            let mut replaced = 0_u64;
            for s in samples {
                let n: i64 = sqlx::query_scalar(EXISTS)
                    .bind(agreement_id)
                    .bind(&s.section)
                    .bind(&s.sampled_on)
                    .bind(&s.indicator)
                    .fetch_one(&mut *conn)
                    .await?;
                replaced += u64::from(n > 0);
                sqlx::query(SQL)
                    .bind(agreement_id)
                    .bind(&s.section)
                    .bind(&s.sampled_on)
                    .bind(&s.indicator)
                    .bind(s.upstream)
                    .bind(s.downstream)
                    .bind(s.reserve)
                    .bind(s.lab.as_deref())
                    .bind(i64::from(s.valid))
                    .execute(&mut *conn)
                    .await?;
            }
            replaced
        });
        self.changed(Topic::Eco);
        Ok(replaced)
    }

    /// The payments of a settled year, inside the transaction.
    pub async fn eco_payments_of(&mut self, agreement_id: i64, year: i32) -> StoreResult<Vec<Payment>> {
        let sql = format!(
            "SELECT {PAYMENT_COLUMNS} FROM eco_payments p WHERE p.agreement_id = $1 AND p.year = $2 ORDER BY p.id"
        );
        Ok(on_tx!(self, conn => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agreement_id).bind(i64::from(year)).fetch_all(&mut *conn).await?;
            rows.iter().map(payment).collect::<StoreResult<Vec<_>>>()?
        }))
    }

    /// Stores a year's settlement in place of any before, with the payments
    /// it makes due (the year's earlier payments are removed: the caller
    /// checks that none was paid).
    pub async fn put_eco_settlement(
        &mut self,
        settled: &StoredSettlement,
        payments: &[(String, String, f64, String)],
    ) -> StoreResult<()> {
        const SETTLE: &str = "INSERT INTO eco_settlements (agreement_id, year, result, settled_by, settled_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (agreement_id, year) DO UPDATE SET result = excluded.result, \
             settled_by = excluded.settled_by, settled_at = excluded.settled_at";
        const CLEAR: &str = "DELETE FROM eco_payments WHERE agreement_id = $1 AND year = $2";
        const PAY: &str = "INSERT INTO eco_payments (agreement_id, year, payer, payee, amount, reason, status, version) \
             VALUES ($1, $2, $3, $4, $5, $6, 'due', 1)";
        let year = i64::from(settled.year);
        on_tx!(self, conn => {
            sqlx::query(SETTLE)
                .bind(settled.agreement_id)
                .bind(year)
                .bind(&settled.result)
                .bind(&settled.settled_by)
                .bind(&settled.settled_at)
                .execute(&mut *conn)
                .await?;
            sqlx::query(CLEAR).bind(settled.agreement_id).bind(year).execute(&mut *conn).await?;
            for (payer, payee, amount, reason) in payments {
                sqlx::query(PAY)
                    .bind(settled.agreement_id)
                    .bind(year)
                    .bind(payer)
                    .bind(payee)
                    .bind(*amount)
                    .bind(reason)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Eco);
        Ok(())
    }

    /// One payment, inside the transaction.
    pub async fn eco_payment(&mut self, id: i64) -> StoreResult<Option<Payment>> {
        let sql = format!("SELECT {PAYMENT_COLUMNS} FROM eco_payments p WHERE p.id = $1");
        Ok(on_tx!(self, conn => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
            row.as_ref().map(payment).transpose()?
        }))
    }

    /// Records a payment's status if it is still at `version`; whether it was.
    pub async fn update_eco_payment(
        &mut self,
        id: i64,
        version: i64,
        status: &str,
        paid_on: Option<&str>,
        reference: Option<&str>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE eco_payments SET status = $1, paid_on = $2, reference = $3, version = version + 1 \
             WHERE id = $4 AND version = $5";
        let changed = on_tx!(self, conn => {
            sqlx::query(SQL)
                .bind(status)
                .bind(paid_on)
                .bind(reference)
                .bind(id)
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if changed > 0 {
            self.changed(Topic::Eco);
        }
        Ok(changed > 0)
    }

    /// Stores land-use areas, replacing any of the same region, year and type.
    pub async fn put_land_use(&mut self, areas: &[LandUseArea]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO eco_land_use (region_code, year, kind, hectares) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (region_code, year, kind) DO UPDATE SET hectares = excluded.hectares";
        on_tx!(self, conn => {
            for a in areas {
                sqlx::query(SQL)
                    .bind(a.region.as_str())
                    .bind(i64::from(a.year))
                    .bind(&a.kind)
                    .bind(a.hectares)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Eco);
        Ok(())
    }

    /// Stores GEP items, replacing any of the same region, year and service.
    pub async fn put_gep_items(&mut self, items: &[GepItem]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO eco_gep_items (region_code, year, service, quantity, unit, price, \
             price_method) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (region_code, year, service) \
             DO UPDATE SET quantity = excluded.quantity, unit = excluded.unit, price = excluded.price, \
             price_method = excluded.price_method";
        on_tx!(self, conn => {
            for i in items {
                sqlx::query(SQL)
                    .bind(i.region.as_str())
                    .bind(i64::from(i.year))
                    .bind(&i.service)
                    .bind(i.quantity)
                    .bind(&i.unit)
                    .bind(i.price)
                    .bind(&i.price_method)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Eco);
        Ok(())
    }
}
