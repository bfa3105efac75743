//! Engagement math.
//!
//! All counts are 64-bit; sums are computed in `i128`, so no input can overflow them.
//! Negative counts (which no platform sends) are treated as zero. A zero denominator gives
//! `None`, never NaN or infinity.

use serde::{Deserialize, Serialize};

use crate::video::VideoCounts;

/// Clamps a count to be non-negative and widens it; an unknown count adds nothing.
fn count(value: Option<i64>) -> i128 {
    i128::from(value.unwrap_or(0).max(0))
}

/// What a post's engagement rate divides its interactions by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngagementBasis {
    /// Views (TikTok, YouTube): `interactions / views`.
    Views,
    /// Reach where it is known, else the account's followers (Instagram, whose views come
    /// from insights and mean plays): `interactions / reach`, else `interactions / followers`.
    ReachElseFollowers,
}

/// Interactions of one post: the sum of its known likes, comments, shares and saves, in
/// `i128` (an unknown counter adds nothing).
pub fn interactions(counts: &VideoCounts) -> i128 {
    count(counts.likes) + count(counts.comments) + count(counts.shares) + count(counts.saves)
}

/// Per-post engagement rate on `basis`:
///
/// ```text
/// Views:              rate = (likes + comments + shares + saves) / views
/// ReachElseFollowers: rate = (likes + comments + shares + saves) / reach
///                     or, with reach unknown, / followers
/// ```
///
/// (unknown counters add nothing). `None` when the divisor is unknown, zero or negative. The
/// rate can exceed 1 (more interactions than views happens with reposts and counter lag).
pub fn post_engagement_rate(
    counts: &VideoCounts,
    basis: EngagementBasis,
    followers: Option<i64>,
) -> Option<f64> {
    let divisor = match basis {
        EngagementBasis::Views => counts.views,
        EngagementBasis::ReachElseFollowers => counts.reach.or(followers),
    };
    let divisor = divisor.filter(|value| *value > 0)?;
    // i128 -> f64 loses precision only beyond 2^53, where a relative error of 1e-16 is moot.
    Some(interactions(counts) as f64 / divisor as f64)
}

/// Account engagement rate over the given recent posts (the caller picks the last N), on
/// every platform:
///
/// ```text
/// rate = (Σ interactions / n) / followers
/// ```
///
/// that is, the mean interactions per post over the follower count. `None` when there are no
/// posts or no followers.
pub fn account_engagement_rate<'a>(
    recent_posts: impl IntoIterator<Item = &'a VideoCounts>,
    followers: i64,
) -> Option<f64> {
    let followers = count(Some(followers));
    if followers == 0 {
        return None;
    }
    let (total, posts) = recent_posts
        .into_iter()
        .fold((0_i128, 0_i128), |(total, n), post| {
            // Each term is below 4 * 2^63, so even 2^60 posts cannot overflow i128.
            (total.saturating_add(post.interactions()), n + 1)
        });
    if posts == 0 {
        return None;
    }
    let mean = total as f64 / posts as f64;
    Some(mean / followers as f64)
}

/// Growth of a counter over a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Growth {
    /// `end - start`, saturated to the `i64` range.
    pub absolute: i64,
    /// `(end - start) / start * 100`; `None` when `start` is zero.
    pub percent: Option<f64>,
}

