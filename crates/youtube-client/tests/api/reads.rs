//! Channel, videos, batchGetStats, Analytics and raw reads: the exact requests, and the
//! answers read into types (counters from strings, absent fields as `None`).

use chrono::NaiveDate;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use youtube_client::{
    ChannelLookup, ChannelPart, ErrorClass, StatsPart, StatsSource, VideoPart, YouTubeClient,
    YouTubeError,
};

use crate::helpers::*;

const CHANNELS: &str = "/youtube/v3/channels";
const VIDEOS: &str = "/youtube/v3/videos";
const STATS: &str = "/youtube/v3/videos:batchGetStats";

#[tokio::test]
async fn my_channel_asks_for_mine_with_the_bearer_token_and_reads_the_counters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CHANNELS))
        .and(query_param("mine", "true"))
        .and(query_param("part", "snippet,contentDetails,statistics"))
        .and(header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "youtube#channelListResponse",
            "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
            "items": [{
                "id": "UCxxxxxxxxxxxxxxxxxxxxxx",
                "snippet": {"title": "Creator", "customUrl": "@creator", "thumbnails": {}},
                "contentDetails": {"relatedPlaylists": {"uploads": "UUxxxxxxxxxxxxxxxxxxxxxx"}},
                "statistics": {"viewCount": "1234567", "subscriberCount": "1980000", "hiddenSubscriberCount": true, "videoCount": "321"}
            }]
        })))
        .mount(&server)
        .await;
    let lookup = client_for(&server)
        .my_channel(&token(), &ChannelPart::DEFAULT)
        .await
        .unwrap();
    let channel = lookup.channel().unwrap();
    assert_eq!(
        channel.uploads_playlist_id(),
        Some("UUxxxxxxxxxxxxxxxxxxxxxx")
    );
    let statistics = channel.statistics.as_ref().unwrap();
    assert_eq!(statistics.view_count, Some(1_234_567));
    assert_eq!(statistics.subscriber_count, Some(1_980_000));
    assert_eq!(statistics.visible_subscriber_count(), None, "hidden");
    assert_eq!(statistics.video_count, Some(321));
}

#[tokio::test]
async fn no_channel_is_an_outcome_whether_items_are_absent_or_signup_is_required() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CHANNELS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "youtube#channelListResponse", "etag": "x",
            "pageInfo": {"totalResults": 0, "resultsPerPage": 5}
        })))
        .mount(&server)
        .await;
    let client = client_for(&server);
    assert_eq!(
        client
            .my_channel(&token(), &ChannelPart::DEFAULT)
            .await
            .unwrap(),
        ChannelLookup::NoChannel
    );

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(CHANNELS))
        .respond_with(ResponseTemplate::new(401).set_body_json(google_error(
            401,
            "youtubeSignupRequired",
            "youtube.header",
            "Unauthorized",
        )))
        .mount(&server)
        .await;
    assert_eq!(
        client_for(&server)
            .my_channel(&token(), &[ChannelPart::Id])
            .await
            .unwrap(),
        ChannelLookup::NoChannel
    );
    assert_eq!(requests_to(&server, CHANNELS).await.len(), 1);
}

fn video_json(id: &str) -> Value {
    json!({
        "id": id,
        "snippet": {"title": format!("Video {id}"), "liveBroadcastContent": "none"},
        "contentDetails": {"duration": "PT4M13S", "caption": "true"},
        "statistics": {"viewCount": "10", "commentCount": "2"},
        "status": {"privacyStatus": "unlisted"}
    })
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("vid{i:08}")).collect()
}

