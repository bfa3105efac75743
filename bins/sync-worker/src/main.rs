//! sync-worker: reads the configuration, sets up logging, runs one subcommand.

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use bootstrap::{Settings, telemetry};
use clap::Parser as _;
use services::SyncProgress;
use services::clock::SystemClock;
use sync_worker::cli::{Cli, Command};
use sync_worker::commands::{
    daemon, deliver_notifications, deliver_until_stopped, run_once, stop_on_signals,
};
use sync_worker::display::{
    LogProgress, TerminalProgress, delivery_summary, refresh_summary, status_table, sync_summary,
};
use sync_worker::wiring::build_services;

fn main() -> ExitCode {
    // `.env` first, so the options' environment variables see it too; a bad file is reported
    // by the configuration below, which reads it again.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("sync-worker: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sync-worker: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env().context("invalid configuration")?;
    let terminal = std::io::stderr().is_terminal();
    // Logs go to standard error: standard output carries the summary and `status --json`.
    // Under a progress bar only warnings are logged, unless RUST_LOG asks for more.
    let filter = match (&cli.command, std::env::var_os("RUST_LOG")) {
        (_, Some(_)) => settings.log.filter.clone(),
        (Command::Status { .. }, None) => "warn".to_owned(),
        (_, None) if terminal => "warn".to_owned(),
        (_, None) => settings.log.filter.clone(),
    };
    telemetry::init(telemetry::subscriber(
        settings.log.format,
        &filter,
        std::io::stderr,
    )?)?;

    // Before the database: half a sync depth is a configuration error naming the variable.
    let worker = cli.worker.worker_config()?;
    tracing::info!(depth = ?worker.depth, "sync depth");
    let services = build_services(&settings, Arc::new(SystemClock), cli.worker.instance_id())
        .await
        .context("the worker cannot start")?;
    // A bad schedule is a configuration error: reported before any job runs.
    let schedules = match &cli.command {
        Command::Daemon(args) => {
            let lookup = bootstrap::settings::env_lookup()?;
            let platforms = services
                .platforms()
                .iter()
                .map(|adapter| (adapter.platform(), adapter.traits().sync_cron));
            Some(args.schedules(platforms, &lookup)?)
        }
        _ => None,
    };
    let deliverer = bootstrap::wiring::host_deliverer(&settings, &services)
        .context("the worker cannot start")?;

    match cli.command {
        Command::RunOnce => {
            let stop = stop_on_signals();
            let bar = terminal.then(TerminalProgress::new);
            let progress: &dyn SyncProgress = match &bar {
                Some(bar) => bar,
                None => &LogProgress,
            };
            let report = run_once(&services, &worker, progress, &stop).await;
            if let Some(bar) = &bar {
                bar.finish();
            }
            let report = report.context("the sync pass could not run")?;
            println!("{}", refresh_summary(&report.tokens));
            println!("{}", sync_summary(&report.sync));
            if let Some(deliverer) = &deliverer
                && let Some(delivered) = deliver_notifications(deliverer).await
            {
                println!("{}", delivery_summary(&delivered));
            }
        }
        Command::RefreshTokens => {
            let report = services
                .refresh_expiring_tokens_leased(&worker)
                .await
                .context("the token refresh could not run")?;
            println!("{}", refresh_summary(&report));
            if let Some(deliverer) = &deliverer
                && let Some(delivered) = deliver_notifications(deliverer).await
            {
                println!("{}", delivery_summary(&delivered));
            }
        }
        Command::Status { json } => {
            let status = services
                .worker_status(&worker)
                .await
                .context("cannot read the status")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                print!("{}", status_table(&status));
            }
        }
        Command::Daemon(_) => {
            let schedules = schedules.context("the daemon's schedules")?;
            let stop = stop_on_signals();
            tracing::info!("sync-worker daemon started");
            // Notifications are delivered until the jobs are over (a stop lets the accounts
            // in progress finish, and their notifications go out with them).
            let (jobs_done, jobs_over) = tokio::sync::watch::channel(false);
            let jobs = async {
                daemon(&services, &worker, &schedules, &LogProgress, &stop).await;
                let _ = jobs_done.send(true);
            };
            match deliverer {
                Some(deliverer) => {
                    tokio::join!(jobs, deliver_until_stopped(deliverer, &jobs_over));
                }
                None => jobs.await,
            }
        }
    }
    Ok(())
}
