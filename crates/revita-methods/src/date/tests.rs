use super::*;

#[test]
fn iso_dates_round_trip() {
    let d = Date::parse("2021-08-27").unwrap();
    assert_eq!((d.year(), d.to_string()), (2021, "2021-08-27".to_string()));
}

#[test]
fn leap_days_follow_the_gregorian_rule() {
    assert!(Date::parse("2020-02-29").is_ok());
    assert!(Date::parse("2000-02-29").is_ok());
    assert_eq!(Date::parse("1900-02-29"), Err(DateError::OutOfRange("1900-02-29".into())));
}

#[test]
fn malformed_dates_are_rejected() {
    for bad in ["2021-8-27", "2021/08/27", "20210827", "", "2021-08-27-01", "abcd-ef-gh"] {
        assert!(matches!(Date::parse(bad), Err(DateError::Format(_))), "{bad}");
    }
    assert!(matches!(Date::parse("2021-13-01"), Err(DateError::OutOfRange(_))));
}

#[test]
fn open_ended_intervals_contain_every_later_date() {
    let d = Date::parse("2019-12-31").unwrap();
    assert!(within(d, None, None));
    assert!(within(d, Some(Date::first_of_year(2012)), Some(Date::last_of_year(2019))));
    assert!(!within(d, Some(Date::first_of_year(2020)), None));
    assert!(!within(d, None, Some(Date::parse("2019-12-30").unwrap())));
}

#[test]
fn days_since_the_epoch_become_calendar_dates() {
    let d = |days| Date::from_days_since_epoch(days).to_string();
    assert_eq!(d(0), "1970-01-01");
    assert_eq!(d(-1), "1969-12-31");
    // 2000 is a leap year: day 11,016 is 2000-02-29, the next is 2000-03-01.
    assert_eq!((d(11_016), d(11_017)), ("2000-02-29".to_string(), "2000-03-01".to_string()));
    assert_eq!(d(18_866), "2021-08-27");
}

#[test]
fn the_day_before_crosses_months_years_and_leap_days() {
    let before = |text: &str| Date::parse(text).unwrap().day_before().to_string();
    assert_eq!(before("2021-01-01"), "2020-12-31");
    assert_eq!(before("2020-03-01"), "2020-02-29");
    assert_eq!(before("2021-03-01"), "2021-02-28");
    assert_eq!(before("2021-05-01"), "2021-04-30");
    assert_eq!(before("2021-05-17"), "2021-05-16");
}

#[test]
fn days_since_the_epoch_round_trip() {
    for text in ["1970-01-01", "2000-02-29", "2021-08-27", "1969-12-31", "2100-03-01", "1600-01-01"] {
        let date = Date::parse(text).unwrap();
        assert_eq!(Date::from_days_since_epoch(date.days_since_epoch()), date, "{text}");
    }
    assert_eq!(Date::parse("1970-01-02").unwrap().days_since_epoch(), 1);
    assert_eq!(Date::parse("2021-01-01").unwrap().days_since_epoch(), 18_628);
}

#[test]
fn times_show_in_a_fixed_offset_and_days_start_there() {
    // 2026-12-06 16:25:12 UTC is 2026-12-07 00:25:12 in Beijing.
    let at = 1_796_574_312;
    assert_eq!(UtcOffset::UTC.format(at), "2026-12-06 16:25:12");
    assert_eq!(UtcOffset::CHINA.format(at), "2026-12-07 00:25:12");
    assert_eq!(UtcOffset::parse("Asia/Shanghai"), Ok(UtcOffset::CHINA));
    assert_eq!(UtcOffset::parse("-05:30").unwrap().label(), "UTC-05:30");
    assert!(UtcOffset::parse("Europe/Paris").is_err() && UtcOffset::parse("+8").is_err());
    // Beijing's 7 December starts at 16:00 UTC on the 6th.
    let day = Date::parse("2026-12-07").unwrap();
    assert_eq!(UtcOffset::CHINA.format(UtcOffset::CHINA.start_of(day)), "2026-12-07 00:00:00");
    assert_eq!(UtcOffset::UTC.format(UtcOffset::CHINA.start_of(day)), "2026-12-06 16:00:00");
}
