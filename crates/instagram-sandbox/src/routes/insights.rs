//! Media insights (reference section 8) and account insights (section 9).

use chrono::{DateTime, Datelike as _, Duration, TimeZone as _, Utc};
use serde_json::{Value, json};

use super::graph::GraphCall;
use crate::config::UnsupportedMetricError;
use crate::media::{DEPRECATED_MEDIA_METRICS, MEDIA_METRICS, MediaRecord, MetricValue, Product};
use crate::scope::MANAGE_INSIGHTS;
use crate::wire::GraphError;

/// Media metrics keep two years of data.
const MEDIA_RETENTION_DAYS: i64 = 730;
/// Account metrics keep 90 days.
const ACCOUNT_RETENTION_DAYS: i64 = 90;

fn metric_list(call: &GraphCall<'_>) -> Result<Vec<String>, GraphError> {
    let metrics: Vec<String> = call
        .param("metric")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect();
    if metrics.is_empty() {
        return Err(GraphError::invalid_parameter(
            "The parameter metric is required",
        ));
    }
    Ok(metrics)
}

fn value_json(value: MetricValue) -> Value {
    match value {
        MetricValue::Count(count) => json!(count),
        MetricValue::Rate(rate) => json!(rate),
    }
}

fn title(metric: &str) -> String {
    let mut title = metric.replace('_', " ");
    if let Some(first) = title.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    title
}

/// `GET /{media-id}/insights?metric=...`: lifetime values; a metric without data is left out.
pub(crate) fn media(call: &GraphCall<'_>, id: &str) -> Result<Value, GraphError> {
    let state = call.state;
    if !call.bearer.has_scope(MANAGE_INSIGHTS) {
        return Err(GraphError::permission_missing(MANAGE_INSIGHTS));
    }
    let (owner, media) = state
        .catalog
        .media(id)
        .ok_or_else(|| GraphError::no_such_object(id))?;
    let account = &state.catalog.accounts[owner];
    let now = state.clock.now();
    if media.is_child {
        return Err(GraphError::invalid_parameter(
            "Insights data is not available for media within an album",
        ));
    }
    if media.created_at < account.professional_since {
        return Err(GraphError::before_conversion());
    }
    let metrics = metric_list(call)?;
    for metric in &metrics {
        check_metric(call, media, metric)?;
    }
    if media.product == Product::Story && media.views_at(now) < 5 {
        return Err(GraphError::not_enough_viewers());
    }
    if now - media.created_at > Duration::days(MEDIA_RETENTION_DAYS) {
        return Ok(json!({ "data": [] }));
    }
    let data: Vec<Value> = metrics
        .iter()
        .filter_map(|metric| {
            let value = media.metric_at(metric, now)?;
            let mut entry = json!({
                "name": metric,
                "period": "lifetime",
                "values": [{ "value": value_json(value) }],
                "title": title(metric),
                "description": format!("Sandbox {metric}"),
                "id": format!("{}/insights/{metric}/lifetime", media.id),
            });
            if metric == "navigation"
                && call.param("breakdown") == Some("story_navigation_action_type")
            {
                entry["total_value"] = breakdown_of(
                    value,
                    "story_navigation_action_type",
                    &["tap_forward", "tap_back", "tap_exit", "swipe_forward"],
                );
            }
            if metric == "profile_activity" && call.param("breakdown") == Some("action_type") {
                entry["total_value"] = breakdown_of(
                    value,
                    "action_type",
                    &[
                        "BIO_LINK_CLICKED",
                        "CALL",
                        "DIRECTION",
                        "EMAIL",
                        "OTHER",
                        "TEXT",
                    ],
                );
            }
            Some(entry)
        })
        .collect();
    Ok(json!({ "data": data }))
}

