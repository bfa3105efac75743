//! Scenario 1: SIGKILL a worker in the middle of a sync, while TikTok holds the second page
//! of the video list. Nothing of that sync is stored, the dead worker's lease keeps a second
//! worker off the connection until it expires, then `run-once` syncs it in full and the sync
//! log says the first run was interrupted.
//!
//! Shown to fail: before `start_sync_run` closed a dead run, the check of the sync log
//! failed ("0 interrupted, 1 succeeded, 1 open"): the killed run said "running" forever.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use chrono::Utc;
use tiktok_sandbox::{Endpoint, Fault, SandboxConfig};

use crate::checks;
use crate::harness::{Suite, World, unix_now, wait_until};

/// 100 videos: 5 list pages of 20.
const VIDEOS: u32 = 100;
/// The shortest lease the workers take, so the dead worker's lease ends within the suite.
const LEASE_MIN_SECS: u64 = 5;

/// Runs the scenario on PostgreSQL, or on SQLite with `sqlite`; returns its figures.
pub async fn run(suite: &Suite, sqlite: bool) -> Result<String> {
    let mut world = World::on_backend(
        suite,
        if sqlite {
            "kill_mid_sync_sqlite"
        } else {
            "kill_mid_sync"
        },
        SandboxConfig::new()
            .creator_videos([VIDEOS])
            .access_token_lifetime(Duration::from_secs(30 * 86_400)),
        sqlite,
    )
    .await?;
    world.connect_all().await?;
    let id = world.connection_ids().await?[0];
    let env = vec![("SYNC_LEASE_MIN_SECS", LEASE_MIN_SECS.to_string())];
    let last_synced_before = world
        .count(
            "SELECT coalesce(last_synced_at, 0) AS count FROM connections WHERE id = $1",
            id,
        )
        .await?;

    // Hold every list page; let the first through, kill while the second is held.
    world.sandbox.set_fault(Endpoint::VideoList, Fault::Held);
    let list_before = world.sandbox.call_count(Endpoint::VideoList);
    let mut victim = world.worker("victim", &["run-once"], &env)?;
    let sandbox = &world.sandbox;
    wait_until(
        "the first page to be held",
        Duration::from_secs(30),
        || async { Ok(sandbox.held_calls() == 1) },
    )
    .await?;
    sandbox.release_held_calls();
    wait_until(
        "the second page to be held",
        Duration::from_secs(30),
        || async {
            Ok(sandbox.held_calls() == 1
                && sandbox.call_count(Endpoint::VideoList) == list_before + 2)
        },
    )
    .await?;
    victim.kill().await?;
    let killed_at = Instant::now();
    world.sandbox.clear_faults();

    let runs = world.runs().await?;
    let open_run = runs
        .iter()
        .any(|run| run.connection_id == id && run.outcome.is_none());
    let snapshots = world.snapshots_today(id).await?;
    let last_synced = world
        .count(
            "SELECT coalesce(last_synced_at, 0) AS count FROM connections WHERE id = $1",
            id,
        )
        .await?;
    checks::nothing_half_written(open_run, snapshots, last_synced != last_synced_before)
        .map_err(anyhow::Error::msg)?;
    let (holder, expires) = world.lease(id).await?;
    let Some(expires) = expires.filter(|at| *at > unix_now()) else {
        bail!("the killed worker's lease is gone already (holder {holder:?})");
    };
    let lease_left = expires - unix_now();

    // A second worker at once: the lease keeps it off the connection.
    let calls_before = world.sandbox.call_count(Endpoint::UserInfo);
    let mut early = world.worker("early", &["run-once"], &env)?;
    let status = early.wait(Duration::from_secs(60)).await?;
    let early_done = unix_now();
    if !status.success() {
        bail!(
            "the second run-once exited with {status}; see {}",
            early.log.display()
        );
    }
    let kept_off = early.log_text().contains("sync pass finished leased=0 ");
    if (!kept_off || world.sandbox.call_count(Endpoint::UserInfo) != calls_before)
        && early_done < expires
    {
        bail!("a second worker synced the connection under the dead worker's lease");
    }

    // Once the lease expires, the next run-once syncs it in full.
    let mut waited = Duration::ZERO;
    if unix_now() <= expires {
        waited = wait_until(
            "the dead worker's lease to expire",
            Duration::from_secs(60),
            || async { Ok(unix_now() > expires) },
        )
        .await?;
    }
    let mut next = world.worker("next", &["run-once"], &env)?;
    let status = next.wait(Duration::from_secs(60)).await?;
    if !status.success() {
        bail!(
            "the next run-once exited with {status}; see {}",
            next.log.display()
        );
    }
    let recovered = killed_at.elapsed();
    let runs: Vec<(Option<String>, Option<String>)> = world
        .runs()
        .await?
        .into_iter()
        .filter(|run| run.connection_id == id && run.triggered_by == "scheduled")
        .map(|run| (run.outcome, run.error_code))
        .collect();
    let snapshots = world.snapshots_today(id).await?;
    checks::recovered_in_full(i64::from(VIDEOS), snapshots, &runs).map_err(anyhow::Error::msg)?;
    Ok(format!(
        "killed_on_page=2/5 lease_left={lease_left}s waited={:.1}s syncs=1 videos={snapshots}/{VIDEOS} \
         calls={} recovered_in={:.1}s today={}",
        waited.as_secs_f64(),
        world.sandbox.call_count(Endpoint::UserInfo)
            + world.sandbox.call_count(Endpoint::VideoList),
        recovered.as_secs_f64(),
        Utc::now().date_naive(),
    ))
}
