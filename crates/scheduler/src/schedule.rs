//! The cron schedules of the worker daemon's jobs.
//!
//! The `cron` crate reads 6 or 7 fields (seconds first, optional year); people write the
//! standard 5-field crontab form, so that is accepted too and read as "at second 0". Times
//! are UTC.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use cron::Schedule;
use domain::Platform;
use serde::Serialize;

/// A job the daemon runs on a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Refresh the tokens that expire soon.
    RefreshTokens,
    /// Sync every due connection, all platforms.
    SyncAllPlatforms,
    /// Sync every due connection of one platform: staggered after the all-platforms pass,
    /// it picks up what that pass left (deferred for the budget, failed and past their
    /// backoff), each platform at its own time.
    SyncPlatform(Platform),
}

impl Job {
    /// The order the daemon runs jobs that fall due together: tokens first, so the syncs
    /// that follow find them fresh.
    const fn rank(self) -> u8 {
        match self {
            Self::RefreshTokens => 0,
            Self::SyncAllPlatforms => 1,
            Self::SyncPlatform(_) => 2,
        }
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RefreshTokens => f.write_str("token refresh"),
            Self::SyncAllPlatforms => f.write_str("all-platforms sync"),
            Self::SyncPlatform(platform) => write!(f, "{platform} sync"),
        }
    }
}

/// The default schedule of the all-platforms sync: 03:00 UTC, as the product's master sync.
pub const DEFAULT_SYNC_ALL_PLATFORMS: &str = "0 0 3 * * *";
/// The default schedule of the token refresh: hourly.
pub const DEFAULT_REFRESH_TOKENS: &str = "0 0 * * * *";

/// A schedule expression that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid cron schedule for the {job}: {expr:?}: {source}")]
pub struct ScheduleError {
    /// The job whose schedule is bad.
    pub job: Job,
    /// The expression as given.
    pub expr: String,
    /// What the parser said.
    #[source]
    pub source: cron::error::Error,
}

/// Parses a cron expression: 6 or 7 fields (seconds first), a shorthand such as `@daily`, or
/// the standard 5-field crontab form (minute hour day-of-month month day-of-week), which is
/// read as at second 0. In the 5-field form the day of week counts from 0 (or 7) = Sunday as
/// in crontab; numeric days are translated to names because the `cron` crate counts from
/// 1 = Sunday.
pub fn parse_cron(expr: &str) -> Result<Schedule, cron::error::Error> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    if let [minute, hour, day_of_month, month, day_of_week] = fields.as_slice() {
        let day_of_week = crontab_days_of_week(day_of_week);
        let six = format!("0 {minute} {hour} {day_of_month} {month} {day_of_week}");
        return Schedule::from_str(&six);
    }
    Schedule::from_str(expr)
}

