//! The reads behind the dashboard: connections, profile, videos, analytics and the sync log.

use domain::{Connection, Freshness, PageLimit, Platform, account_engagement_rate, growth};
use storage::{SortDirection, StoredVideo, VideoQuery, VideoSort};

use crate::Services;
use crate::error::ServiceError;
use crate::views::{
    AnalyticsSummary, AnalyticsView, ConnectionView, DeliveryView, ProfileView, SeriesPoint,
    SyncRunView, VideoPageView, VideoView,
};

/// How many of the most recent videos the account engagement rate averages over.
pub const RECENT_VIDEOS_FOR_ENGAGEMENT: PageLimit = PageLimit::constant(10);
/// How many videos the analytics list as top videos.
const TOP_VIDEOS: PageLimit = PageLimit::constant(5);

impl Services {
    async fn tiktok_connection(&self, user_id: &str) -> Result<Connection, ServiceError> {
        self.inner
            .db
            .find_connection(user_id, Platform::TikTok)
            .await?
            .ok_or(ServiceError::NotConnected)
    }

    /// The user's connections, one entry per supported platform.
    pub async fn connections(&self, user_id: &str) -> Result<Vec<ConnectionView>, ServiceError> {
        let now = self.now();
        let connection = self
            .inner
            .db
            .find_connection(user_id, Platform::TikTok)
            .await?;
        let view = match connection {
            Some(connection) => ConnectionView {
                platform: Platform::TikTok.as_str().to_owned(),
                connected: true,
                status: Some(connection.status.as_str().to_owned()),
                stale: Freshness::of(connection.last_synced_at, now).is_stale(),
                missing_scopes: self.missing_scopes(&connection.scopes),
                handle: connection.profile.username,
                display_name: connection.profile.display_name,
                avatar_url: connection.profile.avatar_url,
                follower_count: connection.profile.follower_count,
                last_synced_at: connection.last_synced_at,
            },
            None => ConnectionView {
                platform: Platform::TikTok.as_str().to_owned(),
                connected: false,
                status: None,
                handle: None,
                display_name: None,
                avatar_url: None,
                follower_count: None,
                last_synced_at: None,
                stale: false,
                missing_scopes: Vec::new(),
            },
        };
        Ok(vec![view])
    }

    /// The connected TikTok profile.
    pub async fn profile(&self, user_id: &str) -> Result<ProfileView, ServiceError> {
        let connection = self.tiktok_connection(user_id).await?;
        let recent = self.recent_videos(&connection).await?;
        let engagement = connection.profile.follower_count.and_then(|followers| {
            account_engagement_rate(recent.iter().map(|v| &v.counts), followers)
        });
        let now = self.now();
        Ok(ProfileView {
            open_id: connection.profile.platform_account_id,
            handle: connection.profile.username,
            display_name: connection.profile.display_name,
            avatar_url: connection.profile.avatar_url,
            bio: connection.profile.bio,
            verified: connection.profile.is_verified,
            profile_deep_link: connection.profile.profile_deep_link,
            follower_count: connection.profile.follower_count,
            following_count: connection.profile.following_count,
            likes_count: connection.profile.likes_count,
            video_count: connection.profile.video_count,
            engagement_rate: engagement,
            status: connection.status.as_str().to_owned(),
            last_synced_at: connection.last_synced_at,
            stale: Freshness::of(connection.last_synced_at, now).is_stale(),
            missing_scopes: self.missing_scopes(&connection.scopes),
            granted_scopes: connection.scopes,
        })
    }

    async fn recent_videos(
        &self,
        connection: &Connection,
    ) -> Result<Vec<domain::SyncedVideo>, ServiceError> {
        let page = self
            .inner
            .db
            .list_videos(
                connection.id,
                &VideoQuery {
                    sort: VideoSort::Created,
                    direction: SortDirection::Desc,
                    limit: RECENT_VIDEOS_FOR_ENGAGEMENT,
                    cursor: None,
                },
            )
            .await?;
        Ok(page.videos.into_iter().map(|stored| stored.video).collect())
    }

