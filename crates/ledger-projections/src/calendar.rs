//! The customer's calendar: the default windows of the seeds' pages are
//! calendar-based in the customer's time zone, while every instant on the
//! wire stays UTC.
//!
//! - "the last 7 days" (order list) and "the last 3 months" (contract
//!   list): from local midnight of the date 7 days (3 months) before today,
//!   through now. This covers the 7 (or the 3 months of) whole calendar days
//!   before today and today so far, and always contains the rolling window
//!   `now - span ..= now`.
//! - "the current month" (the contract application's order picker): the
//!   local calendar month holding now, from its first midnight to the last
//!   millisecond before the next month's.
//! - A date alone (`2024-11-22`) in a query is that local day: its first
//!   millisecond for a begin, its last for an end.
//!
//! The zone is the request's `time_zone` (an IANA name), else
//! [`DEFAULT_TIME_ZONE`], the Baidu pages' zone.

use chrono::{
    DateTime, Datelike as _, Days, Duration, LocalResult, Months, NaiveDate, NaiveTime, TimeZone,
    Utc,
};
use chrono_tz::Tz;

use crate::orders::TimeRange;

/// The zone of the seeds' pages when a request names none.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// Longest IANA zone name accepted.
pub const MAX_TIME_ZONE_CHARS: usize = 64;

/// An IANA zone name (`Asia/Shanghai`, `UTC`, `Europe/Berlin`).
pub fn parse_time_zone(name: &str) -> Result<Tz, String> {
    if name.chars().count() > MAX_TIME_ZONE_CHARS {
        return Err(format!(
            "time zone name longer than {MAX_TIME_ZONE_CHARS} characters"
        ));
    }
    name.parse::<Tz>().map_err(|_| {
        format!("unknown time zone {name:?} (expected an IANA name such as Asia/Shanghai)")
    })
}

/// The first instant of `date` in `tz`. A midnight skipped by a daylight
/// saving change starts the day at the first instant that exists.
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let mut t = date.and_time(NaiveTime::MIN);
    // A gap is at most a few hours; step through it by minutes.
    for _ in 0..=24 * 60 {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(l) => return l.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => t += Duration::minutes(1),
        }
    }
    // No zone skips a whole day at midnight; fall back to the UTC midnight.
    date.and_time(NaiveTime::MIN).and_utc()
}

/// The last millisecond of `date` in `tz`.
pub fn end_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
    start_of_day(next, tz) - Duration::milliseconds(1)
}

fn today(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// From local midnight `days` days before today, through `now`.
pub fn last_days(now: DateTime<Utc>, tz: Tz, days: u64) -> TimeRange {
    let first = today(now, tz)
        .checked_sub_days(Days::new(days))
        .unwrap_or(NaiveDate::MIN);
    TimeRange::new(start_of_day(first, tz).min(now), now)
}

/// From local midnight `months` months before today, through `now`.
pub fn last_months(now: DateTime<Utc>, tz: Tz, months: u32) -> TimeRange {
    let first = today(now, tz)
        .checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN);
    TimeRange::new(start_of_day(first, tz).min(now), now)
}

/// The local calendar month holding `now`.
pub fn current_month(now: DateTime<Utc>, tz: Tz) -> TimeRange {
    let local = today(now, tz);
    let first = local.with_day0(0).expect("every month has a first day");
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    TimeRange::new(
        start_of_day(first, tz),
        start_of_day(next, tz) - Duration::milliseconds(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    /// Seed: "We will default to filtering the list of orders Paid for in
    /// the Current Month" — the month of the customer's calendar: 30 Nov
    /// 20:00 UTC is already 1 December in Shanghai.
    #[test]
    fn the_current_month_is_the_customers_calendar_month() {
        let m = current_month(utc(2024, 11, 30, 20), DEFAULT_TIME_ZONE);
        assert_eq!(m.begin, utc(2024, 11, 30, 16));
        assert_eq!(m.end, utc(2024, 12, 31, 16) - Duration::milliseconds(1));
        let m = current_month(utc(2024, 11, 30, 20), chrono_tz::UTC);
        assert_eq!(m.begin, utc(2024, 11, 1, 0));
        assert_eq!(m.end, utc(2024, 12, 1, 0) - Duration::milliseconds(1));
    }

    #[test]
    fn the_last_7_days_start_at_local_midnight_and_contain_the_rolling_window() {
        let now = utc(2024, 11, 22, 8); // 16:00 in Shanghai
        let w = last_days(now, DEFAULT_TIME_ZONE, 7);
        assert_eq!(w.begin, utc(2024, 11, 14, 16)); // 15 Nov 00:00 +08
        assert_eq!(w.end, now);
        assert!(w.begin <= now - Duration::days(7));
        let w = last_months(now, DEFAULT_TIME_ZONE, 3);
        assert_eq!(w.begin, utc(2024, 8, 21, 16)); // 22 Aug 00:00 +08
    }

    #[test]
    fn a_day_is_local_and_a_skipped_midnight_starts_at_the_first_instant() {
        let d = NaiveDate::from_ymd_opt(2024, 11, 22).unwrap();
        assert_eq!(start_of_day(d, DEFAULT_TIME_ZONE), utc(2024, 11, 21, 16));
        assert_eq!(
            end_of_day(d, DEFAULT_TIME_ZONE),
            utc(2024, 11, 22, 16) - Duration::milliseconds(1)
        );
        // Havana skips midnight on its spring-forward day (2024-03-10).
        let havana: Tz = parse_time_zone("America/Havana").unwrap();
        let spring = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap();
        let start = start_of_day(spring, havana);
        assert_eq!(start.with_timezone(&havana).date_naive(), spring);
    }

    #[test]
    fn a_zone_is_an_iana_name() {
        assert_eq!(parse_time_zone("Asia/Shanghai").unwrap(), DEFAULT_TIME_ZONE);
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert!(parse_time_zone(&"x".repeat(65)).is_err());
    }
}
