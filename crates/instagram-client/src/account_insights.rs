//! Account insights (reference section 9): daily totals or time series of an account, at
//! most about 30 days per request (chunked here) and kept 90 days.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::client::path_id;
use crate::execute::Target;
use crate::insights::InsightList;
use crate::response::parse_graph;
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, Insight, InstagramClient, InstagramError};

/// `metric_type` of account insights.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetricType {
    /// One total over the range, with optional breakdowns.
    #[default]
    TotalValue,
    /// One value per day.
    TimeSeries,
}

/// An account insights request (reference section 9).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountInsightsQuery {
    /// Metric names (`reach`, `views`, `accounts_engaged`, `total_interactions`, `likes`,
    /// `comments`, `shares`, `saves`, `follows_and_unfollows`, `follower_count`, ...).
    pub metrics: Vec<String>,
    /// `period` (`day` for interaction metrics, `lifetime` for demographics).
    pub period: String,
    /// `metric_type`.
    pub metric_type: MetricType,
    /// `breakdown` (with `total_value` only).
    pub breakdown: Option<String>,
    /// Start of the range.
    pub since: DateTime<Utc>,
    /// End of the range.
    pub until: DateTime<Utc>,
}

impl AccountInsightsQuery {
    /// Daily totals of `metrics` over `since..until`.
    pub fn daily_totals<S: Into<String>>(
        metrics: impl IntoIterator<Item = S>,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Self {
        Self {
            metrics: metrics.into_iter().map(Into::into).collect(),
            period: "day".to_owned(),
            metric_type: MetricType::TotalValue,
            breakdown: None,
            since,
            until,
        }
    }

    /// Sets the metric type.
    pub fn with_metric_type(mut self, metric_type: MetricType) -> Self {
        self.metric_type = metric_type;
        self
    }

    /// Sets a breakdown.
    pub fn with_breakdown(mut self, breakdown: impl Into<String>) -> Self {
        self.breakdown = Some(breakdown.into());
        self
    }
}

/// Account metrics are kept 90 days.
pub const ACCOUNT_INSIGHTS_RETENTION: Duration = Duration::from_secs(90 * 86_400);

/// Splits `since..until` into windows of at most `max_span` (Meta allows about 30 days per
/// request; unconfirmed, so the span is the caller's).
pub fn insight_windows(
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    max_span: Duration,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let Ok(step) = chrono::TimeDelta::from_std(max_span) else {
        return vec![(since, until)];
    };
    if step <= chrono::TimeDelta::zero() {
        return vec![(since, until)];
    }
    let mut windows = Vec::new();
    let mut start = since;
    while start < until {
        let end = start.checked_add_signed(step).unwrap_or(until).min(until);
        windows.push((start, end));
        start = end;
    }
    windows
}

impl InstagramClient {
    /// `GET /{v}/{user}/insights?metric=..&period=..&metric_type=..&since=..&until=..`, one
    /// request. Refused without a call when `since` is older than the 90-day retention at
    /// `now` or the range is empty.
    pub async fn account_insights(
        &self,
        token: &AccessToken,
        user: &str,
        query: &AccountInsightsQuery,
        now: DateTime<Utc>,
    ) -> Result<Vec<Insight>, InstagramError> {
        let user = path_id(user)?;
        if query.metrics.is_empty() || query.since >= query.until {
            return Err(InstagramError::InvalidArgument(
                "account insights need metrics and a non-empty since..until range".into(),
            ));
        }
        let oldest = chrono::TimeDelta::from_std(ACCOUNT_INSIGHTS_RETENTION)
            .ok()
            .and_then(|retention| now.checked_sub_signed(retention));
        if oldest.is_some_and(|oldest| query.since < oldest) {
            return Err(InstagramError::InvalidArgument(
                "account insights are kept 90 days: `since` is older".into(),
            ));
        }
        let url = self.inner.graph_versioned(&format!("{user}/insights"));
        let mut params = vec![
            ("metric", query.metrics.join(",")),
            ("period", query.period.clone()),
            (
                "metric_type",
                match query.metric_type {
                    MetricType::TotalValue => "total_value",
                    MetricType::TimeSeries => "time_series",
                }
                .to_owned(),
            ),
            ("since", query.since.timestamp().to_string()),
            ("until", query.until.timestamp().to_string()),
        ];
        if let Some(breakdown) = &query.breakdown {
            params.push(("breakdown", breakdown.clone()));
        }
        let target = Target {
            endpoint: Endpoint::AccountInsights,
            account: Some(user),
        };
        let list: InsightList = self
            .inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| self.inner.graph_get(http, &url, &params, token),
                |raw, _| parse_graph(Endpoint::AccountInsights, raw),
            )
            .await?;
        Ok(list.data)
    }

    /// [`account_insights`](Self::account_insights) over a long range, one request per
    /// window of at most `max_span` (e.g. 30 days), in order.
    pub async fn account_insights_chunked(
        &self,
        token: &AccessToken,
        user: &str,
        query: &AccountInsightsQuery,
        max_span: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<Insight>, InstagramError> {
        let mut all = Vec::new();
        for (since, until) in insight_windows(query.since, query.until, max_span) {
            let window = AccountInsightsQuery {
                since,
                until,
                ..query.clone()
            };
            all.extend(self.account_insights(token, user, &window, now).await?);
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_split_into_windows() {
        let start = DateTime::from_timestamp(0, 0).expect("valid");
        let end = DateTime::from_timestamp(75 * 86_400, 0).expect("valid");
        let windows = insight_windows(start, end, Duration::from_secs(30 * 86_400));
        assert_eq!(windows.len(), 3);
        assert_eq!(windows[0].0, start);
        assert_eq!(windows[2].1, end);
        assert!(windows.windows(2).all(|w| w[0].1 == w[1].0));
    }
}
