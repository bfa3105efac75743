//! Media: fields, types, and the single reads (`GET /{v}/{media-id}`, `/children`,
//! `/stories`; reference section 7). Pages of `/media` are in `media_page`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::client::path_id;
use crate::execute::Target;
use crate::profile::fields_query;
use crate::response::parse_graph;
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, InstagramClient, InstagramError};

/// A field of a media object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaField {
    /// `id` (always returned).
    Id,
    /// `caption` (not on album children).
    Caption,
    /// `media_type`.
    MediaType,
    /// `media_product_type` (may be absent under Instagram Login).
    MediaProductType,
    /// `media_url` (absent for copyrighted media).
    MediaUrl,
    /// `thumbnail_url` (videos only).
    ThumbnailUrl,
    /// `permalink`.
    Permalink,
    /// `shortcode`.
    Shortcode,
    /// `timestamp`.
    Timestamp,
    /// `like_count` (absent when the owner hides likes).
    LikeCount,
    /// `comments_count`.
    CommentsCount,
    /// `is_shared_to_feed` (reels only).
    IsSharedToFeed,
    /// `children{id,media_type,media_url,thumbnail_url}` (carousels).
    Children,
    /// A field this crate does not know yet, by its wire form (Meta adds fields).
    Other(&'static str),
}

impl MediaField {
    /// Every field this crate knows: what [`MediaQuery::default`](crate::MediaQuery::default) asks for.
    pub const ALL: [MediaField; 13] = [
        MediaField::Id,
        MediaField::Caption,
        MediaField::MediaType,
        MediaField::MediaProductType,
        MediaField::MediaUrl,
        MediaField::ThumbnailUrl,
        MediaField::Permalink,
        MediaField::Shortcode,
        MediaField::Timestamp,
        MediaField::LikeCount,
        MediaField::CommentsCount,
        MediaField::IsSharedToFeed,
        MediaField::Children,
    ];

    /// The wire form, with the children's expansion.
    pub const fn as_str(self) -> &'static str {
        match self {
            MediaField::Id => "id",
            MediaField::Caption => "caption",
            MediaField::MediaType => "media_type",
            MediaField::MediaProductType => "media_product_type",
            MediaField::MediaUrl => "media_url",
            MediaField::ThumbnailUrl => "thumbnail_url",
            MediaField::Permalink => "permalink",
            MediaField::Shortcode => "shortcode",
            MediaField::Timestamp => "timestamp",
            MediaField::LikeCount => "like_count",
            MediaField::CommentsCount => "comments_count",
            MediaField::IsSharedToFeed => "is_shared_to_feed",
            MediaField::Children => "children{id,media_type,media_url,thumbnail_url}",
            MediaField::Other(name) => name,
        }
    }
}

/// `media_type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum MediaType {
    /// `IMAGE`.
    Image,
    /// `VIDEO` (reels are videos).
    Video,
    /// `CAROUSEL_ALBUM`.
    CarouselAlbum,
    /// A value this crate does not know.
    Other(String),
}

impl<'de> Deserialize<'de> for MediaType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match String::deserialize(deserializer)?.as_str() {
            "IMAGE" => MediaType::Image,
            "VIDEO" => MediaType::Video,
            "CAROUSEL_ALBUM" => MediaType::CarouselAlbum,
            other => MediaType::Other(other.to_owned()),
        })
    }
}

/// `media_product_type`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum MediaProductType {
    /// `FEED`: posts and carousels.
    Feed,
    /// `REELS`.
    Reels,
    /// `STORY`.
    Story,
    /// `AD`.
    Ad,
    /// A value this crate does not know.
    Other(String),
}

impl MediaProductType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            MediaProductType::Feed => "FEED",
            MediaProductType::Reels => "REELS",
            MediaProductType::Story => "STORY",
            MediaProductType::Ad => "AD",
            MediaProductType::Other(other) => other,
        }
    }
}

impl<'de> Deserialize<'de> for MediaProductType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match String::deserialize(deserializer)?.as_str() {
            "FEED" => MediaProductType::Feed,
            "REELS" => MediaProductType::Reels,
            "STORY" => MediaProductType::Story,
            "AD" => MediaProductType::Ad,
            other => MediaProductType::Other(other.to_owned()),
        })
    }
}

