//! Health, readiness, metrics, the OpenAPI document and the sandbox's token endpoint.

use crate::helpers::{Options, error_code, spawn_sandbox};

#[tokio::test]
async fn healthz_is_ok() {
    let app = spawn_sandbox().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

#[tokio::test]
async fn readyz_follows_the_probe() {
    let app = spawn_sandbox().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ready"}));

    let app = Options::sandbox().not_ready().spawn().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "database_unavailable");
    assert_eq!(body["error"]["message"], "database is unavailable");
    // Probe details (host names) stay in the log.
    assert!(!body.to_string().contains("db.internal"));
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = spawn_sandbox().await;
    app.get("/healthz").await;
    app.get("/api/test/report?days=7").await;
    app.get("/api/does-not-exist/12345").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/test/report",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"route="unmatched",status="404"} 1"#),
        "{text}"
    );
    assert!(!text.contains("does-not-exist"));
    assert!(!text.contains("days=7"));
}

#[tokio::test]
async fn openapi_document_parses_and_lists_the_platform() {
    let app = spawn_sandbox().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/dev/token",
        "/api/openapi.json",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path} missing");
    }
    assert!(document["components"]["schemas"].get("ErrorBody").is_some());
    assert_eq!(
        document["components"]["securitySchemes"]["bearer_auth"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn dev_token_works_in_sandbox_mode() {
    let app = spawn_sandbox().await;
    let response = app
        .client
        .post(app.url("/api/dev/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["userId"], "demo-user");
    let expires_at =
        chrono::DateTime::parse_from_rfc3339(body["expiresAt"].as_str().unwrap()).unwrap();
    assert!(expires_at > chrono::Utc::now() + chrono::Duration::hours(23));
    let token = body["token"].as_str().unwrap();

    let response = app
        .client
        .get(app.url("/api/test/whoami"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["userId"], "demo-user");

    let response = app
        .client
        .post(app.url("/api/dev/token"))
        .json(&serde_json::json!({"userId": "second-user"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["userId"], "second-user");
}

#[tokio::test]
async fn dev_token_does_not_exist_in_live_mode() {
    let app = Options::live().spawn().await;
    let response = app
        .client
        .post(app.url("/api/dev/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "not_found");
}
