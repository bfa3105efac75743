//! The estimated number of TikTok API calls of one account's sync.
//!
//! A sync makes one user-info call, then walks the video list (newest first) at most
//! [`VIDEOS_PER_PAGE`] videos per call; a token refresh first costs one more call. An
//! account whose user info says it has no videos (`video_count` 0, with `user.info.stats`)
//! costs no list call: the sync skips the empty walk. An unknown count costs at least one. Estimates come from the counts seen at
//! the last sync; the worker's live call counter, not this estimate, is what enforces a quota.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::depth::{PlannedDepth, SyncDepth, decide_depth};
use crate::due::{DueSync, SyncCandidate};

/// The largest page TikTok's video list returns (`max_count` is 1 to 20).
pub const VIDEOS_PER_PAGE: u64 = 20;

/// The calls of one planned sync, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncEstimate {
    /// Token refresh before the sync (0 or 1).
    pub token_refresh_calls: u32,
    /// `/v2/user/info/` (always 1).
    pub user_info_calls: u32,
    /// `/v2/video/list/` pages at the planned depth.
    pub video_list_calls: u32,
    /// `/v2/video/list/` pages a full walk would take, for the savings report.
    pub full_video_list_calls: u32,
}

impl SyncEstimate {
    /// All calls of the sync.
    pub const fn total(&self) -> u32 {
        self.token_refresh_calls
            .saturating_add(self.user_info_calls)
            .saturating_add(self.video_list_calls)
    }

    /// Calls a shallow sync saves over a full one (0 for a full sync).
    pub const fn calls_saved(&self) -> u32 {
        self.full_video_list_calls
            .saturating_sub(self.video_list_calls)
    }
}

/// Video-list calls of a full walk over `video_count` videos: `ceil(videos / 20)`, which is
/// 0 for an account TikTok says has none (the sync does not ask for the empty list). An
/// unknown count (never synced, or no `user.info.stats`) is estimated at one page: the list
/// is walked, and its first page is asked even when empty.
pub fn full_walk_pages(video_count: Option<u64>) -> u32 {
    let pages = match video_count {
        Some(count) => count.div_ceil(VIDEOS_PER_PAGE),
        None => 1,
    };
    u32::try_from(pages).unwrap_or(u32::MAX)
}

/// Video-list calls of a walk that stops at the first video older than the window, given
/// `recent_videos` inside the window: `floor(recent / 20) + 1` (the page that reveals an older
/// video, or shows the window is exhausted, is the last), never more than the full walk.
pub fn recent_walk_pages(video_count: Option<u64>, recent_videos: u64) -> u32 {
    let pages = recent_videos / VIDEOS_PER_PAGE + 1;
    let pages = u32::try_from(pages).unwrap_or(u32::MAX);
    match video_count {
        Some(count) => pages.min(full_walk_pages(Some(count.max(recent_videos)))),
        None => pages,
    }
}

/// The estimated calls of syncing `candidate` at `depth`. A shallow sync whose number of
/// recent videos is unknown is estimated as a full one (over-estimating is the safe side of a
/// quota).
pub fn estimate_sync(candidate: &SyncCandidate, depth: PlannedDepth) -> SyncEstimate {
    let known_videos = match (candidate.last_video_count, candidate.recent_video_count) {
        (Some(total), Some(recent)) => Some(total.max(recent)),
        (total, recent) => total.or(recent),
    };
    let full_video_list_calls = full_walk_pages(known_videos);
    let video_list_calls = match (depth, candidate.recent_video_count) {
        (PlannedDepth::Recent { .. }, Some(recent)) => recent_walk_pages(known_videos, recent),
        _ => full_video_list_calls,
    };
    SyncEstimate {
        token_refresh_calls: u32::from(candidate.token_refresh_needed),
        user_info_calls: 1,
        video_list_calls,
        full_video_list_calls,
    }
}

/// A due connection with its planned depth and estimated cost: the input of
/// [`crate::plan_daily_sync`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CostedSync {
    /// The due connection.
    pub due: DueSync,
    /// How deep its sync walks.
    pub depth: PlannedDepth,
    /// Its estimated calls.
    pub estimate: SyncEstimate,
}

