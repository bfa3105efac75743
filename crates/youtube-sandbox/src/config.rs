//! Sandbox configuration: a builder whose defaults follow the reference (`youtube-api.md`);
//! every behaviour the reference marks unconfirmed, or where Google's pages conflict (quota
//! buckets and costs, for one), is a setting, so clients can be tested both ways.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::catalog::AccountSpec;
use crate::error::SandboxError;

/// OAuth client id of the client registered when none is configured.
pub const DEFAULT_CLIENT_ID: &str = "1234567890-sandbox.apps.googleusercontent.com";
/// Its client secret.
pub const DEFAULT_CLIENT_SECRET: &str = "GOCSPX-sandbox-client-secret";
/// Its API key (for `key=` requests of public data).
pub const DEFAULT_API_KEY: &str = "AIzaSy-sandbox-api-key";
/// Redirect URIs registered for the default client: the api-server's development callbacks.
pub const DEFAULT_REDIRECT_URIS: [&str; 2] = [
    "http://localhost:5001/api/auth/youtube/callback",
    "http://127.0.0.1:5001/api/auth/youtube/callback",
];
/// The most uploads one channel may have (keeps start-up fast).
pub const MAX_UPLOADS_PER_CHANNEL: u32 = 20_000;
/// The most accounts a sandbox may hold.
pub const MAX_ACCOUNTS: usize = 10_000;

/// The OAuth consent screen's publishing status (reference section 3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishingStatus {
    /// Refresh tokens live until an event kills them.
    #[default]
    Production,
    /// "Testing": refresh tokens expire after 7 days, unless only Sign-In scopes were granted.
    Testing,
}

/// An OAuth client registered with the sandbox, as a web client is in a Cloud project. Its
/// quota is its project's.
#[derive(Clone, PartialEq, Eq)]
pub struct RegisteredClient {
    /// The client id (`…apps.googleusercontent.com`).
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// Authorized redirect URIs, matched exactly (scheme, case, trailing slash).
    pub redirect_uris: Vec<String>,
    /// Production or Testing.
    pub publishing_status: PublishingStatus,
    /// An API key of the same project (`key=`), for public data without a token.
    pub api_key: Option<String>,
    /// The project number errors name (`project_number:…`).
    pub project_number: String,
}

impl RegisteredClient {
    /// A Production client with the given id, secret and redirect URIs, no API key, and a
    /// project number derived from the id.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uris: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let client_id = client_id.into();
        let project_number = client_id
            .split('-')
            .next()
            .filter(|prefix| !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_digit()))
            .map_or_else(|| "1234567890".to_owned(), str::to_owned);
        Self {
            client_id,
            client_secret: client_secret.into(),
            redirect_uris: redirect_uris.into_iter().map(Into::into).collect(),
            publishing_status: PublishingStatus::Production,
            api_key: None,
            project_number,
        }
    }

    /// Sets the publishing status.
    pub fn with_publishing_status(mut self, status: PublishingStatus) -> Self {
        self.publishing_status = status;
        self
    }

    /// Sets the project's API key.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the project number.
    pub fn with_project_number(mut self, number: impl Into<String>) -> Self {
        self.project_number = number.into();
        self
    }
}

impl Default for RegisteredClient {
    fn default() -> Self {
        Self::new(
            DEFAULT_CLIENT_ID,
            DEFAULT_CLIENT_SECRET,
            DEFAULT_REDIRECT_URIS,
        )
        .with_api_key(DEFAULT_API_KEY)
    }
}

// The secret and the key never appear in Debug output.
impl std::fmt::Debug for RegisteredClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uris", &self.redirect_uris)
            .field("publishing_status", &self.publishing_status)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("project_number", &self.project_number)
            .finish()
    }
}

/// A daily quota bucket of a project (reference section 10.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaBucket {
    /// "All other endpoints": 10,000 units a day.
    General,
    /// `search.list`: 100 calls a day (2026 buckets).
    Search,
    /// `videos.insert`: 100 calls a day (2026 buckets).
    VideosInsert,
    /// `videos.batchGetStats`: 10,000 units a day.
    BatchGetStats,
    /// The Analytics API's own quota (not Data API units; unconfirmed).
    Analytics,
}

