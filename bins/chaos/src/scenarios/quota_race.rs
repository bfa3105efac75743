//! Scenario 5: three workers (a `daemon` and two `run-once` slots, each relaunched as a
//! systemd timer would) over 1,000 due connections and a daily quota tighter than the work.
//! Every connection is synced at most once, no two syncs of one connection overlap, the
//! per-minute and daily budgets hold by the sandbox's own call log, and what was synced is
//! the stalest, give or take what the workers had in flight.
//!
//! Shown to fail: `checks::tests` breaks each property (a connection synced twice as by a
//! worker without leases, a 4th call in a minute limited to 3, the reserve spent, the freshest
//! synced first); a first version of this scenario that left most connections not due was
//! caught by its own floor ("only 181 connections synced").

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use chrono::TimeDelta;
use rand::SeedableRng as _;
use rand::seq::SliceRandom as _;
use rand_chacha::ChaCha8Rng;
use tiktok_sandbox::{Endpoint, SandboxConfig, VideosPerCreator};

use crate::checks::{self, Run};
use crate::harness::{InstantToUtc, Process, Suite, World, wait_until};

const CONNECTIONS: u32 = 1_000;
/// 3 videos each: a sync is one profile call and one list page.
const VIDEOS: u32 = 3;
/// 900 calls for scheduled work: 450 of the 1,000 syncs.
const DAILY_QUOTA: u32 = 1_000;
const PER_MINUTE: u32 = 400;
const BATCH: usize = 25;
const WORKERS: usize = 3;
const DEADLINE: Duration = Duration::from_secs(240);

/// Runs the scenario; returns its figures.
pub async fn run(suite: &Suite) -> Result<String> {
    let mut world = World::new(
        suite,
        "quota_race",
        SandboxConfig::new()
            .creators(CONNECTIONS)
            .videos_per_creator(VideosPerCreator::Fixed(VIDEOS))
            .access_token_lifetime(Duration::from_secs(30 * 86_400))
            .workers(2),
    )
    .await?;
    world.connect_all().await?;
    // A seeded order of staleness that is not the id order.
    let mut order = world.connection_ids().await?;
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(suite.seed));
    world.set_staleness(&order).await?;

    let env = vec![
        ("TIKTOK_DAILY_QUOTA", DAILY_QUOTA.to_string()),
        ("TIKTOK_RATE_LIMIT_PER_MINUTE", PER_MINUTE.to_string()),
        ("SYNC_BATCH_SIZE", BATCH.to_string()),
        // Every second; the token refresh and TikTok's own pass never fire.
        ("SYNC_CRON_ALL_PLATFORMS", "* * * * * *".to_owned()),
        ("SYNC_CRON_TIKTOK", "0 0 0 1 1 *".to_owned()),
        ("SYNC_CRON_TOKEN_REFRESH", "0 0 0 1 1 *".to_owned()),
    ];
    let before = world.sandbox.call_counts();
    let clock = InstantToUtc::now();
    world.sandbox.record_call_times(true);
    let started = Instant::now();

    let mut daemon = world.worker("daemon", &["daemon"], &env)?;
    let mut slots: Vec<Option<Process>> = Vec::new();
    for slot in 0..WORKERS - 1 {
        slots.push(Some(world.worker(
            &format!("run-once-{slot}-0"),
            &["run-once"],
            &env,
        )?));
    }
    // Relaunch each run-once slot until one of its passes syncs nothing.
    let mut launches = vec![1_usize; slots.len()];
    while slots.iter().any(Option::is_some) {
        if started.elapsed() > DEADLINE {
            bail!("the run-once workers were still syncing after {DEADLINE:?}");
        }
        for (index, slot) in slots.iter_mut().enumerate() {
            let Some(process) = slot else { continue };
            if !process.exited()? {
                continue;
            }
            let status = process.wait(Duration::from_secs(1)).await?;
            if !status.success() {
                bail!(
                    "{} exited with {status}; see {}",
                    process.label,
                    process.log.display()
                );
            }
            let log = process.log_text();
            if passes_that_synced_nothing(&log) > 0 {
                *slot = None;
            } else {
                let label = format!("run-once-{index}-{}", launches[index]);
                launches[index] += 1;
                *slot = Some(world.worker(&label, &["run-once"], &env)?);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The daemon goes on until one of its passes after that syncs nothing.
    let idle_before = passes_that_synced_nothing(&daemon.log_text());
    wait_until("the daemon to run an idle pass", DEADLINE, || {
        let idle = passes_that_synced_nothing(&daemon.log_text());
        async move { Ok(idle > idle_before) }
    })
    .await?;
    daemon.terminate()?;
    let status = daemon.wait(Duration::from_secs(30)).await?;
    if !status.success() {
        bail!("the daemon exited with {status} after SIGTERM");
    }
    let wall = started.elapsed();

    let after = world.sandbox.call_counts();
    let calls: u64 = after
        .iter()
        .map(|(endpoint, count)| count - before.get(endpoint).copied().unwrap_or(0))
        .sum();
    let profile_calls = after[&Endpoint::UserInfo] - before[&Endpoint::UserInfo];
    let arrivals: BTreeMap<String, Vec<_>> = Endpoint::ALL
        .iter()
        .map(|endpoint| {
            let times = world.sandbox.call_times(*endpoint);
            (
                endpoint.name().to_owned(),
                times.into_iter().map(|at| clock.utc(at)).collect(),
            )
        })
        .collect();

    let runs: Vec<Run> = world
        .runs()
        .await?
        .into_iter()
        .filter(|run| run.triggered_by == "scheduled")
        .map(|run| Run {
            connection: run.connection_id,
            outcome: run.outcome,
            started: run.started_at,
            finished: run.finished_at,
        })
        .collect();
    let synced = checks::synced_at_most_once(&runs, profile_calls).map_err(anyhow::Error::msg)?;
    checks::within_daily_budget(calls, DAILY_QUOTA, DAILY_QUOTA / 10)
        .map_err(anyhow::Error::msg)?;
    let busiest = checks::within_per_minute(&arrivals, PER_MINUTE, TimeDelta::seconds(1))
        .map_err(anyhow::Error::msg)?;
    let displaced =
        checks::stalest_first(&order, &synced, WORKERS * BATCH).map_err(anyhow::Error::msg)?;
    if synced.len() < 300 {
        bail!(
            "only {} connections synced: the quota allowed about 450",
            synced.len()
        );
    }
    Ok(format!(
        "syncs={} deferred={} runs={} (rate_limited {}) calls={calls} budget={calls}/{} \
         busiest_minute={busiest}/{PER_MINUTE} displaced={displaced} run_once_launches={} wall={:.1}s",
        synced.len(),
        CONNECTIONS as usize - synced.len(),
        runs.len(),
        runs.len() - synced.len(),
        DAILY_QUOTA - DAILY_QUOTA / 10,
        launches.iter().sum::<usize>(),
        wall.as_secs_f64(),
    ))
}

/// How many passes in a worker's log synced nothing (the `sync pass finished` line says
/// `synced=0`).
fn passes_that_synced_nothing(log: &str) -> usize {
    log.lines()
        .filter(|line| line.contains("sync pass finished") && line.contains(" synced=0 "))
        .count()
}
