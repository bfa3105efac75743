//! Videos of a connected account and their counters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::engagement;

/// The four public counters of a video at one moment.
///
/// Counts are 64-bit, as the platforms send them; negative values (which no platform sends)
/// count as zero in the engagement math.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VideoCounts {
    /// Views.
    pub views: i64,
    /// Likes.
    pub likes: i64,
    /// Comments.
    pub comments: i64,
    /// Shares.
    pub shares: i64,
}

impl VideoCounts {
    /// Interactions: `likes + comments + shares`, computed in 128 bits so it cannot overflow.
    pub fn interactions(&self) -> i128 {
        engagement::interactions(self.likes, self.comments, self.shares)
    }

    /// Engagement rate of this video; see [`engagement::video_engagement_rate`].
    pub fn engagement_rate(&self) -> Option<f64> {
        engagement::video_engagement_rate(self.views, self.likes, self.comments, self.shares)
    }
}

/// A video as synced from the platform.
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
    /// Counters at sync time.
    pub counts: VideoCounts,
}
