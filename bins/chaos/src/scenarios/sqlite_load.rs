//! Scenario 7: SQLite, the api-server and a worker `run-once` on one database file, under
//! read load and manual syncs from the users while the worker writes its pass: no
//! "database is locked" reaches a user or fails a sync.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use api_server::auth::JwtIssuer;
use futures::future::join_all;
use secrecy::ExposeSecret as _;
use tiktok_sandbox::{SandboxConfig, VideosPerCreator};
use tokio::sync::Mutex;

use crate::checks;
use crate::harness::{Suite, World, read_log};

const CONNECTIONS: u32 = 30;
/// 45 videos: 3 list pages, three writes of 45 rows and snapshots per sync.
const VIDEOS: u32 = 45;
const READERS: usize = 6;

/// Runs the scenario; returns its figures.
pub async fn run(suite: &Suite) -> Result<String> {
    let world = World::new_sqlite(
        suite,
        "sqlite_load",
        SandboxConfig::new()
            .creators(CONNECTIONS)
            .videos_per_creator(VideosPerCreator::Fixed(VIDEOS))
            .access_token_lifetime(Duration::from_secs(30 * 86_400)),
    )
    .await?;
    world.connect_all().await?;
    let (server, base, _) = world.server("api-server", &[]).await?;
    let issuer = JwtIssuer::new(world.secrets.jwt_secret());
    let bearers: Vec<String> = (0..CONNECTIONS)
        .map(|index| {
            issuer
                .issue(
                    &format!("chaos-user-{index:05}"),
                    chrono::Duration::hours(1),
                )
                .map(|issued| issued.token.expose_secret().to_owned())
        })
        .collect::<Result<_, _>>()?;

    let started = Instant::now();
    let mut worker = world.worker("run-once", &["run-once"], &[])?;
    let done = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Vec::<(u16, String)>::new()));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let readers = (0..READERS).map(|reader| {
        let (done, answers, client, base, bearers) = (
            Arc::clone(&done),
            Arc::clone(&answers),
            client.clone(),
            base.clone(),
            bearers.clone(),
        );
        async move {
            let mut turn = reader;
            while !done.load(Ordering::SeqCst) {
                let bearer = &bearers[turn % bearers.len()];
                // One manual sync per user (the cooldown refuses the rest), reads otherwise.
                let request = if turn < bearers.len() && turn % 3 == 0 {
                    client.post(base.join("api/auth/tiktok/sync")?)
                } else if turn % 2 == 0 {
                    client.get(base.join("api/tiktok/videos?sort=views&limit=50")?)
                } else {
                    client.get(base.join("api/connections")?)
                };
                let response = request.bearer_auth(bearer).send().await?;
                let status = response.status().as_u16();
                let body = response.text().await?;
                answers.lock().await.push((status, body));
                turn += READERS;
            }
            anyhow::Ok(())
        }
    });
    let load = join_all(readers);
    let watch = async {
        let status = worker.wait(Duration::from_secs(120)).await;
        done.store(true, Ordering::SeqCst);
        status
    };
    let (results, status) = tokio::join!(load, watch);
    for result in results {
        result?;
    }
    let worker_clean = status?.success();
    let wall = started.elapsed();

    let db = world.services.database();
    let mut runs = Vec::new();
    let mut synced = 0;
    for connection in db.list_connections(i64::from(CONNECTIONS)).await? {
        for run in db.recent_sync_runs(connection.id, 20).await? {
            if run.trigger != domain::SyncTrigger::Connect {
                synced += usize::from(run.outcome == Some(domain::SyncOutcome::Success));
                runs.push((
                    run.outcome.map(|o| o.as_str().to_owned()),
                    run.error_message,
                ));
            }
        }
    }
    let answers = answers.lock().await.clone();
    let served = checks::no_lock_reached_anyone(&answers, &runs, worker_clean)
        .map_err(anyhow::Error::msg)?;
    if synced < CONNECTIONS as usize {
        bail!("{synced} syncs succeeded for {CONNECTIONS} due connections");
    }
    let manual = answers
        .iter()
        .filter(|(status, _)| *status == 202 || *status == 409)
        .count();
    let locked_in_logs = [worker.log.as_path(), server.log.as_path()]
        .iter()
        .map(|path| read_log(path).matches("database is locked").count())
        .sum::<usize>();
    Ok(format!(
        "syncs={synced} requests={served} (5xx 0, 202/409 {manual}) locked_in_logs={locked_in_logs} \
         wall={:.1}s",
        wall.as_secs_f64()
    ))
}
