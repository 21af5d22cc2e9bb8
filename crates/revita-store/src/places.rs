//! Where people live and the coal-mining subsidence areas (migration 23,
//! issue 20): village and household points, subsidence polygons kept by a
//! county's office with their profile, and the houses and farmland parcels
//! measured inside them.

use revita_methods::RegionCode;

use crate::db::{Topic, on_pool, on_tx};
use crate::paging::page_within;
use crate::rows::{RowExt, corrupt};
use crate::{Store, StoreResult, Tx};

/// A village or a registry household, as a point.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// `village` or `household`.
    pub kind: String,
    /// The village's code or the household's registry number.
    pub id: String,
    /// Its name (the head's name is never stored here).
    pub name: String,
    /// The county it lies in.
    pub county: RegionCode,
    /// Longitude (WGS 84; CGCS2000 is treated as WGS 84).
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
    /// People living there.
    pub population: i64,
    /// Households living there (1 for a household).
    pub households: i64,
}

/// A coal-mining subsidence area.
#[derive(Debug, Clone, PartialEq)]
pub struct SubsidenceArea {
    /// Its number.
    pub id: i64,
    /// Its code (unique).
    pub code: String,
    /// Its name.
    pub name: String,
    /// The county whose office keeps it.
    pub county: RegionCode,
    /// Its outline: a GeoJSON Polygon or MultiPolygon geometry.
    pub geometry: String,
    /// Its profile (JSON, read by the application).
    pub profile: String,
    /// The remediation plan it is linked to.
    pub plan_id: Option<i64>,
    /// Raised by every change.
    pub version: i64,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: String,
}

/// A house in a subsidence area with its surface deformation.
#[derive(Debug, Clone, PartialEq)]
pub struct House {
    /// Its identifier within the area.
    pub house_id: String,
    /// The registry household living in it.
    pub household_id: Option<String>,
    /// Horizontal strain ε (mm/m).
    pub strain: Option<f64>,
    /// Curvature K (10⁻³/m).
    pub curvature: Option<f64>,
    /// Tilt i (mm/m).
    pub tilt: Option<f64>,
}

/// A farmland parcel in a subsidence area with its damage measures.
#[derive(Debug, Clone, PartialEq)]
pub struct Parcel {
    /// Its identifier within the area.
    pub parcel_id: String,
    /// Its size (ha).
    pub hectares: f64,
    /// Horizontal deformation (mm/m).
    pub deformation: Option<f64>,
    /// Additional slope (mm/m).
    pub slope: Option<f64>,
    /// Subsidence depth (m).
    pub depth: Option<f64>,
    /// Water-table depth after subsidence (m).
    pub water_table: Option<f64>,
    /// Yield loss (%).
    pub yield_loss: Option<f64>,
}

const PLACE_COLUMNS: &str = "kind, id, name, county_code, lon, lat, population, households";
const AREA_COLUMNS: &str = "id, code, name, county_code, geometry, profile, plan_id, version, updated_by, updated_at";

fn place<R: RowExt>(row: &R) -> StoreResult<Place> {
    Ok(Place {
        kind: row.text("kind")?,
        id: row.text("id")?,
        name: row.text("name")?,
        county: RegionCode::parse(&row.text("county_code")?).map_err(corrupt)?,
        lon: row.float("lon")?,
        lat: row.float("lat")?,
        population: row.int("population")?,
        households: row.int("households")?,
    })
}

fn area<R: RowExt>(row: &R) -> StoreResult<SubsidenceArea> {
    Ok(SubsidenceArea {
        id: row.int("id")?,
        code: row.text("code")?,
        name: row.text("name")?,
        county: RegionCode::parse(&row.text("county_code")?).map_err(corrupt)?,
        geometry: row.text("geometry")?,
        profile: row.text("profile")?,
        plan_id: row.opt_int("plan_id")?,
        version: row.int("version")?,
        updated_by: row.text("updated_by")?,
        updated_at: row.text("updated_at")?,
    })
}

fn house<R: RowExt>(row: &R) -> StoreResult<House> {
    Ok(House {
        house_id: row.text("house_id")?,
        household_id: row.opt_text("household_id")?,
        strain: row.opt_float("strain")?,
        curvature: row.opt_float("curvature")?,
        tilt: row.opt_float("tilt")?,
    })
}

fn parcel<R: RowExt>(row: &R) -> StoreResult<Parcel> {
    Ok(Parcel {
        parcel_id: row.text("parcel_id")?,
        hectares: row.float("hectares")?,
        deformation: row.opt_float("deformation")?,
        slope: row.opt_float("slope")?,
        depth: row.opt_float("depth")?,
        water_table: row.opt_float("water_table")?,
        yield_loss: row.opt_float("yield_loss")?,
    })
}