/// A media object. Every field but `id` is optional (absent is not zero); ids stay strings;
/// unknown fields land in `extra`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Media {
    /// The media id.
    #[serde(deserialize_with = "crate::ids::string_or_number")]
    pub id: String,
    /// The caption.
    #[serde(default)]
    pub caption: Option<String>,
    /// Image, video or carousel.
    #[serde(default)]
    pub media_type: Option<MediaType>,
    /// Feed, reels, story or ad, when Instagram says (see [`Media::product_type`]).
    #[serde(default)]
    pub media_product_type: Option<MediaProductType>,
    /// The media file (absent when copyrighted or flagged).
    #[serde(default)]
    pub media_url: Option<String>,
    /// A video's thumbnail.
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    /// The public link.
    #[serde(default)]
    pub permalink: Option<String>,
    /// The shortcode.
    #[serde(default)]
    pub shortcode: Option<String>,
    /// Creation time (Instagram sends `+0000`; read as UTC).
    #[serde(default, deserialize_with = "crate::ids::optional_graph_time")]
    pub timestamp: Option<DateTime<Utc>>,
    /// Likes (absent when hidden by the owner).
    #[serde(default)]
    pub like_count: Option<u64>,
    /// Comments.
    #[serde(default)]
    pub comments_count: Option<u64>,
    /// Whether a reel also shows in the feed.
    #[serde(default)]
    pub is_shared_to_feed: Option<bool>,
    /// A carousel's items.
    #[serde(default, deserialize_with = "children")]
    pub children: Vec<Media>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn children<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Media>, D::Error> {
    #[derive(Deserialize)]
    struct Edge {
        #[serde(default)]
        data: Vec<Media>,
    }
    Ok(Option::<Edge>::deserialize(deserializer)?
        .map(|edge| edge.data)
        .unwrap_or_default())
}

impl Media {
    /// The product type: `media_product_type` when present, else derived as the reference
    /// suggests: a video that has `is_shared_to_feed` is a reel, anything else is feed.
    pub fn product_type(&self) -> MediaProductType {
        if let Some(product) = &self.media_product_type {
            return product.clone();
        }
        match (&self.media_type, self.is_shared_to_feed) {
            (Some(MediaType::Video), Some(_)) => MediaProductType::Reels,
            _ => MediaProductType::Feed,
        }
    }
}

/// `{"data": [...]}` of the children and stories edges.
#[derive(Deserialize)]
struct DataList {
    #[serde(default)]
    data: Vec<Media>,
}

impl InstagramClient {
    /// `GET /{v}/{media-id}?fields=...`.
    pub async fn media_by_id(
        &self,
        token: &AccessToken,
        media_id: &str,
        fields: &[MediaField],
    ) -> Result<Media, InstagramError> {
        let media_id = path_id(media_id)?;
        let url = self.inner.graph_versioned(media_id);
        let params = [("fields", fields_query(fields.iter().map(|f| f.as_str())))];
        let target = Target {
            endpoint: Endpoint::Media,
            account: None,
        };
        self.inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| self.inner.graph_get(http, &url, &params, token),
                |raw, _| parse_graph(Endpoint::Media, raw),
            )
            .await
    }

    /// `GET /{v}/{media-id}/children?fields=...`: a carousel's items.
    pub async fn children(
        &self,
        token: &AccessToken,
        media_id: &str,
        fields: &[MediaField],
    ) -> Result<Vec<Media>, InstagramError> {
        self.media_edge(
            token,
            media_id,
            "children",
            Endpoint::Children,
            fields,
            None,
        )
        .await
    }

    /// `GET /{v}/{user}/stories?fields=...`: the live stories (at most 24 hours old; not
    /// returned by `/media`).
    pub async fn stories(
        &self,
        token: &AccessToken,
        user: &str,
        fields: &[MediaField],
    ) -> Result<Vec<Media>, InstagramError> {
        self.media_edge(
            token,
            user,
            "stories",
            Endpoint::Stories,
            fields,
            Some(user),
        )
        .await
    }

    async fn media_edge(
        &self,
        token: &AccessToken,
        id: &str,
        edge: &str,
        endpoint: Endpoint,
        fields: &[MediaField],
        account: Option<&str>,
    ) -> Result<Vec<Media>, InstagramError> {
        let id = path_id(id)?;
        let url = self.inner.graph_versioned(&format!("{id}/{edge}"));
        let params = [("fields", fields_query(fields.iter().map(|f| f.as_str())))];
        let target = Target { endpoint, account };
        let list: DataList = self
            .inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| self.inner.graph_get(http, &url, &params, token),
                |raw, _| parse_graph(endpoint, raw),
            )
            .await?;
        Ok(list.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_enum_values_decode() {
        let media: Media =
            serde_json::from_str(r#"{"id":1,"media_type":"HOLOGRAM","media_product_type":"NEW"}"#)
                .expect("valid");
        assert_eq!(media.id, "1");
        assert_eq!(media.media_type, Some(MediaType::Other("HOLOGRAM".into())));
        assert_eq!(media.product_type(), MediaProductType::Other("NEW".into()));
    }
}
