//! Benchmark 4: start-up. The api-server is started on an existing database again and again;
//! each time, the wall time from spawning the process to the first `200` of `/readyz`.

use std::time::Duration;

use crate::error::{BenchError, BenchResult};
use crate::keys::BenchSecrets;
use crate::server::{RunningServer, ServerSpec};

/// Start-up times of `runs` starts (each server is stopped before the next one starts).
pub async fn run(
    spec: &ServerSpec,
    secrets: &BenchSecrets,
    runs: u32,
) -> BenchResult<Vec<Duration>> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let server = RunningServer::start(spec, secrets).await?;
        times.push(server.ready_after);
        server.stop()?;
    }
    if times.is_empty() {
        return Err(BenchError::Setup("--runs must be at least 1".into()));
    }
    Ok(times)
}

/// Min, median and max, in milliseconds, as Markdown.
pub fn render(times: &[Duration]) -> String {
    let mut millis: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1000.0).collect();
    millis.sort_by(f64::total_cmp);
    let median = millis.get(millis.len() / 2).copied().unwrap_or_default();
    let min = millis.first().copied().unwrap_or_default();
    let max = millis.last().copied().unwrap_or_default();
    let all = millis
        .iter()
        .map(|ms| format!("{ms:.1}"))
        .collect::<Vec<_>>()
        .join(", ");
    let load = crate::proc_stats::load_average().unwrap_or_else(|| "unknown".into());
    format!(
        "Machine load average (1, 5, 15 min) at the end: {load}.\n\n| starts | min ms | median ms | max ms |\n|---:|---:|---:|---:|\n| {} | {min:.1} | {median:.1} | {max:.1} |\n\nEach start (ms, sorted): {all}\n",
        millis.len()
    )
}
