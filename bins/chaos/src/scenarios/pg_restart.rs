//! Scenario 4: PostgreSQL stopped (`pg_ctl stop -m fast`: every session cut) and started
//! again in the middle of a worker pass, under read load on the api-server. The server
//! answers 503 while it is down and 200 again by itself; the worker finishes or exits
//! non-zero with a clear message; the next `run-once` completes, and nothing is lost or
//! duplicated. On a PostgreSQL of the suite's own (`initdb`), never the shared server.
//!
//! Shown to fail: on the code before main's `ConnectionLost` mapping (issue 24, which landed
//! meanwhile) it failed with "answered Some(500)" (a query cut by the stopping server was an
//! internal error, not 503); then with "a connection has 45 videos and 0 snapshots of today"
//! (the pass burnt through every account while the database was down and could not give its
//! leases back, so the next run found nothing to lease), fixed in `worker/pass.rs` and
//! `lease.rs`. The checker's own unit tests are in `checks.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use api_server::auth::JwtIssuer;
use secrecy::ExposeSecret as _;
use tiktok_sandbox::{Endpoint, Fault, SandboxConfig, VideosPerCreator};
use tokio::sync::Mutex;

use crate::checks::{self, Phase};
use crate::harness::{Suite, World, read_log, wait_until};
use crate::postgres::PrivatePostgres;

const CONNECTIONS: u32 = 24;
const VIDEOS: u32 = 45;
const READERS: usize = 3;

/// Runs the scenario; returns its figures.
pub async fn run(suite: &Suite) -> Result<String> {
    let postgres = tokio::task::block_in_place(PrivatePostgres::start)?;
    let mut world = World::on(
        suite,
        "pg_restart",
        SandboxConfig::new()
            .creators(CONNECTIONS)
            .videos_per_creator(VideosPerCreator::Fixed(VIDEOS))
            .access_token_lifetime(Duration::from_secs(30 * 86_400)),
        postgres.url("chaos_pg_restart"),
    )
    .await?;
    world.connect_all().await?;
    let (_server, base, _) = world.server("api-server", &[]).await?;
    let issuer = JwtIssuer::new(world.secrets.jwt_secret());
    let bearer = issuer
        .issue("chaos-user-00000", chrono::Duration::hours(1))?
        .token
        .expose_secret()
        .to_owned();

    // The pass is slowed so the restart lands in its middle.
    world
        .sandbox
        .set_fault(Endpoint::VideoList, Fault::Latency { millis: 150 });
    let phase = Arc::new(AtomicU8::new(0));
    let answers = Arc::new(Mutex::new(Vec::<(Phase, Option<u16>)>::new()));
    let stop = Arc::new(AtomicU8::new(0));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (phase, answers, stop, client, base, bearer) = (
                Arc::clone(&phase),
                Arc::clone(&answers),
                Arc::clone(&stop),
                client.clone(),
                base.clone(),
                bearer.clone(),
            );
            tokio::spawn(async move {
                while stop.load(Ordering::SeqCst) == 0 {
                    let at = match phase.load(Ordering::SeqCst) {
                        0 => Phase::Before,
                        1 => Phase::Down,
                        _ => Phase::After,
                    };
                    let status = client
                        .get(base.join("api/tiktok/videos?limit=20")?)
                        .bearer_auth(&bearer)
                        .send()
                        .await
                        .ok()
                        .map(|response| response.status().as_u16());
                    answers.lock().await.push((at, status));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                anyhow::Ok(())
            })
        })
        .collect();

    let mut worker = world.worker("run-once", &["run-once"], &[])?;
    let sandbox = &world.sandbox;
    let profiles_before = sandbox.call_count(Endpoint::UserInfo);
    wait_until(
        "the pass to be under way",
        Duration::from_secs(60),
        || async { Ok(sandbox.call_count(Endpoint::UserInfo) >= profiles_before + 4) },
    )
    .await?;
    tokio::task::block_in_place(|| postgres.stop())?;
    phase.store(1, Ordering::SeqCst);
    let down_at = Instant::now();
    let seen = Arc::clone(&answers);
    // Down until both felt it: the server answered 503 and the worker met the outage (or
    // had finished its pass).
    let worker_log = worker.log.clone();
    wait_until(
        "the server and the worker to meet the outage",
        Duration::from_secs(30),
        || {
            let seen = Arc::clone(&seen);
            let log = read_log(&worker_log);
            async move {
                let server_felt = seen.lock().await.contains(&(Phase::Down, Some(503)));
                let worker_felt =
                    log.contains("database unavailable") || log.contains("sync pass finished");
                Ok(server_felt && worker_felt)
            }
        },
    )
    .await?;
    tokio::task::block_in_place(|| postgres.start_again())?;
    phase.store(2, Ordering::SeqCst);
    let up_at = Instant::now();
    let recovered = wait_until(
        "the server to answer 200 again",
        Duration::from_secs(60),
        || {
            let seen = Arc::clone(&seen);
            async move { Ok(seen.lock().await.last() == Some(&(Phase::After, Some(200)))) }
        },
    )
    .await?;
    let status = worker.wait(Duration::from_secs(120)).await?;
    let worker_exit = if status.success() {
        "finished".to_owned()
    } else {
        let log = worker.log_text();
        let Some(message) = log
            .lines()
            .rev()
            .find(|line| line.starts_with("sync-worker: "))
        else {
            bail!(
                "the worker exited {status} without a message; see {}",
                worker.log.display()
            );
        };
        format!(
            "exited {} ({})",
            status.code().unwrap_or(-1),
            message.trim()
        )
    };
    stop.store(1, Ordering::SeqCst);
    for reader in readers {
        reader.await??;
    }
    let unavailable =
        checks::served_through_restart(&answers.lock().await).map_err(anyhow::Error::msg)?;

    // The next run completes everything the restart left.
    world.sandbox.clear_faults();
    let mut next = world.worker("next", &["run-once"], &[])?;
    if !next.wait(Duration::from_secs(120)).await?.success() {
        bail!("the next run-once failed; see {}", next.log.display());
    }
    world.reconnect_probe().await?;
    let mut per_connection = Vec::new();
    for id in world.connection_ids().await? {
        let stored = world
            .count(
                "SELECT count(*) AS count FROM videos WHERE connection_id = $1",
                id,
            )
            .await?;
        let snapshots = world.snapshots_today(id).await?;
        per_connection.push((stored, snapshots));
    }
    checks::nothing_lost_or_duplicated(&per_connection, i64::from(VIDEOS))
        .map_err(anyhow::Error::msg)?;
    let answered = answers.lock().await.len();
    Ok(format!(
        "down={:.1}s reads={answered} (503 {unavailable}) server_recovered_in={:.1}s \
         worker={worker_exit} next_run=complete syncs={CONNECTIONS}",
        (up_at - down_at).as_secs_f64(),
        recovered.as_secs_f64(),
    ))
}
