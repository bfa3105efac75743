//! Media insights (metric sets, absent is not 0, per-metric fallback, per-media states) and
//! account insights (parameters, chunking, retention).

use std::time::Duration;

use instagram_client::{
    AccountInsightsQuery, InsightsState, InstagramError, MediaMetric, MediaProductType, MetricType,
    MetricValue,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const INSIGHTS: &str = "/graph/v25.0/17918920912340654/insights";
const MEDIA_ID: &str = "17918920912340654";

fn metric(name: &str, value: Value) -> Value {
    json!({"name": name, "period": "lifetime", "values": [{"value": value}], "title": name,
           "id": format!("{MEDIA_ID}/insights/{name}/lifetime")})
}

#[tokio::test]
async fn lifetime_values_come_back_and_an_absent_metric_is_unknown() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(INSIGHTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [metric("views", json!(18400)), metric("reels_skip_rate", json!(12.5))]})))
        .mount(&server)
        .await;
    let metrics = MediaMetric::recommended_for(&MediaProductType::Reels);
    let insights = client_for(&server)
        .media_insights(&token(), MEDIA_ID, &MediaProductType::Reels, &metrics)
        .await
        .unwrap();
    assert_eq!(insights.state, InsightsState::Available);
    assert_eq!(
        insights.get(MediaMetric::Views),
        Some(MetricValue::Integer(18_400))
    );
    assert_eq!(insights.get(MediaMetric::Reach), None, "left out, not 0");
    let request = &requests_to(&server, INSIGHTS).await[0];
    let asked = param(request, "metric").unwrap();
    assert_eq!(
        asked,
        "views,reach,likes,comments,saved,shares,total_interactions,ig_reels_avg_watch_time,ig_reels_video_view_total_time"
    );
    assert_eq!(param(request, "period"), None, "media metrics are lifetime");
}

#[tokio::test]
async fn an_unknown_error_on_a_batch_falls_back_to_one_metric_at_a_time() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(INSIGHTS))
        .and(query_param("metric", "views,follows"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(
            1,
            None,
            "An unknown error has occurred.",
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(INSIGHTS))
        .and(query_param("metric", "follows"))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(
            100,
            None,
            "(#100) unsupported metric",
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(INSIGHTS))
        .and(query_param("metric", "views"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [metric("views", json!(7))]})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server);
    let metrics = [MediaMetric::Views, MediaMetric::Follows];
    let insights = client
        .media_insights(&token(), MEDIA_ID, &MediaProductType::Reels, &metrics)
        .await
        .unwrap();
    assert_eq!(
        insights.get(MediaMetric::Views),
        Some(MetricValue::Integer(7))
    );
    assert_eq!(insights.unsupported, [MediaMetric::Follows]);
    // The batch (code 1 is transient: four attempts), then views, then follows.
    assert_eq!(requests_to(&server, INSIGHTS).await.len(), 6);
    let again = client
        .media_insights(&token(), MEDIA_ID, &MediaProductType::Reels, &metrics)
        .await
        .unwrap();
    assert_eq!(again.unsupported, [MediaMetric::Follows]);
    assert_eq!(
        requests_to(&server, INSIGHTS).await.len(),
        7,
        "follows is not asked for again"
    );
}

#[tokio::test]
async fn not_enough_viewers_and_before_conversion_are_states() {
    for (body, state) in [
        (
            graph_error(
                10,
                None,
                "(#10) Not enough viewers for the media to show insights",
            ),
            InsightsState::NotEnoughData,
        ),
        (
            graph_error(4, Some(2_108_006), "(#4) posted before conversion"),
            InsightsState::Unavailable,
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(INSIGHTS))
            .respond_with(ResponseTemplate::new(400).set_body_json(body))
            .mount(&server)
            .await;
        let insights = client_for(&server)
            .media_insights(
                &token(),
                MEDIA_ID,
                &MediaProductType::Story,
                &[MediaMetric::Views, MediaMetric::Reach],
            )
            .await
            .unwrap();
        assert_eq!(insights.state, state);
        assert!(insights.values.is_empty());
        assert_eq!(
            requests_to(&server, INSIGHTS).await.len(),
            1,
            "neither retried nor split"
        );
    }
}

const ACCOUNT: &str = "/graph/v25.0/17841405822304914/insights";

#[tokio::test]
async fn account_insights_send_the_documented_parameters_and_chunk_long_ranges() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ACCOUNT))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"name": "reach", "period": "day", "total_value": {"value": 224, "breakdowns": [
                {"dimension_keys": ["media_product_type"], "results": [
                    {"dimension_values": ["CAROUSEL_CONTAINER"], "value": 100},
                    {"dimension_values": ["POST"], "value": 124}]}]},
             "id": "17841405822304914/insights/reach/day"}]})))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let since = now() - chrono::Duration::days(75);
    let query = AccountInsightsQuery::daily_totals(["reach"], since, now())
        .with_breakdown("media_product_type");
    let insights = client
        .account_insights_chunked(
            &token(),
            IG_USER_ID,
            &query,
            Duration::from_secs(30 * 86_400),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(insights.len(), 3);
    assert_eq!(insights[0].value(), Some(MetricValue::Integer(224)));
    assert_eq!(
        insights[0].total_value.as_ref().unwrap().breakdowns[0]
            .results
            .len(),
        2
    );
    let requests = requests_to(&server, ACCOUNT).await;
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(param(first, "metric").as_deref(), Some("reach"));
    assert_eq!(param(first, "period").as_deref(), Some("day"));
    assert_eq!(param(first, "metric_type").as_deref(), Some("total_value"));
    assert_eq!(
        param(first, "breakdown").as_deref(),
        Some("media_product_type")
    );
    assert_eq!(param(first, "since"), Some(since.timestamp().to_string()));
    assert_eq!(
        param(&requests[2], "until"),
        Some(now().timestamp().to_string())
    );

    let too_old =
        AccountInsightsQuery::daily_totals(["reach"], now() - chrono::Duration::days(91), now())
            .with_metric_type(MetricType::TimeSeries);
    let error = client
        .account_insights(&token(), IG_USER_ID, &too_old, now())
        .await
        .unwrap_err();
    assert!(matches!(error, InstagramError::InvalidArgument(_)));
    assert_eq!(
        requests_to(&server, ACCOUNT).await.len(),
        3,
        "refused without a call"
    );
}
