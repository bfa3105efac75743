//! Videos (`POST /v2/video/list/` and `POST /v2/video/query/`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// Most videos one list or query call may carry.
pub const MAX_VIDEOS_PER_CALL: usize = 20;

/// A field of the video object, as in the `fields` query parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
}

impl VideoField {
    /// Every documented field: what the client requests.
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
        }
    }
}

/// The `fields` query value requesting every documented video field.
pub(crate) fn all_fields_query() -> String {
    VideoField::ALL
        .iter()
        .map(|field| field.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// One of the user's public videos.
///
/// `id` is a string (19 digits, beyond what a float holds exactly). Every
/// other field is optional: `None` means TikTok left it out, which is not the
/// same as zero, so counts are `Option<i64>` rather than defaulting to 0.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct Video {
    /// The video id, as a string.
    #[serde(deserialize_with = "string_or_integer")]
    pub id: String,
    /// Creation time, Unix seconds UTC.
    pub create_time: Option<i64>,
    /// Cover image URL (signed, expires after about 6 hours).
    pub cover_image_url: Option<String>,
    /// Public link.
    pub share_url: Option<String>,
    /// Description (may be empty).
    pub video_description: Option<String>,
    /// Length in seconds.
    pub duration: Option<i32>,
    /// Height in pixels.
    pub height: Option<i32>,
    /// Width in pixels.
    pub width: Option<i32>,
    /// Title (may be empty).
    pub title: Option<String>,
    /// Embeddable player HTML.
    pub embed_html: Option<String>,
    /// Embeddable player link.
    pub embed_link: Option<String>,
    /// Likes.
    pub like_count: Option<i64>,
    /// Comments.
    pub comment_count: Option<i64>,
    /// Shares.
    pub share_count: Option<i64>,
    /// Views.
    pub view_count: Option<i64>,
}

impl Video {
    /// `create_time` as a UTC instant, when present and representable.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.create_time
            .and_then(|seconds| DateTime::<Utc>::from_timestamp(seconds, 0))
    }
}

/// One page of `POST /v2/video/list/`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
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
    fn all_fields_are_requested() {
        assert_eq!(all_fields_query().split(',').count(), VideoField::ALL.len());
    }
}
