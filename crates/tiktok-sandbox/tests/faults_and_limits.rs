//! Injected faults, the enforced rate limit and daily quota, and the control API.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tiktok_sandbox::{Endpoint, Fault};

#[tokio::test]
async fn display_faults_answer_as_documented_then_clear_themselves() {
    let (sandbox, browser) = start(config()).await;
    let token = access_token(&browser.connect(ALL_SCOPES).await);

    sandbox.set_fault_for_calls(
        Endpoint::UserInfo,
        Fault::RateLimited {
            retry_after_secs: Some(7),
        },
        1,
    );
    let mut url = browser.url("/v2/user/info/");
    url.query_pairs_mut().append_pair("fields", "open_id");
    let response = browser
        .http
        .get(url.clone())
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_eq!(
        envelope_code(&response.json().await.unwrap()),
        "rate_limit_exceeded"
    );
    assert_eq!(browser.user_info(&token, "open_id").await.0, StatusCode::OK);

    sandbox.set_fault_for_calls(Endpoint::UserInfo, Fault::ServerError { status: 503 }, 1);
    let (status, body) = browser.user_info(&token, "open_id").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(envelope_code(&body), "internal_error");

    sandbox.set_fault_for_calls(Endpoint::UserInfo, Fault::AccessTokenInvalid, 1);
    let (status, body) = browser.user_info(&token, "open_id").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(envelope_code(&body), "access_token_invalid");

    sandbox.set_fault_for_calls(Endpoint::VideoList, Fault::MalformedBody, 1);
    let response = browser
        .http
        .post(browser.url("/v2/video/list/?fields=id"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(serde_json::from_slice::<Value>(&response.bytes().await.unwrap()).is_err());

    sandbox.set_fault_for_calls(Endpoint::UserInfo, Fault::Latency { millis: 50 }, 1);
    assert_eq!(browser.user_info(&token, "open_id").await.0, StatusCode::OK);

    assert!(sandbox.faults().is_empty());
    assert_eq!(browser.user_info(&token, "open_id").await.0, StatusCode::OK);
    assert_eq!(sandbox.call_count(Endpoint::UserInfo), 6);
}

#[tokio::test]
async fn a_hanging_endpoint_times_the_client_out() {
    let (sandbox, browser) = start(config()).await;
    let token = access_token(&browser.connect(ALL_SCOPES).await);
    sandbox.set_fault(Endpoint::UserInfo, Fault::Hang);
    let mut url = browser.url("/v2/user/info/");
    url.query_pairs_mut().append_pair("fields", "open_id");
    let error = browser
        .http
        .get(url)
        .bearer_auth(&token)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout());
    sandbox.clear_faults();
    assert_eq!(browser.user_info(&token, "open_id").await.0, StatusCode::OK);
    sandbox.stop().await;
}

#[tokio::test]
async fn refresh_faults() {
    let (sandbox, browser) = start(config()).await;
    let tokens = browser.connect(ALL_SCOPES).await;
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    // Rejected as invalid_grant although it is good; the token survives.
    sandbox.set_fault_for_calls(Endpoint::Token, Fault::RefreshInvalidGrant, 1);
    let (status, body) = browser.refresh(&refresh).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(oauth_error(&body), "invalid_grant");

    // A success without refresh_token: the one sent stays valid.
    sandbox.set_fault_for_calls(Endpoint::Token, Fault::RefreshWithoutRefreshToken, 1);
    let (status, body) = browser.refresh(&refresh).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert!(body["access_token"].is_string());

    let (status, body) = browser.refresh(&refresh).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["refresh_token"].is_string());

    sandbox.set_fault_for_calls(Endpoint::Token, Fault::ServerError { status: 500 }, 1);
    let (status, body) = browser
        .refresh(body["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(oauth_error(&body), "server_error");
}

#[tokio::test]
async fn the_per_minute_rate_limit_slides_with_the_clock() {
    let (sandbox, browser) = start(
        config()
            .rate_limit_per_minute(3)
            .rate_limit_retry_after(true),
    )
    .await;
    let token = access_token(&browser.connect(ALL_SCOPES).await);
    for _ in 0..3 {
        assert_eq!(browser.user_info(&token, "open_id").await.0, StatusCode::OK);
    }
    let mut url = browser.url("/v2/user/info/");
    url.query_pairs_mut().append_pair("fields", "open_id");
    let response = browser
        .http
        .get(url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "60");
    assert_eq!(
        envelope_code(&response.json().await.unwrap()),
        "rate_limit_exceeded"
    );
    // Each endpoint has its own window.
    assert_eq!(
        browser.video_list(&token, &json!({})).await.0,
        StatusCode::OK
    );
    sandbox.advance_clock(Duration::from_secs(60));
    assert_eq!(browser.user_info(&token, "open_id").await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_daily_quota_spans_endpoints_and_resets_the_next_day() {
    let (sandbox, browser) = start(config().daily_quota(Some(2))).await;
    let token = access_token(&browser.connect(ALL_SCOPES).await);
    assert_eq!(browser.user_info(&token, "open_id").await.0, StatusCode::OK);
    assert_eq!(
        browser.video_list(&token, &json!({})).await.0,
        StatusCode::OK
    );
    let (status, body) = browser.user_info(&token, "open_id").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(envelope_code(&body), "rate_limit_exceeded");
    sandbox.advance_clock(Duration::from_secs(86_400));
    let (status, body) = browser.user_info(&token, "open_id").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the token expired meanwhile: {body}"
    );
    let tokens = browser.connect(ALL_SCOPES).await;
    assert_eq!(
        browser.user_info(&access_token(&tokens), "open_id").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_control_api_drives_the_sandbox_over_http() {
    let (sandbox, browser) = start(config().creator_videos([4, 2])).await;
    let http = &browser.http;

    let clock: Value = http
        .get(browser.url("/sandbox/clock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clock["unix"], json!(start_time().timestamp()));
    let advanced: Value = http
        .post(browser.url("/sandbox/clock"))
        .json(&json!({ "advance_secs": 3600 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(advanced["unix"], json!(start_time().timestamp() + 3600));
    assert_eq!(sandbox.now().timestamp(), start_time().timestamp() + 3600);

    let response = http
        .put(browser.url("/sandbox/faults"))
        .json(&json!({
            "endpoint": "video_list",
            "fault": { "kind": "server_error", "status": 502 },
            "times": 2
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(sandbox.faults().len(), 1);
    assert_eq!(sandbox.faults()[0].remaining, Some(2));
    let response = http
        .put(browser.url("/sandbox/faults"))
        .json(&json!({ "endpoint": "nowhere", "fault": { "kind": "hang" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    http.delete(browser.url("/sandbox/faults"))
        .send()
        .await
        .unwrap();
    assert!(sandbox.faults().is_empty());

    let token = access_token(&browser.connect(ALL_SCOPES).await);
    browser.user_info(&token, "open_id").await;
    let calls: Value = http
        .get(browser.url("/sandbox/calls"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(calls["user_info"], json!(1));
    assert_eq!(calls["token"], json!(1));
    assert_eq!(calls["authorize"], json!(2));
    assert_eq!(calls["video_list"], json!(0));

    let creators: Value = http
        .get(browser.url("/sandbox/creators"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let creators = creators["creators"].as_array().unwrap();
    assert_eq!(creators.len(), 2);
    let open_id = creators[0]["open_id"].as_str().unwrap();
    let one: Value = http
        .get(browser.url(&format!("/sandbox/creators/{open_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(one["videos"].as_array().unwrap().len(), 4);
    assert_eq!(one["username"], creators[0]["username"]);
    let missing = http
        .get(browser.url("/sandbox/creators/nobody"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // The index page lists the creators, escaped.
    let index = http.get(browser.url("/")).send().await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    let html = index.text().await.unwrap();
    assert!(html.contains(open_id));
    assert!(!html.contains("<script"));

    browser.revoke(&token).await;
    let revocations: Value = http
        .get(browser.url("/sandbox/revocations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(revocations["revocations"][0]["open_id"], json!(open_id));
}

#[tokio::test]
async fn custom_errors_come_with_any_status_and_code() {
    let (sandbox, browser) = start(config()).await;
    let tokens = browser.connect(ALL_SCOPES).await;

    // HTTP 200 with an OAuth error body, as TikTok's token endpoint has been seen to answer.
    sandbox.set_fault_for_calls(
        Endpoint::Token,
        Fault::CustomError {
            status: 200,
            code: "invalid_grant".into(),
        },
        1,
    );
    let (status, body) = browser
        .refresh(tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(oauth_error(&body), "invalid_grant");
    assert!(body.get("access_token").is_none());

    // A Display API code nobody knows, in the envelope.
    sandbox.set_fault_for_calls(
        Endpoint::UserInfo,
        Fault::CustomError {
            status: 418,
            code: "brand_new_code".into(),
        },
        1,
    );
    let (status, body) = browser.user_info(&access_token(&tokens), "open_id").await;
    assert_eq!(status.as_u16(), 418);
    assert_eq!(envelope_code(&body), "brand_new_code");
}