#[tokio::test]
async fn videos_are_read_fifty_ids_a_call_and_missing_ids_are_reported() {
    let server = MockServer::start().await;
    // Every third id is unknown to Google.
    Mock::given(method("GET"))
        .and(path(VIDEOS))
        .respond_with(|request: &wiremock::Request| {
            let asked = param(request, "id").unwrap();
            let items: Vec<Value> = asked
                .split(',')
                .enumerate()
                .filter(|(i, _)| i % 3 != 2)
                .map(|(_, id)| video_json(id))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({ "items": items }))
        })
        .mount(&server)
        .await;
    let client = client_for(&server);
    let wanted = ids(120);
    let lookup = client
        .videos(&token(), &wanted, &VideoPart::DEFAULT)
        .await
        .unwrap();
    let requests = requests_to(&server, VIDEOS).await;
    let sizes: Vec<usize> = requests
        .iter()
        .map(|r| param(r, "id").unwrap().split(',').count())
        .collect();
    assert_eq!(sizes, [50, 50, 20]);
    assert_eq!(
        param(&requests[0], "part").as_deref(),
        Some("snippet,contentDetails,statistics,status")
    );
    assert_eq!(lookup.videos.len() + lookup.missing.len(), 120);
    assert_eq!(lookup.missing[0], "vid00000002");
    let video = &lookup.videos[0];
    assert_eq!(video.statistics.as_ref().unwrap().view_count, Some(10));
    assert_eq!(
        video.statistics.as_ref().unwrap().like_count,
        None,
        "absent, not 0"
    );
    assert_eq!(video.content_details.as_ref().unwrap().caption, Some(true));

    let too_many = client
        .videos_list(&token(), &ids(51), &[])
        .await
        .unwrap_err();
    assert!(matches!(too_many, YouTubeError::InvalidArgument(_)));
    let bad = client
        .videos(&token(), &["a,b".to_owned()], &[])
        .await
        .unwrap_err();
    assert!(matches!(bad, YouTubeError::InvalidArgument(_)));
    assert_eq!(
        requests_to(&server, VIDEOS).await.len(),
        3,
        "nothing sent for bad ids"
    );
}

#[tokio::test]
async fn statistics_come_from_the_configured_source_in_either_encoding() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(STATS))
        .respond_with(|request: &wiremock::Request| {
            let asked = param(request, "id").unwrap();
            // Not atomic: the last id is left out; counters are numbers here.
            let ids: Vec<&str> = asked.split(',').collect();
            let items: Vec<Value> = ids[..ids.len() - 1]
                .iter()
                .map(|id| json!({"id": id, "statistics": {"viewCount": 7, "likeCount": "3"}}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({
                "kind": "youtube#batchGetStatsResponse", "items": items, "summary": {"anything": true}
            }))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(VIDEOS))
        .respond_with(|request: &wiremock::Request| {
            let asked = param(request, "id").unwrap();
            let items: Vec<Value> = asked.split(',').map(video_json).collect();
            ResponseTemplate::new(200).set_body_json(json!({ "items": items }))
        })
        .mount(&server)
        .await;
    let batch =
        YouTubeClient::new(config_for(&server).with_stats_source(StatsSource::BatchGetStats))
            .unwrap();
    let lookup = batch.video_statistics(&token(), &ids(60)).await.unwrap();
    assert_eq!(lookup.statistics.len(), 58);
    assert_eq!(lookup.missing, ["vid00000049", "vid00000059"]);
    assert_eq!(lookup.statistics[0].1.view_count, Some(7));
    assert_eq!(lookup.statistics[0].1.like_count, Some(3));
    let requests = requests_to(&server, STATS).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(param(&requests[0], "part").as_deref(), Some("statistics"));
    let raw = batch
        .batch_get_stats(
            &token(),
            &ids(2),
            &[StatsPart::Statistics, StatsPart::ContentDetails],
        )
        .await
        .unwrap();
    assert!(raw.extra.contains_key("summary"));

    let classic = client_for(&server);
    let lookup = classic.video_statistics(&token(), &ids(60)).await.unwrap();
    assert_eq!(lookup.statistics.len(), 60);
    assert_eq!(requests_to(&server, VIDEOS).await.len(), 2);
    assert_eq!(
        param(&requests_to(&server, VIDEOS).await[0], "part").as_deref(),
        Some("statistics")
    );
}

#[tokio::test]
async fn analytics_queries_map_rows_by_header_and_absent_rows_are_empty() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/reports"))
        .and(query_param("ids", "channel==MINE"))
        .and(query_param("startDate", "2026-11-01"))
        .and(query_param("endDate", "2026-11-04"))
        .and(query_param(
            "metrics",
            "views,estimatedMinutesWatched,likes,subscribersGained,subscribersLost",
        ))
        .and(query_param("dimensions", "day"))
        .and(query_param("sort", "day"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "youtubeAnalytics#resultTable",
            "columnHeaders": [
                {"name": "day", "columnType": "DIMENSION", "dataType": "STRING"},
                {"name": "views", "columnType": "METRIC", "dataType": "INTEGER"},
                {"name": "estimatedMinutesWatched", "columnType": "METRIC", "dataType": "INTEGER"},
                {"name": "likes", "columnType": "METRIC", "dataType": "INTEGER"},
                {"name": "subscribersGained", "columnType": "METRIC", "dataType": "INTEGER"},
                {"name": "subscribersLost", "columnType": "METRIC", "dataType": "INTEGER"}
            ],
            "rows": [["2026-11-01", 1520, 4310, 61, 12, 3], ["2026-11-03", 1488, 4102, 58, 9, 1]]
        })))
        .mount(&server)
        .await;
    let date = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let report = client_for(&server)
        .daily_channel_report(&token(), date(1), date(4))
        .await
        .unwrap();
    let views: Vec<u64> = report.rows.iter().map(|row| row.views).collect();
    assert_eq!(
        views,
        [1_520, 0, 1_488],
        "the quiet day is filled, the lagging one is not"
    );
    assert_eq!(report.rows[2].subscribers_gained, 9);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/reports"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "kind": "youtubeAnalytics#resultTable",
            "columnHeaders": [{"name": "day"}, {"name": "views"}, {"name": "estimatedMinutesWatched"},
                              {"name": "likes"}, {"name": "subscribersGained"}, {"name": "subscribersLost"}]
        })))
        .mount(&server)
        .await;
    let report = client_for(&server)
        .daily_channel_report(&token(), date(1), date(4))
        .await
        .unwrap();
    assert!(report.rows.is_empty());
}

