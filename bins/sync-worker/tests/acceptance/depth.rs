//! The sync depth option end to end: shallow daily syncs that stop at videos older than N
//! days, a full walk every M days, and the calls saved, with call counts checked against the
//! sandbox's video create times.

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use domain::ConnectionId;
use scheduler::{PlannedDepth, SyncDepth, SyncPlan};
use services::clock::Clock as _;
use services::{NoProgress, SyncProgress, SyncReport, WorkerConfig};
use sync_worker::commands::{RunOnceReport, run_once};
use tiktok_sandbox::{Endpoint, Fault};

use crate::never_stop;
use crate::support::{World, backends, list_calls};

/// Videos of the creator: six full pages.
const VIDEOS: u32 = 120;
/// Daily syncs walk the videos of the last N days...
const RECENT_DAYS: u32 = 90;
/// ...and every video once every M days.
const FULL_EVERY_DAYS: u32 = 3;

/// Remembers the plans of a pass, for the exact cutoff each shallow sync was given.
#[derive(Default)]
struct PlanRecorder(Mutex<Vec<SyncPlan>>);

impl SyncProgress for PlanRecorder {
    fn planned(&self, plan: &SyncPlan) {
        self.0.lock().unwrap().push(plan.clone());
    }
}

impl PlanRecorder {
    /// The depth planned for the only sync of the last pass.
    fn only_depth(&self) -> PlannedDepth {
        let plans = self.0.lock().unwrap();
        let plan = plans.last().expect("a pass was planned");
        assert_eq!(plan.selected.len(), 1, "{plan:?}");
        plan.selected[0].depth
    }
}

/// What one pass cost, by endpoint, and what it reported.
struct Pass {
    report: RunOnceReport,
    depth: PlannedDepth,
    user_info_calls: u64,
    list_calls: u64,
}

async fn pass(world: &World, worker: &WorkerConfig) -> Pass {
    let (info_before, list_before) = (
        world.calls(Endpoint::UserInfo),
        world.calls(Endpoint::VideoList),
    );
    let recorder = PlanRecorder::default();
    let report = run_once(&world.services, worker, &recorder, &never_stop())
        .await
        .unwrap();
    Pass {
        depth: recorder.only_depth(),
        report,
        user_info_calls: world.calls(Endpoint::UserInfo) - info_before,
        list_calls: world.calls(Endpoint::VideoList) - list_before,
    }
}

/// The list calls of a walk that stops at the first video created before `created_after`,
/// from the sandbox's own create times (newest first, 20 a page): the page holding the first
/// older video is the last one.
fn expected_shallow_pages(create_times: &[i64], created_after: DateTime<Utc>) -> u64 {
    let recent = create_times
        .iter()
        .take_while(|&&time| time >= created_after.timestamp())
        .count();
    let recent = u64::try_from(recent).unwrap();
    (recent / 20 + 1).min(list_calls(u32::try_from(create_times.len()).unwrap()))
}

async fn last_full_sync_at(world: &World, id: ConnectionId) -> Option<DateTime<Utc>> {
    world
        .services
        .database()
        .get_connection(id)
        .await
        .unwrap()
        .last_full_sync_at
}

/// Sets the services' clock to the sandbox's, so the depth's window (counted on the services'
/// clock) falls on the sandbox's video catalogue (anchored on the sandbox's day) the same way
/// whatever day the test runs.
fn align_clocks(world: &World) {
    world.clock.advance(world.sandbox.now() - world.clock.now());
}

/// Whether `at` (stored in whole seconds) falls between `started` and the end of `run`.
fn during(at: Option<DateTime<Utc>>, started: DateTime<Utc>, run: &SyncReport) -> bool {
    at.is_some_and(|at| at.timestamp() >= started.timestamp() && at <= run.finished_at)
}

