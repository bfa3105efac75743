//! One worker, two platforms: 50 TikTok and 50 Instagram connections due, one `run-once`,
//! each platform within its own budget, every connection synced once; a platform whose
//! budget runs short defers its own connections and leaves the other's alone.

use chrono::TimeDelta;
use domain::SyncOutcome;
use services::{NoProgress, WorkerConfig};
use sync_worker::commands::run_once;
use tiktok_sandbox::Endpoint;

use crate::never_stop;
use crate::support::{Backend, World, backends, list_calls};

const ACCOUNTS: usize = 50;

/// 50 TikTok creators (0 to 49 videos) and 50 Instagram accounts (1 to 50 media), all
/// connected, a day and an hour later.
async fn fifty_and_fifty(backend: Backend) -> (World, Vec<u32>, Vec<u32>) {
    let videos: Vec<u32> = (0..ACCOUNTS as u32).collect();
    let media: Vec<u32> = (1..=ACCOUNTS as u32).collect();
    let world = World::with_instagram(backend, &videos, &media).await;
    world.connect_all(TimeDelta::seconds(1)).await;
    world.connect_all_instagram(TimeDelta::seconds(1)).await;
    world.advance(TimeDelta::hours(25));
    (world, videos, media)
}

/// An Instagram sync's calls: the profile, the media pages (50 a page), one insights call
/// per media.
fn instagram_sync_calls(media: u32) -> u64 {
    1 + u64::from(media.div_ceil(50)) + u64::from(media)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_pass_syncs_every_connection_of_both_platforms_once_within_their_budgets() {
    for backend in backends() {
        let (world, videos, media) = fifty_and_fifty(backend).await;
        let tiktok_expected: u64 = videos.iter().map(|&v| 1 + list_calls(v)).sum();
        let instagram_expected: u64 = media.iter().map(|&m| instagram_sync_calls(m)).sum();
        // Daily caps that hold exactly what the pass needs, less the manual reserve.
        let tiktok_quota = (50 + tiktok_expected) * 10 / 9 + 1;
        let instagram_quota = instagram_expected * 10 / 9 + 1;
        let mut env = world.env.clone();
        env.insert("TIKTOK_DAILY_QUOTA".into(), tiktok_quota.to_string());
        env.insert("INSTAGRAM_DAILY_QUOTA".into(), instagram_quota.to_string());
        // Every media counts as recent, so every insight is read again: the emulator's media
        // are dated on its own frozen clock, and whether they are "recent" must not depend on
        // the day the test runs.
        env.insert(
            "INSTAGRAM_INSIGHTS_RECENT_HOURS".into(),
            (24 * 3_650).to_string(),
        );
        let worker = crate::support::services_for(&env, &world.clock, "worker-both").await;
        let (tiktok_before, instagram_before) = (world.all_calls(), world.instagram_calls());

        let report = run_once(
            &worker,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();

        // TikTok's two-hour tokens are refreshed first; Instagram's 60-day ones are not due.
        assert_eq!(report.tokens.refresh.refreshed, 50, "{backend:?}");
        assert_eq!(report.sync.synced, 100, "{backend:?}: {:?}", report.sync);
        assert_eq!(
            report.sync.failed + report.sync.deferred + report.sync.needs_reauth,
            0,
            "{:?}",
            report.sync
        );
        let tiktok_spent = world.all_calls() - tiktok_before;
        let instagram_spent = world.instagram_calls() - instagram_before;
        assert_eq!(tiktok_spent, 50 + tiktok_expected, "{backend:?}");
        assert_eq!(instagram_spent, instagram_expected, "{backend:?}");
        assert!(tiktok_spent <= tiktok_quota - tiktok_quota / 10);
        assert!(instagram_spent <= instagram_quota - instagram_quota / 10);

        // Every connection exactly once, its run a success.
        let connections = world.connections().await;
        assert_eq!(connections.len(), 100);
        for connection in &connections {
            let runs: Vec<_> = report
                .sync
                .runs
                .iter()
                .filter(|run| run.connection_id == connection.id)
                .collect();
            assert_eq!(runs.len(), 1, "{}", connection.id);
            assert_eq!(
                world.runs(connection.id).await[0].outcome,
                Some(SyncOutcome::Success)
            );
        }

        // `status --json` shows each platform with its own budget.
        let status = worker
            .worker_status(&WorkerConfig::default())
            .await
            .unwrap();
        let platforms: Vec<String> = status
            .platforms
            .iter()
            .map(|plan| plan.platform.to_string())
            .collect();
        assert_eq!(platforms, ["tiktok", "instagram"]);
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(json["platforms"][1]["platform"], "instagram");
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_short_of_budget_defers_its_own_connections_only() {
    for backend in backends() {
        let (world, _, media) = fifty_and_fifty(backend).await;
        // TikTok's day holds the refreshes and a few syncs; Instagram's is unbounded.
        let mut env = world.env.clone();
        env.insert("TIKTOK_DAILY_QUOTA".into(), "100".into());
        let worker = crate::support::services_for(&env, &world.clock, "worker-tight").await;
        let tiktok_before = world.calls(Endpoint::UserInfo);

        let report = run_once(
            &worker,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();

        let deferred = &report.sync.deferred_connections;
        assert!(!deferred.is_empty(), "{:?}", report.sync);
        let connections = world.connections().await;
        for id in deferred {
            let connection = connections.iter().find(|c| c.id == *id).unwrap();
            assert_eq!(connection.platform.as_str(), "tiktok", "only TikTok waits");
        }
        let instagram_synced = report
            .sync
            .runs
            .iter()
            .filter(|run| {
                connections
                    .iter()
                    .any(|c| c.id == run.connection_id && c.platform.as_str() == "instagram")
            })
            .count();
        assert_eq!(instagram_synced, media.len(), "{backend:?}");
        let tiktok_synced = world.calls(Endpoint::UserInfo) - tiktok_before;
        assert_eq!(
            tiktok_synced + deferred.len() as u64,
            ACCOUNTS as u64,
            "{backend:?}"
        );
        world.sandbox.stop().await;
    }
}
