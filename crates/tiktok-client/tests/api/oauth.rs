//! Login Kit: authorize URL, exchange, refresh, revoke, and OAuth error shapes.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use tiktok_client::{
    ExposeSecret as _, PkceEncoding, RefreshToken, TikTokClient, TikTokError, pkce_challenge,
};
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

/// RFC 7636, appendix B.
const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// `sha256sum` of the RFC verifier, in hex.
const RFC_CHALLENGE_HEX: &str = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";

fn query_of(url: &Url) -> Vec<(String, String)> {
    url.query_pairs()
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

#[tokio::test]
async fn authorize_url_has_exactly_tiktoks_parameters() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let url = client.authorize_url("state-123", RFC_CHALLENGE);

    assert_eq!(url.path(), "/v2/auth/authorize/");
    assert_eq!(
        query_of(&url),
        owned(&[
            ("client_key", CLIENT_KEY),
            ("scope", "user.info.basic,video.list"),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("state", "state-123"),
            ("code_challenge", RFC_CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
    );
    assert!(!url.as_str().contains("client_id"));
    assert!(!url.as_str().contains(CLIENT_SECRET));
}

#[tokio::test]
async fn authorize_url_keeps_a_base_path_prefix_and_can_force_consent() {
    let client = TikTokClient::new(
        tiktok_client::TikTokConfig::new(CLIENT_KEY, CLIENT_SECRET, REDIRECT_URI.parse().unwrap())
            .with_auth_base_url("http://127.0.0.1:7001/tiktok".parse().unwrap())
            .with_disable_auto_auth(true),
    )
    .unwrap();
    let url = client.authorize_url("s", "c");
    assert!(
        url.as_str()
            .starts_with("http://127.0.0.1:7001/tiktok/v2/auth/authorize/?client_key=")
    );
    assert!(
        query_of(&url).contains(&("disable_auto_auth".to_owned(), "1".to_owned())),
        "{url}"
    );
}

#[test]
fn pkce_challenge_matches_the_rfc_7636_vector_in_both_encodings() {
    assert_eq!(
        pkce_challenge(RFC_VERIFIER, PkceEncoding::Base64Url),
        RFC_CHALLENGE
    );
    assert_eq!(
        pkce_challenge(RFC_VERIFIER, PkceEncoding::Hex),
        RFC_CHALLENGE_HEX
    );
}

async fn authorization_request_challenge(encoding: PkceEncoding) {
    let server = MockServer::start().await;
    let client = TikTokClient::new(config_for(&server).with_pkce_encoding(encoding)).unwrap();
    let request = client.authorization_request();
    let query: HashMap<_, _> = query_of(&request.url).into_iter().collect();

    assert_eq!(query["state"], request.state);
    assert!(request.state.len() >= 22, "at least 128 bits of state");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(
        query["code_challenge"],
        pkce_challenge(request.pkce_verifier.expose_secret(), encoding)
    );
    assert!(
        !request
            .url
            .as_str()
            .contains(request.pkce_verifier.expose_secret())
    );

    let other = client.authorization_request();
    assert_ne!(other.state, request.state);
    assert_ne!(
        other.pkce_verifier.expose_secret(),
        request.pkce_verifier.expose_secret()
    );
}

#[tokio::test]
async fn authorization_request_uses_base64url_challenges_by_default() {
    authorization_request_challenge(PkceEncoding::Base64Url).await;
    let server = MockServer::start().await;
    let request = client_for(&server).authorization_request();
    let challenge = query_of(&request.url)
        .into_iter()
        .find(|(key, _)| key == "code_challenge")
        .unwrap()
        .1;
    assert_eq!(challenge.len(), 43, "unpadded base64url of 32 bytes");
}

#[tokio::test]
async fn authorization_request_uses_hex_challenges_when_configured() {
    authorization_request_challenge(PkceEncoding::Hex).await;
}

#[tokio::test]
async fn exchange_sends_the_documented_form_and_parses_the_token_set() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .expect(1)
        .mount(&server)
        .await;
    let before = Utc::now();

    let tokens = client_for(&server)
        .exchange_code("code*with!odd-chars", RFC_VERIFIER)
        .await
        .unwrap();

    let request = &requests_to(&server, "/v2/oauth/token/").await[0];
    assert_eq!(
        form_fields(request),
        owned(&[
            ("client_key", CLIENT_KEY),
            ("client_secret", CLIENT_SECRET),
            ("code", "code*with!odd-chars"),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", RFC_VERIFIER),
        ])
    );
    assert!(
        request.headers.get("authorization").is_none(),
        "no HTTP Basic"
    );

    assert_eq!(tokens.access_token.expose_secret(), ACCESS_TOKEN);
    assert_eq!(
        tokens.refresh_token.as_ref().unwrap().expose_secret(),
        REFRESH_TOKEN
    );
    assert_eq!(tokens.open_id, "-000aBcD");
    assert_eq!(tokens.scopes, vec!["user.info.basic", "video.list"]);
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, Duration::from_secs(7200));
    assert_eq!(
        tokens.refresh_expires_in,
        Some(Duration::from_secs(15_552_000))
    );
    assert!(tokens.issued_at >= before && tokens.issued_at <= Utc::now());
    assert_eq!((tokens.expires_at() - tokens.issued_at).num_seconds(), 7200);
    assert_eq!(
        (tokens.refresh_expires_at().unwrap() - tokens.issued_at).num_seconds(),
        15_552_000
    );
    assert!(tokens.has_scope("video.list"));
}

#[tokio::test]
async fn refresh_sends_the_documented_form_and_keeps_none_for_an_empty_refresh_token() {
    let server = MockServer::start().await;
    let mut body = token_body();
    body["refresh_token"] = json!("");
    body["scope"] = json!("user.info.basic");
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;

    let tokens = client_for(&server)
        .refresh_access_token(&RefreshToken::new(REFRESH_TOKEN.to_owned()))
        .await
        .unwrap();

    let request = &requests_to(&server, "/v2/oauth/token/").await[0];
    assert_eq!(
        form_fields(request),
        owned(&[
            ("client_key", CLIENT_KEY),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "refresh_token"),
            ("refresh_token", REFRESH_TOKEN),
        ])
    );
    assert!(tokens.refresh_token.is_none(), "keep the stored one");
    assert_eq!(tokens.scopes, vec!["user.info.basic"]);
}

