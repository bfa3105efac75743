//! Videos by id: `videos.list` (reference section 8.1), at most 50 ids a call (1 unit).
//! Ids Google does not return (deleted, private to someone else, wrong) are reported as
//! missing, never as an error.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::channel::parts_value;
use crate::client::check_id;
use crate::duration::parse_iso8601_duration;
use crate::execute::Target;
use crate::response::parse_json;
use crate::retry::RetrySafety;
use crate::wire::Thumbnails;
use crate::{AccessToken, Endpoint, YouTubeClient, YouTubeError};

/// The most ids one `videos.list` or `videos.batchGetStats` call takes.
pub const MAX_IDS_PER_CALL: usize = 50;

/// A `part` of a video resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VideoPart {
    /// `id`.
    Id,
    /// `snippet`: title, description, thumbnails, publish time, live state.
    Snippet,
    /// `contentDetails`: duration, definition, captions.
    ContentDetails,
    /// `statistics`: views, likes, comments.
    Statistics,
    /// `status`: privacy, upload status.
    Status,
    /// `liveStreamingDetails`: start and end times, concurrent viewers.
    LiveStreamingDetails,
    /// A part this crate does not know yet, by its wire name.
    Other(&'static str),
}

impl VideoPart {
    /// What a sync needs (1 unit whatever the parts).
    pub const DEFAULT: [VideoPart; 4] = [
        VideoPart::Snippet,
        VideoPart::ContentDetails,
        VideoPart::Statistics,
        VideoPart::Status,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            VideoPart::Id => "id",
            VideoPart::Snippet => "snippet",
            VideoPart::ContentDetails => "contentDetails",
            VideoPart::Statistics => "statistics",
            VideoPart::Status => "status",
            VideoPart::LiveStreamingDetails => "liveStreamingDetails",
            VideoPart::Other(name) => name,
        }
    }
}

/// `snippet.liveBroadcastContent`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum LiveBroadcastContent {
    /// `none`: not a live broadcast now (a past stream is `none` too).
    None,
    /// `live`: broadcasting now.
    Live,
    /// `upcoming`: a scheduled stream or premiere (duration `P0D`; leave it out of averages).
    Upcoming,
    /// A value this crate does not know.
    Other(String),
}

impl<'de> Deserialize<'de> for LiveBroadcastContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match String::deserialize(deserializer)?.as_str() {
            "none" => LiveBroadcastContent::None,
            "live" => LiveBroadcastContent::Live,
            "upcoming" => LiveBroadcastContent::Upcoming,
            other => LiveBroadcastContent::Other(other.to_owned()),
        })
    }
}

/// `status.privacyStatus`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum PrivacyStatus {
    /// `public`.
    Public,
    /// `unlisted`.
    Unlisted,
    /// `private`.
    Private,
    /// A value this crate does not know.
    Other(String),
}

impl<'de> Deserialize<'de> for PrivacyStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match String::deserialize(deserializer)?.as_str() {
            "public" => PrivacyStatus::Public,
            "unlisted" => PrivacyStatus::Unlisted,
            "private" => PrivacyStatus::Private,
            other => PrivacyStatus::Other(other.to_owned()),
        })
    }
}

