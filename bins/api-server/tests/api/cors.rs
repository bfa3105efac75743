//! CORS: the app's origin may call the API from the browser; other origins may not.

use crate::helpers::{LIVE_APP_ORIGIN, Options, TestApp, error_code};

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(reqwest::Method::OPTIONS, app.url("/api/auth/tiktok/sync"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn preflight_from_the_app_origin_is_allowed() {
    let app = Options::live().spawn().await;
    let response = preflight(&app, LIVE_APP_ORIGIN).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], LIVE_APP_ORIGIN);
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    for method in ["GET", "POST", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
    assert!(headers.get("access-control-allow-credentials").is_none());
}

#[tokio::test]
async fn preflight_from_another_origin_is_refused() {
    let app = Options::live().spawn().await;
    let response = preflight(&app, "https://evil.example.net").await;
    assert_eq!(response.status(), 400);
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert_eq!(error_code(response).await, "bad_request");
}

#[tokio::test]
async fn preflight_for_a_forbidden_method_is_refused() {
    let app = Options::live().spawn().await;
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/connections"))
        .header("origin", LIVE_APP_ORIGIN)
        .header("access-control-request-method", "PUT")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn actual_requests_carry_cors_headers_for_the_app_only() {
    let app = Options::live().spawn().await;
    let response = app
        .client
        .get(app.url("/api/test/whoami"))
        .header("origin", LIVE_APP_ORIGIN)
        .send()
        .await
        .unwrap();
    // Even an error response can be read by the app, so it can show the reason.
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        LIVE_APP_ORIGIN
    );
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("retry-after"), "{exposed}");

    let response = app
        .client
        .get(app.url("/healthz"))
        .header("origin", "https://evil.example.net")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn sandbox_accepts_localhost_and_loopback_origins() {
    let app = Options::sandbox().spawn().await;
    for origin in [
        format!("http://localhost:{}", app.port),
        format!("http://127.0.0.1:{}", app.port),
    ] {
        let response = preflight(&app, &origin).await;
        assert_eq!(response.status(), 200, "{origin}");
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            origin.as_str()
        );
    }
    let response = preflight(&app, "http://localhost:1").await;
    assert_eq!(response.status(), 400);
}
