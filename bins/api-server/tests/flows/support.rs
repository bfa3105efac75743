//! Starts the real api-server (database, TikTok client, in-process sandbox) on a random port
//! with a fresh database, and drives it the way a browser and a frontend do.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use api_server::auth::JwtIssuer;
use api_server::config::{Config, LogFormat};
use api_server::wiring::{Wired, WiringOptions, wire};
use bootstrap::telemetry::{self, LogCapture};
use domain::{Connection, Platform};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::Value;
use services::Services;
use services::clock::OffsetClock;
use tiktok_sandbox::{ConsentForm, CreatorSummary, SandboxConfig, SandboxHandle};
use url::Url;

/// Every log line of every server in this test binary (one global subscriber per process).
pub static LOGS: LazyLock<LogCapture> = LazyLock::new(|| {
    let capture = LogCapture::new();
    let subscriber = telemetry::subscriber(LogFormat::Json, "info", capture.clone()).unwrap();
    telemetry::init(subscriber).unwrap();
    capture
});

/// Every protected route, as (method, path).
pub const PROTECTED_ROUTES: [(&str, &str); 9] = [
    ("GET", "/api/auth/tiktok/connect"),
    ("DELETE", "/api/auth/tiktok/disconnect"),
    ("POST", "/api/auth/tiktok/sync"),
    ("GET", "/api/connections"),
    ("GET", "/api/tiktok/profile"),
    ("GET", "/api/tiktok/videos"),
    ("GET", "/api/tiktok/analytics"),
    ("GET", "/api/tiktok/sync-runs"),
    ("GET", "/api/webhooks/deliveries"),
];

pub use test_databases::TestDatabase;

/// Runs each listed `async fn(TestDatabase)` once on SQLite and once on PostgreSQL.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::TestDatabase::sqlite("flow.db")).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(database) = $crate::support::TestDatabase::postgres("flow").await else {
                        return;
                    };
                    super::$name(database).await;
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;

/// A host user with a connected creator, as [`FlowOptions::with_connected_creator`] leaves
/// them.
pub struct ConnectedCreator {
    /// The host user's bearer token.
    pub token: String,
    /// The sandbox creator connected.
    pub creator: CreatorSummary,
}

/// How to start a server: settings first, then a finisher ([`FlowOptions::spawn`],
/// [`FlowOptions::with_connected_creator`]) that says what the test starts from.
pub struct FlowOptions {
    vars: Vec<(&'static str, String)>,
    sandbox: SandboxConfig,
    instagram: instagram_sandbox::SandboxConfig,
    youtube: youtube_sandbox::SandboxConfig,
    /// Live mode with TikTok only, against emulators started here (not by the server).
    live_tiktok_only: bool,
}

impl FlowOptions {
    /// Sandbox mode; creators with 95, 0 and 3 videos; the sandbox clock frozen, so its data
    /// only changes when a test moves it.
    pub fn new() -> Self {
        Self {
            // No cooldown unless a test sets one: most tests sync right after connecting,
            // which the shared connect-and-sync cooldown would refuse (the cooldown tests
            // set `MANUAL_SYNC_COOLDOWN_SECS` themselves).
            vars: vec![("MANUAL_SYNC_COOLDOWN_SECS", "0".to_owned())],
            sandbox: SandboxConfig::new()
                .creator_videos([95, 0, 3])
                .frozen_clock(true),
            instagram: instagram_sandbox::SandboxConfig::new().frozen_clock(true),
            youtube: youtube_sandbox::SandboxConfig::new().frozen_clock(true),
            live_tiktok_only: false,
        }
    }

    /// Live mode with TikTok's credentials only (Instagram switched off), TikTok's hosts
    /// pointed at an emulator this test starts: the server starts none in live mode.
    pub fn live_tiktok_only(mut self) -> Self {
        self.live_tiktok_only = true;
        self
    }