/// `snippet` of a video.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VideoSnippet {
    /// When it was published (for a scheduled video, when it will be).
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    /// The channel.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// The title.
    #[serde(default)]
    pub title: Option<String>,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// Thumbnails by size name (`default` … `maxres`, and `fhd`, `qhd`, `uhd` on some).
    #[serde(default)]
    pub thumbnails: Thumbnails,
    /// The channel title.
    #[serde(default)]
    pub channel_title: Option<String>,
    /// Tags (absent when none).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The category id.
    #[serde(default)]
    pub category_id: Option<String>,
    /// Live state.
    #[serde(default)]
    pub live_broadcast_content: Option<LiveBroadcastContent>,
    /// The audio language.
    #[serde(default)]
    pub default_audio_language: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contentDetails` of a video.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VideoContentDetails {
    /// ISO 8601 (`PT4M13S`; `P0D` for upcoming and live): see [`Self::duration`].
    #[serde(default)]
    pub duration: Option<String>,
    /// `2d` or `3d`.
    #[serde(default)]
    pub dimension: Option<String>,
    /// `hd` or `sd`.
    #[serde(default)]
    pub definition: Option<String>,
    /// Whether captions exist (sent as the string `"true"`/`"false"`).
    #[serde(default, deserialize_with = "crate::wire::opt_bool")]
    pub caption: Option<bool>,
    /// Licensed content.
    #[serde(default, deserialize_with = "crate::wire::opt_bool")]
    pub licensed_content: Option<bool>,
    /// `rectangular` or `360`.
    #[serde(default)]
    pub projection: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VideoContentDetails {
    /// The duration, when present and readable.
    pub fn duration(&self) -> Option<Duration> {
        self.duration.as_deref().and_then(parse_iso8601_duration)
    }
}

/// `status` of a video.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VideoStatus {
    /// `uploaded`, `processed`, `failed`, `rejected`, `deleted`.
    #[serde(default)]
    pub upload_status: Option<String>,
    /// Public, unlisted or private.
    #[serde(default)]
    pub privacy_status: Option<PrivacyStatus>,
    /// `youtube` or `creativeCommon`.
    #[serde(default)]
    pub license: Option<String>,
    /// Embeddable.
    #[serde(default, deserialize_with = "crate::wire::opt_bool")]
    pub embeddable: Option<bool>,
    /// Whether the statistics are public.
    #[serde(default, deserialize_with = "crate::wire::opt_bool")]
    pub public_stats_viewable: Option<bool>,
    /// Made for kids.
    #[serde(default, deserialize_with = "crate::wire::opt_bool")]
    pub made_for_kids: Option<bool>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `statistics` of a video: counters sent as strings (or numbers), read as integers. Absent
/// is `None`, never 0: likes hidden by the owner, comments turned off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VideoStatistics {
    /// Views.
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub view_count: Option<u64>,
    /// Likes (absent when the owner hid them).
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub like_count: Option<u64>,
    /// Dislikes: the owner's token only (since 2021).
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub dislike_count: Option<u64>,
    /// Deprecated, always 0.
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub favorite_count: Option<u64>,
    /// Comments (absent when comments are off).
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub comment_count: Option<u64>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `liveStreamingDetails`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LiveStreamingDetails {
    /// When the broadcast started.
    #[serde(default)]
    pub actual_start_time: Option<DateTime<Utc>>,
    /// When it ended.
    #[serde(default)]
    pub actual_end_time: Option<DateTime<Utc>>,
    /// When it was scheduled to start.
    #[serde(default)]
    pub scheduled_start_time: Option<DateTime<Utc>>,
    /// Viewers now, while live.
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub concurrent_viewers: Option<u64>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A video resource. Parts not asked for are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Video {
    /// The video id (11 characters, kept opaque).
    pub id: String,
    /// The resource's ETag.
    #[serde(default)]
    pub etag: Option<String>,
    /// `snippet`.
    #[serde(default)]
    pub snippet: Option<VideoSnippet>,
    /// `contentDetails`.
    #[serde(default)]
    pub content_details: Option<VideoContentDetails>,
    /// `status`.
    #[serde(default)]
    pub status: Option<VideoStatus>,
    /// `statistics`.
    #[serde(default)]
    pub statistics: Option<VideoStatistics>,
    /// `liveStreamingDetails`.
    #[serde(default)]
    pub live_streaming_details: Option<LiveStreamingDetails>,
    /// Fields and parts this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Video {
    /// Whether it is a scheduled stream or premiere (no views yet; leave it out of averages).
    pub fn is_upcoming(&self) -> bool {
        self.snippet
            .as_ref()
            .and_then(|s| s.live_broadcast_content.as_ref())
            == Some(&LiveBroadcastContent::Upcoming)
    }

    /// A hint, not a fact: whether it may be a Short (at most 3 minutes, not live). The API
    /// has no Shorts field.
    pub fn may_be_short(&self) -> bool {
        let short = self
            .content_details
            .as_ref()
            .and_then(VideoContentDetails::duration)
            .is_some_and(|duration| !duration.is_zero() && duration <= Duration::from_secs(180));
        short && self.live_streaming_details.is_none()
    }
}

#[derive(Deserialize)]
struct VideoListResponse {
    #[serde(default)]
    items: Vec<Video>,
}

/// Videos found for a list of ids, and the ids Google did not return.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VideoLookup {
    /// The videos returned, in Google's order.
    pub videos: Vec<Video>,
    /// Requested ids without a video (deleted, private to someone else, or wrong).
    pub missing: Vec<String>,
}

/// The ids not in `found`, in request order, without repeats.
pub(crate) fn missing_ids<'a>(
    requested: &'a [String],
    found: impl Iterator<Item = &'a str> + Clone,
) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for id in requested {
        if !found.clone().any(|found| found == id) && !missing.contains(id) {
            missing.push(id.clone());
        }
    }
    missing
}

/// Checks ids before they are sent.
pub(crate) fn checked_ids(ids: &[String]) -> Result<(), YouTubeError> {
    ids.iter().try_for_each(|id| check_id("video", id))
}

impl YouTubeClient {
    /// `GET /youtube/v3/videos?part=…&id=…` (1 unit) for at most 50 ids.
    pub async fn videos_list(
        &self,
        token: &AccessToken,
        ids: &[String],
        parts: &[VideoPart],
    ) -> Result<VideoLookup, YouTubeError> {
        if ids.is_empty() || ids.len() > MAX_IDS_PER_CALL {
            return Err(YouTubeError::InvalidArgument(format!(
                "videos.list takes 1 to {MAX_IDS_PER_CALL} ids, not {}",
                ids.len()
            )));
        }
        checked_ids(ids)?;
        let url = self.inner.data_url("videos");
        let names: Vec<&str> = parts.iter().map(|part| part.as_str()).collect();
        let query = [("part", parts_value(&names)), ("id", ids.join(","))];
        let list = self
            .inner
            .execute(
                Target::of(Endpoint::Videos),
                RetrySafety::Idempotent,
                |http| self.inner.bearer_get(http, &url, &query, token),
                |raw, context| parse_json::<VideoListResponse>(context, raw),
            )
            .await?;
        let missing = missing_ids(ids, list.items.iter().map(|video| video.id.as_str()));
        Ok(VideoLookup {
            videos: list.items,
            missing,
        })
    }

    /// Every video of `ids`, 50 per `videos.list` call (1 unit each): `ceil(n / 50)` units.
    pub async fn videos(
        &self,
        token: &AccessToken,
        ids: &[String],
        parts: &[VideoPart],
    ) -> Result<VideoLookup, YouTubeError> {
        checked_ids(ids)?;
        let mut lookup = VideoLookup::default();
        for chunk in ids.chunks(MAX_IDS_PER_CALL) {
            let part = self.videos_list(token, chunk, parts).await?;
            lookup.videos.extend(part.videos);
            lookup.missing.extend(part.missing);
        }
        Ok(lookup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_example() {
        let body = r#"{"kind":"youtube#video","etag":"e","id":"dQw4w9WgXcQ",
          "snippet":{"publishedAt":"2026-11-30T17:00:05Z","channelId":"UCx","title":"My video","description":"…",
            "thumbnails":{"default":{"url":"https://i.ytimg.com/vi/dQw4w9WgXcQ/default.jpg","width":120,"height":90},
                          "uhd":{"url":"https://i.ytimg.com/vi/dQw4w9WgXcQ/uhd.jpg","width":3840,"height":2160}},
            "channelTitle":"Creator Name","tags":["a","b"],"categoryId":"22","liveBroadcastContent":"none","defaultAudioLanguage":"en"},
          "contentDetails":{"duration":"PT4M13S","dimension":"2d","definition":"hd","caption":"false","licensedContent":true,"contentRating":{},"projection":"rectangular"},
          "status":{"uploadStatus":"processed","privacyStatus":"public","license":"youtube","embeddable":true,"publicStatsViewable":true,"madeForKids":false},
          "statistics":{"viewCount":"15234","likeCount":"812","dislikeCount":"9","favoriteCount":"0","commentCount":"77"}}"#;
        let video: Video = serde_json::from_str(body).expect("valid");
        let details = video.content_details.as_ref().expect("details");
        assert_eq!(details.duration(), Some(Duration::from_secs(253)));
        assert_eq!(details.caption, Some(false));
        assert!(details.extra.contains_key("contentRating"));
        let statistics = video.statistics.as_ref().expect("statistics");
        assert_eq!(statistics.view_count, Some(15_234));
        assert_eq!(statistics.dislike_count, Some(9));
        let snippet = video.snippet.as_ref().expect("snippet");
        assert_eq!(snippet.thumbnails["uhd"].width, Some(3_840));
        assert_eq!(
            snippet.live_broadcast_content,
            Some(LiveBroadcastContent::None)
        );
        assert!(!video.may_be_short());
    }

    #[test]
    fn unknown_values_and_absent_counters_decode() {
        let video: Video = serde_json::from_str(
            r#"{"id":"x","snippet":{"liveBroadcastContent":"premiere"},"status":{"privacyStatus":"members"},
               "statistics":{"viewCount":"3"},"contentDetails":{"duration":"PT45S"}}"#,
        )
        .expect("valid");
        assert_eq!(
            video
                .snippet
                .as_ref()
                .and_then(|s| s.live_broadcast_content.clone()),
            Some(LiveBroadcastContent::Other("premiere".into()))
        );
        assert_eq!(
            video.status.as_ref().and_then(|s| s.privacy_status.clone()),
            Some(PrivacyStatus::Other("members".into()))
        );
        let statistics = video.statistics.as_ref().expect("statistics");
        assert_eq!(
            (statistics.like_count, statistics.comment_count),
            (None, None)
        );
        assert!(video.may_be_short());
    }

    #[test]
    fn missing_ids_keep_request_order() {
        let requested: Vec<String> = ["a", "b", "c", "b"].map(str::to_owned).to_vec();
        assert_eq!(missing_ids(&requested, ["c"].into_iter()), ["a", "b"]);
    }
}