fn check_metric(call: &GraphCall<'_>, media: &MediaRecord, metric: &str) -> Result<(), GraphError> {
    if DEPRECATED_MEDIA_METRICS.contains(&metric) {
        if metric == "impressions" && media.has_legacy_impressions(call.version) {
            return Ok(());
        }
        return Err(GraphError::invalid_parameter(format!(
            "metric[0] must be one of the following values: {}; {metric} is no longer supported",
            MEDIA_METRICS
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let supported = MEDIA_METRICS
        .iter()
        .find(|(name, _)| *name == metric)
        .is_some_and(|(_, products)| products.contains(&media.product));
    if supported {
        return Ok(());
    }
    Err(match call.state.config.unsupported_metric_error {
        UnsupportedMetricError::InvalidParameter => GraphError::invalid_parameter(format!(
            "The Media Insights API does not support the {metric} metric for this media product type."
        )),
        UnsupportedMetricError::UnknownError => GraphError::unknown(),
    })
}

fn breakdown_of(value: MetricValue, key: &str, dimensions: &[&str]) -> Value {
    let total = match value {
        MetricValue::Count(count) => count,
        MetricValue::Rate(_) => 0,
    };
    let mut left = total;
    let results: Vec<Value> = dimensions
        .iter()
        .enumerate()
        .map(|(i, dimension)| {
            let part = if i + 1 == dimensions.len() {
                left
            } else {
                left / 2
            };
            left -= part;
            json!({ "dimension_values": [dimension], "value": part })
        })
        .collect();
    json!({ "value": total, "breakdowns": [{ "dimension_keys": [key], "results": results }] })
}

/// Account metrics: (name, period, allows time_series, unavailable under 100 followers).
const ACCOUNT_METRICS: &[(&str, &str, bool, bool)] = &[
    ("reach", "day", true, false),
    ("views", "day", false, false),
    ("accounts_engaged", "day", false, false),
    ("total_interactions", "day", false, false),
    ("likes", "day", false, false),
    ("comments", "day", false, false),
    ("shares", "day", false, false),
    ("saves", "day", false, false),
    ("replies", "day", false, false),
    ("reposts", "day", false, false),
    ("profile_links_taps", "day", false, false),
    ("follows_and_unfollows", "day", false, true),
    ("follower_count", "day", true, true),
    ("online_followers", "lifetime", false, true),
];

/// The end of the US/Pacific day containing `time`, in UTC: 07:00 under daylight saving
/// time (second Sunday of March to first Sunday of November), else 08:00.
pub(crate) fn pacific_day_end(time: DateTime<Utc>) -> DateTime<Utc> {
    let dst = |at: DateTime<Utc>| {
        let year = at.year();
        let nth_sunday = |month: u32, n: u32| {
            let first = Utc
                .with_ymd_and_hms(year, month, 1, 10, 0, 0)
                .single()
                .unwrap_or(at);
            let offset = (7 - first.weekday().num_days_from_sunday()) % 7;
            first + Duration::days(i64::from(offset + 7 * (n - 1)))
        };
        at >= nth_sunday(3, 2) && at < nth_sunday(11, 1)
    };
    let offset = if dst(time) { 7 } else { 8 };
    let local = time - Duration::hours(offset);
    let midnight = Utc
        .with_ymd_and_hms(local.year(), local.month(), local.day(), 0, 0, 0)
        .single()
        .unwrap_or(local);
    midnight + Duration::days(1) + Duration::hours(offset)
}

/// `GET /{ig-user-id}/insights?metric=...&period=day&metric_type=total_value&since&until`.
pub(crate) fn account(call: &GraphCall<'_>, index: usize) -> Result<Value, GraphError> {
    let state = call.state;
    if !call.bearer.has_scope(MANAGE_INSIGHTS) {
        return Err(GraphError::permission_missing(MANAGE_INSIGHTS));
    }
    let account = &state.catalog.accounts[index];
    let now = state.clock.now();
    let metrics = metric_list(call)?;
    let period = call
        .param("period")
        .ok_or_else(|| GraphError::invalid_parameter("The parameter period is required"))?;
    let metric_type = call.param("metric_type").unwrap_or("time_series");
    if !matches!(metric_type, "time_series" | "total_value") {
        return Err(GraphError::invalid_parameter(
            "metric_type must be time_series or total_value",
        ));
    }
    let timestamp = |name: &str| -> Result<Option<DateTime<Utc>>, GraphError> {
        call.param(name)
            .map(|raw| {
                raw.parse::<i64>()
                    .ok()
                    .and_then(|s| DateTime::from_timestamp(s, 0))
                    .ok_or_else(|| {
                        GraphError::invalid_parameter(format!("{name} must be a Unix timestamp"))
                    })
            })
            .transpose()
    };
    let until = timestamp("until")?.unwrap_or(now).min(now);
    let since = timestamp("since")?.unwrap_or(until - Duration::hours(24));
    if since >= until {
        return Err(GraphError::invalid_parameter("since must be before until"));
    }
    if until - since > Duration::days(i64::from(state.config.account_insights_max_days)) {
        return Err(GraphError::invalid_parameter(format!(
            "The time range between since and until must be at most {} days",
            state.config.account_insights_max_days
        )));
    }
    if now - since > Duration::days(ACCOUNT_RETENTION_DAYS) {
        return Err(GraphError::invalid_parameter(
            "since must be within the last 90 days: account insights are kept for 90 days",
        ));
    }
    let breakdown = call.param("breakdown");
    if breakdown.is_some() && metric_type != "total_value" {
        return Err(GraphError::invalid_parameter(
            "breakdown requires metric_type=total_value",
        ));
    }
    let mut data = Vec::new();
    for metric in &metrics {
        if metric == "impressions" {
            return Err(GraphError::invalid_parameter(
                "impressions is no longer supported; use views",
            ));
        }
        let Some(&(name, metric_period, time_series, needs_100)) =
            ACCOUNT_METRICS.iter().find(|(name, ..)| name == metric)
        else {
            return Err(GraphError::invalid_parameter(format!(
                "{metric} is not a valid insights metric"
            )));
        };
        if metric_period != period {
            return Err(GraphError::invalid_parameter(format!(
                "{name} requires period={metric_period}"
            )));
        }
        if metric_type == "time_series" && !time_series && metric_period == "day" {
            return Err(GraphError::invalid_parameter(format!(
                "{name} supports metric_type=total_value only"
            )));
        }
        if needs_100 && account.is_small() {
            // Unavailable under 100 followers: left out, not 0.
            continue;
        }
        let daily = |day_end: DateTime<Utc>| -> u64 {
            let base = account.daily_impressions.max(1);
            match name {
                "follower_count" => account.new_followers_on(day_end),
                "follows_and_unfollows" => account.new_followers_on(day_end) + 1,
                "reach" => base * 3 / 5,
                "views" => base,
                "accounts_engaged" => base / 20,
                "total_interactions" => base / 10,
                "likes" => base / 14,
                "comments" => base / 100,
                "shares" => base / 80,
                "saves" => base / 60,
                "replies" => base / 200,
                "reposts" => base / 300,
                "profile_links_taps" => base / 150,
                _ => base / 50,
            }
        };
        let mut days = Vec::new();
        let mut day_end = pacific_day_end(since);
        while day_end <= until + Duration::days(1) && days.len() < 100 {
            if day_end > since {
                days.push(day_end);
            }
            day_end = pacific_day_end(day_end + Duration::hours(1));
        }
        // A total over the range counts whole days within it.
        let total: u64 = days
            .iter()
            .filter(|end| **end <= until)
            .map(|end| daily(*end))
            .sum();
        let mut entry = json!({
            "name": name,
            "period": metric_period,
            "title": title(name),
            "description": format!("Sandbox {name}"),
            "id": format!("{}/insights/{name}/{metric_period}", account.ig_user_id),
        });
        if metric_type == "total_value" {
            let mut total_value = json!({ "value": total });
            if let Some(key) = breakdown {
                let dimensions: &[&str] = match key {
                    "media_product_type" => &["POST", "REEL", "STORY", "CAROUSEL_CONTAINER"],
                    "follow_type" => &["FOLLOWER", "NON_FOLLOWER"],
                    "contact_button_type" => &["BOOK_NOW", "CALL", "EMAIL", "DIRECTION", "TEXT"],
                    _ => {
                        return Err(GraphError::invalid_parameter(format!(
                            "Invalid breakdown {key}"
                        )));
                    }
                };
                total_value = breakdown_of(MetricValue::Count(total), key, dimensions);
            }
            entry["total_value"] = total_value;
        } else {
            entry["values"] = json!(
                days.iter()
                    .filter(|end| **end <= until)
                    .map(|end| json!({ "value": daily(*end), "end_time": super::fields::graph_time(*end) }))
                    .collect::<Vec<_>>()
            );
        }
        data.push(entry);
    }
    Ok(json!({ "data": data }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacific_days_end_at_seven_or_eight_utc() {
        let summer = Utc
            .with_ymd_and_hms(2026, 7, 10, 12, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(
            pacific_day_end(summer).to_rfc3339(),
            "2026-07-11T07:00:00+00:00"
        );
        let winter = Utc
            .with_ymd_and_hms(2026, 12, 10, 12, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(
            pacific_day_end(winter).to_rfc3339(),
            "2026-12-11T08:00:00+00:00"
        );
        let early = Utc
            .with_ymd_and_hms(2026, 12, 10, 3, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(
            pacific_day_end(early).to_rfc3339(),
            "2026-12-10T08:00:00+00:00"
        );
    }
}