/// Snapshots stored on `day` of the creator's `index`-th newest video.
async fn snapshots_on(world: &World, id: ConnectionId, index: usize, day: NaiveDate) -> usize {
    let video_id = world.sandbox.creator(&world.open_ids[0]).unwrap().videos[index]
        .id
        .clone();
    world
        .services
        .database()
        .video_history(id, &video_id, day, 1)
        .await
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shallow_daily_syncs_walk_the_recent_pages_and_a_full_walk_comes_every_m_days() {
    for backend in backends() {
        let world = World::new(backend, &[VIDEOS]).await;
        align_clocks(&world);
        let open_id = world.open_ids[0].clone();
        let create_times: Vec<i64> = world
            .sandbox
            .creator(&open_id)
            .unwrap()
            .videos
            .iter()
            .map(|video| video.create_time)
            .collect();
        assert_eq!(create_times.len(), 120);
        assert!(create_times.windows(2).all(|pair| pair[0] > pair[1]));

        // The first sync (on connect) fails on the video list: no full walk is recorded yet.
        world
            .sandbox
            .set_fault(Endpoint::VideoList, Fault::ServerError { status: 503 });
        crate::support::connect(&world.services, &world.sandbox, "user-0", &open_id).await;
        world.sandbox.clear_faults();
        let id = world.connection_of(&open_id).await.id;
        assert_eq!(last_full_sync_at(&world, id).await, None);

        let worker = WorkerConfig {
            depth: SyncDepth::recent(RECENT_DAYS, FULL_EVERY_DAYS).unwrap(),
            ..WorkerConfig::default()
        };

        // Day 1: never walked fully, so the walk is full: 1 user-info call and 6 pages.
        world.advance(TimeDelta::hours(25));
        let started = world.clock.now();
        let first = pass(&world, &worker).await;
        assert_eq!(first.depth, PlannedDepth::Full, "{backend:?}");
        assert_eq!((first.user_info_calls, first.list_calls), (1, 6));
        let sync = &first.report.sync;
        assert_eq!((sync.synced, sync.api_calls, sync.calls_saved), (1, 7, 0));
        assert!(sync.runs[0].full_walk);
        assert_eq!(sync.runs[0].videos_synced, 120);
        let full_at = last_full_sync_at(&world, id).await;
        assert!(during(full_at, started, &sync.runs[0]), "{full_at:?}");

        // Days 2 and 3: shallow, down to the page that reaches a video older than N days.
        for day in 2..=3 {
            world.advance(TimeDelta::days(1));
            let before = world.clock.now();
            let shallow = pass(&world, &worker).await;
            let PlannedDepth::Recent { created_after } = shallow.depth else {
                panic!("{backend:?} day {day}: a shallow sync was planned");
            };
            // The cutoff is N days before the pass's planning time.
            let window = TimeDelta::days(i64::from(RECENT_DAYS));
            assert!(
                created_after >= before - window && created_after <= world.clock.now() - window
            );
            let pages = expected_shallow_pages(&create_times, created_after);
            assert!(
                (2..6).contains(&pages),
                "day {day}: {pages} pages (a meaningful window)"
            );
            assert_eq!(
                (shallow.user_info_calls, shallow.list_calls),
                (1, pages),
                "{backend:?} day {day}"
            );
            let sync = &shallow.report.sync;
            assert_eq!(sync.synced, 1);
            assert_eq!(u64::from(sync.api_calls), 1 + pages);
            assert_eq!(u64::from(sync.calls_saved), 6 - pages, "day {day}");
            assert_eq!(sync.planned_calls, sync.api_calls, "the estimate is exact");
            let run = &sync.runs[0];
            assert!(!run.full_walk);
            // Every video of the pages walked is written, the older ones of the last page too.
            assert_eq!(run.videos_synced, pages * 20);

            // Older videos are kept; today's snapshots are those of the videos fetched.
            assert_eq!(world.stored_videos(id).await, 120);
            assert_eq!(
                last_full_sync_at(&world, id).await,
                full_at,
                "not a full walk"
            );
            let today = world.clock.now().date_naive();
            assert_eq!(
                snapshots_on(&world, id, 0, today).await,
                1,
                "the newest video was fetched today"
            );
            assert_eq!(
                snapshots_on(&world, id, 119, today).await,
                0,
                "the oldest was not"
            );
        }

        // Day 4: the last full walk is M = 3 calendar days old: every page again.
        world.advance(TimeDelta::days(1));
        let started = world.clock.now();
        let full = pass(&world, &worker).await;
        assert_eq!(full.depth, PlannedDepth::Full, "{backend:?}");
        assert_eq!((full.user_info_calls, full.list_calls), (1, 6));
        let sync = &full.report.sync;
        assert_eq!((sync.api_calls, sync.calls_saved), (7, 0));
        assert!(sync.runs[0].full_walk);
        let full_again = last_full_sync_at(&world, id).await;
        assert!(during(full_again, started, &sync.runs[0]), "{full_again:?}");
        world.sandbox.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connect_sync_counts_as_a_full_walk_and_the_default_depth_stays_full() {
    for backend in backends() {
        let world = World::new(backend, &[VIDEOS]).await;
        align_clocks(&world);
        world.connect_all(TimeDelta::seconds(1)).await;
        let id = world.connection_of(&world.open_ids[0]).await.id;
        let connected_walk = last_full_sync_at(&world, id).await;
        assert!(connected_walk.is_some(), "{backend:?}");

        // Under the default depth every daily sync walks every page.
        world.advance(TimeDelta::hours(25));
        let list_before = world.calls(Endpoint::VideoList);
        let report = run_once(
            &world.services,
            &WorkerConfig::default(),
            &NoProgress,
            &never_stop(),
        )
        .await
        .unwrap();
        assert_eq!(world.calls(Endpoint::VideoList) - list_before, 6);
        assert_eq!(report.sync.calls_saved, 0);
        assert!(report.sync.runs[0].full_walk);

        // The next day, with a shallow depth, the walk stops early (the connect and the last
        // pass were full walks).
        world.advance(TimeDelta::days(1));
        let worker = WorkerConfig {
            depth: SyncDepth::recent(RECENT_DAYS, FULL_EVERY_DAYS).unwrap(),
            ..WorkerConfig::default()
        };
        let shallow = pass(&world, &worker).await;
        assert!(!shallow.depth.is_full());
        assert!(shallow.list_calls < 6, "{backend:?}");
        assert!(shallow.report.sync.calls_saved > 0);
        world.sandbox.stop().await;
    }
}
