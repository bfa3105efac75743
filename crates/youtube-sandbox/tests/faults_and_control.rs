//! Every fault of the reference injectable through the control API, over real HTTP, and the
//! rest of the control routes (clock, calls, accounts, faults).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use youtube_sandbox::{Endpoint, Fault};

/// Sets `fault` on `endpoint` for one call through the control API.
async fn inject(browser: &Browser, endpoint: &str, fault: Value) {
    let (status, body) = browser
        .control(
            Method::PUT,
            "sandbox/faults",
            Some(json!({"endpoint": endpoint, "fault": fault, "times": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn every_data_api_error_of_the_reference_can_be_injected() {
    let browser = Browser::start(config()).await;
    let token = text(
        &browser.connect(MAYA, &[YOUTUBE, ANALYTICS]).await,
        "access_token",
    )
    .to_owned();
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (json!({"kind": "auth_error"}), 401, "authError", "global"),
        (json!({"kind": "login_required"}), 401, "required", "global"),
        (
            json!({"kind": "youtube_signup_required"}),
            401,
            "youtubeSignupRequired",
            "youtube.header",
        ),
        (
            json!({"kind": "forbidden"}),
            403,
            "forbidden",
            "youtube.common",
        ),
        (
            json!({"kind": "quota_exceeded"}),
            403,
            "quotaExceeded",
            "youtube.quota",
        ),
        (
            json!({"kind": "daily_limit_exceeded"}),
            403,
            "dailyLimitExceeded",
            "usageLimits",
        ),
        (
            json!({"kind": "per_day_limit", "metric": "Search Queries"}),
            429,
            "rateLimitExceeded",
            "global",
        ),
        (
            json!({"kind": "rate_limit_exceeded"}),
            403,
            "rateLimitExceeded",
            "usageLimits",
        ),
        (
            json!({"kind": "rate_limit_exceeded", "status": 429, "retry_after_secs": 3}),
            429,
            "rateLimitExceeded",
            "global",
        ),
        (
            json!({"kind": "user_rate_limit_exceeded"}),
            403,
            "userRateLimitExceeded",
            "usageLimits",
        ),
        (
            json!({"kind": "insufficient_permissions"}),
            403,
            "insufficientPermissions",
            "global",
        ),
        (
            json!({"kind": "access_not_configured"}),
            403,
            "accessNotConfigured",
            "usageLimits",
        ),
        (
            json!({"kind": "account_closed"}),
            403,
            "authenticatedUserAccountClosed",
            "youtube.common",
        ),
        (
            json!({"kind": "account_suspended"}),
            403,
            "authenticatedUserAccountSuspended",
            "youtube.common",
        ),
        (
            json!({"kind": "account_delegation_forbidden"}),
            403,
            "accountDelegationForbidden",
            "youtube.common",
        ),
        (
            json!({"kind": "playlist_items_not_accessible"}),
            403,
            "playlistItemsNotAccessible",
            "youtube.playlistItem",
        ),
        (
            json!({"kind": "invalid_page_token"}),
            400,
            "invalidPageToken",
            "youtube.parameter",
        ),
        (
            json!({"kind": "playlist_not_found"}),
            404,
            "playlistNotFound",
            "youtube.playlistItem",
        ),
        (
            json!({"kind": "channel_not_found"}),
            404,
            "channelNotFound",
            "youtube.channel",
        ),
        (
            json!({"kind": "video_not_found"}),
            404,
            "videoNotFound",
            "youtube.video",
        ),
        (
            json!({"kind": "backend_error"}),
            500,
            "backendError",
            "global",
        ),
        (
            json!({"kind": "service_unavailable", "retry_after_secs": 2}),
            503,
            "backendError",
            "global",
        ),
        (
            json!({"kind": "google_error", "status": 409, "reason": "conflict", "domain": "youtube.test"}),
            409,
            "conflict",
            "youtube.test",
        ),
    ];
    for (fault, status, reason, domain) in cases {
        inject(&browser, "channels", fault.clone()).await;
        let (got, headers, body) = browser
            .get(
                "youtube/v3/channels",
                Some(&token),
                &[("part", "id"), ("mine", "true")],
            )
            .await;
        assert_eq!(got.as_u16(), status, "{fault}");
        assert_eq!(Browser::reason(&body), reason, "{fault}");
        assert_eq!(body["error"]["errors"][0]["domain"], domain, "{fault}");
        assert_eq!(body["error"]["code"], status);
        if fault.get("retry_after_secs").is_some() {
            assert!(headers.get("retry-after").is_some(), "{fault}");
        }
        if reason == "insufficientPermissions" {
            assert!(
                headers["www-authenticate"]
                    .to_str()
                    .unwrap()
                    .contains("insufficient_scope")
            );
        }
        // Set for one call: the next one is served.
        let (again, _, _) = browser
            .get(
                "youtube/v3/channels",
                Some(&token),
                &[("part", "id"), ("mine", "true")],
            )
            .await;
        assert_eq!(again, StatusCode::OK, "{fault} cleared itself");
    }
    let per_day = {
        inject(&browser, "reports", json!({"kind": "per_day_limit"})).await;
        browser
            .get("v2/reports", Some(&token), &[("ids", "channel==MINE")])
            .await
            .2
    };
    assert!(
        per_day["error"]["message"]
            .as_str()
            .unwrap()
            .contains("per day")
    );
}

#[tokio::test]
async fn oauth_faults_take_the_oauth_shape() {
    let browser = Browser::start(config()).await;
    let token = browser.connect(MAYA, &[YOUTUBE]).await;
    inject(&browser, "refresh", json!({"kind": "invalid_grant"})).await;
    let (status, body) = browser.refresh(text(&token, "refresh_token")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
    );
    inject(&browser, "code_exchange", json!({"kind": "invalid_client"})).await;
    let code = browser.code_for(MAYA, &[YOUTUBE]).await;
    let (status, body) = browser.exchange(&code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    inject(
        &browser,
        "refresh",
        json!({"kind": "oauth_error", "status": 503, "error": "internal_failure"}),
    )
    .await;
    assert_eq!(
        browser.refresh(text(&token, "refresh_token")).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        browser.refresh(text(&token, "refresh_token")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        browser.exchange(&code).await.0,
        StatusCode::OK,
        "the faulted exchange did not use the code"
    );
}

#[tokio::test]
async fn latency_malformed_bodies_and_hangs() {
    let browser = Browser::start(config()).await;
    let token = text(&browser.connect(MAYA, &[YOUTUBE]).await, "access_token").to_owned();
    browser
        .sandbox
        .set_fault_for_calls(Endpoint::Channels, Fault::MalformedBody, 1);
    let response = browser
        .http
        .get(browser.url("youtube/v3/channels"))
        .query(&[("part", "id"), ("mine", "true")])
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&response.text().await.unwrap()).is_err());
    browser
        .sandbox
        .set_fault_for_calls(Endpoint::Channels, Fault::Latency { millis: 1 }, 1);
    let mine = [("part", "id"), ("mine", "true")];
    assert_eq!(
        browser
            .get("youtube/v3/channels", Some(&token), &mine)
            .await
            .0,
        StatusCode::OK
    );
    browser.sandbox.set_fault(Endpoint::Videos, Fault::Hang);
    let hung = browser
        .http
        .get(browser.url("youtube/v3/videos"))
        .query(&[("part", "id"), ("id", "x")])
        .bearer_auth(&token)
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(hung.unwrap_err().is_timeout());
    assert_eq!(browser.sandbox.faults().len(), 1);
    browser.sandbox.clear_faults();
    assert!(browser.sandbox.faults().is_empty());
}

#[tokio::test]
async fn the_control_api_moves_the_clock_counts_calls_and_shows_accounts() {
    let browser = Browser::start(config()).await;
    let (_, clock) = browser.control(Method::GET, "sandbox/clock", None).await;
    assert_eq!(clock["unix"], start_time().timestamp());
    assert_eq!(clock["pacific_day"], "2026-12-05");
    assert_eq!(clock["quota_resets_at"], "2026-12-06T08:00:00+00:00");
    let (_, clock) = browser
        .control(
            Method::POST,
            "sandbox/clock",
            Some(json!({"advance_secs": 3_600})),
        )
        .await;
    assert_eq!(clock["unix"], start_time().timestamp() + 3_600);
    let (status, _) = browser
        .control(Method::POST, "sandbox/clock", Some(json!({"back": 1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    browser.connect(MAYA, &[YOUTUBE]).await;
    let (_, calls) = browser.control(Method::GET, "sandbox/calls", None).await;
    assert_eq!(calls["code_exchange"], 1);
    assert_eq!(calls["authorize"], 2, "the page and the form");

    let (_, accounts) = browser.control(Method::GET, "sandbox/accounts", None).await;
    let accounts = accounts["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 4);
    assert!(accounts[2]["channel"].is_null(), "pat has no channel");
    assert_eq!(accounts[1]["channel"]["hidden_subscriber_count"], true);
    let (status, details) = browser
        .control(Method::GET, "sandbox/accounts/@kenjiplays", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(details["videos"].as_array().unwrap().len(), 60);
    assert_eq!(
        browser
            .control(Method::GET, "sandbox/accounts/nobody", None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    inject(&browser, "videos", json!({"kind": "backend_error"})).await;
    let (_, faults) = browser.control(Method::GET, "sandbox/faults", None).await;
    assert_eq!(faults["faults"][0]["endpoint"], "videos");
    assert_eq!(faults["faults"][0]["remaining"], 1);
    let (_, faults) = browser
        .control(Method::DELETE, "sandbox/faults/videos", None)
        .await;
    assert_eq!(faults["faults"], json!([]));
    let (status, _) = browser
        .control(
            Method::PUT,
            "sandbox/faults",
            Some(json!({"endpoint": "videos", "fault": {"kind": "meteor"}})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, html) = {
        let response = browser
            .http
            .get(browser.sandbox.base_url())
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Kenji Plays &lt;Live&gt; &amp; Shorts"));
    assert_eq!(
        browser
            .control(Method::GET, "sandbox/cdn/vi/x/default.jpg", None)
            .await
            .0,
        StatusCode::OK
    );
}
