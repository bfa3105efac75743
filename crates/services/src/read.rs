//! The reads behind the dashboard: connections, profile, videos, analytics and the sync log.

use domain::{Connection, Freshness, PageLimit, Platform, account_engagement_rate, growth};
use storage::{SortDirection, VideoQuery, VideoSort};

use crate::Services;
use crate::error::ServiceError;
use crate::views::{
    AnalyticsSummary, AnalyticsView, ConnectionView, DailyPoint, DailySource, DeliveryView,
    ProfileView, SeriesPoint, SyncRunView, VideoPageView, VideoView, daily_from_snapshots,
};

/// Runs a read, and once more when its database connection was lost under it (a terminated
/// backend, a database restart): the pool has discarded that connection, so the second try
/// runs on a fresh one, and the reader sees an answer instead of a 503. A read changes
/// nothing, so running it twice is safe; a second loss is the caller's 503.
pub(crate) async fn once_more_if_lost<T, F, Fut>(read: F) -> Result<T, ServiceError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    match read().await {
        Err(ServiceError::Storage(storage::StorageError::ConnectionLost(reason))) => {
            tracing::info!(%reason, "a read lost its database connection; running it again");
            read().await
        }
        other => other,
    }
}

/// How many of the most recent videos the account engagement rate averages over.
pub const RECENT_VIDEOS_FOR_ENGAGEMENT: PageLimit = PageLimit::constant(10);
/// How many videos the analytics list as top videos.
const TOP_VIDEOS: PageLimit = PageLimit::constant(5);

impl Services {
    /// The user's connections, one entry per platform this service runs (in the order they
    /// were registered), connected or not.
    pub async fn connections(&self, user_id: &str) -> Result<Vec<ConnectionView>, ServiceError> {
        once_more_if_lost(|| self.connections_once(user_id)).await
    }

