//! Issue 10: TikTok's `authorization.removed` in, signed notifications to the host product
//! out, through the real server, its database, the sandbox and a test receiver, over real
//! sockets.

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use tiktok_sandbox::RemovalReason;

use crate::host_receiver::{HOST_SECRET, HostReceiver, assert_signed, signature_for};
use crate::support::{ConnectedCreator, Flow, FlowOptions, TestDatabase, on_both_backends};

on_both_backends!(
    a_creator_removing_the_app_in_tiktok_ends_the_connection_and_tells_the_host,
    the_same_webhook_twice_is_harmless,
    refused_webhooks_change_nothing,
    a_receiver_failing_three_times_gets_the_event_once_after_retries,
    a_receiver_down_for_the_whole_window_leaves_the_event_undelivered,
    processes_delivering_at_once_never_send_one_event_twice_at_once,
    a_user_disconnecting_is_told_as_a_removal_by_the_user,
    a_developer_revoke_ends_an_older_grant_but_not_a_newer_one,
    a_stopping_deliverer_does_not_wait_for_a_slow_receiver,
);

/// Waits until `user_id` has nothing left in the outbox and the host answers nothing: after
/// that, no further notification can arrive (a resend only happens to an undelivered event).
async fn wait_for_outbox_idle(flow: &Flow, host: &HostReceiver, user_id: &str) {
    let db = flow.services.database().clone();
    let idle = async {
        loop {
            let pending = db.pending_outbound_events(user_id).await.unwrap();
            if pending.is_empty() && host.in_flight() == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), idle)
        .await
        .expect("the outbox became idle");
}

/// A server that notifies `receiver`, retrying every second.
async fn spawn_notifying(database: TestDatabase, receiver: &str) -> Flow {
    notifying(FlowOptions::new(), receiver)
        .spawn(database)
        .await
}

fn notifying(options: FlowOptions, receiver: &str) -> FlowOptions {
    options
        .var("HOST_WEBHOOK_URL", receiver)
        .var("HOST_WEBHOOK_SECRET", HOST_SECRET)
        .var("HOST_WEBHOOK_FIRST_RETRY_SECS", "1")
        .var("HOST_WEBHOOK_MAX_RETRY_SECS", "1")
}

