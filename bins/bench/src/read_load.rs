//! Benchmark 3: the read API under load. The real api-server (a separate release process)
//! serves a generated database; each endpoint gets a closed-loop run (the most requests per
//! second it serves) and an open-loop run at a fixed rate (latency at a known load), with
//! the server's memory sampled throughout.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use api_server::auth::JwtIssuer;
use secrecy::ExposeSecret as _;

use crate::dataset::{self, DatasetSpec};
use crate::error::{BenchError, BenchResult};
use crate::keys::BenchSecrets;
use crate::load::{self, LoadResult, LoadSpec};
use crate::proc_stats::{self, Memory, kib_to_mib};
use crate::server::{RunningServer, ServerSpec};

/// The endpoints the issue names, as path and query.
pub const ENDPOINTS: [&str; 3] = [
    "api/tiktok/videos?limit=50",
    "api/connections",
    "api/tiktok/analytics?days=90",
];

/// How a read benchmark runs.
#[derive(Debug, Clone)]
pub struct ReadLoadSpec {
    /// The server to start (its database is the one measured).
    pub server: ServerSpec,
    /// The data set in the database (its users get the bearer tokens).
    pub dataset: DatasetSpec,
    /// Concurrent connections.
    pub connections: usize,
    /// Length of each measured run.
    pub duration: Duration,
    /// Closed-loop warm-up before each endpoint's runs (not measured).
    pub warmup: Duration,
    /// Requests per second of the open-loop runs (0 skips them).
    pub rate: u32,
}

/// One measured run of one endpoint.
#[derive(Debug, Clone)]
pub struct EndpointRun {
    /// The path and query.
    pub endpoint: &'static str,
    /// The open-loop rate, or `None` for closed loop.
    pub rate: Option<u32>,
    /// What the load generator saw.
    pub result: LoadResult,
    /// The server's largest sampled RSS during the run.
    pub peak_rss_kib: u64,
    /// Server CPU seconds per wall second during the run (2.0 = both cores).
    pub server_cpu_cores: f64,
}

/// Everything benchmark 3 measured.
#[derive(Debug, Clone)]
pub struct ReadLoadReport {
    /// From spawning the server to `/readyz` answering 200.
    pub ready_after: Duration,
    /// Memory one second after start-up, before any request.
    pub idle: Memory,
    /// Memory after every run (`hwm_kib` is the peak of the whole session).
    pub end: Memory,
    /// The runs, closed loop first, per endpoint.
    pub runs: Vec<EndpointRun>,
    /// The machine's load averages before and after the runs.
    pub load_average: (Option<String>, Option<String>),
}

/// Bearer tokens for the first `users` users of the data set, valid for two hours.
pub fn bearer_tokens(secrets: &BenchSecrets, users: u32) -> BenchResult<Vec<String>> {
    let issuer = JwtIssuer::new(secrets.jwt_secret());
    (0..users)
        .map(|index| {
            let issued = issuer.issue(&dataset::user_id(index), chrono::Duration::hours(2))?;
            Ok(issued.token.expose_secret().to_owned())
        })
        .collect()
}

/// One request to each endpoint must succeed, and a video page must be full, before any
/// number is taken: a benchmark of 401s or empty pages would measure nothing.
async fn check_answers(
    server: &RunningServer,
    token: &str,
    expected_videos: usize,
) -> BenchResult<()> {
    let client = reqwest::Client::new();
    for endpoint in ENDPOINTS {
        let response = client
            .get(server.base_url().join(endpoint)?)
            .bearer_auth(token)
            .send()
            .await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await?;
        if !status.is_success() {
            return Err(BenchError::Setup(format!(
                "GET /{endpoint} answered {status}: {body}"
            )));
        }
        if endpoint.starts_with("api/tiktok/videos") {
            let videos = body
                .get("videos")
                .and_then(serde_json::Value::as_array)
                .map_or(0, Vec::len);
            if videos != expected_videos {
                return Err(BenchError::Setup(format!(
                    "GET /{endpoint} returned {videos} videos, not {expected_videos}: is the \
                     database filled with this data set?"
                )));
            }
        }
    }
    Ok(())
}

/// Samples the server's RSS every 100 ms until told to stop; returns the largest.
fn sample_memory(pid: u32, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut peak = 0;
        while !stop.load(Ordering::Relaxed) {
            if let Ok(memory) = proc_stats::memory(pid) {
                peak = peak.max(memory.rss_kib);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        peak
    })
}

