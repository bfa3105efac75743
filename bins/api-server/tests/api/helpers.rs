//! Starts the real server on port 0 with test-only routes, and speaks HTTP to it.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::{HttpResponse, web};
use api_server::auth::{AuthenticatedUser, JwtIssuer};
use api_server::config::Config;
use api_server::error::ApiError;
use api_server::extract::ApiQuery;
use api_server::middleware::CspNonce;
use api_server::readiness::{NotReady, ReadinessProbe, probe_fn};
use api_server::startup::Application;
use bootstrap::telemetry::{self, LogCapture};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

/// Every log line of every server in this test binary (one global subscriber per process).
pub static LOGS: LazyLock<LogCapture> = LazyLock::new(|| {
    let capture = LogCapture::new();
    let subscriber =
        telemetry::subscriber(api_server::config::LogFormat::Json, "info", capture.clone())
            .unwrap();
    telemetry::init(subscriber).unwrap();
    capture
});

pub const LIVE_JWT_SECRET: &str = "live-jwt-secret-for-tests-0123456789abcdef";
pub const LIVE_APP_ORIGIN: &str = "https://app.example.com";

/// A running server.
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub jwt_secret: SecretString,
    _data_dir: tempfile::TempDir,
}

/// Which mode, and readiness.
pub struct Options {
    live: bool,
    ready: bool,
    vars: Vec<(&'static str, String)>,
}

impl Options {
    pub fn sandbox() -> Self {
        Self {
            live: false,
            ready: true,
            vars: Vec::new(),
        }
    }

    pub fn live() -> Self {
        Self {
            live: true,
            ready: true,
            vars: Vec::new(),
        }
    }

    /// Sets one more configuration variable.
    pub fn var(mut self, name: &'static str, value: &str) -> Self {
        self.vars.push((name, value.to_owned()));
        self
    }

    pub fn not_ready(mut self) -> Self {
        self.ready = false;
        self
    }

    pub async fn spawn(self) -> TestApp {
        LazyLock::force(&LOGS);
        let data_dir = tempfile::tempdir().unwrap();
        let mut vars = HashMap::from([
            ("PORT", "0".to_owned()),
            ("DATA_DIR", data_dir.path().to_string_lossy().into_owned()),
        ]);
        if self.live {
            vars.extend([
                ("TIKTOK_CLIENT_KEY", "client-key".to_owned()),
                ("TIKTOK_CLIENT_SECRET", "client-secret-value".to_owned()),
                (
                    "TIKTOK_REDIRECT_URI",
                    "https://api.example.com/api/auth/tiktok/callback".to_owned(),
                ),
                (
                    "TOKEN_ENCRYPTION_KEY",
                    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".to_owned(),
                ),
                ("JWT_SECRET", LIVE_JWT_SECRET.to_owned()),
                ("APP_ORIGIN", LIVE_APP_ORIGIN.to_owned()),
                // Live mode requires both; `*` checks neither (tests that check set them).
                ("JWT_AUDIENCE", "*".to_owned()),
                ("JWT_ISSUER", "*".to_owned()),
            ]);
        }
        vars.extend(self.vars);
        let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
        let jwt_secret = config.jwt_secret.clone();
        let probe: std::sync::Arc<dyn ReadinessProbe> = if self.ready {
            probe_fn(|| async { Ok(()) })
        } else {
            probe_fn(|| async {
                Err(NotReady {
                    component: "database",
                    reason: "connection refused (db.internal:5432)".into(),
                })
            })
        };
        let app = Application::builder(config)
            .unwrap()
            .readiness(probe)
            .workers(1)
            .configure(test_routes)
            .build()
            .unwrap();
        let port = app.port();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            client: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jwt_secret,
            _data_dir: data_dir,
        }
    }
}

pub async fn spawn_sandbox() -> TestApp {
    Options::sandbox().spawn().await
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A valid token signed with the server's secret.
    pub fn token(&self, user_id: &str) -> String {
        JwtIssuer::new(&self.jwt_secret)
            .issue(user_id, chrono::Duration::minutes(10))
            .unwrap()
            .token
            .expose_secret()
            .to_owned()
    }
}

/// Reads a JSON error body and checks its shape; returns the code.
pub async fn error_code(response: reqwest::Response) -> String {
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type:?}"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "error without a message: {body}");
    body["error"]["code"].as_str().unwrap().to_owned()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Sort {
    Views,
    Likes,
}

#[derive(Debug, Deserialize)]
struct ReportQuery {
    days: u32,
    sort: Option<Sort>,
}

/// The body of a handler that panics, to check what the client sees.
fn deliberate_panic() -> HttpResponse {
    panic!("deliberate panic in a test handler")
}

/// Routes that exist only in these tests.
fn test_routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/test/whoami",
        web::get().to(|user: AuthenticatedUser| async move {
            HttpResponse::Ok().json(serde_json::json!({"userId": user.user_id}))
        }),
    )
    .route(
        "/api/test/echo",
        web::post().to(|body: web::Json<serde_json::Value>| async move {
            HttpResponse::Ok().json(body.into_inner())
        }),
    )
    .route(
        "/api/test/raw",
        web::post()
            .to(|body: web::Bytes| async move { HttpResponse::Ok().body(body.len().to_string()) }),
    )
    .route(
        "/api/test/report",
        web::get().to(|query: ApiQuery<ReportQuery>| async move {
            HttpResponse::Ok().json(serde_json::json!({
                "days": query.days,
                "sort": format!("{:?}", query.sort),
            }))
        }),
    )
    .route(
        "/api/test/plain-report",
        web::get().to(|query: web::Query<ReportQuery>| async move {
            HttpResponse::Ok().json(serde_json::json!({"days": query.days}))
        }),
    )
    .route(
        "/api/test/panic",
        web::get().to(|| async { deliberate_panic() }),
    )
    .route(
        "/api/test/conflict",
        web::post().to(|| async {
            Err::<HttpResponse, _>(ApiError::new(
                api_server::error::ErrorCode::SyncInProgress,
                "a sync is already running",
            ))
        }),
    )
    .route(
        "/api/test/nonce",
        web::get().to(|nonce: CspNonce| async move {
            HttpResponse::Ok().body(nonce.as_str().to_owned())
        }),
    );
}
