//! The request log says which route answered what, and nothing secret.

use crate::helpers::{LOGS, spawn_sandbox};

#[tokio::test]
async fn request_log_has_no_query_string_and_no_authorization() {
    let app = spawn_sandbox().await;
    let token = app.token("log-test-user");
    let oauth_code = "AUTHCODE-must-not-be-logged-7f3a";
    let response = app
        .client
        .get(app.url(&format!(
            "/api/test/whoami?code={oauth_code}&state=STATE-must-not-be-logged"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = app
        .get(&format!("/api/unknown-route-for-logs?code={oauth_code}"))
        .await;
    assert_eq!(response.status(), 404);

    let logs = LOGS.contents();
    // Other tests in this binary call the same route (some with bad tokens, answered 401):
    // look for this test's successful request.
    let line = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| {
            line["route"] == "/api/test/whoami"
                && line["message"] == "request served"
                && line["status"] == 200
        })
        .unwrap_or_else(|| panic!("no request log line for the route in:\n{logs}"));
    assert_eq!(line["method"], "GET");
    assert!(line["latency_ms"].is_number());
    assert!(
        logs.contains(r#""route":"/api/unknown-route-for-logs""#),
        "unmatched path not logged:\n{logs}"
    );
    assert!(!logs.contains(oauth_code), "OAuth code in the log");
    assert!(
        !logs.contains("STATE-must-not-be-logged"),
        "state in the log"
    );
    assert!(!logs.contains(&token), "bearer token in the log");
    let signature = token.rsplit('.').next().unwrap();
    assert!(!logs.contains(signature), "token signature in the log");
}