impl QuotaBucket {
    /// Every bucket.
    pub const ALL: [QuotaBucket; 5] = [
        QuotaBucket::General,
        QuotaBucket::Search,
        QuotaBucket::VideosInsert,
        QuotaBucket::BatchGetStats,
        QuotaBucket::Analytics,
    ];

    /// The snake-case name of the control API.
    pub fn name(self) -> &'static str {
        match self {
            QuotaBucket::General => "general",
            QuotaBucket::Search => "search",
            QuotaBucket::VideosInsert => "videos_insert",
            QuotaBucket::BatchGetStats => "batch_get_stats",
            QuotaBucket::Analytics => "analytics",
        }
    }

    /// The quota metric Google names in a "per day" message.
    pub(crate) fn metric(self) -> &'static str {
        match self {
            QuotaBucket::General => "Queries",
            QuotaBucket::Search => "Search Queries",
            QuotaBucket::VideosInsert => "Video Uploads",
            QuotaBucket::BatchGetStats => "Batch Get Stats Queries",
            QuotaBucket::Analytics => "Analytics Queries",
        }
    }

    /// The bucket with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|bucket| bucket.name() == name)
    }
}

/// What one call of a method costs, and from which bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodCost {
    /// The bucket charged.
    pub bucket: QuotaBucket,
    /// Units per call (per page, for paged methods).
    pub units: u64,
}

/// How a spent general bucket answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GeneralExhausted {
    /// 403 `quotaExceeded` (`youtube.quota`), as documented.
    #[default]
    QuotaExceeded,
    /// 403 `dailyLimitExceeded` (`usageLimits`), the older wording integrators report.
    DailyLimitExceeded,
}

/// How a spent per-method bucket (search, insert, batchGetStats) answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BucketExhausted {
    /// 429 `rateLimitExceeded` "Quota exceeded for quota metric '…' and limit '… per day'",
    /// as integrators observed in 2026.
    #[default]
    PerDay429,
    /// 403 `quotaExceeded`, like the general bucket.
    QuotaExceeded403,
}

/// The quota engine's settings: costs per method, daily limits per bucket, and the shapes of
/// refusals. Google's own pages disagree, so both readings exist as presets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaSettings {
    /// Cost per Google method name (`channels.list`, `videos.batchGetStats`, ...). A method
    /// not listed costs 1 general unit ("every request costs at least one unit").
    pub costs: BTreeMap<String, MethodCost>,
    /// Daily limit per bucket; a bucket without one is unlimited.
    pub limits: BTreeMap<QuotaBucket, u64>,
    /// How a spent general bucket answers.
    pub general_exhausted: GeneralExhausted,
    /// How a spent per-method bucket answers.
    pub bucket_exhausted: BucketExhausted,
    /// Calls per project per minute of sandbox time (none: no per-minute limit; Google's
    /// values are not documented).
    pub per_minute: Option<u32>,
    /// The status of a per-minute refusal: 403 `rateLimitExceeded` or 429.
    pub per_minute_status: u16,
    /// Units charged for a `304 Not Modified` (the sources conflict: 0 or 1).
    pub not_modified_units: u64,
}

impl QuotaSettings {
    /// The 2026 reading (reference section 10.1): `search.list` and `videos.insert` in
    /// buckets of 100 calls at 1 a call, `videos.batchGetStats` in its own 10,000-unit bucket,
    /// everything else 1 unit from the general 10,000; Analytics in its own unlimited bucket.
    pub fn current() -> Self {
        let costs = [
            ("channels.list", QuotaBucket::General, 1),
            ("playlistItems.list", QuotaBucket::General, 1),
            ("videos.list", QuotaBucket::General, 1),
            ("videos.batchGetStats", QuotaBucket::BatchGetStats, 1),
            ("search.list", QuotaBucket::Search, 1),
            ("videos.insert", QuotaBucket::VideosInsert, 1),
            ("reports.query", QuotaBucket::Analytics, 1),
        ];
        Self {
            costs: costs
                .into_iter()
                .map(|(method, bucket, units)| (method.to_owned(), MethodCost { bucket, units }))
                .collect(),
            limits: [
                (QuotaBucket::General, 10_000),
                (QuotaBucket::Search, 100),
                (QuotaBucket::VideosInsert, 100),
                (QuotaBucket::BatchGetStats, 10_000),
            ]
            .into_iter()
            .collect(),
            general_exhausted: GeneralExhausted::default(),
            bucket_exhausted: BucketExhausted::default(),
            per_minute: None,
            per_minute_status: 403,
            not_modified_units: 1,
        }
    }

