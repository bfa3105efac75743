//! Profile, media, children, stories and raw reads: paths, versions, fields, decoding.

use instagram_client::{
    AccountType, InstagramClient, InstagramError, MediaField, MediaType, ProfileField,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

async fn mount(server: &MockServer, at: &str, body: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_profile_asks_for_the_chosen_fields_on_the_versioned_path() {
    let server = MockServer::start().await;
    mount(
        &server,
        "/graph/v25.0/me",
        json!({"id": "9876543210123456", "user_id": IG_USER_ID, "username": "metricsaurus", "account_type": "MEDIA_CREATOR", "followers_count": 12034, "new_field": 1}),
    )
    .await;
    let profile = client_for(&server)
        .profile(
            &token(),
            &ProfileField::allowed_by(&["instagram_business_basic"]),
        )
        .await
        .unwrap();
    assert_eq!(profile.user_id.as_deref(), Some(IG_USER_ID));
    assert_eq!(profile.account_type, Some(AccountType::MediaCreator));
    assert_eq!(profile.followers_count, Some(12_034));
    assert_eq!(profile.biography, None);
    assert!(profile.extra.contains_key("new_field"));
    let request = &requests_to(&server, "/graph/v25.0/me").await[0];
    let fields = param(request, "fields").unwrap();
    assert!(fields.starts_with("id,user_id,username"));
    assert_eq!(
        param(request, "access_token").as_deref(),
        Some(ACCESS_TOKEN)
    );
}

#[tokio::test]
async fn the_graph_version_is_configurable() {
    let server = MockServer::start().await;
    mount(&server, "/graph/v27.0/me", json!({"id": "1"})).await;
    let client = InstagramClient::new(config_for(&server).with_graph_version("v27.0")).unwrap();
    client.profile(&token(), &[]).await.unwrap();
}

#[tokio::test]
async fn media_children_and_stories() {
    let server = MockServer::start().await;
    mount(
        &server,
        "/graph/v25.0/17918920912340654",
        json!({"id": "17918920912340654", "media_type": "CAROUSEL_ALBUM", "timestamp": "2026-11-28T09:12:00+0000",
               "children": {"data": [{"id": "17900000000000001", "media_type": "IMAGE"}]}}),
    )
    .await;
    mount(
        &server,
        "/graph/v25.0/17918920912340654/children",
        json!({"data": [{"id": "17900000000000001", "media_type": "IMAGE"}, {"id": "17900000000000002", "media_type": "VIDEO"}]}),
    )
    .await;
    mount(
        &server,
        "/graph/v25.0/me/stories",
        json!({"data": [{"id": "18100000000000001", "media_product_type": "STORY"}]}),
    )
    .await;
    let client = client_for(&server);
    let media = client
        .media_by_id(&token(), "17918920912340654", &MediaField::ALL)
        .await
        .unwrap();
    assert_eq!(media.media_type, Some(MediaType::CarouselAlbum));
    assert_eq!(media.children.len(), 1);
    let children = client
        .children(&token(), "17918920912340654", &[MediaField::MediaType])
        .await
        .unwrap();
    assert_eq!(children[1].media_type, Some(MediaType::Video));
    let stories = client.stories(&token(), "me", &[]).await.unwrap();
    assert_eq!(stories.len(), 1);
}

#[tokio::test]
async fn raw_reads_go_through_the_same_plumbing() {
    let server = MockServer::start().await;
    mount(&server, "/graph/v25.0/me/tags", json!({"data": []})).await;
    let client = client_for(&server);
    let value = client
        .graph_get(
            &token(),
            "me/tags",
            &[("fields", "id"), ("access_token", "forged")],
        )
        .await
        .unwrap();
    assert_eq!(value, json!({"data": []}));
    let request = &requests_to(&server, "/graph/v25.0/me/tags").await[0];
    assert_eq!(
        param(request, "access_token").as_deref(),
        Some(ACCESS_TOKEN),
        "the caller cannot override the token"
    );
    assert!(matches!(
        client
            .graph_get(&token(), "../oauth/access_token", &[])
            .await,
        Err(InstagramError::InvalidArgument(_))
    ));
    assert!(matches!(
        client.media_by_id(&token(), "1/../../x", &[]).await,
        Err(InstagramError::InvalidArgument(_))
    ));
    assert!(
        server.received_requests().await.unwrap().len() == 1,
        "refused without a call"
    );
}
