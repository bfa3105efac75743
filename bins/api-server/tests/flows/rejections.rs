//! Every way a connection, a sync or a read is refused, and what is left behind.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::json;
use tiktok_sandbox::{Endpoint, Fault};

use crate::support::{
    ConnectedCreator, Consent, FlowOptions, PROTECTED_ROUTES, TestDatabase, error_code,
    on_both_backends,
};

on_both_backends!(
    a_replayed_callback_is_refused_and_stores_nothing_new,
    an_expired_state_is_refused,
    a_callback_connects_only_the_user_who_started_it,
    cancel_on_the_consent_page_says_connection_cancelled,
    an_error_callback_shows_tiktoks_text_only_with_our_state,
    an_invalid_jwt_gets_401_on_every_protected_route,
    a_second_manual_sync_inside_the_cooldown_gets_429_with_retry_after,
    a_spent_call_budget_queues_the_manual_sync,
    tiktok_failing_during_a_sync_keeps_the_previous_data,
    a_rejected_refresh_marks_the_connection_needs_reauth,
    a_refresh_without_a_refresh_token_keeps_the_stored_one,
    a_reconnect_as_another_tiktok_account_is_refused,
    a_grant_without_stats_syncs_the_profile_without_counts,
    a_callback_without_a_known_state_is_refused,
    a_code_tiktok_refuses_stores_nothing,
    an_access_token_tiktok_calls_invalid_is_refreshed_once_and_the_sync_retried,
    a_sync_while_another_holds_the_connection_gets_409,
    two_sync_presses_at_once_run_one_sync,
    a_grant_without_video_list_syncs_no_videos_and_says_so,
);

async fn a_replayed_callback_is_refused_and_stores_nothing_new(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("replay-user");
    let creator = flow.creator_with_videos(3);
    let authorization_url = flow.begin_connect(&token).await;
    let redirect = flow
        .consent(&authorization_url, &creator.open_id, Consent::All)
        .await;
    let first = flow.follow_callback(&redirect).await;
    assert_eq!(first.kind(), "tiktok:connected", "{}", first.message);
    let connection = flow.stored_connection("replay-user").await.unwrap();
    let runs_before = flow
        .services
        .database()
        .recent_sync_runs(connection.id, 10)
        .await
        .unwrap();
    let calls_before = flow.sandbox.call_counts();

    let replay = flow.follow_callback(&redirect).await;
    replay.assert_error("state_used");
    // No exchange, no sync, no change to the stored connection.
    assert_eq!(flow.sandbox.call_counts(), calls_before);
    let after = flow.stored_connection("replay-user").await.unwrap();
    assert_eq!(after.token_version, connection.token_version);
    assert_eq!(after.updated_at, connection.updated_at);
    let runs_after = flow
        .services
        .database()
        .recent_sync_runs(connection.id, 10)
        .await
        .unwrap();
    assert_eq!(runs_after.len(), runs_before.len());
}

async fn an_expired_state_is_refused(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("slow-user");
    let creator = flow.creator_with_videos(3);
    let authorization_url = flow.begin_connect(&token).await;
    let redirect = flow
        .consent(&authorization_url, &creator.open_id, Consent::All)
        .await;
    flow.clock.advance(TimeDelta::minutes(11));
    let page = flow.follow_callback(&redirect).await;
    page.assert_error("state_expired");
    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 0, "no exchange");
    assert!(flow.stored_connection("slow-user").await.is_none());
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["connected"], false);
}