    /// The older single pool (the `/v3/` and localized copies): one 10,000-unit bucket,
    /// `search.list` 100 units, `videos.insert` 1,600 units, everything else 1 unit.
    pub fn single_pool() -> Self {
        let mut settings = Self::current();
        for (method, units) in [
            ("videos.batchGetStats", 1),
            ("search.list", 100),
            ("videos.insert", 1_600),
        ] {
            settings.costs.insert(
                method.to_owned(),
                MethodCost {
                    bucket: QuotaBucket::General,
                    units,
                },
            );
        }
        settings.limits = [(QuotaBucket::General, 10_000)].into_iter().collect();
        settings
    }

    /// Sets one method's cost.
    pub fn with_cost(mut self, method: impl Into<String>, bucket: QuotaBucket, units: u64) -> Self {
        self.costs
            .insert(method.into(), MethodCost { bucket, units });
        self
    }

    /// Sets a bucket's daily limit.
    pub fn with_limit(mut self, bucket: QuotaBucket, units: u64) -> Self {
        self.limits.insert(bucket, units);
        self
    }

    /// Removes a bucket's daily limit.
    pub fn without_limit(mut self, bucket: QuotaBucket) -> Self {
        self.limits.remove(&bucket);
        self
    }

    /// Sets how spent buckets answer.
    pub fn with_exhausted_shapes(
        mut self,
        general: GeneralExhausted,
        bucket: BucketExhausted,
    ) -> Self {
        self.general_exhausted = general;
        self.bucket_exhausted = bucket;
        self
    }

    /// Sets a per-minute limit and the status of its refusals (403 or 429).
    pub fn with_per_minute(mut self, calls: Option<u32>, status: u16) -> Self {
        self.per_minute = calls;
        self.per_minute_status = status;
        self
    }

    /// Sets what a 304 costs.
    pub fn with_not_modified_units(mut self, units: u64) -> Self {
        self.not_modified_units = units;
        self
    }

    /// The cost of one call of `method`.
    pub fn cost(&self, method: &str) -> MethodCost {
        self.costs.get(method).copied().unwrap_or(MethodCost {
            bucket: QuotaBucket::General,
            units: 1,
        })
    }
}

impl Default for QuotaSettings {
    fn default() -> Self {
        Self::current()
    }
}

/// What `statistics` of a channel with a hidden subscriber count carries (unconfirmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HiddenSubscribers {
    /// `subscriberCount` left out.
    #[default]
    Omit,
    /// `subscriberCount` `"0"`.
    Zero,
    /// The (rounded) count, as if not hidden.
    Shown,
}

/// How counters of `videos.batchGetStats` are encoded (unconfirmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NumberEncoding {
    /// JSON strings, like `videos.list` (`"15234"`).
    #[default]
    Strings,
    /// JSON numbers.
    Numbers,
}

