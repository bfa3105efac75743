//! Response models survive TikTok adding things: unknown fields are kept in `extra`,
//! unknown enum values decode, and the caller chooses the fields to fetch.

use futures::TryStreamExt as _;
use serde_json::json;
use tiktok_client::{
    AccessToken, RemovalReason, UserField, VideoField, WebhookEventKind, parse_webhook,
};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

fn token() -> AccessToken {
    AccessToken::new(ACCESS_TOKEN.to_owned())
}

#[tokio::test]
async fn a_profile_with_an_unknown_field_decodes_and_keeps_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user/info/"))
        .and(query_param("fields", "open_id,display_name,creator_tier"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "user": {
                "open_id": "-000aBcD",
                "display_name": "Ana",
                "creator_tier": {"level": 3, "since": 1764050000},
                "shiny_new_flag": true
            }
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let fields = [
        UserField::DisplayName,
        UserField::Other {
            name: "creator_tier",
            scope: "user.info.profile",
        },
    ];
    let user = client_for(&server)
        .user_info(&token(), &fields)
        .await
        .unwrap();
    assert_eq!(user.display_name.as_deref(), Some("Ana"));
    assert_eq!(
        user.extra.get("creator_tier"),
        Some(&json!({"level": 3, "since": 1764050000}))
    );
    assert_eq!(user.extra.get("shiny_new_flag"), Some(&json!(true)));
    assert_eq!(user.extra.len(), 2);
}

#[tokio::test]
async fn a_video_page_with_unknown_fields_decodes_and_keeps_them() {
    let server = MockServer::start().await;
    let mut video = video_json("7300000000000000001");
    video["music_id"] = json!("7300000000000000099");
    video["region"] = json!({"code": "FR"});
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "videos": [video],
            "cursor": 1764050000000_i64,
            "has_more": false,
            "search_id": "page-level-addition"
        }))))
        .mount(&server)
        .await;
    let page = client_for(&server)
        .list_videos(&token(), None, 20)
        .await
        .unwrap();
    let video = &page.videos[0];
    assert_eq!(video.id, "7300000000000000001");
    assert_eq!(video.view_count, Some(1000));
    assert_eq!(
        video.extra.get("music_id"),
        Some(&json!("7300000000000000099"))
    );
    assert_eq!(video.extra.get("region"), Some(&json!({"code": "FR"})));
    assert_eq!(
        page.extra.get("search_id"),
        Some(&json!("page-level-addition"))
    );
}

#[test]
fn a_webhook_with_an_unknown_event_and_reason_decodes() {
    let body = json!({
        "client_key": CLIENT_KEY,
        "event": "creator.tier.changed",
        "create_time": 1764050000,
        "user_openid": "-000aBcD",
        "content": "{\"reason\": 42}",
        "delivery_attempt": 2
    })
    .to_string();
    let event = parse_webhook(body.as_bytes()).unwrap();
    assert_eq!(
        event.kind(),
        WebhookEventKind::Other("creator.tier.changed".to_owned())
    );
    assert_eq!(event.extra.get("delivery_attempt"), Some(&json!(2)));
    assert_eq!(event.removal_reason().unwrap(), None, "not a removal");

    let removal = json!({
        "client_key": CLIENT_KEY,
        "event": "authorization.removed",
        "create_time": 1764050000,
        "user_openid": "-000aBcD",
        "content": "{\"reason\": 42}"
    })
    .to_string();
    let event = parse_webhook(removal.as_bytes()).unwrap();
    assert_eq!(event.kind(), WebhookEventKind::AuthorizationRemoved);
    assert_eq!(
        event.removal_reason().unwrap(),
        Some(RemovalReason::Other(42))
    );
    // The value enums decode with serde too, unknown values included.
    let reason: RemovalReason = serde_json::from_value(json!(42)).unwrap();
    assert_eq!(reason, RemovalReason::Other(42));
    let kind: WebhookEventKind = serde_json::from_value(json!("video.publish.completed")).unwrap();
    assert_eq!(kind, WebhookEventKind::VideoPublishCompleted);
}

#[tokio::test]
async fn video_calls_request_the_fields_the_caller_chose() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .and(query_param(
            "fields",
            "id,view_count,like_count,is_stem_verified",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "videos": [{"id": "7300000000000000001", "view_count": 7, "like_count": 1,
                        "is_stem_verified": false}],
            "cursor": 1764050000000_i64,
            "has_more": false
        }))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/video/query/"))
        .and(query_param("fields", "id,cover_image_url"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "videos": [{"id": "7300000000000000001", "cover_image_url": "https://p16.example/c"}]
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let fields = [
        VideoField::ViewCount,
        VideoField::LikeCount,
        VideoField::Other("is_stem_verified"),
    ];
    let videos: Vec<_> = client
        .videos_with_fields(&token(), &fields)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(videos[0].view_count, Some(7));
    assert_eq!(videos[0].title, None, "not requested");
    assert_eq!(videos[0].extra.get("is_stem_verified"), Some(&json!(false)));

    let covers = client
        .query_videos_with_fields(
            &token(),
            &["7300000000000000001".to_owned()],
            &[VideoField::CoverImageUrl],
        )
        .await
        .unwrap();
    assert_eq!(
        covers[0].cover_image_url.as_deref(),
        Some("https://p16.example/c")
    );
}

#[tokio::test]
async fn the_default_video_calls_still_request_every_documented_field() {
    let server = MockServer::start().await;
    let every: Vec<&str> = VideoField::ALL.iter().map(|field| field.as_str()).collect();
    Mock::given(method("POST"))
        .and(path("/v2/video/list/"))
        .and(query_param("fields", every.join(",").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(ok_envelope(json!({
            "videos": [], "has_more": false
        }))))
        .expect(1)
        .mount(&server)
        .await;
    let page = client_for(&server)
        .list_videos(&token(), None, 20)
        .await
        .unwrap();
    assert!(page.videos.is_empty());
}