#[tokio::test]
async fn a_missing_scope_is_named_from_www_authenticate() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/reports"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(google_error(
                    403,
                    "insufficientPermissions",
                    "global",
                    "Insufficient Permission: Request had insufficient authentication scopes.",
                ))
                .insert_header(
                    "www-authenticate",
                    format!("Bearer realm=\"https://accounts.google.com/\", error=\"insufficient_scope\", scope=\"{YOUTUBE}\"").as_str(),
                ),
        )
        .mount(&server)
        .await;
    let date = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let error = client_for(&server)
        .daily_channel_report(&token(), date, date)
        .await
        .unwrap_err();
    assert_eq!(error.class(), ErrorClass::PermissionMissing);
    assert_eq!(error.missing_scope(), Some(YOUTUBE));
}

#[tokio::test]
async fn a_raw_read_goes_through_the_same_token_errors_and_pricing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/youtube/v3/activities"))
        .and(query_param("part", "snippet"))
        .and(header(
            "authorization",
            format!("Bearer {ACCESS_TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .mount(&server)
        .await;
    let hook = std::sync::Arc::new(RecordingHook::default());
    let client = YouTubeClient::new(config_for(&server).with_quota_table(
        youtube_client::QuotaTable::current().with_cost(
            "captions.list",
            youtube_client::QuotaBucket::General,
            50,
        ),
    ))
    .unwrap()
    .with_call_hook(hook.clone());
    let body = client
        .data_get(
            &token(),
            "activities",
            &[("part", "snippet"), ("access_token", "leak")],
            "activities.list",
        )
        .await
        .unwrap();
    assert_eq!(body, json!({"items": []}));
    assert!(
        param(
            &requests_to(&server, "/youtube/v3/activities").await[0],
            "access_token"
        )
        .is_none()
    );
    let _ = client
        .data_get(&token(), "captions", &[], "captions.list")
        .await;
    assert_eq!(
        hook.events()
            .iter()
            .filter_map(|event| match event {
                HookEvent::Before(_, units, _) => *units,
                HookEvent::After(..) => None,
            })
            .collect::<Vec<_>>(),
        [1, 50]
    );
    client
        .data_get(
            &token(),
            "videos:batchGetStats",
            &[("id", "x")],
            "videos.batchGetStats",
        )
        .await
        .unwrap_err();
    assert_eq!(
        requests_to(&server, "/youtube/v3/videos:batchGetStats")
            .await
            .len(),
        1,
        "a colon inside the path is fine"
    );
    for bad in ["../token", "https://evil", "a//b", "videos?x=1", ""] {
        assert!(matches!(
            client.data_get(&token(), bad, &[], "x.list").await,
            Err(YouTubeError::InvalidArgument(_))
        ));
    }
}
