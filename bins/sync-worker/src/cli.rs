//! The command line. Every option also reads an environment variable (a `.env` file in the
//! working directory is loaded first), as the rest of the configuration does.

use std::time::Duration;

use chrono::TimeDelta;
use clap::{Args, Parser, Subcommand};
use scheduler::{DuePolicy, ScheduleError, Schedules};
use services::WorkerConfig;

/// Refreshes TikTok tokens and syncs every due connection, once or on schedules.
///
/// The database, TikTok app, encryption keys and budgets come from the same environment
/// variables as the api-server (DATABASE_URL, TIKTOK_CLIENT_KEY, TOKEN_ENCRYPTION_KEY,
/// TIKTOK_RATE_LIMIT_PER_MINUTE, TIKTOK_DAILY_QUOTA, ...).
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
/// (seconds first) or a shorthand such as `@hourly`.
#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// When every due connection of every platform is synced (default `0 0 3 * * *`).
    #[arg(long, env = "SYNC_CRON_ALL_PLATFORMS")]
    pub cron_all_platforms: Option<String>,
    /// When every due TikTok connection is synced (default `0 30 3 * * *`).
    #[arg(long, env = "SYNC_CRON_TIKTOK")]
    pub cron_tiktok: Option<String>,
    /// When the tokens that expire soon are refreshed (default hourly).
    #[arg(long, env = "SYNC_CRON_TOKEN_REFRESH")]
    pub cron_token_refresh: Option<String>,
}

impl DaemonArgs {
    /// The validated schedules, defaults where nothing was given.
    pub fn schedules(&self) -> Result<Schedules, ScheduleError> {
        Schedules::with_overrides(
            self.cron_all_platforms.as_deref(),
            self.cron_tiktok.as_deref(),
            self.cron_token_refresh.as_deref(),
        )
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
}

impl WorkerArgs {
    /// The planning settings.
    pub fn worker_config(&self) -> WorkerConfig {
        let defaults = DuePolicy::default();
        let interval = TimeDelta::hours(i64::from(self.sync_interval_hours));
        WorkerConfig {
            due: DuePolicy {
                sync_interval: interval,
                // A twelfth of the interval (2 hours of a day) absorbs the run's own length.
                schedule_slack: defaults.schedule_slack.min(interval / 12),
                ..defaults
            },
            batch_size: i64::from(self.batch_size),
            ..WorkerConfig::default()
        }
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
        let config = cli.worker.worker_config();
        assert_eq!(config.due.sync_interval, TimeDelta::hours(12));
        assert_eq!(config.due.schedule_slack, TimeDelta::hours(1));
    }

    #[test]
    fn daemon_schedules_default_and_reject_bad_expressions() {
        let defaults = DaemonArgs {
            cron_all_platforms: None,
            cron_tiktok: None,
            cron_token_refresh: None,
        };
        assert!(defaults.schedules().is_ok());
        let bad = DaemonArgs {
            cron_tiktok: Some("every morning".into()),
            ..defaults
        };
        let error = bad.schedules().expect_err("invalid cron");
        assert!(error.to_string().contains("every morning"), "{error}");
    }
}
