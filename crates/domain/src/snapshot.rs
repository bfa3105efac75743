//! Daily metric snapshots: the history behind growth charts. One per connection (profile) or
//! per video per UTC day; a later sync the same day replaces that day's values.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::video::VideoCounts;

/// A connection's profile counters on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileSnapshot {
    /// The UTC day.
    pub day: NaiveDate,
    /// Followers (`None` without the stats scope).
    pub follower_count: Option<i64>,
    /// Accounts followed.
    pub following_count: Option<i64>,
    /// Total likes received.
    pub likes_count: Option<i64>,
    /// Public videos.
    pub video_count: Option<i64>,
    /// Sum of the known views of all synced videos, so a views growth series needs no join;
    /// `None` when videos are stored and none has known views.
    pub total_video_views: Option<i64>,
    /// Sum of the known interactions (likes, comments, shares, saves) of all synced videos;
    /// `None` when none is known (or the day was captured before it was recorded).
    pub total_interactions: Option<i64>,
    /// When the values were captured.
    pub captured_at: DateTime<Utc>,
}

/// A video's counters on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoSnapshot {
    /// The platform's video id.
    pub platform_video_id: String,
    /// The UTC day.
    pub day: NaiveDate,
    /// The counters.
    pub counts: VideoCounts,
    /// When the values were captured.
    pub captured_at: DateTime<Utc>,
}

/// One day of an account's activity as the platform itself reports it (YouTube Analytics'
/// daily rows): what happened that day, not a running total. A platform revises its recent
/// days, so a later read of a day replaces the earlier one. A metric it did not give is
/// `None`, never 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyActivity {
    /// The platform's day (YouTube's are Pacific calendar days).
    pub day: NaiveDate,
    /// Views that day.
    pub views: Option<i64>,
    /// Minutes watched that day.
    pub watch_minutes: Option<i64>,
    /// Likes that day.
    pub likes: Option<i64>,
    /// Followers (subscribers) gained that day.
    pub followers_gained: Option<i64>,
    /// Followers (subscribers) lost that day.
    pub followers_lost: Option<i64>,
}