impl Store {
    /// The places inside a box (lon and lat ranges, ends included) in the
    /// counties within `roots` (everywhere when `None`), by kind and id.
    pub async fn places_in_box(
        &self,
        roots: Option<&[RegionCode]>,
        (min_lon, min_lat, max_lon, max_lat): (f64, f64, f64, f64),
    ) -> StoreResult<Vec<Place>> {
        let (condition, binds) = match roots {
            Some(roots) => crate::regions::within_condition("county_code", roots, 4),
            None => ("1 = 1".to_string(), Vec::new()),
        };
        let sql = format!(
            "SELECT {PLACE_COLUMNS} FROM places WHERE lon BETWEEN $1 AND $2 AND lat BETWEEN $3 AND $4 \
             AND {condition} ORDER BY kind, id"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(min_lon).bind(max_lon).bind(min_lat).bind(max_lat);
            for code in &binds {
                query = query.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            rows.iter().map(place).collect()
        })
    }

    /// A page of the places in counties within `roots`, by kind and id
    /// after `(kind, id)`, with how many there are in all.
    pub async fn place_page(
        &self,
        roots: Option<&[RegionCode]>,
        after: (&str, &str),
        limit: i64,
    ) -> StoreResult<(Vec<Place>, i64)> {
        let within = |offset| match roots {
            Some(roots) => crate::regions::within_condition("county_code", roots, offset),
            None => ("1 = 1".to_string(), Vec::new()),
        };
        let (condition, binds) = within(2);
        let (counted, _) = within(0);
        let sql = format!(
            "SELECT {PLACE_COLUMNS} FROM places WHERE (kind > $1 OR (kind = $1 AND id > $2)) AND {condition} \
             ORDER BY kind, id LIMIT {}",
            limit.max(0)
        );
        let count = format!("SELECT COUNT(*) FROM places WHERE {counted}");
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after.0).bind(after.1);
            let mut counting = sqlx::query_scalar(sqlx::AssertSqlSafe(count));
            for code in &binds {
                query = query.bind(code.as_str());
                counting = counting.bind(code.as_str());
            }
            let rows = query.fetch_all(pool).await?;
            let total: i64 = counting.fetch_one(pool).await?;
            Ok((rows.iter().map(place).collect::<StoreResult<Vec<_>>>()?, total))
        })
    }

    /// One subsidence area.
    pub async fn subsidence_area(&self, id: i64) -> StoreResult<Option<SubsidenceArea>> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM subsidence_areas WHERE id = $1");
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(area).transpose()
        })
    }

    /// A page of the subsidence areas kept within `roots`, by number after
    /// `after`, with how many there are in all.
    pub async fn subsidence_area_page(
        &self,
        roots: Option<&[RegionCode]>,
        after: i64,
        limit: i64,
    ) -> StoreResult<(Vec<SubsidenceArea>, i64)> {
        page_within!(self, "subsidence_areas", AREA_COLUMNS, "county_code", roots, after, limit, area)
    }

    /// An area's houses, by identifier.
    pub async fn subsidence_houses(&self, area_id: i64) -> StoreResult<Vec<House>> {
        const SQL: &str = "SELECT house_id, household_id, strain, curvature, tilt FROM subsidence_houses \
             WHERE area_id = $1 ORDER BY house_id";
        on_pool!(self, pool => {
            let rows = sqlx::query(SQL).bind(area_id).fetch_all(pool).await?;
            rows.iter().map(house).collect()
        })
    }

    /// An area's farmland parcels, by identifier.
    pub async fn subsidence_farmland(&self, area_id: i64) -> StoreResult<Vec<Parcel>> {
        const SQL: &str = "SELECT parcel_id, hectares, deformation, slope, depth, water_table, yield_loss \
             FROM subsidence_farmland WHERE area_id = $1 ORDER BY parcel_id";
        on_pool!(self, pool => {
            let rows = sqlx::query(SQL).bind(area_id).fetch_all(pool).await?;
            rows.iter().map(parcel).collect()
        })
    }
}

impl Tx {
    /// The stored places with these keys, inside the transaction (what an
    /// upsert would replace, for the jurisdiction check).
    pub async fn stored_places(&mut self, keys: &[(String, String)]) -> StoreResult<Vec<Place>> {
        let sql = format!("SELECT {PLACE_COLUMNS} FROM places WHERE kind = $1 AND id = $2");
        let mut found = Vec::new();
        on_tx!(self, conn => {
            for (kind, id) in keys {
                let row = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(kind).bind(id).fetch_optional(&mut *conn).await?;
                if let Some(row) = row {
                    found.push(place(&row)?);
                }
            }
        });
        Ok(found)
    }