    async fn connections_once(&self, user_id: &str) -> Result<Vec<ConnectionView>, ServiceError> {
        let now = self.now();
        // One query for every platform's connection of the user.
        let mut stored = self.inner.db.list_user_connections(user_id).await?;
        let mut views = Vec::new();
        for adapter in self.inner.platforms.iter() {
            let platform = adapter.platform();
            let connection = stored
                .iter()
                .position(|connection| connection.platform == platform)
                .map(|index| stored.swap_remove(index));
            views.push(match connection {
                Some(connection) => ConnectionView {
                    platform: platform.to_string(),
                    connected: true,
                    status: Some(connection.status.as_str().to_owned()),
                    stale: Freshness::of(connection.last_synced_at, now).is_stale(),
                    missing_scopes: Self::missing_scopes(adapter.as_ref(), &connection.scopes),
                    handle: connection.profile.username,
                    display_name: connection.profile.display_name,
                    avatar_url: connection.profile.avatar_url,
                    follower_count: connection.profile.follower_count,
                    last_synced_at: connection.last_synced_at,
                },
                None => ConnectionView {
                    platform: platform.to_string(),
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
            });
        }
        Ok(views)
    }

    /// The user's connected profile on `platform`.
    pub async fn profile(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> Result<ProfileView, ServiceError> {
        once_more_if_lost(|| self.profile_once(user_id, platform)).await
    }

    async fn profile_once(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> Result<ProfileView, ServiceError> {
        let (adapter, connection) = self.connection_of(user_id, platform).await?;
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
            missing_scopes: Self::missing_scopes(adapter.as_ref(), &connection.scopes),
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

    /// One page of the user's posts on `platform`.
    pub async fn videos(
        &self,
        user_id: &str,
        platform: Platform,
        query: VideoQuery,
    ) -> Result<VideoPageView, ServiceError> {
        once_more_if_lost(|| self.videos_once(user_id, platform, query.clone())).await
    }

    async fn videos_once(
        &self,
        user_id: &str,
        platform: Platform,
        query: VideoQuery,
    ) -> Result<VideoPageView, ServiceError> {
        let display_name = self.adapter(platform)?.traits().display_name;
        // One query finds the connection and reads the page: this is the API's busiest read.
        let page = self
            .inner
            .db
            .list_user_videos(user_id, platform, &query)
            .await
            .map_err(|error| match error {
                storage::StorageError::InvalidArgument(message) => {
                    ServiceError::InvalidArgument(message)
                }
                other => other.into(),
            })?
            .ok_or(ServiceError::NotConnected {
                platform: display_name,
            })?;
        Ok(VideoPageView {
            videos: page.videos.into_iter().map(VideoView::from).collect(),
            next_cursor: page.next_cursor,
        })
    }

    /// Engagement summary, top posts and the daily series of the last `days` days, on
    /// `platform`.
    pub async fn analytics(
        &self,
        user_id: &str,
        platform: Platform,
        days: u32,
    ) -> Result<AnalyticsView, ServiceError> {
        once_more_if_lost(|| self.analytics_once(user_id, platform, days)).await
    }

    async fn analytics_once(
        &self,
        user_id: &str,
        platform: Platform,
        days: u32,
    ) -> Result<AnalyticsView, ServiceError> {
        if !(1..=365).contains(&days) {
            return Err(ServiceError::InvalidArgument(
                "days must be between 1 and 365".into(),
            ));
        }
        let (adapter, connection) = self.connection_of(user_id, platform).await?;
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
            (Some(first), Some(last)) if snapshots.len() >= 2 => first
                .total_video_views
                .zip(last.total_video_views)
                .map(|(start, end)| growth(start, end).into()),
            _ => None,
        };
        let summary = AnalyticsSummary {
            follower_count: connection.profile.follower_count,
            video_count: totals.videos,
            total_views: totals.counts.views,
            total_likes: totals.counts.likes,
            total_comments: totals.counts.comments,
            total_shares: totals.counts.shares,
            video_engagement_rate: totals.counts.engagement_rate(
                adapter.traits().engagement,
                connection.profile.follower_count,
            ),
            account_engagement_rate: connection.profile.follower_count.and_then(|followers| {
                account_engagement_rate(recent.iter().map(|video| &video.counts), followers)
            }),
            follower_growth,
            view_growth,
        };
        let first = today - chrono::TimeDelta::days(i64::from(days.saturating_sub(1)));
        let platform_days = if adapter.traits().reports_daily_activity {
            self.inner
                .db
                .daily_activity(connection.id, first, today)
                .await?
        } else {
            Vec::new()
        };
        let (daily_source, daily) = if platform_days.is_empty() {
            (DailySource::Snapshots, daily_from_snapshots(&snapshots))
        } else {
            (
                DailySource::Platform,
                platform_days.into_iter().map(DailyPoint::from).collect(),
            )
        };
        Ok(AnalyticsView {
            days,
            summary,
            top_videos: top.videos.into_iter().map(VideoView::from).collect(),
            daily_source,
            daily,
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

    /// The most recent sync runs of the user's connection to `platform`, newest first.
    pub async fn sync_runs(
        &self,
        user_id: &str,
        platform: Platform,
        limit: PageLimit,
    ) -> Result<Vec<SyncRunView>, ServiceError> {
        let (_, connection) = self.connection_of(user_id, platform).await?;
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

#[cfg(test)]
mod retry_tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use storage::StorageError;

    use super::*;

    async fn run(first: StorageError) -> (Result<u32, ServiceError>, u32) {
        let calls = AtomicU32::new(0);
        let first = std::sync::Mutex::new(Some(first));
        let result = once_more_if_lost(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            match first.lock().unwrap().take() {
                Some(error) => Err(ServiceError::Storage(error)),
                None => Ok(7),
            }
        })
        .await;
        (result, calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn a_lost_connection_is_read_again_once() {
        let (result, calls) = run(StorageError::ConnectionLost("terminated".into())).await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls, 2);
    }

    #[tokio::test]
    async fn other_failures_are_not_read_again() {
        let (result, calls) = run(StorageError::Unavailable("locked".into())).await;
        assert!(matches!(
            result,
            Err(ServiceError::Storage(StorageError::Unavailable(_)))
        ));
        assert_eq!(calls, 1);
    }
}
