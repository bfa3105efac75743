//! The harness: a fresh database per test (SQLite always, PostgreSQL when `TEST_DATABASE_URL`
//! is set), a TikTok sandbox over real HTTP with a frozen clock, the worker's services built
//! from the same configuration the binary reads, and creators connected through the sandbox's
//! consent page.

// Each test binary uses a different part of the harness.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use domain::{Connection, ConnectionId, SyncRun};
use services::clock::OffsetClock;
use services::platforms::instagram::INSTAGRAM;
use services::platforms::tiktok::TIKTOK;
use services::{CallbackParams, Services};
use tiktok_sandbox::{
    ConsentForm, DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, Endpoint, RegisteredClient, Sandbox,
    SandboxConfig, SandboxHandle,
};
use url::Url;

pub const REDIRECT_URI: &str = "https://app.example/api/auth/tiktok/callback";
/// Instagram's redirect URI, app id and secret in the worker's world.
pub const INSTAGRAM_REDIRECT_URI: &str = "https://app.example/api/auth/instagram/callback";
pub const INSTAGRAM_APP_ID: &str = "990602627938098";
pub const INSTAGRAM_APP_SECRET: &str = "instagram-app-secret-for-worker-tests";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends to run on: SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    if test_databases::postgres_configured() {
        backends.push(Backend::Postgres);
    } else {
        test_databases::say_skipped("skipping PostgreSQL: TEST_DATABASE_URL not set");
    }
    backends
}

pub use test_databases::TestDatabase;

/// A fresh database of `backend`.
pub async fn test_database(backend: Backend) -> TestDatabase {
    match backend {
        Backend::Sqlite => TestDatabase::sqlite("worker.db"),
        Backend::Postgres => TestDatabase::postgres("worker_test")
            .await
            .expect("backends() lists PostgreSQL only when TEST_DATABASE_URL is set"),
    }
}

/// Noon UTC, so no sandbox day is crossed unless a test advances the clock.
pub fn sandbox_start() -> DateTime<Utc> {
    "2026-11-25T12:00:00Z".parse().unwrap()
}

/// 30 video counts from 0 to 120.
pub fn thirty_video_counts() -> Vec<u32> {
    (0..30).map(|n| n * 120 / 29).collect()
}

/// The list calls of a full walk: `ceil(videos / 20)` (none for a creator whose profile
/// says 0 videos: every grant here has `user.info.stats`).
pub fn list_calls(videos: u32) -> u64 {
    u64::from(videos.div_ceil(20))
}

/// A sandbox, a database, and the worker's configuration for both.
pub struct World {
    pub sandbox: SandboxHandle,
    /// The Instagram emulator, in a world with Instagram accounts.
    pub instagram: Option<instagram_sandbox::SandboxHandle>,
    /// The YouTube emulator, in a world with YouTube channels ([`World::add_youtube`]).
    pub youtube: Option<youtube_sandbox::SandboxHandle>,
    /// Kept for its lifetime: dropping it removes the database.
    pub _database: TestDatabase,
    pub env: HashMap<String, String>,
    pub clock: OffsetClock,
    pub services: Services,
    /// The creators' open ids, in the order given to the sandbox.
    pub open_ids: Vec<String>,
    /// Their video counts, by open id.
    pub videos: HashMap<String, u32>,
}

impl World {
    /// A world with one creator per entry of `videos`.
    pub async fn new(backend: Backend, videos: &[u32]) -> Self {
        Self::with_instagram(backend, videos, &[]).await
    }