    /// Changes the Instagram emulator's settings (accounts, token lifetimes, budget, ...).
    pub fn instagram(
        mut self,
        change: impl FnOnce(instagram_sandbox::SandboxConfig) -> instagram_sandbox::SandboxConfig,
    ) -> Self {
        self.instagram = change(self.instagram);
        self
    }

    /// Changes the YouTube emulator's settings (accounts, quota, token lifetimes, ...).
    pub fn youtube(
        mut self,
        change: impl FnOnce(youtube_sandbox::SandboxConfig) -> youtube_sandbox::SandboxConfig,
    ) -> Self {
        self.youtube = change(self.youtube);
        self
    }

    /// One more configuration variable, as the environment would give it.
    pub fn var(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.vars.push((name, value.into()));
        self
    }

    /// Changes the sandbox's settings (token lifetimes, rotation, ...).
    pub fn sandbox(mut self, change: impl FnOnce(SandboxConfig) -> SandboxConfig) -> Self {
        self.sandbox = change(self.sandbox);
        self
    }

    /// Finisher: the server on `database`, with a host user whose creator (the sandbox
    /// creator with `videos` videos) is connected through the whole popup flow (connect,
    /// consent with every scope, callback, first sync).
    pub async fn with_connected_creator(
        self,
        database: TestDatabase,
        user_id: &str,
        videos: u64,
    ) -> (Flow, ConnectedCreator) {
        let flow = self.spawn(database).await;
        let token = flow.token(user_id);
        let creator = flow.creator_with_videos(videos);
        flow.connect_ok(&token, &creator.open_id).await;
        (flow, ConnectedCreator { token, creator })
    }

