//! YouTube Analytics `reports.query` (reference section 9): the authorized channel's daily
//! views, watch time, likes and subscribers gained and lost. Days are Pacific calendar days;
//! the latest two or three are not in yet, and recent days get revised, so re-read the last
//! few days on every run.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::execute::Target;
use crate::quota::quota_day;
use crate::response::parse_json;
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, YouTubeClient, YouTubeError};

/// Metric names.
pub mod metric {
    /// Views.
    pub const VIEWS: &str = "views";
    /// Minutes watched.
    pub const ESTIMATED_MINUTES_WATCHED: &str = "estimatedMinutesWatched";
    /// Likes.
    pub const LIKES: &str = "likes";
    /// Subscribers gained.
    pub const SUBSCRIBERS_GAINED: &str = "subscribersGained";
    /// Subscribers lost.
    pub const SUBSCRIBERS_LOST: &str = "subscribersLost";
    /// Comments.
    pub const COMMENTS: &str = "comments";
    /// Shares.
    pub const SHARES: &str = "shares";
    /// Average view duration, seconds.
    pub const AVERAGE_VIEW_DURATION: &str = "averageViewDuration";
    /// Views as counted before the 2025 Shorts change.
    pub const ENGAGED_VIEWS: &str = "engagedViews";
}

/// The metrics of [`AnalyticsQuery::daily_channel`].
pub const DAILY_METRICS: [&str; 5] = [
    metric::VIEWS,
    metric::ESTIMATED_MINUTES_WATCHED,
    metric::LIKES,
    metric::SUBSCRIBERS_GAINED,
    metric::SUBSCRIBERS_LOST,
];

/// How many recent days to read again on every run: data lags two to three days and the
/// latest days get revised.
pub const REFETCH_DAYS: u32 = 4;

/// A `reports.query` request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AnalyticsQuery {
    /// `ids`: `channel==MINE` (or `channel==UC…` of the authorized channel).
    pub ids: String,
    /// `startDate`, inclusive.
    pub start_date: NaiveDate,
    /// `endDate`, inclusive (the answer stops at the last complete day).
    pub end_date: NaiveDate,
    /// `metrics`, at least one.
    pub metrics: Vec<String>,
    /// `dimensions` (`day`, ...), possibly none.
    pub dimensions: Vec<String>,
    /// `filters` (`video==id1,id2`), if any.
    pub filters: Option<String>,
    /// `sort` (`day`, `-views`), if any.
    pub sort: Option<String>,
}

impl AnalyticsQuery {
    /// The authorized channel's [`DAILY_METRICS`] per day from `start` to `end`.
    pub fn daily_channel(start: NaiveDate, end: NaiveDate) -> Self {
        Self {
            ids: "channel==MINE".to_owned(),
            start_date: start,
            end_date: end,
            metrics: DAILY_METRICS.map(str::to_owned).to_vec(),
            dimensions: vec!["day".to_owned()],
            filters: None,
            sort: Some("day".to_owned()),
        }
    }

    /// Sets the metrics.
    pub fn with_metrics<I, S>(mut self, metrics: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.metrics = metrics.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the filters (e.g. `video==dQw4w9WgXcQ`).
    pub fn with_filters(mut self, filters: impl Into<String>) -> Self {
        self.filters = Some(filters.into());
        self
    }

    fn query(&self) -> Vec<(&'static str, String)> {
        let mut query = vec![
            ("ids", self.ids.clone()),
            ("startDate", self.start_date.format("%Y-%m-%d").to_string()),
            ("endDate", self.end_date.format("%Y-%m-%d").to_string()),
            ("metrics", self.metrics.join(",")),
        ];
        if !self.dimensions.is_empty() {
            query.push(("dimensions", self.dimensions.join(",")));
        }
        if let Some(filters) = &self.filters {
            query.push(("filters", filters.clone()));
        }
        if let Some(sort) = &self.sort {
            query.push(("sort", sort.clone()));
        }
        query
    }
}

/// The days to ask for on a run at `now`: the last `days` Pacific days up to today (the API
/// answers up to the last complete one).
pub fn analytics_range(now: DateTime<Utc>, days: u32) -> (NaiveDate, NaiveDate) {
    let today = quota_day(now);
    let start = today - Duration::days(i64::from(days.max(1)) - 1);
    (start, today)
}

/// A `columnHeaders` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ColumnHeader {
    /// The dimension or metric name.
    pub name: String,
    /// `DIMENSION` or `METRIC`.
    #[serde(default)]
    pub column_type: Option<String>,
    /// `STRING`, `INTEGER`, `FLOAT`.
    #[serde(default)]
    pub data_type: Option<String>,
}

