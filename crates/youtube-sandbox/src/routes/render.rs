//! Resources as the Data API writes them (reference sections 6 to 8): counters as JSON
//! strings, thumbnails as a map, parts only when asked for.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::gate::etag_of;
use crate::catalog::{
    AccountRecord, ChannelRecord, Privacy, VideoKind, VideoRecord, thumbnail_url,
};
use crate::config::{HiddenSubscribers, NumberEncoding};
use crate::growth::{channel_views, counters_at, subscribers_at, three_significant_figures};
use crate::state::SandboxState;
use crate::views::counts_as_public;

/// RFC 3339 in UTC with a `Z`, as Google writes times.
pub(crate) fn time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An ISO 8601 duration: `PT4M13S`, `PT1H2M`, `P1DT2H3M4S`, `P0D` for zero.
pub(crate) fn iso_duration(seconds: u64) -> String {
    if seconds == 0 {
        return "P0D".to_owned();
    }
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (hours, minutes, secs) = (rest / 3_600, rest % 3_600 / 60, rest % 60);
    let mut text = String::from("P");
    if days > 0 {
        text.push_str(&format!("{days}D"));
    }
    if rest > 0 {
        text.push('T');
        for (value, unit) in [(hours, 'H'), (minutes, 'M'), (secs, 'S')] {
            if value > 0 {
                text.push_str(&format!("{value}{unit}"));
            }
        }
    }
    text
}

fn with_etag(mut item: Value) -> Value {
    let etag = etag_of(&item);
    if let Some(object) = item.as_object_mut() {
        object.insert("etag".to_owned(), json!(etag));
    }
    item
}

fn thumbnail(url: String, width: u32, height: u32) -> Value {
    json!({ "url": url, "width": width, "height": height })
}

/// A video's thumbnails: the five classic keys, and `fhd`/`qhd`/`uhd` on some videos.
pub(crate) fn video_thumbnails(state: &SandboxState, video: &VideoRecord) -> Value {
    let base = &state.base_url;
    let mut sizes = vec![
        ("default", "default.jpg", 120, 90),
        ("medium", "mqdefault.jpg", 320, 180),
        ("high", "hqdefault.jpg", 480, 360),
        ("standard", "sddefault.jpg", 640, 480),
        ("maxres", "maxresdefault.jpg", 1280, 720),
    ];
    if video.big_thumbnails {
        sizes.extend([
            ("fhd", "fhd.jpg", 1920, 1080),
            ("qhd", "qhd.jpg", 2560, 1440),
            ("uhd", "uhd.jpg", 3840, 2160),
        ]);
    }
    let map: Map<String, Value> = sizes
        .into_iter()
        .map(|(key, file, width, height)| {
            let url = thumbnail_url(base, &format!("vi/{}/{file}", video.id));
            (key.to_owned(), thumbnail(url, width, height))
        })
        .collect();
    Value::Object(map)
}

fn channel_thumbnails(state: &SandboxState, channel: &ChannelRecord) -> Value {
    let base = &state.base_url;
    json!({
        "default": thumbnail(thumbnail_url(base, &format!("ch/{}/s88.jpg", channel.id)), 88, 88),
        "medium": thumbnail(thumbnail_url(base, &format!("ch/{}/s240.jpg", channel.id)), 240, 240),
        "high": thumbnail(thumbnail_url(base, &format!("ch/{}/s800.jpg", channel.id)), 800, 800),
    })
}

