//! The combined overview (`GET /api/analytics`): per day, each connected platform's
//! followers, views and interactions, and their sum, from the daily profile snapshots.
//!
//! A platform with no snapshot on a day (no sync ran that day) counts with its last earlier
//! value within the period, so the combined line does not dip on a missed sync; before its
//! first snapshot in the period it is absent that day (a platform connected mid-period joins
//! the sum from then). A value a platform does not have is `null`, and the sum counts only
//! the known ones (`null` when none is).

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeDelta};
use domain::ProfileSnapshot;
use serde::Serialize;
use utoipa::ToSchema;

use crate::Services;
use crate::error::ServiceError;

/// One platform's (or the sum's) counters on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayCounters {
    /// Followers (subscribers).
    pub followers: Option<i64>,
    /// Views over every synced post.
    pub views: Option<i64>,
    /// Interactions (likes, comments, shares, saves) over every synced post.
    pub interactions: Option<i64>,
}

impl DayCounters {
    fn of(snapshot: &ProfileSnapshot) -> Self {
        Self {
            followers: snapshot.follower_count,
            views: snapshot.total_video_views,
            interactions: snapshot.total_interactions,
        }
    }

    /// The sum of known values, saturating; `None` where no term is known.
    fn add(self, other: Self) -> Self {
        let add = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (Some(a), Some(b)) => Some(a.saturating_add(b)),
            (a, b) => a.or(b),
        };
        Self {
            followers: add(self.followers, other.followers),
            views: add(self.views, other.views),
            interactions: add(self.interactions, other.interactions),
        }
    }
}

/// One day of the overview.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverviewPoint {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Every platform counted that day, summed.
    pub combined: DayCounters,
    /// Each platform counted that day, by name.
    pub platforms: BTreeMap<String, DayCounters>,
}

/// The combined overview of the last N days.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverviewView {
    /// The period, in days.
    pub days: u32,
    /// The platforms the user has connected (in any state), in the service's order.
    pub platforms: Vec<String>,
    /// The last day's values (today's, or the latest carried forward).
    pub current: Option<OverviewPoint>,
    /// One point per day from the first day any platform has a snapshot, oldest first.
    pub series: Vec<OverviewPoint>,
}

impl Services {
    /// The overview of `user_id`'s connected platforms over the `days` UTC days ending today.
    ///
    /// # Errors
    /// [`ServiceError::InvalidArgument`] unless `days` is 1 to 365; storage failures.
    pub async fn overview(&self, user_id: &str, days: u32) -> Result<OverviewView, ServiceError> {
        crate::read::once_more_if_lost(|| self.overview_once(user_id, days)).await
    }

    async fn overview_once(&self, user_id: &str, days: u32) -> Result<OverviewView, ServiceError> {
        if !(1..=365).contains(&days) {
            return Err(ServiceError::InvalidArgument(
                "days must be between 1 and 365".into(),
            ));
        }
        let today = self.now().date_naive();
        // One query for the user's connections, then each one's history.
        let connections = self.inner.db.list_user_connections(user_id).await?;
        let mut histories = Vec::new();
        for adapter in self.inner.platforms.iter() {
            let platform = adapter.platform();
            let connection = connections
                .iter()
                .find(|connection| connection.platform == platform);
            if let Some(connection) = connection {
                let history = self
                    .inner
                    .db
                    .profile_history(connection.id, today, days)
                    .await?;
                histories.push((platform.to_string(), history));
            }
        }
        let series = combine(&histories, today, days);
        Ok(OverviewView {
            days,
            platforms: histories.into_iter().map(|(name, _)| name).collect(),
            current: series.last().cloned(),
            series,
        })
    }
}

/// The overview's points from each platform's snapshots (oldest first), over the `days`
/// days ending with `today`.
pub fn combine(
    histories: &[(String, Vec<ProfileSnapshot>)],
    today: NaiveDate,
    days: u32,
) -> Vec<OverviewPoint> {
    let first = today - TimeDelta::days(i64::from(days.saturating_sub(1)));
    let mut last_known: BTreeMap<&str, DayCounters> = BTreeMap::new();
    let mut cursors = vec![0_usize; histories.len()];
    let mut points = Vec::new();
    for date in first.iter_days().take_while(|date| *date <= today) {
        for ((name, history), cursor) in histories.iter().zip(cursors.iter_mut()) {
            while let Some(snapshot) = history.get(*cursor).filter(|s| s.day <= date) {
                // Only the period counts (a snapshot before it is not carried into it).
                if snapshot.day >= first {
                    last_known.insert(name, DayCounters::of(snapshot));
                }
                *cursor += 1;
            }
        }
        if last_known.is_empty() {
            continue;
        }
        let combined = last_known
            .values()
            .fold(None::<DayCounters>, |sum, day| {
                Some(sum.map_or(*day, |sum| sum.add(*day)))
            })
            .unwrap_or_default();
        points.push(OverviewPoint {
            date,
            combined,
            platforms: last_known
                .iter()
                .map(|(name, day)| ((*name).to_owned(), *day))
                .collect(),
        });
    }
    points
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn snapshot(d: u32, followers: i64, views: Option<i64>, interactions: i64) -> ProfileSnapshot {
        ProfileSnapshot {
            day: day(d),
            follower_count: Some(followers),
            following_count: None,
            likes_count: None,
            video_count: None,
            total_video_views: views,
            total_interactions: Some(interactions),
            captured_at: Utc::now(),
        }
    }

    #[test]
    fn platforms_are_summed_per_day_and_a_missed_day_carries_the_last_value() {
        let histories = vec![
            (
                "tiktok".to_owned(),
                vec![
                    snapshot(1, 100, Some(1000), 50),
                    snapshot(3, 120, Some(1500), 70),
                ],
            ),
            // Connected on the 2nd; its views unknown (insights not granted).
            ("instagram".to_owned(), vec![snapshot(2, 40, None, 9)]),
        ];
        let points = combine(&histories, day(4), 7);
        let dates: Vec<NaiveDate> = points.iter().map(|p| p.date).collect();
        assert_eq!(dates, [day(1), day(2), day(3), day(4)]);
        // Day 1: TikTok alone.
        assert_eq!(points[0].platforms.len(), 1);
        assert_eq!(points[0].combined.followers, Some(100));
        // Day 2: TikTok carried forward, Instagram joins; unknown views add nothing.
        assert_eq!(
            points[1].combined,
            DayCounters {
                followers: Some(140),
                views: Some(1000),
                interactions: Some(59)
            }
        );
        assert_eq!(points[1].platforms["instagram"].views, None);
        // Day 4: no sync anywhere, both carried forward.
        assert_eq!(points[3].combined.followers, Some(160));
        assert_eq!(points[3].combined.views, Some(1500));
    }

    #[test]
    fn no_snapshot_no_point_and_unknown_stays_unknown() {
        assert!(combine(&[("tiktok".into(), Vec::new())], day(4), 30).is_empty());
        let histories = vec![("instagram".to_owned(), vec![snapshot(4, 1, None, 0)])];
        let points = combine(&histories, day(4), 1);
        assert_eq!(points.len(), 1);
        assert_eq!(points[0].combined.views, None, "unknown, not 0");
        // A snapshot older than the period is not in it.
        assert!(combine(&histories, day(10), 3).is_empty());
    }
}
