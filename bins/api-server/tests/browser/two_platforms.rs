//! Every platform clicked through in sandbox mode: TikTok, Instagram and YouTube connected from
//! their own cards (each popup on its own emulator's consent page), the combined overview,
//! each platform's details under its tab, screenshots at 1280 and 390 pixels, then Instagram
//! disconnected from its card.

use serde_json::Value;

use crate::layout::{PHONE_WIDTH, assert_fits, wait_for_charts};
use crate::support::browser::{Browser, DESKTOP_WIDTH};
use crate::support::browser_or_skip;
use crate::support::dashboard::{self, wait_toast};
use crate::support::server::TestServer;
use crate::support::wait;

const INSTAGRAM_CONNECT: &str =
    r#"[data-testid="instagram-card"] instagram-connect-button[data-testid="connect-button"]"#;
const INSTAGRAM_DISCONNECT: &str = r#"[data-testid="instagram-card"] instagram-disconnect-button[data-testid="disconnect-button"]"#;
const YOUTUBE_CONNECT: &str =
    r#"[data-testid="youtube-card"] youtube-connect-button[data-testid="connect-button"]"#;
const COMBINED: &str = r#"[data-testid="combined-overview"]"#;

/// A subscriber count as the Data API shows it: rounded down to three significant figures.
fn shown_subscribers(exact: u64) -> u64 {
    let mut unit = 1;
    while exact / unit >= 1_000 {
        unit *= 10;
    }
    exact / unit * unit
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_platform_connects_from_its_own_card_and_adds_up_in_the_overview() {
    let browser = browser_or_skip!("two_platforms");
    let server = TestServer::start().await;
    dashboard::open(&browser, &server).await;
    // One card per platform, each with its own Connect button; no overview yet.
    browser.wait_visible(r#"[data-testid="tiktok-card"]"#).await;
    browser.wait_visible(INSTAGRAM_CONNECT).await;
    assert!(!visible(&browser, COMBINED).await, "an overview of nothing");
    browser.screenshot("01-nothing-connected").await;

    let creator = dashboard::connect(&browser, &server).await;

    // Instagram: its own popup, on the Instagram emulator's consent page.
    let client = browser.client();
    let dashboard_window = client.window().await.unwrap();
    browser.click(INSTAGRAM_CONNECT).await;
    let popup = wait::until("the Instagram popup to open", || async {
        let windows = client.windows().await.ok()?;
        windows
            .into_iter()
            .find(|window| *window != dashboard_window)
    })
    .await;
    client.switch_to_window(popup).await.unwrap();
    browser.wait_visible(r#"button[value="approve"]"#).await;
    let popup_url = client.current_url().await.unwrap();
    assert_eq!(
        popup_url.origin(),
        server.instagram.authorize_base_url().origin(),
        "the popup should be on the Instagram emulator, not {popup_url}"
    );
    browser.screenshot_viewport("02-instagram-consent").await;
    let account = browser
        .js("return document.getElementById('user_id').value;")
        .await;
    let account = server
        .instagram
        .account(account.as_str().unwrap())
        .expect("the consent page lists the emulator's accounts");
    dashboard::answer_consent(
        &browser,
        dashboard_window.clone(),
        r#"button[value="approve"]"#,
    )
    .await;
    let username = account.summary.username.clone();
    wait_toast(
        &browser,
        "success",
        &format!("Instagram connected: @{username}"),
    )
    .await;
    dashboard::wait_loaded(&browser).await;

    // The page shows what was just connected: Instagram's tab, its card, its posts.
    let instagram_handle = format!(
        "return document.querySelector('[data-testid=\"instagram-card\"] [data-testid=\"account-handle\"]').textContent.trim() === {};",
        Value::from(format!("@{username}"))
    );
    browser
        .wait_js("the Instagram card to show the account", &instagram_handle)
        .await;
    wait_pressed(&browser, "instagram").await;
    let rows = dashboard::wait_video_rows(&browser, account.media.len().min(20)).await;
    for id in &rows {
        assert!(
            account.media.iter().any(|media| &media.id == id),
            "row for media {id}, not @{username}'s"
        );
    }
    browser
        .wait_visible(r#"[data-testid="stat-videos"] .stat-label"#)
        .await;
    let label = browser
        .js("return document.querySelector('[data-testid=\"stat-videos\"] .stat-label').textContent;")
        .await;
    assert_eq!(label, "Posts", "Instagram counts posts");

    // The combined overview sums both accounts' followers.
    browser.wait_visible(COMBINED).await;
    let expected = creator.summary.follower_count + account.summary.followers_count;
    let script = format!(
        "return document.querySelector('[data-field=\"combined-followers\"]').title === {};",
        Value::from(dashboard::thousands(expected))
    );
    browser
        .wait_js("the overview to sum both platforms' followers", &script)
        .await;
    wait_combined_charts(&browser).await;
    dashboard::dismiss_toasts(&browser).await;

    // YouTube: its popup on the Google emulator's account chooser and granular consent.
    browser.click(YOUTUBE_CONNECT).await;
    let popup = wait::until("the YouTube popup to open", || async {
        let windows = client.windows().await.ok()?;
        windows
            .into_iter()
            .find(|window| *window != dashboard_window)
    })
    .await;
    client.switch_to_window(popup).await.unwrap();
    browser.wait_visible(r#"button[value="allow"]"#).await;
    let popup_url = client.current_url().await.unwrap();
    assert_eq!(
        popup_url.origin(),
        server.youtube.auth_base_url().origin(),
        "the popup should be on the YouTube emulator, not {popup_url}"
    );
    browser.screenshot_viewport("02b-youtube-consent").await;
    let email = browser
        .js("return document.getElementById('account').value;")
        .await;
    let google = server
        .youtube
        .account(email.as_str().unwrap())
        .expect("the chooser lists the emulator's accounts");
    let channel = google
        .summary
        .channel
        .clone()
        .expect("the first account has a channel");
    dashboard::answer_consent(
        &browser,
        dashboard_window.clone(),
        r#"button[value="allow"]"#,
    )
    .await;
    let handle = channel.handle.trim_start_matches('@').to_owned();
    wait_toast(
        &browser,
        "success",
        &format!("YouTube connected: @{handle}"),
    )
    .await;
    dashboard::wait_loaded(&browser).await;
    wait_pressed(&browser, "youtube").await;
    let youtube_handle = format!(
        "return document.querySelector('[data-testid=\"youtube-card\"] [data-testid=\"account-handle\"]').textContent.trim() === {};",
        Value::from(format!("@{handle}"))
    );
    browser
        .wait_js("the YouTube card to show the channel", &youtube_handle)
        .await;
    browser
        .wait_visible(r#"[data-testid="stat-followers"] .stat-label"#)
        .await;
    let label = browser
        .js("return document.querySelector('[data-testid=\"stat-followers\"] .stat-label').textContent;")
        .await;
    assert_eq!(label, "Subscribers", "YouTube counts subscribers");

    // The combined overview sums the three accounts' followers.
    let expected = creator.summary.follower_count
        + account.summary.followers_count
        + shown_subscribers(channel.subscribers);
    let script = format!(
        "return document.querySelector('[data-field=\"combined-followers\"]').title === {};",
        Value::from(dashboard::thousands(expected))
    );
    browser
        .wait_js(
            "the overview to sum the three platforms' followers",
            &script,
        )
        .await;
    wait_combined_charts(&browser).await;
    dashboard::dismiss_toasts(&browser).await;

    browser.emulate_width(Some(DESKTOP_WIDTH)).await;
    wait_for_charts(&browser).await;
    assert_fits(&browser, DESKTOP_WIDTH).await;
    browser.screenshot("03-three-connected-1280").await;
    browser.emulate_width(Some(PHONE_WIDTH)).await;
    wait_for_charts(&browser).await;
    assert_fits(&browser, PHONE_WIDTH).await;
    browser.screenshot("04-three-connected-390").await;
    browser
        .screenshot_viewport("04-three-connected-390-first-screen")
        .await;
    browser.emulate_width(None).await;

    // TikTok's tab brings its videos back.
    browser
        .click(r#"[data-testid="platform-tab-tiktok"]"#)
        .await;
    wait_pressed(&browser, "tiktok").await;
    dashboard::wait_loaded(&browser).await;
    let rows = dashboard::wait_video_rows(&browser, creator.videos.len().min(20)).await;
    assert!(
        rows.iter()
            .all(|id| creator.videos.iter().any(|video| &video.id == id)),
        "TikTok's tab shows TikTok's videos"
    );

    // Disconnect Instagram from its card: its dialog says Instagram keeps the app listed.
    browser.click(INSTAGRAM_DISCONNECT).await;
    let dialog = browser
        .wait_in_shadow(
            INSTAGRAM_DISCONNECT,
            r#"[data-testid="instagram-disconnect-dialog"]"#,
        )
        .await;
    let text = dialog.text().await.unwrap();
    assert!(
        text.contains(&format!("Disconnect @{username} from Instagram?")),
        "{text}"
    );
    assert!(text.contains("Instagram's settings"), "{text}");
    browser
        .screenshot_viewport("05-instagram-disconnect-dialog")
        .await;
    let confirm = browser
        .wait_in_shadow(
            INSTAGRAM_DISCONNECT,
            r#"[data-testid="instagram-disconnect-confirm"]"#,
        )
        .await;
    confirm.click().await.unwrap();
    wait_toast(&browser, "success", "Instagram disconnected").await;
    dashboard::wait_loaded(&browser).await;
    browser.wait_visible(INSTAGRAM_CONNECT).await;
    // TikTok and YouTube remain: the overview stays, without Instagram.
    let expected = creator.summary.follower_count + shown_subscribers(channel.subscribers);
    let script = format!(
        "return document.querySelector('[data-field=\"combined-followers\"]').title === {};",
        Value::from(dashboard::thousands(expected))
    );
    browser
        .wait_js("the overview to drop Instagram", &script)
        .await;
    // Instagram has no revoke: the grant stays until the creator removes the app there.
    assert!(
        server
            .instagram
            .grants()
            .iter()
            .any(|grant| grant.ig_user_id == account.summary.ig_user_id && grant.ended.is_none()),
        "the disconnect called something at Instagram"
    );
    browser.screenshot("06-instagram-disconnected").await;
    browser.close().await;
}

async fn visible(browser: &Browser, css: &str) -> bool {
    browser
        .js(&format!(
            "const el = document.querySelector({}); return Boolean(el && el.checkVisibility());",
            Value::from(css)
        ))
        .await
        == Value::Bool(true)
}

/// Waits until the tab of `platform` is the pressed one.
async fn wait_pressed(browser: &Browser, platform: &str) {
    let script = format!(
        "const tab = document.querySelector('[data-testid=\"platform-tab-{platform}\"]'); \
         return Boolean(tab) && tab.getAttribute('aria-pressed') === 'true';"
    );
    browser
        .wait_js(&format!("the {platform} tab to be selected"), &script)
        .await;
}

/// Waits until both combined charts hold an SVG.
async fn wait_combined_charts(browser: &Browser) {
    browser
        .wait_js(
            "both combined charts drawn",
            "return ['combined-chart-followers', 'combined-chart-views'].every((id) => \
               Boolean(document.querySelector(`[data-testid=\"${id}\"] svg`)));",
        )
        .await;
}
