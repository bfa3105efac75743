//! What the sandbox tells tests about its accounts: the truth a sync can be compared with.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::accounts::{AccountKind, AccountRecord};
use crate::media::MediaRecord;

/// An account as of the sandbox's current time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// The Instagram professional account id (`user_id` on `/me`, `{ig-user-id}`).
    pub ig_user_id: String,
    /// The app-scoped id (`id` on `/me`, `user_id` of the token response).
    pub app_scoped_id: String,
    /// The username.
    pub username: String,
    /// The profile name.
    pub name: String,
    /// Business, Creator or personal.
    pub kind: AccountKind,
    /// Followers now.
    pub followers_count: u64,
    /// Accounts followed.
    pub follows_count: u64,
    /// Media published so far.
    pub media_count: u64,
    /// Live stories now.
    pub live_stories: u64,
    /// Whether the account can log in (professional accounts only).
    pub can_log_in: bool,
}

/// An account with its media, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    /// The profile.
    #[serde(flatten)]
    pub summary: AccountSummary,
    /// Media published so far, newest first.
    pub media: Vec<MediaSummary>,
}

/// One media object and its counts now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaSummary {
    /// The media id.
    pub id: String,
    /// `IMAGE`, `VIDEO` or `CAROUSEL_ALBUM`.
    pub media_type: String,
    /// `FEED`, `REELS` or `STORY`.
    pub media_product_type: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// `like_count`, unless the owner hid it.
    pub like_count: Option<u64>,
    /// `comments_count`.
    pub comments_count: u64,
    /// The `views` insight now.
    pub views: u64,
    /// Whether `media_url` is withheld (copyrighted audio).
    pub copyrighted: bool,
    /// Carousel children ids.
    pub children: Vec<String>,
    /// Whether insights are unavailable (posted before the professional conversion).
    pub before_conversion: bool,
}

impl AccountRecord {
    pub(crate) fn summary(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> AccountSummary {
        AccountSummary {
            ig_user_id: self.ig_user_id.clone(),
            app_scoped_id: self.app_scoped_id.clone(),
            username: self.spec.username.clone(),
            name: self.name.clone(),
            kind: self.spec.kind,
            followers_count: self.followers_at(start, now),
            follows_count: self.follows,
            media_count: self.media_at(now).count() as u64,
            live_stories: self.live_stories(now).count() as u64,
            can_log_in: self.spec.kind != AccountKind::Personal,
        }
    }

    pub(crate) fn details(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> AccountDetails {
        AccountDetails {
            summary: self.summary(start, now),
            media: self
                .media_at(now)
                .map(|media| media.summary(now, self.professional_since))
                .collect(),
        }
    }
}

impl MediaRecord {
    pub(crate) fn summary(
        &self,
        now: DateTime<Utc>,
        professional_since: DateTime<Utc>,
    ) -> MediaSummary {
        MediaSummary {
            id: self.id.clone(),
            media_type: self.media_type.wire().to_owned(),
            media_product_type: self.product.wire().to_owned(),
            created_at: self.created_at,
            like_count: (!self.hidden_likes).then(|| self.likes_at(now)),
            comments_count: self.comments_at(now),
            views: self.views_at(now),
            copyrighted: self.copyrighted,
            children: self.children.iter().map(|child| child.id.clone()).collect(),
            before_conversion: self.created_at < professional_since,
        }
    }
}