    /// Finisher: the server on `database`, nothing connected.
    pub async fn spawn(self, database: TestDatabase) -> Flow {
        LazyLock::force(&LOGS);
        let data_dir = tempfile::tempdir().unwrap();
        let mut vars = HashMap::from([
            ("PORT", "0".to_owned()),
            ("DATA_DIR", data_dir.path().to_string_lossy().into_owned()),
            ("DATABASE_URL", database.url().to_owned()),
            // A refused refresh is declared needs_reauth after a short look for a rotation
            // elsewhere (long enough for a concurrent winner's write on a busy machine), not
            // after the production 5 s.
            ("TOKEN_ROTATION_GRACE_MS", "300".to_owned()),
        ]);
        let mut sandbox_config = self.sandbox;
        let mut emulators = None;
        if self.live_tiktok_only {
            const KEY: &str = "live-client-key";
            const SECRET: &str = "live-client-secret-value";
            const REDIRECT: &str = "https://api.example.com/api/auth/tiktok/callback";
            let tiktok =
                tiktok_sandbox::Sandbox::start(std::mem::take(&mut sandbox_config).client(
                    tiktok_sandbox::RegisteredClient::new(KEY, SECRET, [REDIRECT]),
                ))
                .await
                .unwrap();
            let instagram = instagram_sandbox::Sandbox::start(self.instagram.clone())
                .await
                .unwrap();
            let base = tiktok.base_url().to_string();
            vars.extend([
                ("MODE", "live".to_owned()),
                ("TIKTOK_CLIENT_KEY", KEY.to_owned()),
                ("TIKTOK_CLIENT_SECRET", SECRET.to_owned()),
                ("TIKTOK_REDIRECT_URI", REDIRECT.to_owned()),
                ("TIKTOK_AUTH_BASE_URL", base.clone()),
                ("TIKTOK_API_BASE_URL", base),
                (
                    "TOKEN_ENCRYPTION_KEY",
                    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".to_owned(),
                ),
                (
                    "JWT_SECRET",
                    "live-jwt-secret-for-flow-tests-0123456789".to_owned(),
                ),
                ("APP_ORIGIN", "https://app.example.com".to_owned()),
                ("JWT_AUDIENCE", "*".to_owned()),
                ("JWT_ISSUER", "*".to_owned()),
            ]);
            emulators = Some((tiktok, instagram));
        }
        vars.extend(self.vars);
        let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
        let lookup = vars.clone();
        let secrets = ConfigSecrets {
            jwt_secret: config.jwt_secret.clone(),
            client_secret: config
                .settings
                .tiktok
                .as_ref()
                .expect("every flow has TikTok")
                .client_secret
                .clone(),
            instagram_app_secret: config.settings.instagram.as_ref().map_or_else(
                || SecretString::from(""),
                |instagram| instagram.app_secret.clone(),
            ),
            youtube_client_secret: config.settings.youtube.as_ref().map_or_else(
                || SecretString::from(""),
                |youtube| youtube.client_secret.clone(),
            ),
            encryption_keys: config
                .settings
                .token_encryption_keys
                .all()
                .map(|key| {
                    use base64::Engine as _;
                    let bytes = key.bytes().expose_secret();
                    SecretString::from(base64::engine::general_purpose::STANDARD.encode(bytes))
                })
                .collect(),
        };
        let clock = OffsetClock::new();
        // The YouTube emulator's frozen clock starts at ours, so both cross a Pacific
        // midnight (its quota's reset) together when a test moves them.
        let youtube_config = self
            .youtube
            .initial_time(services::clock::Clock::now(&clock));
        let Wired {
            app,
            services,
            sandbox,
            instagram_sandbox,
            youtube_sandbox,
        } = wire(
            config,
            WiringOptions {
                clock: Arc::new(clock.clone()),
                sandbox: sandbox_config,
                instagram_sandbox: self.instagram,
                youtube_sandbox: youtube_config,
                instance_id: format!("flow-test-{}", rand::random::<u32>()),
            },
        )
        .await
        .unwrap();
        let (live_tiktok, live_instagram) = emulators.unzip();
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Flow {
            address,
            client: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            sandbox: sandbox
                .or(live_tiktok)
                .expect("sandbox mode starts the emulator"),
            instagram: instagram_sandbox
                .or(live_instagram)
                .expect("sandbox mode starts the Instagram emulator"),
            youtube: youtube_sandbox,
            services,
            clock,
            secrets,
            vars: lookup,
            cookies: std::sync::Mutex::default(),
            _database: database,
            _data_dir: data_dir,
        }
    }
}

/// The secrets of the server's configuration, to look for in its logs.
pub struct ConfigSecrets {
    /// Signs the bearer tokens.
    pub jwt_secret: SecretString,
    /// The TikTok app's secret.
    pub client_secret: SecretString,
    /// The Instagram app's secret.
    pub instagram_app_secret: SecretString,
    /// The Google OAuth client's secret.
    pub youtube_client_secret: SecretString,
    /// The token encryption keys, in base64 as configured.
    pub encryption_keys: Vec<SecretString>,
}

/// A running server with its sandbox, clock and database.
pub struct Flow {
    pub address: String,
    pub client: reqwest::Client,
    pub sandbox: SandboxHandle,
    /// The Instagram emulator.
    pub instagram: instagram_sandbox::SandboxHandle,
    /// The YouTube emulator (sandbox mode only: live mode here has TikTok alone).
    pub youtube: Option<youtube_sandbox::SandboxHandle>,
    pub services: Services,
    /// Our clock (the sandbox has its own).
    pub clock: OffsetClock,
    pub secrets: ConfigSecrets,
    /// The configuration variables the server was started with.
    vars: HashMap<&'static str, String>,
    /// The connect cookies the start links set, by the state of their connect.
    cookies: std::sync::Mutex<HashMap<String, String>>,
    _database: TestDatabase,
    _data_dir: tempfile::TempDir,
}

/// The page the callback answered, and the message it posts to the opener.
#[derive(Debug)]
pub struct CallbackPage {
    pub html: String,
    pub message: Value,
}

impl CallbackPage {
    /// `<platform>:connected` or `<platform>:error`.
    pub fn kind(&self) -> &str {
        self.message["type"].as_str().unwrap()
    }

    /// The error code, on `tiktok:error`.
    pub fn code(&self) -> Option<&str> {
        self.message["code"].as_str()
    }

