//! SQL text shared by both back ends: the common dialect of SQLite 3.35+ and
//! PostgreSQL 12+ (`$n` parameters, `ON CONFLICT … DO UPDATE`, row values).

pub(crate) const UPSERT_REGION: &str = "INSERT INTO regions \
     (code, name_zh, name_en, level, parent_code, valid_from, valid_to, search_key) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, \
     level = excluded.level, parent_code = excluded.parent_code, \
     valid_from = excluded.valid_from, valid_to = excluded.valid_to, search_key = excluded.search_key";

/// Regions whose search key is missing (loaded before migration 0003).
pub(crate) const REGIONS_WITHOUT_SEARCH_KEY: &str =
    "SELECT code, name_zh, name_en FROM regions WHERE search_key IS NULL";

pub(crate) const SET_SEARCH_KEY: &str = "UPDATE regions SET search_key = $1 WHERE code = $2";

pub(crate) const REGION: &str =
    "SELECT code, name_zh, name_en, level, parent_code, valid_from, valid_to FROM regions WHERE code = $1";

pub(crate) const REGIONS: &str =
    "SELECT code, name_zh, name_en, level, parent_code, valid_from, valid_to FROM regions ORDER BY code";

pub(crate) const REGIONS_AT_LEVEL: &str = "SELECT code, name_zh, name_en, level, parent_code, valid_from, valid_to \
     FROM regions WHERE level = $1 ORDER BY code";

pub(crate) const CHILDREN: &str = "SELECT code, name_zh, name_en, level, parent_code, valid_from, valid_to \
     FROM regions WHERE parent_code = $1 ORDER BY code";

/// Descendants through the parent index, optionally at one level, by code
/// (which for hierarchical codes is also tree order).
pub(crate) const DESCENDANTS: &str = "WITH RECURSIVE subtree(code) AS ( \
       SELECT code FROM regions WHERE parent_code = $1 \
       UNION ALL SELECT r.code FROM regions r JOIN subtree s ON r.parent_code = s.code) \
     SELECT r.code, r.name_zh, r.name_en, r.level, r.parent_code, r.valid_from, r.valid_to \
     FROM regions r JOIN subtree s ON s.code = r.code \
     WHERE ($2 IS NULL OR r.level = $2) ORDER BY r.code";

/// Ancestors of a region, root first, through the primary key.
pub(crate) const ANCESTORS: &str = "WITH RECURSIVE up(code, parent_code, depth) AS ( \
       SELECT code, parent_code, 0 FROM regions WHERE code = $1 \
       UNION ALL SELECT r.code, r.parent_code, up.depth + 1 FROM regions r JOIN up ON r.code = up.parent_code) \
     SELECT r.code, r.name_zh, r.name_en, r.level, r.parent_code, r.valid_from, r.valid_to \
     FROM regions r JOIN up ON up.code = r.code WHERE up.depth > 0 ORDER BY up.depth DESC";

/// Exact code first, then shorter codes (higher levels), then by code.
pub(crate) const SEARCH_REGIONS: &str = "SELECT code, name_zh, name_en, level, parent_code, valid_from, valid_to \
     FROM regions \
     WHERE code = $1 OR name_zh LIKE $2 ESCAPE '\\' OR search_key LIKE lower($2) ESCAPE '\\' \
     ORDER BY CASE WHEN code = $1 THEN 0 ELSE 1 END, length(code), code LIMIT $3";

