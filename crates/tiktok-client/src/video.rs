//! Videos (`POST /v2/video/list/` and `POST /v2/video/query/`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Most videos one list or query call may carry.
pub const MAX_VIDEOS_PER_CALL: usize = 20;

/// A field of the video object, as in the `fields` query parameter. Every
/// field needs the `video.list` scope.
///
/// Non-exhaustive: TikTok adds fields, and [`VideoField::Other`] asks for one
/// this crate does not know yet (it then lands in [`Video::extra`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VideoField {
    /// `id`.
    Id,
    /// `create_time`.
    CreateTime,
    /// `cover_image_url`.
    CoverImageUrl,
    /// `share_url`.
    ShareUrl,
    /// `video_description`.
    VideoDescription,
    /// `duration`.
    Duration,
    /// `height`.
    Height,
    /// `width`.
    Width,
    /// `title`.
    Title,
    /// `embed_html`.
    EmbedHtml,
    /// `embed_link`.
    EmbedLink,
    /// `like_count`.
    LikeCount,
    /// `comment_count`.
    CommentCount,
    /// `share_count`.
    ShareCount,
    /// `view_count`.
    ViewCount,
    /// A field this crate does not know yet, by its wire name.
    Other(&'static str),
}

impl VideoField {
    /// Every documented field (without [`VideoField::Other`]): what the video
    /// calls request unless told otherwise.
    pub const ALL: [VideoField; 15] = [
        VideoField::Id,
        VideoField::CreateTime,
        VideoField::CoverImageUrl,
        VideoField::ShareUrl,
        VideoField::VideoDescription,
        VideoField::Duration,
        VideoField::Height,
        VideoField::Width,
        VideoField::Title,
        VideoField::EmbedHtml,
        VideoField::EmbedLink,
        VideoField::LikeCount,
        VideoField::CommentCount,
        VideoField::ShareCount,
        VideoField::ViewCount,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            VideoField::Id => "id",
            VideoField::CreateTime => "create_time",
            VideoField::CoverImageUrl => "cover_image_url",
            VideoField::ShareUrl => "share_url",
            VideoField::VideoDescription => "video_description",
            VideoField::Duration => "duration",
            VideoField::Height => "height",
            VideoField::Width => "width",
            VideoField::Title => "title",
            VideoField::EmbedHtml => "embed_html",
            VideoField::EmbedLink => "embed_link",
            VideoField::LikeCount => "like_count",
            VideoField::CommentCount => "comment_count",
            VideoField::ShareCount => "share_count",
            VideoField::ViewCount => "view_count",
            VideoField::Other(name) => name,
        }
    }
}

/// The `fields` query value for `fields`, always including `id` (every
/// [`Video`] is keyed by it) and without duplicates.
pub(crate) fn fields_query(fields: &[VideoField]) -> String {
    let mut chosen = vec![VideoField::Id];
    for field in fields {
        if !chosen.contains(field) {
            chosen.push(*field);
        }
    }
    chosen
        .iter()
        .map(|field| field.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// One of the user's public videos.
///
/// `id` is a string (19 digits, beyond what a float holds exactly). Every
/// other field is optional: `None` means it was not requested or TikTok left
/// it out, which is not the same as zero, so counts are `Option<i64>` rather
/// than defaulting to 0.
///
/// Non-exhaustive, and fields this crate does not model are kept in
/// [`extra`](Self::extra), so a field TikTok adds is neither an error nor lost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Video {
    /// The video id, as a string.
    #[serde(deserialize_with = "string_or_integer")]
    pub id: String,
    /// Creation time, Unix seconds UTC.
    #[serde(default)]
    pub create_time: Option<i64>,
    /// Cover image URL (signed, expires after about 6 hours).
    #[serde(default)]
    pub cover_image_url: Option<String>,
    /// Public link.
    #[serde(default)]
    pub share_url: Option<String>,
    /// Description (may be empty).
    #[serde(default)]
    pub video_description: Option<String>,
    /// Length in seconds.
    #[serde(default)]
    pub duration: Option<i32>,
    /// Height in pixels.
    #[serde(default)]
    pub height: Option<i32>,
    /// Width in pixels.
    #[serde(default)]
    pub width: Option<i32>,
    /// Title (may be empty).
    #[serde(default)]
    pub title: Option<String>,
    /// Embeddable player HTML.
    #[serde(default)]
    pub embed_html: Option<String>,
    /// Embeddable player link.
    #[serde(default)]
    pub embed_link: Option<String>,
    /// Likes.
    #[serde(default)]
    pub like_count: Option<i64>,
    /// Comments.
    #[serde(default)]
    pub comment_count: Option<i64>,
    /// Shares.
    #[serde(default)]
    pub share_count: Option<i64>,
    /// Views.
    #[serde(default)]
    pub view_count: Option<i64>,
    /// Fields this crate does not model (TikTok added them, or they were asked
    /// for with [`VideoField::Other`]), as TikTok sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Video {
    /// A video with only its id (for tests and fakes; TikTok's answers are
    /// decoded, not built).
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// `create_time` as a UTC instant, when present and representable.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.create_time
            .and_then(|seconds| DateTime::<Utc>::from_timestamp(seconds, 0))
    }
}

