//! Metrics as a pure function of the seed and the sandbox day.
//!
//! Each count is `base + daily * days + jitter(day)` with `jitter` in `0..daily`, so it grows
//! by at least one every day (never shrinks) and the same day always gives the same number.

use super::generate::{CreatorRecord, VideoRecord, mix};

/// A video's engagement on one sandbox day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VideoMetrics {
    pub(crate) views: u64,
    pub(crate) likes: u64,
    pub(crate) comments: u64,
    pub(crate) shares: u64,
}

/// A creator's account stats on one sandbox day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CreatorMetrics {
    pub(crate) followers: u64,
    pub(crate) following: u64,
    pub(crate) likes: u64,
    pub(crate) videos: u64,
}

fn grown(base: u64, daily: u64, days: i64, seed: u64, day: i64) -> u64 {
    let days = u64::try_from(days).unwrap_or(0);
    let jitter = mix(&[seed, day as u64]) % daily.max(1);
    base.saturating_add(daily.saturating_mul(days))
        .saturating_add(jitter)
}

fn share_of(views: u64, parts_per_million: u64) -> u64 {
    let scaled = u128::from(views) * u128::from(parts_per_million) / 1_000_000;
    u64::try_from(scaled).unwrap_or(u64::MAX)
}

impl VideoRecord {
    /// Engagement on `day` (whole days since the Unix epoch); views grow from the upload day.
    pub(crate) fn metrics(&self, day: i64) -> VideoMetrics {
        let upload_day = self.create_time.div_euclid(86_400);
        let views = grown(
            self.base_views,
            self.daily_views,
            day - upload_day,
            self.metric_seed,
            day,
        );
        VideoMetrics {
            views,
            likes: share_of(views, self.like_ppm),
            comments: share_of(views, self.comment_ppm),
            shares: share_of(views, self.share_ppm),
        }
    }
}

impl CreatorRecord {
    /// Account stats on `day`; followers grow from `anchor_day` (the sandbox's first day).
    pub(crate) fn metrics(&self, day: i64, anchor_day: i64) -> CreatorMetrics {
        let days = day - anchor_day;
        let video_likes: u64 = self
            .videos
            .iter()
            .map(|video| video.metrics(day).likes)
            .fold(0, u64::saturating_add);
        CreatorMetrics {
            followers: grown(
                self.base_followers,
                self.daily_followers,
                days,
                self.metric_seed,
                day,
            ),
            following: self.base_following + u64::try_from(days / 5).unwrap_or(0),
            likes: self.base_likes.saturating_add(video_likes),
            videos: self.videos.len() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use crate::config::VideosPerCreator;
    use crate::data::Catalog;

    #[test]
    fn metrics_grow_every_day_and_repeat_for_the_same_day() {
        let start = DateTime::from_timestamp(1_764_061_200, 0).expect("valid time");
        let catalog = Catalog::generate(9, 5, &VideosPerCreator::Fixed(30), start);
        let day = catalog.anchor_day;
        for creator in &catalog.creators {
            let today = creator.metrics(day, catalog.anchor_day);
            let tomorrow = creator.metrics(day + 1, catalog.anchor_day);
            assert_eq!(today, creator.metrics(day, catalog.anchor_day));
            assert!(tomorrow.followers > today.followers);
            assert!(tomorrow.likes >= today.likes);
            assert_eq!(today.videos, 30);
            for video in &creator.videos {
                let (now, next) = (video.metrics(day), video.metrics(day + 1));
                assert!(next.views > now.views);
                assert!(next.likes >= now.likes && next.comments >= now.comments);
                assert!(now.likes <= now.views);
            }
        }
    }
}
