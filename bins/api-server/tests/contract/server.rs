//! A sandbox api-server, wired as the binary wires it (every platform on, the emulators
//! in-process, a fresh SQLite file), serving on a free port.

use std::collections::HashMap;

use api_server::config::Config;
use api_server::route_table::ServedRoute;
use api_server::wiring::{Wired, WiringOptions, wire};
use serde_json::Value;

/// A running sandbox server.
pub struct Sandbox {
    url: String,
    routes: Vec<ServedRoute>,
    platforms: Vec<String>,
    // Kept for the server's life: the emulators stop when dropped, the directory is deleted.
    _wired: (
        Option<tiktok_sandbox::SandboxHandle>,
        Option<instagram_sandbox::SandboxHandle>,
    ),
    _data_dir: tempfile::TempDir,
}

impl Sandbox {
    /// Wires and starts it.
    pub async fn spawn() -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let vars = HashMap::from([
            ("MODE", "sandbox".to_owned()),
            ("PORT", "0".to_owned()),
            ("DATA_DIR", data_dir.path().to_string_lossy().into_owned()),
        ]);
        let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
        let Wired {
            app,
            sandbox,
            instagram_sandbox,
            ..
        } = wire(config, WiringOptions::default()).await.unwrap();
        let url = format!("http://127.0.0.1:{}", app.port());
        let routes = app.routes();
        let platforms = app
            .state()
            .platforms
            .iter()
            .map(|routes| routes.platform.to_string())
            .collect();
        // Runs until the test's runtime ends with the test.
        tokio::spawn(app.run_until_stopped());
        Self {
            url,
            routes,
            platforms,
            _wired: (sandbox, instagram_sandbox),
            _data_dir: data_dir,
        }
    }

    /// `GET /api/openapi.json`, as a client reads it.
    pub async fn document(&self) -> Value {
        let response = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(format!("{}/api/openapi.json", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The routes the server registered.
    pub fn routes(&self) -> Vec<ServedRoute> {
        self.routes.clone()
    }

    /// The platforms whose routes it serves.
    pub fn platforms(&self) -> Vec<String> {
        self.platforms.clone()
    }
}