/// A channel resource with the asked-for parts, as seen by `viewer` (an account index).
pub(crate) fn channel(
    state: &SandboxState,
    account: &AccountRecord,
    parts: &[String],
    viewer: Option<usize>,
    now: DateTime<Utc>,
) -> Value {
    let (Some(channel), Some(spec)) = (&account.channel, account.channel_spec()) else {
        return Value::Null;
    };
    let owner = viewer.is_some_and(|viewer| {
        state.catalog.accounts.get(viewer).map(|a| &a.sub) == Some(&account.sub)
    });
    let mut item = json!({ "kind": "youtube#channel", "id": channel.id });
    let has = |name: &str| parts.iter().any(|part| part == name);
    if has("snippet") {
        item["snippet"] = json!({
            "title": spec.title,
            "description": channel.description,
            "customUrl": spec.handle.to_lowercase(),
            "publishedAt": time(channel.published_at),
            "thumbnails": channel_thumbnails(state, channel),
            "localized": { "title": spec.title, "description": channel.description },
            "country": channel.country,
        });
    }
    if has("contentDetails") {
        let mut related = json!({ "uploads": channel.uploads_playlist_id });
        if owner {
            related["likes"] = json!("LL");
        }
        item["contentDetails"] = json!({ "relatedPlaylists": related });
    }
    if has("statistics") {
        let exact = subscribers_at(spec.subscribers, channel, state.catalog.start, now);
        let shown = if owner && !state.config.round_owner_subscribers {
            exact
        } else {
            three_significant_figures(exact)
        };
        let mut statistics = json!({
            "viewCount": channel_views(channel, now).to_string(),
            "videoCount": channel.videos.iter().filter(|video| counts_as_public(video)).count().to_string(),
        });
        let subscriber_count = match (spec.hide_subscriber_count, state.config.hidden_subscribers) {
            (false, _) | (true, HiddenSubscribers::Shown) => Some(shown.to_string()),
            (true, HiddenSubscribers::Zero) => Some("0".to_owned()),
            (true, HiddenSubscribers::Omit) => None,
        };
        if let Some(count) = subscriber_count {
            statistics["subscriberCount"] = json!(count);
        }
        if state.config.hidden_subscriber_flag {
            statistics["hiddenSubscriberCount"] = json!(spec.hide_subscriber_count);
        }
        item["statistics"] = statistics;
    }
    if has("status") {
        item["status"] = json!({
            "privacyStatus": "public",
            "isLinked": true,
            "longUploadsStatus": "allowed",
            "madeForKids": false,
        });
    }
    with_etag(item)
}

/// Where a video lives: its channel's account.
pub(crate) struct Located<'a> {
    pub(crate) account: usize,
    pub(crate) channel: &'a ChannelRecord,
    pub(crate) video: &'a VideoRecord,
}

/// Finds a video by id in every channel.
pub(crate) fn locate<'a>(state: &'a SandboxState, id: &str) -> Option<Located<'a>> {
    state
        .catalog
        .accounts
        .iter()
        .enumerate()
        .find_map(|(account, record)| {
            let channel = record.channel.as_ref()?;
            let video = channel.videos.iter().find(|video| video.id == id)?;
            Some(Located {
                account,
                channel,
                video,
            })
        })
}

/// Whether `viewer` may see the video at all: deleted ones never, private ones to the owner.
pub(crate) fn visible(located: &Located<'_>, viewer: Option<usize>) -> bool {
    !located.video.deleted
        && (located.video.privacy != Privacy::Private || viewer == Some(located.account))
}

fn live_broadcast_content(video: &VideoRecord) -> &'static str {
    match video.kind {
        VideoKind::LiveNow => "live",
        VideoKind::Upcoming => "upcoming",
        _ => "none",
    }
}

/// A video resource with the asked-for parts.
pub(crate) fn video(
    state: &SandboxState,
    located: &Located<'_>,
    parts: &[String],
    viewer: Option<usize>,
    now: DateTime<Utc>,
) -> Value {
    let video = located.video;
    let owner = viewer == Some(located.account);
    let spec = state.catalog.accounts[located.account].channel_spec();
    let channel_title = spec.map(|spec| spec.title.clone()).unwrap_or_default();
    let has = |name: &str| parts.iter().any(|part| part == name);
    let mut item = json!({ "kind": "youtube#video", "id": video.id });
    if has("snippet") {
        let mut snippet = json!({
            "publishedAt": time(video.published_at),
            "channelId": located.channel.id,
            "title": video.title,
            "description": video.description,
            "thumbnails": video_thumbnails(state, video),
            "channelTitle": channel_title,
            "categoryId": video.category_id,
            "liveBroadcastContent": live_broadcast_content(video),
            "defaultAudioLanguage": "en",
            "localized": { "title": video.title, "description": video.description },
        });
        if !video.tags.is_empty() {
            snippet["tags"] = json!(video.tags);
        }
        item["snippet"] = snippet;
    }
    if has("contentDetails") {
        item["contentDetails"] = json!({
            "duration": iso_duration(video.duration_secs),
            "dimension": "2d",
            "definition": if video.hd { "hd" } else { "sd" },
            "caption": if video.captions { "true" } else { "false" },
            "licensedContent": video.hd,
            "contentRating": {},
            "projection": "rectangular",
        });
    }
    if has("status") {
        item["status"] = json!({
            "uploadStatus": if video.kind == VideoKind::Upcoming { "uploaded" } else { "processed" },
            "privacyStatus": video.privacy.wire(),
            "license": "youtube",
            "embeddable": true,
            "publicStatsViewable": true,
            "madeForKids": false,
        });
    }
    if has("statistics") {
        let counters = counters_at(video, now);
        let mut statistics = json!({
            "viewCount": counters.views.to_string(),
            "favoriteCount": "0",
        });
        if !video.likes_hidden {
            statistics["likeCount"] = json!(counters.likes.to_string());
        }
        if owner {
            statistics["dislikeCount"] = json!(counters.dislikes.to_string());
        }
        if !video.comments_disabled {
            statistics["commentCount"] = json!(counters.comments.to_string());
        }
        item["statistics"] = statistics;
    }
    if has("liveStreamingDetails") {
        match video.kind {
            VideoKind::LiveNow => {
                item["liveStreamingDetails"] = json!({
                    "actualStartTime": time(video.published_at),
                    "scheduledStartTime": time(video.published_at),
                    "concurrentViewers": (counters_at(video, now).views / 40 + 7).to_string(),
                });
            }
            VideoKind::Upcoming => {
                item["liveStreamingDetails"] =
                    json!({ "scheduledStartTime": time(video.published_at) });
            }
            VideoKind::LiveVod => {
                let end =
                    video.published_at + chrono::Duration::seconds(video.duration_secs as i64);
                item["liveStreamingDetails"] = json!({
                    "actualStartTime": time(video.published_at),
                    "actualEndTime": time(end),
                    "scheduledStartTime": time(video.published_at),
                });
            }
            VideoKind::LongForm | VideoKind::Short => {}
        }
    }
    with_etag(item)
}

