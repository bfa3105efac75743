//! `GET /v2/reports` (YouTube Analytics `reports.query`, reference section 9): the
//! authorized channel's daily (or total) figures over Pacific days, up to the last day whose
//! data is complete (today minus the configured lag), days without activity left out,
//! numbers as JSON numbers.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use super::gate::{Admitted, Rejection, admit};
use super::{comma_list, field, query_pairs};
use crate::endpoint::Endpoint;
use crate::growth::{AnalyticsDay, analytics_day};
use crate::pacific::pacific_day;
use crate::scope;
use crate::state::SandboxState;
use crate::wire::{GoogleError, json_response};

/// The metrics the sandbox knows, and whether each is a FLOAT.
const METRICS: [(&str, bool); 10] = [
    ("views", false),
    ("engagedViews", false),
    ("estimatedMinutesWatched", false),
    ("averageViewDuration", false),
    ("likes", false),
    ("dislikes", false),
    ("comments", false),
    ("shares", false),
    ("subscribersGained", false),
    ("subscribersLost", false),
];

/// Monetary metrics: the monetary scope and a Partner Program channel, else 403.
const MONETARY: [&str; 6] = [
    "estimatedRevenue",
    "estimatedAdRevenue",
    "grossRevenue",
    "cpm",
    "playbackBasedCpm",
    "adImpressions",
];

/// The longest range one query may span.
const MAX_DAYS: i64 = 3_660;

/// `GET /v2/reports`.
pub(crate) async fn query(state: web::Data<SandboxState>, request: HttpRequest) -> HttpResponse {
    let pairs = query_pairs(&request);
    let admitted = match admit(&state, &request, &pairs, Endpoint::Reports).await {
        Ok(admitted) => admitted,
        Err(response) => return response,
    };
    answer(&admitted, &pairs).unwrap_or_else(HttpResponse::from)
}

fn date(
    admitted: &Admitted<'_>,
    pairs: &[(String, String)],
    name: &str,
) -> Result<NaiveDate, Rejection> {
    let Some(text) = field(pairs, name) else {
        return Err(admitted.error(&GoogleError::analytics_invalid(format!(
            "Required parameter: {name}"
        ))));
    };
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        admitted.error(&GoogleError::analytics_invalid(format!(
            "Invalid value '{text}' for {name}: expected YYYY-MM-DD."
        )))
    })
}

fn not_supported() -> GoogleError {
    GoogleError::analytics_bad_request(
        "The query is not supported. Check the documentation at \
         https://developers.google.com/youtube/analytics/v2/available_reports for a list of supported queries.",
    )
}

fn metric_value(day: &AnalyticsDay, metric: &str) -> Value {
    json!(match metric {
        "views" => day.views,
        "engagedViews" => day.engaged_views,
        "estimatedMinutesWatched" => day.estimated_minutes_watched,
        "averageViewDuration" => day.average_view_duration(),
        "likes" => day.likes,
        "dislikes" => day.dislikes,
        "comments" => day.comments,
        "shares" => day.shares,
        "subscribersGained" => day.subscribers_gained,
        "subscribersLost" => day.subscribers_lost,
        // Monetary metrics reach here only for Partner channels.
        "adImpressions" => day.views / 3,
        _ => return json!((day.views as f64 * 0.0021 * 100.0).round() / 100.0),
    })
}

fn add(total: &mut AnalyticsDay, day: &AnalyticsDay) {
    total.views += day.views;
    total.engaged_views += day.engaged_views;
    total.estimated_minutes_watched += day.estimated_minutes_watched;
    total.likes += day.likes;
    total.dislikes += day.dislikes;
    total.comments += day.comments;
    total.shares += day.shares;
    total.subscribers_gained += day.subscribers_gained;
    total.subscribers_lost += day.subscribers_lost;
}

