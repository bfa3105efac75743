//! The shapes every insights answer shares (reference sections 8.3 and 9.2): a metric's
//! values or total, its breakdowns, and numbers that are integers or rates.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
    pub(crate) fn from_json(value: &Value) -> Option<Self> {
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

/// `{"data": [...]}` of an insights answer.
#[derive(Deserialize)]
pub(crate) struct InsightList {
    #[serde(default)]
    pub(crate) data: Vec<Insight>,
}