/// A `resultTable`: rows are positional, mapped by [`ResultTable::column`].
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResultTable {
    /// The columns, in row order.
    #[serde(default)]
    pub column_headers: Vec<ColumnHeader>,
    /// The rows (an absent `rows` is no rows).
    #[serde(default)]
    pub rows: Vec<Vec<Value>>,
    /// Fields this crate does not model (`kind`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ResultTable {
    /// The position of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.column_headers
            .iter()
            .position(|header| header.name == name)
    }
}

/// One day of [`YouTubeClient::daily_channel_report`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DailyRow {
    /// The Pacific day.
    pub day: NaiveDate,
    /// Views.
    pub views: u64,
    /// Minutes watched.
    pub estimated_minutes_watched: u64,
    /// Likes.
    pub likes: u64,
    /// Subscribers gained.
    pub subscribers_gained: u64,
    /// Subscribers lost.
    pub subscribers_lost: u64,
}

/// The daily series: days Google left out (no activity) are filled with zeros up to the
/// last day it answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DailyReport {
    /// One row per day, oldest first.
    pub rows: Vec<DailyRow>,
}

fn number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64().or_else(|| {
            number
                .as_f64()
                .filter(|f| *f >= 0.0)
                .map(|f| f.round() as u64)
        }),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

/// Reads [`DAILY_METRICS`] rows by column name; zero days are filled between `start` and the
/// last day present.
fn daily_rows(table: &ResultTable, start: NaiveDate) -> Result<Vec<DailyRow>, String> {
    let column = |name: &str| {
        table
            .column(name)
            .ok_or_else(|| format!("the answer has no {name} column"))
    };
    let day = column("day")?;
    let columns = [
        column(metric::VIEWS)?,
        column(metric::ESTIMATED_MINUTES_WATCHED)?,
        column(metric::LIKES)?,
        column(metric::SUBSCRIBERS_GAINED)?,
        column(metric::SUBSCRIBERS_LOST)?,
    ];
    let mut found = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let date = row
            .get(day)
            .and_then(Value::as_str)
            .and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .ok_or("a row has no readable day")?;
        let mut values = [0u64; 5];
        for (value, index) in values.iter_mut().zip(columns) {
            *value = row
                .get(index)
                .and_then(number)
                .ok_or("a metric is not a number")?;
        }
        found.push(DailyRow {
            day: date,
            views: values[0],
            estimated_minutes_watched: values[1],
            likes: values[2],
            subscribers_gained: values[3],
            subscribers_lost: values[4],
        });
    }
    found.sort_by_key(|row| row.day);
    let Some(last) = found.last().map(|row| row.day) else {
        return Ok(found);
    };
    let mut rows = Vec::new();
    let mut day = start.min(found[0].day);
    let mut next = found.into_iter().peekable();
    while day <= last {
        match next.peek() {
            Some(row) if row.day == day => rows.extend(next.next()),
            _ => rows.push(DailyRow {
                day,
                ..DailyRow::default()
            }),
        }
        let Some(following) = day.succ_opt() else {
            break;
        };
        day = following;
    }
    Ok(rows)
}

