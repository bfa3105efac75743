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
                $crate::support::say_skipped(
                    "skipping browser tests: chromium/chromedriver not found",
                );
                return;
            }
        }
    };
}

pub(crate) use browser_or_skip;

/// Says once per test binary, on the real stderr, that some tests skip: libtest captures
/// `println!`/`eprintln!` of passing tests, so those would never be seen.
pub fn say_skipped(message: &str) {
    use std::io::Write as _;
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(std::io::stderr(), "{message}");
    });
}