const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Rewrites a crontab day-of-week field for the `cron` crate. Each comma-separated item that is
/// purely numeric (`5`, `1-5`, `0-6/2`, `5-7`) is expanded into the day names it covers;
/// anything else (`*`, `*/2`, names, or text the parser will reject) is kept as written. `*/n`
/// means the same days in both numberings, since both start the week on Sunday.
fn crontab_days_of_week(field: &str) -> String {
    field
        .split(',')
        .map(|item| expand_numeric_days(item).unwrap_or_else(|| item.to_owned()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Expands `a`, `a-b`, `a/s` or `a-b/s` (crontab numbering, 0 and 7 are Sunday) into day
/// names; `None` when the item is not of that form.
fn expand_numeric_days(item: &str) -> Option<String> {
    let (range, step) = match item.split_once('/') {
        Some((range, step)) => (range, step.parse::<u32>().ok().filter(|step| *step > 0)?),
        None => (item, 1),
    };
    let (first, last) = match range.split_once('-') {
        Some((first, last)) => (first.parse::<u32>().ok()?, last.parse::<u32>().ok()?),
        // In crontab `a/s` runs from `a` to the end of the week.
        None if item.contains('/') => (range.parse::<u32>().ok()?, 7),
        None => {
            let day = range.parse::<u32>().ok()?;
            (day, day)
        }
    };
    if first > last || last > 7 {
        return None;
    }
    let mut names: Vec<&str> = Vec::new();
    for day in (first..=last).step_by(usize::try_from(step).ok()?) {
        let name = DAY_NAMES.get(usize::try_from(day % 7).ok()?)?;
        if !names.contains(name) {
            names.push(name);
        }
    }
    Some(names.join(","))
}

/// The next time a schedule fires after `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextRun {
    /// When.
    pub at: DateTime<Utc>,
    /// The jobs due then, tokens first, then the all-platforms sync, then each platform's.
    pub jobs: Vec<Job>,
}

/// The daemon's schedules, validated: the token refresh, the all-platforms sync, and one
/// sync per platform.
#[derive(Debug, Clone)]
pub struct Schedules {
    jobs: Vec<(Job, Schedule)>,
}

impl Schedules {
    /// The token refresh and the all-platforms sync on `refresh_tokens` and
    /// `sync_all_platforms` (see [`parse_cron`] for the forms accepted); an error names the
    /// job whose expression is bad. Add each platform's with [`Schedules::with_platform`].
    pub fn new(sync_all_platforms: &str, refresh_tokens: &str) -> Result<Self, ScheduleError> {
        Self { jobs: Vec::new() }
            .with(Job::RefreshTokens, refresh_tokens)?
            .with(Job::SyncAllPlatforms, sync_all_platforms)
    }

    /// Adds `platform`'s own sync on `expr`.
    pub fn with_platform(self, platform: Platform, expr: &str) -> Result<Self, ScheduleError> {
        self.with(Job::SyncPlatform(platform), expr)
    }

    fn with(mut self, job: Job, expr: &str) -> Result<Self, ScheduleError> {
        let schedule = parse_cron(expr).map_err(|source| ScheduleError {
            job,
            expr: expr.to_owned(),
            source,
        })?;
        self.jobs.retain(|(existing, _)| *existing != job);
        self.jobs.push((job, schedule));
        self.jobs.sort_by_key(|(job, _)| job.rank());
        Ok(self)
    }

    /// Every scheduled job, tokens first.
    pub fn jobs(&self) -> impl Iterator<Item = Job> + '_ {
        self.jobs.iter().map(|(job, _)| *job)
    }

    /// The schedule of `job`, if it is scheduled.
    pub fn schedule(&self, job: Job) -> Option<&Schedule> {
        self.jobs
            .iter()
            .find(|(scheduled, _)| *scheduled == job)
            .map(|(_, schedule)| schedule)
    }

    /// The first time strictly after `now` that `job` runs; `None` when it is not scheduled
    /// or its schedule never fires again (e.g. a past year).
    pub fn next_after(&self, job: Job, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule(job)?.after(&now).next()
    }

    /// The next instant strictly after `now` at which any job runs, with every job due then.
    pub fn next_run(&self, now: DateTime<Utc>) -> Option<NextRun> {
        let next: Vec<(Job, DateTime<Utc>)> = self
            .jobs()
            .filter_map(|job| self.next_after(job, now).map(|at| (job, at)))
            .collect();
        let at = next.iter().map(|(_, at)| *at).min()?;
        let jobs = next
            .into_iter()
            .filter(|(_, when)| *when == at)
            .map(|(job, _)| job)
            .collect();
        Some(NextRun { at, jobs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate, TimeZone, Weekday};

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, s)
            .single()
            .expect("valid date")
    }

    const TIKTOK: Platform = Platform::new("tiktok");
    const INSTAGRAM: Platform = Platform::new("instagram");

    /// The seed's staggered day: all platforms at 03:00, Instagram at 03:15, TikTok at
    /// 03:30, tokens hourly.
    fn staggered() -> Schedules {
        Schedules::new(DEFAULT_SYNC_ALL_PLATFORMS, DEFAULT_REFRESH_TOKENS)
            .and_then(|s| s.with_platform(INSTAGRAM, "0 15 3 * * *"))
            .and_then(|s| s.with_platform(TIKTOK, "0 30 3 * * *"))
            .expect("valid schedules")
    }

    #[test]
    fn each_platform_runs_at_its_own_time() {
        let schedules = staggered();
        let now = utc(2026, 11, 25, 2, 10, 0);
        assert_eq!(
            schedules.next_after(Job::SyncAllPlatforms, now),
            Some(utc(2026, 11, 25, 3, 0, 0))
        );
        assert_eq!(
            schedules.next_after(Job::SyncPlatform(INSTAGRAM), now),
            Some(utc(2026, 11, 25, 3, 15, 0))
        );
        assert_eq!(
            schedules.next_after(Job::SyncPlatform(TIKTOK), now),
            Some(utc(2026, 11, 25, 3, 30, 0))
        );
        assert_eq!(
            schedules.next_after(Job::RefreshTokens, now),
            Some(utc(2026, 11, 25, 3, 0, 0))
        );
        // Strictly after: at 03:30 sharp the next TikTok run is tomorrow.
        assert_eq!(
            schedules.next_after(Job::SyncPlatform(TIKTOK), utc(2026, 11, 25, 3, 30, 0)),
            Some(utc(2026, 11, 26, 3, 30, 0))
        );
        assert_eq!(
            schedules.next_after(Job::SyncPlatform(Platform::new("youtube")), now),
            None,
            "not scheduled"
        );
    }

    #[test]
    fn jobs_due_together_come_tokens_first() {
        let schedules = staggered();
        let run = schedules
            .next_run(utc(2026, 11, 25, 2, 10, 0))
            .expect("a next run");
        assert_eq!(run.at, utc(2026, 11, 25, 3, 0, 0));
        assert_eq!(run.jobs, vec![Job::RefreshTokens, Job::SyncAllPlatforms]);
        let run = schedules
            .next_run(utc(2026, 11, 25, 3, 0, 0))
            .expect("a next run");
        assert_eq!(run.at, utc(2026, 11, 25, 3, 15, 0));
        assert_eq!(run.jobs, vec![Job::SyncPlatform(INSTAGRAM)]);
    }

    #[test]
    fn a_bad_expression_names_its_job() {
        let error = Schedules::new("0 0 3 * * *", "0 0 * * * *")
            .and_then(|s| s.with_platform(TIKTOK, "every day"))
            .expect_err("invalid expression");
        assert_eq!(error.job, Job::SyncPlatform(TIKTOK));
        assert_eq!(error.expr, "every day");
        assert!(error.to_string().contains("tiktok sync"), "{error}");
        assert!(Schedules::new("0 0 3 * * *", "0 61 * * * *").is_err());
    }

    #[test]
    fn a_platform_given_twice_keeps_the_last_schedule() {
        let schedules = staggered()
            .with_platform(TIKTOK, "15 4 * * *")
            .expect("valid");
        assert_eq!(schedules.jobs().count(), 4);
        assert_eq!(
            schedules.next_after(Job::SyncPlatform(TIKTOK), utc(2026, 11, 25, 0, 0, 0)),
            Some(utc(2026, 11, 25, 4, 15, 0))
        );
    }

    #[test]
    fn five_field_crontab_is_accepted() {
        let schedule = parse_cron("30 3 * * *").expect("valid crontab");
        let next = schedule.after(&utc(2026, 11, 25, 12, 0, 0)).next();
        assert_eq!(next, Some(utc(2026, 11, 26, 3, 30, 0)));
        assert!(parse_cron("@hourly").is_ok());
        assert!(parse_cron("0 0 3 * * * 2030").is_ok());
        assert!(parse_cron("61 3 * * *").is_err());
        assert!(parse_cron("* * *").is_err());
    }

    fn weekdays(expr: &str) -> Vec<Weekday> {
        let schedule = parse_cron(expr).expect("valid crontab");
        // 2026-11-22 is a Sunday; one week of midday runs.
        let start = utc(2026, 11, 22, 0, 0, 0);
        schedule
            .after(&start)
            .take_while(|at| *at < start + chrono::TimeDelta::days(7))
            .map(|at| at.weekday())
            .collect()
    }

    #[test]
    fn crontab_days_of_week_count_from_sunday_zero() {
        use Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};
        assert_eq!(
            NaiveDate::from_ymd_opt(2026, 11, 22).map(|date| date.weekday()),
            Some(Sun)
        );
        assert_eq!(weekdays("0 12 * * 0"), vec![Sun]);
        assert_eq!(weekdays("0 12 * * 7"), vec![Sun]);
        assert_eq!(weekdays("0 12 * * 1-5"), vec![Mon, Tue, Wed, Thu, Fri]);
        assert_eq!(weekdays("0 12 * * 5-7"), vec![Sun, Fri, Sat]);
        assert_eq!(weekdays("0 12 * * 0-6/2"), vec![Sun, Tue, Thu, Sat]);
        assert_eq!(weekdays("0 12 * * */2"), vec![Sun, Tue, Thu, Sat]);
        assert_eq!(weekdays("0 12 * * 1,3"), vec![Mon, Wed]);
        assert_eq!(weekdays("0 12 * * Mon-Wed"), vec![Mon, Tue, Wed]);
        assert_eq!(weekdays("0 12 * * 4/2"), vec![Thu, Sat]);
    }
}