/// The callback carries no bearer token: the state alone says whose connection it is. User
/// A's completed popup connects A, never B (who may be the one whose browser follows the
/// link), and B sees nothing of A's data.
async fn a_callback_connects_only_the_user_who_started_it(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token_a = flow.token("user-a");
    let token_b = flow.token("user-b");
    let creator = flow.creator_with_videos(3);
    // B has a pending flow of its own, which A's callback must not complete.
    let b_authorization = flow.begin_connect(&token_b).await;

    let authorization_a = flow.begin_connect(&token_a).await;
    let redirect = flow
        .consent(&authorization_a, &creator.open_id, Consent::All)
        .await;
    let page = flow.follow_callback(&redirect).await;
    assert_eq!(page.kind(), "tiktok:connected", "{}", page.message);

    assert!(flow.stored_connection("user-a").await.is_some());
    assert!(flow.stored_connection("user-b").await.is_none());
    let connections = flow.get_json("/api/connections", &token_b).await;
    assert_eq!(connections["connections"][0]["connected"], false);
    assert_eq!(
        connections["connections"][0]["handle"],
        serde_json::Value::Null
    );
    for (method, path) in [
        ("GET", "/api/tiktok/profile"),
        ("GET", "/api/tiktok/videos"),
        ("GET", "/api/tiktok/analytics"),
        ("GET", "/api/tiktok/sync-runs"),
        ("POST", "/api/auth/tiktok/sync"),
        ("DELETE", "/api/auth/tiktok/disconnect"),
    ] {
        let response = flow.call(method, path, &token_b).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(
            error_code(response).await,
            "not_connected",
            "{method} {path}"
        );
    }
    // B's attempts changed nothing of A's.
    let profile = flow.get_json("/api/tiktok/profile", &token_a).await;
    assert_eq!(profile["openId"], creator.open_id.as_str());
    assert!(flow.sandbox.revoked_grants().is_empty());

    // The same TikTok account completing B's own flow is refused: it belongs to A.
    let redirect = flow
        .consent(&b_authorization, &creator.open_id, Consent::All)
        .await;
    let page = flow.follow_callback(&redirect).await;
    page.assert_error("account_in_use");
    assert!(flow.stored_connection("user-b").await.is_none());
    let connections = flow.get_json("/api/connections", &token_b).await;
    assert_eq!(connections["connections"][0]["connected"], false);
    // Not revoked: TikTok would end the app's whole authorization of the account, which A's
    // connection holds.
    assert!(flow.sandbox.revoked_grants().is_empty());
    assert_eq!(
        flow.get_json("/api/connections", &token_a).await["connections"][0]["status"],
        "active"
    );
}

async fn cancel_on_the_consent_page_says_connection_cancelled(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("hesitant-user");
    let creator = flow.creator_with_videos(3);
    let authorization_url = flow.begin_connect(&token).await;
    let redirect = flow
        .consent(&authorization_url, &creator.open_id, Consent::Cancel)
        .await;
    let page = flow.follow_callback(&redirect).await;
    page.assert_error("cancelled");
    assert_eq!(page.message["message"], "Connection cancelled");
    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 0);
    assert!(flow.stored_connection("hesitant-user").await.is_none());
}

