//! The authorization URL's exact parameters, the code exchange, granular consent, refresh
//! (and rotation), dead refresh tokens, and revocation.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use youtube_client::{
    AuthorizationCode, AuthorizeOptions, ErrorClass, GrantProblem, RefreshToken, RevokeOutcome,
    SecretString, YouTubeClient, pkce_challenge, scope,
};

use crate::helpers::*;

#[tokio::test]
async fn the_authorization_url_carries_every_parameter_google_documents() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let request = client.authorization_request_for(Some("maya@example.com"));
    let url = &request.url;
    assert_eq!(url.path(), "/o/oauth2/v2/auth");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("client_id"), Some(CLIENT_ID));
    assert_eq!(get("redirect_uri"), Some(REDIRECT_URI));
    assert_eq!(get("response_type"), Some("code"));
    assert_eq!(
        get("scope"),
        Some(format!("openid email {YOUTUBE} {ANALYTICS}").as_str())
    );
    assert_eq!(get("state"), Some(request.state.as_str()));
    assert!(request.state.len() >= 43, "256 random bits");
    assert_eq!(get("access_type"), Some("offline"));
    assert_eq!(get("prompt"), Some("consent"));
    assert_eq!(get("include_granted_scopes"), Some("true"));
    assert_eq!(get("code_challenge_method"), Some("S256"));
    let verifier = request.pkce_verifier.as_ref().unwrap();
    use youtube_client::ExposeSecret as _;
    assert!((43..=128).contains(&verifier.expose_secret().len()));
    assert_eq!(
        get("code_challenge"),
        Some(pkce_challenge(verifier.expose_secret()).as_str())
    );
    assert_eq!(get("login_hint"), Some("maya@example.com"));
    assert!(
        url.as_str().contains("scope=openid+email+https"),
        "spaces, encoded"
    );
    assert_ne!(client.authorization_request().state, request.state);

    let plain = YouTubeClient::new(
        config_for(&server).with_authorize_options(AuthorizeOptions {
            offline: false,
            prompt_consent: false,
            select_account: true,
            include_granted_scopes: false,
            pkce: false,
        }),
    )
    .unwrap();
    let request = plain.authorization_request();
    assert!(request.pkce_verifier.is_none());
    let query = request.url.query().unwrap();
    assert!(!query.contains("access_type") && !query.contains("code_challenge"));
    assert!(query.contains("prompt=select_account"));
    assert!(!query.contains("include_granted_scopes"));
}

#[tokio::test]
async fn the_code_exchange_sends_the_documented_form_and_reads_the_granted_scopes() {
    let server = MockServer::start().await;
    let mut answer = token_answer(
        &format!("openid {YOUTUBE} https://www.googleapis.com/auth/userinfo.email"),
        Some(REFRESH_TOKEN),
    );
    answer["expires_in"] = json!(3920);
    answer["refresh_token_expires_in"] = json!(86_400);
    answer["id_token"] = json!("e30.eyJzdWIiOiIxMTIyMzMifQ.sig");
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server);
    let verifier = SecretString::from("verifier-of-forty-three-characters-at-least-x".to_owned());
    let grant = client
        .exchange_code(&AuthorizationCode::new("4/0A-code"), Some(&verifier))
        .await
        .unwrap();
    let request = &requests_to(&server, "/token").await[0];
    assert_eq!(
        request.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let fields = form_fields(request);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("code"), Some("4/0A-code"));
    assert_eq!(field("client_id"), Some(CLIENT_ID));
    assert_eq!(field("client_secret"), Some(CLIENT_SECRET));
    assert_eq!(field("redirect_uri"), Some(REDIRECT_URI));
    assert_eq!(field("grant_type"), Some("authorization_code"));
    assert_eq!(
        field("code_verifier"),
        Some("verifier-of-forty-three-characters-at-least-x")
    );
    assert_eq!(grant.expires_in, Duration::from_secs(3_920));
    assert_eq!(grant.obtained_at, now());
    assert_eq!(
        grant.refresh_token_expires_in,
        Some(Duration::from_secs(86_400))
    );
    assert_eq!(
        grant
            .refresh_token
            .as_ref()
            .map(RefreshToken::expose_secret),
        Some(REFRESH_TOKEN)
    );
    assert!(grant.scopes.has(scope::EMAIL));
    let features = grant.usable().unwrap();
    assert!(!features.analytics, "analytics unticked: connect anyway");
    assert!(features.identity);
    assert_eq!(
        grant.id_token.unwrap().unverified_claims().unwrap().sub,
        "112233"
    );
}

