//! The command line. Every option also reads an environment variable (a `.env` file in the
//! working directory is loaded first), as the rest of the configuration does.

use std::time::Duration;

use chrono::TimeDelta;
use clap::{Args, Parser, Subcommand};
use domain::Platform;
use scheduler::{DepthError, DuePolicy, LeasePolicy, ScheduleError, Schedules, SyncDepth};
use services::WorkerConfig;

/// Refreshes the platforms' tokens and syncs every due connection (TikTok, Instagram), once
/// or on schedules.
///
/// The database, platform apps, encryption keys and budgets come from the same environment
/// variables as the api-server (DATABASE_URL, MODE, TIKTOK_CLIENT_KEY, INSTAGRAM_APP_ID,
/// TOKEN_ENCRYPTION_KEY, TIKTOK_RATE_LIMIT_PER_MINUTE, TIKTOK_DAILY_QUOTA, ...).
#[derive(Debug, Parser)]
#[command(name = "sync-worker", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// How the worker plans.
    #[command(flatten)]
    pub worker: WorkerArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Refresh the tokens that expire soon, sync every due connection, print a summary and
    /// exit (for a systemd timer). Exits non-zero only when the worker itself cannot run.
    RunOnce,
    /// Run the jobs on their cron schedules until SIGTERM or Ctrl-C, which let the accounts in
    /// progress finish.
    Daemon(DaemonArgs),
    /// Refresh the tokens that expire soon (due for a sync or not) and exit.
    RefreshTokens,
    /// Show connections by status, what is due, the quota, the last runs' outcomes and what
    /// a pass would defer for quota.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// The daemon's schedules: cron expressions in UTC, 5 fields (crontab), 6 or 7 fields
/// (seconds first) or a shorthand such as `@hourly`. Each platform's own pass is read from
/// `SYNC_CRON_<PLATFORM>` (`SYNC_CRON_TIKTOK`, `SYNC_CRON_INSTAGRAM`), its default staggered
/// after the all-platforms pass (TikTok 03:30, Instagram 03:15).
#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// When every due connection of every platform is synced (default `0 0 3 * * *`).
    #[arg(long, env = "SYNC_CRON_ALL_PLATFORMS")]
    pub cron_all_platforms: Option<String>,
    /// When the tokens that expire soon are refreshed (default hourly).
    #[arg(long, env = "SYNC_CRON_TOKEN_REFRESH")]
    pub cron_token_refresh: Option<String>,
}

/// The variable that sets `platform`'s own sync schedule.
pub fn platform_cron_variable(platform: Platform) -> String {
    format!("SYNC_CRON_{}", platform.as_str().to_ascii_uppercase())
}

impl DaemonArgs {
    /// The validated schedules: the two global ones, and for each of `platforms` (with its
    /// default) its own pass, read through `lookup` (the environment); defaults where nothing
    /// was given.
    pub fn schedules(
        &self,
        platforms: impl IntoIterator<Item = (Platform, &'static str)>,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Schedules, ScheduleError> {
        let mut schedules = Schedules::new(
            self.cron_all_platforms
                .as_deref()
                .unwrap_or(scheduler::DEFAULT_SYNC_ALL_PLATFORMS),
            self.cron_token_refresh
                .as_deref()
                .unwrap_or(scheduler::DEFAULT_REFRESH_TOKENS),
        )?;
        for (platform, default) in platforms {
            let given =
                lookup(&platform_cron_variable(platform)).filter(|expr| !expr.trim().is_empty());
            schedules = schedules.with_platform(platform, given.as_deref().unwrap_or(default))?;
        }
        Ok(schedules)
    }
}

/// How the worker plans its passes.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Hours between two successful syncs of a connection.
    #[arg(long, env = "SYNC_INTERVAL_HOURS", default_value_t = 24, global = true,
          value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub sync_interval_hours: u32,
    /// The most connections one pass takes on.
    #[arg(long, env = "SYNC_BATCH_SIZE", default_value_t = 10_000, global = true,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,
    /// This process's name in sync leases (default: host name and process id).
    #[arg(long, env = "WORKER_INSTANCE_ID", global = true)]
    pub instance_id: Option<String>,
    /// Shallow daily syncs: walk only the videos created within this many days, and every
    /// video once every SYNC_FULL_EVERY_DAYS days (set both, or neither for full syncs).
    #[arg(long, env = "SYNC_RECENT_DAYS", global = true,
          value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub sync_recent_days: Option<u32>,
    /// With SYNC_RECENT_DAYS: a connection's sync walks every video when its last full walk
    /// is this many calendar days old.
    #[arg(long, env = "SYNC_FULL_EVERY_DAYS", global = true,
          value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub sync_full_every_days: Option<u32>,
    /// The shortest sync lease, in seconds: how long a crashed worker's connections wait
    /// before another worker takes them over (a batch's lease grows with its estimated
    /// calls, up to two hours).
    #[arg(long, env = "SYNC_LEASE_MIN_SECS", default_value_t = 300, global = true,
          value_parser = clap::value_parser!(u64).range(1..=7200))]
    pub lease_min_secs: u64,
}

