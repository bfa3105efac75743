//! Media: fields, types and pages (`GET /{v}/{ig-user-id}/media`, `/{media-id}`,
//! `/children`, `/stories`; reference section 7).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use url::Url;

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
    /// Every field this crate knows: what [`MediaQuery::default`] asks for.
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

/// What a `/media` call asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaQuery {
    /// The fields.
    pub fields: Vec<MediaField>,
    /// Items per page; `None` takes the configured `page_limit`.
    pub limit: Option<u32>,
    /// Only media created at or after (`since`, Unix seconds).
    pub since: Option<DateTime<Utc>>,
    /// Only media created at or before (`until`).
    pub until: Option<DateTime<Utc>>,
}

impl Default for MediaQuery {
    /// Every field, the configured page size, no time bounds.
    fn default() -> Self {
        Self {
            fields: MediaField::ALL.to_vec(),
            limit: None,
            since: None,
            until: None,
        }
    }
}

impl MediaQuery {
    /// Sets the fields.
    pub fn with_fields(mut self, fields: impl IntoIterator<Item = MediaField>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Sets the page size.
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Sets the time bounds.
    pub fn with_range(
        mut self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Self {
        self.since = since;
        self.until = until;
        self
    }
}

/// Where the next page starts: the `after` cursor of `paging.next`. The `next` URL itself
/// (which carries the token) is never kept: the next request is built against the configured
/// Graph host.
#[derive(Clone, PartialEq, Eq)]
pub struct PageCursor(pub(crate) String);

impl PageCursor {
    /// A cursor from its text (e.g. persisted by a caller, though Meta advises against it).
    pub fn new(after: impl Into<String>) -> Self {
        Self(after.into())
    }

    /// The cursor text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PageCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PageCursor({:?})", self.0)
    }
}

/// One page of media.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct MediaPage {
    /// The items (a page may be empty and still have a next page).
    pub media: Vec<Media>,
    /// The next page; `None` when `paging.next` is absent, the only reliable end signal.
    pub next: Option<PageCursor>,
}

#[derive(Deserialize)]
struct RawPage {
    #[serde(default)]
    data: Vec<Media>,
    #[serde(default)]
    paging: Option<RawPaging>,
}

#[derive(Deserialize)]
struct RawPaging {
    #[serde(default)]
    cursors: Option<RawCursors>,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct RawCursors {
    #[serde(default)]
    after: Option<String>,
}

impl RawPage {
    fn into_page(self) -> MediaPage {
        let next = self.paging.and_then(|paging| {
            let next = paging.next?;
            let from_url = Url::parse(&next).ok().and_then(|url| {
                url.query_pairs()
                    .find(|(key, _)| key == "after")
                    .map(|(_, value)| value.into_owned())
            });
            from_url
                .or_else(|| paging.cursors.and_then(|cursors| cursors.after))
                .filter(|after| !after.is_empty())
                .map(PageCursor)
        });
        MediaPage {
            media: self.data,
            next,
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
    /// One page of `GET /{v}/{user}/media` (`user` an Instagram user id or `me`), newest
    /// first; `cursor` is `None` for the first page, then the previous page's `next`.
    pub async fn media_page(
        &self,
        token: &AccessToken,
        user: &str,
        query: &MediaQuery,
        cursor: Option<&PageCursor>,
    ) -> Result<MediaPage, InstagramError> {
        let user = path_id(user)?;
        let limit = query.limit.unwrap_or(self.inner.config.page_limit);
        if limit == 0 {
            return Err(InstagramError::InvalidArgument(
                "limit must be at least 1".into(),
            ));
        }
        let url = self.inner.graph_versioned(&format!("{user}/media"));
        let mut params = vec![
            (
                "fields",
                fields_query(query.fields.iter().map(|f| f.as_str())),
            ),
            ("limit", limit.to_string()),
        ];
        if let Some(since) = query.since {
            params.push(("since", since.timestamp().to_string()));
        }
        if let Some(until) = query.until {
            params.push(("until", until.timestamp().to_string()));
        }
        if let Some(cursor) = cursor {
            params.push(("after", cursor.0.clone()));
        }
        let target = Target {
            endpoint: Endpoint::MediaList,
            account: Some(user),
        };
        let page: RawPage = self
            .inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| self.inner.graph_get(http, &url, &params, token),
                |raw, _| parse_graph(Endpoint::MediaList, raw),
            )
            .await?;
        Ok(page.into_page())
    }

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
    fn a_page_reads_the_after_cursor_of_next_and_drops_the_url() {
        let raw: RawPage = serde_json::from_str(
            r#"{"data":[{"id":"17918920912340654","media_type":"VIDEO","is_shared_to_feed":true,
            "timestamp":"2026-11-30T18:04:11+0000","like_count":912,
            "children":{"data":[{"id":"17900000000000001","media_type":"IMAGE"}]}}],
            "paging":{"cursors":{"before":"B","after":"A1"},
            "next":"https://graph.instagram.com/v25.0/1/media?access_token=IGAA-SECRET&limit=25&after=A2"}}"#,
        )
        .expect("valid");
        let page = raw.into_page();
        assert_eq!(page.next, Some(PageCursor("A2".into())));
        assert!(!format!("{page:?}").contains("SECRET"));
        let media = &page.media[0];
        assert_eq!(media.product_type(), MediaProductType::Reels);
        assert_eq!(media.children.len(), 1);
        assert_eq!(media.timestamp.map(|t| t.timestamp()), Some(1_796_061_851));
        assert_eq!(media.comments_count, None);
    }

    #[test]
    fn no_next_means_the_end_whatever_the_cursors_say() {
        let raw: RawPage =
            serde_json::from_str(r#"{"data":[],"paging":{"cursors":{"after":"A"}}}"#)
                .expect("valid");
        assert_eq!(raw.into_page().next, None);
        let raw: RawPage = serde_json::from_str(r#"{"data":[]}"#).expect("valid");
        assert_eq!(raw.into_page().next, None);
    }

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
