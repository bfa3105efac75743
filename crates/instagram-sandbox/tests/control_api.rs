//! The control API over HTTP: clock, faults, calls, accounts, grants, "the user removed the
//! app", "the user asked for deletion", "the user changed their password", throttles, and
//! the signed callbacks they send.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use hmac::{Hmac, Mac};
use instagram_sandbox::{DEFAULT_APP_ID, DEFAULT_APP_SECRET, RegisteredApp, SignedUserId};
use serde_json::{Value, json};
use sha2::Sha256;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn control(
    browser: &Browser,
    verb: reqwest::Method,
    route: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = browser.sandbox.base_url().join(route).unwrap();
    let mut request = browser.http.request(verb, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Checks a signed request with the secret, returning its payload.
fn verify(signed: &str, secret: &str) -> Option<Value> {
    let (signature, payload) = signed.split_once('.')?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(payload.as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?)
        .ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

fn signed_request(request: &wiremock::Request) -> String {
    url::form_urlencoded::parse(&request.body)
        .find(|(k, _)| k == "signed_request")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[tokio::test]
async fn clock_faults_calls_and_accounts() {
    let browser = Browser::start(config()).await;
    let (status, clock) = control(
        &browser,
        reqwest::Method::POST,
        "sandbox/clock",
        Some(json!({"advance_secs": 3600})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(clock["unix"], start_time().timestamp() + 3_600);
    let fault = json!({"endpoint": "profile", "fault": {"kind": "token_expired"}, "times": 2});
    let (status, faults) = control(
        &browser,
        reqwest::Method::PUT,
        "sandbox/faults",
        Some(fault),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(faults["faults"][0]["remaining"], 2);
    let (status, _) = control(
        &browser,
        reqwest::Method::PUT,
        "sandbox/faults",
        Some(json!({"endpoint": "nope"})),
    )
    .await;
    assert_eq!(status, 400);
    let (_, faults) = control(
        &browser,
        reqwest::Method::DELETE,
        "sandbox/faults/profile",
        None,
    )
    .await;
    assert_eq!(faults["faults"], json!([]));
    let (_, accounts) = control(&browser, reqwest::Method::GET, "sandbox/accounts", None).await;
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 4);
    let (status, account) = control(
        &browser,
        reqwest::Method::GET,
        "sandbox/accounts/tiny.studio",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(account["media"].as_array().unwrap().len(), 8);
    assert_eq!(
        control(
            &browser,
            reqwest::Method::GET,
            "sandbox/accounts/nobody",
            None
        )
        .await
        .0,
        404
    );
    let token = browser.long_lived_token("tiny.studio").await;
    browser.read("me", &token, &[]).await;
    let (_, calls) = control(&browser, reqwest::Method::GET, "sandbox/calls", None).await;
    assert_eq!(calls["profile"], 1);
    assert_eq!(calls["code_exchange"], 1);
    let (_, grants) = control(&browser, reqwest::Method::GET, "sandbox/grants", None).await;
    assert_eq!(
        grants["grants"][0]["live_tokens"], 2,
        "short- and long-lived"
    );
    let response = browser
        .http
        .get(browser.sandbox.base_url())
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert!(response.text().await.unwrap().contains("@tiny.studio"));
}

#[tokio::test]
async fn removing_the_app_kills_tokens_and_posts_a_signed_deauthorize_request() {
    let callbacks = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/deauth"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&callbacks)
        .await;
    let app = RegisteredApp::new(DEFAULT_APP_ID, DEFAULT_APP_SECRET, [REDIRECT_URI])
        .with_deauthorize_url(
            Url::parse(&callbacks.uri())
                .unwrap()
                .join("deauth")
                .unwrap(),
        );
    let browser = Browser::start(
        config()
            .app(app)
            .signed_user_id(SignedUserId::InstagramUserId),
    )
    .await;
    let token = browser.long_lived_token("metricsaurus").await;
    let id = browser.ig_user_id("metricsaurus");
    let (status, answer) = control(
        &browser,
        reqwest::Method::POST,
        &format!("sandbox/accounts/{id}/remove-app"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["callbacks"][0]["accepted"], true);
    assert_eq!(answer["grants"][0]["ended"], "app_removed");
    let (_, body) = browser.read("me", &token, &[]).await;
    assert_eq!(codes(&body), (190, Some(458)));
    let received = callbacks.received_requests().await.unwrap();
    assert_eq!(
        received[0].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let payload = verify(&signed_request(&received[0]), DEFAULT_APP_SECRET)
        .expect("signed with the app secret");
    assert_eq!(payload["algorithm"], "HMAC-SHA256");
    assert_eq!(payload["user_id"], id.as_str(), "the configured id kind");
    assert!(payload["issued_at"].is_i64());
    // A second removal finds nothing left to end.
    let (_, again) = control(
        &browser,
        reqwest::Method::POST,
        &format!("sandbox/accounts/{id}/remove-app"),
        None,
    )
    .await;
    assert_eq!(again["callbacks"], json!([]));
}

#[tokio::test]
async fn deletion_requests_expect_a_url_and_confirmation_code_and_can_be_tampered() {
    let callbacks = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/good"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"url": "https://app.example/deletion?id=7", "confirmation_code": "7"}),
        ))
        .mount(&callbacks)
        .await;
    Mock::given(method("POST"))
        .and(path("/bad"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string("{ url: 'x', confirmation_code: '7' }"),
        )
        .mount(&callbacks)
        .await;
    let base = Url::parse(&callbacks.uri()).unwrap();
    let good = RegisteredApp::new(DEFAULT_APP_ID, DEFAULT_APP_SECRET, [REDIRECT_URI])
        .with_deletion_url(base.join("good").unwrap());
    let bad = RegisteredApp::new("111", "other-secret", [REDIRECT_URI])
        .with_deletion_url(base.join("bad").unwrap());
    let browser = Browser::start(config().apps([good, bad])).await;
    let (_, answer) = control(
        &browser,
        reqwest::Method::POST,
        "sandbox/accounts/metricsaurus/request-deletion",
        None,
    )
    .await;
    let deliveries = answer["callbacks"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(deliveries[0]["accepted"], true);
    assert_eq!(deliveries[0]["confirmation_code"], "7");
    assert_eq!(
        deliveries[1]["accepted"], false,
        "a JS object literal is not JSON"
    );
    let received = callbacks.received_requests().await.unwrap();
    let payload = verify(&signed_request(&received[0]), DEFAULT_APP_SECRET).unwrap();
    assert_eq!(
        payload["user_id"],
        browser
            .sandbox
            .account("metricsaurus")
            .unwrap()
            .summary
            .app_scoped_id
            .as_str()
    );
    assert!(
        verify(&signed_request(&received[1]), "other-secret").is_some(),
        "each app signs with its own secret"
    );
    let (_, answer) = control(
        &browser,
        reqwest::Method::POST,
        "sandbox/accounts/metricsaurus/request-deletion",
        Some(json!({"app_id": DEFAULT_APP_ID, "tampered": true})),
    )
    .await;
    assert_eq!(answer["callbacks"][0]["tampered"], true);
    let received = callbacks.received_requests().await.unwrap();
    assert!(verify(&signed_request(&received[2]), DEFAULT_APP_SECRET).is_none());
    assert_eq!(browser.sandbox.callback_deliveries().len(), 3);
}

#[tokio::test]
async fn password_changes_and_throttles_over_the_control_api() {
    let browser = Browser::start(config()).await;
    let token = browser.long_lived_token("ana.makes").await;
    let (_, answer) = control(
        &browser,
        reqwest::Method::POST,
        "sandbox/accounts/ana.makes/throttle",
        Some(json!({"minutes": 5})),
    )
    .await;
    assert_eq!(answer["minutes"], 5);
    let (status, body) = browser.read("me", &token, &[]).await;
    assert_eq!((status.as_u16(), codes(&body).0), (400, 4));
    control(
        &browser,
        reqwest::Method::POST,
        "sandbox/clock",
        Some(json!({"advance_secs": 300})),
    )
    .await;
    assert_eq!(browser.read("me", &token, &[]).await.0, 200);
    let (_, answer) = control(
        &browser,
        reqwest::Method::POST,
        "sandbox/accounts/ana.makes/change-password",
        None,
    )
    .await;
    assert_eq!(answer["apps"], json!([DEFAULT_APP_ID]));
    let (_, body) = browser.read("me", &token, &[]).await;
    assert_eq!(codes(&body), (190, Some(460)));
}