#[tokio::test]
async fn a_grant_without_youtube_or_a_refresh_token_is_not_usable() {
    for (answer, problem) in [
        (
            token_answer(&format!("openid {ANALYTICS}"), Some(REFRESH_TOKEN)),
            GrantProblem::YouTubeScopeNotGranted,
        ),
        (
            token_answer(&format!("openid {YOUTUBE}"), None),
            GrantProblem::NoRefreshToken,
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .mount(&server)
            .await;
        let grant = client_for(&server)
            .exchange_code(&AuthorizationCode::new("4/0A"), None)
            .await
            .unwrap();
        assert_eq!(grant.usable(), Err(problem));
    }
}

#[tokio::test]
async fn a_refused_exchange_is_not_retried_but_an_outage_is() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "Code was already redeemed."
        })))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .exchange_code(&AuthorizationCode::new("4/0A"), None)
        .await
        .unwrap_err();
    assert!(error.needs_reauth());
    assert_eq!(error.reason(), Some("invalid_grant"));
    assert_eq!(requests_to(&server, "/token").await.len(), 1);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_answer(YOUTUBE, Some(REFRESH_TOKEN))),
        )
        .mount(&server)
        .await;
    assert!(
        client_for(&server)
            .exchange_code(&AuthorizationCode::new("4/0A"), None)
            .await
            .is_ok()
    );
    assert_eq!(requests_to(&server, "/token").await.len(), 2);

    let error = client_for(&server)
        .exchange_code(&AuthorizationCode::new(""), None)
        .await
        .unwrap_err();
    assert_eq!(error.class(), ErrorClass::Invalid);
}

#[tokio::test]
async fn refresh_keeps_the_refresh_token_tolerates_rotation_and_types_a_dead_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_answer(YOUTUBE, None)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(token_answer(YOUTUBE, Some("1//0rotated"))),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "Token has been expired or revoked."
        })))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let refresh_token = RefreshToken::new(REFRESH_TOKEN);
    let refreshed = client.refresh(&refresh_token).await.unwrap();
    assert!(
        refreshed.refresh_token.is_none(),
        "no rotation: keep the stored one"
    );
    let fields = form_fields(&requests_to(&server, "/token").await[0]);
    assert!(fields.contains(&("grant_type".into(), "refresh_token".into())));
    assert!(fields.contains(&("refresh_token".into(), REFRESH_TOKEN.into())));
    assert!(fields.contains(&("client_secret".into(), CLIENT_SECRET.into())));
    let rotated = client.refresh(&refresh_token).await.unwrap();
    assert_eq!(
        rotated.refresh_token.map(|t| t.expose_secret().to_owned()),
        Some("1//0rotated".to_owned())
    );
    let dead = client.refresh(&refresh_token).await.unwrap_err();
    assert_eq!(dead.class(), ErrorClass::Reauth);
    assert_eq!(dead.kind(), "reauth");
    assert_eq!(
        requests_to(&server, "/token").await.len(),
        3,
        "invalid_grant is not retried"
    );
}

#[tokio::test]
async fn revoke_treats_200_and_invalid_token_as_done_and_keeps_the_token_out_of_the_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/revoke"))
        .respond_with(ResponseTemplate::new(200).set_body_string(""))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/revoke"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_token", "error_description": "Token expired or revoked"
        })))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let token = RefreshToken::new(REFRESH_TOKEN);
    assert_eq!(
        client.revoke_refresh_token(&token).await.unwrap(),
        RevokeOutcome::Revoked
    );
    assert_eq!(
        client
            .revoke_access_token(&crate::helpers::token())
            .await
            .unwrap(),
        RevokeOutcome::AlreadyInvalid
    );
    let requests = requests_to(&server, "/revoke").await;
    assert_eq!(
        form_fields(&requests[0]),
        [("token".to_owned(), REFRESH_TOKEN.to_owned())]
    );
    assert!(requests.iter().all(|r| r.url.query().is_none()));
}