    /// Panics unless the page reports an error with `code`.
    pub fn assert_error(&self, code: &str) {
        assert!(self.kind().ends_with(":error"), "{}", self.message);
        assert_eq!(self.code(), Some(code), "{}", self.message);
        let text = self.message["message"].as_str().unwrap();
        assert!(
            self.html.contains(text) || self.html.contains(&escape_html(text)),
            "the page does not show its message"
        );
    }
}

fn escape_html(text: &str) -> String {
    tiktok_sandbox::escape_html(text)
}

/// A creator's consent, as the browser submits it.
pub enum Consent<'a> {
    /// Every requested scope.
    All,
    /// Only these scopes.
    Only(&'a [&'a str]),
    /// The Cancel button.
    Cancel,
}

impl Flow {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A frontend call with a bearer token.
    pub async fn call(&self, method: &str, path: &str, token: &str) -> reqwest::Response {
        self.client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                self.url(path),
            )
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// A GET that must answer 200 JSON.
    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = self.call("GET", path, token).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// A second process (a sync-worker, another api-server) on the same database, the same
    /// development secrets and this flow's TikTok sandbox, sharing our clock: its use cases,
    /// wired as the binary wires them (its own unused emulator included), not serving.
    pub async fn second_process(&self) -> Services {
        let mut vars = self.vars.clone();
        let tiktok = self.sandbox.base_url().to_string();
        vars.insert("TIKTOK_AUTH_BASE_URL", tiktok.clone());
        vars.insert("TIKTOK_API_BASE_URL", tiktok);
        vars.insert(
            "INSTAGRAM_AUTH_BASE_URL",
            self.instagram.authorize_base_url().to_string(),
        );
        vars.insert(
            "INSTAGRAM_API_BASE_URL",
            self.instagram.api_base_url().to_string(),
        );
        vars.insert(
            "INSTAGRAM_GRAPH_BASE_URL",
            self.instagram.graph_base_url().to_string(),
        );
        if let Some(youtube) = &self.youtube {
            let base = youtube.base_url().to_string();
            for host in [
                "YOUTUBE_AUTH_BASE_URL",
                "YOUTUBE_TOKEN_BASE_URL",
                "YOUTUBE_DATA_BASE_URL",
                "YOUTUBE_ANALYTICS_BASE_URL",
            ] {
                vars.insert(host, base.clone());
            }
        }
        let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
        let wired = wire(
            config,
            WiringOptions {
                clock: Arc::new(self.clock.clone()),
                sandbox: SandboxConfig::new(),
                instagram_sandbox: instagram_sandbox::SandboxConfig::new(),
                youtube_sandbox: youtube_sandbox::SandboxConfig::new(),
                instance_id: format!("second-process-{}", rand::random::<u32>()),
            },
        )
        .await
        .unwrap();
        wired.services
    }

