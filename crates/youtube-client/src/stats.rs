//! Counters only: `videos.batchGetStats` (new in 2026, reference section 8.2; 1 unit per 50
//! ids from its own bucket, intentionally not atomic), and [`YouTubeClient::video_statistics`],
//! which reads counters from the configured [`StatsSource`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::channel::parts_value;
use crate::execute::Target;
use crate::response::parse_json;
use crate::retry::RetrySafety;
use crate::video::{MAX_IDS_PER_CALL, checked_ids, missing_ids};
use crate::{
    AccessToken, Endpoint, StatsSource, VideoPart, VideoStatistics, YouTubeClient, YouTubeError,
};

/// A `part` of `videos.batchGetStats` (only these four exist).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatsPart {
    /// `id`.
    Id,
    /// `snippet` (`publishTime` only).
    Snippet,
    /// `statistics`.
    Statistics,
    /// `contentDetails` (`duration`, `durationMillis`).
    ContentDetails,
}

impl StatsPart {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            StatsPart::Id => "id",
            StatsPart::Snippet => "snippet",
            StatsPart::Statistics => "statistics",
            StatsPart::ContentDetails => "contentDetails",
        }
    }
}

/// `snippet` of a stats item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StatsSnippet {
    /// When the video was published.
    #[serde(default)]
    pub publish_time: Option<DateTime<Utc>>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `contentDetails` of a stats item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StatsContentDetails {
    /// ISO 8601.
    #[serde(default)]
    pub duration: Option<String>,
    /// Milliseconds, as a string or a number (unconfirmed).
    #[serde(default, deserialize_with = "crate::wire::opt_u64")]
    pub duration_millis: Option<u64>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One item of `videos.batchGetStats`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VideoStats {
    /// The video id.
    pub id: String,
    /// `snippet`.
    #[serde(default)]
    pub snippet: Option<StatsSnippet>,
    /// `statistics` (counters as strings or numbers: both are read).
    #[serde(default)]
    pub statistics: Option<VideoStatistics>,
    /// `contentDetails`.
    #[serde(default)]
    pub content_details: Option<StatsContentDetails>,
    /// Fields this crate does not model (`etag`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Deserialize)]
struct StatsResponse {
    #[serde(default)]
    items: Vec<VideoStats>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// A `videos.batchGetStats` answer: the items, and the requested ids it left out (the call is
/// not atomic: ask for those again, or read them with `videos.list`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatsBatch {
    /// The items returned.
    pub items: Vec<VideoStats>,
    /// Requested ids without an item.
    pub missing: Vec<String>,
    /// Fields of the answer this crate does not model (a summary, whose name is unconfirmed).
    pub extra: Map<String, Value>,
}

/// Counters of many videos, and the ids without any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatisticsLookup {
    /// `(video id, statistics)`, in Google's order.
    pub statistics: Vec<(String, VideoStatistics)>,
    /// Requested ids without statistics (deleted, private to someone else, or left out of a
    /// non-atomic `videos.batchGetStats` answer).
    pub missing: Vec<String>,
}

impl YouTubeClient {
    /// `GET /youtube/v3/videos:batchGetStats?part=…&id=…` (1 unit from its own bucket) for at
    /// most 50 ids.
    pub async fn batch_get_stats(
        &self,
        token: &AccessToken,
        ids: &[String],
        parts: &[StatsPart],
    ) -> Result<StatsBatch, YouTubeError> {
        if ids.is_empty() || ids.len() > MAX_IDS_PER_CALL {
            return Err(YouTubeError::InvalidArgument(format!(
                "videos.batchGetStats takes 1 to {MAX_IDS_PER_CALL} ids, not {}",
                ids.len()
            )));
        }
        checked_ids(ids)?;
        let url = self.inner.data_url("videos:batchGetStats");
        let names: Vec<&str> = parts.iter().map(|part| part.as_str()).collect();
        let query = [("part", parts_value(&names)), ("id", ids.join(","))];
        let answer = self
            .inner
            .execute(
                Target::of(Endpoint::BatchGetStats),
                RetrySafety::Idempotent,
                |http| self.inner.bearer_get(http, &url, &query, token),
                |raw, context| parse_json::<StatsResponse>(context, raw),
            )
            .await?;
        let missing = missing_ids(ids, answer.items.iter().map(|item| item.id.as_str()));
        let mut extra = answer.extra;
        extra.remove("kind");
        Ok(StatsBatch {
            items: answer.items,
            missing,
            extra,
        })
    }

    /// The counters of `ids`, 50 per call, from the configured
    /// [`StatsSource`](crate::StatsSource): `videos.list` with `statistics` (general units)
    /// or `videos.batchGetStats` (its own bucket). Either way `ceil(n / 50)` units.
    pub async fn video_statistics(
        &self,
        token: &AccessToken,
        ids: &[String],
    ) -> Result<StatisticsLookup, YouTubeError> {
        checked_ids(ids)?;
        let mut lookup = StatisticsLookup::default();
        for chunk in ids.chunks(MAX_IDS_PER_CALL) {
            match self.inner.config.stats_source {
                StatsSource::VideosList => {
                    let found = self
                        .videos_list(token, chunk, &[VideoPart::Statistics])
                        .await?;
                    lookup.statistics.extend(
                        found
                            .videos
                            .into_iter()
                            .filter_map(|video| Some((video.id, video.statistics?))),
                    );
                    lookup.missing.extend(found.missing);
                }
                StatsSource::BatchGetStats => {
                    let found = self
                        .batch_get_stats(token, chunk, &[StatsPart::Statistics])
                        .await?;
                    lookup.statistics.extend(
                        found
                            .items
                            .into_iter()
                            .filter_map(|item| Some((item.id, item.statistics?))),
                    );
                    lookup.missing.extend(found.missing);
                }
            }
        }
        Ok(lookup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_as_strings_or_numbers() {
        let strings = r#"{"kind":"youtube#batchGetStatsResponse","items":[{"kind":"youtube#videoStats","id":"a",
            "snippet":{"publishTime":"2026-11-30T17:00:05Z"},"statistics":{"viewCount":"15234","likeCount":"812"},
            "contentDetails":{"duration":"PT4M13S","durationMillis":"253000"}}],"summary":{"x":1}}"#;
        let parsed: StatsResponse = serde_json::from_str(strings).expect("strings");
        let item = &parsed.items[0];
        assert_eq!(
            item.statistics.as_ref().and_then(|s| s.view_count),
            Some(15_234)
        );
        assert_eq!(
            item.content_details
                .as_ref()
                .and_then(|c| c.duration_millis),
            Some(253_000)
        );
        assert!(parsed.extra.contains_key("summary"));
        let numbers =
            r#"{"items":[{"id":"a","statistics":{"viewCount":15234,"commentCount":77}}]}"#;
        let parsed: StatsResponse = serde_json::from_str(numbers).expect("numbers");
        assert_eq!(
            parsed.items[0]
                .statistics
                .as_ref()
                .and_then(|s| s.comment_count),
            Some(77)
        );
    }
}
