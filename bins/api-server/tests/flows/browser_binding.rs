//! A connect finishes in the browser that started it (issue 25, point 2): the callback
//! without the connect cookie is refused before any code exchange; a start link works once,
//! and only soon after it was issued; TikTok is asked for explicit consent.

use chrono::TimeDelta;
use domain::Platform;
use reqwest::StatusCode;
use tiktok_sandbox::Endpoint;

use crate::support::{Consent, FlowOptions, TestDatabase, on_both_backends};

on_both_backends!(
    a_callback_in_a_browser_without_the_connect_cookie_is_refused_without_an_exchange,
    a_start_link_binds_one_browser_once_and_only_soon_after_its_issue,
);

const TIKTOK: Platform = Platform::new("tiktok");

async fn a_callback_in_a_browser_without_the_connect_cookie_is_refused_without_an_exchange(
    database: TestDatabase,
) {
    let flow = FlowOptions::new().spawn(database).await;
    let sender = flow.token("sender");
    let creator = flow.creator_with_videos(3);
    // The sender's popup went to TikTok; the consent link is sent to the creator, whose
    // browser never opened the start link.
    let authorization = flow.begin_connect(&sender).await;
    let query: Vec<(String, String)> = authorization.query_pairs().into_owned().collect();
    assert!(
        query.contains(&("disable_auto_auth".to_owned(), "1".to_owned())),
        "explicit consent: {authorization}"
    );
    let redirect = flow
        .consent(&authorization, &creator.open_id, Consent::All)
        .await;
    flow.forget_cookies();
    flow.follow_callback(&redirect)
        .await
        .assert_error("other_browser");
    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 0, "no exchange");
    assert!(flow.stored_connection("sender").await.is_none());
}

async fn a_start_link_binds_one_browser_once_and_only_soon_after_its_issue(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("user");
    let body = flow.get_json("/api/auth/tiktok/connect", &token).await;
    let start = url::Url::parse(body["authorizationUrl"].as_str().unwrap()).unwrap();
    assert_eq!(start.path(), "/api/auth/tiktok/start");

    let authorization = flow.open_start(TIKTOK, &start).await;
    // Opened again (the link forwarded after its user opened it): refused, no cookie.
    let again = flow.open_start_link(TIKTOK, &start).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(again.headers().get("set-cookie").is_none());
    assert!(again.text().await.unwrap().contains("state_used"));
    // Its own browser still completes.
    let creator = flow.creator_with_videos(3);
    let redirect = flow
        .consent(&authorization, &creator.open_id, Consent::All)
        .await;
    let page = flow.follow_callback(&redirect).await;
    assert_eq!(page.kind(), "tiktok:connected", "{}", page.message);

    // A start link opened more than two minutes after its issue is refused.
    let body = flow.get_json("/api/auth/tiktok/connect", &token).await;
    let late = url::Url::parse(body["authorizationUrl"].as_str().unwrap()).unwrap();
    flow.clock.advance(TimeDelta::minutes(3));
    let response = flow.open_start_link(TIKTOK, &late).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("state_used"));
}
