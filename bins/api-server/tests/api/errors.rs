//! Every failure is JSON with the right status.

use crate::helpers::{error_code, spawn_sandbox};

#[tokio::test]
async fn unknown_routes_are_json_404() {
    let app = spawn_sandbox().await;
    for path in [
        "/api/nothing-here",
        "/api/auth/tiktok/nope",
        "/no-such-page.html",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(error_code(response).await, "not_found");
    }
    let response = app
        .client
        .delete(app.url("/somewhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(error_code(response).await, "not_found");
}

#[tokio::test]
async fn wrong_method_is_json_405() {
    let app = spawn_sandbox().await;
    let response = app.client.post(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(error_code(response).await, "method_not_allowed");
    let response = app
        .client
        .delete(app.url("/api/test/echo"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(error_code(response).await, "method_not_allowed");
}

#[tokio::test]
async fn oversized_bodies_are_json_413() {
    let app = spawn_sandbox().await;
    let big = format!(
        "{{\"text\":\"{}\"}}",
        "x".repeat(api_server::extract::JSON_LIMIT)
    );
    let response = app
        .client
        .post(app.url("/api/test/echo"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");

    let raw = vec![b'x'; api_server::extract::PAYLOAD_LIMIT + 1];
    let response = app
        .client
        .post(app.url("/api/test/raw"))
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(error_code(response).await, "payload_too_large");

    let small = vec![b'x'; 100];
    let response = app
        .client
        .post(app.url("/api/test/raw"))
        .body(small)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn malformed_json_is_json_400_and_wrong_type_415() {
    let app = spawn_sandbox().await;
    let response = app
        .client
        .post(app.url("/api/test/echo"))
        .header("content-type", "application/json")
        .body("{\"unterminated\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(error_code(response).await, "invalid_body");

    let response = app
        .client
        .post(app.url("/api/test/echo"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert_eq!(error_code(response).await, "unsupported_media_type");
}

#[tokio::test]
async fn bad_query_values_name_the_parameter() {
    let app = spawn_sandbox().await;
    let response = app.get("/api/test/report?days=seven").await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_query");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("`days`"), "{message}");

    let response = app.get("/api/test/report?days=7&sort=plays").await;
    let body: serde_json::Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`sort`") && message.contains("plays"),
        "{message}"
    );

    let response = app.get("/api/test/report?days=7&sort=likes").await;
    assert_eq!(response.status(), 200);

    // The stock extractor answers JSON too, naming a missing parameter.
    let response = app.get("/api/test/plain-report").await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_query");
    assert!(body["error"]["message"].as_str().unwrap().contains("days"));
}

#[tokio::test]
async fn a_panicking_handler_answers_json_500_and_the_server_survives() {
    let app = spawn_sandbox().await;
    let response = app.get("/api/test/panic").await;
    assert_eq!(response.status(), 500);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"error": {"code": "internal", "message": "internal error"}})
    );
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn api_errors_keep_their_code() {
    let app = spawn_sandbox().await;
    let token = app.token("someone");
    let response = app
        .client
        .post(app.url("/api/test/conflict"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    assert_eq!(error_code(response).await, "sync_in_progress");
}
