//! Authorization URL, callback, code exchange (both shapes), long-lived exchange, refresh.

use std::time::Duration;

use instagram_client::{
    AccessToken, AuthorizeOptions, ExposeSecret as _, InstagramClient, InstagramError,
    LongLivedToken, RefreshRefusal, TokenTransport, parse_callback,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

#[tokio::test]
async fn the_authorize_url_carries_exactly_the_documented_parameters() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let request = client.authorization_request();
    assert_eq!(request.url.path(), "/www/oauth/authorize");
    let pairs: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("client_id".to_owned(), APP_ID.to_owned()),
            ("redirect_uri".into(), REDIRECT_URI.into()),
            ("response_type".into(), "code".into()),
            (
                "scope".into(),
                "instagram_business_basic,instagram_business_manage_insights".into()
            ),
            ("state".into(), request.state.clone()),
        ]
    );
    assert!(request.state.len() >= 43, "256 random bits");
    assert_ne!(client.authorization_request().state, request.state);
    assert!(request.pkce_verifier.is_none(), "PKCE is off by default");

    let options = AuthorizeOptions {
        force_reauth: true,
        enable_fb_login: Some(false),
        force_authentication: Some(true),
    };
    let client = InstagramClient::new(
        config_for(&server)
            .with_authorize_options(options)
            .with_pkce(true),
    )
    .unwrap();
    let request = client.authorization_request();
    let query = request.url.query().unwrap();
    for expected in [
        "force_reauth=true",
        "enable_fb_login=0",
        "force_authentication=1",
        "code_challenge_method=S256",
    ] {
        assert!(query.contains(expected), "{query}");
    }
    assert!(request.pkce_verifier.is_some());
    let verifier = request.pkce_verifier.as_ref().unwrap().expose_secret();
    assert!(verifier.len() >= 43, "RFC 7636: 43 characters or more");
    assert!(
        !format!("{request:?}").contains(verifier),
        "the verifier is redacted"
    );
}

