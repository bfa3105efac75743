//! Bearer tokens: every way of getting it wrong is a 401 JSON with `WWW-Authenticate: Bearer`.

use api_server::auth::JwtIssuer;
use secrecy::{ExposeSecret as _, SecretString};

use crate::helpers::{Options, TestApp, error_code, spawn_sandbox};

async fn whoami(app: &TestApp, authorization: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url("/api/test/whoami"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

async fn assert_unauthorized(response: reqwest::Response, expected_message: &str) {
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(body["error"]["message"], expected_message);
}

#[tokio::test]
async fn a_valid_token_identifies_the_user() {
    let app = spawn_sandbox().await;
    let token = app.token("user-42");
    let response = whoami(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["userId"], "user-42");
    // The scheme is case-insensitive.
    let response = whoami(&app, Some(&format!("bearer {token}"))).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn missing_token() {
    let app = spawn_sandbox().await;
    assert_unauthorized(whoami(&app, None).await, "missing bearer token").await;
    assert_unauthorized(whoami(&app, Some("Bearer ")).await, "missing bearer token").await;
}

#[tokio::test]
async fn not_a_bearer_header() {
    let app = spawn_sandbox().await;
    let expected = "the Authorization header must be `Bearer <token>`";
    assert_unauthorized(whoami(&app, Some("Basic dXNlcjpwYXNz")).await, expected).await;
    assert_unauthorized(whoami(&app, Some("token-without-scheme")).await, expected).await;
}

#[tokio::test]
async fn malformed_token() {
    let app = spawn_sandbox().await;
    assert_unauthorized(
        whoami(&app, Some("Bearer not.a.jwt")).await,
        "invalid bearer token",
    )
    .await;
}

#[tokio::test]
async fn expired_token() {
    let app = spawn_sandbox().await;
    let expired = JwtIssuer::new(&app.jwt_secret)
        .issue_at(
            "user-42",
            chrono::Utc::now() - chrono::Duration::hours(3),
            chrono::Duration::hours(1),
        )
        .unwrap();
    let header = format!("Bearer {}", expired.token.expose_secret());
    assert_unauthorized(
        whoami(&app, Some(&header)).await,
        "the bearer token has expired",
    )
    .await;
}

#[tokio::test]
async fn wrongly_signed_token() {
    let app = spawn_sandbox().await;
    let forged = JwtIssuer::new(&SecretString::from(
        "not-the-server-secret-0123456789abcdef",
    ))
    .issue("user-42", chrono::Duration::minutes(5))
    .unwrap();
    let header = format!("Bearer {}", forged.token.expose_secret());
    assert_unauthorized(whoami(&app, Some(&header)).await, "invalid bearer token").await;
}

#[tokio::test]
async fn the_error_body_is_json() {
    let app = spawn_sandbox().await;
    assert_eq!(error_code(whoami(&app, None).await).await, "unauthorized");
}

#[tokio::test]
async fn a_configured_audience_and_issuer_are_required() {
    let app = Options::sandbox()
        .var("JWT_AUDIENCE", "tiktok-sync")
        .var("JWT_ISSUER", "https://host.example.com")
        .spawn()
        .await;
    let key = jsonwebtoken::EncodingKey::from_secret(app.jwt_secret.expose_secret().as_bytes());
    let sign = |claims: serde_json::Value| {
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap()
    };
    let exp = chrono::Utc::now().timestamp() + 300;
    let ours = sign(serde_json::json!({
        "sub": "user-7", "exp": exp, "aud": "tiktok-sync", "iss": "https://host.example.com"
    }));
    let response = whoami(&app, Some(&format!("Bearer {ours}"))).await;
    assert_eq!(response.status(), 200);
    for claims in [
        serde_json::json!({"sub": "user-7", "exp": exp}),
        serde_json::json!({"sub": "user-7", "exp": exp, "aud": "another-service", "iss": "https://host.example.com"}),
        serde_json::json!({"sub": "user-7", "exp": exp, "aud": "tiktok-sync", "iss": "https://elsewhere.example"}),
    ] {
        let token = sign(claims.clone());
        let response = whoami(&app, Some(&format!("Bearer {token}"))).await;
        assert_unauthorized(response, "invalid bearer token").await;
    }
}