/// Anyone can send a creator to the callback with an `error_description` of their choosing:
/// without a state of ours it is not shown. With ours (TikTok's own redirect) TikTok's text
/// is shown, on one line and cut to length; a repeated parameter still gets the page.
async fn an_error_callback_shows_tiktoks_text_only_with_our_state(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let callback = |query: &str| {
        url::Url::parse(&format!(
            "http://localhost/api/auth/tiktok/callback?{query}"
        ))
        .unwrap()
    };
    let forged = "Your account is suspended. Call +1 555 0100 to restore it";
    let query = format!(
        "error=server_error&error_description={}&state=not-ours",
        urlencoding(forged)
    );
    let page = flow.follow_callback(&callback(&query)).await;
    page.assert_error("invalid_state");
    assert!(!page.html.contains("suspended"), "{}", page.html);
    let page = flow
        .follow_callback(&callback(&format!(
            "error=server_error&error_description={}",
            urlencoding(forged)
        )))
        .await;
    page.assert_error("invalid_callback");
    assert!(!page.html.contains("suspended"));

    let token = flow.token("denied-user");
    let authorization_url = flow.begin_connect(&token).await;
    let state = authorization_url
        .query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .unwrap();
    let long = format!("the scope\nwas refused {}", "x".repeat(1_000));
    let page = flow
        .follow_callback(&callback(&format!(
            "error=invalid_scope&error_description={}&state={state}&state=another",
            urlencoding(&long)
        )))
        .await;
    page.assert_error("access_denied");
    let message = page.message["message"].as_str().unwrap();
    assert!(
        message.starts_with("TikTok refused the authorization: the scope was refused xxx"),
        "{message}"
    );
    assert!(
        message.ends_with('…') && message.chars().count() < 260,
        "{message}"
    );
    assert!(flow.stored_connection("denied-user").await.is_none());
    // The state is spent: the same link cannot be used again.
    let page = flow
        .follow_callback(&callback(&format!("code=abc&state={state}")))
        .await;
    page.assert_error("state_used");
}

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn an_invalid_jwt_gets_401_on_every_protected_route(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let valid = flow.token("jwt-user");
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&valid, &creator.open_id).await;

    let wrong_secret = api_server::auth::JwtIssuer::new(&secrecy::SecretString::from(
        "another-secret-entirely-0123456789abcdef".to_owned(),
    ))
    .issue("jwt-user", chrono::Duration::minutes(5))
    .unwrap();
    let expired = api_server::auth::JwtIssuer::new(&flow.secrets.jwt_secret)
        .issue_at(
            "jwt-user",
            Utc::now() - chrono::Duration::hours(2),
            chrono::Duration::minutes(30),
        )
        .unwrap();
    use secrecy::ExposeSecret as _;
    let mut tampered = valid.clone();
    tampered.insert_str(valid.find('.').unwrap() + 1, "e30");
    let bad_tokens = [
        "not-a-jwt".to_owned(),
        wrong_secret.token.expose_secret().to_owned(),
        expired.token.expose_secret().to_owned(),
        tampered,
    ];
    for (method, path) in PROTECTED_ROUTES {
        let url = flow.url(path);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = flow
            .client
            .request(method.clone(), &url)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
        error_code(response).await;
        for bad in &bad_tokens {
            let response = flow.call(method.as_str(), path, bad).await;
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            error_code(response).await;
        }
    }
    // Nothing was done on the creator's behalf.
    assert!(flow.stored_connection("jwt-user").await.is_some());
    assert!(flow.sandbox.revoked_grants().is_empty());
}

async fn a_second_manual_sync_inside_the_cooldown_gets_429_with_retry_after(
    database: TestDatabase,
) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .var("MANUAL_SYNC_COOLDOWN_SECS", "300")
        .with_connected_creator(database, "eager-user", 3)
        .await;

    // The connect synced: it starts the cooldown too (issue 25).
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "sync_cooldown");
    flow.clock.advance(TimeDelta::seconds(301));
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, headers, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "sync_cooldown");
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        (1..=300).contains(&retry_after),
        "Retry-After {retry_after}"
    );

    // Once the cooldown has passed, syncing works again.
    flow.clock.advance(TimeDelta::seconds(301));
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_spent_call_budget_queues_the_manual_sync(database: TestDatabase) {
    // Connect spends three calls (exchange, user info, one video page); the fourth is the
    // manual sync's user info, and its video page finds the budget spent.
    // (the one user may spend the whole day: the per-user share is fair_share.rs's)
    let flow = FlowOptions::new()
        .var("TIKTOK_DAILY_QUOTA", "4")
        .var("USER_DAILY_SHARE_PERCENT", "100")
        .spawn(database)
        .await;
    flow.keep_clear_of_midnight();
    let token = flow.token("thrifty-user");
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    let before = flow.stored_connection("thrifty-user").await.unwrap();
    assert!(before.sync_requested_at.is_none());

    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "queued");
    assert!(body["message"].as_str().unwrap().contains("queued"));
    let after = flow.stored_connection("thrifty-user").await.unwrap();
    assert!(
        after.sync_requested_at.is_some(),
        "the worker is asked to sync"
    );
    assert_eq!(after.status, domain::ConnectionStatus::Active);
    let videos = flow.all_videos(&token, 100).await;
    assert_eq!(videos.len(), 3, "the data synced at connect is intact");
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["trigger"], "manual");
    assert_eq!(runs["runs"][0]["outcome"], "rate_limited");
    assert_eq!(
        runs["runs"][0]["apiCalls"], 1,
        "the user info call it could make"
    );
}