async fn measured_run(
    server: &RunningServer,
    load: &LoadSpec,
    endpoint: &'static str,
) -> BenchResult<EndpointRun> {
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = sample_memory(server.pid(), Arc::clone(&stop));
    let cpu_before = server.cpu_seconds()?;
    let started = Instant::now();
    let result = load::run(load).await?;
    let wall = started.elapsed().as_secs_f64();
    let cpu = server.cpu_seconds()? - cpu_before;
    stop.store(true, Ordering::Relaxed);
    let peak_rss_kib = sampler
        .await
        .map_err(|error| BenchError::Setup(format!("memory sampler failed: {error}")))?;
    Ok(EndpointRun {
        endpoint,
        rate: load.rate,
        result,
        peak_rss_kib,
        server_cpu_cores: cpu / wall.max(f64::MIN_POSITIVE),
    })
}

/// Runs benchmark 3 against an already filled database.
pub async fn run(spec: &ReadLoadSpec, secrets: &BenchSecrets) -> BenchResult<ReadLoadReport> {
    let tokens = Arc::new(bearer_tokens(secrets, spec.dataset.connections)?);
    let first = tokens
        .first()
        .ok_or_else(|| BenchError::Setup("the data set has no users".into()))?;
    let load_before = proc_stats::load_average();
    let server = RunningServer::start(&spec.server, secrets).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.memory()?;
    let expected_videos = usize::try_from(spec.dataset.videos.min(50)).unwrap_or(50);
    check_answers(&server, first, expected_videos).await?;

    let mut runs = Vec::new();
    for endpoint in ENDPOINTS {
        let closed = LoadSpec {
            url: server.base_url().join(endpoint)?,
            tokens: Arc::clone(&tokens),
            connections: spec.connections,
            duration: spec.warmup,
            rate: None,
            seed: spec.dataset.seed,
        };
        if !spec.warmup.is_zero() {
            load::run(&closed).await?;
        }
        let closed = LoadSpec {
            duration: spec.duration,
            ..closed
        };
        eprintln!(
            "  {endpoint}: closed loop, {} connections",
            spec.connections
        );
        runs.push(measured_run(&server, &closed, endpoint).await?);
        if spec.rate > 0 {
            eprintln!("  {endpoint}: {} requests/s", spec.rate);
            let open = LoadSpec {
                rate: Some(spec.rate),
                ..closed
            };
            runs.push(measured_run(&server, &open, endpoint).await?);
        }
    }
    let end = server.memory()?;
    let ready_after = server.ready_after;
    server.stop()?;
    Ok(ReadLoadReport {
        ready_after,
        idle,
        end,
        runs,
        load_average: (load_before, proc_stats::load_average()),
    })
}

/// The report as Markdown.
pub fn render(report: &ReadLoadReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Server ready after {:.1} ms; RSS idle {:.1} MiB; peak RSS of the session (VmHWM) {:.1} MiB.\n\n",
        report.ready_after.as_secs_f64() * 1000.0,
        report.idle.rss_mib(),
        report.end.hwm_mib(),
    ));
    out.push_str(&format!(
        "Machine load average (1, 5, 15 min) before: {}; after: {}.\n\n",
        report.load_average.0.as_deref().unwrap_or("unknown"),
        report.load_average.1.as_deref().unwrap_or("unknown"),
    ));
    out.push_str("| endpoint | load | requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | server CPU (cores) | peak RSS MiB |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for run in &report.runs {
        let latency = &run.result.latency;
        let load = match run.rate {
            None => "closed loop".to_owned(),
            Some(rate) => format!("{rate}/s open loop"),
        };
        let errors = if run.result.bad_status.is_empty() {
            run.result.errors().to_string()
        } else {
            format!("{} {:?}", run.result.errors(), run.result.bad_status)
        };
        out.push_str(&format!(
            "| `GET /{}` | {load} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {errors} | {:.2} | {:.1} |\n",
            run.endpoint,
            run.result.requests_per_second(),
            latency.p50_ms,
            latency.p90_ms,
            latency.p99_ms,
            latency.p999_ms,
            latency.max_ms,
            run.server_cpu_cores,
            kib_to_mib(run.peak_rss_kib),
        ));
    }
    out
}