    /// Stores places, each replacing the stored one of the same kind and id.
    pub async fn put_places(&mut self, places: &[Place]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO places (kind, id, name, county_code, lon, lat, population, households) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name, \
             county_code = excluded.county_code, lon = excluded.lon, lat = excluded.lat, \
             population = excluded.population, households = excluded.households";
        on_tx!(self, conn => {
            for p in places {
                sqlx::query(SQL)
                    .bind(&p.kind)
                    .bind(&p.id)
                    .bind(&p.name)
                    .bind(p.county.as_str())
                    .bind(p.lon)
                    .bind(p.lat)
                    .bind(p.population)
                    .bind(p.households)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Places);
        Ok(())
    }

    /// One subsidence area, inside the transaction.
    pub async fn subsidence_area(&mut self, id: i64) -> StoreResult<Option<SubsidenceArea>> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM subsidence_areas WHERE id = $1");
        Ok(on_tx!(self, conn => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
            row.as_ref().map(area).transpose()?
        }))
    }

    /// The area with this code, inside the transaction.
    pub async fn subsidence_area_coded(&mut self, code: &str) -> StoreResult<Option<SubsidenceArea>> {
        let sql = format!("SELECT {AREA_COLUMNS} FROM subsidence_areas WHERE code = $1");
        Ok(on_tx!(self, conn => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(&mut *conn).await?;
            row.as_ref().map(area).transpose()?
        }))
    }

    /// Stores a new area (version 1); its number.
    pub async fn insert_subsidence_area(&mut self, a: &SubsidenceArea) -> StoreResult<i64> {
        const SQL: &str = "INSERT INTO subsidence_areas (code, name, county_code, geometry, profile, plan_id, \
             version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8) RETURNING id";
        let id = on_tx!(self, conn => {
            let id: i64 = sqlx::query_scalar(SQL)
                .bind(&a.code)
                .bind(&a.name)
                .bind(a.county.as_str())
                .bind(&a.geometry)
                .bind(&a.profile)
                .bind(a.plan_id)
                .bind(&a.updated_by)
                .bind(&a.updated_at)
                .fetch_one(&mut *conn)
                .await?;
            id
        });
        self.changed(Topic::Places);
        Ok(id)
    }

    /// Rewrites an area if it is still at `version`; whether it was.
    pub async fn update_subsidence_area(&mut self, a: &SubsidenceArea, version: i64) -> StoreResult<bool> {
        const SQL: &str = "UPDATE subsidence_areas SET code = $1, name = $2, county_code = $3, geometry = $4, \
             profile = $5, plan_id = $6, version = version + 1, updated_by = $7, updated_at = $8 \
             WHERE id = $9 AND version = $10";
        let changed = on_tx!(self, conn => {
            sqlx::query(SQL)
                .bind(&a.code)
                .bind(&a.name)
                .bind(a.county.as_str())
                .bind(&a.geometry)
                .bind(&a.profile)
                .bind(a.plan_id)
                .bind(&a.updated_by)
                .bind(&a.updated_at)
                .bind(a.id)
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if changed > 0 {
            self.changed(Topic::Places);
        }
        Ok(changed > 0)
    }

    /// Stores houses of an area, each replacing the stored one.
    pub async fn put_subsidence_houses(&mut self, area_id: i64, houses: &[House]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO subsidence_houses (area_id, house_id, household_id, strain, curvature, tilt) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (area_id, house_id) DO UPDATE SET \
             household_id = excluded.household_id, strain = excluded.strain, curvature = excluded.curvature, \
             tilt = excluded.tilt";
        on_tx!(self, conn => {
            for h in houses {
                sqlx::query(SQL)
                    .bind(area_id)
                    .bind(&h.house_id)
                    .bind(h.household_id.as_deref())
                    .bind(h.strain)
                    .bind(h.curvature)
                    .bind(h.tilt)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Places);
        Ok(())
    }

    /// Stores farmland parcels of an area, each replacing the stored one.
    pub async fn put_subsidence_farmland(&mut self, area_id: i64, parcels: &[Parcel]) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO subsidence_farmland (area_id, parcel_id, hectares, deformation, slope, depth, \
             water_table, yield_loss) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (area_id, parcel_id) \
             DO UPDATE SET hectares = excluded.hectares, deformation = excluded.deformation, slope = excluded.slope, \
             depth = excluded.depth, water_table = excluded.water_table, yield_loss = excluded.yield_loss";
        on_tx!(self, conn => {
            for p in parcels {
                sqlx::query(SQL)
                    .bind(area_id)
                    .bind(&p.parcel_id)
                    .bind(p.hectares)
                    .bind(p.deformation)
                    .bind(p.slope)
                    .bind(p.depth)
                    .bind(p.water_table)
                    .bind(p.yield_loss)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.changed(Topic::Places);
        Ok(())
    }
}
