//! Pacific time: YouTube's quota day and its Analytics days are calendar days in
//! `America/Los_Angeles`, so they are 23, 24 or 25 hours long across daylight saving. The
//! IANA rules come from `chrono-tz`, never from a fixed offset.

use chrono::{DateTime, Duration, NaiveDate, TimeZone as _, Utc};
use chrono_tz::America::Los_Angeles;

/// The Pacific calendar day `time` falls on.
pub fn pacific_day(time: DateTime<Utc>) -> NaiveDate {
    time.with_timezone(&Los_Angeles).date_naive()
}

/// The instant midnight Pacific time begins `day`. Midnight always exists in Los Angeles (the
/// clocks change at 02:00), so the fallback only guards against a future rule change.
pub fn pacific_midnight(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match Los_Angeles.from_local_datetime(&midnight).earliest() {
        Some(time) => time.with_timezone(&Utc),
        None => Utc.from_utc_datetime(&midnight) + Duration::hours(8),
    }
}

/// The next midnight Pacific time strictly after `time`: when the quota resets.
pub fn next_pacific_midnight(time: DateTime<Utc>) -> DateTime<Utc> {
    let day = pacific_day(time);
    pacific_midnight(day.succ_opt().unwrap_or(day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("valid time")
            .with_timezone(&Utc)
    }

    #[test]
    fn midnight_is_eight_hours_after_utc_midnight_in_winter_and_seven_in_summer() {
        assert_eq!(
            next_pacific_midnight(utc("2026-12-05T12:00:00Z")),
            utc("2026-12-06T08:00:00Z")
        );
        assert_eq!(
            next_pacific_midnight(utc("2026-07-01T12:00:00Z")),
            utc("2026-07-02T07:00:00Z")
        );
    }

    #[test]
    fn the_days_around_the_changes_are_23_and_25_hours_long() {
        // 2026-03-08: clocks spring forward; 2026-11-01: they fall back.
        let march_8 = NaiveDate::from_ymd_opt(2026, 3, 8).expect("date");
        let march_9 = NaiveDate::from_ymd_opt(2026, 3, 9).expect("date");
        assert_eq!(
            pacific_midnight(march_9) - pacific_midnight(march_8),
            Duration::hours(23)
        );
        let november_1 = NaiveDate::from_ymd_opt(2026, 11, 1).expect("date");
        let november_2 = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        assert_eq!(
            pacific_midnight(november_2) - pacific_midnight(november_1),
            Duration::hours(25)
        );
        assert_eq!(pacific_day(utc("2026-11-02T07:59:59Z")), november_1);
        assert_eq!(pacific_day(utc("2026-11-02T08:00:00Z")), november_2);
    }
}
