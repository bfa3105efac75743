//! Browser tests: headless Chromium, driven over WebDriver by `fantoccini`, against the real
//! api-server in sandbox mode (its in-process TikTok and Instagram emulators, a fresh SQLite
//! database per test).
//!
//! Each test starts its own chromedriver and its own server. Without Chromium or chromedriver
//! (`CHROME_BIN`/`CHROMEDRIVER` override the lookup), each test says so and passes without
//! running. Screenshots land in `$CARGO_TARGET_TMPDIR/browser-screenshots/<test>/`.

#![allow(clippy::unwrap_used)]

mod connect_flow;
mod failures;
mod layout;
mod support;
mod two_platforms;
mod videos_table;
