//! The read models the API returns, in the JSON shapes of `docs/api.md` (camelCase keys,
//! RFC 3339 times, video ids as strings).

use chrono::{DateTime, NaiveDate, Utc};
use domain::{Growth, SyncRun};
use serde::Serialize;
use storage::StoredVideo;
use utoipa::ToSchema;

/// One platform's connection, as the dashboard's card shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    /// The platform's name (`tiktok`, `instagram`...).
    pub platform: String,
    /// Whether the user connected this platform.
    pub connected: bool,
    /// `active`, `needs_reauth` or `disconnected`; `null` when not connected.
    pub status: Option<String>,
    /// The handle without `@`.
    pub handle: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The avatar (a signed URL that expires).
    pub avatar_url: Option<String>,
    /// Followers, when the platform gave them (a scope granted, not hidden).
    pub follower_count: Option<i64>,
    /// When the last successful sync finished.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// True when the data is older than 24 hours.
    pub stale: bool,
    /// Requested scopes the user did not grant.
    pub missing_scopes: Vec<String>,
}

/// The connected profile on one platform.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    /// The account's id on the platform (TikTok: the `open_id` for this app; the name of the
    /// key is TikTok's, kept for the clients of the first platform).
    pub open_id: String,
    /// The handle without `@`.
    pub handle: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
    /// The avatar URL.
    pub avatar_url: Option<String>,
    /// The bio.
    pub bio: Option<String>,
    /// Whether the platform verified the account.
    pub verified: bool,
    /// The profile's link.
    pub profile_deep_link: Option<String>,
    /// Followers (`null` when the platform did not give them).
    pub follower_count: Option<i64>,
    /// Accounts followed.
    pub following_count: Option<i64>,
    /// Likes over all videos.
    pub likes_count: Option<i64>,
    /// Public videos.
    pub video_count: Option<i64>,
    /// Mean interactions per recent video over followers; `null` without followers.
    pub engagement_rate: Option<f64>,
    /// `active`, `needs_reauth` or `disconnected`.
    pub status: String,
    /// When the last successful sync finished.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// True when the data is older than 24 hours.
    pub stale: bool,
    /// The scopes the user granted.
    pub granted_scopes: Vec<String>,
    /// Requested scopes the user did not grant.
    pub missing_scopes: Vec<String>,
}

/// One post (a video, a reel, an image) with its metrics. A metric the platform does not
/// have, or did not give, is `null`, never 0; Instagram's reach, saves and media type are
/// left out for platforms that have none.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VideoView {
    /// The platform's id (TikTok's: a string of 19 digits; always a string).
    pub id: String,
    /// Title (may be empty).
    pub title: Option<String>,
    /// Description or caption (may be empty).
    pub description: Option<String>,
    /// When it was posted.
    pub created_at: Option<DateTime<Utc>>,
    /// Length in seconds.
    pub duration_secs: Option<i64>,
    /// Cover image (a signed URL that expires after hours).
    pub cover_image_url: Option<String>,
    /// Public link.
    pub share_url: Option<String>,
    /// Embeddable player link.
    pub embed_link: Option<String>,
    /// The platform's kind of post (Instagram `IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`, `REELS`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Views.
    pub view_count: Option<i64>,
    /// Likes.
    pub like_count: Option<i64>,
    /// Comments.
    pub comment_count: Option<i64>,
    /// Shares.
    pub share_count: Option<i64>,
    /// Unique accounts reached (Instagram).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reach_count: Option<i64>,
    /// Saves (Instagram).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub save_count: Option<i64>,
    /// The platform's engagement rate (docs/api.md): interactions over views (TikTok,
    /// YouTube) or over reach, else followers (Instagram); `null` when the divisor is
    /// unknown or zero.
    pub engagement_rate: Option<f64>,
}

impl From<StoredVideo> for VideoView {
    fn from(stored: StoredVideo) -> Self {
        let video = stored.video;
        Self {
            engagement_rate: stored.engagement_rate,
            id: video.platform_video_id,
            title: video.title,
            description: video.description,
            created_at: video.posted_at,
            duration_secs: video.duration_seconds,
            cover_image_url: video.cover_image_url,
            share_url: video.share_url,
            embed_link: video.embed_link,
            media_type: video.media_type,
            view_count: video.counts.views,
            like_count: video.counts.likes,
            comment_count: video.counts.comments,
            share_count: video.counts.shares,
            reach_count: video.counts.reach,
            save_count: video.counts.saves,
        }
    }
}

/// A page of videos.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VideoPageView {
    /// The videos of this page.
    pub videos: Vec<VideoView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Growth over a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrowthView {
    /// End minus start.
    pub absolute: i64,
    /// (end - start) / start × 100; `null` when start is 0.
    pub percent: Option<f64>,
}

impl From<Growth> for GrowthView {
    fn from(growth: Growth) -> Self {
        Self {
            absolute: growth.absolute,
            percent: growth.percent,
        }
    }
}

/// Totals and rates over the account.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsSummary {
    /// Followers now.
    pub follower_count: Option<i64>,
    /// Videos synced.
    pub video_count: i64,
    /// Views over all synced videos (`null` when the platform gave none).
    pub total_views: Option<i64>,
    /// Likes over all synced videos.
    pub total_likes: Option<i64>,
    /// Comments over all synced videos.
    pub total_comments: Option<i64>,
    /// Shares over all synced videos.
    pub total_shares: Option<i64>,
    /// The platform's engagement rate over all synced videos together; `null` when its
    /// divisor is unknown or zero.
    pub video_engagement_rate: Option<f64>,
    /// Mean interactions per recent video over followers.
    pub account_engagement_rate: Option<f64>,
    /// Follower growth over the period; `null` with fewer than two points.
    pub follower_growth: Option<GrowthView>,
    /// Total views growth over the period; `null` with fewer than two points.
    pub view_growth: Option<GrowthView>,
}