    /// One page of the user's videos.
    pub async fn videos(
        &self,
        user_id: &str,
        query: VideoQuery,
    ) -> Result<VideoPageView, ServiceError> {
        // One query finds the connection and reads the page: this is the API's busiest read.
        let page = self
            .inner
            .db
            .list_user_videos(user_id, Platform::TikTok, &query)
            .await
            .map_err(|error| match error {
                storage::StorageError::InvalidArgument(message) => {
                    ServiceError::InvalidArgument(message)
                }
                other => other.into(),
            })?
            .ok_or(ServiceError::NotConnected)?;
        Ok(VideoPageView {
            videos: page.videos.into_iter().map(video_view).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// Engagement summary, top videos and the daily series of the last `days` days.
    pub async fn analytics(&self, user_id: &str, days: u32) -> Result<AnalyticsView, ServiceError> {
        if !(1..=365).contains(&days) {
            return Err(ServiceError::InvalidArgument(
                "days must be between 1 and 365".into(),
            ));
        }
        let connection = self.tiktok_connection(user_id).await?;
        let today = self.now().date_naive();
        let snapshots = self
            .inner
            .db
            .profile_history(connection.id, today, days)
            .await?;
        let totals = self.inner.db.video_totals(connection.id).await?;
        let top = self
            .inner
            .db
            .list_videos(
                connection.id,
                &VideoQuery {
                    sort: VideoSort::Engagement,
                    direction: SortDirection::Desc,
                    limit: TOP_VIDEOS,
                    cursor: None,
                },
            )
            .await?;
        let recent = self.recent_videos(&connection).await?;

        let follower_growth = match (snapshots.first(), snapshots.last()) {
            (Some(first), Some(last)) if snapshots.len() >= 2 => first
                .follower_count
                .zip(last.follower_count)
                .map(|(start, end)| growth(start, end).into()),
            _ => None,
        };
        let view_growth = match (snapshots.first(), snapshots.last()) {
            (Some(first), Some(last)) if snapshots.len() >= 2 => {
                Some(growth(first.total_video_views, last.total_video_views).into())
            }
            _ => None,
        };
        let summary = AnalyticsSummary {
            follower_count: connection.profile.follower_count,
            video_count: totals.videos,
            total_views: totals.counts.views,
            total_likes: totals.counts.likes,
            total_comments: totals.counts.comments,
            total_shares: totals.counts.shares,
            video_engagement_rate: totals.counts.engagement_rate(),
            account_engagement_rate: connection.profile.follower_count.and_then(|followers| {
                account_engagement_rate(recent.iter().map(|video| &video.counts), followers)
            }),
            follower_growth,
            view_growth,
        };
        Ok(AnalyticsView {
            days,
            summary,
            top_videos: top.videos.into_iter().map(video_view).collect(),
            series: snapshots
                .into_iter()
                .map(|snapshot| SeriesPoint {
                    date: snapshot.day,
                    followers: snapshot.follower_count,
                    views: snapshot.total_video_views,
                })
                .collect(),
        })
    }

    /// The most recent sync runs of the user's connection, newest first.
    pub async fn sync_runs(
        &self,
        user_id: &str,
        limit: PageLimit,
    ) -> Result<Vec<SyncRunView>, ServiceError> {
        let connection = self.tiktok_connection(user_id).await?;
        let runs = self
            .inner
            .db
            .recent_sync_runs(connection.id, limit.rows())
            .await?;
        Ok(runs.into_iter().map(SyncRunView::from).collect())
    }

    /// The user's most recent host notifications and their delivery state, newest first.
    pub async fn webhook_deliveries(
        &self,
        user_id: &str,
        limit: PageLimit,
    ) -> Result<Vec<DeliveryView>, ServiceError> {
        let events = self
            .inner
            .db
            .list_outbound_events(user_id, limit.rows())
            .await?;
        Ok(events.into_iter().map(DeliveryView::from).collect())
    }
}

/// A stored video as the API shows it.
fn video_view(stored: StoredVideo) -> VideoView {
    VideoView::from(stored.video)
}
