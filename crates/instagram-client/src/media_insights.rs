//! Media insights (reference section 8): lifetime totals whose metric set depends on the
//! product type; the deprecated names (`impressions`, `plays`, `video_views`, ...) are never
//! asked for. A metric Instagram leaves out is unknown, not 0. One unsupported metric can fail
//! a whole batch, so a refused batch is retried metric by metric and the refused ones are
//! remembered per product type. "Not enough viewers" and "posted before the professional
//! conversion" are per-media states, not errors.

use std::collections::BTreeMap;

use crate::client::path_id;
use crate::execute::Target;
use crate::insights::InsightList;
use crate::response::parse_graph;
use crate::retry::RetrySafety;
use crate::{
    AccessToken, Endpoint, ErrorClass, Insight, InstagramClient, InstagramError, MediaProductType,
    MetricValue,
};

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
}
