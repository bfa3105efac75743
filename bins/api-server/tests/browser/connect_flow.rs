//! The whole life of a connection, clicked through: connect, sync, disconnect.

use serde_json::Value;
use tiktok_sandbox::Endpoint;

use crate::support::browser_or_skip;
use crate::support::dashboard::{
    self, AUTHORIZE, CONNECT_BUTTON, DISCONNECT_BUTTON, SYNC_NOW, wait_toast,
};
use crate::support::server::TestServer;
use crate::support::wait;

const LAST_SYNCED: &str = r#"[data-testid="last-synced"]"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_sync_and_disconnect_through_the_popup() {
    let browser = browser_or_skip!("connect_sync_disconnect");
    let server = TestServer::start().await;
    dashboard::open(&browser, &server).await;
    browser.wait_visible(CONNECT_BUTTON).await;
    browser
        .wait_visible(r#"[data-testid="connect-empty-state"]"#)
        .await;
    browser.screenshot("01-not-connected").await;

    // Connect: the popup shows the sandbox's consent page; Authorize closes it.
    let dashboard_window = dashboard::open_consent(&browser).await;
    let popup_url = browser.client().current_url().await.unwrap();
    assert_eq!(
        popup_url.origin(),
        url::Url::parse(server.sandbox.base_url().as_str())
            .unwrap()
            .origin(),
        "the popup should be on the emulator's consent page, not {popup_url}"
    );
    browser.screenshot_viewport("02-consent-page").await;
    let open_id = dashboard::chosen_creator(&browser).await;
    dashboard::answer_consent(&browser, dashboard_window, AUTHORIZE).await;
    let creator = server.sandbox.creator(&open_id).unwrap();
    wait_toast(
        &browser,
        "success",
        &format!("TikTok connected: @{}", creator.summary.username),
    )
    .await;
    dashboard::wait_for_account(&browser, &creator).await;
    browser.wait_visible(DISCONNECT_BUTTON).await;
    let connect_visible = browser
        .js(&format!(
            "return document.querySelector({}).checkVisibility();",
            Value::from(CONNECT_BUTTON)
        ))
        .await;
    assert_eq!(connect_visible, Value::Bool(false), "Connect still shown");
    browser.screenshot("03-connected").await;

    // Sync now: a manual sync runs and the last-synced time moves.
    let synced_before = last_synced(&browser).await;
    assert!(
        !synced_before.is_empty(),
        "connecting runs a first sync, so last-synced has a time"
    );
    // The server keeps lastSyncedAt in whole seconds: a sync finishing within the connect
    // sync's second could not move it. Press the button once the clock has left that second.
    let parse = |at: &str| chrono::DateTime::parse_from_rfc3339(at).unwrap();
    let next_second = parse(&synced_before) + chrono::Duration::seconds(1);
    wait::until("the clock to leave the first sync's second", || async {
        (chrono::Utc::now() >= next_second).then_some(())
    })
    .await;
    let video_list_calls = server.sandbox.call_count(Endpoint::VideoList);
    browser.click(SYNC_NOW).await;
    let message = wait_toast(&browser, "success", "Synced").await;
    assert_eq!(
        message,
        format!("Synced {} videos", creator.videos.len()),
        "the toast counts the creator's videos"
    );
    let after = std::cell::RefCell::new(String::new());
    let moved = wait::until_or_timeout(wait::TIMEOUT, || async {
        let at = last_synced(&browser).await;
        let busy = browser
            .js("return document.querySelector('main').getAttribute('aria-busy');")
            .await;
        after.replace(at.clone());
        (at != synced_before && busy == "false").then_some(at)
    })
    .await;
    let synced_after = moved.unwrap_or_else(|| {
        panic!(
            "the last-synced time did not move after Sync now: {synced_before} before, {} after",
            after.borrow()
        )
    });
    assert!(
        parse(&synced_after) > parse(&synced_before),
        "last synced went from {synced_before} to {synced_after}"
    );
    assert!(
        server.sandbox.call_count(Endpoint::VideoList) > video_list_calls,
        "Sync now fetched the videos from TikTok again"
    );
    let last_synced_text = browser
        .wait_visible(LAST_SYNCED)
        .await
        .text()
        .await
        .unwrap();
    assert_ne!(last_synced_text, "never");
    let sync_button = browser.wait_visible(SYNC_NOW).await;
    assert!(
        sync_button.is_enabled().await.unwrap(),
        "Sync now stays usable"
    );
    browser.screenshot("04-synced").await;

    // Disconnect: the confirmation dialog, then the card offers Connect again.
    browser.click(DISCONNECT_BUTTON).await;
    let dialog = browser
        .wait_in_shadow(
            DISCONNECT_BUTTON,
            r#"[data-testid="tiktok-disconnect-dialog"]"#,
        )
        .await;
    let title = dialog.text().await.unwrap();
    assert!(
        title.contains(&format!("@{}", creator.summary.username)),
        "the dialog names the account: {title:?}"
    );
    browser.screenshot_viewport("05-disconnect-dialog").await;
    browser
        .wait_in_shadow(
            DISCONNECT_BUTTON,
            r#"[data-testid="tiktok-disconnect-confirm"]"#,
        )
        .await
        .click()
        .await
        .unwrap();
    wait_toast(&browser, "success", "TikTok disconnected").await;
    browser.wait_visible(CONNECT_BUTTON).await;
    browser
        .wait_visible(r#"[data-testid="connect-empty-state"]"#)
        .await;
    dashboard::wait_loaded(&browser).await;
    let leftovers = browser
        .js(
            "return document.querySelectorAll('[data-testid=\"video-row\"]').length \
               + (document.querySelector('[data-testid=\"account-handle\"]').checkVisibility() ? 1 : 0);",
        )
        .await;
    assert_eq!(
        leftovers,
        Value::from(0),
        "the account's data is still shown"
    );
    assert_eq!(
        server.sandbox.revocation_count(),
        1,
        "disconnecting revokes the grant at TikTok"
    );
    browser.screenshot("06-disconnected").await;
    browser.close().await;
}

/// The `datetime` of the last-synced time (empty when never synced).
async fn last_synced(browser: &crate::support::browser::Browser) -> String {
    let value = browser
        .js(&format!(
            "return document.querySelector({}).getAttribute('datetime') || '';",
            Value::from(LAST_SYNCED)
        ))
        .await;
    value.as_str().unwrap().to_owned()
}
