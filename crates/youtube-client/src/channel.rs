//! The authorized user's channel: `channels.list?mine=true` (reference section 6). An account
//! without a channel is its own outcome, [`ChannelLookup::NoChannel`], not an error.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::execute::Target;
use crate::response::parse_json;
use crate::retry::RetrySafety;
use crate::wire::Thumbnails;
use crate::{AccessToken, Endpoint, ErrorClass, YouTubeClient, YouTubeError};

/// A `part` of a channel resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChannelPart {
    /// `id`.
    Id,
    /// `snippet`: title, description, handle, thumbnails.
    Snippet,
    /// `contentDetails`: the uploads playlist.
    ContentDetails,
    /// `statistics`: views, subscribers, videos.
    Statistics,
    /// `status`.
    Status,
    /// A part this crate does not know yet, by its wire name.
    Other(&'static str),
}

impl ChannelPart {
    /// What a sync needs: snippet, content details and statistics (1 unit whatever the parts).
    pub const DEFAULT: [ChannelPart; 3] = [
        ChannelPart::Snippet,
        ChannelPart::ContentDetails,
        ChannelPart::Statistics,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChannelPart::Id => "id",
            ChannelPart::Snippet => "snippet",
            ChannelPart::ContentDetails => "contentDetails",
            ChannelPart::Statistics => "statistics",
            ChannelPart::Status => "status",
            ChannelPart::Other(name) => name,
        }
    }
}

/// `snippet.localized`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Localized {
    /// The localized title.
    #[serde(default)]
    pub title: Option<String>,
    /// The localized description.
    #[serde(default)]
    pub description: Option<String>,
}