/// One item of `videos.batchGetStats`.
pub(crate) fn video_stats(
    state: &SandboxState,
    located: &Located<'_>,
    parts: &[String],
    now: DateTime<Utc>,
) -> Value {
    let video = located.video;
    let number = |value: u64| match state.config.batch_numbers {
        NumberEncoding::Strings => json!(value.to_string()),
        NumberEncoding::Numbers => json!(value),
    };
    let has = |name: &str| parts.iter().any(|part| part == name);
    let mut item = json!({ "kind": "youtube#videoStats", "id": video.id });
    if has("snippet") {
        item["snippet"] = json!({ "publishTime": time(video.published_at) });
    }
    if has("statistics") {
        let counters = counters_at(video, now);
        let mut statistics = json!({ "viewCount": number(counters.views) });
        if !video.likes_hidden {
            statistics["likeCount"] = number(counters.likes);
        }
        if !video.comments_disabled {
            statistics["commentCount"] = number(counters.comments);
        }
        item["statistics"] = statistics;
    }
    if has("contentDetails") {
        item["contentDetails"] = json!({
            "duration": iso_duration(video.duration_secs),
            "durationMillis": number(video.duration_secs * 1_000),
        });
    }
    with_etag(item)
}

/// A playlist item of the uploads playlist.
pub(crate) fn playlist_item(
    state: &SandboxState,
    channel: &ChannelRecord,
    channel_title: &str,
    video: &VideoRecord,
    position: usize,
    parts: &[String],
) -> Value {
    let has = |name: &str| parts.iter().any(|part| part == name);
    let mut item = json!({ "kind": "youtube#playlistItem", "id": video.playlist_item_id });
    if has("snippet") {
        let (title, description, thumbnails) = if video.deleted {
            (
                "Deleted video".to_owned(),
                "This video is unavailable.".to_owned(),
                json!({}),
            )
        } else {
            (
                video.title.clone(),
                video.description.clone(),
                video_thumbnails(state, video),
            )
        };
        let mut snippet = json!({
            "publishedAt": time(video.uploaded_at),
            "channelId": channel.id,
            "title": title,
            "description": description,
            "thumbnails": thumbnails,
            "channelTitle": channel_title,
            "playlistId": channel.uploads_playlist_id,
            "position": position,
            "resourceId": { "kind": "youtube#video", "videoId": video.id },
        });
        if !video.deleted {
            snippet["videoOwnerChannelTitle"] = json!(channel_title);
            snippet["videoOwnerChannelId"] = json!(channel.id);
        }
        item["snippet"] = snippet;
    }
    if has("contentDetails") {
        let mut details = json!({ "videoId": video.id });
        // Private, deleted and not-yet-published videos carry no `videoPublishedAt`.
        let published = !video.deleted
            && video.privacy != Privacy::Private
            && video.kind != VideoKind::Upcoming;
        if published {
            details["videoPublishedAt"] = json!(time(video.published_at));
        }
        item["contentDetails"] = details;
    }
    if has("status") {
        let privacy = if video.deleted {
            "privacyStatusUnspecified"
        } else {
            video.privacy.wire()
        };
        item["status"] = json!({ "privacyStatus": privacy });
    }
    with_etag(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(iso_duration(0), "P0D");
        assert_eq!(iso_duration(253), "PT4M13S");
        assert_eq!(iso_duration(3_600), "PT1H");
        assert_eq!(iso_duration(93_784), "P1DT2H3M4S");
        assert_eq!(iso_duration(86_400), "P1D");
    }
}
