//! What every browser test needs: a WebDriver session on headless Chromium, a server, waits.

pub mod browser;
pub mod cdp;
pub mod dashboard;
pub mod driver;
pub mod server;
pub mod wait;

/// Starts the browser for a test, or returns from the test when no browser is installed.
macro_rules! browser_or_skip {
    ($test:expr) => {
        match $crate::support::browser::Browser::start($test).await {
            Some(browser) => browser,
            None => {
                ::test_databases::say_skipped(
                    "skipping browser tests: chromium/chromedriver not found",
                );
                return;
            }
        }
    };
}

pub(crate) use browser_or_skip;
