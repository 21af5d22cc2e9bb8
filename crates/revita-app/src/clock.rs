//! The wall clock, read here and handed down: the methods take today's date
//! as a parameter (they have no clock), and tests pass a date of their own.

use revita_methods::Date;

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Today's date (UTC).
pub fn today() -> Date {
    Date::from_days_since_epoch(now().div_euclid(86_400))
}

/// The current year (UTC).
pub fn this_year() -> i32 {
    today().year()
}
