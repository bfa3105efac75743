//! The estimated cost of one account's sync, in the units the platform's budget counts
//! (calls on TikTok and Instagram, quota units on YouTube).
//!
//! A sync reads the profile, then walks the post list (newest first) at most
//! [`CostModel::posts_per_page`] posts per page; a token refresh first costs one more call,
//! and a platform that reads posts one by one (Instagram's insights) adds
//! [`CostModel::per_post`] per post fetched. An account known to have no posts costs no list
//! call where the platform's profile says so reliably (TikTok's `video_count`). An unknown
//! count costs at least one page. Estimates come from the counts seen at the last sync; the
//! live counter of the shared budget, not this estimate, is what enforces a quota.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::depth::{PlannedDepth, SyncDepth, decide_depth};
use crate::due::{DueSync, SyncCandidate};

/// The largest page TikTok's video list returns (`max_count` is 1 to 20).
pub const VIDEOS_PER_PAGE: u64 = 20;

/// What syncing one account costs on a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostModel {
    /// A token refresh.
    pub refresh: u32,
    /// The profile read, and any other fixed read of every sync.
    pub profile: u32,
    /// Posts listed per page.
    pub posts_per_page: u32,
    /// One page of the post list (YouTube: the playlist page and the statistics of its
    /// videos).
    pub per_page: u32,
    /// Each post fetched, read on its own (Instagram's insights).
    pub per_post: u32,
    /// Whether a post count of 0 in the profile skips the list (TikTok's count is reliable
    /// enough; elsewhere the first page is read anyway).
    pub skip_empty_list: bool,
}

impl CostModel {
    /// TikTok's: 1 call for user info, 1 per 20 videos, 1 per refresh, nothing for an
    /// account with no videos.
    pub const TIKTOK: Self = Self {
        refresh: 1,
        profile: 1,
        posts_per_page: 20,
        per_page: 1,
        per_post: 0,
        skip_empty_list: true,
    };
}

/// The cost of one planned sync, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncEstimate {
    /// Token refresh before the sync.
    pub token_refresh_calls: u32,
    /// The profile (and other fixed reads).
    pub profile_calls: u32,
    /// Pages of the post list at the planned depth.
    pub list_calls: u32,
    /// Posts read one by one at the planned depth.
    pub post_calls: u32,
    /// What the list and the posts would cost on a full walk, for the savings report.
    pub full_walk_calls: u32,
}

impl SyncEstimate {
    /// The whole sync.
    pub const fn total(&self) -> u32 {
        self.token_refresh_calls
            .saturating_add(self.profile_calls)
            .saturating_add(self.list_calls)
            .saturating_add(self.post_calls)
    }

    /// What a shallow sync saves over a full one (0 for a full sync).
    pub const fn calls_saved(&self) -> u32 {
        self.full_walk_calls
            .saturating_sub(self.list_calls.saturating_add(self.post_calls))
    }
}

/// Pages of a full walk over `post_count` posts: `ceil(posts / page)`, which is 0 for an
/// account known to have none where the model skips the empty list. An unknown count (never
/// synced, or a scope missing) is estimated at one page: the list is walked, and its first
/// page is asked even when empty.
pub fn full_walk_pages(model: &CostModel, post_count: Option<u64>) -> u32 {
    let per_page = u64::from(model.posts_per_page.max(1));
    let pages = match post_count {
        Some(0) if model.skip_empty_list => 0,
        Some(count) => count.div_ceil(per_page).max(1),
        None => 1,
    };
    u32::try_from(pages).unwrap_or(u32::MAX)
}

/// Pages of a walk that stops at the first post older than the window, given
/// `recent_posts` inside the window: `floor(recent / page) + 1` (the page that reveals an
/// older post, or shows the window is exhausted, is the last), never more than the full
/// walk.
pub fn recent_walk_pages(model: &CostModel, post_count: Option<u64>, recent_posts: u64) -> u32 {
    let pages = recent_posts / u64::from(model.posts_per_page.max(1)) + 1;
    let pages = u32::try_from(pages).unwrap_or(u32::MAX);
    match post_count {
        Some(count) => pages.min(full_walk_pages(model, Some(count.max(recent_posts)))),
        None => pages,
    }
}

