//! One worker, three platforms: 20 TikTok creators, 20 Instagram accounts and 20 YouTube
//! channels due, one `run-once`. YouTube's daily units hold only part of its channels: the
//! stalest are synced at the reference's minimum cost, the rest wait for the next Pacific
//! day, and neither TikTok nor Instagram loses a single sync to it.

use chrono::TimeDelta;
use domain::SyncOutcome;
use services::{NoProgress, WorkerConfig};
use sync_worker::commands::run_once;

use crate::never_stop;
use crate::support::{World, backends};

const ACCOUNTS: usize = 20;

/// A YouTube sync's units: `channels.list`, a playlist page and a `videos.list` per 50.
fn youtube_sync_units(uploads: u32) -> u64 {
    let pages = u64::from(uploads.div_ceil(50));
    1 + pages.max(1) + pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_platforms_each_within_its_own_budget_none_starving_another() {
    for backend in backends() {
        let videos: Vec<u32> = (0..ACCOUNTS as u32).collect();
        let media: Vec<u32> = (1..=ACCOUNTS as u32).collect();
        // 1 to 191 uploads: 4 to 12 units a sync.
        let uploads: Vec<u32> = (0..ACCOUNTS as u32).map(|n| 1 + n * 10).collect();
        let mut world = World::with_instagram(backend, &videos, &media).await;
        world.add_youtube(&uploads).await;
        world.connect_all(TimeDelta::seconds(1)).await;
        world.connect_all_instagram(TimeDelta::seconds(1)).await;
        world.connect_all_youtube(TimeDelta::seconds(1)).await;
        world.advance(TimeDelta::hours(25));

        // YouTube's scheduled share (the units less a tenth for manual syncs) holds the ten
        // stalest channels' syncs exactly.
        let stalest: u64 = uploads[..10].iter().map(|&u| youtube_sync_units(u)).sum();
        let units = (stalest * 10).div_ceil(9) + 1;
        let mut env = world.env.clone();
        env.insert("YOUTUBE_DAILY_UNITS".into(), units.to_string());
        let worker = crate::support::services_for(&env, &world.clock, "worker-three").await;
        let units_before = world.youtube_units();

        let report = run_once(
            &worker,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();

        let connections = world.connections().await;
        assert_eq!(connections.len(), 3 * ACCOUNTS);
        let platform_of = |id| {
            connections
                .iter()
                .find(|connection| connection.id == id)
                .unwrap()
                .platform
                .to_string()
        };
        let synced = |platform: &str| {
            report
                .sync
                .runs
                .iter()
                .filter(|run| {
                    platform_of(run.connection_id) == platform
                        && run.outcome == SyncOutcome::Success
                })
                .count()
        };
        // TikTok and Instagram: every connection, whatever YouTube's budget says.
        assert_eq!(synced("tiktok"), ACCOUNTS, "{backend:?}: {:?}", report.sync);
        assert_eq!(synced("instagram"), ACCOUNTS, "{backend:?}");
        // YouTube: what its share holds, the stalest first; the rest deferred, not failed.
        let youtube_synced = synced("youtube");
        let deferred = &report.sync.deferred_connections;
        assert!(youtube_synced >= 10, "{backend:?}: {:?}", report.sync);
        assert_eq!(youtube_synced + deferred.len(), ACCOUNTS, "{backend:?}");
        assert!(
            deferred.iter().all(|id| platform_of(*id) == "youtube"),
            "only YouTube waits"
        );
        assert_eq!(report.sync.failed + report.sync.needs_reauth, 0);
        let youtube_ids: Vec<_> = connections
            .iter()
            .filter(|connection| connection.platform.as_str() == "youtube")
            .map(|connection| connection.id)
            .collect();
        for id in &youtube_ids[..10] {
            assert!(!deferred.contains(id), "a stale channel was deferred");
        }
        // Spent by Google's own count: exactly the synced channels' minimum, within the
        // scheduled share.
        let spent = world.youtube_units() - units_before;
        let expected: u64 = uploads[..youtube_synced]
            .iter()
            .map(|&u| youtube_sync_units(u))
            .sum();
        assert_eq!(spent, expected, "{backend:?}");
        assert!(spent <= units - units / 10, "{backend:?}");
        world.sandbox.stop().await;
    }
}
