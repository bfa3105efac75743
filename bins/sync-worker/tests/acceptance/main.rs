//! Acceptance tests of the sync worker against the TikTok and Instagram emulators over real HTTP and a real
//! database (SQLite always, PostgreSQL when `TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used)]

mod depth;
mod support;
mod three_platforms;
mod two_platforms;

use chrono::TimeDelta;
use domain::{ConnectionStatus, SyncOutcome, SyncTrigger};
use services::{NoProgress, StopSignal, WorkerConfig};
use sync_worker::commands::run_once;
use tiktok_sandbox::{Endpoint, Fault, RemovalReason};
use tokio::sync::watch;

use support::{Backend, World, backends, list_calls, thirty_video_counts};

pub(crate) fn never_stop() -> StopSignal {
    let (sender, receiver) = watch::channel(false);
    // Leak-free: the receiver keeps reading `false` once the sender is gone.
    drop(sender);
    receiver
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_once_refreshes_every_token_first_then_syncs_all_with_the_expected_calls() {
    for backend in backends() {
        let counts = thirty_video_counts();
        let world = World::new(backend, &counts).await;
        world.connect_all(TimeDelta::seconds(1)).await;
        let (tokens_before, info_before, list_before) = (
            world.calls(Endpoint::Token),
            world.calls(Endpoint::UserInfo),
            world.calls(Endpoint::VideoList),
        );

        // A day and an hour later: every sync is due, every 2-hour access token has expired.
        world.advance(TimeDelta::hours(25));
        let report = run_once(
            &world.services,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();

        assert_eq!(report.tokens.refresh.refreshed, 30, "{backend:?}");
        assert_eq!(
            report.tokens.refresh.needs_reauth + report.tokens.refresh.failed,
            0
        );
        assert_eq!(report.tokens.refresh.api_calls, 30);
        assert_eq!(world.calls(Endpoint::Token) - tokens_before, 30);

        let expected_list: u64 = counts.iter().map(|&videos| list_calls(videos)).sum();
        assert_eq!(report.sync.synced, 30, "{backend:?}: {:?}", report.sync);
        assert_eq!(
            report.sync.failed + report.sync.deferred + report.sync.needs_reauth,
            0
        );
        assert_eq!(world.calls(Endpoint::UserInfo) - info_before, 30);
        assert_eq!(
            world.calls(Endpoint::VideoList) - list_before,
            expected_list
        );
        assert_eq!(u64::from(report.sync.api_calls), 30 + expected_list);
        assert_eq!(report.sync.planned_calls, report.sync.api_calls);

        // The tokens were fresh when each sync ran: no sync refreshed on its own.
        for run in &report.sync.runs {
            let connection = world
                .connections()
                .await
                .into_iter()
                .find(|c| c.id == run.connection_id)
                .unwrap();
            let videos = world.videos[&connection.profile.platform_account_id];
            assert_eq!(u64::from(run.api_calls), 1 + list_calls(videos));
            assert_eq!(run.videos_synced, u64::from(videos));
            assert_eq!(world.stored_videos(connection.id).await, i64::from(videos));
            let runs = world.runs(connection.id).await;
            assert_eq!(runs[0].trigger, SyncTrigger::Scheduled);
            assert_eq!(runs[0].outcome, Some(SyncOutcome::Success));
        }

        // Nothing is due right after: a second pass spends nothing.
        let calls = world.all_calls();
        let again = run_once(
            &world.services,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();
        assert_eq!((again.sync.leased, again.sync.synced), (0, 0));
        assert_eq!(world.all_calls(), calls);
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tight_daily_quota_syncs_the_stalest_and_defers_the_rest() {
    for backend in backends() {
        let counts = thirty_video_counts();
        let quota = 120;
        let world = World::new(backend, &counts).await;
        // One minute apart: the first connected is the stalest.
        world.connect_all(TimeDelta::minutes(1)).await;
        world.advance(TimeDelta::hours(25));
        let calls_before = world.all_calls();
        let worker = world.services_with_daily_quota(quota, "worker-quota").await;

        let report = run_once(
            &worker,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();

        // The reserve (a tenth) is never touched by scheduled work.
        let spent = world.all_calls() - calls_before;
        assert!(
            spent <= u64::from(quota - quota / 10),
            "{backend:?}: {spent} calls"
        );
        assert_eq!(report.tokens.refresh.refreshed, 30);
        assert!(
            report.sync.synced > 0 && report.sync.deferred > 0,
            "{:?}",
            report.sync
        );
        assert_eq!(report.sync.synced + report.sync.deferred, 30);
        assert_eq!(report.sync.failed, 0, "the plan's estimates are exact");

        let connections = world.connections().await;
        let mut stalest_first = Vec::new();
        for open_id in &world.open_ids {
            stalest_first.push(world.connection_of(open_id).await.id);
        }
        let first_deferred = stalest_first
            .iter()
            .position(|id| report.sync.deferred_connections.contains(id))
            .unwrap();
        for id in &stalest_first[..first_deferred] {
            assert!(
                report.sync.runs.iter().any(|run| run.connection_id == *id),
                "{id} is staler than the first deferred and was synced"
            );
        }
        for id in &report.sync.deferred_connections {
            // Untouched: its last run is still the first sync on connect.
            let runs = world.runs(*id).await;
            assert_eq!(runs[0].trigger, SyncTrigger::Connect, "{id}");
            assert!(connections.iter().any(|c| c.id == *id));
        }

        // The status says so too.
        let status = worker
            .worker_status(&WorkerConfig::default())
            .await
            .unwrap();
        let plan = &status.platforms[0].plan;
        assert_eq!(plan.deferred.len(), report.sync.deferred_connections.len());
        assert!(plan.selected.is_empty());
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_grant_ends_as_needs_reauth_and_the_others_sync() {
    for backend in backends() {
        let world = World::new(backend, &[5, 25, 45]).await;
        world.connect_all(TimeDelta::seconds(1)).await;
        let revoked = world.open_ids[1].clone();
        world
            .sandbox
            .remove_authorization(&revoked, RemovalReason::UserDisconnected)
            .await;
        world.advance(TimeDelta::hours(25));

        let report = run_once(
            &world.services,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();
        assert_eq!(report.tokens.refresh.refreshed, 2, "{backend:?}");
        assert_eq!(report.tokens.refresh.needs_reauth, 1);
        assert_eq!(report.sync.synced, 2);
        let connection = world.connection_of(&revoked).await;
        assert_eq!(connection.status, ConnectionStatus::NeedsReauth);
        // Not deleted: the data synced on connect is still there.
        assert_eq!(world.stored_videos(connection.id).await, 25);
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_revoked_while_the_token_looks_valid_ends_as_needs_reauth() {
    for backend in backends() {
        let world = World::new(backend, &[5, 25]).await;
        world.connect_all(TimeDelta::seconds(1)).await;
        let revoked = world.open_ids[0].clone();
        world
            .sandbox
            .remove_authorization(&revoked, RemovalReason::UserDisconnected)
            .await;
        // Due after 30 minutes, with tokens that still look valid for 90 more.
        world.advance(TimeDelta::minutes(30));
        let mut worker = WorkerConfig::default();
        worker.due.sync_interval = TimeDelta::minutes(20);
        worker.due.schedule_slack = TimeDelta::zero();
        worker.due.min_retry_delay = TimeDelta::minutes(1);

        let report = run_once(&world.services, &worker, &NoProgress, &never_stop())
            .await
            .unwrap();
        assert_eq!(report.tokens.refresh.refreshed, 0, "{backend:?}");
        assert_eq!((report.sync.synced, report.sync.needs_reauth), (1, 1));
        let connection = world.connection_of(&revoked).await;
        assert_eq!(connection.status, ConnectionStatus::NeedsReauth);
        assert_eq!(
            world.runs(connection.id).await[0].outcome,
            Some(SyncOutcome::NeedsReauth)
        );
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_429s_and_5xx_are_retried_and_the_calls_counted() {
    for backend in backends() {
        let world = World::new(backend, &[45, 45, 45, 45]).await;
        world.connect_all(TimeDelta::seconds(1)).await;
        world.advance(TimeDelta::hours(25));
        // Two 429s with Retry-After on user info, two 503s on the video list: the client
        // waits them out and retries.
        world.sandbox.set_fault_for_calls(
            Endpoint::UserInfo,
            Fault::RateLimited {
                retry_after_secs: Some(1),
            },
            2,
        );
        world.sandbox.set_fault_for_calls(
            Endpoint::VideoList,
            Fault::ServerError { status: 503 },
            2,
        );

        let report = run_once(
            &world.services,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();
        assert_eq!(report.sync.synced, 4, "{backend:?}: {:?}", report.sync);
        // 4 × (1 + 3) planned, and the 4 retries are counted too.
        assert_eq!(report.sync.planned_calls, 16);
        assert_eq!(report.sync.api_calls, 20);
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lasting_outage_is_recorded_keeps_the_data_and_is_retried_after_a_backoff() {
    for backend in backends() {
        let world = World::new(backend, &[45, 45, 45]).await;
        world.connect_all(TimeDelta::seconds(1)).await;
        world.advance(TimeDelta::hours(25));
        world
            .sandbox
            .set_fault(Endpoint::VideoList, Fault::ServerError { status: 503 });

        let report = run_once(
            &world.services,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();
        assert_eq!(report.sync.failed, 3, "{backend:?}: {:?}", report.sync);
        assert_eq!(report.sync.needs_reauth, 0);
        for connection in world.connections().await {
            // Outage is not revocation, and the data of the last good sync stays.
            assert_eq!(connection.status, ConnectionStatus::Active);
            assert_eq!(world.stored_videos(connection.id).await, 45);
            let last = &world.runs(connection.id).await[0];
            assert_eq!(last.outcome, Some(SyncOutcome::Failed), "{last:?}");
            assert!(last.error_code.is_some());
        }

        // TikTok is back, but the failures wait out their backoff (15 minutes) first.
        world.sandbox.clear_faults();
        let soon = run_once(
            &world.services,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();
        assert_eq!((soon.sync.synced, soon.sync.not_due), (0, 3));
        world.advance(TimeDelta::minutes(20));
        let later = run_once(
            &world.services,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();
        assert_eq!(later.sync.synced, 3, "{:?}", later.sync);
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_passes_at_once_sync_each_connection_exactly_once() {
    for backend in backends() {
        let counts = thirty_video_counts();
        let world = World::new(backend, &counts).await;
        world.connect_all(TimeDelta::seconds(1)).await;
        world.advance(TimeDelta::hours(25));
        let second = support::services_for(&world.env, &world.clock, "worker-b").await;

        let worker = WorkerConfig::default();
        let stop = never_stop();
        let (a, b) = tokio::join!(
            run_once(&world.services, &worker, &NoProgress, &stop),
            run_once(&second, &worker, &NoProgress, &stop),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        // Both refresh passes may race for a token (the loser takes the winner's); the
        // syncs are leased, so between them every connection is synced once.
        assert_eq!(
            a.sync.synced + b.sync.synced,
            30,
            "{backend:?}: {a:?} {b:?}"
        );
        assert_eq!(a.sync.failed + b.sync.failed, 0);
        assert_eq!(
            a.tokens.refresh.needs_reauth + b.tokens.refresh.needs_reauth,
            0
        );
        for connection in world.connections().await {
            let scheduled = world
                .runs(connection.id)
                .await
                .into_iter()
                .filter(|run| run.trigger == SyncTrigger::Scheduled)
                .count();
            assert_eq!(scheduled, 1, "{}", connection.id);
        }
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_before_the_pass_starts_no_account_and_keeps_no_lease() {
    let world = World::new(Backend::Sqlite, &[1, 2, 3]).await;
    world.connect_all(TimeDelta::seconds(1)).await;
    world.advance(TimeDelta::hours(25));
    let (sender, stop) = watch::channel(true);
    let report = world
        .services
        .sync_due_connections(&WorkerConfig::default(), &NoProgress, &stop)
        .await
        .unwrap();
    assert_eq!((report.synced, report.interrupted), (0, 3));
    drop(sender);
    // The leases were given back: the next pass takes all three.
    let report = run_once(
        &world.services,
        &WorkerConfig::default(),
        &NoProgress,
        &never_stop(),
    )
    .await
    .unwrap();
    assert_eq!(report.sync.synced, 3);
    world.sandbox.stop().await;
}

/// Asks the daemon to stop as soon as the first account is synced.
struct StopAfterFirstAccount(watch::Sender<bool>);

impl services::SyncProgress for StopAfterFirstAccount {
    fn account_finished(&self, _report: &services::SyncReport) {
        let _ = self.0.send(true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_runs_its_schedule_and_stops_after_the_account_in_progress() {
    let world = World::new(Backend::Sqlite, &[5, 25, 45, 65]).await;
    // Connected a day ago by the services' clock; the daemon schedules on the system clock.
    world.clock.advance(TimeDelta::hours(-25));
    world.connect_all(TimeDelta::seconds(1)).await;
    world.clock.advance(TimeDelta::hours(25));
    // Every second, so the test does not wait for 03:00.
    let schedules = scheduler::Schedules::new("* * * * * *", "0 0 0 1 1 * 2099")
        .and_then(|s| s.with_platform(domain::Platform::new("tiktok"), "* * * * * *"))
        .unwrap();
    let (sender, stop) = watch::channel(false);
    let progress = StopAfterFirstAccount(sender);
    let worker = WorkerConfig {
        // One account at a time, so "the account in progress" is exactly one.
        expected_call_latency: std::time::Duration::ZERO,
        ..WorkerConfig::default()
    };
    sync_worker::commands::daemon(&world.services, &worker, &schedules, &progress, &stop).await;

    let synced = {
        let mut synced = 0;
        for connection in world.connections().await {
            if world
                .runs(connection.id)
                .await
                .iter()
                .any(|run| run.trigger == SyncTrigger::Scheduled)
            {
                synced += 1;
            }
        }
        synced
    };
    // The account running when the stop came finished; no other started.
    assert_eq!(synced, 1);
    world.sandbox.stop().await;
}
