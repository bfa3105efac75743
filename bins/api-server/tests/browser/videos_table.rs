//! The videos table against real data: sorting through the API and paging with Load more.

use serde_json::Value;

use crate::support::browser_or_skip;
use crate::support::dashboard::{self, thousands};
use crate::support::server::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn videos_sort_by_views_and_load_more() {
    let browser = browser_or_skip!("videos_table");
    let server = TestServer::start().await;
    dashboard::open(&browser, &server).await;
    let creator = dashboard::connect(&browser, &server).await;
    assert!(
        creator.videos.len() > 20,
        "the default sandbox creator has more than one page of videos"
    );

    // Most viewed first: the first page is the 20 largest view counts, in order.
    let mut views: Vec<u64> = creator.videos.iter().map(|v| v.view_count).collect();
    views.sort_unstable_by(|a, b| b.cmp(a));
    browser.click(r#"[data-testid="sort-views"]"#).await;
    let expected: Vec<String> = views.iter().take(20).map(|v| thousands(*v)).collect();
    let script = format!(
        "const th = document.querySelector('[data-testid=\"sort-views\"]').closest('th'); \
         const cells = Array.from(document.querySelectorAll('[data-testid=\"video-row\"]'), \
           (row) => row.children[3].textContent.trim()); \
         return th.getAttribute('aria-sort') === 'descending' \
           && JSON.stringify(cells) === {expected};",
        expected = Value::from(serde_json::to_string(&expected).unwrap())
    );
    browser
        .wait_js("the table sorted by views, most first", &script)
        .await;

    // Load more appends the next page, still in order.
    browser.click(r#"[data-testid="videos-load-more"]"#).await;
    let next = creator.videos.len().min(40);
    let ids = dashboard::wait_video_rows(&browser, next).await;
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a video listed twice: {ids:?}");
    let cells = browser
        .js(
            "return Array.from(document.querySelectorAll('[data-testid=\"video-row\"]'), \
               (row) => row.children[3].textContent.trim());",
        )
        .await;
    let shown: Vec<&str> = cells
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let expected: Vec<String> = views.iter().take(next).map(|v| thousands(*v)).collect();
    assert_eq!(shown, expected, "the second page continues the order");
    browser.screenshot("sorted-by-views").await;
    browser.close().await;
}
