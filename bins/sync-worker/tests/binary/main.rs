//! The `sync-worker` binary as processes: same environment variables as the api-server,
//! summaries on standard output, non-zero exit only when the worker cannot run.
#![allow(clippy::unwrap_used)]

#[path = "../acceptance/support.rs"]
mod support;

use std::collections::HashMap;
use std::process::Output;

use chrono::TimeDelta;
use domain::SyncTrigger;
use std::process::Command;

use support::{Backend, World, backends};

/// Runs the binary with exactly `env` (plus a private working directory, so no `.env` file
/// of the checkout is read).
async fn sync_worker(args: &[&str], env: &HashMap<String, String>) -> Output {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let env = env.clone();
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        Command::new(env!("CARGO_BIN_EXE_sync-worker"))
            .args(&args)
            .env_clear()
            .envs(&env)
            .env("DATA_DIR", dir.path())
            .env("RUST_LOG", "info")
            .current_dir(dir.path())
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The number before `word` in `text` (`"12 synced"` -> 12).
fn count_before(text: &str, word: &str) -> u32 {
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.trim_end_matches(',') == word)
        .unwrap_or_else(|| panic!("no {word:?} in {text}"));
    words[at - 1].parse().unwrap()
}

/// A world whose connections were made 25 hours ago by the services' clock: due now for the
/// binary, which runs on the system clock.
async fn world_connected_a_day_ago(backend: Backend, videos: &[u32]) -> World {
    let world = World::new(backend, videos).await;
    world.clock.advance(TimeDelta::hours(-25));
    world.connect_all(TimeDelta::seconds(1)).await;
    world
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_run_once_processes_at_once_sync_each_connection_once() {
    for backend in backends() {
        let world = world_connected_a_day_ago(backend, &[0, 10, 30, 50, 70, 90, 110, 120]).await;
        let (a, b) = tokio::join!(
            sync_worker(&["run-once"], &world.env),
            sync_worker(&["run-once"], &world.env),
        );
        for output in [&a, &b] {
            assert!(output.status.success(), "{backend:?}: {}", stderr(output));
        }
        let synced = count_before(&stdout(&a), "synced") + count_before(&stdout(&b), "synced");
        assert_eq!(synced, 8, "{}\n{}", stdout(&a), stdout(&b));
        for connection in world.connections().await {
            let scheduled = world
                .runs(connection.id)
                .await
                .into_iter()
                .filter(|run| run.trigger == SyncTrigger::Scheduled)
                .count();
            assert_eq!(scheduled, 1, "{backend:?}: {}", connection.id);
        }
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_connections_due_and_quota_as_json_and_as_a_table() {
    let world = world_connected_a_day_ago(Backend::Sqlite, &[5, 25, 45]).await;
    let mut env = world.env.clone();
    env.insert("TIKTOK_DAILY_QUOTA".into(), "1000".into());

    let output = sync_worker(&["status", "--json"], &env).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(status["connectionsByStatus"]["active"], 3);
    assert_eq!(status["dueNow"], 3);
    assert_eq!(status["lastRunOutcomes"]["success"], 3);
    let tiktok = &status["platforms"][0];
    assert_eq!(tiktok["platform"], "tiktok");
    assert_eq!(tiktok["budget"]["daily_quota"], 1000);
    assert_eq!(tiktok["plan"]["selected"].as_array().unwrap().len(), 3);

    let output = sync_worker(&["status"], &env).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let table = stdout(&output);
    assert!(table.contains("due now"), "{table}");
    assert!(table.contains("tiktok quota"), "{table}");
    assert!(table.contains("reserved for manual syncs"), "{table}");
    assert!(table.contains("would defer none"), "{table}");
    world.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_once_prints_a_summary_and_refresh_tokens_refreshes() {
    let world = world_connected_a_day_ago(Backend::Sqlite, &[5, 25]).await;
    let output = sync_worker(&["refresh-tokens"], &world.env).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(count_before(&stdout(&output), "refreshed"), 2);

    let output = sync_worker(&["run-once"], &world.env).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    // The tokens are fresh already; the syncs run.
    assert_eq!(count_before(&summary, "refreshed"), 0, "{summary}");
    assert_eq!(count_before(&summary, "synced"), 2, "{summary}");
    assert!(summary.contains("skipped for quota"), "{summary}");
    // Logs went to standard error, never a token.
    let logs = stderr(&output);
    assert!(logs.contains("sync pass finished"), "{logs}");
    assert!(
        !logs.contains("act."),
        "a token-looking value in the logs: {logs}"
    );
    world.sandbox.stop().await;
}

/// A host receiver that records each notification's `X-Signature` and body, answering 200.
async fn start_host_receiver() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>,
    actix_web::dev::ServerHandle,
) {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    let received: std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>> =
        std::sync::Arc::default();
    let store = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let store = store.clone();
        App::new().route(
            "/hooks",
            web::post().to(move |request: HttpRequest, body: web::Bytes| {
                let store = store.clone();
                async move {
                    let signature = request
                        .headers()
                        .get("X-Signature")
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .to_owned();
                    let body = serde_json::from_slice(&body).unwrap();
                    store.lock().unwrap().push((signature, body));
                    HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}/hooks"), received, handle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_once_delivers_the_host_notifications_of_its_syncs() {
    let world = world_connected_a_day_ago(Backend::Sqlite, &[5, 25]).await;
    let (url, received, receiver) = start_host_receiver().await;
    let mut env = world.env.clone();
    env.insert("HOST_WEBHOOK_URL".into(), url);
    env.insert(
        "HOST_WEBHOOK_SECRET".into(),
        "worker-test-host-secret-0123456789".into(),
    );
    let output = sync_worker(&["run-once"], &env).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert_eq!(count_before(&summary, "synced"), 2, "{summary}");
    assert!(
        summary.contains("host notifications: 2 delivered, 0 to retry, 0 given up"),
        "{summary}"
    );
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    for (signature, body) in &received {
        assert!(signature.starts_with("t="), "{signature}");
        assert_eq!(body["type"], "sync.completed");
        assert_eq!(body["data"]["trigger"], "scheduled");
    }
    receiver.stop(false).await;
    world.sandbox.stop().await;
}

#[tokio::test]
async fn the_worker_exits_non_zero_only_when_it_cannot_run() {
    // Live mode with required variables missing.
    let env: HashMap<String, String> = [("TIKTOK_CLIENT_KEY".to_owned(), "key".to_owned())].into();
    let output = sync_worker(&["run-once"], &env).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("TIKTOK_CLIENT_SECRET"),
        "{}",
        stderr(&output)
    );

    // Sandbox mode with no emulator to talk to.
    let output = sync_worker(&["run-once"], &HashMap::new()).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("TIKTOK_API_BASE_URL"),
        "{}",
        stderr(&output)
    );

    // A database that cannot be opened.
    let world = World::new(Backend::Sqlite, &[1]).await;
    let mut env = world.env.clone();
    env.insert(
        "DATABASE_URL".into(),
        "postgres://nobody@127.0.0.1:1/none".into(),
    );
    let output = sync_worker(&["run-once"], &env).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("DATABASE_URL"),
        "{}",
        stderr(&output)
    );

    // Half a sync depth is refused by name; both halves show in `status`.
    let mut env = world.env.clone();
    env.insert("SYNC_RECENT_DAYS".into(), "30".into());
    let output = sync_worker(&["run-once"], &env).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("SYNC_RECENT_DAYS is set but SYNC_FULL_EVERY_DAYS is not"),
        "{}",
        stderr(&output)
    );
    env.insert("SYNC_FULL_EVERY_DAYS".into(), "7".into());
    let output = sync_worker(&["status"], &env).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("recent: videos of the last 30 days, every video once every 7 days"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    // A bad schedule stops the daemon before it starts.
    let mut env = world.env.clone();
    env.insert("SYNC_CRON_TIKTOK".into(), "every morning".into());
    let output = sync_worker(&["daemon"], &env).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("every morning"),
        "{}",
        stderr(&output)
    );
    world.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_stops_on_sigterm() {
    let world = World::new(Backend::Sqlite, &[1]).await;
    let mut env = world.env.clone();
    // Nothing fires during the test.
    for name in [
        "SYNC_CRON_ALL_PLATFORMS",
        "SYNC_CRON_TIKTOK",
        "SYNC_CRON_TOKEN_REFRESH",
    ] {
        env.insert(name.into(), "0 0 0 1 1 * 2099".into());
    }
    let output = tokio::task::spawn_blocking(move || {
        use std::io::{BufRead as _, BufReader};
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_sync-worker"))
            .arg("daemon")
            .env_clear()
            .envs(&env)
            .env("DATA_DIR", dir.path())
            .env("RUST_LOG", "info")
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut logs = String::new();
        // Wait until it is waiting for its schedule (the signal handlers are in place).
        loop {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "exited early: {logs}"
            );
            logs.push_str(&line);
            if line.contains("waiting for the next run") {
                break;
            }
        }
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
        (status, logs + &rest)
    })
    .await
    .unwrap();
    let (status, logs) = output;
    assert!(status.success(), "{logs}");
    assert!(logs.contains("daemon stopped"), "{logs}");
    world.sandbox.stop().await;
}
