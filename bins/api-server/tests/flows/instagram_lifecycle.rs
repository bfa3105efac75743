//! An Instagram connection's life after connect: its 60-day token refreshed a month before
//! it ends, Meta's throttle waited out (never a failure), error 190 asking the creator to
//! reconnect, and Meta's deauthorize and data-deletion callbacks ending it.

use chrono::TimeDelta;
use domain::ConnectionStatus;
use instagram_sandbox::{CallbackKind, Endpoint};
use reqwest::StatusCode;
use url::Url;

use crate::support::{Flow, FlowOptions, TestDatabase, error_code, on_both_backends};

on_both_backends!(
    instagram_tokens_are_refreshed_a_month_before_they_end,
    a_throttle_pauses_the_account_until_meta_says_and_is_not_a_failure,
    error_190_asks_the_creator_to_reconnect,
    removing_the_app_in_instagram_ends_the_connection,
    a_data_deletion_request_deletes_the_data_and_its_status_page_says_so,
);

const USER: &str = "creator-ig";

/// A server with the Instagram account `username` connected for [`USER`]; returns its
/// Instagram user id and the user's bearer token.
async fn connected(database: TestDatabase, username: &str) -> (Flow, String, String) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token(USER);
    let account = flow.instagram_account(username);
    flow.connect_instagram_ok(&token, &account.ig_user_id).await;
    (flow, account.ig_user_id, token)
}

async fn instagram_tokens_are_refreshed_a_month_before_they_end(database: TestDatabase) {
    let (flow, _, token) = connected(database, "tiny.studio").await;
    let first = flow.stored_instagram_connection(USER).await.unwrap();
    let connected_at = first.tokens_obtained_at.unwrap();
    assert_eq!(
        first.access_token_expires_at.unwrap() - connected_at,
        TimeDelta::days(60),
        "a long-lived token"
    );

    // Two months, a day at a time, running the worker's refresh pass each day: the token
    // is refreshed once 30 days or fewer are left, never earlier, and never lapses.
    let mut refreshed_on: Vec<i64> = Vec::new();
    for day in 1..=62 {
        flow.advance_instagram_clocks(TimeDelta::days(1));
        let report = flow.services.refresh_expiring_tokens().await.unwrap();
        assert_eq!(
            report.failed + report.needs_reauth,
            0,
            "day {day}: {report:?}"
        );
        if report.refreshed > 0 {
            refreshed_on.push(day);
        }
    }
    // Due once 30 days or fewer are left: on day 30 or 31 (the stored times are whole
    // seconds, ours are not), and again 30 or 31 days after that.
    assert_eq!(refreshed_on.len(), 2, "{refreshed_on:?}");
    assert!([30, 31].contains(&refreshed_on[0]), "{refreshed_on:?}");
    assert!(
        [30, 31].contains(&(refreshed_on[1] - refreshed_on[0])),
        "{refreshed_on:?}"
    );
    assert_eq!(flow.instagram.call_count(Endpoint::Refresh), 2);
    let now = flow.stored_instagram_connection(USER).await.unwrap();
    assert_eq!(now.status, ConnectionStatus::Active);
    assert_eq!(
        now.access_token_expires_at.unwrap() - now.tokens_obtained_at.unwrap(),
        TimeDelta::days(60)
    );
    let obtained = now.tokens_obtained_at.unwrap() - connected_at;
    assert!(
        (obtained - TimeDelta::days(refreshed_on[1]))
            .num_seconds()
            .abs()
            <= 1,
        "the token was obtained at the second refresh: {obtained}"
    );

    // The refreshed token works: a sync on day 62 (the first token died on day 60).
    let (status, body) = flow.sync_instagram(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "synced");
}

async fn a_throttle_pauses_the_account_until_meta_says_and_is_not_a_failure(
    database: TestDatabase,
) {
    let (flow, ig_user_id, token) = connected(database, "tiny.studio").await;
    let app_id = bootstrap::settings::SANDBOX_INSTAGRAM_APP_ID;
    assert!(flow.instagram.throttle(app_id, &ig_user_id, 30));

    // Past the manual cooldown: the sync meets Meta's throttle and is queued, not failed.
    flow.advance_instagram_clocks(TimeDelta::minutes(6));
    let calls = flow.instagram.call_count(Endpoint::Profile);
    let (status, body) = flow.sync_instagram(&token).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "queued");
    assert_eq!(flow.instagram.call_count(Endpoint::Profile), calls + 1);
    let runs = flow.get_json("/api/instagram/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["outcome"], "rate_limited");
    let connection = flow.stored_instagram_connection(USER).await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::Active);
    assert_eq!(connection.refresh_failures, 0);

    // Inside Meta's wait no call is made for the account at all.
    flow.advance_instagram_clocks(TimeDelta::minutes(6));
    let calls = flow.instagram.call_counts();
    let (status, body) = flow.sync_instagram(&token).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(
        flow.instagram.call_counts(),
        calls,
        "called inside the pause"
    );

    // Once the wait Meta stated is over, the sync goes through.
    flow.advance_instagram_clocks(TimeDelta::minutes(20));
    let (status, body) = flow.sync_instagram(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "synced");
    let connections = flow.get_json("/api/connections", &token).await;
    let card = instagram_card(&connections);
    assert_eq!(card["status"], "active");
}

