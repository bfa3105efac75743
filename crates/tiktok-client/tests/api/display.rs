//! Display API: user info, video list page, video query, envelope errors.

use serde_json::json;
use tiktok_client::{AccessToken, TikTokError, UserField};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

fn token() -> AccessToken {
    AccessToken::new(ACCESS_TOKEN.to_owned())
}

#[tokio::test]
async fn user_info_with_partial_scopes_asks_only_allowed_fields_and_leaves_the_rest_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .and(header(
            "authorization",
            format!("Bearer {ACCESS_TOKEN}").as_str(),
        ))
        .and(query_param(
            "fields",
            "open_id,union_id,avatar_url,avatar_url_100,avatar_large_url,display_name,\
             follower_count,following_count,likes_count,video_count",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "user": {
                "open_id": "-000aBcD",
                "union_id": "u-1",
                "avatar_url": "https://p16.example/a.jpg",
                "display_name": "Ana 🎉",
                "follower_count": 1234,
                "following_count": 5,
                "likes_count": 99999,
                "video_count": 95
            }
        }))))
        .expect(1)
        .mount(&server)
        .await;

    let fields = UserField::allowed_by(&["user.info.basic", "user.info.stats"]);
    let user = client_for(&server)
        .user_info(&token(), &fields)
        .await
        .unwrap();

    assert_eq!(user.open_id, "-000aBcD");
    assert_eq!(user.display_name.as_deref(), Some("Ana 🎉"));
    assert_eq!(user.follower_count, Some(1234));
    assert_eq!(user.video_count, Some(95));
    assert_eq!(user.avatar_url_100, None, "absent from the response");
    assert_eq!(user.bio_description, None, "scope not granted");
    assert_eq!(user.is_verified, None);
    assert_eq!(user.username, None);
}

#[tokio::test]
async fn user_info_reads_every_documented_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "user": {
                "open_id": "o", "union_id": "u", "avatar_url": "a", "avatar_url_100": "a100",
                "avatar_large_url": "al", "display_name": "d", "bio_description": "",
                "profile_deep_link": "https://www.tiktok.com/@ana?lang=en", "is_verified": true,
                "username": "ana", "follower_count": 1, "following_count": 2,
                "likes_count": 3, "video_count": 4
            }
        }))))
        .mount(&server)
        .await;
    let user = client_for(&server)
        .user_info(&token(), &UserField::ALL)
        .await
        .unwrap();
    let fields = &requests_to(&server, "/v2/user/info/").await[0];
    let asked = fields
        .url
        .query_pairs()
        .find(|(key, _)| key == "fields")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(asked.split(',').count(), UserField::ALL.len());
    assert_eq!(user.bio_description.as_deref(), Some(""));
    assert_eq!(user.is_verified, Some(true));
    assert_eq!(user.username.as_deref(), Some("ana"));
    assert_eq!(user.likes_count, Some(3));
}

async fn user_info_error(status: u16, code: &str) -> (TikTokError, usize) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(ResponseTemplate::new(status).set_body_json(error_envelope(
            code,
            "explained",
            "2026112509xyz",
        )))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .user_info(&token(), &[UserField::DisplayName])
        .await
        .unwrap_err();
    let calls = requests_to(&server, "/v2/user/info/").await.len();
    (error, calls)
}

#[tokio::test]
async fn display_api_error_codes_are_told_apart_and_not_retried() {
    let (error, calls) = user_info_error(401, "scope_not_authorized").await;
    assert!(
        matches!(error, TikTokError::ScopeNotAuthorized { .. }),
        "{error:?}"
    );
    assert_eq!(calls, 1);

    let (error, calls) = user_info_error(401, "scope_permission_missed").await;
    assert!(
        matches!(error, TikTokError::ScopePermissionMissed { .. }),
        "{error:?}"
    );
    assert_eq!(calls, 1);

    let (error, calls) = user_info_error(400, "invalid_params").await;
    match &error {
        TikTokError::Api {
            code,
            message,
            log_id,
            http_status,
        } => {
            assert_eq!(code, "invalid_params");
            assert_eq!(message, "explained");
            assert_eq!(log_id.as_deref(), Some("2026112509xyz"));
            assert_eq!(*http_status, 400);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(calls, 1);
}

#[tokio::test]
async fn an_error_envelope_on_http_200_is_an_error() {
    let (error, _) = user_info_error(200, "access_token_invalid").await;
    assert!(
        matches!(error, TikTokError::AccessTokenInvalid { .. }),
        "{error:?}"
    );
    assert_eq!(error.log_id(), Some("2026112509xyz"));
}

#[tokio::test]
async fn internal_error_is_retried_until_the_budget_is_spent() {
    let (error, calls) = user_info_error(500, "internal_error").await;
    assert!(matches!(&error, TikTokError::Api { code, .. } if code == "internal_error"));
    assert!(error.is_retryable());
    assert_eq!(calls, 4, "one call and three retries");
}

#[tokio::test]
async fn log_id_falls_back_to_the_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-tt-logid", "header-log-id")
                .set_body_string("<html>Forbidden</html>"),
        )
        .mount(&server)
        .await;
    let error = client_for(&server)
        .user_info(&token(), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error, TikTokError::Http { status: 403, .. }),
        "{error:?}"
    );
    assert_eq!(error.log_id(), Some("header-log-id"));
}

