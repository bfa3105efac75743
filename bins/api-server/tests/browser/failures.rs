//! What a person sees when a connection is cancelled or the server fails.

use serde_json::Value;
use tiktok_sandbox::{Endpoint, Fault};

use crate::support::browser_or_skip;
use crate::support::dashboard::{self, AUTHORIZE, CANCEL, CONNECT_BUTTON, SYNC_NOW, wait_toast};
use crate::support::server::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_on_the_consent_page_says_connection_cancelled() {
    let browser = browser_or_skip!("cancel_on_consent_page");
    let server = TestServer::start().await;
    dashboard::open(&browser, &server).await;

    let dashboard_window = dashboard::open_consent(&browser).await;
    dashboard::answer_consent(&browser, dashboard_window, CANCEL).await;

    let message = wait_toast(&browser, "info", "Connection cancelled").await;
    assert_eq!(message, "Connection cancelled");
    // Back to idle: the button can be pressed again, and nothing got connected.
    let button = browser
        .wait_in_shadow(CONNECT_BUTTON, r#"[data-testid="tiktok-connect"]"#)
        .await;
    dashboard::wait_connect_idle(&browser).await;
    assert!(button.is_enabled().await.unwrap());
    let errors = dashboard::toasts(&browser).await;
    assert!(
        errors.iter().all(|toast| !toast.starts_with("toast-error")),
        "a cancel is not an error: {errors:?}"
    );
    assert_eq!(
        server.sandbox.call_count(Endpoint::Token),
        0,
        "no code was exchanged"
    );
    browser.screenshot("cancelled").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_sync_shows_an_error_toast() {
    let browser = browser_or_skip!("sync_server_error");
    let server = TestServer::start().await;
    dashboard::open(&browser, &server).await;
    let creator = dashboard::connect(&browser, &server).await;
    let synced_before = browser
        .js("return document.querySelector('[data-testid=\"last-synced\"]').getAttribute('datetime');")
        .await;

    // TikTok's video list answers 500 for the next calls, retries included.
    server
        .sandbox
        .set_fault_for_calls(Endpoint::VideoList, Fault::ServerError { status: 500 }, 20);
    browser.click(SYNC_NOW).await;

    let message = browser
        .wait_js(
            "an error toast",
            "const t = document.querySelector('[data-testid=\"toast-error\"] [data-testid=\"toast-message\"]'); \
             return t ? t.textContent : null;",
        )
        .await;
    assert_eq!(
        message.as_str().unwrap(),
        "TikTok did not answer properly, so the sync failed; your previous data is unchanged. \
         Try again in a few minutes."
    );
    // The status line under the button keeps the outcome until the next sync.
    browser
        .wait_js(
            "the sync status to say the last attempt failed",
            "const s = document.querySelector('[data-testid=\"sync-status\"]'); \
             return s.checkVisibility() && s.textContent.startsWith('Last attempt failed.') ? s.textContent : null;",
        )
        .await;
    // TikTok's error code is kept for support in the sync log.
    let http = reqwest::Client::new();
    let demo: Value = http
        .post(format!("{}/api/dev/token", server.origin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let runs: Value = http
        .get(format!("{}/api/tiktok/sync-runs", server.origin))
        .bearer_auth(demo["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(runs["runs"][0]["outcome"], "failed", "{runs}");
    assert_eq!(runs["runs"][0]["errorCode"], "internal_error", "{runs}");
    let successes = dashboard::toasts(&browser).await;
    assert!(
        successes
            .iter()
            .all(|toast| !toast.starts_with("toast-success: Synced")),
        "a failed sync reported as a success: {successes:?}"
    );
    // The button comes back, and the data already shown stays.
    browser
        .wait_js(
            "Sync now to be usable again",
            &format!(
                "const b = document.querySelector({}); return !b.disabled && b.textContent.includes('Sync now');",
                Value::from(SYNC_NOW)
            ),
        )
        .await;
    dashboard::wait_video_rows(&browser, creator.videos.len().min(20)).await;
    let synced_after = browser
        .js("return document.querySelector('[data-testid=\"last-synced\"]').getAttribute('datetime');")
        .await;
    assert_eq!(
        synced_after, synced_before,
        "a failed sync does not count as synced"
    );
    browser.screenshot("sync-error").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_token_exchange_shows_an_error_toast() {
    let browser = browser_or_skip!("connect_exchange_error");
    let server = TestServer::start().await;
    dashboard::open(&browser, &server).await;
    // TikTok's token endpoint fails while the code is exchanged (retries included).
    server
        .sandbox
        .set_fault_for_calls(Endpoint::Token, Fault::ServerError { status: 503 }, 20);

    let dashboard_window = dashboard::open_consent(&browser).await;
    dashboard::answer_consent(&browser, dashboard_window, AUTHORIZE).await;

    let message = browser
        .wait_js(
            "an error toast",
            "const t = document.querySelector('[data-testid=\"toast-error\"] [data-testid=\"toast-message\"]'); \
             return t ? t.textContent : null;",
        )
        .await;
    println!("error toast: {message}");
    let message = message.as_str().unwrap();
    assert!(
        message.contains("TikTok") && message.contains("try again"),
        "the toast says what failed and what to do: {message:?}"
    );
    // Still not connected, and Connect can be pressed again.
    dashboard::wait_loaded(&browser).await;
    browser.wait_visible(CONNECT_BUTTON).await;
    dashboard::wait_connect_idle(&browser).await;
    let connected = browser
        .js("return document.querySelector('[data-testid=\"account-handle\"]').checkVisibility();")
        .await;
    assert_eq!(
        connected,
        Value::Bool(false),
        "a failed exchange connected nothing"
    );
    browser.screenshot("exchange-error").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_popup_says_connection_window_closed() {
    let browser = browser_or_skip!("popup_closed_by_user");
    let server = TestServer::start().await;
    dashboard::open(&browser, &server).await;

    let dashboard_window = dashboard::open_consent(&browser).await;
    // The person closes the TikTok window instead of answering.
    browser.client().close_window().await.unwrap();
    browser
        .client()
        .switch_to_window(dashboard_window)
        .await
        .unwrap();

    let message = wait_toast(&browser, "info", "Connection window closed").await;
    assert_eq!(message, "Connection window closed");
    dashboard::wait_connect_idle(&browser).await;
    assert_eq!(
        server.sandbox.call_count(Endpoint::Token),
        0,
        "no code was exchanged"
    );
    browser.screenshot("popup-closed").await;
    browser.close().await;
}

/// Issue 25, point 2: a host user sends the creator the consent link their own popup
/// reached. The creator's browser, which never opened the start link, gets the callback: it
/// is refused before any code exchange, and nothing is connected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_in_a_browser_without_the_connect_cookie_is_refused() {
    let browser = browser_or_skip!("callback_in_another_browser");
    let server = TestServer::start().await;
    // The sender's "browser": plain HTTP, keeping the cookie its start link sets.
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = server.origin.replace("localhost", "127.0.0.1");
    let token: Value = http
        .post(format!("{base}/api/dev/token"))
        .json(&serde_json::json!({ "userId": "sender" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let connect: Value = http
        .get(format!("{base}/api/auth/tiktok/connect"))
        .bearer_auth(token["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let start = connect["authorizationUrl"]
        .as_str()
        .unwrap()
        .replace("localhost", "127.0.0.1");
    let started = http.get(start).send().await.unwrap();
    assert_eq!(started.status(), reqwest::StatusCode::SEE_OTHER);
    assert!(started.headers().contains_key("set-cookie"));
    let consent_url = url::Url::parse(started.headers()["location"].to_str().unwrap()).unwrap();
    let page = http
        .get(consent_url.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = tiktok_sandbox::ConsentForm::parse(&page).expect("a consent form");
    let open_id = form.creators[0].clone();
    let approved = http
        .post(consent_url.join(&form.action).unwrap())
        .form(&form.authorize_all(&open_id))
        .send()
        .await
        .unwrap();
    let callback = approved.headers()["location"].to_str().unwrap().to_owned();

    // The creator's browser opens the callback.
    browser.client().goto(&callback).await.unwrap();
    let text = browser
        .wait_js(
            "the callback page's text",
            "const t = document.body && document.body.innerText; return t && t.length ? t : null;",
        )
        .await;
    assert!(
        text.as_str()
            .unwrap()
            .contains("started in another browser"),
        "{text}"
    );
    assert_eq!(
        server.sandbox.call_count(Endpoint::Token),
        0,
        "no code was exchanged"
    );
    browser.screenshot("callback-in-another-browser").await;
    browser.close().await;
}