    /// A world with one TikTok creator per entry of `videos` and, when `instagram_media` is
    /// not empty, one Instagram business account per entry (that many media each).
    pub async fn with_instagram(backend: Backend, videos: &[u32], instagram_media: &[u32]) -> Self {
        let sandbox = Sandbox::start(
            SandboxConfig::new()
                .seed(11)
                .creator_videos(videos.iter().copied())
                .initial_time(sandbox_start())
                .frozen_clock(true)
                .rate_limit_per_minute(1_000_000)
                .client(RegisteredClient::new(
                    DEFAULT_CLIENT_KEY,
                    DEFAULT_CLIENT_SECRET,
                    [REDIRECT_URI.to_owned()],
                )),
        )
        .await
        .unwrap();
        let database = test_database(backend).await;
        let key = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>());
        let base = sandbox.base_url().to_string();
        let env: HashMap<String, String> = [
            ("DATABASE_URL", database.url().to_owned()),
            ("TIKTOK_CLIENT_KEY", DEFAULT_CLIENT_KEY.to_owned()),
            ("TIKTOK_CLIENT_SECRET", DEFAULT_CLIENT_SECRET.to_owned()),
            ("TIKTOK_REDIRECT_URI", REDIRECT_URI.to_owned()),
            ("TIKTOK_AUTH_BASE_URL", base.clone()),
            ("TIKTOK_API_BASE_URL", base),
            ("TOKEN_ENCRYPTION_KEY", key),
            // Fast pacing: the tests count calls, not wait for TikTok's real limit.
            ("TIKTOK_RATE_LIMIT_PER_MINUTE", "60000".to_owned()),
            // A refused refresh is declared needs_reauth after a short look for a rotation
            // elsewhere, not after the production 5 s.
            ("TOKEN_ROTATION_GRACE_MS", TEST_ROTATION_GRACE_MS.to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        let mut env = env;
        let instagram = if instagram_media.is_empty() {
            None
        } else {
            let accounts = instagram_media.iter().enumerate().map(|(n, &media)| {
                instagram_sandbox::AccountSpec::business(
                    format!("account.{n}"),
                    1_000 + 37 * n as u64,
                    media,
                )
            });
            let instagram = instagram_sandbox::Sandbox::start(
                instagram_sandbox::SandboxConfig::new()
                    .seed(11)
                    .accounts(accounts)
                    .initial_time(sandbox_start())
                    .frozen_clock(true)
                    .apps([instagram_sandbox::RegisteredApp::new(
                        INSTAGRAM_APP_ID,
                        INSTAGRAM_APP_SECRET,
                        [INSTAGRAM_REDIRECT_URI],
                    )]),
            )
            .await
            .unwrap();
            env.extend(
                [
                    ("INSTAGRAM_APP_ID", INSTAGRAM_APP_ID.to_owned()),
                    ("INSTAGRAM_APP_SECRET", INSTAGRAM_APP_SECRET.to_owned()),
                    ("INSTAGRAM_REDIRECT_URI", INSTAGRAM_REDIRECT_URI.to_owned()),
                    (
                        "INSTAGRAM_AUTH_BASE_URL",
                        instagram.authorize_base_url().to_string(),
                    ),
                    (
                        "INSTAGRAM_API_BASE_URL",
                        instagram.api_base_url().to_string(),
                    ),
                    (
                        "INSTAGRAM_GRAPH_BASE_URL",
                        instagram.graph_base_url().to_string(),
                    ),
                ]
                .map(|(name, value)| (name.to_owned(), value)),
            );
            Some(instagram)
        };
        let clock = OffsetClock::new();
        let services = services_for(&env, &clock, "worker-a").await;
        let creators = sandbox.creators();
        let open_ids: Vec<String> = creators.iter().map(|c| c.open_id.clone()).collect();
        let videos = creators
            .iter()
            .map(|c| (c.open_id.clone(), u32::try_from(c.video_count).unwrap()))
            .collect();
        Self {
            sandbox,
            instagram,
            youtube: None,
            _database: database,
            env,
            clock,
            services,
            open_ids,
            videos,
        }
    }

    /// Connects every creator, in order, as user `user-<n>`, `gap` apart on the services'
    /// clock (so the first connected is the stalest).
    pub async fn connect_all(&self, gap: TimeDelta) {
        for (n, open_id) in self.open_ids.iter().enumerate() {
            connect(&self.services, &self.sandbox, &format!("user-{n}"), open_id).await;
            self.clock.advance(gap);
        }
    }

    /// Moves every clock (the emulators' and the services') forward.
    pub fn advance(&self, by: TimeDelta) {
        self.sandbox.advance_clock(by.to_std().unwrap());
        if let Some(instagram) = &self.instagram {
            instagram.advance_clock(by.to_std().unwrap());
        }
        if let Some(youtube) = &self.youtube {
            youtube.advance_clock(by.to_std().unwrap());
        }
        self.clock.advance(by);
    }

    /// Adds YouTube: one channel per entry of `uploads` (that many videos each), on an
    /// emulator whose frozen clock starts at ours, and rebuilds the services with it on.
    pub async fn add_youtube(&mut self, uploads: &[u32]) {
        let accounts = uploads.iter().enumerate().map(|(n, &count)| {
            youtube_sandbox::AccountSpec::with_channel(
                format!("channel{n}@sandbox.test"),
                format!("Channel {n}"),
                youtube_sandbox::ChannelSpec::new(
                    format!("Channel {n}"),
                    format!("@channel{n}"),
                    5_000 + 101 * n as u64,
                    count,
                ),
            )
        });
        let youtube = youtube_sandbox::Sandbox::start(
            youtube_sandbox::SandboxConfig::new()
                .seed(11)
                .accounts(accounts)
                .initial_time(services::clock::Clock::now(&self.clock))
                .frozen_clock(true)
                .client(youtube_sandbox::RegisteredClient::new(
                    YOUTUBE_CLIENT_ID,
                    YOUTUBE_CLIENT_SECRET,
                    [YOUTUBE_REDIRECT_URI],
                )),
        )
        .await
        .unwrap();
        let base = youtube.base_url().to_string();
        for (name, value) in [
            ("YOUTUBE_CLIENT_ID", YOUTUBE_CLIENT_ID.to_owned()),
            ("YOUTUBE_CLIENT_SECRET", YOUTUBE_CLIENT_SECRET.to_owned()),
            ("YOUTUBE_REDIRECT_URI", YOUTUBE_REDIRECT_URI.to_owned()),
            ("YOUTUBE_AUTH_BASE_URL", base.clone()),
            ("YOUTUBE_TOKEN_BASE_URL", base.clone()),
            ("YOUTUBE_DATA_BASE_URL", base.clone()),
            ("YOUTUBE_ANALYTICS_BASE_URL", base),
        ] {
            self.env.insert(name.to_owned(), value);
        }
        self.services = services_for(&self.env, &self.clock, "worker-a").await;
        self.youtube = Some(youtube);
    }

    /// Connects every YouTube channel, in order, as user `yt-user-<n>`, `gap` apart.
    pub async fn connect_all_youtube(&self, gap: TimeDelta) {
        let youtube = self.youtube.as_ref().expect("a world with YouTube");
        for (n, account) in youtube.accounts().iter().enumerate() {
            connect_youtube(&self.services, &format!("yt-user-{n}"), &account.email).await;
            self.clock.advance(gap);
        }
    }

    /// Data API units the YouTube emulator counted today for our client.
    pub fn youtube_units(&self) -> u64 {
        self.youtube.as_ref().map_or(0, |youtube| {
            youtube
                .quota_usage(YOUTUBE_CLIENT_ID)
                .used(youtube_sandbox::QuotaBucket::General)
        })
    }

    /// Connects every Instagram account, in order, as user `ig-user-<n>`, `gap` apart.
    pub async fn connect_all_instagram(&self, gap: TimeDelta) {
        let instagram = self.instagram.as_ref().expect("a world with Instagram");
        for (n, account) in instagram.accounts().iter().enumerate() {
            connect_instagram(&self.services, &format!("ig-user-{n}"), &account.ig_user_id).await;
            self.clock.advance(gap);
        }
    }

    /// Every Instagram call the emulator answered so far.
    pub fn instagram_calls(&self) -> u64 {
        self.instagram
            .as_ref()
            .map_or(0, |instagram| instagram.call_counts().values().sum())
    }

    pub fn calls(&self, endpoint: Endpoint) -> u64 {
        self.sandbox.call_count(endpoint)
    }

    pub fn all_calls(&self) -> u64 {
        self.sandbox.call_counts().values().sum()
    }

    /// The connection of a creator.
    pub async fn connection_of(&self, open_id: &str) -> Connection {
        let index = self.open_ids.iter().position(|id| id == open_id).unwrap();
        self.services
            .database()
            .find_connection(&format!("user-{index}"), domain::Platform::new("tiktok"))
            .await
            .unwrap()
            .unwrap()
    }

    /// Every connection, in id order.
    pub async fn connections(&self) -> Vec<Connection> {
        self.services
            .database()
            .list_connections(1000)
            .await
            .unwrap()
    }

    /// The runs of a connection, newest first.
    pub async fn runs(&self, id: ConnectionId) -> Vec<SyncRun> {
        self.services
            .database()
            .recent_sync_runs(id, 100)
            .await
            .unwrap()
    }

    /// Services on the same database, sandbox and clock with a daily quota of `quota` calls.
    pub async fn services_with_daily_quota(&self, quota: u32, instance: &str) -> Services {
        let mut env = self.env.clone();
        env.insert("TIKTOK_DAILY_QUOTA".into(), quota.to_string());
        services_for(&env, &self.clock, instance).await
    }

    pub async fn stored_videos(&self, id: ConnectionId) -> i64 {
        self.services
            .database()
            .video_totals(id)
            .await
            .unwrap()
            .videos
    }
}

/// The rotation grace of the tests: long enough for a concurrent winner's write on a busy
/// machine, short enough that a needs_reauth test does not wait seconds.
pub const TEST_ROTATION_GRACE_MS: &str = "300";

/// Services built the way the binary builds them, from `env`, on `clock`.
pub async fn services_for(
    env: &HashMap<String, String>,
    clock: &OffsetClock,
    instance: &str,
) -> Services {
    let settings = bootstrap::Settings::from_lookup(&|name| env.get(name).cloned()).unwrap();
    sync_worker::wiring::build_services(&settings, Arc::new(clock.clone()), instance.to_owned())
        .await
        .unwrap()
}

/// The whole Login Kit flow for `open_id` through the sandbox's consent page, completed by
/// the services' callback.
pub async fn connect(services: &Services, sandbox: &SandboxHandle, user_id: &str, open_id: &str) {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let authorize = services.begin_connect(user_id, TIKTOK).await.unwrap();
    let page = browser.get(authorize).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let form = ConsentForm::parse(&page.text().await.unwrap()).expect("a consent form");
    let action = sandbox.base_url().join(&form.action).unwrap();
    let answer = browser
        .post(action)
        .form(&form.authorize_all(open_id))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    let location = Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    services
        .complete_connect(
            TIKTOK,
            CallbackParams {
                code: param("code"),
                state: param("state"),
                scopes: param("scopes"),
                ..CallbackParams::default()
            },
        )
        .await
        .unwrap();
}

/// The Instagram Login flow for `ig_user_id` through the emulator's consent page, completed
/// by the services' callback.
pub async fn connect_instagram(services: &Services, user_id: &str, ig_user_id: &str) {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let authorize = services.begin_connect(user_id, INSTAGRAM).await.unwrap();
    let page = browser.get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let form = instagram_sandbox::ConsentForm::parse(&page.text().await.unwrap()).expect("a form");
    let action = authorize.join(&form.action).unwrap();
    let answer = browser
        .post(action)
        .form(&form.approve_all(ig_user_id))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    let location = Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    services
        .complete_connect(
            INSTAGRAM,
            CallbackParams {
                code: param("code"),
                state: param("state"),
                ..CallbackParams::default()
            },
        )
        .await
        .unwrap();
}

/// The Google OAuth client of the worker's tests.
pub const YOUTUBE_CLIENT_ID: &str = "worker-test.apps.googleusercontent.com";
const YOUTUBE_CLIENT_SECRET: &str = "worker-test-google-secret";
const YOUTUBE_REDIRECT_URI: &str = "http://127.0.0.1:5001/api/auth/youtube/callback";

/// Google's consent for `email` through the emulator's page (every scope), completed by the
/// services' callback.
pub async fn connect_youtube(services: &Services, user_id: &str, email: &str) {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let youtube = domain::Platform::new("youtube");
    let authorize = services.begin_connect(user_id, youtube).await.unwrap();
    let page = browser.get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let form = youtube_sandbox::ConsentForm::parse(&page.text().await.unwrap()).expect("a form");
    let action = authorize.join(&form.action).unwrap();
    let answer = browser
        .post(action)
        .form(&form.approve_all(email))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 302);
    let location = Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    services
        .complete_connect(
            youtube,
            CallbackParams {
                code: param("code"),
                state: param("state"),
                scopes: param("scope"),
                ..CallbackParams::default()
            },
        )
        .await
        .unwrap();
}