#[tokio::test]
async fn list_videos_sends_the_documented_request_and_reads_a_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .and(header(
            "authorization",
            format!("Bearer {ACCESS_TOKEN}").as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "videos": [video_json("7300000000000000001")],
            "cursor": 1764049999000i64,
            "has_more": true
        }))))
        .mount(&server)
        .await;
    let page = client_for(&server)
        .list_videos(&token(), Some(1764050000000), 7)
        .await
        .unwrap();

    let request = &requests_to(&server, "/v2/video/list/").await[0];
    let body: serde_json::Value = request.body_json().unwrap();
    assert_eq!(body, json!({"max_count": 7, "cursor": 1764050000000i64}));
    let fields = request
        .url
        .query_pairs()
        .find(|(key, _)| key == "fields")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(
        fields,
        "id,create_time,cover_image_url,share_url,video_description,duration,height,width,\
         title,embed_html,embed_link,like_count,comment_count,share_count,view_count"
    );

    assert!(page.has_more);
    assert_eq!(page.cursor, Some(1764049999000));
    let video = &page.videos[0];
    assert_eq!(video.id, "7300000000000000001");
    assert_eq!(video.view_count, Some(1000));
    assert_eq!(video.duration, Some(15));
    assert_eq!(
        video.video_description.as_deref(),
        Some("a <b> & \"quoted\" 🎉")
    );
    assert_eq!(video.created_at().unwrap().timestamp(), 1764050000);
}

#[tokio::test]
async fn max_count_outside_1_to_20_is_refused_without_a_call() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    for max_count in [0, 21] {
        let error = client
            .list_videos(&token(), None, max_count)
            .await
            .unwrap_err();
        assert!(
            matches!(error, TikTokError::InvalidArgument(_)),
            "{error:?}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn query_videos_sends_the_ids_and_returns_the_found_ones() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "videos": [video_json("7300000000000000002")],
            "cursor": 0,
            "has_more": false
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let ids = vec![
        "7300000000000000002".to_owned(),
        "7300000000000000003".to_owned(),
    ];
    let videos = client_for(&server)
        .query_videos(&token(), &ids)
        .await
        .unwrap();
    let request = &requests_to(&server, "/v2/video/query/").await[0];
    let body: serde_json::Value = request.body_json().unwrap();
    assert_eq!(
        body,
        json!({"filters": {"video_ids": ["7300000000000000002", "7300000000000000003"]}})
    );
    assert_eq!(videos.len(), 1);
    assert_eq!(videos[0].id, "7300000000000000002");
}

#[tokio::test]
async fn query_videos_takes_1_to_20_ids_without_a_call_otherwise() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let too_many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
    for ids in [&[][..], &too_many[..]] {
        let error = client.query_videos(&token(), ids).await.unwrap_err();
        assert!(
            matches!(error, TikTokError::InvalidArgument(_)),
            "{error:?}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn base_url_with_a_path_prefix_is_joined() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/tiktok/v2/user/info/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(ok_envelope(json!({"user": {"open_id": "o"}}))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let config =
        config_for(&server).with_api_base_url(format!("{}/tiktok", server.uri()).parse().unwrap());
    let client = tiktok_client::TikTokClient::new(config).unwrap();
    let user = client.user_info(&token(), &[]).await.unwrap();
    assert_eq!(user.open_id, "o");
}
