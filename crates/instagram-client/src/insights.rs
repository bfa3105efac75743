//! Media insights (reference section 8) and account insights (section 9).
//!
//! Media metrics are lifetime totals; the set depends on the product type; the deprecated
//! names (`impressions`, `plays`, `video_views`, ...) are never asked for. A metric Instagram
//! leaves out is unknown, not 0. One unsupported metric can fail a whole batch, so a refused
//! batch is retried metric by metric and the refused ones are remembered per product type.
//! "Not enough viewers" and "posted before the professional conversion" are per-media
//! states, not errors.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::path_id;
use crate::execute::Target;
use crate::response::parse_graph;
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, ErrorClass, InstagramClient, InstagramError, MediaProductType};

/// A current media metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MediaMetric {
    /// `views`: plays/views (replaces `impressions`, `plays`, `video_views`).
    Views,
    /// `reach`.
    Reach,
    /// `likes`.
    Likes,
    /// `comments`.
    Comments,
    /// `saved` (the account metric is `saves`).
    Saved,
    /// `shares`.
    Shares,
    /// `total_interactions`.
    TotalInteractions,
    /// `reposts`.
    Reposts,
    /// `follows`.
    Follows,
    /// `profile_visits`.
    ProfileVisits,
    /// `replies` (stories).
    Replies,
    /// `navigation` (stories).
    Navigation,
    /// `ig_reels_avg_watch_time` (milliseconds).
    ReelsAvgWatchTime,
    /// `ig_reels_video_view_total_time` (milliseconds).
    ReelsVideoViewTotalTime,
    /// `reels_skip_rate` (a percentage, possibly fractional).
    ReelsSkipRate,
    /// A metric this crate does not know yet, by its wire name (Meta adds metrics; never
    /// one of the deprecated names).
    Other(&'static str),
}

impl MediaMetric {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            MediaMetric::Views => "views",
            MediaMetric::Reach => "reach",
            MediaMetric::Likes => "likes",
            MediaMetric::Comments => "comments",
            MediaMetric::Saved => "saved",
            MediaMetric::Shares => "shares",
            MediaMetric::TotalInteractions => "total_interactions",
            MediaMetric::Reposts => "reposts",
            MediaMetric::Follows => "follows",
            MediaMetric::ProfileVisits => "profile_visits",
            MediaMetric::Replies => "replies",
            MediaMetric::Navigation => "navigation",
            MediaMetric::ReelsAvgWatchTime => "ig_reels_avg_watch_time",
            MediaMetric::ReelsVideoViewTotalTime => "ig_reels_video_view_total_time",
            MediaMetric::ReelsSkipRate => "reels_skip_rate",
            MediaMetric::Other(name) => name,
        }
    }

    /// The reference's recommended set for a product type (feed includes carousel parents).
    pub fn recommended_for(product: &MediaProductType) -> Vec<MediaMetric> {
        use MediaMetric::*;
        match product {
            MediaProductType::Reels => vec![
                Views,
                Reach,
                Likes,
                Comments,
                Saved,
                Shares,
                TotalInteractions,
                ReelsAvgWatchTime,
                ReelsVideoViewTotalTime,
            ],
            MediaProductType::Story => {
                vec![Views, Reach, Shares, TotalInteractions, Replies, Navigation]
            }
            _ => vec![
                Views,
                Reach,
                Likes,
                Comments,
                Saved,
                Shares,
                TotalInteractions,
            ],
        }
    }
}

/// A metric value: an integer count, or a fractional rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum MetricValue {
    /// A count (or milliseconds).
    Integer(i64),
    /// A rate.
    Float(f64),
}

impl MetricValue {
    fn from_json(value: &Value) -> Option<Self> {
        let number = value.as_number()?;
        number
            .as_i64()
            .map(MetricValue::Integer)
            .or_else(|| number.as_f64().map(MetricValue::Float))
    }

    /// The value as an integer, when it is one.
    pub fn as_i64(self) -> Option<i64> {
        match self {
            MetricValue::Integer(value) => Some(value),
            MetricValue::Float(_) => None,
        }
    }
}

