//! A WebDriver session on headless Chromium, with the waits and screenshots the tests use.

use std::cell::Cell;
use std::path::PathBuf;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::cdp::Cdp;
use super::driver::{Chromedriver, Tools};
use super::wait;

/// The desktop window size; the phone width is emulated (headless Chromium will not make a
/// window narrower than 500 px).
pub const DESKTOP_WIDTH: u32 = 1280;
const DESKTOP_HEIGHT: u32 = 900;

/// How many Chromiums run at once: tests run in parallel, the machine may have 2 cores, and
/// every wait has a deadline.
static BROWSER_SLOTS: Semaphore = Semaphore::const_new(2);

/// A browser session for one test. Quits Chromium when dropped, even after a panic.
pub struct Browser {
    client: Client,
    session_id: Option<String>,
    driver: Chromedriver,
    shots: PathBuf,
    /// The emulated viewport width, if any.
    emulated_width: Cell<Option<u32>>,
    _profile: tempfile::TempDir,
    _slot: SemaphorePermit<'static>,
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium for `test` (the name of the
    /// screenshot folder). `None` when Chromium or chromedriver is not installed.
    pub async fn start(test: &str) -> Option<Self> {
        let tools = Tools::find()?;
        let slot = BROWSER_SLOTS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("browser-screenshots")
            .join(test);
        std::fs::create_dir_all(&shots).unwrap();
        let driver =
            Chromedriver::start(&tools.chromedriver, &shots.join("chromedriver.log")).await;
        let profile = tempfile::tempdir().unwrap();
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--lang=en-US".to_owned(),
            format!("--window-size={DESKTOP_WIDTH},{DESKTOP_HEIGHT}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": tools.chromium,
                "args": args,
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal");
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|error| panic!("no WebDriver session on headless Chromium: {error}"));
        let session_id = client.session_id().await.unwrap();
        Some(Self {
            client,
            session_id,
            driver,
            shots,
            emulated_width: Cell::new(None),
            _profile: profile,
            _slot: slot,
        })
    }

    /// The WebDriver client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs `script` in the current window and returns its result.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|error| panic!("script failed: {error}\n{script}"))
    }

    /// Polls `script` until it returns something other than `null`, `false`, `""` or `0`,
    /// and returns that. On a timeout the panic shows the script's last answer.
    pub async fn wait_js(&self, what: &str, script: &str) -> Value {
        let last = std::cell::RefCell::new(Value::Null);
        let found = wait::until_or_timeout(wait::TIMEOUT, || async {
            let value = match self.client.execute(script, Vec::new()).await {
                Ok(value) => value,
                Err(error) => Value::from(format!("script error: {error}")),
            };
            let done = is_truthy(&value)
                && !value
                    .as_str()
                    .is_some_and(|s| s.starts_with("script error: "));
            last.replace(value.clone());
            done.then_some(value)
        })
        .await;
        found.unwrap_or_else(|| {
            panic!(
                "timed out after {} s waiting for {what}; the last answer was {}",
                wait::TIMEOUT.as_secs(),
                last.borrow()
            )
        })
    }

    /// Waits until the element matching `css` is rendered (not hidden, not `display: none`)
    /// and returns it.
    pub async fn wait_visible(&self, css: &str) -> Element {
        let script = format!(
            "const el = document.querySelector({selector}); return Boolean(el && el.checkVisibility());",
            selector = Value::from(css)
        );
        self.wait_js(&format!("{css} to be visible"), &script).await;
        self.client.find(Locator::Css(css)).await.unwrap()
    }

    /// Waits until the element matching `css` is visible, then clicks it.
    pub async fn click(&self, css: &str) {
        let element = self.wait_visible(css).await;
        element
            .click()
            .await
            .unwrap_or_else(|error| panic!("cannot click {css}: {error}"));
    }

    /// Waits until an element of a (open) shadow root is rendered and returns it.
    pub async fn wait_in_shadow(&self, host_css: &str, inner_css: &str) -> Element {
        let script = format!(
            "const host = document.querySelector({host}); \
             const el = host && host.shadowRoot && host.shadowRoot.querySelector({inner}); \
             return Boolean(el && el.checkVisibility());",
            host = Value::from(host_css),
            inner = Value::from(inner_css)
        );
        self.wait_js(&format!("{inner_css} inside {host_css}"), &script)
            .await;
        let host = self.client.find(Locator::Css(host_css)).await.unwrap();
        host.shadow_root()
            .await
            .unwrap()
            .find(Locator::Css(inner_css))
            .await
            .unwrap()
    }

    /// Emulates a viewport `width` CSS pixels wide (a phone below 500 px: touch, mobile
    /// viewport), or goes back to the real window with `None`.
    pub async fn emulate_width(&self, width: Option<u32>) {
        self.emulated_width.set(width);
        match width {
            Some(width) => self.emulate(width, default_height(width)).await,
            None => {
                self.client
                    .issue_cmd(Cdp::new("Emulation.clearDeviceMetricsOverride", json!({})))
                    .await
                    .unwrap();
            }
        }
    }

    async fn emulate(&self, width: u32, height: u32) {
        let metrics = json!({
            "width": width,
            "height": height,
            "deviceScaleFactor": 1,
            "mobile": width < 500,
        });
        self.client
            .issue_cmd(Cdp::new("Emulation.setDeviceMetricsOverride", metrics))
            .await
            .unwrap();
    }

    /// Saves a PNG of the whole page as `<name>.png` in this test's screenshot folder, and
    /// returns its path. The viewport is made as tall as the page for the shot (what a very
    /// tall screen of the same width shows), then restored.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let width = self.emulated_width.get().unwrap_or(DESKTOP_WIDTH);
        let height = self
            .js("return Math.ceil(document.documentElement.scrollHeight);")
            .await
            .as_u64()
            .and_then(|h| u32::try_from(h).ok())
            .unwrap();
        self.emulate(width, height.max(default_height(width))).await;
        // Let the page lay out and paint at the new size before the shot.
        self.client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                Vec::new(),
            )
            .await
            .unwrap();
        let shot = self.client.screenshot().await;
        self.emulate_width(self.emulated_width.get()).await;
        self.save_png(name, &shot.unwrap())
    }

    /// Saves a PNG of the viewport alone (what a person sees, e.g. a modal dialog over its
    /// backdrop) as `<name>.png` in this test's screenshot folder, and returns its path.
    pub async fn screenshot_viewport(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        self.save_png(name, &png)
    }

    fn save_png(&self, name: &str, png: &[u8]) -> PathBuf {
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        println!("screenshot: {}", path.display());
        path
    }

    /// Ends the session (Chromium quits).
    pub async fn close(mut self) {
        self.session_id = None;
        self.client.clone().close().await.unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(session_id) = self.session_id.take() {
            self.driver.delete_session(&session_id);
        }
    }
}

/// The viewport height used with a width: a phone's 844 px, else the desktop window's.
fn default_height(width: u32) -> u32 {
    if width < 500 { 844 } else { DESKTOP_HEIGHT }
}

fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::Array(_) | Value::Object(_) => true,
    }
}