/// The documented OAuth error body, with the given status.
async fn token_error(status: u16, error: &str, refresh: bool) -> (TikTokError, usize) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(ResponseTemplate::new(status).set_body_json(json!({
            "error": error,
            "error_description": "Refresh token is invalid or expired.",
            "log_id": "2026112509abc"
        })))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let result = if refresh {
        client
            .refresh_access_token(&RefreshToken::new(REFRESH_TOKEN.to_owned()))
            .await
    } else {
        client.exchange_code("code", RFC_VERIFIER).await
    };
    let calls = requests_to(&server, "/v2/oauth/token/").await.len();
    (result.unwrap_err(), calls)
}

#[tokio::test]
async fn invalid_grant_on_refresh_means_reauth_with_400_and_with_200() {
    for status in [400, 200] {
        let (error, calls) = token_error(status, "invalid_grant", true).await;
        assert!(
            matches!(&error, TikTokError::RefreshRejected { description: Some(d), .. } if d.contains("expired")),
            "{status}: {error:?}"
        );
        assert_eq!(error.log_id(), Some("2026112509abc"));
        assert!(!error.is_retryable());
        assert_eq!(calls, 1, "never retried");
    }
}

#[tokio::test]
async fn oauth_errors_are_told_apart() {
    let (error, _) = token_error(401, "invalid_client", false).await;
    assert!(
        matches!(error, TikTokError::InvalidClient { .. }),
        "{error:?}"
    );

    let (error, _) = token_error(400, "invalid_grant", false).await;
    assert!(
        matches!(&error, TikTokError::OAuth { error, http_status: 400, .. } if error == "invalid_grant"),
        "a bad code is not a dead refresh token: {error:?}"
    );

    let (error, calls) = token_error(200, "invalid_request", false).await;
    assert!(
        matches!(&error, TikTokError::OAuth { error, http_status: 200, .. } if error == "invalid_request"),
        "{error:?}"
    );
    assert_eq!(calls, 1);

    let (error, _) = token_error(400, "something_new", false).await;
    assert!(
        matches!(&error, TikTokError::OAuth { error, .. } if error == "something_new"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_200_without_access_token_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"open_id": "x"})))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .exchange_code("code", "")
        .await
        .unwrap_err();
    assert!(matches!(error, TikTokError::Decode { .. }), "{error:?}");
    let request = &requests_to(&server, "/v2/oauth/token/").await[0];
    assert!(
        !form_fields(request)
            .iter()
            .any(|(key, _)| key == "code_verifier"),
        "no verifier when PKCE was not used"
    );
}

#[tokio::test]
async fn refresh_is_retried_on_5xx_but_not_after_an_ambiguous_200() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body()))
        .mount(&server)
        .await;
    let refresh = RefreshToken::new(REFRESH_TOKEN.to_owned());
    client_for(&server)
        .refresh_access_token(&refresh)
        .await
        .unwrap();
    assert_eq!(requests_to(&server, "/v2/oauth/token/").await.len(), 2);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/token/"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"error": "server_error", "log_id": "L"})),
        )
        .mount(&server)
        .await;
    let error = client_for(&server)
        .refresh_access_token(&refresh)
        .await
        .unwrap_err();
    assert!(error.is_retryable(), "the caller may try again later");
    assert_eq!(
        requests_to(&server, "/v2/oauth/token/").await.len(),
        1,
        "the refresh may have rotated the token: not re-sent"
    );
}

#[tokio::test]
async fn revoke_sends_the_access_token_and_accepts_an_empty_object() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/revoke/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    client_for(&server)
        .revoke(&tiktok_client::AccessToken::new(ACCESS_TOKEN.to_owned()))
        .await
        .unwrap();
    let request = &requests_to(&server, "/v2/oauth/revoke/").await[0];
    assert_eq!(
        form_fields(request),
        owned(&[
            ("client_key", CLIENT_KEY),
            ("client_secret", CLIENT_SECRET),
            ("token", ACCESS_TOKEN),
        ])
    );
}

#[tokio::test]
async fn revoke_reports_an_oauth_error_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/oauth/revoke/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "error": "invalid_request", "error_description": "token expired", "log_id": "LR"
        })))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .revoke(&tiktok_client::AccessToken::new(ACCESS_TOKEN.to_owned()))
        .await
        .unwrap_err();
    assert!(matches!(&error, TikTokError::OAuth { error, .. } if error == "invalid_request"));
    assert_eq!(error.log_id(), Some("LR"));
}

#[tokio::test]
async fn empty_code_is_refused_without_a_call() {
    let server = MockServer::start().await;
    let error = client_for(&server)
        .exchange_code("", RFC_VERIFIER)
        .await
        .unwrap_err();
    assert!(matches!(error, TikTokError::InvalidArgument(_)));
    assert!(server.received_requests().await.unwrap().is_empty());
}