/// `%query%` with LIKE's wildcards escaped, so that a user's `%` or `_`
/// matches itself.
pub(crate) fn contains_pattern(query: &str) -> String {
    let escaped = query.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

pub(crate) const UPSERT_BOUNDARY: &str = "INSERT INTO boundaries (region_code, geojson, source) VALUES ($1, $2, $3) \
     ON CONFLICT (region_code) DO UPDATE SET geojson = excluded.geojson, source = excluded.source";

pub(crate) const HAS_BOUNDARY: &str = "SELECT 1 AS n FROM boundaries WHERE region_code = $1";

pub(crate) const BOUNDARY: &str = "SELECT region_code, geojson, source FROM boundaries WHERE region_code = $1";

pub(crate) const BOUNDARIES_AT_LEVEL: &str = "SELECT b.region_code, b.geojson, b.source FROM boundaries b \
     JOIN regions r ON r.code = b.region_code WHERE r.level = $1 ORDER BY b.region_code";

pub(crate) const UPSERT_INDICATOR: &str = "INSERT INTO indicators \
     (code, name_zh, name_en, unit, direction, aggregation, weight_indicator, description, source) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, \
     unit = excluded.unit, direction = excluded.direction, aggregation = excluded.aggregation, \
     weight_indicator = excluded.weight_indicator, description = excluded.description, source = excluded.source";

pub(crate) const INDICATORS: &str = "SELECT code, name_zh, name_en, unit, direction, aggregation, weight_indicator, \
     description, source FROM indicators ORDER BY code";

pub(crate) const INDICATOR: &str = "SELECT code, name_zh, name_en, unit, direction, aggregation, weight_indicator, \
     description, source FROM indicators WHERE code = $1";

/// The observations query for the filters `query` sets, with keyset
/// pagination after the last key seen when `after` is given, and the text
/// parameters to bind in order (the limit is bound last). Only the filters
/// in use appear in the SQL: a generic `($1 IS NULL OR col = $1)` form keeps
/// SQLite's planner from using the primary key and turns every page into a
/// full table scan.
pub(crate) fn observations(
    query: &crate::ObservationQuery,
    after: Option<&crate::ObservationKey>,
) -> (String, Vec<String>) {
    let mut sql = String::from(
        "SELECT o.indicator_code, o.region_code, o.period, o.value, o.source, o.status FROM observations o",
    );
    if query.parent.is_some() || query.level.is_some() {
        sql.push_str(" JOIN regions r ON r.code = o.region_code");
    }
    let mut binds: Vec<String> = Vec::new();
    let mut conditions: Vec<String> = Vec::new();
    let filters = [
        ("o.indicator_code", query.indicator.as_ref().map(|c| c.as_str().to_string())),
        ("o.region_code", query.region.as_ref().map(|c| c.as_str().to_string())),
        ("r.parent_code", query.parent.as_ref().map(|c| c.as_str().to_string())),
        ("r.level", query.level.clone()),
        ("o.period", query.period.clone()),
    ];
    for (column, value) in filters {
        if let Some(value) = value {
            binds.push(value);
            conditions.push(format!("{column} = ${}", binds.len()));
        }
    }
    if let Some(key) = after {
        binds.extend([key.indicator.clone(), key.region.clone(), key.period.clone()]);
        let n = binds.len();
        conditions.push(format!("(o.indicator_code, o.region_code, o.period) > (${}, ${}, ${n})", n - 2, n - 1));
    }
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(&format!(" ORDER BY o.indicator_code, o.region_code, o.period LIMIT ${}", binds.len() + 1));
    (sql, binds)
}

pub(crate) const PERIODS: &str = "SELECT DISTINCT period FROM observations WHERE indicator_code = $1 ORDER BY period";

/// A corrected list replaces the designation with the same region, category
/// and start; `COALESCE` makes an unknown start compare equal to itself.
pub(crate) const DELETE_SAME_DESIGNATION: &str = "DELETE FROM designations \
     WHERE region_code = $1 AND category = $2 AND COALESCE(valid_from, '') = COALESCE($3, '')";

pub(crate) const INSERT_DESIGNATION: &str = "INSERT INTO designations \
     (region_code, category, class, basis_title, basis_number, valid_from, valid_to, notes) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

pub(crate) const DESIGNATIONS_OF: &str = "SELECT region_code, category, class, basis_title, basis_number, \
     valid_from, valid_to, notes FROM designations WHERE region_code = $1 \
     ORDER BY COALESCE(valid_from, '') DESC, category";

pub(crate) const DESIGNATIONS: &str = "SELECT region_code, category, class, basis_title, basis_number, \
     valid_from, valid_to, notes FROM designations WHERE ($1 IS NULL OR category = $1) \
     ORDER BY region_code, category, COALESCE(valid_from, '')";

/// A pairing with the same programme, donor and recipient is replaced.
pub(crate) const DELETE_SAME_PAIRING: &str =
    "DELETE FROM pairings WHERE program = $1 AND donor_code = $2 AND recipient_code = $3";

pub(crate) const INSERT_PAIRING: &str = "INSERT INTO pairings \
     (program, donor_code, recipient_code, start_year, end_year, notes) VALUES ($1, $2, $3, $4, $5, $6)";

pub(crate) const PAIRINGS_OF: &str = "SELECT program, donor_code, recipient_code, start_year, end_year, notes \
     FROM pairings WHERE donor_code = $1 OR recipient_code = $1 ORDER BY program, donor_code, recipient_code";

pub(crate) const INSERT_CODE_RECORD: &str = "INSERT INTO code_history \
     (code, name, level, status, first_year, end_year, successors) VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub(crate) const CODE_HISTORY: &str = "SELECT code, name, level, status, first_year, end_year, successors \
     FROM code_history ORDER BY code, first_year";

pub(crate) const REGIONS_BY_LEVEL: &str =
    "SELECT level, COUNT(*) AS n FROM regions GROUP BY level ORDER BY COUNT(*), level";

pub(crate) const CREATE_USER: &str = "INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id, name, password_hash, disabled, must_change_password, version, created_at";

pub(crate) const USER_BY_NAME: &str =
    "SELECT id, name, password_hash, disabled, must_change_password, version, created_at FROM users WHERE name = $1";

pub(crate) const USER_BY_ID: &str =
    "SELECT id, name, password_hash, disabled, must_change_password, version, created_at FROM users WHERE id = $1";

pub(crate) const USERS: &str =
    "SELECT id, name, password_hash, disabled, must_change_password, version, created_at FROM users ORDER BY name";

/// Updates only if the caller read the current version.
pub(crate) const UPDATE_USER: &str = "UPDATE users SET password_hash = $1, disabled = $2, must_change_password = $3, \
     version = version + 1 WHERE id = $4 AND version = $5";

pub(crate) const DELETE_GRANTS: &str = "DELETE FROM grants WHERE user_id = $1";
pub(crate) const INSERT_GRANT: &str = "INSERT INTO grants (user_id, role, scope_code) VALUES ($1, $2, $3)";
pub(crate) const GRANTS: &str = "SELECT role, scope_code FROM grants WHERE user_id = $1 ORDER BY role, scope_code";

pub(crate) const CREATE_SESSION: &str =
    "INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)";
/// A session and its user in one round trip (every request needs both).
pub(crate) const SESSION_USER: &str = "SELECT s.user_id, s.csrf, s.expires_at, u.id, u.name, u.password_hash, u.disabled, \
     u.must_change_password, u.version, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1";

pub(crate) const SESSION: &str = "SELECT user_id, csrf, expires_at FROM sessions WHERE token_hash = $1";
pub(crate) const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";
pub(crate) const DELETE_SESSIONS_OF: &str = "DELETE FROM sessions WHERE user_id = $1";

pub(crate) const CREATE_API_TOKEN: &str = "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id, user_id, name, created_at, expires_at, revoked";
pub(crate) const API_TOKENS_OF: &str =
    "SELECT id, user_id, name, created_at, expires_at, revoked FROM api_tokens WHERE user_id = $1 ORDER BY id";
pub(crate) const API_TOKEN_BY_HASH: &str =
    "SELECT id, user_id, name, created_at, expires_at, revoked FROM api_tokens WHERE token_hash = $1";
pub(crate) const REVOKE_API_TOKEN: &str = "UPDATE api_tokens SET revoked = 1 WHERE id = $1 AND user_id = $2";

pub(crate) const APPEND_AUDIT: &str = "INSERT INTO audit_log \
     (at, actor, action, object_type, object_id, before_value, after_value, request_id, client_addr) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Newest first; every filter optional.
pub(crate) const AUDIT_LOG: &str = "SELECT id, at, actor, action, object_type, object_id, before_value, after_value, \
     request_id, client_addr FROM audit_log \
     WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR object_type = $2) \
       AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4) \
     ORDER BY id DESC LIMIT $5";

pub(crate) const RECORD_LOGIN_ATTEMPT: &str = "INSERT INTO login_attempts (key, at) VALUES ($1, $2)";
pub(crate) const LOGIN_ATTEMPTS_SINCE: &str = "SELECT COUNT(*) AS n FROM login_attempts WHERE key = $1 AND at >= $2";
pub(crate) const PRUNE_LOGIN_ATTEMPTS: &str = "DELETE FROM login_attempts WHERE at < $1";

/// Bumped inside every write transaction (see migration 0002).
pub(crate) const BUMP_DATA_VERSION: &str = "UPDATE data_version SET version = version + 1 WHERE id = 1";

/// The current data version.
pub(crate) const DATA_VERSION: &str = "SELECT version FROM data_version WHERE id = 1";

/// Columns of an observation row, in load order.
pub(crate) const OBSERVATION_COLUMNS: &str = "indicator_code, region_code, period, value, source, status";

/// Moves a replace-mode staging table into `observations`. The `WHERE true`
/// resolves SQLite's parsing ambiguity between a join and `ON CONFLICT`.
pub(crate) const MERGE_STAGED_OBSERVATIONS: &str = "INSERT INTO observations \
     (indicator_code, region_code, period, value, source, status) \
     SELECT indicator_code, region_code, period, value, source, status FROM observations_load WHERE true \
     ON CONFLICT (indicator_code, region_code, period) DO UPDATE SET \
     value = excluded.value, source = excluded.source, status = excluded.status";

pub(crate) const INSERT_DESIGNATION_LIST: &str = "INSERT INTO designation_lists \
     (category, name, run_year, classes, basis_title, basis_number, effective_from, transition_until, spec_json, \
      spec_sha256, input_sha256, members, joining, leaving, approved_by, approved_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id";
pub(crate) const INSERT_LIST_MEMBER: &str =
    "INSERT INTO designation_list_members (list_id, region_code, class) VALUES ($1, $2, $3)";
pub(crate) const LIST_MEMBERS: &str =
    "SELECT region_code, class FROM designation_list_members WHERE list_id = $1 ORDER BY region_code";
pub(crate) const DESIGNATION_LISTS: &str = "SELECT id, category, name, run_year, classes, basis_title, basis_number, \
     effective_from, transition_until, spec_json, spec_sha256, input_sha256, members, joining, leaving, approved_by, \
     approved_at FROM designation_lists WHERE ($1 IS NULL OR category = $1) ORDER BY effective_from, id";

pub(crate) const UPSERT_MONITORING_LINE: &str = "INSERT INTO monitoring_lines (region_code, year, amount, rule, multiple) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (region_code, year) DO UPDATE SET amount = excluded.amount, \
     rule = excluded.rule, multiple = excluded.multiple";
pub(crate) const MONITORING_LINES: &str = "SELECT region_code, year, amount, rule, multiple FROM monitoring_lines \
     WHERE ($1 IS NULL OR year = $1) ORDER BY year, region_code";

/// The registry's columns, in the order writes bind them: the screening
/// record and identifiers, then the details (income by source, relocation).
pub(crate) const HOUSEHOLD_COLUMNS: &str = "id, village_code, county_code, size, labor, income_pc, income_pc_prev, \
     medical_exp, education_exp, disaster_loss, deprived, head_name, id_number, phone";
pub(crate) const HOUSEHOLD_DETAIL_COLUMNS: &str =
    ", income_wage, income_business, income_property, income_transfer, relocation_site";
/// Columns a write binds without details, and the details' columns.
pub(crate) const HOUSEHOLD_ARITY: usize = 14;
pub(crate) const HOUSEHOLD_DETAIL_ARITY: usize = 5;
pub(crate) const HOUSEHOLD_UPSERT_TAIL: &str = " ON CONFLICT (id) DO UPDATE SET village_code = excluded.village_code, \
     county_code = excluded.county_code, size = excluded.size, labor = excluded.labor, \
     income_pc = excluded.income_pc, income_pc_prev = excluded.income_pc_prev, medical_exp = excluded.medical_exp, \
     education_exp = excluded.education_exp, disaster_loss = excluded.disaster_loss, deprived = excluded.deprived, \
     head_name = excluded.head_name, id_number = excluded.id_number, phone = excluded.phone, \
     version = households.version + 1";
/// Details a file gives replace the stored ones; details it leaves empty keep them.
pub(crate) const HOUSEHOLD_DETAIL_UPSERT_TAIL: &str = ", \
     income_wage = COALESCE(excluded.income_wage, households.income_wage), \
     income_business = COALESCE(excluded.income_business, households.income_business), \
     income_property = COALESCE(excluded.income_property, households.income_property), \
     income_transfer = COALESCE(excluded.income_transfer, households.income_transfer), \
     relocation_site = COALESCE(excluded.relocation_site, households.relocation_site)";
pub(crate) const HOUSEHOLDS_ALL: &str = "SELECT id, village_code, county_code, size, labor, income_pc, income_pc_prev, \
     medical_exp, education_exp, disaster_loss, deprived, head_name, id_number, phone, income_wage, income_business, \
     income_property, income_transfer, relocation_site FROM households ORDER BY id";
pub(crate) const HOUSEHOLD_BY_ID: &str = "SELECT id, village_code, county_code, size, labor, income_pc, income_pc_prev, \
     medical_exp, education_exp, disaster_loss, deprived, head_name, id_number, phone, income_wage, income_business, \
     income_property, income_transfer, relocation_site FROM households WHERE id = $1";

/// A multi-row upsert of `rows` households: `$1 … $(14·rows)`, or with the
/// details `$1 … $(19·rows)`. Chunks without details use the narrower
/// statement: a fifth fewer parameters to bind, and the same result, since
/// absent details keep the stored ones either way.
pub(crate) fn upsert_households(rows: usize, details: bool) -> String {
    let arity = HOUSEHOLD_ARITY + if details { HOUSEHOLD_DETAIL_ARITY } else { 0 };
    let columns = if details { HOUSEHOLD_DETAIL_COLUMNS } else { "" };
    let mut sql = format!("INSERT INTO households ({HOUSEHOLD_COLUMNS}{columns}) VALUES ");
    for r in 0..rows {
        let params: Vec<String> = (1..=arity).map(|c| format!("${}", r * arity + c)).collect();
        sql.push_str(if r == 0 { "(" } else { ", (" });
        sql.push_str(&params.join(", "));
        sql.push(')');
    }
    sql.push_str(HOUSEHOLD_UPSERT_TAIL);
    if details {
        sql.push_str(HOUSEHOLD_DETAIL_UPSERT_TAIL);
    }
    sql
}

pub(crate) const HOUSEHOLD_VERSION: &str = "SELECT version FROM households WHERE id = $1";
/// An edit of a household's screening record and details, if still at the
/// version the form was read at.
pub(crate) const UPDATE_HOUSEHOLD: &str = "UPDATE households SET size = $1, labor = $2, income_pc = $3, \
     income_pc_prev = $4, medical_exp = $5, education_exp = $6, disaster_loss = $7, deprived = $8, \
     income_wage = $9, income_business = $10, income_property = $11, income_transfer = $12, relocation_site = $13, \
     version = version + 1 WHERE id = $14 AND version = $15";
pub(crate) const BUMP_HOUSEHOLD_VERSION_FROM: &str =
    "UPDATE households SET version = version + 1 WHERE id = $1 AND version = $2";
pub(crate) const DELETE_MEMBERS: &str = "DELETE FROM household_members WHERE household_id = $1";
pub(crate) const INSERT_MEMBER: &str = "INSERT INTO household_members (household_id, seq, name, sex, birth_year, \
     labour, disabled, chronically_ill, schooling, insured) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
/// Members' columns a write binds.
const MEMBER_ARITY: usize = 10;

/// A multi-row insert of `rows` members: `$1 … $(10·rows)`.
pub(crate) fn insert_members(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO household_members (household_id, seq, name, sex, birth_year, labour, disabled, \
         chronically_ill, schooling, insured) VALUES ",
    );
    for r in 0..rows {
        let params: Vec<String> = (1..=MEMBER_ARITY).map(|c| format!("${}", r * MEMBER_ARITY + c)).collect();
        sql.push_str(if r == 0 { "(" } else { ", (" });
        sql.push_str(&params.join(", "));
        sql.push(')');
    }
    sql
}

