//! Security headers on every response, and a fresh CSP nonce per request.

use crate::helpers::spawn_sandbox;

fn assert_security_headers(response: &reqwest::Response) {
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let csp = headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "img-src 'self' https:",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(headers.get("cross-origin-opener-policy").is_none());
}

#[tokio::test]
async fn on_success_error_and_framework_responses() {
    let app = spawn_sandbox().await;
    for response in [
        app.get("/healthz").await,
        app.get("/api/test/whoami").await,
        app.get("/api/unknown").await,
        app.client.post(app.url("/healthz")).send().await.unwrap(),
        app.get("/api/test/panic").await,
    ] {
        assert_security_headers(&response);
    }
}

#[tokio::test]
async fn the_nonce_given_to_handlers_is_the_one_in_the_policy() {
    let app = spawn_sandbox().await;
    let first = app.get("/api/test/nonce").await;
    let csp = first.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = first.text().await.unwrap();
    assert!(nonce.len() >= 22, "{nonce}");
    assert!(
        csp.contains(&format!("script-src 'self' 'nonce-{nonce}'")),
        "{csp}"
    );

    let second = app.get("/api/test/nonce").await.text().await.unwrap();
    assert_ne!(nonce, second);
}