/// Growth from the value at the start of a period to the value at its end (e.g. followers in
/// the first and last snapshot of the last 30 days):
///
/// ```text
/// absolute = end - start
/// percent  = (end - start) / start × 100      (None when start = 0)
/// ```
///
/// Computed in `i128`, so `i64::MIN` to `i64::MAX` does not overflow (the absolute value
/// saturates at `i64::MAX`).
pub fn growth(start: i64, end: i64) -> Growth {
    let delta = i128::from(end) - i128::from(start);
    let absolute = i64::try_from(delta).unwrap_or(if delta > 0 { i64::MAX } else { i64::MIN });
    let percent = (start != 0).then(|| delta as f64 / start as f64 * 100.0);
    Growth { absolute, percent }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn video(views: i64, likes: i64, comments: i64, shares: i64) -> VideoCounts {
        VideoCounts::views_likes_comments_shares(views, likes, comments, shares)
    }

    fn rate(counts: VideoCounts) -> Option<f64> {
        post_engagement_rate(&counts, EngagementBasis::Views, None)
    }

    #[test]
    fn video_rate_follows_the_formula() {
        assert_eq!(rate(video(1000, 50, 30, 20)), Some(0.1));
        assert_eq!(rate(video(0, 5, 0, 0)), None);
        assert_eq!(rate(video(-3, 5, 0, 0)), None);
        assert_eq!(rate(video(10, 0, 0, 0)), Some(0.0));
    }

    #[test]
    fn unknown_counters_are_not_zeros() {
        let no_views = VideoCounts {
            views: None,
            ..video(0, 5, 1, 0)
        };
        assert_eq!(rate(no_views), None, "no views: no rate, not 0 and not inf");
        let no_shares = VideoCounts {
            shares: None,
            ..video(100, 5, 5, 0)
        };
        assert_eq!(rate(no_shares), Some(0.1));
    }

    #[test]
    fn instagram_divides_by_reach_else_followers() {
        let post = VideoCounts {
            views: Some(5000),
            likes: Some(40),
            comments: Some(5),
            shares: Some(3),
            saves: Some(2),
            reach: Some(1000),
        };
        let basis = EngagementBasis::ReachElseFollowers;
        assert_eq!(post_engagement_rate(&post, basis, Some(200)), Some(0.05));
        let unknown_reach = VideoCounts {
            reach: None,
            ..post
        };
        assert_eq!(
            post_engagement_rate(&unknown_reach, basis, Some(200)),
            Some(0.25)
        );
        assert_eq!(post_engagement_rate(&unknown_reach, basis, None), None);
        assert_eq!(post_engagement_rate(&unknown_reach, basis, Some(0)), None);
    }

    #[test]
    fn account_rate_is_mean_interactions_over_followers() {
        let videos = [video(100, 10, 0, 0), video(100, 20, 5, 5)];
        // mean interactions = (10 + 30) / 2 = 20; 20 / 200 = 0.1
        assert_eq!(account_engagement_rate(&videos, 200), Some(0.1));
        assert_eq!(account_engagement_rate(&videos, 0), None);
        assert_eq!(account_engagement_rate(&[], 200), None);
    }

    #[test]
    fn growth_in_absolute_and_percent() {
        assert_eq!(
            growth(200, 250),
            Growth {
                absolute: 50,
                percent: Some(25.0)
            }
        );
        assert_eq!(growth(0, 10).percent, None);
        assert_eq!(growth(i64::MIN, i64::MAX).absolute, i64::MAX);
        assert_eq!(growth(i64::MAX, i64::MIN).absolute, i64::MIN);
    }

    proptest! {
        #[test]
        fn video_rate_is_finite_and_non_negative(
            views in any::<i64>(), likes in any::<i64>(), comments in any::<i64>(), shares in any::<i64>()
        ) {
            match rate(video(views, likes, comments, shares)) {
                None => prop_assert!(views <= 0),
                Some(rate) => {
                    prop_assert!(views > 0);
                    prop_assert!(rate.is_finite() && rate >= 0.0);
                }
            }
        }

        #[test]
        fn account_rate_is_finite_and_none_only_on_zero_denominators(
            counts in proptest::collection::vec((any::<i64>(), any::<i64>(), any::<i64>(), any::<i64>()), 0..40),
            followers in any::<i64>(),
        ) {
            let videos: Vec<VideoCounts> =
                counts.iter().map(|&(v, l, c, s)| video(v, l, c, s)).collect();
            match account_engagement_rate(&videos, followers) {
                None => prop_assert!(videos.is_empty() || followers <= 0),
                Some(rate) => prop_assert!(rate.is_finite() && rate >= 0.0),
            }
        }

        #[test]
        fn growth_never_overflows_and_matches_small_values(start in any::<i64>(), end in any::<i64>()) {
            let g = growth(start, end);
            if let Some(percent) = g.percent {
                prop_assert!(percent.is_finite());
            } else {
                prop_assert_eq!(start, 0);
            }
            if let Some(exact) = end.checked_sub(start) {
                prop_assert_eq!(g.absolute, exact);
            }
        }
    }
}
