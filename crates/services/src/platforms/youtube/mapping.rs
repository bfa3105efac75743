//! Translation from YouTube's wire types (youtube-client) to the platform-neutral domain
//! types. A counter YouTube did not give (a hidden subscriber count, a video's hidden likes)
//! is `None`, never 0.

use domain::{DailyActivity, Profile, SyncedVideo, VideoCounts};
use youtube_client::{Channel, DailyRow, Thumbnails, Video};

/// The largest thumbnail's URL of the sizes Google usually sends, preferring a mid size for
/// the dashboard's cards.
fn thumbnail(thumbnails: &Thumbnails) -> Option<String> {
    ["medium", "high", "default", "standard", "maxres"]
        .iter()
        .find_map(|size| thumbnails.get(*size))
        .or_else(|| thumbnails.values().next())
        .map(|thumbnail| thumbnail.url.clone())
}

fn count(value: Option<u64>) -> Option<i64> {
    value.and_then(|value| i64::try_from(value).ok())
}

/// The domain profile of a channel, keyed on the channel id (`UC…`); the Google account's
/// `sub` (when the identity scopes were granted) is kept beside it.
pub(super) fn profile_from(channel: &Channel, google_sub: Option<String>) -> Profile {
    let snippet = channel.snippet.as_ref();
    let statistics = channel.statistics.as_ref();
    // `customUrl` is the handle (`@mayacooks`); stored without the `@`, like other platforms.
    let handle = snippet
        .and_then(|snippet| snippet.custom_url.as_deref())
        .map(|handle| handle.trim_start_matches('@').to_owned())
        .filter(|handle| !handle.is_empty());
    let deep_link = match &handle {
        Some(handle) => format!("https://www.youtube.com/@{handle}"),
        None => format!("https://www.youtube.com/channel/{}", channel.id),
    };
    Profile {
        platform_account_id: channel.id.clone(),
        union_id: google_sub,
        username: handle,
        display_name: snippet.and_then(|snippet| snippet.title.clone()),
        avatar_url: snippet.and_then(|snippet| thumbnail(&snippet.thumbnails)),
        bio: snippet
            .and_then(|snippet| snippet.description.clone())
            .filter(|bio| !bio.is_empty()),
        // The Data API says nothing of a verification badge.
        is_verified: false,
        profile_deep_link: Some(deep_link),
        // Hidden subscriber counts are unknown, not 0.
        follower_count: statistics
            .and_then(|statistics| count(statistics.visible_subscriber_count())),
        following_count: None,
        likes_count: None,
        video_count: statistics.and_then(|statistics| count(statistics.video_count)),
    }
}

/// The domain post of a video: views, likes and comments from its statistics (likes absent
/// when the owner hides them; YouTube has no share or save counter).
pub(super) fn post_from(video: &Video) -> SyncedVideo {
    let snippet = video.snippet.as_ref();
    let statistics = video.statistics.as_ref();
    let duration = video
        .content_details
        .as_ref()
        .and_then(|details| details.duration())
        .and_then(|duration| i64::try_from(duration.as_secs()).ok());
    let kind = if video.is_upcoming() {
        "UPCOMING"
    } else if video.live_streaming_details.is_some() {
        "LIVE"
    } else if video.may_be_short() {
        "SHORT"
    } else {
        "VIDEO"
    };
    SyncedVideo {
        platform_video_id: video.id.clone(),
        title: snippet.and_then(|snippet| snippet.title.clone()),
        description: snippet.and_then(|snippet| snippet.description.clone()),
        duration_seconds: duration,
        cover_image_url: snippet.and_then(|snippet| thumbnail(&snippet.thumbnails)),
        share_url: Some(format!("https://www.youtube.com/watch?v={}", video.id)),
        embed_link: Some(format!("https://www.youtube.com/embed/{}", video.id)),
        posted_at: snippet.and_then(|snippet| snippet.published_at),
        media_type: Some(kind.to_owned()),
        counts: VideoCounts {
            views: statistics.and_then(|statistics| count(statistics.view_count)),
            likes: statistics.and_then(|statistics| count(statistics.like_count)),
            comments: statistics.and_then(|statistics| count(statistics.comment_count)),
            shares: None,
            reach: None,
            saves: None,
        },
        counters_read: true,
    }
}

/// One Analytics row as the day's activity.
pub(super) fn activity_from(row: &DailyRow) -> DailyActivity {
    let value = |value: u64| i64::try_from(value).ok();
    DailyActivity {
        day: row.day,
        views: value(row.views),
        watch_minutes: value(row.estimated_minutes_watched),
        likes: value(row.likes),
        followers_gained: value(row.subscribers_gained),
        followers_lost: value(row.subscribers_lost),
    }
}
