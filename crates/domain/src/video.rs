//! Videos of a connected account and their counters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::engagement::{self, EngagementBasis};

/// The counters of a post (a video, a reel, an image) at one moment.
///
/// A counter the platform does not have, or did not give (a scope not granted, a metric not
/// available for this kind of post, likes hidden by the creator), is `None`, never 0:
/// TikTok has no reach or saves, YouTube no shares, and Instagram's views, reach, saves and
/// shares come from insights. Counts are 64-bit, as the platforms send them; negative values
/// (which no platform sends) count as zero in the engagement math.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VideoCounts {
    /// Views (plays).
    pub views: Option<i64>,
    /// Likes.
    pub likes: Option<i64>,
    /// Comments.
    pub comments: Option<i64>,
    /// Shares.
    pub shares: Option<i64>,
    /// Unique accounts reached (Instagram).
    pub reach: Option<i64>,
    /// Saves (Instagram).
    pub saves: Option<i64>,
}

impl VideoCounts {
    /// These counters, each unknown one taken from `earlier` (a counter not read this time
    /// keeps its last known value).
    pub fn or(self, earlier: &VideoCounts) -> Self {
        Self {
            views: self.views.or(earlier.views),
            likes: self.likes.or(earlier.likes),
            comments: self.comments.or(earlier.comments),
            shares: self.shares.or(earlier.shares),
            reach: self.reach.or(earlier.reach),
            saves: self.saves.or(earlier.saves),
        }
    }

    /// The four counters TikTok reports, all known.
    pub fn views_likes_comments_shares(views: i64, likes: i64, comments: i64, shares: i64) -> Self {
        Self {
            views: Some(views),
            likes: Some(likes),
            comments: Some(comments),
            shares: Some(shares),
            reach: None,
            saves: None,
        }
    }

    /// Interactions: the sum of the known likes, comments, shares and saves, computed in 128
    /// bits so it cannot overflow.
    pub fn interactions(&self) -> i128 {
        engagement::interactions(self)
    }

    /// Engagement rate of this post on `basis`; see [`engagement::post_engagement_rate`].
    pub fn engagement_rate(&self, basis: EngagementBasis, followers: Option<i64>) -> Option<f64> {
        engagement::post_engagement_rate(self, basis, followers)
    }
}

/// A post (a video, a reel, an image, a carousel) as synced from the platform. The name says
/// "video" as the API's first platform did; the row is the same for every platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncedVideo {
    /// The platform's id. TikTok ids are 19-digit numbers: always kept as text.
    pub platform_video_id: String,
    /// Title.
    pub title: Option<String>,
    /// Description (caption).
    pub description: Option<String>,
    /// Duration in seconds.
    pub duration_seconds: Option<i64>,
    /// Cover image URL (these expire on TikTok's side).
    pub cover_image_url: Option<String>,
    /// Share URL.
    pub share_url: Option<String>,
    /// Embed link.
    pub embed_link: Option<String>,
    /// When the video was posted.
    pub posted_at: Option<DateTime<Utc>>,
    /// What kind of post it is, in the platform's words (Instagram `IMAGE`, `VIDEO`,
    /// `CAROUSEL_ALBUM` with `REELS` or `FEED`; YouTube `short`, `live`...); `None` when the
    /// platform has one kind (TikTok).
    pub media_type: Option<String>,
    /// Counters at sync time.
    pub counts: VideoCounts,
    /// Whether every counter the platform has was read now; `false` when some were left for
    /// a later sync (their stored values are kept).
    pub counters_read: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_counters_are_taken_from_earlier_ones() {
        let now = VideoCounts {
            likes: Some(10),
            comments: Some(2),
            ..VideoCounts::default()
        };
        let earlier = VideoCounts {
            views: Some(500),
            likes: Some(8),
            reach: Some(300),
            ..VideoCounts::default()
        };
        let merged = now.or(&earlier);
        assert_eq!(merged.likes, Some(10), "a counter read now wins");
        assert_eq!(merged.views, Some(500));
        assert_eq!(merged.reach, Some(300));
        assert_eq!(merged.saves, None, "unknown both times stays unknown");
    }
}
