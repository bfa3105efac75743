//! Benchmark 2: sync throughput of the sync-worker (a separate process, `run-once`) against
//! the sandbox, with and without added latency per TikTok call.
//!
//! The data: the sandbox's creators (at most 10,000 with at most 500,000 videos in all, the
//! sandbox's own caps) are connected through the consent page by the real services, on a
//! clock 25 hours behind, so that every connection is due for its daily sync when the
//! worker starts and its access token (24 hours, TikTok's documented lifetime) is due for a
//! refresh, as on a real day.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use domain::SyncTrigger;
use futures::{StreamExt as _, TryStreamExt as _};
use secrecy::ExposeSecret as _;
use services::clock::OffsetClock;
use tiktok_sandbox::{
    DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, Endpoint, Fault, Sandbox, SandboxConfig,
    VideosPerCreator,
};

use crate::api_calls::CallsByEndpoint;
use crate::database;
use crate::error::{BenchError, BenchResult};
use crate::keys::BenchSecrets;
use crate::pacing::{self, EndpointPacing};
use crate::proc_stats;
use crate::sandbox_flow::{SCOPES, connect_creator, consent_browser, redirect_uri, services_for};

/// The pacing given to the worker when none is measured: far above anything reached.
const UNPACED_PER_MINUTE: u32 = 10_000_000;

/// GNU time, for exact CPU and peak memory of the worker process.
const GNU_TIME: &str = "/usr/bin/time";

/// The seed's approach: one account at a time, then a 3-second pause.
const SEED_PAUSE: Duration = Duration::from_secs(3);

/// How a worker benchmark runs.
#[derive(Debug, Clone)]
pub struct WorkerBenchSpec {
    /// The sync-worker executable.
    pub worker_bin: PathBuf,
    /// Arguments of one pass (default `run-once`).
    pub worker_args: Vec<String>,
    /// The database (recreated).
    pub database_url: String,
    /// Connections (sandbox creators).
    pub connections: u32,
    /// Videos per connection.
    pub videos: u32,
    /// Latency added to every TikTok call, in milliseconds.
    pub latency_ms: u64,
    /// `TIKTOK_RATE_LIMIT_PER_MINUTE` for the worker, when pacing is measured (otherwise the
    /// worker runs unpaced, to measure its own overhead).
    pub pacing_per_minute: Option<u32>,
    /// Accounts synced one at a time afterwards to time the seed's approach.
    pub seed_sample: u32,
    /// Seed of the sandbox's data.
    pub seed: u64,
}

/// What benchmark 2 measured.
#[derive(Debug, Clone)]
pub struct WorkerReport {
    /// The spec it ran.
    pub connections: u32,
    /// Videos per connection.
    pub videos: u32,
    /// Added latency per call.
    pub latency_ms: u64,
    /// Wall time of the worker's pass.
    pub wall: Duration,
    /// Worker CPU seconds (user + system): exact with GNU time, else the last sample.
    pub cpu_seconds: f64,
    /// Worker peak RSS in KiB: exact with GNU time, else the last `VmHWM` sample.
    pub peak_rss_kib: u64,
    /// How the worker exited.
    pub exit: String,
    /// Calls the sandbox received during the pass.
    pub calls: CallsByEndpoint,
    /// Mean time of one account synced alone (the seed's approach without its pause).
    pub sequential_per_account: Option<Duration>,
    /// The configured pacing, if any.
    pub pacing_per_minute: Option<u32>,
    /// With a configured pacing: what each called endpoint got, from the calls' arrival
    /// times at the sandbox.
    pub pacing: Vec<EndpointPacing>,
}

impl WorkerReport {
    /// Accounts synced: one user-info call each.
    pub fn accounts_synced(&self) -> u64 {
        self.calls.get(&Endpoint::UserInfo).copied().unwrap_or(0)
    }

    /// Every TikTok call of the pass.
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }
}

