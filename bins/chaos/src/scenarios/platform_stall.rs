//! Scenario 6: TikTok stops answering (connections accepted, requests read, no answer), then
//! resets every connection. The client's timeout fires on each stalled attempt, the pass
//! ends within its bound with every account `failed` (not `needs_reauth`, the connections
//! still active, nothing written), `sync-worker status` shows them backed off rather than
//! due, and once the backoff has passed and TikTok answers again, the next `run-once` syncs
//! them all.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use tiktok_sandbox::SandboxConfig;

use crate::checks;
use crate::harness::{Suite, World};
use crate::proxy::{Mode, Proxy};

const ACCOUNTS: u32 = 4;
const TIMEOUT_SECS: u64 = 2;
/// The stalled attempts: the first of each account's profile call, at 4 accounts at once.
const STALLED: u64 = 4;
/// A pass's bound: per account, 4 attempts of at most the timeout plus the client's backoff
/// (1 + 2 + 4 s, with jitter), every account at once; with room for a loaded machine.
const PASS_BOUND: Duration = Duration::from_secs(40);

/// Runs the scenario; returns its figures.
pub async fn run(suite: &Suite) -> Result<String> {
    let mut world = World::new(
        suite,
        "platform_stall",
        SandboxConfig::new()
            .creator_videos([3; ACCOUNTS as usize])
            .access_token_lifetime(Duration::from_secs(30 * 86_400)),
    )
    .await?;
    world.connect_all().await?;
    let proxy = Proxy::start(world.sandbox.local_addr()).await?;
    let base = proxy.base_url()?.to_string();
    let env = vec![
        ("TIKTOK_API_BASE_URL", base.clone()),
        ("TIKTOK_AUTH_BASE_URL", base),
        ("TIKTOK_REQUEST_TIMEOUT_SECS", TIMEOUT_SECS.to_string()),
    ];

    proxy.script(STALLED, Mode::Reset);
    let started = Instant::now();
    let mut down = world.worker("platform-down", &["run-once"], &env)?;
    let status = down.wait(PASS_BOUND).await?;
    let pass = started.elapsed();
    if !status.success() {
        bail!(
            "run-once exited with {status} while TikTok was down (account failures are not the worker's)"
        );
    }
    let (accepted, stalled, resets) = proxy.counts();
    if stalled < STALLED || resets == 0 {
        bail!("the platform was not down as scripted: {stalled} stalled, {resets} reset");
    }
    let runs: Vec<_> = world
        .runs()
        .await?
        .into_iter()
        .filter(|run| run.triggered_by == "scheduled")
        .collect();
    let outcomes: Vec<Option<String>> = runs.iter().map(|run| run.outcome.clone()).collect();
    let statuses = world.statuses().await?;
    checks::failed_but_not_reauth(&outcomes, &statuses, ACCOUNTS as usize)
        .map_err(anyhow::Error::msg)?;
    let log = down.log_text();
    if !log.to_lowercase().contains("timed out") && !log.to_lowercase().contains("timeout") {
        bail!("no timeout in the worker's log; see {}", down.log.display());
    }

    // `status`: still active, backed off (not due now).
    let mut quiet = env.clone();
    quiet.push(("RUST_LOG", "warn".to_owned()));
    let status_out = world.worker_output(&["status", "--json"], &quiet).await?;
    let due_now = serde_json::from_str::<serde_json::Value>(&status_out)?["dueNow"].as_u64();
    if due_now != Some(0) {
        bail!("right after the failures, status says dueNow = {due_now:?}, not 0 (backed off)");
    }

    // The backoff (15 minutes after a first failure) passes: moved into the past.
    world
        .execute(
            "UPDATE sync_runs SET started_at = started_at - 1200, \
             finished_at = finished_at - 1200",
        )
        .await?;
    proxy.script(0, Mode::Pass);
    let recovering = Instant::now();
    let mut up = world.worker("platform-up", &["run-once"], &env)?;
    let status = up.wait(Duration::from_secs(60)).await?;
    if !status.success() {
        bail!("run-once exited with {status} once TikTok answered again");
    }
    let succeeded = world
        .runs()
        .await?
        .into_iter()
        .filter(|run| run.triggered_by == "scheduled" && run.outcome.as_deref() == Some("success"))
        .count();
    if succeeded != ACCOUNTS as usize {
        bail!("{succeeded} of {ACCOUNTS} accounts synced once TikTok answered again");
    }
    Ok(format!(
        "pass_while_down={:.1}s (bound {}s) accounts_failed={ACCOUNTS} needs_reauth=0 \
         connections={accepted} stalled={stalled} reset={resets} syncs_after={succeeded} \
         recovered_in={:.1}s",
        pass.as_secs_f64(),
        PASS_BOUND.as_secs(),
        recovering.elapsed().as_secs_f64(),
    ))
}