/// One day of the growth series.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Followers that day.
    pub followers: Option<i64>,
    /// Total views of all videos that day (`null` when the platform gave none).
    pub views: Option<i64>,
}

/// Where the daily activity series comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DailySource {
    /// The platform's own daily figures (YouTube Analytics, when its scope was granted).
    Platform,
    /// Day-to-day differences of this service's daily snapshots.
    Snapshots,
}

/// What happened on one day (not a running total).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DailyPoint {
    /// The day (the platform's day for platform figures; UTC for snapshots).
    pub date: NaiveDate,
    /// Views that day.
    pub views: Option<i64>,
    /// Minutes watched that day (platform figures only).
    pub watch_minutes: Option<i64>,
    /// Likes that day (platform figures only).
    pub likes: Option<i64>,
    /// Followers gained that day (platform figures only).
    pub followers_gained: Option<i64>,
    /// Followers lost that day (platform figures only).
    pub followers_lost: Option<i64>,
    /// Followers gained less lost.
    pub followers_net: Option<i64>,
}

impl From<domain::DailyActivity> for DailyPoint {
    fn from(day: domain::DailyActivity) -> Self {
        Self {
            date: day.day,
            views: day.views,
            watch_minutes: day.watch_minutes,
            likes: day.likes,
            followers_gained: day.followers_gained,
            followers_lost: day.followers_lost,
            followers_net: day
                .followers_gained
                .zip(day.followers_lost)
                .map(|(gained, lost)| gained.saturating_sub(lost)),
        }
    }
}

/// The daily activity of consecutive days of `snapshots` (oldest first): each day's views
/// and followers less the day before's. A day without a snapshot the day before has none.
pub fn daily_from_snapshots(snapshots: &[domain::ProfileSnapshot]) -> Vec<DailyPoint> {
    let delta = |before: Option<i64>, after: Option<i64>| {
        before
            .zip(after)
            .map(|(before, after)| after.saturating_sub(before))
    };
    snapshots
        .windows(2)
        .filter(|pair| pair[0].day.succ_opt() == Some(pair[1].day))
        .map(|pair| DailyPoint {
            date: pair[1].day,
            views: delta(pair[0].total_video_views, pair[1].total_video_views),
            watch_minutes: None,
            likes: None,
            followers_gained: None,
            followers_lost: None,
            followers_net: delta(pair[0].follower_count, pair[1].follower_count),
        })
        .collect()
}

/// The analytics of the last N days.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsView {
    /// The period, in days.
    pub days: u32,
    /// Totals and rates.
    pub summary: AnalyticsSummary,
    /// Up to five videos with the highest engagement rate.
    pub top_videos: Vec<VideoView>,
    /// One point per day with a snapshot, oldest first (running totals).
    pub series: Vec<SeriesPoint>,
    /// Where `daily` comes from: the platform's own daily figures when it gave them for
    /// the period, else the snapshots' day-to-day differences.
    pub daily_source: DailySource,
    /// What happened each day, oldest first.
    pub daily: Vec<DailyPoint>,
}

/// One entry of the sync log.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncRunView {
    /// The run's id.
    pub id: i64,
    /// `manual`, `scheduled` or `connect`.
    pub trigger: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended; `null` while it runs.
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `success`, `partial`, `failed`, `rate_limited` or `needs_reauth`.
    pub outcome: String,
    /// Videos written.
    pub videos_synced: i64,
    /// Platform calls (or quota units) spent.
    pub api_calls: i64,
    /// Why it did not succeed, as a code.
    pub error_code: Option<String>,
    /// Why it did not succeed, in words.
    pub error_message: Option<String>,
}

impl From<SyncRun> for SyncRunView {
    fn from(run: SyncRun) -> Self {
        Self {
            id: run.id.0,
            trigger: run.trigger.as_str().to_owned(),
            started_at: run.started_at,
            finished_at: run.finished_at,
            outcome: run
                .outcome
                .map_or("running", |outcome| outcome.as_str())
                .to_owned(),
            videos_synced: run.videos_synced,
            api_calls: run.api_calls,
            error_code: run.error_code,
            error_message: run.error_message,
        }
    }
}

/// A notification to the host product and where its delivery is
/// (`GET /api/webhooks/deliveries`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// The event's id (`evt_<n>`), as sent in the body and the `X-Webhook-Id` header.
    pub id: String,
    /// `connection.connected`, `connection.needs_reauth`, `connection.removed`,
    /// `sync.completed` or `sync.failed`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The connection concerned (it may be gone).
    pub connection_id: Option<i64>,
    /// When the change happened.
    pub created_at: DateTime<Utc>,
    /// `pending`, `delivered` or `gave_up`.
    pub state: String,
    /// Attempts that failed so far.
    pub failed_attempts: i64,
    /// The next attempt (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the host acknowledged it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When delivery stopped, its retry window spent.
    pub gave_up_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The event's data, as sent.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<storage::OutboundEventStatus> for DeliveryView {
    fn from(status: storage::OutboundEventStatus) -> Self {
        let event = status.event;
        Self {
            id: crate::outbox::event_id(event.id),
            event_type: event.event,
            connection_id: event.connection_id.map(|id| id.0),
            created_at: event.created_at,
            state: status.state.as_str().to_owned(),
            // Only failures count as attempts in the outbox; a delivery does not.
            failed_attempts: event.attempts,
            next_attempt_at: status.next_attempt_at,
            delivered_at: status.delivered_at,
            gave_up_at: status.gave_up_at,
            last_error: status.last_error,
            data: event.payload,
        }
    }
}