async fn tiktok_failing_during_a_sync_keeps_the_previous_data(database: TestDatabase) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "unlucky-user", 95)
        .await;
    let videos_before = flow.all_videos(&token, 100).await;
    let profile_before = flow.get_json("/api/tiktok/profile", &token).await;

    // A new day at TikTok (new numbers), and the video list failing whatever the retries.
    flow.advance_both_clocks(2);
    flow.sandbox
        .set_fault_for_calls(Endpoint::VideoList, Fault::ServerError { status: 503 }, 50);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    flow.sandbox.clear_faults();

    assert_eq!(flow.all_videos(&token, 100).await, videos_before);
    let profile_after = flow.get_json("/api/tiktok/profile", &token).await;
    assert_eq!(
        profile_after["followerCount"],
        profile_before["followerCount"]
    );
    assert_eq!(profile_after["status"], "active");
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    let last = &runs["runs"][0];
    assert_eq!(last["trigger"], "manual");
    assert_eq!(last["outcome"], "failed");
    assert!(last["errorCode"].is_string());
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["status"], "active");
    assert_eq!(connections["connections"][0]["connected"], true);
}

async fn a_rejected_refresh_marks_the_connection_needs_reauth(database: TestDatabase) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "revoked-user", 3)
        .await;

    flow.advance_both_clocks(25);
    flow.sandbox
        .set_fault_for_calls(Endpoint::Token, Fault::RefreshInvalidGrant, 1);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "needs_reauth");
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["status"], "needs_reauth");
    assert_eq!(connections["connections"][0]["connected"], true);
    // The synced data stays readable until the creator reconnects or disconnects.
    assert_eq!(flow.all_videos(&token, 100).await.len(), 3);
    // Further syncs say the same without calling TikTok.
    let calls = flow.sandbox.call_counts();
    flow.clock.advance(TimeDelta::seconds(301));
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "needs_reauth");
    assert_eq!(flow.sandbox.call_counts(), calls);
}

async fn a_refresh_without_a_refresh_token_keeps_the_stored_one(database: TestDatabase) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "steady-user", 3)
        .await;
    let (first_access, first_refresh) = flow.stored_tokens("steady-user").await;
    let first_refresh = first_refresh.unwrap();

    flow.advance_both_clocks(25);
    flow.sandbox
        .set_fault_for_calls(Endpoint::Token, Fault::RefreshWithoutRefreshToken, 1);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (second_access, second_refresh) = flow.stored_tokens("steady-user").await;
    assert_ne!(second_access, first_access);
    assert_eq!(second_refresh.as_deref(), Some(first_refresh.as_str()));

    // A day later the kept refresh token still works.
    flow.advance_both_clocks(25);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 3);
    let (third_access, _) = flow.stored_tokens("steady-user").await;
    assert_ne!(third_access, second_access);
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["status"], "active");
}

