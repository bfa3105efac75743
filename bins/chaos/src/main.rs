//! `chaos`: the crash-and-restart suite (`just chaos`). Each scenario starts the real
//! `sync-worker` (and `api-server`) binaries built beside this one as child processes, against
//! the TikTok sandbox in this process over loopback and a fresh PostgreSQL database, breaks
//! something on purpose (SIGKILL at a chosen moment, workers racing for a tight quota), and
//! checks the database and the sandbox's own call log afterwards. One line per scenario:
//! its name, PASS or FAIL, and its figures. Exits non-zero when any scenario fails.

mod checks;
mod harness;
mod postgres;
mod proxy;
mod scenarios;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use clap::Parser;
use futures::FutureExt as _;
use futures::future::BoxFuture;

use harness::Suite;

/// The crash-and-restart suite.
#[derive(Debug, Parser)]
#[command(name = "chaos")]
struct Cli {
    /// A PostgreSQL server; each scenario creates (and recreates) its own `chaos_<name>`
    /// database on it.
    #[arg(
        long,
        env = "CHAOS_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    database_url: url::Url,
    /// The seed of the sandbox's data and of the orders chosen.
    #[arg(long, default_value_t = 22)]
    seed: u64,
    /// Run only the scenarios whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Where the processes' logs go (default: a temporary folder, kept when a scenario fails).
    #[arg(long)]
    log_dir: Option<PathBuf>,
}

type Scenario = fn(&Suite) -> BoxFuture<'_, Result<String>>;

/// Every scenario, with the most time it may take.
const SCENARIOS: &[(&str, Duration, Scenario)] = &[
    ("quota_race (5)", Duration::from_secs(300), |suite| {
        scenarios::quota_race::run(suite).boxed()
    }),
    ("kill_mid_sync (1)", Duration::from_secs(180), |suite| {
        scenarios::kill_mid_sync::run(suite, false).boxed()
    }),
    (
        "kill_mid_sync (1, SQLite)",
        Duration::from_secs(180),
        |suite| scenarios::kill_mid_sync::run(suite, true).boxed(),
    ),
    ("kill_mid_refresh (2)", Duration::from_secs(180), |suite| {
        scenarios::kill_mid_refresh::run(suite, false).boxed()
    }),
    (
        "kill_mid_refresh (2, SQLite)",
        Duration::from_secs(180),
        |suite| scenarios::kill_mid_refresh::run(suite, true).boxed(),
    ),
    ("kill_mid_callback (3)", Duration::from_secs(120), |suite| {
        scenarios::kill_mid_callback::run(suite, false).boxed()
    }),
    (
        "kill_mid_callback (3, SQLite)",
        Duration::from_secs(120),
        |suite| scenarios::kill_mid_callback::run(suite, true).boxed(),
    ),
    ("platform_stall (6)", Duration::from_secs(180), |suite| {
        scenarios::platform_stall::run(suite).boxed()
    }),
    ("pg_restart (4)", Duration::from_secs(240), |suite| {
        scenarios::pg_restart::run(suite).boxed()
    }),
    ("sqlite_load (7)", Duration::from_secs(180), |suite| {
        scenarios::sqlite_load::run(suite).boxed()
    }),
];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("chaos: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<bool> {
    let here = std::env::current_exe()?;
    let dir = here.parent().context("the chaos binary's folder")?;
    let (worker_bin, server_bin) = (dir.join("sync-worker"), dir.join("api-server"));
    for binary in [&worker_bin, &server_bin] {
        if !binary.is_file() {
            bail!(
                "{} not found: build it first (`cargo build -p api-server -p sync-worker`)",
                binary.display()
            );
        }
    }
    let temp = tempfile::Builder::new().prefix("chaos-").tempdir()?;
    let log_dir = cli
        .log_dir
        .clone()
        .unwrap_or_else(|| temp.path().to_owned());
    let suite = Suite {
        worker_bin,
        server_bin,
        postgres: cli.database_url,
        seed: cli.seed,
        log_dir: log_dir.clone(),
    };
    let started = Instant::now();
    let mut all_passed = true;
    for (name, limit, scenario) in SCENARIOS {
        if cli.only.as_deref().is_some_and(|only| !name.contains(only)) {
            continue;
        }
        let began = Instant::now();
        let outcome = match tokio::time::timeout(*limit, scenario(&suite)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(anyhow::anyhow!("did not finish within {limit:?}")),
        };
        let took = began.elapsed().as_secs_f64();
        match outcome {
            Ok(figures) => println!("chaos {name}: PASS {figures} ({took:.1}s)"),
            Err(error) => {
                all_passed = false;
                println!("chaos {name}: FAIL {error:#} ({took:.1}s)");
            }
        }
    }
    println!(
        "chaos: {} in {:.1}s",
        if all_passed { "all passed" } else { "FAILED" },
        started.elapsed().as_secs_f64(),
    );
    if cli.log_dir.is_some() {
        println!("chaos: logs in {}", log_dir.display());
    } else if !all_passed {
        // Keep the logs of a failed run (a passing one's go with its temporary folder).
        println!("chaos: logs kept in {}", temp.keep().display());
    }
    Ok(all_passed)
}