/// One breakdown result.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct BreakdownResult {
    /// The dimension values (open strings: compare case-insensitively).
    #[serde(default)]
    pub dimension_values: Vec<String>,
    /// The value.
    #[serde(default)]
    pub value: Value,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One `values[]` entry of a time series.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MetricPoint {
    /// The value.
    #[serde(default)]
    pub value: Value,
    /// The end of the day bucket (07:00/08:00 UTC: US/Pacific days), when given.
    #[serde(default, deserialize_with = "crate::ids::optional_graph_time")]
    pub end_time: Option<DateTime<Utc>>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MetricPoint {
    /// The value as a number.
    pub fn number(&self) -> Option<MetricValue> {
        MetricValue::from_json(&self.value)
    }
}

/// One metric of an insights answer, media or account.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Insight {
    /// The metric name.
    pub name: String,
    /// `lifetime`, `day`, ...
    #[serde(default)]
    pub period: Option<String>,
    /// A time series (or a lifetime value as one point).
    #[serde(default)]
    pub values: Vec<MetricPoint>,
    /// A total with its breakdowns (`metric_type=total_value`, or a media breakdown).
    #[serde(default)]
    pub total_value: Option<TotalValue>,
    /// `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// `description`.
    #[serde(default)]
    pub description: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `total_value`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TotalValue {
    /// The total.
    #[serde(default)]
    pub value: Value,
    /// Breakdowns, when asked for.
    #[serde(default)]
    pub breakdowns: Vec<Breakdown>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One breakdown of a total.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Breakdown {
    /// The dimension names.
    #[serde(default)]
    pub dimension_keys: Vec<String>,
    /// The results.
    #[serde(default)]
    pub results: Vec<BreakdownResult>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Insight {
    /// The single value: `total_value.value`, else the first point's value.
    pub fn value(&self) -> Option<MetricValue> {
        self.total_value
            .as_ref()
            .and_then(|total| MetricValue::from_json(&total.value))
            .or_else(|| self.values.first().and_then(MetricPoint::number))
    }
}

#[derive(Deserialize)]
struct InsightList {
    #[serde(default)]
    data: Vec<Insight>,
}

/// What Instagram says about a media's insights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InsightsState {
    /// Values came back (some metrics may still be absent: unknown, not 0).
    Available,
    /// Code 10 "Not enough viewers" (stories under 5): try again later or never.
    NotEnoughData,
    /// Code 4/2108006: posted before the professional conversion; never available.
    Unavailable,
}

/// A media's insights.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct MediaInsights {
    /// Available, not enough data, or unavailable.
    pub state: InsightsState,
    /// The values Instagram returned, by metric name; a missing metric is unknown.
    pub values: BTreeMap<String, MetricValue>,
    /// Every returned metric in full (breakdowns included).
    pub insights: Vec<Insight>,
    /// Metrics Instagram refused for this product type (remembered by the client).
    pub unsupported: Vec<MediaMetric>,
}

impl MediaInsights {
    fn state(state: InsightsState) -> Self {
        Self {
            state,
            values: BTreeMap::new(),
            insights: Vec::new(),
            unsupported: Vec::new(),
        }
    }

    /// The value of `metric`, if Instagram gave one.
    pub fn get(&self, metric: MediaMetric) -> Option<MetricValue> {
        self.values.get(metric.as_str()).copied()
    }
}

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
    /// `GET /{v}/{media-id}/insights?metric=...` for a media of `product` type.
    ///
    /// Metrics already known to be refused for `product` are not asked for. When Instagram
    /// refuses the batch (code 100, or code 1 "unknown error" after retries), each metric is
    /// asked alone and the refused ones are remembered. "Not enough viewers" and
    /// "before the professional conversion" come back as [`InsightsState`]s.
    pub async fn media_insights(
        &self,
        token: &AccessToken,
        media_id: &str,
        product: &MediaProductType,
        metrics: &[MediaMetric],
    ) -> Result<MediaInsights, InstagramError> {
        let media_id = path_id(media_id)?;
        let (wanted, mut unsupported): (Vec<MediaMetric>, Vec<MediaMetric>) = metrics
            .iter()
            .partition(|metric| !self.is_unsupported(product, **metric));
        if wanted.is_empty() {
            let mut empty = MediaInsights::state(InsightsState::Available);
            empty.unsupported = unsupported;
            return Ok(empty);
        }
        let mut result = match self.media_insights_call(token, media_id, &wanted).await {
            Ok(insights) => collect(insights),
            Err(error) => match per_media_state(&error) {
                Some(state) => return Ok(MediaInsights::state(state)),
                None if wanted.len() > 1 && batch_refused(&error) => {
                    let mut gathered = Vec::new();
                    for metric in &wanted {
                        match self.media_insights_call(token, media_id, &[*metric]).await {
                            Ok(insights) => gathered.extend(insights),
                            Err(error) if batch_refused(&error) => {
                                self.remember_unsupported(product, *metric);
                                unsupported.push(*metric);
                            }
                            Err(error) => match per_media_state(&error) {
                                Some(state) => return Ok(MediaInsights::state(state)),
                                None => return Err(error),
                            },
                        }
                    }
                    collect(gathered)
                }
                None if batch_refused(&error) => {
                    if let Some(metric) = wanted.first() {
                        self.remember_unsupported(product, *metric);
                        unsupported.push(*metric);
                    }
                    collect(Vec::new())
                }
                None => return Err(error),
            },
        };
        result.unsupported = unsupported;
        Ok(result)
    }

    async fn media_insights_call(
        &self,
        token: &AccessToken,
        media_id: &str,
        metrics: &[MediaMetric],
    ) -> Result<Vec<Insight>, InstagramError> {
        let url = self.inner.graph_versioned(&format!("{media_id}/insights"));
        let names: Vec<&str> = metrics.iter().map(|m| m.as_str()).collect();
        let params = [("metric", names.join(","))];
        let target = Target {
            endpoint: Endpoint::MediaInsights,
            account: None,
        };
        let list: InsightList = self
            .inner
            .execute(
                target,
                RetrySafety::Idempotent,
                |http| self.inner.graph_get(http, &url, &params, token),
                |raw, _| parse_graph(Endpoint::MediaInsights, raw),
            )
            .await?;
        Ok(list.data)
    }

    fn is_unsupported(&self, product: &MediaProductType, metric: MediaMetric) -> bool {
        self.inner
            .unsupported_metrics
            .lock()
            .map(|set| set.contains(&(product.as_str().to_owned(), metric.as_str().to_owned())))
            .unwrap_or(false)
    }

    fn remember_unsupported(&self, product: &MediaProductType, metric: MediaMetric) {
        tracing::info!(
            product = product.as_str(),
            metric = metric.as_str(),
            "insight metric refused; not asked again"
        );
        if let Ok(mut set) = self.inner.unsupported_metrics.lock() {
            set.insert((product.as_str().to_owned(), metric.as_str().to_owned()));
        }
    }

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

fn collect(insights: Vec<Insight>) -> MediaInsights {
    let values = insights
        .iter()
        .filter_map(|insight| insight.value().map(|value| (insight.name.clone(), value)))
        .collect();
    MediaInsights {
        state: InsightsState::Available,
        values,
        insights,
        unsupported: Vec::new(),
    }
}

fn per_media_state(error: &InstagramError) -> Option<InsightsState> {
    match error.class() {
        ErrorClass::NotEnoughData => Some(InsightsState::NotEnoughData),
        ErrorClass::InsightsUnavailable => Some(InsightsState::Unavailable),
        _ => None,
    }
}

/// A refusal that may be one bad metric: code 100 (not 100/33), or code 1 "unknown error".
fn batch_refused(error: &InstagramError) -> bool {
    matches!(error, InstagramError::Graph { .. })
        && match (error.code(), error.subcode()) {
            (Some(100), Some(33)) => false,
            (Some(100), _) | (Some(1), _) => true,
            _ => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deprecated_metrics_are_never_recommended() {
        for product in [
            MediaProductType::Feed,
            MediaProductType::Reels,
            MediaProductType::Story,
        ] {
            let names: Vec<&str> = MediaMetric::recommended_for(&product)
                .iter()
                .map(|m| m.as_str())
                .collect();
            for gone in ["impressions", "plays", "video_views", "clips_replays_count"] {
                assert!(!names.contains(&gone));
            }
        }
        assert!(
            MediaMetric::recommended_for(&MediaProductType::Reels)
                .contains(&MediaMetric::ReelsAvgWatchTime)
        );
    }

    #[test]
    fn values_are_integers_or_floats_and_absent_stays_absent() {
        let list: InsightList = serde_json::from_str(
            r#"{"data":[{"name":"views","period":"lifetime","values":[{"value":18400}]},
            {"name":"reels_skip_rate","period":"lifetime","values":[{"value":12.5}]}]}"#,
        )
        .expect("valid");
        let insights = collect(list.data);
        assert_eq!(
            insights.get(MediaMetric::Views),
            Some(MetricValue::Integer(18_400))
        );
        assert_eq!(
            insights.get(MediaMetric::ReelsSkipRate),
            Some(MetricValue::Float(12.5))
        );
        assert_eq!(insights.get(MediaMetric::Reach), None);
    }

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
