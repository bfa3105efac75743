//! What the sandbox tells tests about its creators: the truth a sync can be compared with.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use super::generate::{CreatorRecord, VideoRecord};
use crate::html::escape_html;

/// A creator as of the sandbox's current day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatorSummary {
    /// The creator's id for the app.
    pub open_id: String,
    /// The creator's id across the developer's apps.
    pub union_id: String,
    /// The handle, without `@`.
    pub username: String,
    /// The display name (may hold emoji).
    pub display_name: String,
    /// The bio (may be empty, may hold emoji, quotes, `<` and `&`).
    pub bio_description: String,
    /// Whether the account is verified.
    pub is_verified: bool,
    /// `https://www.tiktok.com/@handle?...`.
    pub profile_deep_link: String,
    /// Avatar image URL (served by the sandbox).
    pub avatar_url: String,
    /// Followers today.
    pub follower_count: u64,
    /// Accounts followed today.
    pub following_count: u64,
    /// Total likes today.
    pub likes_count: u64,
    /// Number of public videos.
    pub video_count: u64,
}

/// A creator with every current video, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatorDetails {
    /// The creator's profile and stats.
    #[serde(flatten)]
    pub summary: CreatorSummary,
    /// All public videos, newest first.
    pub videos: Vec<SandboxVideo>,
}

/// A video as the Display API returns it, with every field (reference section 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxVideo {
    /// 19-digit id, as a string.
    pub id: String,
    /// Unix seconds, UTC.
    pub create_time: i64,
    /// Title (may be empty).
    pub title: String,
    /// Description (may be empty).
    pub video_description: String,
    /// Seconds.
    pub duration: u32,
    /// Pixels.
    pub height: u32,
    /// Pixels.
    pub width: u32,
    /// Signed cover URL that "expires" 6 sandbox hours after it was issued.
    pub cover_image_url: String,
    /// Public link.
    pub share_url: String,
    /// Embeddable HTML.
    pub embed_html: String,
    /// Embeddable player link.
    pub embed_link: String,
    /// Likes today.
    pub like_count: u64,
    /// Comments today.
    pub comment_count: u64,
    /// Shares today.
    pub share_count: u64,
    /// Views today.
    pub view_count: u64,
}

/// What URLs are built from: the sandbox's base URL and current time.
#[derive(Debug, Clone)]
pub(crate) struct UrlContext {
    pub(crate) base_url: Url,
    pub(crate) now: DateTime<Utc>,
}

impl UrlContext {
    fn media(&self, path: &str, query: &[(&str, String)]) -> String {
        // Relative join keeps a path prefix of a public base URL (`https://host/tiktok/`).
        let mut url = self
            .base_url
            .join(path.trim_start_matches('/'))
            .unwrap_or_else(|_| self.base_url.clone());
        url.query_pairs_mut().extend_pairs(query);
        url.to_string()
    }

    pub(crate) fn avatar(&self, open_id: &str, size: u32) -> String {
        let expires = self.now.timestamp() + 6 * 3_600;
        self.media(
            &format!("/sandbox/media/avatar/{open_id}.svg"),
            &[
                ("size", size.to_string()),
                ("x-expires", expires.to_string()),
            ],
        )
    }

    fn cover(&self, video_id: &str) -> String {
        let expires = self.now.timestamp() + 6 * 3_600;
        self.media(
            &format!("/sandbox/media/cover/{video_id}.svg"),
            &[("x-expires", expires.to_string())],
        )
    }
}

impl CreatorRecord {
    pub(crate) fn deep_link(&self) -> String {
        format!(
            "https://www.tiktok.com/@{}?{}",
            self.username, self.deep_link_query
        )
    }

    pub(crate) fn summary(&self, day: i64, anchor_day: i64, urls: &UrlContext) -> CreatorSummary {
        let metrics = self.metrics(day, anchor_day);
        CreatorSummary {
            open_id: self.open_id.clone(),
            union_id: self.union_id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            bio_description: self.bio.clone(),
            is_verified: self.is_verified,
            profile_deep_link: self.deep_link(),
            avatar_url: urls.avatar(&self.open_id, 168),
            follower_count: metrics.followers,
            following_count: metrics.following,
            likes_count: metrics.likes,
            video_count: metrics.videos,
        }
    }

    pub(crate) fn details(&self, day: i64, anchor_day: i64, urls: &UrlContext) -> CreatorDetails {
        CreatorDetails {
            summary: self.summary(day, anchor_day, urls),
            videos: self
                .videos
                .iter()
                .map(|video| video.view(&self.username, day, urls))
                .collect(),
        }
    }
}

impl VideoRecord {
    pub(crate) fn view(&self, username: &str, day: i64, urls: &UrlContext) -> SandboxVideo {
        let metrics = self.metrics(day);
        let share_url = format!("https://www.tiktok.com/@{username}/video/{}", self.id);
        let embed_html = format!(
            "<blockquote class=\"tiktok-embed\" cite=\"{share_url}\" data-video-id=\"{id}\" \
             style=\"max-width: 605px;min-width: 325px;\"><section><a target=\"_blank\" \
             href=\"https://www.tiktok.com/@{username}\">@{username}</a> {title}</section>\
             </blockquote><script async src=\"https://www.tiktok.com/embed.js\"></script>",
            id = self.id,
            title = escape_html(&self.title),
        );
        SandboxVideo {
            id: self.id.clone(),
            create_time: self.create_time,
            title: self.title.clone(),
            video_description: self.description.clone(),
            duration: self.duration,
            height: self.height,
            width: self.width,
            cover_image_url: urls.cover(&self.id),
            share_url,
            embed_html,
            embed_link: format!("https://www.tiktok.com/player/v1/{}", self.id),
            like_count: metrics.likes,
            comment_count: metrics.comments,
            share_count: metrics.shares,
            view_count: metrics.views,
        }
    }
}