/// The estimated cost of syncing `candidate` at `depth` under `model`. A shallow sync whose
/// number of recent posts is unknown is estimated as a full one (over-estimating is the safe
/// side of a quota).
pub fn estimate_sync(
    candidate: &SyncCandidate,
    depth: PlannedDepth,
    model: &CostModel,
) -> SyncEstimate {
    let known_posts = match (candidate.last_video_count, candidate.recent_video_count) {
        (Some(total), Some(recent)) => Some(total.max(recent)),
        (total, recent) => total.or(recent),
    };
    let posts_cost = |posts: Option<u64>| {
        u32::try_from(posts.unwrap_or(0))
            .unwrap_or(u32::MAX)
            .saturating_mul(model.per_post)
    };
    let full_pages = full_walk_pages(model, known_posts);
    let full_walk_calls = full_pages
        .saturating_mul(model.per_page)
        .saturating_add(posts_cost(known_posts));
    let (list_calls, post_calls) = match (depth, candidate.recent_video_count) {
        (PlannedDepth::Recent { .. }, Some(recent)) => (
            recent_walk_pages(model, known_posts, recent).saturating_mul(model.per_page),
            posts_cost(Some(recent)),
        ),
        _ => (
            full_pages.saturating_mul(model.per_page),
            posts_cost(known_posts),
        ),
    };
    SyncEstimate {
        token_refresh_calls: if candidate.token_refresh_needed {
            model.refresh
        } else {
            0
        },
        profile_calls: model.profile,
        list_calls,
        post_calls,
        full_walk_calls,
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
    /// Decides the depth of `due`'s sync at `now` under `option` and estimates its cost
    /// under `model`.
    pub fn new(due: DueSync, option: SyncDepth, model: &CostModel, now: DateTime<Utc>) -> Self {
        let depth = decide_depth(option, due.candidate.last_full_sync_at, now);
        Self {
            due,
            depth,
            estimate: estimate_sync(&due.candidate, depth, model),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use domain::{ConnectionId, ConnectionStatus};
    use proptest::prelude::*;

    const TIKTOK: CostModel = CostModel::TIKTOK;

    /// Instagram-like: 1 profile call, 50 posts a page, one insights call per post.
    const PER_POST: CostModel = CostModel {
        refresh: 1,
        profile: 1,
        posts_per_page: 50,
        per_page: 1,
        per_post: 1,
        skip_empty_list: false,
    };

    /// YouTube-like: 2 fixed units, 2 units a page of 50, no empty-list skip.
    const PER_PAGE: CostModel = CostModel {
        refresh: 0,
        profile: 2,
        posts_per_page: 50,
        per_page: 2,
        per_post: 0,
        skip_empty_list: false,
    };

    #[test]
    fn other_models_count_pages_and_posts_their_way() {
        let full = |model: &CostModel, videos| {
            estimate_sync(&candidate(videos, None, false), PlannedDepth::Full, model).total()
        };
        assert_eq!(full(&PER_POST, Some(0)), 2, "the first page is read anyway");
        assert_eq!(full(&PER_POST, Some(120)), 1 + 3 + 120);
        assert_eq!(full(&PER_PAGE, Some(0)), 2 + 2);
        assert_eq!(full(&PER_PAGE, Some(1000)), 2 + 2 * 20);
        let shallow = estimate_sync(
            &candidate(Some(120), Some(10), false),
            recent_depth(),
            &PER_POST,
        );
        assert_eq!(shallow.total(), 1 + 1 + 10);
        assert_eq!(shallow.calls_saved(), (3 + 120) - (1 + 10));
    }

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
            let estimate =
                estimate_sync(&candidate(videos, None, false), PlannedDepth::Full, &TIKTOK);
            assert_eq!(estimate.total(), calls, "{videos:?} videos");
            assert_eq!(estimate.calls_saved(), 0);
        }
    }

    #[test]
    fn a_token_refresh_adds_one_call() {
        let estimate = estimate_sync(
            &candidate(Some(45), None, true),
            PlannedDepth::Full,
            &TIKTOK,
        );
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
                &TIKTOK,
            );
            assert_eq!(
                estimate.list_calls, pages,
                "{videos} videos, {recent} recent"
            );
        }
        let estimate = estimate_sync(
            &candidate(Some(1000), Some(5), false),
            recent_depth(),
            &TIKTOK,
        );
        assert_eq!(estimate.full_walk_calls, 50);
        assert_eq!(estimate.calls_saved(), 49);
    }

    #[test]
    fn shallow_sync_with_unknown_recent_count_is_estimated_full() {
        let estimate = estimate_sync(&candidate(Some(100), None, false), recent_depth(), &TIKTOK);
        assert_eq!(estimate.list_calls, 5);
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
        let costed = CostedSync::new(due, option, &TIKTOK, now);
        assert!(!costed.depth.is_full());
        assert_eq!(costed.estimate.total(), 2);
        assert_eq!(costed.estimate.calls_saved(), 9);
        let full = CostedSync::new(due, SyncDepth::Full, &TIKTOK, now);
        assert_eq!(full.estimate.total(), 11);
    }

    proptest! {
        #[test]
        fn shallow_never_costs_more_than_full(videos in 0_u64..10_000, recent in 0_u64..10_000) {
            let recent = recent.min(videos);
            let shallow = estimate_sync(&candidate(Some(videos), Some(recent), false), recent_depth(), &TIKTOK);
            let full = estimate_sync(&candidate(Some(videos), Some(recent), false), PlannedDepth::Full, &TIKTOK);
            prop_assert!(shallow.total() <= full.total());
            prop_assert!(shallow.list_calls >= 1 || videos == 0);
            prop_assert_eq!(shallow.total() + shallow.calls_saved(), full.total());
            prop_assert_eq!(u64::from(full.list_calls), videos.div_ceil(20));
        }
    }
}