/// `$1, …, $n` for an `IN (…)` list.
fn in_list(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Deletes the members of `n` households.
pub(crate) fn delete_members_of(n: usize) -> String {
    format!("DELETE FROM household_members WHERE household_id IN ({})", in_list(n))
}

/// Raises the version of `n` households.
pub(crate) fn bump_household_versions(n: usize) -> String {
    format!("UPDATE households SET version = version + 1 WHERE id IN ({})", in_list(n))
}

pub(crate) const MEMBERS: &str = "SELECT seq, name, sex, birth_year, labour, disabled, chronically_ill, schooling, \
     insured FROM household_members WHERE household_id = $1 ORDER BY seq";

pub(crate) const INSERT_MEASURE: &str = "INSERT INTO case_measures (case_id, kind, description, amount, start_date, \
     end_date, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(crate) const MEASURES: &str = "SELECT kind, description, amount, start_date, end_date, actor, at FROM case_measures \
     WHERE case_id = $1 ORDER BY id";

pub(crate) const INSERT_CASE: &str = "INSERT INTO cases (household_id, county_code, category, channel, step, step_since) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
pub(crate) const INSERT_CASE_EVENT: &str = "INSERT INTO case_events (case_id, step, on_date, actor, evidence, notice_end, at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const MOVE_CASE: &str =
    "UPDATE cases SET step = $1, step_since = $2, version = version + 1 WHERE id = $3 AND version = $4";
pub(crate) const CASE_COLUMNS_FROM: &str =
    "SELECT id, household_id, county_code, category, channel, step, step_since, version FROM cases";
pub(crate) const CASE_EVENTS: &str =
    "SELECT step, on_date, actor, evidence, notice_end, at FROM case_events WHERE case_id = $1 ORDER BY id";
pub(crate) const UPSERT_INCOME_CHECK: &str = "INSERT INTO case_income_checks (case_id, on_date, income_pc) \
     VALUES ($1, $2, $3) ON CONFLICT (case_id, on_date) DO UPDATE SET income_pc = excluded.income_pc";
pub(crate) const INCOME_CHECKS: &str =
    "SELECT on_date, income_pc FROM case_income_checks WHERE case_id = $1 ORDER BY on_date";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_writes_number_every_parameter() {
        assert!(insert_members(2).ends_with(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10), ($11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
        ));
        assert_eq!(delete_members_of(3), "DELETE FROM household_members WHERE household_id IN ($1, $2, $3)");
        assert!(bump_household_versions(1).ends_with("WHERE id IN ($1)"));
    }

    #[test]
    fn household_upserts_number_every_parameter() {
        let sql = upsert_households(2, false);
        assert!(sql.contains("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14), ($15, "));
        assert!(sql.contains("$28) ON CONFLICT (id) DO UPDATE") && !sql.contains("income_wage"));
        let sql = upsert_households(2, true);
        assert!(sql.contains(
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19), ($20, "
        ));
        assert!(sql.contains("$38) ON CONFLICT (id) DO UPDATE") && sql.contains("COALESCE(excluded.income_wage"));
    }

    #[test]
    fn like_wildcards_in_a_query_match_themselves() {
        assert_eq!(contains_pattern(" 贵阳 "), "%贵阳%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn the_observations_query_names_only_the_filters_in_use_and_numbers_them_in_order() {
        let query =
            crate::ObservationQuery { level: Some("county".into()), period: Some("2020".into()), ..Default::default() };
        let after = crate::ObservationKey { indicator: "a".into(), region: "b".into(), period: "c".into() };
        let (sql, binds) = observations(&query, Some(&after));
        assert!(sql.contains(" JOIN regions r "), "{sql}");
        assert!(
            sql.ends_with(
                "WHERE r.level = $1 AND o.period = $2 AND (o.indicator_code, o.region_code, o.period) > ($3, $4, $5) \
                 ORDER BY o.indicator_code, o.region_code, o.period LIMIT $6"
            ),
            "{sql}"
        );
        assert_eq!(binds, ["county", "2020", "a", "b", "c"]);
        let (sql, binds) = observations(&crate::ObservationQuery::default(), None);
        assert!(!sql.contains("JOIN") && !sql.contains("WHERE") && sql.ends_with("LIMIT $1"), "{sql}");
        assert!(binds.is_empty());
    }
}
