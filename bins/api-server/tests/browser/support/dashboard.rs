//! Steps on the dashboard page, in a person's terms: open it, connect through the popup,
//! read toasts.

use fantoccini::wd::WindowHandle;
use serde_json::Value;
use tiktok_sandbox::CreatorDetails;

use super::browser::Browser;
use super::server::TestServer;
use super::wait;

pub const CONNECT_BUTTON: &str = r#"tiktok-connect-button[data-testid="connect-button"]"#;
pub const DISCONNECT_BUTTON: &str = r#"tiktok-disconnect-button[data-testid="disconnect-button"]"#;
pub const SYNC_NOW: &str = r#"[data-testid="sync-now"]"#;
pub const AUTHORIZE: &str = r#"button[value="authorize"]"#;
pub const CANCEL: &str = r#"button[value="cancel"]"#;
/// Rows per page of the videos table.
const PAGE_SIZE: usize = 20;

/// Opens the dashboard and waits until its first load has finished (sandbox token obtained,
/// connection read).
pub async fn open(browser: &Browser, server: &TestServer) {
    browser
        .client()
        .goto(&server.dashboard_url())
        .await
        .unwrap();
    browser
        .wait_visible(r#"[data-testid="sandbox-banner"]"#)
        .await;
    wait_loaded(browser).await;
}

/// Waits until no load is running on the dashboard.
pub async fn wait_loaded(browser: &Browser) {
    browser
        .wait_visible(r#"main[data-testid="dashboard"][aria-busy="false"]"#)
        .await;
}

/// Clicks Connect, waits for the popup to show the sandbox consent page and switches to it.
/// Returns the dashboard's window, to come back to.
pub async fn open_consent(browser: &Browser) -> WindowHandle {
    let client = browser.client();
    let dashboard = client.window().await.unwrap();
    browser.click(CONNECT_BUTTON).await;
    let popup = wait::until("the TikTok popup to open", || async {
        let windows = client.windows().await.ok()?;
        windows.into_iter().find(|window| *window != dashboard)
    })
    .await;
    client.switch_to_window(popup).await.unwrap();
    browser.wait_visible(AUTHORIZE).await;
    browser.wait_visible(CANCEL).await;
    dashboard
}

/// Waits until the card's Connect button is idle again (enabled, "Connect TikTok"), as after a
/// connection attempt that ended without connecting.
pub async fn wait_connect_idle(browser: &Browser) {
    let script = format!(
        "const b = document.querySelector({}).shadowRoot.querySelector('button'); \
         return !b.disabled && b.getAttribute('aria-busy') === 'false' && b.textContent.includes('Connect TikTok');",
        Value::from(CONNECT_BUTTON)
    );
    browser
        .wait_js("the Connect button to be idle again", &script)
        .await;
}

/// The `open_id` chosen in the consent page's "Sign in as" list.
pub async fn chosen_creator(browser: &Browser) -> String {
    let value = browser
        .js("return document.getElementById('open_id').value;")
        .await;
    value.as_str().unwrap().to_owned()
}

/// Clicks `button` on the consent page, waits for the popup to close itself and switches back
/// to the dashboard.
pub async fn answer_consent(browser: &Browser, dashboard: WindowHandle, button: &str) {
    let client = browser.client();
    browser.click(button).await;
    wait::until("the popup to close itself", || async {
        let windows = client.windows().await.ok()?;
        (windows.len() == 1 && windows[0] == dashboard).then_some(())
    })
    .await;
    client.switch_to_window(dashboard).await.unwrap();
}

/// Connects the sandbox's default creator through the popup, as a person would, and waits
/// until the card and the first page of videos show that account. Returns the creator.
pub async fn connect(browser: &Browser, server: &TestServer) -> CreatorDetails {
    let dashboard = open_consent(browser).await;
    let open_id = chosen_creator(browser).await;
    answer_consent(browser, dashboard, AUTHORIZE).await;
    let creator = server
        .sandbox
        .creator(&open_id)
        .expect("the consent page lists the sandbox's creators");
    let username = &creator.summary.username;
    wait_toast(
        browser,
        "success",
        &format!("TikTok connected: @{username}"),
    )
    .await;
    wait_for_account(browser, &creator).await;
    creator
}

/// Waits until the card shows `creator` (handle, follower count, Connected badge) and the
/// videos table its first page of videos.
pub async fn wait_for_account(browser: &Browser, creator: &CreatorDetails) {
    wait_loaded(browser).await;
    let handle = format!("@{}", creator.summary.username);
    let followers = format!("{} followers", thousands(creator.summary.follower_count));
    let script = format!(
        "const text = (id) => document.querySelector(`[data-testid=\"${{id}}\"]`).textContent.trim(); \
         return text('account-handle') === {handle} && text('account-followers') === {followers} \
           && document.querySelector('[data-testid=\"connected-badge\"]').checkVisibility();",
        handle = Value::from(handle.as_str()),
        followers = Value::from(followers.as_str()),
    );
    browser
        .wait_js(
            &format!("the card to show {handle} with {followers}"),
            &script,
        )
        .await;
    let expected_rows = creator.videos.len().min(PAGE_SIZE);
    assert!(expected_rows > 0, "the sandbox creator has no videos");
    let ids = wait_video_rows(browser, expected_rows).await;
    for id in &ids {
        assert!(
            creator.videos.iter().any(|video| &video.id == id),
            "row for video {id}, which is not one of @{}'s",
            creator.summary.username
        );
    }
}

/// Waits until the videos table has exactly `count` rows; returns their video ids.
pub async fn wait_video_rows(browser: &Browser, count: usize) -> Vec<String> {
    let script = format!(
        "const rows = document.querySelectorAll('[data-testid=\"video-row\"]'); \
         return rows.length === {count} ? Array.from(rows, (row) => row.dataset.videoId) : null;"
    );
    let ids = browser
        .wait_js(&format!("{count} rows in the videos table"), &script)
        .await;
    ids.as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect()
}

/// Waits for a toast of `kind` (`success`, `info`, `error`) whose message contains `text`;
/// returns the whole message.
pub async fn wait_toast(browser: &Browser, kind: &str, text: &str) -> String {
    let script = format!(
        "const toasts = document.querySelectorAll('[data-testid=\"toast-{kind}\"] [data-testid=\"toast-message\"]'); \
         const found = Array.from(toasts, (t) => t.textContent).find((m) => m.includes({text})); \
         return found === undefined ? null : found;",
        text = Value::from(text)
    );
    let message = browser
        .wait_js(&format!("a {kind} toast saying {text:?}"), &script)
        .await;
    message.as_str().unwrap().to_owned()
}

/// The messages of the toasts on screen, of every kind, as `kind: message`.
pub async fn toasts(browser: &Browser) -> Vec<String> {
    let value = browser
        .js("return Array.from(document.querySelectorAll('[data-testid=\"toasts\"] > *'), \
               (t) => `${t.dataset.testid}: ${t.querySelector('[data-testid=\"toast-message\"]').textContent}`);")
        .await;
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Closes every toast with its close button, for a screenshot of the page itself.
pub async fn dismiss_toasts(browser: &Browser) {
    browser
        .js("document.querySelectorAll('[data-testid=\"toasts\"] .toast-close').forEach((b) => b.click()); return null;")
        .await;
    browser
        .wait_js(
            "the toasts to be gone",
            "return document.querySelector('[data-testid=\"toasts\"]').children.length === 0;",
        )
        .await;
}

/// 12345 -> "12,345", as the dashboard writes counts in en-US.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[test]
fn thousands_groups_by_three() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1_234_567), "1,234,567");
}
