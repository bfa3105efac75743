//! The cron schedules of the worker daemon's jobs.
//!
//! The `cron` crate reads 6 or 7 fields (seconds first, optional year); people write the
//! standard 5-field crontab form, so that is accepted too and read as "at second 0". Times
//! are UTC.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use cron::Schedule;
use serde::Serialize;

/// A job the daemon runs on a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// Sync every due connection, all platforms.
    SyncAllPlatforms,
    /// Sync every due TikTok connection.
    SyncTikTok,
    /// Refresh the tokens that expire soon.
    RefreshTokens,
}

impl Job {
    /// Every job, in the order the daemon runs jobs that fall due together: tokens first, so
    /// the syncs that follow find them fresh.
    pub const ALL: [Job; 3] = [Job::RefreshTokens, Job::SyncAllPlatforms, Job::SyncTikTok];

    /// The default schedule (6-field cron, UTC).
    pub const fn default_expr(self) -> &'static str {
        match self {
            Self::SyncAllPlatforms => "0 0 3 * * *",
            Self::SyncTikTok => "0 30 3 * * *",
            Self::RefreshTokens => "0 0 * * * *",
        }
    }

    /// A short name for logs and errors.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SyncAllPlatforms => "all-platforms sync",
            Self::SyncTikTok => "TikTok sync",
            Self::RefreshTokens => "token refresh",
        }
    }
}

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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
    /// The jobs due then, in [`Job::ALL`] order.
    pub jobs: Vec<Job>,
}

/// The daemon's three schedules, validated.
#[derive(Debug, Clone)]
pub struct Schedules {
    sync_all_platforms: Schedule,
    sync_tiktok: Schedule,
    refresh_tokens: Schedule,
}

impl Default for Schedules {
    /// All platforms at 03:00, TikTok at 03:30, token refresh hourly (UTC).
    fn default() -> Self {
        let parse = |job: Job| {
            parse_cron(job.default_expr()).expect("the default schedules are valid cron")
        };
        Self {
            sync_all_platforms: parse(Job::SyncAllPlatforms),
            sync_tiktok: parse(Job::SyncTikTok),
            refresh_tokens: parse(Job::RefreshTokens),
        }
    }
}

impl Schedules {
    /// Validates the three expressions (see [`parse_cron`] for the forms accepted); an error
    /// names the job whose expression is bad.
    pub fn from_exprs(
        sync_all_platforms: &str,
        sync_tiktok: &str,
        refresh_tokens: &str,
    ) -> Result<Self, ScheduleError> {
        let parse = |job: Job, expr: &str| {
            parse_cron(expr).map_err(|source| ScheduleError {
                job,
                expr: expr.to_owned(),
                source,
            })
        };
        Ok(Self {
            sync_all_platforms: parse(Job::SyncAllPlatforms, sync_all_platforms)?,
            sync_tiktok: parse(Job::SyncTikTok, sync_tiktok)?,
            refresh_tokens: parse(Job::RefreshTokens, refresh_tokens)?,
        })
    }

    /// Like [`Schedules::from_exprs`], each job's default applying where `None` is given
    /// (e.g. an environment variable that is not set).
    pub fn with_overrides(
        sync_all_platforms: Option<&str>,
        sync_tiktok: Option<&str>,
        refresh_tokens: Option<&str>,
    ) -> Result<Self, ScheduleError> {
        Self::from_exprs(
            sync_all_platforms.unwrap_or(Job::SyncAllPlatforms.default_expr()),
            sync_tiktok.unwrap_or(Job::SyncTikTok.default_expr()),
            refresh_tokens.unwrap_or(Job::RefreshTokens.default_expr()),
        )
    }

    /// The schedule of `job`.
    pub const fn schedule(&self, job: Job) -> &Schedule {
        match job {
            Job::SyncAllPlatforms => &self.sync_all_platforms,
            Job::SyncTikTok => &self.sync_tiktok,
            Job::RefreshTokens => &self.refresh_tokens,
        }
    }

    /// The first time strictly after `now` that `job` runs; `None` when its schedule never
    /// fires again (e.g. a past year).
    pub fn next_after(&self, job: Job, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule(job).after(&now).next()
    }

    /// The next instant strictly after `now` at which any job runs, with every job due then.
    pub fn next_run(&self, now: DateTime<Utc>) -> Option<NextRun> {
        let next: Vec<(Job, DateTime<Utc>)> = Job::ALL
            .into_iter()
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

    #[test]
    fn default_schedules() {
        let schedules = Schedules::default();
        let now = utc(2026, 11, 25, 2, 10, 0);
        assert_eq!(
            schedules.next_after(Job::SyncAllPlatforms, now),
            Some(utc(2026, 11, 25, 3, 0, 0))
        );
        assert_eq!(
            schedules.next_after(Job::SyncTikTok, now),
            Some(utc(2026, 11, 25, 3, 30, 0))
        );
        assert_eq!(
            schedules.next_after(Job::RefreshTokens, now),
            Some(utc(2026, 11, 25, 3, 0, 0))
        );
        // Strictly after: at 03:30 sharp the next TikTok run is tomorrow.
        assert_eq!(
            schedules.next_after(Job::SyncTikTok, utc(2026, 11, 25, 3, 30, 0)),
            Some(utc(2026, 11, 26, 3, 30, 0))
        );
    }

    #[test]
    fn jobs_due_together_come_tokens_first() {
        let schedules = Schedules::default();
        let run = schedules
            .next_run(utc(2026, 11, 25, 2, 10, 0))
            .expect("a next run");
        assert_eq!(run.at, utc(2026, 11, 25, 3, 0, 0));
        assert_eq!(run.jobs, vec![Job::RefreshTokens, Job::SyncAllPlatforms]);
        let run = schedules
            .next_run(utc(2026, 11, 25, 3, 0, 0))
            .expect("a next run");
        assert_eq!(run.at, utc(2026, 11, 25, 3, 30, 0));
        assert_eq!(run.jobs, vec![Job::SyncTikTok]);
    }

    #[test]
    fn a_bad_expression_names_its_job() {
        let error = Schedules::from_exprs("0 0 3 * * *", "every day", "0 0 * * * *")
            .expect_err("invalid expression");
        assert_eq!(error.job, Job::SyncTikTok);
        assert_eq!(error.expr, "every day");
        assert!(error.to_string().contains("TikTok sync"), "{error}");
        assert!(Schedules::from_exprs("0 0 3 * * *", "0 30 3 * * *", "0 61 * * * *").is_err());
    }

    #[test]
    fn overrides_replace_only_what_is_given() {
        let schedules =
            Schedules::with_overrides(None, Some("15 4 * * *"), None).expect("valid schedules");
        let now = utc(2026, 11, 25, 0, 0, 0);
        assert_eq!(
            schedules.next_after(Job::SyncTikTok, now),
            Some(utc(2026, 11, 25, 4, 15, 0))
        );
        assert_eq!(
            schedules.next_after(Job::SyncAllPlatforms, now),
            Some(utc(2026, 11, 25, 3, 0, 0))
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