/// One page of `POST /v2/video/list/`.
///
/// Non-exhaustive; fields of `data` this crate does not model are kept in
/// [`extra`](Self::extra).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct VideoPage {
    /// The videos of this page, newest first.
    #[serde(default)]
    pub videos: Vec<Video>,
    /// The cursor of the next page (a UTC timestamp in milliseconds).
    #[serde(default)]
    pub cursor: Option<i64>,
    /// Whether more videos follow.
    #[serde(default)]
    pub has_more: bool,
    /// Fields of `data` this crate does not model, as TikTok sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl VideoPage {
    /// A page (for tests and fakes; TikTok's answers are decoded, not built).
    pub fn new(videos: Vec<Video>, cursor: Option<i64>, has_more: bool) -> Self {
        Self {
            videos,
            cursor,
            has_more,
            extra: Map::new(),
        }
    }
}

/// `data` of the video query envelope; `cursor` and `has_more` are ignored.
#[derive(Deserialize)]
pub(crate) struct VideoQueryData {
    #[serde(default)]
    pub(crate) videos: Vec<Video>,
}

/// Body of `POST /v2/video/list/`.
#[derive(Serialize)]
pub(crate) struct VideoListRequest {
    pub(crate) max_count: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cursor: Option<i64>,
}

/// Body of `POST /v2/video/query/`.
#[derive(Serialize)]
pub(crate) struct VideoQueryRequest<'a> {
    pub(crate) filters: VideoQueryFilters<'a>,
}

/// `filters` of [`VideoQueryRequest`].
#[derive(Serialize)]
pub(crate) struct VideoQueryFilters<'a> {
    pub(crate) video_ids: &'a [String],
}

/// Accepts an id sent as a string (documented) or as an integer (defensive:
/// serde_json reads integers exactly, so nothing is lost).
fn string_or_integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Unsigned(u64),
        Signed(i64),
    }
    Ok(match Id::deserialize(deserializer)? {
        Id::Text(text) => text,
        Id::Unsigned(number) => number.to_string(),
        Id::Signed(number) => number.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_stays_exact_as_string_or_integer() {
        let video: Video =
            serde_json::from_str(r#"{"id":"7300000000000000001","like_count":3}"#).expect("valid");
        assert_eq!(video.id, "7300000000000000001");
        assert_eq!(video.like_count, Some(3));
        assert_eq!(video.view_count, None);
        let video: Video = serde_json::from_str(r#"{"id":7300000000000000001}"#).expect("valid");
        assert_eq!(video.id, "7300000000000000001");
    }

    #[test]
    fn request_bodies_match_the_wire_format() {
        let first = serde_json::to_value(VideoListRequest {
            max_count: 20,
            cursor: None,
        })
        .expect("serialises");
        assert_eq!(first, serde_json::json!({"max_count": 20}));
        let ids = vec!["1".to_owned()];
        let query = serde_json::to_value(VideoQueryRequest {
            filters: VideoQueryFilters { video_ids: &ids },
        })
        .expect("serialises");
        assert_eq!(query, serde_json::json!({"filters": {"video_ids": ["1"]}}));
    }

    #[test]
    fn fields_query_always_holds_the_id_once() {
        assert_eq!(
            fields_query(&VideoField::ALL).split(',').count(),
            VideoField::ALL.len()
        );
        assert_eq!(
            fields_query(&[VideoField::ViewCount, VideoField::Id]),
            "id,view_count"
        );
        assert_eq!(fields_query(&[]), "id");
        assert_eq!(fields_query(&[VideoField::Other("is_ad")]), "id,is_ad");
    }

    #[test]
    fn unknown_fields_are_kept_in_extra() {
        let page: VideoPage = serde_json::from_str(
            r#"{"videos":[{"id":"7300000000000000001","view_count":9,"music":{"title":"x"}}],
                "cursor":1764050000000,"has_more":false,"search_id":"s1"}"#,
        )
        .expect("unknown fields are not an error");
        let video = &page.videos[0];
        assert_eq!(video.view_count, Some(9));
        assert_eq!(
            video.extra.get("music"),
            Some(&serde_json::json!({"title": "x"}))
        );
        assert_eq!(page.extra.get("search_id"), Some(&serde_json::json!("s1")));
    }
}