async fn a_reconnect_as_another_tiktok_account_is_refused(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("loyal-user");
    let first = flow.creator_with_videos(3);
    let other = flow.creator_with_videos(0);
    flow.connect_ok(&token, &first.open_id).await;
    let before = flow.stored_connection("loyal-user").await.unwrap();

    let page = flow.connect(&token, &other.open_id, Consent::All).await;
    page.assert_error("different_account");
    assert!(
        page.message["message"]
            .as_str()
            .unwrap()
            .contains(&first.username),
        "{}",
        page.message
    );
    let after = flow.stored_connection("loyal-user").await.unwrap();
    assert_eq!(after.id, before.id);
    assert_eq!(after.token_version, before.token_version);
    assert_eq!(after.profile.platform_account_id, first.open_id);
    let profile = flow.get_json("/api/tiktok/profile", &token).await;
    assert_eq!(profile["openId"], first.open_id.as_str());
    assert_eq!(profile["handle"], first.username.as_str());
    assert_eq!(flow.all_videos(&token, 100).await.len(), 3);
    assert!(flow.stored_connection_of(&other.open_id).await.is_none());
    // The grant just received is revoked (issue 25): that account is connected nowhere
    // here, so nobody's connection depends on it. The connected account's is untouched.
    let revoked: Vec<String> = flow
        .sandbox
        .revoked_grants()
        .into_iter()
        .map(|revocation| revocation.open_id)
        .collect();
    assert_eq!(revoked, std::slice::from_ref(&other.open_id));
}

async fn a_grant_without_stats_syncs_the_profile_without_counts(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("private-user");
    let creator = flow.creator_with_videos(3);
    let page = flow
        .connect(
            &token,
            &creator.open_id,
            Consent::Only(&["user.info.basic", "user.info.profile", "video.list"]),
        )
        .await;
    assert_eq!(page.kind(), "tiktok:connected", "{}", page.message);

    let profile = flow.get_json("/api/tiktok/profile", &token).await;
    assert_eq!(profile["handle"], creator.username.as_str());
    assert_eq!(profile["followerCount"], serde_json::Value::Null);
    assert_eq!(profile["likesCount"], serde_json::Value::Null);
    assert_eq!(profile["missingScopes"], json!(["user.info.stats"]));
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(
        connections["connections"][0]["followerCount"],
        serde_json::Value::Null
    );
    assert_eq!(
        connections["connections"][0]["missingScopes"],
        json!(["user.info.stats"])
    );
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["outcome"], "partial");
    assert_eq!(flow.all_videos(&token, 100).await.len(), 3);

    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["missingScopes"], json!(["user.info.stats"]));
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["outcome"], "partial");
}

async fn a_callback_without_a_known_state_is_refused(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("forged-user");
    let creator = flow.creator_with_videos(3);
    let authorization_url = flow.begin_connect(&token).await;
    let redirect = flow
        .consent(&authorization_url, &creator.open_id, Consent::All)
        .await;
    let code = redirect
        .query_pairs()
        .find(|(name, _)| name == "code")
        .unwrap()
        .1
        .into_owned();

    let mut without_state = redirect.clone();
    without_state.set_query(Some(&format!("code={code}")));
    flow.follow_callback(&without_state)
        .await
        .assert_error("invalid_callback");
    let mut forged = redirect.clone();
    forged.set_query(Some(&format!("code={code}&state=forged-state-value")));
    flow.follow_callback(&forged)
        .await
        .assert_error("invalid_state");
    let mut no_code = redirect.clone();
    let state = redirect
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .into_owned();
    no_code.set_query(Some(&format!("state={state}")));
    flow.follow_callback(&no_code)
        .await
        .assert_error("invalid_callback");

    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 0, "no exchange");
    assert!(flow.stored_connection("forged-user").await.is_none());
}

async fn a_code_tiktok_refuses_stores_nothing(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("mangled-user");
    let creator = flow.creator_with_videos(3);
    let authorization_url = flow.begin_connect(&token).await;
    let redirect = flow
        .consent(&authorization_url, &creator.open_id, Consent::All)
        .await;
    let state = redirect
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .into_owned();
    let mut mangled = redirect.clone();
    mangled.set_query(Some(&format!("code=not-the-code&state={state}")));
    flow.follow_callback(&mangled)
        .await
        .assert_error("exchange_failed");
    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 1);
    assert_eq!(flow.sandbox.call_count(Endpoint::UserInfo), 0);
    assert!(flow.stored_connection("mangled-user").await.is_none());
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["connected"], false);
}

