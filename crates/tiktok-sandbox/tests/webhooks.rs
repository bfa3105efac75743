//! TikTok -> app webhooks: `authorization.removed`, signed with the client secret.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tiktok_sandbox::{RemovalReason, sign_webhook};

/// What the receiver got: the signature header and the raw body.
type Received = Arc<Mutex<Vec<(String, String)>>>;

/// A stand-in for the app's webhook endpoint that records each POST and answers 200.
async fn start_receiver() -> (url::Url, Received, actix_web::dev::ServerHandle) {
    start_failing_receiver(0).await
}

/// A receiver that answers 500 to its first `failures` POSTs, then 200.
async fn start_failing_receiver(
    failures: usize,
) -> (url::Url, Received, actix_web::dev::ServerHandle) {
    let received: Received = Arc::default();
    let store = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || {
        let store = store.clone();
        App::new().route(
            "/api/webhooks/tiktok",
            web::post().to(move |request: HttpRequest, body: web::Bytes| {
                let store = store.clone();
                async move {
                    let signature = request
                        .headers()
                        .get("TikTok-Signature")
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .to_owned();
                    let body = String::from_utf8(body.to_vec()).unwrap();
                    let mut store = store.lock().unwrap();
                    store.push((signature, body));
                    if store.len() <= failures {
                        HttpResponse::InternalServerError().finish()
                    } else {
                        HttpResponse::Ok().finish()
                    }
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/api/webhooks/tiktok")).unwrap();
    (url, received, handle)
}

fn check_signed(signature: &str, body: &str) -> Value {
    let timestamp: i64 = signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(signature, sign_webhook(CLIENT_SECRET, timestamp, body));
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 300);
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn removal_on_tiktoks_side_revokes_and_sends_a_signed_event() {
    let (receiver, received, receiver_handle) = start_receiver().await;
    let (sandbox, browser) = start(config().webhook_url(receiver)).await;
    let tokens = browser.connect(ALL_SCOPES).await;
    let open_id = tokens["open_id"].as_str().unwrap().to_owned();

    let revocations = sandbox
        .remove_authorization(&open_id, RemovalReason::UserDisconnected)
        .await;
    assert_eq!(revocations.len(), 1);
    let (status, body) = browser.user_info(&access_token(&tokens), "open_id").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(envelope_code(&body), "access_token_invalid");
    let (status, _) = browser
        .refresh(tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (signature, body) = received.lock().unwrap()[0].clone();
    let event = check_signed(&signature, &body);
    assert_eq!(event["event"], json!("authorization.removed"));
    assert_eq!(event["client_key"], json!(CLIENT_KEY));
    assert_eq!(event["user_openid"], json!(open_id));
    assert_eq!(event["create_time"], json!(start_time().timestamp()));
    // `content` is a JSON string to decode a second time.
    let content: Value = serde_json::from_str(event["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({ "reason": 1 }));
    let deliveries = sandbox.webhook_deliveries();
    assert_eq!(deliveries.len(), 1);
    assert!(deliveries[0].delivered);
    assert_eq!(deliveries[0].status, Some(200));
    receiver_handle.stop(false).await;
}

#[tokio::test]
async fn the_apps_own_revoke_comes_back_as_an_event() {
    let (receiver, received, receiver_handle) = start_receiver().await;
    let (sandbox, browser) = start(config().webhook_url(receiver)).await;
    let tokens = browser.connect(ALL_SCOPES).await;
    assert_eq!(
        browser.revoke(&access_token(&tokens)).await.0,
        StatusCode::OK
    );
    // The event is sent after the revoke answered; wait for it without a timed assertion.
    let sent = async {
        while sandbox.webhook_deliveries().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), sent)
        .await
        .expect("the sandbox sent its webhook");
    let (signature, body) = received.lock().unwrap()[0].clone();
    let event = check_signed(&signature, &body);
    let content: Value = serde_json::from_str(event["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({ "reason": 5 }));
    receiver_handle.stop(false).await;
}

#[tokio::test]
async fn the_control_api_deauthorizes_a_creator_without_a_webhook_url() {
    let (sandbox, browser) = start(config()).await;
    let tokens = browser.connect(ALL_SCOPES).await;
    let open_id = tokens["open_id"].as_str().unwrap();
    let response: Value = browser
        .http
        .post(browser.url(&format!("/sandbox/creators/{open_id}/deauthorize")))
        .json(&json!({ "reason": "account_banned" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(response["revocations"][0]["open_id"], json!(open_id));
    assert_eq!(response["webhooks_sending"], json!(0));
    let (status, _) = browser.user_info(&access_token(&tokens), "open_id").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(sandbox.webhook_deliveries().is_empty());
    assert_eq!(sandbox.revocation_count(), 1);
}

#[tokio::test]
async fn the_control_api_takes_tiktoks_reason_numbers_and_retries_until_acknowledged() {
    let (receiver, received, receiver_handle) = start_failing_receiver(2).await;
    let retry = tiktok_sandbox::WebhookRetry {
        attempts: 5,
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
    };
    let (sandbox, browser) = start(config().webhook_url(receiver).webhook_retry(retry)).await;
    let tokens = browser.connect(ALL_SCOPES).await;
    let open_id = tokens["open_id"].as_str().unwrap();
    let response = browser
        .http
        .post(browser.url(&format!("/sandbox/creators/{open_id}/deauthorize")))
        .json(&json!({ "reason": 4 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response: Value = response.json().await.unwrap();
    assert_eq!(response["webhooks_sending"], json!(1));
    // Delivered in the background; wait for it without a timed assertion.
    let sent = async {
        while sandbox.webhook_deliveries().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), sent)
        .await
        .expect("the sandbox sent its webhook");
    let delivery = &sandbox.webhook_deliveries()[0];
    assert!(delivery.delivered);
    assert_eq!(delivery.attempts, 3, "two 500s, then a 200");
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    for (signature, body) in &received {
        let event = check_signed(signature, body);
        let content: Value = serde_json::from_str(event["content"].as_str().unwrap()).unwrap();
        assert_eq!(content, json!({ "reason": 4 }));
    }

    let refused = browser
        .http
        .post(browser.url(&format!("/sandbox/creators/{open_id}/deauthorize")))
        .json(&json!({ "reason": 9 }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    receiver_handle.stop(false).await;
}