/// Worker options that do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkerArgsError {
    /// One of the two sync depth variables was set without the other.
    #[error(
        "{given} is set but {missing} is not: set both for shallow daily syncs with a periodic \
         full walk, or neither to walk every video at every sync"
    )]
    HalfADepth {
        /// The variable that was set.
        given: &'static str,
        /// The variable that is missing.
        missing: &'static str,
    },
    /// The sync depth's values cannot work.
    #[error("invalid sync depth (SYNC_RECENT_DAYS, SYNC_FULL_EVERY_DAYS): {0}")]
    Depth(#[from] DepthError),
}

impl WorkerArgs {
    /// The sync depth: full unless both `SYNC_RECENT_DAYS` and `SYNC_FULL_EVERY_DAYS` are set.
    pub fn sync_depth(&self) -> Result<SyncDepth, WorkerArgsError> {
        match (self.sync_recent_days, self.sync_full_every_days) {
            (None, None) => Ok(SyncDepth::Full),
            (Some(recent), Some(full_every)) => Ok(SyncDepth::recent(recent, full_every)?),
            (Some(_), None) => Err(WorkerArgsError::HalfADepth {
                given: "SYNC_RECENT_DAYS",
                missing: "SYNC_FULL_EVERY_DAYS",
            }),
            (None, Some(_)) => Err(WorkerArgsError::HalfADepth {
                given: "SYNC_FULL_EVERY_DAYS",
                missing: "SYNC_RECENT_DAYS",
            }),
        }
    }

    /// The planning settings.
    ///
    /// # Errors
    /// [`WorkerArgsError`] when only one of the sync depth's two variables is set.
    pub fn worker_config(&self) -> Result<WorkerConfig, WorkerArgsError> {
        let defaults = DuePolicy::default();
        let interval = TimeDelta::hours(i64::from(self.sync_interval_hours));
        Ok(WorkerConfig {
            due: DuePolicy {
                sync_interval: interval,
                // A twelfth of the interval (2 hours of a day) absorbs the run's own length.
                schedule_slack: defaults.schedule_slack.min(interval / 12),
                ..defaults
            },
            depth: self.sync_depth()?,
            batch_size: i64::from(self.batch_size),
            lease: LeasePolicy {
                min: Duration::from_secs(self.lease_min_secs),
                ..LeasePolicy::default()
            },
            ..WorkerConfig::default()
        })
    }

    /// The lease holder name of this process.
    pub fn instance_id(&self) -> String {
        self.instance_id.clone().unwrap_or_else(|| {
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
            format!("sync-worker-{host}-{}", std::process::id())
        })
    }
}