/// An `authorization.removed` body for `open_id` created at `create_time`.
fn removal_at(open_id: &str, reason: u8, create_time: i64) -> String {
    json!({
        "client_key": api_server::config::SANDBOX_CLIENT_KEY,
        "event": "authorization.removed",
        "create_time": create_time,
        "user_openid": open_id,
        "content": format!(r#"{{"reason": {reason}}}"#),
    })
    .to_string()
}

/// A TikTok webhook body as TikTok documents it.
fn tiktok_body(client_key: &str, event: &str, open_id: &str, content: &str) -> String {
    json!({
        "client_key": client_key,
        "event": event,
        "create_time": chrono::Utc::now().timestamp(),
        "user_openid": open_id,
        "content": content,
    })
    .to_string()
}

/// POSTs a webhook as TikTok would, with `signature` as the `TikTok-Signature` header.
async fn post_webhook(flow: &Flow, body: &str, signature: Option<&str>) -> (StatusCode, Value) {
    let mut request = flow
        .client
        .post(flow.url("/api/webhooks/tiktok"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("TikTok-Signature", signature);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("every answer is JSON; got {status}: {text}"));
    (status, json)
}

/// Signs `body` with the app's client secret now, computed independently of the service.
fn signed_now(flow: &Flow, body: &str) -> String {
    signature_for(
        flow.secrets.client_secret.expose_secret(),
        chrono::Utc::now().timestamp(),
        body,
    )
}

async fn webhook_events(flow: &Flow) -> Vec<storage::WebhookEventRecord> {
    flow.services
        .database()
        .recent_webhook_events(100)
        .await
        .unwrap()
}

async fn a_creator_removing_the_app_in_tiktok_ends_the_connection_and_tells_the_host(
    database: TestDatabase,
) {
    let host = HostReceiver::start(0, Duration::ZERO).await;
    let flow = spawn_notifying(database, &host.url).await;
    let token = flow.token("creator-user");
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    let (access_token, refresh_token) = flow.stored_tokens("creator-user").await;
    host.wait_for("the connect and its first sync", |got| got.len() >= 2)
        .await;

    // The creator removes the app inside TikTok: the sandbox sends the signed webhook to
    // our server (and waits for its answer).
    flow.sandbox
        .remove_authorization(&creator.open_id, RemovalReason::UserDisconnected)
        .await;
    let sent = flow.sandbox.webhook_deliveries();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].delivered, "{sent:?}");
    assert_eq!(sent[0].status, Some(200));

    assert!(flow.stored_connection("creator-user").await.is_none());
    let connections = flow.get_json("/api/connections", &token).await;
    assert_eq!(connections["connections"][0]["connected"], json!(false));
    let recorded = webhook_events(&flow).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].event, "authorization.removed");
    assert_eq!(recorded[0].reason_code, Some(1));
    assert_eq!(recorded[0].outcome.as_deref(), Some("disconnected"));
    // The account it named is forgotten once handled (issue 25).
    assert_eq!(recorded[0].platform_account_id, None);
    // Nothing was revoked by us: the grant was already gone (only TikTok's own revocation).
    assert_eq!(flow.sandbox.revocation_count(), 1);

    let got = host
        .wait_for("connection.removed", |got| got.len() >= 3)
        .await;
    let types: Vec<String> = got.iter().map(|r| r.event_type()).collect();
    assert_eq!(
        types,
        [
            "connection.connected",
            "sync.completed",
            "connection.removed"
        ]
    );
    for received in &got {
        assert_signed(received);
        let body = received.json();
        assert_eq!(received.id, body["id"].as_str().unwrap());
        assert_eq!(body["user_id"], json!("creator-user"));
        assert!(!received.body.contains(&access_token));
        assert!(!received.body.contains(refresh_token.as_deref().unwrap()));
        // Nothing names the creator (issue 25): the ids and the event only.
        assert!(
            !received.body.contains(&creator.open_id),
            "{}",
            received.body
        );
        assert!(
            !received.body.contains(&creator.username),
            "{}",
            received.body
        );
    }
    // Nor does anything the outbox keeps.
    let kept = flow
        .services
        .database()
        .list_outbound_events("creator-user", 10)
        .await
        .unwrap();
    for status in kept {
        let text = status.event.payload.to_string();
        assert!(!text.contains(&creator.open_id), "{text}");
        assert!(!text.contains(&creator.username), "{text}");
    }
    let removed = got[2].json();
    assert_eq!(removed["data"]["reason"], json!("creator_in_tiktok"));
    assert_eq!(
        removed["data"]["description"],
        json!("creator removed the app in TikTok")
    );
    assert_eq!(removed["data"]["platform_reason_code"], json!(1));
    assert_eq!(got[1].json()["data"]["videos"], json!(3));
    assert_eq!(
        got[0].json()["connection_id"],
        removed["connection_id"],
        "one connection throughout"
    );

    // The receiver answers before the deliverer records the delivery: wait (with a deadline)
    // for the record, rather than read it at once.
    let expected = [
        ("connection.removed", "delivered"),
        ("sync.completed", "delivered"),
        ("connection.connected", "delivered"),
    ];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let deliveries = flow.get_json("/api/webhooks/deliveries", &token).await;
        let states: Vec<(String, String)> = deliveries["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["type"].as_str().unwrap().to_owned(),
                    d["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let done = states
            .iter()
            .map(|(kind, state)| (kind.as_str(), state.as_str()))
            .eq(expected);
        if done {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries never all recorded: {states:?}"
        );
        tokio::task::yield_now().await;
    }
    let metrics = flow.metrics().await;
    assert!(
        metrics.contains(
            r#"webhooks_received_total{event="authorization.removed",outcome="disconnected"} 1"#
        ),
        "{metrics}"
    );
    assert!(metrics.contains(r#"host_webhook_deliveries_total{result="delivered"} 3"#));

    // The worker prunes: a week later the webhook is gone, a month later the deliveries.
    flow.clock.advance(chrono::TimeDelta::days(8));
    let pruned = flow.services.prune_webhook_history().await.unwrap();
    assert_eq!((pruned.webhooks, pruned.notifications), (1, 0));
    flow.clock.advance(chrono::TimeDelta::days(30));
    let pruned = flow.services.prune_webhook_history().await.unwrap();
    assert_eq!((pruned.webhooks, pruned.notifications), (0, 3));
    let left = flow
        .services
        .database()
        .list_outbound_events("creator-user", 10)
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
    host.stop().await;
}

async fn the_same_webhook_twice_is_harmless(database: TestDatabase) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "twice-user", 3)
        .await;

    let body = tiktok_body(
        api_server::config::SANDBOX_CLIENT_KEY,
        "authorization.removed",
        &creator.open_id,
        r#"{"reason": 4}"#,
    );
    let signature = signed_now(&flow, &body);
    let (status, answer) = post_webhook(&flow, &body, Some(&signature)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], json!("disconnected"));
    assert!(flow.stored_connection("twice-user").await.is_none());

    // The creator connects again; the old delivery arrives again: nothing changes.
    flow.connect_ok(&token, &creator.open_id).await;
    let reconnected = flow.stored_connection("twice-user").await.unwrap();
    let (status, answer) = post_webhook(&flow, &body, Some(&signature)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["outcome"], json!("duplicate"));
    assert_eq!(
        flow.stored_connection("twice-user").await.unwrap().id,
        reconnected.id
    );
    assert_eq!(flow.all_videos(&token, 100).await.len(), 3);

    // A removal that happened before the current grant (delivered late, after the creator
    // connected again) does not end the new connection.
    let late = json!({
        "client_key": api_server::config::SANDBOX_CLIENT_KEY,
        "event": "authorization.removed",
        "create_time": chrono::Utc::now().timestamp() - 3600,
        "user_openid": creator.open_id,
        "content": r#"{"reason": 1}"#,
    })
    .to_string();
    let (status, answer) = post_webhook(&flow, &late, Some(&signed_now(&flow, &late))).await;
    assert_eq!(
        (status, &answer["outcome"]),
        (StatusCode::OK, &json!("older_than_grant"))
    );
    assert!(flow.stored_connection("twice-user").await.is_some());

    // An account we do not know is acknowledged and recorded; other events are ignored.
    let unknown = tiktok_body(
        api_server::config::SANDBOX_CLIENT_KEY,
        "authorization.removed",
        "-000unknown",
        r#"{"reason": 2}"#,
    );
    let (status, answer) = post_webhook(&flow, &unknown, Some(&signed_now(&flow, &unknown))).await;
    assert_eq!(
        (status, &answer["outcome"]),
        (StatusCode::OK, &json!("unknown_account"))
    );
    let other = tiktok_body(
        api_server::config::SANDBOX_CLIENT_KEY,
        "video.publish.completed",
        &creator.open_id,
        r#"{"publish_id": "p1"}"#,
    );
    let (status, answer) = post_webhook(&flow, &other, Some(&signed_now(&flow, &other))).await;
    assert_eq!(
        (status, &answer["outcome"]),
        (StatusCode::OK, &json!("ignored"))
    );
    assert!(flow.stored_connection("twice-user").await.is_some());

    let outcomes: Vec<(String, Option<String>, Option<i64>)> = webhook_events(&flow)
        .await
        .into_iter()
        .map(|event| (event.event, event.outcome, event.reason_code))
        .collect();
    assert_eq!(
        outcomes,
        [
            (
                "video.publish.completed".into(),
                Some("ignored".into()),
                None
            ),
            (
                "authorization.removed".into(),
                Some("unknown_account".into()),
                Some(2)
            ),
            (
                "authorization.removed".into(),
                Some("older_than_grant".into()),
                Some(1)
            ),
            (
                "authorization.removed".into(),
                Some("disconnected".into()),
                Some(4)
            ),
        ]
    );
}

