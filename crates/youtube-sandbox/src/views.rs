//! What the control API and the handle show of the seeded accounts (for tests to compare
//! against what the API answers).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::{AccountRecord, Privacy, VideoKind, VideoRecord};
use crate::growth::{channel_views, counters_at, subscribers_at};

/// A Google account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// Its email (what the consent page's account chooser shows).
    pub email: String,
    /// The person's name.
    pub name: String,
    /// The OIDC `sub`.
    pub sub: String,
    /// Its channel, if it has one.
    pub channel: Option<ChannelSummary>,
}

/// A channel as of now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSummary {
    /// `UC…`.
    pub channel_id: String,
    /// `UU…`.
    pub uploads_playlist_id: String,
    /// The title.
    pub title: String,
    /// The handle (`@…`).
    pub handle: String,
    /// The exact subscriber count (the API rounds it down to three significant figures).
    pub subscribers: u64,
    /// Whether the count is hidden.
    pub hidden_subscriber_count: bool,
    /// Items of the uploads playlist (private, upcoming and deleted ones included).
    pub uploads: u64,
    /// Public, published videos: what `videoCount` says.
    pub public_videos: u64,
    /// Total views.
    pub view_count: u64,
    /// In the YouTube Partner Program.
    pub partner: bool,
}

/// One upload as of now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoSummary {
    /// The video id.
    pub id: String,
    /// Long-form, Short, live, upcoming.
    pub kind: VideoKind,
    /// Public, unlisted or private.
    pub privacy: Privacy,
    /// Deleted since (still in the uploads playlist, gone from `videos.list`).
    pub deleted: bool,
    /// When it was (or will be) published.
    pub published_at: DateTime<Utc>,
    /// Views now.
    pub views: u64,
    /// Likes now.
    pub likes: u64,
    /// Comments now.
    pub comments: u64,
}

/// An account with every upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDetails {
    /// The account.
    pub summary: AccountSummary,
    /// Its uploads, newest first (empty without a channel).
    pub videos: Vec<VideoSummary>,
}

/// Whether a video counts in `videoCount`: public, published, not deleted.
pub(crate) fn counts_as_public(video: &VideoRecord) -> bool {
    !video.deleted && video.privacy == Privacy::Public && video.kind != VideoKind::Upcoming
}

impl AccountRecord {
    pub(crate) fn summary(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> AccountSummary {
        let channel = match (&self.channel, self.channel_spec()) {
            (Some(channel), Some(spec)) => Some(ChannelSummary {
                channel_id: channel.id.clone(),
                uploads_playlist_id: channel.uploads_playlist_id.clone(),
                title: spec.title.clone(),
                handle: spec.handle.clone(),
                subscribers: subscribers_at(spec.subscribers, channel, start, now),
                hidden_subscriber_count: spec.hide_subscriber_count,
                uploads: channel.videos.len() as u64,
                public_videos: channel
                    .videos
                    .iter()
                    .filter(|video| counts_as_public(video))
                    .count() as u64,
                view_count: channel_views(channel, now),
                partner: spec.partner,
            }),
            _ => None,
        };
        AccountSummary {
            email: self.spec.email.clone(),
            name: self.spec.name.clone(),
            sub: self.sub.clone(),
            channel,
        }
    }

    pub(crate) fn details(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> AccountDetails {
        let videos = self
            .channel
            .iter()
            .flat_map(|channel| channel.videos.iter())
            .map(|video| {
                let counters = counters_at(video, now);
                VideoSummary {
                    id: video.id.clone(),
                    kind: video.kind,
                    privacy: video.privacy,
                    deleted: video.deleted,
                    published_at: video.published_at,
                    views: counters.views,
                    likes: counters.likes,
                    comments: counters.comments,
                }
            })
            .collect();
        AccountDetails {
            summary: self.summary(start, now),
            videos,
        }
    }
}