/// How long the daemon sleeps at most before it looks at the clock again, so a suspended
/// machine or a clock jump does not make it miss a run by much.
pub const MAX_DAEMON_SLEEP: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn status_takes_json_and_planning_options() {
        let cli = Cli::try_parse_from([
            "sync-worker",
            "status",
            "--json",
            "--sync-interval-hours",
            "12",
        ])
        .expect("valid");
        assert!(matches!(cli.command, Command::Status { json: true }));
        let config = cli.worker.worker_config().expect("consistent options");
        assert_eq!(config.due.sync_interval, TimeDelta::hours(12));
        assert_eq!(config.due.schedule_slack, TimeDelta::hours(1));
        assert_eq!(config.depth, SyncDepth::Full);
    }

    fn depth_of(args: &[&str]) -> Result<SyncDepth, WorkerArgsError> {
        let cli =
            Cli::try_parse_from(["sync-worker", "run-once"].iter().chain(args)).expect("parsable");
        cli.worker.worker_config().map(|config| config.depth)
    }

    #[test]
    fn the_sync_depth_takes_both_variables_or_neither() {
        assert_eq!(depth_of(&[]), Ok(SyncDepth::Full));
        assert_eq!(
            depth_of(&["--sync-recent-days", "30", "--sync-full-every-days", "7"]),
            Ok(SyncDepth::Recent {
                newer_than_days: 30,
                full_every_days: 7
            })
        );
        let half = depth_of(&["--sync-recent-days", "30"]).expect_err("half a depth");
        assert_eq!(
            half,
            WorkerArgsError::HalfADepth {
                given: "SYNC_RECENT_DAYS",
                missing: "SYNC_FULL_EVERY_DAYS"
            }
        );
        assert!(
            half.to_string()
                .starts_with("SYNC_RECENT_DAYS is set but SYNC_FULL_EVERY_DAYS is not")
        );
        let other = depth_of(&["--sync-full-every-days", "7"]).expect_err("half a depth");
        assert!(
            other
                .to_string()
                .starts_with("SYNC_FULL_EVERY_DAYS is set but SYNC_RECENT_DAYS is not")
        );
    }

    #[test]
    fn a_zero_day_depth_is_refused_by_name() {
        let error = Cli::try_parse_from([
            "sync-worker",
            "run-once",
            "--sync-recent-days",
            "0",
            "--sync-full-every-days",
            "7",
        ])
        .expect_err("zero days");
        assert!(error.to_string().contains("SYNC_RECENT_DAYS"), "{error}");
    }

    #[test]
    fn daemon_schedules_default_and_reject_bad_expressions() {
        let tiktok = Platform::new("tiktok");
        let instagram = Platform::new("instagram");
        let platforms = [(tiktok, "0 30 3 * * *"), (instagram, "0 15 3 * * *")];
        let defaults = DaemonArgs {
            cron_all_platforms: None,
            cron_token_refresh: None,
        };
        let schedules = defaults
            .schedules(platforms, &|_| None)
            .expect("the defaults are valid");
        assert_eq!(schedules.jobs().count(), 4);

        // A platform's own variable replaces its default; a bad one names itself.
        let env = |name: &str| (name == "SYNC_CRON_INSTAGRAM").then(|| "every morning".to_owned());
        let error = defaults
            .schedules(platforms, &env)
            .expect_err("invalid cron");
        assert!(error.to_string().contains("every morning"), "{error}");
        assert!(error.to_string().contains("instagram sync"), "{error}");
        let env = |name: &str| (name == "SYNC_CRON_TIKTOK").then(|| "15 4 * * *".to_owned());
        let schedules = defaults.schedules(platforms, &env).expect("valid");
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-05T00:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            schedules
                .next_after(scheduler::Job::SyncPlatform(tiktok), now)
                .map(|at| at.to_rfc3339()),
            Some("2026-12-05T04:15:00+00:00".to_owned())
        );

        let bad = DaemonArgs {
            cron_all_platforms: Some("at three".into()),
            ..defaults
        };
        let error = bad.schedules([], &|_| None).expect_err("invalid cron");
        assert!(error.to_string().contains("all-platforms sync"), "{error}");
    }
}