async fn refused_webhooks_change_nothing(database: TestDatabase) {
    let (flow, ConnectedCreator { token, creator }) = FlowOptions::new()
        .with_connected_creator(database, "refusing-user", 3)
        .await;
    let client_key = api_server::config::SANDBOX_CLIENT_KEY;
    let good = tiktok_body(
        client_key,
        "authorization.removed",
        &creator.open_id,
        r#"{"reason": 1}"#,
    );
    let now = chrono::Utc::now().timestamp();
    let secret = flow.secrets.client_secret.expose_secret().to_owned();

    let wrong_key = tiktok_body(
        "someone-else",
        "authorization.removed",
        &creator.open_id,
        r#"{"reason": 1}"#,
    );
    let not_json = "{\"client_key\": oops".to_owned();
    let content_not_json = tiktok_body(
        client_key,
        "authorization.removed",
        &creator.open_id,
        "reason=1",
    );
    let cases: Vec<(&str, String, Option<String>, StatusCode, &str)> = vec![
        (
            "no signature",
            good.clone(),
            None,
            StatusCode::UNAUTHORIZED,
            "missing_signature",
        ),
        (
            "signed with another secret",
            good.clone(),
            Some(signature_for("not-the-client-secret", now, &good)),
            StatusCode::UNAUTHORIZED,
            "bad_signature",
        ),
        (
            "signed over another body",
            good.replace(&creator.open_id, "-000someone-else"),
            Some(signature_for(&secret, now, &good)),
            StatusCode::UNAUTHORIZED,
            "bad_signature",
        ),
        (
            "a stale timestamp",
            good.clone(),
            Some(signature_for(&secret, now - 600, &good)),
            StatusCode::UNAUTHORIZED,
            "stale_timestamp",
        ),
        (
            "another app's client key",
            wrong_key.clone(),
            Some(signature_for(&secret, now, &wrong_key)),
            StatusCode::UNAUTHORIZED,
            "unknown_client_key",
        ),
        (
            "malformed JSON",
            not_json.clone(),
            Some(signature_for(&secret, now, &not_json)),
            StatusCode::BAD_REQUEST,
            "malformed_body",
        ),
        (
            "content that is not JSON",
            content_not_json.clone(),
            Some(signature_for(&secret, now, &content_not_json)),
            StatusCode::BAD_REQUEST,
            "malformed_content",
        ),
    ];
    for (case, body, signature, status, code) in cases {
        let (got, answer) = post_webhook(&flow, &body, signature.as_deref()).await;
        assert_eq!(got, status, "{case}: {answer}");
        assert_eq!(answer["error"]["code"], json!(code), "{case}: {answer}");
    }
    // A 1 MB body is refused before anything reads it.
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(1024 * 1024));
    let (status, answer) =
        post_webhook(&flow, &huge, Some(&signature_for(&secret, now, &huge))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"]["code"], json!("payload_too_large"));

    assert!(flow.stored_connection("refusing-user").await.is_some());
    assert_eq!(flow.all_videos(&token, 100).await.len(), 3);
    assert!(webhook_events(&flow).await.is_empty());
    let metrics = flow.metrics().await;
    assert!(
        metrics.contains(r#"webhooks_refused_total{reason="bad_signature"} 2"#),
        "{metrics}"
    );
}

async fn a_receiver_failing_three_times_gets_the_event_once_after_retries(database: TestDatabase) {
    let host = HostReceiver::start(3, Duration::ZERO).await;
    let flow = spawn_notifying(database, &host.url).await;
    let token = flow.token("retry-user");
    let creator = flow.creator_with_videos(0);
    flow.connect_ok(&token, &creator.open_id).await;

    let acknowledged = host.wait_for("both events", |got| got.len() >= 2).await;
    let received = host.received();
    let types: Vec<(String, u16)> = received
        .iter()
        .map(|r| (r.event_type(), r.status))
        .collect();
    // In order: the connect is retried until acknowledged before the sync's event goes.
    assert_eq!(
        types,
        [
            ("connection.connected".to_owned(), 500),
            ("connection.connected".to_owned(), 500),
            ("connection.connected".to_owned(), 500),
            ("connection.connected".to_owned(), 200),
            ("sync.completed".to_owned(), 200),
        ]
    );
    // Every attempt carries the same event id and body, each freshly signed.
    assert!(
        received[..4]
            .iter()
            .all(|r| r.id == received[0].id && r.body == received[0].body)
    );
    received.iter().for_each(assert_signed);
    assert_eq!(acknowledged.len(), 2);

    let deliveries = flow.get_json("/api/webhooks/deliveries", &token).await;
    let connected = &deliveries["deliveries"][1];
    assert_eq!(connected["type"], json!("connection.connected"));
    assert_eq!(connected["state"], json!("delivered"));
    assert_eq!(connected["failedAttempts"], json!(3));
    host.stop().await;
}

async fn a_receiver_down_for_the_whole_window_leaves_the_event_undelivered(database: TestDatabase) {
    // Nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", closed.local_addr().unwrap());
    drop(closed);
    let flow = notifying(FlowOptions::new(), &url)
        .var("HOST_WEBHOOK_MAX_AGE_SECS", "2")
        .spawn(database)
        .await;
    let token = flow.token("down-user");
    let creator = flow.creator_with_videos(0);
    flow.connect_ok(&token, &creator.open_id).await;

    let mut deliveries = Value::Null;
    for _ in 0..200 {
        deliveries = flow.get_json("/api/webhooks/deliveries", &token).await;
        let all_given_up = deliveries["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["state"] == json!("gave_up"));
        if all_given_up {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list = deliveries["deliveries"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{deliveries}");
    for delivery in list {
        assert_eq!(delivery["state"], json!("gave_up"), "{deliveries}");
        assert_eq!(delivery["deliveredAt"], Value::Null);
        assert_eq!(
            delivery["lastError"],
            json!("the host could not be reached")
        );
        assert!(delivery["failedAttempts"].as_i64().unwrap() >= 1);
    }
    // Still recorded, never delivered.
    assert!(flow.stored_connection("down-user").await.is_some());
}

async fn processes_delivering_at_once_never_send_one_event_twice_at_once(database: TestDatabase) {
    let host = HostReceiver::start(0, Duration::from_millis(150)).await;
    let flow = spawn_notifying(database, &host.url).await;
    // Events of 12 connections, 3 each, queued by "other processes".
    let db = flow.services.database().clone();
    let payload = json!({ "platform": "tiktok" });
    for round in 0..3 {
        for connection in 0..12 {
            db.enqueue_outbound_event(&storage::NewOutboundEvent {
                event: ["connection.connected", "sync.completed", "sync.failed"][round],
                user_id: "many-user",
                connection_id: Some(domain::ConnectionId(1000 + connection)),
                payload: &payload,
                created_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
        }
    }
    // Two more processes deliver beside the server's own deliverer.
    let mut config = services::outbox::HostWebhookConfig::new(
        url::Url::parse(&host.url).unwrap(),
        secrecy::SecretString::from(HOST_SECRET),
    );
    config.first_retry = Duration::from_secs(1);
    config.max_retry = Duration::from_secs(1);
    let second = flow.second_process().await;
    let third = flow.second_process().await;
    let deliverers = [&second, &third]
        .map(|services| services::outbox::Deliverer::new(services, config.clone()).unwrap());
    let [a, b] = deliverers;
    let (first, second_report) = tokio::join!(a.deliver_due(), b.deliver_due());
    first.unwrap();
    second_report.unwrap();

    let got = host.wait_for("36 events", |got| got.len() >= 36).await;
    assert_eq!(
        host.most_in_flight(),
        1,
        "an event was sent twice at the same time"
    );
    let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 36, "every event acknowledged");
    // At least once allows a resend after a lapsed claim; here no claim can lapse (the
    // receiver takes 150 ms), so each event is sent exactly once, by one of the three. Once
    // nothing is left to deliver and nothing is in flight, nothing more can be sent.
    wait_for_outbox_idle(&flow, &host, "many-user").await;
    assert_eq!(
        host.received().len(),
        36,
        "an event was sent more than once"
    );
    // In order per connection.
    for connection in 0..12 {
        let types: Vec<String> = got
            .iter()
            .filter(|r| r.json()["connection_id"] == json!(1000 + connection))
            .map(|r| r.event_type())
            .collect();
        assert_eq!(
            types,
            ["connection.connected", "sync.completed", "sync.failed"],
            "connection {connection}"
        );
    }
    host.stop().await;
}

async fn a_user_disconnecting_is_told_as_a_removal_by_the_user(database: TestDatabase) {
    let host = HostReceiver::start(0, Duration::ZERO).await;
    let flow = spawn_notifying(database, &host.url).await;
    let token = flow.token("leaving-user");
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    let response = flow
        .call("DELETE", "/api/auth/tiktok/disconnect", &token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let got = host
        .wait_for("connection.removed", |got| got.len() >= 3)
        .await;
    let removed = got[2].json();
    assert_eq!(removed["type"], json!("connection.removed"));
    assert_eq!(removed["data"]["reason"], json!("user"));
    assert_eq!(removed["data"]["platform_reason_code"], Value::Null);
    // Our revoke comes back from TikTok as a webhook (reason 5); the connection is gone by
    // then, so it changes nothing and the host hears of one removal only.
    let sent = async {
        while flow.sandbox.webhook_deliveries().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), sent)
        .await
        .expect("the sandbox sent its webhook");
    assert!(flow.sandbox.webhook_deliveries()[0].delivered);
    let recorded = webhook_events(&flow).await;
    assert_eq!(recorded[0].outcome.as_deref(), Some("own_revocation"));
    assert_eq!(recorded[0].reason_code, Some(5));
    wait_for_outbox_idle(&flow, &host, "leaving-user").await;
    assert_eq!(host.acknowledged().len(), 3);
    host.stop().await;
}

/// Reason 5 (the developer revoked) is usually our own revoke coming back after a disconnect,
/// and may reach us after the creator connected again: a grant obtained around the event's
/// time stays. A revoke from elsewhere (TikTok's developer portal, another deployment with
/// this client key) of a grant older than the event ends it like any removal.
async fn a_developer_revoke_ends_an_older_grant_but_not_a_newer_one(database: TestDatabase) {
    let host = HostReceiver::start(0, Duration::ZERO).await;
    let flow = spawn_notifying(database, &host.url).await;
    let token = flow.token("revoked-user");
    let creator = flow.creator_with_videos(3);
    flow.connect_ok(&token, &creator.open_id).await;
    let now = chrono::Utc::now().timestamp();

    let ours = removal_at(&creator.open_id, 5, now - 10);
    let (status, answer) = post_webhook(&flow, &ours, Some(&signed_now(&flow, &ours))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], json!("own_revocation"));
    assert!(flow.stored_connection("revoked-user").await.is_some());

    let from_elsewhere = removal_at(&creator.open_id, 5, now + 600);
    let signature = signed_now(&flow, &from_elsewhere);
    let (status, answer) = post_webhook(&flow, &from_elsewhere, Some(&signature)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], json!("disconnected"));
    assert!(flow.stored_connection("revoked-user").await.is_none());
    // Nothing was revoked by us: the grant was already gone.
    assert_eq!(flow.sandbox.revocation_count(), 0);

    let got = host
        .wait_for("connection.removed", |got| got.len() >= 3)
        .await;
    let removed = got[2].json();
    assert_eq!(removed["type"], json!("connection.removed"));
    assert_eq!(removed["data"]["reason"], json!("tiktok"));
    assert_eq!(removed["data"]["platform_reason_code"], json!(5));
    assert_eq!(
        removed["data"]["description"],
        json!("the app revoked the authorization")
    );
    host.stop().await;
}

/// A process stopping (the worker's daemon on SIGTERM) stops delivering at once, even with
/// an attempt waiting on a receiver that takes far longer than the stop may: the event stays
/// undelivered for the next process.
async fn a_stopping_deliverer_does_not_wait_for_a_slow_receiver(database: TestDatabase) {
    let host = HostReceiver::start(0, Duration::from_secs(60)).await;
    // No HOST_WEBHOOK_URL: the server delivers nothing itself, the deliverer below is alone.
    let flow = FlowOptions::new().spawn(database).await;
    let db = flow.services.database().clone();
    db.enqueue_outbound_event(&storage::NewOutboundEvent {
        event: "sync.completed",
        user_id: "patient-user",
        connection_id: Some(domain::ConnectionId(7)),
        payload: &json!({ "platform": "tiktok" }),
        created_at: chrono::Utc::now(),
    })
    .await
    .unwrap();
    let mut config = services::outbox::HostWebhookConfig::new(
        url::Url::parse(&host.url).unwrap(),
        secrecy::SecretString::from(HOST_SECRET),
    );
    config.timeout = Duration::from_secs(120);
    let deliverer = services::outbox::Deliverer::new(&flow.services, config).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(deliverer.run_until(async move {
        let _ = stopped.await;
    }));
    let sending = async {
        while host.most_in_flight() == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), sending)
        .await
        .expect("the event is being sent");
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(30), running)
        .await
        .expect("the deliverer stopped without waiting out the 60 s receiver")
        .unwrap();
    let pending = db.pending_outbound_events("patient-user").await.unwrap();
    assert_eq!(pending.len(), 1, "the event is left for the next process");
    host.stop().await;
}

/// PostgreSQL only: the test takes the database away under the running server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_is_down_answers_503_so_tiktok_delivers_again() {
    use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
    let Some(database) = TestDatabase::postgres("flow").await else {
        return;
    };
    let name = url::Url::parse(database.url())
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_owned();
    let (flow, ConnectedCreator { creator, .. }) = FlowOptions::new()
        .with_connected_creator(database, "outage-user", 3)
        .await;
    let body = tiktok_body(
        api_server::config::SANDBOX_CLIENT_KEY,
        "authorization.removed",
        &creator.open_id,
        r#"{"reason": 1}"#,
    );

    let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
    let mut admin = AsyncPgConnection::establish(&admin_url).await.unwrap();
    let set_connections = |allowed: bool| {
        diesel::sql_query(format!(
            "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS {allowed}"
        ))
    };
    set_connections(false).execute(&mut admin).await.unwrap();
    diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .execute(&mut admin)
    .await
    .unwrap();

    let (status, answer) = post_webhook(&flow, &body, Some(&signed_now(&flow, &body))).await;
    set_connections(true).execute(&mut admin).await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["error"]["code"], json!("database_unavailable"));

    // TikTok's next delivery goes through.
    let (status, answer) = post_webhook(&flow, &body, Some(&signed_now(&flow, &body))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], json!("disconnected"));
    assert!(flow.stored_connection("outage-user").await.is_none());
}
