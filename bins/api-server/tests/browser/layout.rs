//! The connected dashboard at desktop and phone widths: screenshots to look at, and the one
//! layout property a test can check for sure (nothing wider than the page).

use serde_json::Value;

use crate::support::browser::DESKTOP_WIDTH;
use crate::support::browser_or_skip;
use crate::support::dashboard;
use crate::support::server::TestServer;

pub(crate) const PHONE_WIDTH: u32 = 390;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connected_dashboard_at_1280_and_390_pixels() {
    let browser = browser_or_skip!("dashboard_layout");
    let server = TestServer::start().await;
    dashboard::open(&browser, &server).await;
    browser.emulate_width(Some(PHONE_WIDTH)).await;
    assert_fits(&browser, PHONE_WIDTH).await;
    browser.screenshot("disconnected-390").await;
    browser.emulate_width(None).await;

    let creator = dashboard::connect(&browser, &server).await;
    wait_for_charts(&browser).await;
    wait_for_images(&browser, creator.videos.len().min(20)).await;
    dashboard::dismiss_toasts(&browser).await;

    browser.emulate_width(Some(DESKTOP_WIDTH)).await;
    assert_fits(&browser, DESKTOP_WIDTH).await;
    browser.screenshot("connected-1280").await;

    browser.emulate_width(Some(PHONE_WIDTH)).await;
    // The charts redraw at their new width on resize.
    wait_for_charts(&browser).await;
    assert_fits(&browser, PHONE_WIDTH).await;
    dashboard::wait_video_rows(&browser, creator.videos.len().min(20)).await;
    browser.screenshot("connected-390").await;
    browser
        .screenshot_viewport("connected-390-first-screen")
        .await;
    browser.close().await;
}

/// Waits until both charts hold an SVG no wider than their card.
pub(crate) async fn wait_for_charts(browser: &crate::support::browser::Browser) {
    browser
        .wait_js(
            "both growth charts drawn within their cards",
            "return ['chart-followers', 'chart-views'].every((id) => { \
               const host = document.querySelector(`[data-testid=\"${id}\"]`); \
               const svg = host.querySelector('svg'); \
               return svg && svg.getBoundingClientRect().width > 0 \
                 && svg.getBoundingClientRect().width <= host.getBoundingClientRect().width + 1; });",
        )
        .await;
}

/// Waits until the avatar and the `covers` cover images have loaded (the emulator serves them
/// from its own origin, which the CSP must allow; a blocked image is removed by the page).
async fn wait_for_images(browser: &crate::support::browser::Browser, covers: usize) {
    let script = format!(
        "const loaded = (img) => img.complete && img.naturalWidth > 0; \
         const avatar = document.querySelector('[data-testid=\"account-avatar\"] img'); \
         const covers = Array.from(document.querySelectorAll('[data-testid=\"video-row\"] .cover img')); \
         return Boolean(avatar && loaded(avatar)) && covers.length === {covers} && covers.every(loaded);"
    );
    browser
        .wait_js("the avatar and every cover image to load", &script)
        .await;
}

/// Nothing sticks out sideways: the page does not scroll horizontally and no visible element
/// outside a horizontal scroller reaches past the viewport.
pub(crate) async fn assert_fits(browser: &crate::support::browser::Browser, width: u32) {
    let report = browser
        .wait_js(
            &format!("the layout to settle at {width} px"),
            &format!(
                "if (window.innerWidth !== {width}) return null; \
                 const scrollWidth = document.documentElement.scrollWidth; \
                 const inScroller = (el) => {{ for (let p = el.parentElement; p; p = p.parentElement) {{ \
                   const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }} return false; }}; \
                 const over = Array.from(document.querySelectorAll('body *')) \
                   .filter((el) => el.checkVisibility() && !inScroller(el)) \
                   .filter((el) => {{ const r = el.getBoundingClientRect(); return r.width > 0 && (r.right > {width} + 0.5 || r.left < -0.5); }}) \
                   .map((el) => `${{el.tagName.toLowerCase()}}.${{el.className}}[${{el.dataset.testid || ''}}]`); \
                 return {{ scrollWidth, over }};"
            ),
        )
        .await;
    assert_eq!(
        report["scrollWidth"],
        Value::from(width),
        "the page scrolls sideways at {width} px: {report}"
    );
    assert_eq!(
        report["over"],
        Value::Array(Vec::new()),
        "elements past the right edge at {width} px"
    );
}