impl CostedSync {
    /// Decides the depth of `due`'s sync at `now` under `option` and estimates its cost.
    pub fn new(due: DueSync, option: SyncDepth, now: DateTime<Utc>) -> Self {
        let depth = decide_depth(option, due.candidate.last_full_sync_at, now);
        Self {
            due,
            depth,
            estimate: estimate_sync(&due.candidate, depth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use domain::{ConnectionId, ConnectionStatus};
    use proptest::prelude::*;

    fn candidate(videos: Option<u64>, recent: Option<u64>, refresh: bool) -> SyncCandidate {
        SyncCandidate {
            last_video_count: videos,
            recent_video_count: recent,
            token_refresh_needed: refresh,
            ..SyncCandidate::new(ConnectionId(1), ConnectionStatus::Active)
        }
    }

    fn recent_depth() -> PlannedDepth {
        PlannedDepth::Recent {
            created_after: DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp"),
        }
    }

    #[test]
    fn full_sync_costs_one_user_info_and_a_list_call_per_twenty_videos() {
        // Unknown: the list is asked once; known to be empty: the walk is skipped.
        let cases = [
            (None, 2),
            (Some(0), 1),
            (Some(1), 2),
            (Some(20), 2),
            (Some(21), 3),
            (Some(40), 3),
            (Some(120), 7),
        ];
        for (videos, calls) in cases {
            let estimate = estimate_sync(&candidate(videos, None, false), PlannedDepth::Full);
            assert_eq!(estimate.total(), calls, "{videos:?} videos");
            assert_eq!(estimate.calls_saved(), 0);
        }
    }

    #[test]
    fn a_token_refresh_adds_one_call() {
        let estimate = estimate_sync(&candidate(Some(45), None, true), PlannedDepth::Full);
        assert_eq!(estimate.token_refresh_calls, 1);
        assert_eq!(estimate.total(), 1 + 1 + 3);
    }

    #[test]
    fn shallow_sync_walks_until_an_older_video() {
        let cases = [
            // (videos, recent, list calls)
            (1000, 0, 1),
            (1000, 19, 1),
            (1000, 20, 2),
            (1000, 45, 3),
            (30, 30, 2), // everything is recent: the full walk, no more
            (20, 20, 1), // one page holds all; has_more is false
        ];
        for (videos, recent, pages) in cases {
            let estimate = estimate_sync(
                &candidate(Some(videos), Some(recent), false),
                recent_depth(),
            );
            assert_eq!(
                estimate.video_list_calls, pages,
                "{videos} videos, {recent} recent"
            );
        }
        let estimate = estimate_sync(&candidate(Some(1000), Some(5), false), recent_depth());
        assert_eq!(estimate.full_video_list_calls, 50);
        assert_eq!(estimate.calls_saved(), 49);
    }

    #[test]
    fn shallow_sync_with_unknown_recent_count_is_estimated_full() {
        let estimate = estimate_sync(&candidate(Some(100), None, false), recent_depth());
        assert_eq!(estimate.video_list_calls, 5);
        assert_eq!(estimate.calls_saved(), 0);
    }

    #[test]
    fn costed_sync_decides_the_depth() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp");
        let due = DueSync {
            candidate: SyncCandidate {
                last_full_sync_at: Some(now - TimeDelta::days(1)),
                ..candidate(Some(200), Some(10), false)
            },
            reason: crate::DueReason::IntervalElapsed,
        };
        let option = SyncDepth::recent(7, 7).expect("valid depth");
        let costed = CostedSync::new(due, option, now);
        assert!(!costed.depth.is_full());
        assert_eq!(costed.estimate.total(), 2);
        assert_eq!(costed.estimate.calls_saved(), 9);
        let full = CostedSync::new(due, SyncDepth::Full, now);
        assert_eq!(full.estimate.total(), 11);
    }

    proptest! {
        #[test]
        fn shallow_never_costs_more_than_full(videos in 0_u64..10_000, recent in 0_u64..10_000) {
            let recent = recent.min(videos);
            let shallow = estimate_sync(&candidate(Some(videos), Some(recent), false), recent_depth());
            let full = estimate_sync(&candidate(Some(videos), Some(recent), false), PlannedDepth::Full);
            prop_assert!(shallow.total() <= full.total());
            prop_assert!(shallow.video_list_calls >= 1 || videos == 0);
            prop_assert_eq!(shallow.total() + shallow.calls_saved(), full.total());
            prop_assert_eq!(u64::from(full.video_list_calls), videos.div_ceil(20));
        }
    }
}