async fn an_access_token_tiktok_calls_invalid_is_refreshed_once_and_the_sync_retried(
    database: TestDatabase,
) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "unlucky-token-user", 3)
        .await;
    let (first_access, _) = flow.stored_tokens("unlucky-token-user").await;

    // TikTok says the token is invalid although it has not expired for us.
    flow.sandbox
        .set_fault_for_calls(Endpoint::UserInfo, Fault::AccessTokenInvalid, 1);
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(flow.sandbox.call_count(Endpoint::Token), 2, "one refresh");
    let (second_access, _) = flow.stored_tokens("unlucky-token-user").await;
    assert_ne!(second_access, first_access);

    // If TikTok keeps saying so, the sync refreshes once more, retries once, and gives up
    // without calling the connection revoked.
    flow.clock.advance(TimeDelta::seconds(301));
    flow.sandbox
        .set_fault(Endpoint::UserInfo, Fault::AccessTokenInvalid);
    let (status, _, body) = flow.sync(&token).await;
    flow.sandbox.clear_faults();
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert_eq!(
        flow.sandbox.call_count(Endpoint::Token),
        3,
        "one refresh only"
    );
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["status"], "active");
    assert_eq!(flow.all_videos(&token, 100).await.len(), 3);
}

async fn a_sync_while_another_holds_the_connection_gets_409(database: TestDatabase) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "busy-user", 3)
        .await;
    let connection = flow.stored_connection("busy-user").await.unwrap();
    let db = flow.services.database();
    // A sync-worker is syncing this connection.
    assert!(
        db.try_lease_connection(
            connection.id,
            "sync-worker-elsewhere",
            Utc::now(),
            std::time::Duration::from_secs(600),
        )
        .await
        .unwrap()
    );
    let calls = flow.sandbox.call_counts();
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "sync_in_progress");
    assert_eq!(flow.sandbox.call_counts(), calls);

    db.release_lease(connection.id, "sync-worker-elsewhere")
        .await
        .unwrap();
    let (status, _, body) = flow.sync(&token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn two_sync_presses_at_once_run_one_sync(database: TestDatabase) {
    let (flow, ConnectedCreator { token, .. }) = FlowOptions::new()
        .with_connected_creator(database, "double-clicker", 3)
        .await;
    let user_info_calls = flow.sandbox.call_count(Endpoint::UserInfo);

    let (first, second) = tokio::join!(flow.sync(&token), flow.sync(&token));
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses[0], StatusCode::OK, "{} / {}", first.2, second.2);
    assert!(
        statuses[1] == StatusCode::CONFLICT || statuses[1] == StatusCode::TOO_MANY_REQUESTS,
        "{} / {}",
        first.2,
        second.2
    );
    assert_eq!(
        flow.sandbox.call_count(Endpoint::UserInfo),
        user_info_calls + 1,
        "one sync ran"
    );
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    let manual = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|run| run["trigger"] == "manual")
        .count();
    assert_eq!(manual, 1);
}

async fn a_grant_without_video_list_syncs_no_videos_and_says_so(database: TestDatabase) {
    let flow = FlowOptions::new().spawn(database).await;
    let token = flow.token("camera-shy-user");
    let creator = flow.creator_with_videos(3);
    let page = flow
        .connect(
            &token,
            &creator.open_id,
            Consent::Only(&["user.info.basic", "user.info.profile", "user.info.stats"]),
        )
        .await;
    assert_eq!(page.kind(), "tiktok:connected", "{}", page.message);
    assert_eq!(flow.sandbox.call_count(Endpoint::VideoList), 0);
    let profile = flow.get_json("/api/tiktok/profile", &token).await;
    assert_eq!(profile["followerCount"], creator.follower_count);
    assert_eq!(profile["missingScopes"], json!(["video.list"]));
    assert!(flow.all_videos(&token, 100).await.is_empty());
    let runs = flow.get_json("/api/tiktok/sync-runs", &token).await;
    assert_eq!(runs["runs"][0]["outcome"], "partial");
    assert_eq!(runs["runs"][0]["errorCode"], "missing_scopes");
}
