//! Engagement math.
//!
//! All counts are 64-bit; sums are computed in `i128`, so no input can overflow them.
//! Negative counts (which no platform sends) are treated as zero. A zero denominator gives
//! `None`, never NaN or infinity.

use crate::video::VideoCounts;

/// Clamps a count to be non-negative and widens it.
fn count(value: i64) -> i128 {
    i128::from(value.max(0))
}

/// Interactions of one video: `likes + comments + shares`, in `i128`.
pub fn interactions(likes: i64, comments: i64, shares: i64) -> i128 {
    count(likes) + count(comments) + count(shares)
}

/// Per-video engagement rate:
///
/// ```text
/// rate = (likes + comments + shares) / views
/// ```
///
/// `None` when `views` is zero (or negative). The rate can exceed 1 (more interactions than
/// views happens with reposts and counter lag).
pub fn video_engagement_rate(views: i64, likes: i64, comments: i64, shares: i64) -> Option<f64> {
    let views = count(views);
    if views == 0 {
        return None;
    }
    // i128 -> f64 loses precision only beyond 2^53, where a relative error of 1e-16 is moot.
    Some(interactions(likes, comments, shares) as f64 / views as f64)
}

/// Account engagement rate over the given recent videos (the caller picks the last N):
///
/// ```text
/// rate = (Σ (likes + comments + shares) / n) / followers
/// ```
///
/// that is, the mean interactions per video over the follower count. `None` when there are no
/// videos or no followers.
pub fn account_engagement_rate<'a>(
    recent_videos: impl IntoIterator<Item = &'a VideoCounts>,
    followers: i64,
) -> Option<f64> {
    let followers = count(followers);
    if followers == 0 {
        return None;
    }
    let (total, videos) = recent_videos
        .into_iter()
        .fold((0_i128, 0_i128), |(total, n), video| {
            // Each term is below 3 * 2^63, so even 2^60 videos cannot overflow i128.
            (total.saturating_add(video.interactions()), n + 1)
        });
    if videos == 0 {
        return None;
    }
    let mean = total as f64 / videos as f64;
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
        VideoCounts {
            views,
            likes,
            comments,
            shares,
        }
    }

    #[test]
    fn video_rate_follows_the_formula() {
        assert_eq!(video_engagement_rate(1000, 50, 30, 20), Some(0.1));
        assert_eq!(video_engagement_rate(0, 5, 0, 0), None);
        assert_eq!(video_engagement_rate(-3, 5, 0, 0), None);
        assert_eq!(video_engagement_rate(10, 0, 0, 0), Some(0.0));
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
            match video_engagement_rate(views, likes, comments, shares) {
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