/// `snippet` of a channel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChannelSnippet {
    /// The title.
    #[serde(default)]
    pub title: Option<String>,
    /// The description (may be empty).
    #[serde(default)]
    pub description: Option<String>,
    /// The handle, `@name`.
    #[serde(default)]
    pub custom_url: Option<String>,
    /// When the channel was created.
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    /// Thumbnails by size name (88, 240, 800 px).
    #[serde(default)]
    pub thumbnails: Thumbnails,
    /// The country, when set.
    #[serde(default)]
    pub country: Option<String>,
    /// The localized title and description.
    #[serde(default)]
    pub localized: Option<Localized>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contentDetails.relatedPlaylists`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RelatedPlaylists {
    /// The uploads playlist (`UU…`): always read it from here, never derive it.
    #[serde(default)]
    pub uploads: Option<String>,
    /// The liked videos (`LL` for the owner).
    #[serde(default)]
    pub likes: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contentDetails` of a channel.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChannelContentDetails {
    /// The related playlists.
    #[serde(default)]
    pub related_playlists: RelatedPlaylists,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `statistics` of a channel: counters sent as strings, read as integers; absent is `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChannelStatistics {
    /// Total views.
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub view_count: Option<u64>,
    /// Subscribers, rounded down to three significant figures; absent (or 0) when hidden.
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub subscriber_count: Option<u64>,
    /// Whether the subscriber count is hidden (the field itself may disappear).
    #[serde(default, deserialize_with = "crate::wire::opt_bool")]
    pub hidden_subscriber_count: Option<bool>,
    /// Public videos (private and unlisted ones are not counted).
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub video_count: Option<u64>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ChannelStatistics {
    /// The subscriber count to show: `None` when hidden, whatever number came with it.
    pub fn visible_subscriber_count(&self) -> Option<u64> {
        if self.hidden_subscriber_count == Some(true) {
            None
        } else {
            self.subscriber_count
        }
    }
}

/// A channel resource. Parts not asked for are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Channel {
    /// `UC…`: 24 characters, kept opaque.
    pub id: String,
    /// The resource's ETag.
    #[serde(default)]
    pub etag: Option<String>,
    /// `snippet`.
    #[serde(default)]
    pub snippet: Option<ChannelSnippet>,
    /// `contentDetails`.
    #[serde(default)]
    pub content_details: Option<ChannelContentDetails>,
    /// `statistics`.
    #[serde(default)]
    pub statistics: Option<ChannelStatistics>,
    /// Fields and parts this crate does not model (`status`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Channel {
    /// The uploads playlist id, when `contentDetails` was asked for.
    pub fn uploads_playlist_id(&self) -> Option<&str> {
        self.content_details
            .as_ref()?
            .related_playlists
            .uploads
            .as_deref()
    }
}

/// What `channels.list?mine=true` found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChannelLookup {
    /// The channel the user chose on the consent screen.
    Found(Box<Channel>),
    /// The Google account has no YouTube channel (or the user picked their personal identity
    /// instead of a Brand Account's channel): ask them to create or choose one.
    NoChannel,
}

impl ChannelLookup {
    /// The channel, if found.
    pub fn channel(&self) -> Option<&Channel> {
        match self {
            ChannelLookup::Found(channel) => Some(channel),
            ChannelLookup::NoChannel => None,
        }
    }
}

#[derive(Deserialize)]
struct ChannelListResponse {
    #[serde(default)]
    items: Vec<Channel>,
}

/// The `part` parameter.
pub(crate) fn parts_value(parts: &[&str]) -> String {
    if parts.is_empty() {
        "id".to_owned()
    } else {
        parts.join(",")
    }
}

impl YouTubeClient {
    /// `GET /youtube/v3/channels?part=…&mine=true` (1 unit). An answer without `items` and a
    /// 401 `youtubeSignupRequired` are both [`ChannelLookup::NoChannel`].
    pub async fn my_channel(
        &self,
        token: &AccessToken,
        parts: &[ChannelPart],
    ) -> Result<ChannelLookup, YouTubeError> {
        let url = self.inner.data_url("channels");
        let names: Vec<&str> = parts.iter().map(|part| part.as_str()).collect();
        let query = [("part", parts_value(&names)), ("mine", "true".to_owned())];
        let answer = self
            .inner
            .execute(
                Target::of(Endpoint::Channels),
                RetrySafety::Idempotent,
                |http| self.inner.bearer_get(http, &url, &query, token),
                |raw, context| parse_json::<ChannelListResponse>(context, raw),
            )
            .await;
        match answer {
            Ok(list) => Ok(list
                .items
                .into_iter()
                .next()
                .map_or(ChannelLookup::NoChannel, |channel| {
                    ChannelLookup::Found(Box::new(channel))
                })),
            Err(error) if error.class() == ErrorClass::NoChannel => Ok(ChannelLookup::NoChannel),
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_example() {
        let body = r#"{"kind":"youtube#channel","etag":"d1Y","id":"UCxxxxxxxxxxxxxxxxxxxxxx",
            "snippet":{"title":"Creator Name","description":"","customUrl":"@creatorname",
              "publishedAt":"2016-03-14T09:12:31Z",
              "thumbnails":{"default":{"url":"https://yt3.ggpht.com/a","width":88,"height":88}},
              "country":"DE","somethingNew":1},
            "contentDetails":{"relatedPlaylists":{"likes":"LL","uploads":"UUxxxxxxxxxxxxxxxxxxxxxx"}},
            "statistics":{"viewCount":"1234567","subscriberCount":"12300","hiddenSubscriberCount":false,"videoCount":"321"},
            "status":{"privacyStatus":"public"}}"#;
        let channel: Channel = serde_json::from_str(body).expect("valid");
        assert_eq!(
            channel.uploads_playlist_id(),
            Some("UUxxxxxxxxxxxxxxxxxxxxxx")
        );
        let statistics = channel.statistics.as_ref().expect("statistics");
        assert_eq!(statistics.view_count, Some(1_234_567));
        assert_eq!(statistics.visible_subscriber_count(), Some(12_300));
        let snippet = channel.snippet.as_ref().expect("snippet");
        assert_eq!(snippet.thumbnails["default"].width, Some(88));
        assert!(snippet.extra.contains_key("somethingNew"));
        assert!(channel.extra.contains_key("status"));
    }

    #[test]
    fn a_hidden_count_is_not_shown_whatever_it_says() {
        let hidden: ChannelStatistics =
            serde_json::from_str(r#"{"subscriberCount":"0","hiddenSubscriberCount":true}"#)
                .expect("valid");
        assert_eq!(hidden.visible_subscriber_count(), None);
        let absent: ChannelStatistics =
            serde_json::from_str(r#"{"viewCount":"5"}"#).expect("valid");
        assert_eq!(absent.subscriber_count, None);
        assert_eq!(absent.hidden_subscriber_count, None);
    }
}