fn answer(admitted: &Admitted<'_>, pairs: &[(String, String)]) -> Result<HttpResponse, Rejection> {
    let state = admitted.state;
    let Some(bearer) = admitted.bearer() else {
        return Err(admitted.error(&GoogleError::login_required()));
    };
    let analytics =
        bearer.has_scope(scope::ANALYTICS_READONLY) || bearer.has_scope(scope::ANALYTICS_MONETARY);
    if !analytics {
        return Err(admitted.error(&GoogleError::insufficient_permissions(
            scope::ANALYTICS_READONLY,
        )));
    }
    if state.config.analytics_requires_youtube_readonly && !admitted.can_read_youtube() {
        return Err(admitted.error(&GoogleError::insufficient_permissions(
            scope::YOUTUBE_READONLY,
        )));
    }
    let record = &state.catalog.accounts[bearer.account];
    let (Some(channel), Some(spec)) = (record.channel.as_ref(), record.channel_spec()) else {
        return Err(admitted.error(&GoogleError::analytics_forbidden()));
    };
    match field(pairs, "ids") {
        Some("channel==MINE") => {}
        Some(ids) if ids.strip_prefix("channel==") == Some(channel.id.as_str()) => {}
        Some(_) => return Err(admitted.error(&GoogleError::analytics_forbidden())),
        None => {
            return Err(admitted.error(&GoogleError::analytics_invalid("Required parameter: ids")));
        }
    }
    let start = date(admitted, pairs, "startDate")?;
    let end = date(admitted, pairs, "endDate")?;
    if end < start || (end - start).num_days() > MAX_DAYS {
        return Err(admitted.error(&GoogleError::analytics_invalid(
            "The endDate must not precede the startDate, and a query spans at most ten years.",
        )));
    }
    let metrics = comma_list(field(pairs, "metrics"));
    if metrics.is_empty() {
        return Err(admitted.error(&GoogleError::analytics_invalid(
            "Required parameter: metrics",
        )));
    }
    for metric in &metrics {
        if MONETARY.contains(&metric.as_str()) {
            if !spec.partner || !bearer.has_scope(scope::ANALYTICS_MONETARY) {
                return Err(admitted.error(&GoogleError::analytics_forbidden()));
            }
        } else if !METRICS.iter().any(|(known, _)| known == metric) {
            return Err(admitted.error(&GoogleError::analytics_invalid(format!(
                "Unknown identifier ({metric}) given in field parameters.metrics."
            ))));
        }
    }
    let by_day = match field(pairs, "dimensions") {
        None => false,
        Some("day") => true,
        Some(_) => return Err(admitted.error(&not_supported())),
    };
    let descending = match field(pairs, "sort") {
        None | Some("day") => false,
        Some("-day") if by_day => true,
        Some(_) => return Err(admitted.error(&not_supported())),
    };
    let videos: Option<Vec<String>> = match field(pairs, "filters") {
        None => None,
        Some(filters) => match filters.strip_prefix("video==") {
            Some(ids) if !ids.contains(';') => Some(comma_list(Some(ids))),
            _ => return Err(admitted.error(&not_supported())),
        },
    };
    // Data runs up to the last complete day: today (Pacific) minus the lag.
    let last_complete =
        pacific_day(state.clock.now()) - Duration::days(i64::from(state.config.analytics_lag_days));
    let mut days = Vec::new();
    let mut day = start;
    while day <= end.min(last_complete) {
        days.push((
            day,
            analytics_day(state.config.seed, channel, videos.as_deref(), day),
        ));
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    let mut headers = Vec::new();
    if by_day {
        headers.push(json!({ "name": "day", "columnType": "DIMENSION", "dataType": "STRING" }));
    }
    for metric in &metrics {
        let float = MONETARY.contains(&metric.as_str()) && metric != "adImpressions";
        headers.push(json!({
            "name": metric,
            "columnType": "METRIC",
            "dataType": if float { "FLOAT" } else { "INTEGER" },
        }));
    }
    let rows: Vec<Value> = if by_day {
        let mut rows: Vec<Value> = days
            .iter()
            .filter(|(_, figures)| !figures.is_empty())
            .map(|(day, figures)| {
                let mut row = vec![json!(day.format("%Y-%m-%d").to_string())];
                row.extend(metrics.iter().map(|metric| metric_value(figures, metric)));
                Value::Array(row)
            })
            .collect();
        if descending {
            rows.reverse();
        }
        rows
    } else if days.is_empty() {
        Vec::new()
    } else {
        let mut total = AnalyticsDay::default();
        for (_, figures) in &days {
            add(&mut total, figures);
        }
        vec![Value::Array(
            metrics
                .iter()
                .map(|metric| metric_value(&total, metric))
                .collect(),
        )]
    };
    let mut body = json!({ "kind": "youtubeAnalytics#resultTable", "columnHeaders": headers });
    // No data: Google leaves `rows` out.
    if !rows.is_empty() {
        body["rows"] = json!(rows);
    }
    Ok(json_response(StatusCode::OK, &body))
}