    /// `GET /metrics`, as Prometheus scrapes it.
    pub async fn metrics(&self) -> String {
        let response = self.client.get(self.url("/metrics")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.unwrap()
    }

    /// A development token from `POST /api/dev/token` (sandbox mode).
    pub async fn dev_token(&self, user_id: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/dev/token"))
            .json(&serde_json::json!({ "userId": user_id }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// A JWT signed with the server's secret, as the host product would sign it.
    pub fn token(&self, user_id: &str) -> String {
        JwtIssuer::new(&self.secrets.jwt_secret)
            .issue(user_id, chrono::Duration::minutes(30))
            .unwrap()
            .token
            .expose_secret()
            .to_owned()
    }

    /// The sandbox creator with exactly `videos` videos.
    pub fn creator_with_videos(&self, videos: u64) -> CreatorSummary {
        self.sandbox
            .creators()
            .into_iter()
            .find(|creator| creator.video_count == videos)
            .unwrap_or_else(|| panic!("no sandbox creator with {videos} videos"))
    }

    /// `GET /api/auth/tiktok/connect`: the authorization URL.
    pub async fn begin_connect(&self, token: &str) -> Url {
        let body = self.get_json("/api/auth/tiktok/connect", token).await;
        let start = Url::parse(body["authorizationUrl"].as_str().unwrap()).unwrap();
        self.open_start(Platform::new("tiktok"), &start).await
    }

    /// Opens the start link in this flow's "browser": keeps the connect cookie it sets (sent
    /// with the callback) and returns the platform's authorize URL it redirects to.
    pub async fn open_start(&self, platform: Platform, start: &Url) -> Url {
        let response = self.open_start_link(platform, start).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        let pair = cookie.split(';').next().unwrap().to_owned();
        assert!(
            pair.starts_with(&format!("connect_{platform}=")),
            "{cookie}"
        );
        self.cookies.lock().unwrap().insert(state_of(start), pair);
        Url::parse(response.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// `GET` of a start link (its host is `localhost`; the server listens on 127.0.0.1).
    pub async fn open_start_link(&self, platform: Platform, start: &Url) -> reqwest::Response {
        assert_eq!(start.path(), format!("/api/auth/{platform}/start"));
        let mut url = Url::parse(&self.address).unwrap();
        url.set_path(start.path());
        url.set_query(start.query());
        self.client.get(url).send().await.unwrap()
    }

    /// Forgets the connect cookies, as another browser would not have them (each start
    /// link's cookie is kept by its state: every popup of a flow test is its own browser,
    /// as the users of different tokens are).
    pub fn forget_cookies(&self) {
        self.cookies.lock().unwrap().clear();
    }

    /// Opens the authorization URL (the sandbox's consent page) and submits it; returns the
    /// URL the sandbox redirects the browser to (our callback).
    pub async fn consent(
        &self,
        authorization_url: &Url,
        open_id: &str,
        consent: Consent<'_>,
    ) -> Url {
        let response = self
            .client
            .get(authorization_url.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        let form = ConsentForm::parse(&page).expect("a consent form");
        assert!(form.creators.iter().any(|creator| creator == open_id));
        let fields = match consent {
            Consent::All => form.authorize_all(open_id),
            Consent::Only(scopes) => form.authorize(open_id, scopes),
            Consent::Cancel => form.cancel(),
        };
        let action = authorization_url.join(&form.action).unwrap();
        let response = self.client.post(action).form(&fields).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
        let location = response.headers()["location"].to_str().unwrap();
        Url::parse(location).unwrap()
    }

    /// Follows the sandbox's redirect to our callback (its host is `localhost`; the server
    /// listens on 127.0.0.1) and reads the page.
    pub async fn follow_callback(&self, redirect: &Url) -> CallbackPage {
        self.follow_callback_of(Platform::new("tiktok"), redirect)
            .await
    }

    /// Follows a platform's redirect to our callback, as [`Flow::follow_callback`].
    pub async fn follow_callback_of(&self, platform: Platform, redirect: &Url) -> CallbackPage {
        assert_eq!(redirect.path(), format!("/api/auth/{platform}/callback"));
        let mut url = Url::parse(&self.address).unwrap();
        url.set_path(redirect.path());
        url.set_query(redirect.query());
        let cookie = self
            .cookies
            .lock()
            .unwrap()
            .get(&state_of(redirect))
            .cloned();
        let mut request = self.client.get(url);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let html = response.text().await.unwrap();
        let start = html
            .find("var message = ")
            .expect("the page posts a message")
            + 14;
        let end = start + html[start..].find(";\n").unwrap();
        let message = serde_json::from_str(&html[start..end]).unwrap();
        CallbackPage { html, message }
    }

    /// The whole connect flow of one popup: connect, consent, callback.
    pub async fn connect(&self, token: &str, open_id: &str, consent: Consent<'_>) -> CallbackPage {
        let authorization_url = self.begin_connect(token).await;
        let redirect = self.consent(&authorization_url, open_id, consent).await;
        self.follow_callback(&redirect).await
    }

    /// Connects `open_id` for the user of `token` with every scope, and checks it worked.
    pub async fn connect_ok(&self, token: &str, open_id: &str) -> CallbackPage {
        let page = self.connect(token, open_id, Consent::All).await;
        assert_eq!(page.kind(), "tiktok:connected", "{}", page.message);
        page
    }

    /// The stored connection of `user_id`, read from the server's own database.
    pub async fn stored_connection(&self, user_id: &str) -> Option<Connection> {
        self.services
            .database()
            .find_connection(user_id, Platform::new("tiktok"))
            .await
            .unwrap()
    }

    /// The stored connection of a TikTok account, whoever's it is.
    pub async fn stored_connection_of(&self, open_id: &str) -> Option<Connection> {
        self.services
            .database()
            .find_connection_by_account(Platform::new("tiktok"), open_id)
            .await
            .unwrap()
    }

    /// The stored (decrypted) access and refresh tokens of `user_id`'s connection.
    pub async fn stored_tokens(&self, user_id: &str) -> (String, Option<String>) {
        let connection = self.stored_connection(user_id).await.unwrap();
        let tokens = self
            .services
            .database()
            .connection_tokens(connection.id)
            .await
            .unwrap();
        (
            tokens.access_token.unwrap().expose_secret().to_owned(),
            tokens
                .refresh_token
                .map(|token| token.expose_secret().to_owned()),
        )
    }

    /// Moves both clocks: TikTok's (tokens die) and ours (we see them expire).
    pub fn advance_both_clocks(&self, hours: i64) {
        self.advance_both_clocks_by(chrono::TimeDelta::hours(hours));
    }

    pub fn advance_both_clocks_by(&self, by: chrono::TimeDelta) {
        self.sandbox.advance_clock(by.to_std().unwrap());
        self.clock.advance(by);
    }

    /// For a test whose calls must fall in one daily quota window: if UTC midnight (when the
    /// window turns) is less than ten minutes away, both clocks move just past it.
    pub fn keep_clear_of_midnight(&self) {
        let now = services::clock::Clock::now(&self.clock);
        let next_midnight = (now.date_naive() + chrono::Days::new(1))
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let left = next_midnight - now;
        if left < chrono::TimeDelta::minutes(10) {
            self.advance_both_clocks_by(left + chrono::TimeDelta::minutes(1));
        }
    }

    /// `POST /api/auth/tiktok/sync`, returning the status and the JSON body.
    pub async fn sync(&self, token: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let response = self.call("POST", "/api/auth/tiktok/sync", token).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.json().await.unwrap();
        (status, headers, body)
    }

    /// Every video of the user, newest first, paging with `limit` and `cursor`.
    pub async fn all_videos(&self, token: &str, limit: u32) -> Vec<Value> {
        self.paged(token, "sort=created", limit).await
    }

    /// Every video of the user in the order of `query` (`sort=..&order=..`), paging with
    /// `limit` and `cursor`.
    pub async fn paged(&self, token: &str, query: &str, limit: u32) -> Vec<Value> {
        let mut videos = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let path = match &cursor {
                Some(cursor) => {
                    format!("/api/tiktok/videos?{query}&limit={limit}&cursor={cursor}")
                }
                None => format!("/api/tiktok/videos?{query}&limit={limit}"),
            };
            let page = self.get_json(&path, token).await;
            let items = page["videos"].as_array().unwrap();
            assert!(items.len() <= limit as usize);
            videos.extend(items.iter().cloned());
            match page["nextCursor"].as_str() {
                Some(next) => cursor = Some(url_encode(next)),
                None => return videos,
            }
        }
        panic!("the video pages never end");
    }
}

fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Reads a JSON error body, checks its shape, and returns its code.
pub async fn error_code(response: reqwest::Response) -> String {
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type:?}"
    );
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "error without a message: {body}");
    body["error"]["code"].as_str().unwrap().to_owned()
}

/// The `state` query parameter of `url` (empty without one).
fn state_of(url: &Url) -> String {
    url.query_pairs()
        .find(|(key, _)| key == "state")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}
