//! The API's lists: every list is paged by a cursor (`limit`, `after`,
//! `next`) with a `total` on its first page, and is also served whole as
//! CSV at the same path with `.csv` (within the same jurisdiction, up to
//! [`MAX_CSV_ROWS`]).

use axum::Json;
use axum::response::{IntoResponse, Response};
use revita_app::AppError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The largest page a list gives.
pub const MAX_PAGE: i64 = 10_000;

/// The most rows one CSV download gives; more is a job for `revita export`
/// or the paged list.
pub const MAX_CSV_ROWS: i64 = 1_000_000;

/// The paging parameters of a list.
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    /// Page size (default per list, at most [`MAX_PAGE`]).
    pub limit: Option<i64>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// What the caller asked of a list: one page, or all of it as CSV.
#[derive(Debug, Clone)]
pub enum Want {
    /// A page of at most `limit` rows after the cursor `after`.
    Page { limit: i64, after: Option<String> },
    /// Every row, as CSV.
    Csv,
}

impl Want {
    /// The request's wish: CSV when the path ends in `.csv`, else a page
    /// of `limit` (or `default`) rows.
    pub fn of(csv: bool, paging: &Paging, default: i64) -> Result<Want, ApiError> {
        if csv {
            return Ok(Want::Csv);
        }
        if paging.after.as_deref().is_some_and(|a| a.trim().is_empty()) {
            return Err(AppError::Invalid("after: give the `next` cursor of the previous page".into()).into());
        }
        Ok(Want::Page { limit: page_size(paging.limit, default)?, after: paging.after.clone() })
    }

    /// How many rows to read (one more page's worth is never needed: a
    /// full page has a next one, which may be empty).
    pub fn limit(&self) -> i64 {
        match self {
            Want::Page { limit, .. } => *limit,
            Want::Csv => MAX_CSV_ROWS,
        }
    }

    /// The cursor to start after.
    pub fn after(&self) -> Option<&str> {
        match self {
            Want::Page { after, .. } => after.as_deref(),
            Want::Csv => None,
        }
    }

    /// Whether the total is worth counting: on a first page, or to refuse
    /// a CSV past its limit.
    pub fn counts(&self) -> bool {
        self.after().is_none()
    }

    /// Refuses a CSV of more than [`MAX_CSV_ROWS`] rows, before any is
    /// read.
    pub fn allow(&self, total: Option<i64>) -> Result<(), ApiError> {
        match (self, total) {
            (Want::Csv, Some(total)) if total > MAX_CSV_ROWS => {
                let reason =
                    format!("{total} rows match, more than one download of {MAX_CSV_ROWS}: page through the list");
                Err(AppError::Invalid(reason).into())
            }
            _ => Ok(()),
        }
    }
}

/// A page size from the request: `default` when none, refused outside
/// 1..=[`MAX_PAGE`].
pub fn page_size(limit: Option<i64>, default: i64) -> Result<i64, ApiError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(n) => Err(AppError::Invalid(format!("limit {n} is not between 1 and {MAX_PAGE}")).into()),
    }
}

/// A row number in a cursor: 1 to 18 digits, nothing else (not `+5`).
pub fn sequence_number(text: &str) -> Option<i64> {
    let digits = !text.is_empty() && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten()
}

/// A list's rows as the caller wants them: `{"<name>": [...], "next": …,
/// "total": …}`, or CSV with `columns` (the rows' JSON fields of those
/// names) named `<stem>.csv`. `cursor` gives a row's key for `next`.
pub struct Listing<'a, T> {
    /// The key of the rows in the JSON page (`regions`, `plans`, …).
    pub name: &'static str,
    /// The CSV's columns: fields of a row's JSON form.
    pub columns: &'a [&'a str],
    /// The rows of the page (or all of them, for CSV).
    pub rows: Vec<T>,
    /// How many rows the list holds, when counted.
    pub total: Option<i64>,
}

impl<T: Serialize> Listing<'_, T> {
    /// The response: a page whose `next` is `cursor` of its last row when
    /// the page is full, or the CSV file.
    pub fn respond(self, want: &Want, stem: &str, cursor: impl Fn(&T) -> String) -> Result<Response, ApiError> {
        match want {
            Want::Csv => {
                want.allow(self.total)?;
                let header: Vec<String> = self.columns.iter().map(|c| c.to_string()).collect();
                let rows: Vec<Vec<String>> = self.rows.iter().map(|r| csv_row(self.columns, r)).collect();
                let bytes = revita_app::export::csv_table(&header, &rows)?;
                Ok(crate::kit::attachment(bytes, revita_app::export::ExportFormat::Csv, stem))
            }
            Want::Page { limit, .. } => {
                let next = (self.rows.len() as i64 == *limit).then(|| self.rows.last().map(&cursor)).flatten();
                let mut page = Map::new();
                let rows = serde_json::to_value(&self.rows)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("a row does not serialise: {e}")))?;
                page.insert(self.name.into(), rows);
                page.insert("next".into(), next.map_or(Value::Null, Value::String));
                if let Some(total) = self.total {
                    page.insert("total".into(), total.into());
                }
                Ok(Json(Value::Object(page)).into_response())
            }
        }
    }
}

/// A row's cells: each named field of its JSON form as text (nested values
/// as JSON, missing and null as empty).
fn csv_row<T: Serialize>(columns: &[&str], row: &T) -> Vec<String> {
    let value = serde_json::to_value(row).unwrap_or(Value::Null);
    columns
        .iter()
        .map(|c| match value.get(c) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        code: &'static str,
        n: Option<i64>,
        tags: Vec<&'static str>,
    }

    #[test]
    fn a_row_becomes_the_named_cells() {
        let row = Row { code: "520102", n: None, tags: vec!["a"] };
        assert_eq!(csv_row(&["code", "n", "tags", "absent"], &row), ["520102", "", "[\"a\"]", ""]);
    }

    #[test]
    fn a_sequence_number_is_digits_only() {
        assert_eq!(sequence_number("42"), Some(42));
        for bad in ["", "+5", "-1", "4 2", "1234567890123456789"] {
            assert_eq!(sequence_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_page_size_outside_the_bounds_is_refused() {
        assert_eq!(page_size(None, 20).unwrap(), 20);
        assert_eq!(page_size(Some(MAX_PAGE), 20).unwrap(), MAX_PAGE);
        assert!(page_size(Some(0), 20).is_err());
        assert!(page_size(Some(MAX_PAGE + 1), 20).is_err());
    }
}
