//! Calendar dates without a clock: `valid_from` / `valid_to` of regions and
//! designations. Only the proleptic Gregorian calendar and ISO 8601 text
//! (`YYYY-MM-DD`) are needed, so a small value type replaces a date library.

use std::fmt;

/// A calendar date, ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not of the form `YYYY-MM-DD`.
    #[error("'{0}' is not a date in the form YYYY-MM-DD")]
    Format(String),
    /// Month or day out of range for the year.
    #[error("'{0}' is not a calendar date")]
    OutOfRange(String),
}

impl Date {
    /// Builds a date, checking month and day (leap years included).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// The first of January of `year`.
    pub fn first_of_year(year: i32) -> Date {
        Date { year, month: 1, day: 1 }
    }

    /// The last of December of `year`.
    pub fn last_of_year(year: i32) -> Date {
        Date { year, month: 12, day: 31 }
    }

    /// Parses ISO 8601 `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let text = text.trim();
        let format_error = || DateError::Format(text.to_string());
        let mut parts = text.split('-');
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(format_error());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(format_error());
        }
        let year: i32 = y.parse().map_err(|_| format_error())?;
        let month: u8 = m.parse().map_err(|_| format_error())?;
        let day: u8 = d.parse().map_err(|_| format_error())?;
        Date::new(year, month, day).ok_or_else(|| DateError::OutOfRange(text.to_string()))
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before): the inverse of
    /// [`Date::from_days_since_epoch`] (Hinnant's `days_from_civil`).
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400); // 0..399
        let month = i64::from(self.month);
        let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day before (e.g. the last day of an old list when a new one takes
    /// effect).
    pub fn day_before(self) -> Date {
        match (self.month, self.day) {
            (1, 1) => Date::last_of_year(self.year - 1),
            (month, 1) => Date { year: self.year, month: month - 1, day: days_in_month(self.year, month - 1) },
            (month, day) => Date { year: self.year, month, day: day - 1 },
        }
    }

    /// The date `days` days after 1970-01-01 (negative: before).
    ///
    /// Source: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
    /// `civil_from_days`: shift the epoch to 0000-03-01 so that leap days
    /// fall at the end of a 400-year era, then split eras, years of era and
    /// days of year.
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097); // day of era, 0..146096
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // year of era, 0..399
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st
        let mp = (5 * doy + 2) / 153; // month from March, 0..11
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Whether `date` falls in the closed interval `[from, to]`, an open end
/// meaning "since ever" or "still valid".
pub fn within(date: Date, from: Option<Date>, to: Option<Date>) -> bool {
    from.is_none_or(|f| f <= date) && to.is_none_or(|t| date <= t)
}

#[cfg(test)]
mod tests;

/// A fixed offset from UTC in which times are shown (China keeps one time,
/// UTC+8, in every province and has no daylight saving, so a fixed offset
/// is exact for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcOffset {
    seconds: i32,
}

/// Why a text is not a time zone revita knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a time zone revita knows: give Asia/Shanghai, UTC or an offset such as +08:00")]
pub struct TimeZoneError(pub String);

/// Beijing time: revita's users keep it.
impl Default for UtcOffset {
    fn default() -> UtcOffset {
        UtcOffset::CHINA
    }
}

impl UtcOffset {
    /// China Standard Time (Beijing time), the default.
    pub const CHINA: UtcOffset = UtcOffset { seconds: 8 * 3600 };
    /// UTC itself.
    pub const UTC: UtcOffset = UtcOffset { seconds: 0 };

    /// Reads `Asia/Shanghai` (and China's other zone names, which keep
    /// Beijing time), `UTC`, or `+HH:MM` / `-HH:MM`.
    pub fn parse(text: &str) -> Result<UtcOffset, TimeZoneError> {
        let text = text.trim();
        let error = || TimeZoneError(text.to_string());
        match text {
            "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Harbin" | "Asia/Urumqi" | "PRC" | "CST" => {
                return Ok(UtcOffset::CHINA);
            }
            "UTC" | "Etc/UTC" | "Z" => return Ok(UtcOffset::UTC),
            _ => {}
        }
        let (sign, rest) = match text.as_bytes().first() {
            Some(b'+') => (1, &text[1..]),
            Some(b'-') => (-1, &text[1..]),
            _ => return Err(error()),
        };
        let (h, m) = rest.split_once(':').ok_or_else(error)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(error());
        }
        let (h, m): (i32, i32) = (h.parse().map_err(|_| error())?, m.parse().map_err(|_| error())?);
        if !(0..=14).contains(&h) || !(0..60).contains(&m) {
            return Err(error());
        }
        Ok(UtcOffset { seconds: sign * (h * 3600 + m * 60) })
    }

    /// `at` (Unix seconds) as local `YYYY-MM-DD HH:MM:SS`.
    pub fn format(self, at: i64) -> String {
        let local = at + i64::from(self.seconds);
        let date = Date::from_days_since_epoch(local.div_euclid(86_400));
        let secs = local.rem_euclid(86_400);
        format!("{date} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
    }

    /// The Unix time at which `date` begins here.
    pub fn start_of(self, date: Date) -> i64 {
        date.days_since_epoch() * 86_400 - i64::from(self.seconds)
    }

    /// The offset as `+HH:MM`.
    pub fn label(self) -> String {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let s = self.seconds.abs();
        format!("UTC{sign}{:02}:{:02}", s / 3600, s % 3600 / 60)
    }
}