async fn error_190_asks_the_creator_to_reconnect(database: TestDatabase) {
    let (flow, ig_user_id, token) = connected(database, "tiny.studio").await;
    // The creator changes their Instagram password: every token answers 190.
    assert_eq!(
        flow.instagram.change_password(&ig_user_id),
        [bootstrap::settings::SANDBOX_INSTAGRAM_APP_ID]
    );
    // Old enough to be refreshable, so the one refresh attempt is Meta's answer, not ours.
    flow.advance_instagram_clocks(TimeDelta::days(2));
    let (status, body) = flow.sync_instagram(&token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "needs_reauth");
    assert_eq!(flow.instagram.call_count(Endpoint::Refresh), 1);
    let connection = flow.stored_instagram_connection(USER).await.unwrap();
    assert_eq!(connection.status, ConnectionStatus::NeedsReauth);
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(instagram_card(&connections)["status"], "needs_reauth");
    // The data synced before stays readable until the creator reconnects.
    let media = flow.get_json("/api/instagram/media", &token).await;
    assert_eq!(media["videos"].as_array().unwrap().len(), 8);
}

async fn removing_the_app_in_instagram_ends_the_connection(database: TestDatabase) {
    let (flow, ig_user_id, token) = connected(database, "tiny.studio").await;

    // A request signed with another secret changes nothing.
    let forged = instagram_sandbox::sign_request(
        "not-the-app-secret",
        &serde_json::json!({
            "algorithm": "HMAC-SHA256",
            "issued_at": chrono::Utc::now().timestamp(),
            "user_id": ig_user_id,
        }),
    );
    let deauthorize = flow.url("/api/webhooks/instagram/deauthorize");
    let (status, body) = resend(&flow, &deauthorize, &forged).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "bad_signature");
    assert!(flow.stored_instagram_connection(USER).await.is_some());

    let deliveries = flow.instagram.remove_app(&ig_user_id, None, false).await;
    assert_eq!(deliveries.len(), 1);
    let delivery = &deliveries[0];
    assert_eq!(delivery.kind, CallbackKind::Deauthorize);
    assert_eq!(delivery.status, Some(200), "{delivery:?}");
    assert!(flow.stored_instagram_connection(USER).await.is_none());
    let response = flow.call("GET", "/api/instagram/media", &token).await;
    assert_eq!(error_code(response).await, "not_connected");

    // Meta delivering it again changes nothing.
    let again = resend(&flow, &delivery.url, &delivery.signed_request).await;
    assert_eq!(again.0, StatusCode::OK);
    assert_eq!(again.1["outcome"], "duplicate");
}

async fn a_data_deletion_request_deletes_the_data_and_its_status_page_says_so(
    database: TestDatabase,
) {
    let (flow, ig_user_id, token) = connected(database, "tiny.studio").await;
    let deliveries = flow
        .instagram
        .request_deletion(&ig_user_id, None, false)
        .await;
    assert_eq!(deliveries.len(), 1);
    let delivery = &deliveries[0];
    assert_eq!(delivery.kind, CallbackKind::DataDeletion);
    assert_eq!(delivery.status, Some(200), "{delivery:?}");
    let code = delivery
        .confirmation_code
        .clone()
        .expect("a confirmation code");
    let status_url = delivery.status_url.clone().expect("a status URL");
    assert_eq!(code.len(), 32);
    assert!(
        status_url.ends_with(&format!("/api/data-deletion/{code}")),
        "{status_url}"
    );

    // The data is gone.
    assert!(flow.stored_instagram_connection(USER).await.is_none());
    let response = flow.call("GET", "/api/instagram/profile", &token).await;
    assert_eq!(error_code(response).await, "not_connected");

    // The status page (opened by the person, no login) says it is done.
    let page = status_page(&flow, &status_url).await;
    assert!(page.contains(&code), "{page}");
    assert!(page.contains("were deleted"), "{page}");
    assert!(!page.contains(&ig_user_id), "the page names no account");

    // Meta retrying the same request gets the same code, and nothing else happens.
    let (status, body) = resend(&flow, &delivery.url, &delivery.signed_request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["confirmation_code"], code.as_str());
    assert_eq!(body["url"], status_url.as_str());

    // A code never issued is a JSON 404.
    let response = flow
        .client
        .get(flow.url("/api/data-deletion/00000000000000000000000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(response).await, "not_found");

    // A request for an account never connected here is answered too, and says so.
    let other = flow.instagram_account("ana.makes");
    let deliveries = flow
        .instagram
        .request_deletion(&other.ig_user_id, None, false)
        .await;
    let page = status_page(&flow, deliveries[0].status_url.as_deref().unwrap()).await;
    assert!(
        page.contains("Nothing of this account was held here"),
        "{page}"
    );
}

/// The Instagram card of `GET /api/connections`.
fn instagram_card(connections: &serde_json::Value) -> serde_json::Value {
    connections["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|card| card["platform"] == "instagram")
        .cloned()
        .expect("an Instagram card")
}

/// POSTs a signed request to the callback `url` (as the emulator addressed it) again.
async fn resend(flow: &Flow, url: &str, signed_request: &str) -> (StatusCode, serde_json::Value) {
    let response = flow
        .client
        .post(url)
        .form(&[("signed_request", signed_request)])
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// The deletion status page at `status_url` (on `localhost`; the server listens on
/// 127.0.0.1).
async fn status_page(flow: &Flow, status_url: &str) -> String {
    let status_url = Url::parse(status_url).unwrap();
    let response = flow
        .client
        .get(flow.url(status_url.path()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    response.text().await.unwrap()
}
