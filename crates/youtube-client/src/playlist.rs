//! Pages of a playlist, the uploads playlist above all: `playlistItems.list` (reference
//! section 7.1), 1 unit per page of up to 50. The whole walk is in `pagination`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::channel::parts_value;
use crate::client::check_id;
use crate::execute::Target;
use crate::response::parse_json;
use crate::retry::RetrySafety;
use crate::wire::Thumbnails;
use crate::{AccessToken, Endpoint, YouTubeClient, YouTubeError};

/// A `part` of a playlist item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlaylistItemPart {
    /// `id`.
    Id,
    /// `snippet`: title, thumbnails, position, the time it was added.
    Snippet,
    /// `contentDetails`: the video id and when it was published.
    ContentDetails,
    /// `status`: the item's privacy.
    Status,
    /// A part this crate does not know yet, by its wire name.
    Other(&'static str),
}

impl PlaylistItemPart {
    /// What a sync needs to list video ids: `contentDetails`.
    pub const DEFAULT: [PlaylistItemPart; 1] = [PlaylistItemPart::ContentDetails];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PlaylistItemPart::Id => "id",
            PlaylistItemPart::Snippet => "snippet",
            PlaylistItemPart::ContentDetails => "contentDetails",
            PlaylistItemPart::Status => "status",
            PlaylistItemPart::Other(name) => name,
        }
    }
}

/// An opaque page token (`nextPageToken`). Do not keep it across days.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageToken(String);

impl PageToken {
    /// Wraps a token Google sent.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The raw token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `snippet.resourceId`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourceId {
    /// `youtube#video`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The video id.
    #[serde(default)]
    pub video_id: Option<String>,
}

/// `snippet` of a playlist item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PlaylistItemSnippet {
    /// When the item was added to the playlist (uploaded, for the uploads playlist).
    #[serde(default)]
    pub published_at: Option<DateTime<Utc>>,
    /// The playlist's channel.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// The video's title ("Deleted video" / "Private video" for those).
    #[serde(default)]
    pub title: Option<String>,
    /// The video's description.
    #[serde(default)]
    pub description: Option<String>,
    /// Thumbnails by size name.
    #[serde(default)]
    pub thumbnails: Thumbnails,
    /// The playlist's channel title.
    #[serde(default)]
    pub channel_title: Option<String>,
    /// The playlist.
    #[serde(default)]
    pub playlist_id: Option<String>,
    /// The position, from 0.
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub position: Option<u64>,
    /// The video.
    #[serde(default)]
    pub resource_id: Option<ResourceId>,
    /// The video owner's channel (absent for deleted videos).
    #[serde(default)]
    pub video_owner_channel_id: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contentDetails` of a playlist item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PlaylistItemContentDetails {
    /// The video id (11 characters, kept opaque).
    #[serde(default)]
    pub video_id: Option<String>,
    /// When the video was published: absent for private and not-yet-published videos.
    #[serde(default)]
    pub video_published_at: Option<DateTime<Utc>>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A playlist item. Parts not asked for are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PlaylistItem {
    /// The item id (opaque).
    pub id: String,
    /// The resource's ETag.
    #[serde(default)]
    pub etag: Option<String>,
    /// `snippet`.
    #[serde(default)]
    pub snippet: Option<PlaylistItemSnippet>,
    /// `contentDetails`.
    #[serde(default)]
    pub content_details: Option<PlaylistItemContentDetails>,
    /// Fields and parts this crate does not model (`status`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PlaylistItem {
    /// The video id, from `contentDetails` or `snippet.resourceId`.
    pub fn video_id(&self) -> Option<&str> {
        self.content_details
            .as_ref()
            .and_then(|details| details.video_id.as_deref())
            .or_else(|| {
                self.snippet
                    .as_ref()?
                    .resource_id
                    .as_ref()?
                    .video_id
                    .as_deref()
            })
    }
}

/// `pageInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PageInfo {
    /// Approximate: never compute quota from it.
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub total_results: Option<u64>,
    /// The page size.
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub results_per_page: Option<u64>,
}

/// One page of a playlist.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PlaylistItemsPage {
    /// The items, newest first for the uploads playlist.
    #[serde(default)]
    pub items: Vec<PlaylistItem>,
    /// The next page; absent on the last one.
    #[serde(default, deserialize_with = "page_token")]
    pub next_page_token: Option<PageToken>,
    /// The previous page.
    #[serde(default, deserialize_with = "page_token")]
    pub prev_page_token: Option<PageToken>,
    /// `pageInfo`.
    #[serde(default)]
    pub page_info: PageInfo,
    /// The page's ETag.
    #[serde(default)]
    pub etag: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn page_token<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<PageToken>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?
        .filter(|token| !token.is_empty())
        .map(PageToken))
}

impl YouTubeClient {
    /// `GET /youtube/v3/playlistItems?part=…&playlistId=…&maxResults=…&pageToken=…` (1 unit):
    /// one page of the configured size (50 by default).
    pub async fn playlist_items_page(
        &self,
        token: &AccessToken,
        playlist_id: &str,
        page: Option<&PageToken>,
        parts: &[PlaylistItemPart],
    ) -> Result<PlaylistItemsPage, YouTubeError> {
        check_id("playlist", playlist_id)?;
        let url = self.inner.data_url("playlistItems");
        let names: Vec<&str> = parts.iter().map(|part| part.as_str()).collect();
        let mut query = vec![
            ("part", parts_value(&names)),
            ("playlistId", playlist_id.to_owned()),
            ("maxResults", self.inner.config.page_size.to_string()),
        ];
        if let Some(page) = page {
            query.push(("pageToken", page.as_str().to_owned()));
        }
        self.inner
            .execute(
                Target::of(Endpoint::PlaylistItems),
                RetrySafety::Idempotent,
                |http| self.inner.bearer_get(http, &url, &query, token),
                |raw, context| parse_json::<PlaylistItemsPage>(context, raw),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_page_and_its_video_ids() {
        let body = r#"{"kind":"youtube#playlistItemListResponse","etag":"abc","nextPageToken":"EAAaBlBUOkNHUQ",
            "items":[
              {"kind":"youtube#playlistItem","etag":"def","id":"VVV4","contentDetails":{"videoId":"dQw4w9WgXcQ","videoPublishedAt":"2026-11-30T17:00:05Z"}},
              {"id":"VVV5","snippet":{"title":"Private video","resourceId":{"kind":"youtube#video","videoId":"9bZkp7q19f0"}},"contentDetails":{"videoId":"9bZkp7q19f0"}},
              {"id":"VVV6","snippet":{"resourceId":{"videoId":"xxxxxxxxxxx"},"position":2}}
            ],
            "pageInfo":{"totalResults":321,"resultsPerPage":50}}"#;
        let page: PlaylistItemsPage = serde_json::from_str(body).expect("valid");
        assert_eq!(page.next_page_token, Some(PageToken::new("EAAaBlBUOkNHUQ")));
        let ids: Vec<_> = page
            .items
            .iter()
            .filter_map(PlaylistItem::video_id)
            .collect();
        assert_eq!(ids, ["dQw4w9WgXcQ", "9bZkp7q19f0", "xxxxxxxxxxx"]);
        assert!(
            page.items[1]
                .content_details
                .as_ref()
                .expect("details")
                .video_published_at
                .is_none()
        );
        assert_eq!(page.page_info.total_results, Some(321));
        let last: PlaylistItemsPage =
            serde_json::from_str(r#"{"items":[],"nextPageToken":""}"#).expect("valid");
        assert_eq!(last.next_page_token, None);
    }
}
