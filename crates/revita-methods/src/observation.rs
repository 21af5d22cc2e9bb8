//! Observations: one value of one indicator for one region and period.

use std::fmt;

use crate::indicator::IndicatorCode;
use crate::region::RegionCode;

/// A reporting period. Years are what revita's data hold today; quarters and
/// months are parsed and ordered so that monthly monitoring data fit later
/// without a schema change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// A calendar year, written `2020`.
    Year(i32),
    /// A quarter 1–4, written `2020Q1`.
    Quarter(i32, u8),
    /// A month 1–12, written `2020-03`.
    Month(i32, u8),
}

/// Why a text is not a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a period (expected a year like 2020, a quarter like 2020Q1 or a month like 2020-03)")]
pub struct PeriodError(pub String);

impl Period {
    /// Parses `YYYY`, `YYYYQn` or `YYYY-MM`. A float-looking year such as
    /// `2020.0`, as spreadsheets write it, is accepted as the year.
    pub fn parse(text: &str) -> Result<Period, PeriodError> {
        let text = text.trim();
        let error = || PeriodError(text.to_string());
        let year = |y: &str| -> Result<i32, PeriodError> {
            if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) {
                y.parse().map_err(|_| error())
            } else {
                Err(error())
            }
        };
        if let Some((y, q)) = text.split_once(['Q', 'q']) {
            let q: u8 = q.parse().map_err(|_| error())?;
            return if (1..=4).contains(&q) { Ok(Period::Quarter(year(y)?, q)) } else { Err(error()) };
        }
        if let Some((y, m)) = text.split_once('-') {
            let m: u8 = if m.len() == 2 { m.parse().map_err(|_| error())? } else { 0 };
            return if (1..=12).contains(&m) { Ok(Period::Month(year(y)?, m)) } else { Err(error()) };
        }
        let whole = text.strip_suffix(".0").unwrap_or(text);
        Ok(Period::Year(year(whole)?))
    }

    /// The calendar year the period lies in.
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Quarter(y, _) | Period::Month(y, _) => y,
        }
    }

    /// The period's last day (a status "in 2020" is the status on
    /// 2020-12-31).
    pub fn last_day(self) -> crate::Date {
        let first_after = |year: i32, month: u8| {
            let (year, month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
            crate::Date::new(year, month, 1).expect("the first of a month is a date")
        };
        match self {
            Period::Year(y) => crate::Date::last_of_year(y),
            Period::Quarter(y, q) => first_after(y, q * 3).day_before(),
            Period::Month(y, m) => first_after(y, m).day_before(),
        }
    }

    /// Whether an observation can be for this period in `this_year`: from
    /// [`EARLIEST_YEAR`] to the current year (an observation records what
    /// happened; a year ahead is a typo or a projection, which belongs in a
    /// plan's targets).
    pub fn check_plausible(self, this_year: i32) -> Result<(), ImplausiblePeriod> {
        let year = self.year();
        if year < EARLIEST_YEAR {
            Err(ImplausiblePeriod::TooEarly(self))
        } else if year > this_year {
            Err(ImplausiblePeriod::Future { period: self, this_year })
        } else {
            Ok(())
        }
    }
}

/// The earliest year an observation may be for (regional statistics start
/// in the twentieth century; an earlier year is a typo such as 1020).
pub const EARLIEST_YEAR: i32 = 1900;

/// Why a period is not one an observation can be for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImplausiblePeriod {
    /// Before [`EARLIEST_YEAR`].
    #[error("period {0} is before {EARLIEST_YEAR}: is the year mistyped?")]
    TooEarly(Period),
    /// After the current year.
    #[error("period {period} lies in the future (this is {this_year}); targets belong in a plan")]
    Future {
        /// The period.
        period: Period,
        /// The current year.
        this_year: i32,
    },
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Quarter(y, q) => write!(f, "{y:04}Q{q}"),
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
        }
    }
}

/// How final a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObservationStatus {
    /// Published, final figure.
    #[default]
    Final,
    /// Preliminary figure that may be revised.
    Provisional,
    /// Estimated by a model or an analyst.
    Estimated,
    /// Made up for demonstration; every screen and export must say so.
    Synthetic,
}

impl ObservationStatus {
    /// Parses the keyword (empty means final).
    pub fn parse(text: &str) -> Option<ObservationStatus> {
        match text.trim() {
            "" | "final" => Some(ObservationStatus::Final),
            "provisional" => Some(ObservationStatus::Provisional),
            "estimated" => Some(ObservationStatus::Estimated),
            "synthetic" => Some(ObservationStatus::Synthetic),
            _ => None,
        }
    }

    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            ObservationStatus::Final => "final",
            ObservationStatus::Provisional => "provisional",
            ObservationStatus::Estimated => "estimated",
            ObservationStatus::Synthetic => "synthetic",
        }
    }
}

/// One value of one indicator for one region and period.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// What is measured.
    pub indicator: IndicatorCode,
    /// Where.
    pub region: RegionCode,
    /// When.
    pub period: Period,
    /// The value, always finite, in the indicator's unit.
    pub value: f64,
    /// Where the value comes from.
    pub source: Option<String>,
    /// How final it is.
    pub status: ObservationStatus,
}

/// Parses a number as written in statistical tables: surrounding spaces and
/// thousands separators (`1,234.5`) are allowed; `NaN` and infinities are not.
pub fn parse_value(text: &str) -> Option<f64> {
    let text = text.trim();
    let cleaned: String;
    let text = if text.contains(',') {
        cleaned = text.replace(',', "");
        &cleaned
    } else {
        text
    };
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The period a map shows by default: the latest one whose coverage (the
/// regions with a value) is at least half of the best-covered period's, so
/// that one county's early report of a new year does not turn a national map
/// grey (issue 16). `coverage` runs oldest first.
pub fn broadly_covered<P>(coverage: &[(P, i64)]) -> Option<&P> {
    let best = coverage.iter().map(|(_, n)| *n).max()?;
    coverage.iter().rev().find(|(_, n)| n.saturating_mul(2) >= best).map(|(p, _)| p)
}

#[cfg(test)]
mod tests;