/// Everything a sandbox needs to start. Build it with the chained setters.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub(crate) bind: SocketAddr,
    pub(crate) public_base_url: Option<Url>,
    pub(crate) seed: u64,
    pub(crate) accounts: Vec<AccountSpec>,
    pub(crate) clients: Vec<RegisteredClient>,
    pub(crate) code_lifetime: Duration,
    pub(crate) access_token_lifetime: Duration,
    pub(crate) rotate_refresh_tokens: bool,
    pub(crate) max_refresh_tokens: usize,
    pub(crate) refresh_idle_limit: Duration,
    pub(crate) testing_refresh_lifetime: Duration,
    pub(crate) revoke_whole_grant: bool,
    pub(crate) offer_time_based_access: bool,
    pub(crate) quota: QuotaSettings,
    pub(crate) error_status_field: bool,
    pub(crate) hidden_subscribers: HiddenSubscribers,
    pub(crate) hidden_subscriber_flag: bool,
    pub(crate) round_owner_subscribers: bool,
    pub(crate) batch_numbers: NumberEncoding,
    pub(crate) batch_drop_every: Option<u32>,
    pub(crate) batch_summary: bool,
    pub(crate) analytics_lag_days: u32,
    pub(crate) analytics_requires_youtube_readonly: bool,
    pub(crate) etags: bool,
    pub(crate) initial_time: DateTime<Utc>,
    pub(crate) frozen_clock: bool,
    pub(crate) workers: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            public_base_url: None,
            seed: 42,
            accounts: AccountSpec::defaults(),
            clients: vec![RegisteredClient::default()],
            code_lifetime: Duration::from_secs(600),
            access_token_lifetime: Duration::from_secs(3_599),
            rotate_refresh_tokens: false,
            max_refresh_tokens: 100,
            refresh_idle_limit: Duration::from_secs(183 * 86_400),
            testing_refresh_lifetime: Duration::from_secs(7 * 86_400),
            revoke_whole_grant: true,
            offer_time_based_access: false,
            quota: QuotaSettings::current(),
            error_status_field: true,
            hidden_subscribers: HiddenSubscribers::default(),
            hidden_subscriber_flag: true,
            round_owner_subscribers: true,
            batch_numbers: NumberEncoding::default(),
            batch_drop_every: None,
            batch_summary: true,
            analytics_lag_days: 2,
            analytics_requires_youtube_readonly: true,
            etags: true,
            initial_time: Utc::now(),
            frozen_clock: false,
            workers: 1,
        }
    }
}

impl SandboxConfig {
    /// The defaults: 127.0.0.1 on a random port, seed 42, the four default accounts
    /// ([`AccountSpec::defaults`]), the default client (Production), 10-minute single-use
    /// codes, access tokens of 3599 s, refresh tokens that do not rotate and die after 6
    /// months unused or when a 101st is issued, the 2026 quota buckets
    /// ([`QuotaSettings::current`]), errors with `status`, Analytics two days behind, the
    /// clock at the real now and ticking.
    pub fn new() -> Self {
        Self::default()
    }