impl YouTubeClient {
    /// `GET youtubeanalytics.googleapis.com/v2/reports?…`. The Analytics API has its own
    /// quota (priced under [`QuotaBucket::Analytics`](crate::QuotaBucket::Analytics)). It
    /// needs `yt-analytics.readonly` and, since 2026, `youtube.readonly`.
    pub async fn reports_query(
        &self,
        token: &AccessToken,
        query: &AnalyticsQuery,
    ) -> Result<ResultTable, YouTubeError> {
        if query.metrics.is_empty() {
            return Err(YouTubeError::InvalidArgument(
                "an Analytics query needs at least one metric".into(),
            ));
        }
        if query.end_date < query.start_date {
            return Err(YouTubeError::InvalidArgument(
                "the end date precedes the start date".into(),
            ));
        }
        let url = self.inner.reports_url();
        let params = query.query();
        self.inner
            .execute(
                Target::of(Endpoint::Reports),
                RetrySafety::Idempotent,
                |http| self.inner.bearer_get(http, &url, &params, token),
                |raw, context| parse_json::<ResultTable>(context, raw),
            )
            .await
    }

    /// The authorized channel's [`DAILY_METRICS`] per Pacific day from `start` to `end`,
    /// oldest first, with days Google left out (no activity) filled with zeros up to the last
    /// day it answered.
    pub async fn daily_channel_report(
        &self,
        token: &AccessToken,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<DailyReport, YouTubeError> {
        let table = self
            .reports_query(token, &AnalyticsQuery::daily_channel(start, end))
            .await?;
        let rows = daily_rows(&table, start).map_err(|reason| YouTubeError::Decode {
            endpoint: Endpoint::Reports,
            http_status: 200,
            reason,
        })?;
        Ok(DailyReport { rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn rows_map_by_header_and_gaps_fill_with_zeros() {
        let body = r#"{"kind":"youtubeAnalytics#resultTable","columnHeaders":[
            {"name":"day","columnType":"DIMENSION","dataType":"STRING"},
            {"name":"likes","columnType":"METRIC","dataType":"INTEGER"},
            {"name":"views","columnType":"METRIC","dataType":"INTEGER"},
            {"name":"estimatedMinutesWatched","columnType":"METRIC","dataType":"INTEGER"},
            {"name":"subscribersGained","columnType":"METRIC","dataType":"INTEGER"},
            {"name":"subscribersLost","columnType":"METRIC","dataType":"INTEGER"}],
          "rows":[["2026-11-03",58,1488,4102,9,1],["2026-11-01",61,1520,4310,12,3]]}"#;
        let table: ResultTable = serde_json::from_str(body).expect("valid");
        let rows = daily_rows(&table, date("2026-10-31")).expect("rows");
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows[0],
            DailyRow {
                day: date("2026-10-31"),
                ..DailyRow::default()
            }
        );
        assert_eq!(rows[1].views, 1_520);
        assert_eq!(rows[1].likes, 61);
        assert_eq!(rows[2].views, 0);
        assert_eq!(rows[3].subscribers_lost, 1);
    }

    #[test]
    fn absent_rows_are_no_rows() {
        let table: ResultTable = serde_json::from_str(
            r#"{"columnHeaders":[{"name":"day"},{"name":"views"},{"name":"estimatedMinutesWatched"},{"name":"likes"},{"name":"subscribersGained"},{"name":"subscribersLost"}]}"#,
        )
        .expect("valid");
        assert!(
            daily_rows(&table, date("2026-11-01"))
                .expect("rows")
                .is_empty()
        );
        let missing: ResultTable =
            serde_json::from_str(r#"{"columnHeaders":[{"name":"day"}]}"#).expect("valid");
        assert!(daily_rows(&missing, date("2026-11-01")).is_err());
    }

    #[test]
    fn the_range_ends_today_in_pacific_time() {
        let now = DateTime::parse_from_rfc3339("2026-12-05T05:00:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(
            analytics_range(now, 4),
            (date("2026-12-01"), date("2026-12-04"))
        );
    }
}