fn per_second(count: u64, wall: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let count = count as f64;
    count / wall.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// Connects every sandbox creator, `in_flight` at a time.
async fn connect_all(
    services: &services::Services,
    sandbox: &tiktok_sandbox::SandboxHandle,
    in_flight: usize,
) -> BenchResult<()> {
    let browser = consent_browser()?;
    let base = sandbox.base_url();
    let creators = sandbox.creators();
    futures::stream::iter(creators.into_iter().enumerate().map(|(index, creator)| {
        let (browser, base) = (&browser, &base);
        async move {
            connect_creator(
                services,
                browser,
                base,
                &format!("bench-worker-{index:06}"),
                &creator.open_id,
            )
            .await
            .map(|_| ())
        }
    }))
    .buffer_unordered(in_flight)
    .try_collect::<Vec<()>>()
    .await?;
    Ok(())
}

/// Runs the worker binary once; samples its CPU and memory every 100 ms while it runs.
fn run_worker(
    spec: &WorkerBenchSpec,
    secrets: &BenchSecrets,
    sandbox_base: &url::Url,
    work_dir: &std::path::Path,
) -> BenchResult<(Duration, f64, u64, String)> {
    if !spec.worker_bin.is_file() {
        return Err(BenchError::Setup(format!(
            "{} not found: build it with `cargo build --release -p sync-worker`, or pass \
             --worker-bin",
            spec.worker_bin.display()
        )));
    }
    let log = std::fs::File::create(work_dir.join("sync-worker.log"))?;
    // GNU time, when installed, reports the exact CPU time and peak RSS of the whole run
    // (sampling /proc misses the last moments before the process exits).
    let time_report = work_dir.join("time.txt");
    let gnu_time = std::path::Path::new(GNU_TIME).is_file();
    let mut command = if gnu_time {
        let mut command = Command::new(GNU_TIME);
        command
            .arg("-o")
            .arg(&time_report)
            .args(["-f", "%U %S %M"])
            .arg(&spec.worker_bin);
        command
    } else {
        Command::new(&spec.worker_bin)
    };
    command
        .args(&spec.worker_args)
        .current_dir(work_dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATA_DIR", work_dir)
        .env("DATABASE_URL", &spec.database_url)
        .env("TIKTOK_CLIENT_KEY", DEFAULT_CLIENT_KEY)
        .env("TIKTOK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
        .env("TIKTOK_REDIRECT_URI", redirect_uri())
        .env("TIKTOK_AUTH_BASE_URL", sandbox_base.as_str())
        .env("TIKTOK_API_BASE_URL", sandbox_base.as_str())
        .env("TIKTOK_SCOPES", SCOPES.join(","))
        .env("TOKEN_ENCRYPTION_KEY", secrets.encryption_key_env())
        .env("JWT_SECRET", secrets.jwt_secret().expose_secret())
        .env("APP_ORIGIN", "http://127.0.0.1:5001")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    // glibc's arena cap, when the benchmark is run with it, reaches the worker as the
    // systemd units of docs/deploy set it (the environment is cleared above).
    if let Some(arenas) = std::env::var_os("MALLOC_ARENA_MAX") {
        command.env("MALLOC_ARENA_MAX", arenas);
    }
    // Without a pacing to measure, the worker's own overhead is: no pacing gets in its way.
    let pacing = spec.pacing_per_minute.unwrap_or(UNPACED_PER_MINUTE);
    command.env("TIKTOK_RATE_LIMIT_PER_MINUTE", pacing.to_string());
    let started = Instant::now();
    let mut child = command.spawn()?;
    let pid = child.id();
    let (mut cpu, mut peak) = (0.0, 0);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        // Under GNU time the pid is time's own: its report is read instead.
        if !gnu_time {
            if let Ok(seconds) = proc_stats::cpu_seconds(pid) {
                cpu = seconds;
            }
            if let Ok(memory) = proc_stats::memory(pid) {
                peak = peak.max(memory.hwm_kib);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let wall = started.elapsed();
    if gnu_time {
        let report = std::fs::read_to_string(&time_report)?;
        let (cpu, peak) = parse_gnu_time(&report).ok_or_else(|| {
            BenchError::Setup(format!("{GNU_TIME} wrote an unexpected report: {report:?}"))
        })?;
        return Ok((wall, cpu, peak, status.to_string()));
    }
    Ok((wall, cpu, peak, status.to_string()))
}

/// `user system max_rss_kib` as written by `time -f "%U %S %M"` (its last line: a failing
/// command adds a line before it).
fn parse_gnu_time(report: &str) -> Option<(f64, u64)> {
    let line = report.lines().rev().find(|line| !line.trim().is_empty())?;
    let mut fields = line.split_whitespace();
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    let peak: u64 = fields.next()?.parse().ok()?;
    Some((user + system, peak))
}

/// Runs benchmark 2.
pub async fn run(spec: &WorkerBenchSpec, secrets: &BenchSecrets) -> BenchResult<WorkerReport> {
    database::recreate(&spec.database_url).await?;
    let db = database::open(&spec.database_url, secrets.cipher()?, 8).await?;
    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .seed(spec.seed)
            .creators(spec.connections)
            .videos_per_creator(VideosPerCreator::Fixed(spec.videos))
            .access_token_lifetime(Duration::from_secs(24 * 3600))
            .rate_limit_per_minute(0)
            .workers(2),
    )
    .await?;
    // Connected "yesterday": due now, with a token due for its refresh.
    let clock = OffsetClock::new();
    clock.advance(TimeDelta::hours(-25));
    let services = services_for(&sandbox, db, Arc::new(clock.clone()), u32::MAX)?;
    eprintln!("  connecting {} creators", spec.connections);
    connect_all(&services, &sandbox, 8).await?;
    clock.advance(TimeDelta::hours(25));

    if spec.latency_ms > 0 {
        for endpoint in Endpoint::ALL {
            sandbox.set_fault(
                endpoint,
                Fault::Latency {
                    millis: spec.latency_ms,
                },
            );
        }
    }
    let work_dir = tempfile::tempdir()?;
    if spec.pacing_per_minute.is_some() {
        sandbox.record_call_times(true);
    }
    let before = sandbox.call_counts();
    eprintln!("  running {}", spec.worker_bin.display());
    let base = sandbox.base_url();
    let (wall, cpu_seconds, peak_rss_kib, exit) = {
        let (spec, secrets_env, dir) = (spec.clone(), secrets, work_dir.path().to_owned());
        tokio::task::block_in_place(|| run_worker(&spec, secrets_env, &base, &dir))?
    };
    let after = sandbox.call_counts();
    let calls: CallsByEndpoint = after
        .iter()
        .map(|(endpoint, &count)| {
            (
                *endpoint,
                count.saturating_sub(before.get(endpoint).copied().unwrap_or(0)),
            )
        })
        .filter(|(_, count)| *count > 0)
        .collect();
    let pacing: Vec<EndpointPacing> = if spec.pacing_per_minute.is_some() {
        let measured = calls
            .keys()
            .map(|&endpoint| EndpointPacing::of(endpoint, &sandbox.call_times(endpoint)))
            .collect();
        sandbox.record_call_times(false);
        measured
    } else {
        Vec::new()
    };

    // The seed's approach on the same data: accounts one at a time (the pause is added in
    // the report, not slept).
    let mut sequential_per_account = None;
    if spec.seed_sample > 0 {
        let connections = services
            .database()
            .list_connections(i64::from(spec.seed_sample))
            .await?;
        let started = Instant::now();
        for connection in &connections {
            services
                .sync_connection(connection, SyncTrigger::Scheduled)
                .await?;
        }
        if let Ok(count) = u32::try_from(connections.len())
            && count > 0
        {
            sequential_per_account = Some(started.elapsed() / count);
        }
    }
    sandbox.stop().await;
    Ok(WorkerReport {
        connections: spec.connections,
        videos: spec.videos,
        latency_ms: spec.latency_ms,
        wall,
        cpu_seconds,
        peak_rss_kib,
        exit,
        calls,
        sequential_per_account,
        pacing_per_minute: spec.pacing_per_minute,
        pacing,
    })
}

/// The report as Markdown.
pub fn render(report: &WorkerReport) -> String {
    let accounts = report.accounts_synced();
    let videos = accounts * u64::from(report.videos);
    #[allow(clippy::cast_precision_loss)]
    let cpu_per_1000 = if videos == 0 {
        0.0
    } else {
        report.cpu_seconds / (videos as f64 / 1000.0)
    };
    let load = proc_stats::load_average().unwrap_or_else(|| "unknown".into());
    let mut out = format!(
        "Machine load average (1, 5, 15 min) at the end: {load}.\n\n| connections × videos | added latency | wall s | accounts/s | TikTok calls/s | CPU s per 1,000 videos | peak RSS MiB | exit |\n|---|---:|---:|---:|---:|---:|---:|---|\n| {} × {} | {} ms | {:.1} | {:.1} | {:.1} | {:.3} | {:.1} | {} |\n\nCalls: {:?}\n",
        report.connections,
        report.videos,
        report.latency_ms,
        report.wall.as_secs_f64(),
        per_second(accounts, report.wall),
        per_second(report.total_calls(), report.wall),
        cpu_per_1000,
        proc_stats::kib_to_mib(report.peak_rss_kib),
        report.exit,
        report.calls,
    );
    if let Some(per_account) = report.sequential_per_account {
        let seed_total = (per_account + SEED_PAUSE) * report.connections;
        out.push_str(&format!(
            "\nSeed's approach (one account at a time + 3 s pause): {:.1} ms per account + 3 s → {:.0} s for {} accounts; worker / seed speed-up: {:.1}×\n",
            per_account.as_secs_f64() * 1000.0,
            seed_total.as_secs_f64(),
            report.connections,
            seed_total.as_secs_f64() / report.wall.as_secs_f64().max(f64::MIN_POSITIVE),
        ));
    }
    if let Some(configured) = report.pacing_per_minute {
        out.push_str(&pacing::render(configured, &report.pacing));
        // The earlier measure, kept for comparison: it divides by the whole pass, including
        // the refreshes and the other endpoints' calls, while the list endpoint is idle.
        let list = report.calls.get(&Endpoint::VideoList).copied().unwrap_or(0);
        let averaged = per_second(list, report.wall) * 60.0;
        out.push_str(&format!(
            "\nVideo list averaged over the whole pass: {averaged:.0}/min ({:.1}% of configured).\n",
            averaged / f64::from(configured.max(1)) * 100.0
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_gnu_time_output_even_after_an_exit_status_line() {
        assert_eq!(parse_gnu_time("1.25 0.50 18000\n"), Some((1.75, 18_000)));
        assert_eq!(
            parse_gnu_time("Command exited with non-zero status 1\n0.10 0.00 9000\n"),
            Some((0.1, 9_000))
        );
        assert_eq!(parse_gnu_time("garbage"), None);
    }
}