    /// Listen on this address (port 0 picks a free port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Listen on 127.0.0.1 with this port (0 picks a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.bind.set_port(port);
        self
    }

    /// The base URL browsers and clients reach the sandbox at, when it is not the bound
    /// address (behind a proxy). Default: `http://<bound address>/`.
    pub fn public_base_url(mut self, url: Url) -> Self {
        self.public_base_url = Some(url);
        self
    }

    /// Seed of the generated ids, videos and statistics.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Replaces the seeded Google accounts.
    pub fn accounts(mut self, accounts: impl IntoIterator<Item = AccountSpec>) -> Self {
        self.accounts = accounts.into_iter().collect();
        self
    }

    /// Adds one Google account.
    pub fn account(mut self, account: AccountSpec) -> Self {
        self.accounts.push(account);
        self
    }

    /// Replaces the registered clients.
    pub fn clients(mut self, clients: impl IntoIterator<Item = RegisteredClient>) -> Self {
        self.clients = clients.into_iter().collect();
        self
    }

    /// Registers one client, replacing any registered with the same id. This is how a
    /// service running the sandbox in-process registers itself with its redirect URI.
    pub fn client(mut self, client: RegisteredClient) -> Self {
        self.clients
            .retain(|registered| registered.client_id != client.client_id);
        self.clients.push(client);
        self
    }

    /// Replaces the redirect URIs of the default client.
    pub fn default_client_redirect_uris(
        mut self,
        uris: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let uris: Vec<String> = uris.into_iter().map(Into::into).collect();
        match self
            .clients
            .iter_mut()
            .find(|client| client.client_id == DEFAULT_CLIENT_ID)
        {
            Some(client) => client.redirect_uris = uris,
            None => self.clients.push(RegisteredClient {
                redirect_uris: uris,
                ..RegisteredClient::default()
            }),
        }
        self
    }

    /// Authorization code lifetime (default 10 minutes).
    pub fn code_lifetime(mut self, lifetime: Duration) -> Self {
        self.code_lifetime = lifetime;
        self
    }

    /// Access token lifetime, `expires_in` (default 3599 s; Google's example shows 3920).
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    /// Whether a refresh also answers a new refresh token, killing the old one (default
    /// false: Google does not rotate).
    pub fn rotate_refresh_tokens(mut self, rotate: bool) -> Self {
        self.rotate_refresh_tokens = rotate;
        self
    }

    /// Live refresh tokens per (account, client); issuing one more silently kills the oldest
    /// (default 100; older pages said 50 and 25).
    pub fn max_refresh_tokens(mut self, max: usize) -> Self {
        self.max_refresh_tokens = max.max(1);
        self
    }

    /// How long a refresh token may go unused before it dies (default 6 months: 183 days).
    pub fn refresh_idle_limit(mut self, limit: Duration) -> Self {
        self.refresh_idle_limit = limit;
        self
    }

    /// Refresh token lifetime of a Testing client (default 7 days).
    pub fn testing_refresh_lifetime(mut self, lifetime: Duration) -> Self {
        self.testing_refresh_lifetime = lifetime;
        self
    }

    /// Whether revoking one token ends the whole grant of that client (default true,
    /// unconfirmed) or only that token's line (the refresh token and its access tokens).
    pub fn revoke_whole_grant(mut self, whole: bool) -> Self {
        self.revoke_whole_grant = whole;
        self
    }

    /// Whether the consent page offers time-based access ("for 1 hour / 1 day / 1 week"),
    /// answered with `refresh_token_expires_in` (default false).
    pub fn offer_time_based_access(mut self, offer: bool) -> Self {
        self.offer_time_based_access = offer;
        self
    }

    /// The quota engine's settings (default [`QuotaSettings::current`]).
    pub fn quota(mut self, quota: QuotaSettings) -> Self {
        self.quota = quota;
        self
    }

    /// Whether error envelopes carry the canonical `status` (default true).
    pub fn error_status_field(mut self, include: bool) -> Self {
        self.error_status_field = include;
        self
    }

    /// What a hidden subscriber count shows as `subscriberCount` (default: left out).
    pub fn hidden_subscribers(mut self, shape: HiddenSubscribers) -> Self {
        self.hidden_subscribers = shape;
        self
    }

    /// Whether `statistics.hiddenSubscriberCount` is sent at all (default true; the newest
    /// Dart client no longer models it).
    pub fn hidden_subscriber_flag(mut self, send: bool) -> Self {
        self.hidden_subscriber_flag = send;
        self
    }

    /// Whether the owner also sees `subscriberCount` rounded down to three significant
    /// figures (default true).
    pub fn round_owner_subscribers(mut self, round: bool) -> Self {
        self.round_owner_subscribers = round;
        self
    }

    /// How `videos.batchGetStats` encodes counters (default strings).
    pub fn batch_numbers(mut self, encoding: NumberEncoding) -> Self {
        self.batch_numbers = encoding;
        self
    }

    /// Makes `videos.batchGetStats` non-atomic: every `n`th requested id of a call is left
    /// out (default: none left out).
    pub fn batch_drop_every(mut self, n: Option<u32>) -> Self {
        self.batch_drop_every = n.filter(|n| *n > 0);
        self
    }

    /// Whether `videos.batchGetStats` answers carry a `summary` object (the field name is
    /// unconfirmed; clients must ignore what they do not know). Default true.
    pub fn batch_summary(mut self, include: bool) -> Self {
        self.batch_summary = include;
        self
    }

    /// How many whole Pacific days Analytics data lags behind today (default 2, 1 to 3).
    pub fn analytics_lag_days(mut self, days: u32) -> Self {
        self.analytics_lag_days = days;
        self
    }

    /// Whether `reports.query` also needs `youtube.readonly` (default true, as the 2026 page
    /// says).
    pub fn analytics_requires_youtube_readonly(mut self, required: bool) -> Self {
        self.analytics_requires_youtube_readonly = required;
        self
    }

    /// Whether list responses carry an `etag` and honour `If-None-Match` with a 304 (default
    /// true; its cost is [`QuotaSettings::not_modified_units`]).
    pub fn etags(mut self, honoured: bool) -> Self {
        self.etags = honoured;
        self
    }

    /// The clock's starting time (default: the real now).
    pub fn initial_time(mut self, time: DateTime<Utc>) -> Self {
        self.initial_time = time;
        self
    }

    /// Freeze the clock: it then moves only when advanced (default false: it follows real
    /// time plus every advance).
    pub fn frozen_clock(mut self, frozen: bool) -> Self {
        self.frozen_clock = frozen;
        self
    }

    /// Number of actix worker threads (default 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Whether a client with this id is registered.
    pub fn has_client(&self, client_id: &str) -> bool {
        self.clients
            .iter()
            .any(|client| client.client_id == client_id)
    }

    /// The first redirect URI of the first client (for examples and demos).
    pub fn first_redirect_uri(&self) -> Option<String> {
        self.clients
            .first()
            .and_then(|client| client.redirect_uris.first())
            .cloned()
    }

    /// Checks the configuration before anything is started.
    pub(crate) fn validate(&self) -> Result<(), SandboxError> {
        let invalid = |message: String| Err(SandboxError::InvalidConfig(message));
        if self.clients.is_empty() {
            return invalid("at least one client must be registered".into());
        }
        for client in &self.clients {
            if client.client_id.is_empty() || client.client_secret.is_empty() {
                return invalid("client id and secret must not be empty".into());
            }
            for uri in &client.redirect_uris {
                Url::parse(uri).map_err(|error| {
                    SandboxError::InvalidConfig(format!("redirect URI {uri:?}: {error}"))
                })?;
            }
        }
        if self.accounts.is_empty() {
            return invalid("at least one Google account is needed".into());
        }
        if self.accounts.len() > MAX_ACCOUNTS {
            return invalid(format!("at most {MAX_ACCOUNTS} accounts"));
        }
        let mut emails: Vec<&str> = self.accounts.iter().map(|a| a.email.as_str()).collect();
        emails.sort_unstable();
        emails.dedup();
        if emails.len() != self.accounts.len() {
            return invalid("account emails must be unique".into());
        }
        if let Some(account) = self.accounts.iter().find(|account| {
            account
                .channel
                .as_ref()
                .is_some_and(|channel| channel.uploads > MAX_UPLOADS_PER_CHANNEL)
        }) {
            return invalid(format!(
                "account {} has more than {MAX_UPLOADS_PER_CHANNEL} uploads",
                account.email
            ));
        }
        if self.code_lifetime.is_zero() || self.access_token_lifetime.is_zero() {
            return invalid("lifetimes must be positive".into());
        }
        if !(1..=3).contains(&self.analytics_lag_days) {
            return invalid("the Analytics lag must be 1 to 3 days".into());
        }
        if !matches!(self.quota.per_minute_status, 403 | 429) {
            return invalid("a per-minute refusal is HTTP 403 or 429".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_secrets_are_hidden() {
        assert!(SandboxConfig::new().validate().is_ok());
        let shown = format!("{:?}", SandboxConfig::new());
        assert!(!shown.contains(DEFAULT_CLIENT_SECRET));
        assert!(!shown.contains(DEFAULT_API_KEY));
    }

    #[test]
    fn refuses_inconsistent_settings() {
        assert!(SandboxConfig::new().clients([]).validate().is_err());
        assert!(SandboxConfig::new().accounts([]).validate().is_err());
        let twins = SandboxConfig::new().accounts([
            AccountSpec::without_channel("same@sandbox.test", "A"),
            AccountSpec::without_channel("same@sandbox.test", "B"),
        ]);
        assert!(twins.validate().is_err());
        assert!(
            SandboxConfig::new()
                .analytics_lag_days(5)
                .validate()
                .is_err()
        );
        let minute = QuotaSettings::current().with_per_minute(Some(5), 500);
        assert!(SandboxConfig::new().quota(minute).validate().is_err());
    }

    #[test]
    fn both_quota_readings_price_search_differently() {
        let current = QuotaSettings::current();
        assert_eq!(
            current.cost("search.list"),
            MethodCost {
                bucket: QuotaBucket::Search,
                units: 1
            }
        );
        let pool = QuotaSettings::single_pool();
        assert_eq!(
            pool.cost("search.list"),
            MethodCost {
                bucket: QuotaBucket::General,
                units: 100
            }
        );
        assert_eq!(pool.limits.len(), 1);
        assert_eq!(current.cost("activities.list").units, 1);
    }

    #[test]
    fn registering_a_client_replaces_its_namesake() {
        let config = SandboxConfig::new().client(RegisteredClient::new(
            DEFAULT_CLIENT_ID,
            "other-secret",
            ["https://app.test/cb"],
        ));
        assert_eq!(config.clients.len(), 1);
        assert_eq!(config.clients[0].redirect_uris, ["https://app.test/cb"]);
        assert_eq!(config.clients[0].project_number, "1234567890");
    }
}