async fn mount_exchange(server: &MockServer, status: u16, body: serde_json::Value) {
    Mock::given(method("POST"))
        .and(path("/api/oauth/access_token"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

fn code() -> instagram_client::AuthorizationCode {
    parse_callback("https://app.example/cb?code=AQBx-hBsH3&state=S#_", "S")
        .unwrap()
        .code
}

#[tokio::test]
async fn the_code_exchange_posts_the_form_and_reads_the_wrapped_shape() {
    let server = MockServer::start().await;
    mount_exchange(
        &server,
        200,
        json!({"data": [{"access_token": SHORT_TOKEN, "user_id": "9123456789012345", "permissions": "instagram_business_basic,instagram_business_manage_insights"}]}),
    )
    .await;
    let short = client_for(&server)
        .exchange_code(&code(), None)
        .await
        .unwrap();
    assert_eq!(short.access_token.expose_secret(), SHORT_TOKEN);
    assert_eq!(short.user_id, "9123456789012345");
    assert!(short.has_permission("instagram_business_manage_insights"));
    assert_eq!(short.obtained_at, now());
    assert_eq!(short.expires_at(), now() + chrono::Duration::hours(1));
    let requests = requests_to(&server, "/api/oauth/access_token").await;
    assert_eq!(
        form_fields(&requests[0]),
        [
            ("client_id".to_owned(), APP_ID.to_owned()),
            ("client_secret".into(), APP_SECRET.into()),
            ("grant_type".into(), "authorization_code".into()),
            ("redirect_uri".into(), REDIRECT_URI.into()),
            ("code".into(), "AQBx-hBsH3".into()),
        ]
    );
    assert_eq!(
        requests[0].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
}

#[tokio::test]
async fn the_flat_shape_with_a_number_user_id_keeps_every_digit() {
    let server = MockServer::start().await;
    // 17841405793187218 is above 2^53: through a double it would become ...216.
    Mock::given(method("POST"))
        .and(path("/api/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!(r#"{{"access_token":"{SHORT_TOKEN}","user_id":17841405793187218,"permissions":"instagram_business_basic"}}"#),
            "application/json",
        ))
        .mount(&server)
        .await;
    let short = client_for(&server)
        .exchange_code(&code(), None)
        .await
        .unwrap();
    assert_eq!(short.user_id, "17841405793187218");
    assert_eq!(short.permissions, ["instagram_business_basic"]);
}

#[tokio::test]
async fn a_reused_code_is_a_typed_flat_error_and_is_not_retried() {
    let server = MockServer::start().await;
    mount_exchange(
        &server,
        400,
        json!({"error_type": "OAuthException", "code": 400, "error_message": "Matching code was not found or was already used"}),
    )
    .await;
    let error = client_for(&server)
        .exchange_code(&code(), None)
        .await
        .unwrap_err();
    match &error {
        InstagramError::TokenEndpoint {
            code,
            message,
            error_type,
            ..
        } => {
            assert_eq!(*code, Some(400));
            assert_eq!(error_type.as_deref(), Some("OAuthException"));
            assert!(message.contains("already used"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!error.is_retryable());
    assert_eq!(
        requests_to(&server, "/api/oauth/access_token").await.len(),
        1
    );
}

#[tokio::test]
async fn a_5xx_exchange_is_retried_because_instagram_did_not_act() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth/access_token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_exchange(
        &server,
        200,
        json!({"access_token": SHORT_TOKEN, "user_id": "1"}),
    )
    .await;
    let short = client_for(&server)
        .exchange_code(&code(), None)
        .await
        .unwrap();
    assert!(short.permissions.is_empty());
    assert_eq!(
        requests_to(&server, "/api/oauth/access_token").await.len(),
        2
    );
}

#[tokio::test]
async fn the_long_lived_exchange_is_a_get_with_the_secret_and_reads_expires_in() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/graph/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": ACCESS_TOKEN, "token_type": "bearer", "expires_in": 5183944}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/oauth/access_token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": SHORT_TOKEN, "user_id": "7"})),
        )
        .mount(&server)
        .await;
    let connection = client_for(&server).connect(&code(), None).await.unwrap();
    assert_eq!(connection.token.access_token.expose_secret(), ACCESS_TOKEN);
    assert_eq!(
        connection.token.expires_in,
        Duration::from_secs(5_183_944),
        "never a constant"
    );
    assert_eq!(
        connection.token.expires_at(),
        now() + chrono::Duration::seconds(5_183_944)
    );
    let request = &requests_to(&server, "/graph/access_token").await[0];
    assert_eq!(
        param(request, "grant_type").as_deref(),
        Some("ig_exchange_token")
    );
    assert_eq!(param(request, "client_secret").as_deref(), Some(APP_SECRET));
    assert_eq!(param(request, "access_token").as_deref(), Some(SHORT_TOKEN));
    assert_eq!(
        param(request, "client_id"),
        None,
        "not a parameter of this call"
    );
}

fn long_lived(issued_hours_ago: i64) -> LongLivedToken {
    LongLivedToken::new(
        AccessToken::new(ACCESS_TOKEN),
        now() - chrono::Duration::hours(issued_hours_ago),
        Duration::from_secs(5_184_000),
    )
}

#[tokio::test]
async fn refresh_is_a_get_sent_only_once_the_token_is_24_hours_old_and_unexpired() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/graph/refresh_access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "IGAA-REFRESHED", "token_type": "bearer", "expires_in": 5184000}),
        ))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let early = client
        .refresh_long_lived(&long_lived(23), now())
        .await
        .unwrap_err();
    assert!(matches!(
        early,
        InstagramError::RefreshNotAllowed(RefreshRefusal::TooNew { .. })
    ));
    let expired = client
        .refresh_long_lived(&long_lived(24 * 61), now())
        .await
        .unwrap_err();
    assert!(matches!(
        expired,
        InstagramError::RefreshNotAllowed(RefreshRefusal::Expired { .. })
    ));
    assert!(expired.needs_reauth());
    assert!(
        requests_to(&server, "/graph/refresh_access_token")
            .await
            .is_empty(),
        "no call"
    );

    let fresh = client
        .refresh_long_lived(&long_lived(25), now())
        .await
        .unwrap();
    assert_eq!(fresh.access_token.expose_secret(), "IGAA-REFRESHED");
    assert_eq!(fresh.issued_at, now());
    let request = &requests_to(&server, "/graph/refresh_access_token").await[0];
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(
        param(request, "grant_type").as_deref(),
        Some("ig_refresh_token")
    );
    assert_eq!(
        param(request, "access_token").as_deref(),
        Some(ACCESS_TOKEN)
    );
    assert_eq!(
        param(request, "client_secret"),
        None,
        "refresh needs no secret"
    );
}

#[tokio::test]
async fn a_dead_token_on_refresh_needs_reauth_and_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/graph/refresh_access_token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(
            190,
            Some(460),
            "password changed",
        )))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .refresh_long_lived(&long_lived(48), now())
        .await
        .unwrap_err();
    assert!(error.needs_reauth());
    assert_eq!(error.fbtrace_id(), Some("TRACE1"));
    assert_eq!(
        requests_to(&server, "/graph/refresh_access_token")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn the_token_can_travel_in_a_bearer_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/graph/v25.0/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .mount(&server)
        .await;
    let client =
        InstagramClient::new(config_for(&server).with_token_transport(TokenTransport::Header))
            .unwrap();
    client.profile(&token(), &[]).await.unwrap();
    let request = &requests_to(&server, "/graph/v25.0/me").await[0];
    assert_eq!(param(request, "access_token"), None);
    assert_eq!(
        request.headers["authorization"],
        format!("Bearer {ACCESS_TOKEN}").as_str()
    );
}
