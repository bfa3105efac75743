//! The real api-server in sandbox mode (every platform's emulator in-process), as `wire` builds it for
//! the binary.

use std::collections::HashMap;

use api_server::config::Config;
use api_server::wiring::{WiringOptions, wire};
use tiktok_sandbox::SandboxHandle;

/// A running server with its emulator and its own database folder.
pub struct TestServer {
    /// `APP_ORIGIN`, where the dashboard is opened (`http://localhost:PORT` in sandbox mode).
    pub origin: String,
    /// The in-process TikTok emulator, to read its creators and inject faults.
    pub sandbox: SandboxHandle,
    /// The in-process Instagram emulator.
    pub instagram: instagram_sandbox::SandboxHandle,
    /// The in-process YouTube (Google) emulator.
    pub youtube: youtube_sandbox::SandboxHandle,
    _data_dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts a sandbox-mode server on a free port with a fresh SQLite database. "Sync now" has
    /// no cooldown, so a test can press it right after connecting.
    pub async fn start() -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let vars = HashMap::from([
            ("PORT", "0".to_owned()),
            ("DATA_DIR", data_dir.path().to_string_lossy().into_owned()),
            ("MANUAL_SYNC_COOLDOWN_SECS", "0".to_owned()),
            ("LOG_FORMAT", "json".to_owned()),
        ]);
        let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
        let wired = wire(config, WiringOptions::default()).await.unwrap();
        let port = wired.app.port();
        let sandbox = wired
            .sandbox
            .expect("a server without TikTok credentials runs in sandbox mode");
        let instagram = wired
            .instagram_sandbox
            .expect("sandbox mode starts the Instagram emulator too");
        let youtube = wired
            .youtube_sandbox
            .expect("sandbox mode starts the YouTube emulator too");
        tokio::spawn(wired.app.run_until_stopped());
        Self {
            origin: format!("http://localhost:{port}"),
            sandbox,
            instagram,
            youtube,
            _data_dir: data_dir,
        }
    }

    /// The dashboard's URL.
    pub fn dashboard_url(&self) -> String {
        format!("{}/", self.origin)
    }
}
