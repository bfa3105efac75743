//! Sandbox configuration: a builder whose defaults follow the reference (`instagram-api.md`);
//! every behaviour the reference marks unconfirmed, or where Meta's pages conflict, is a
//! setting, so clients can be tested both ways.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::accounts::{AccountKind, AccountSpec};
use crate::error::SandboxError;

/// Instagram App ID of the app registered when none is configured.
pub const DEFAULT_APP_ID: &str = "990602627938098";
/// Instagram App Secret of the app registered when none is configured.
pub const DEFAULT_APP_SECRET: &str = "sandbox-instagram-app-secret";
/// Redirect URIs registered for the default app: the api-server's development callback.
pub const DEFAULT_REDIRECT_URIS: [&str; 2] = [
    "http://localhost:5001/api/auth/instagram/callback",
    "http://127.0.0.1:5001/api/auth/instagram/callback",
];
/// The most media one account may have: the `/media` edge returns at most the 10,000 newest.
pub const MAX_MEDIA_PER_ACCOUNT: u32 = 12_000;
/// The most accounts a sandbox may hold.
pub const MAX_ACCOUNTS: usize = 1_000;

/// An app registered with the sandbox, as in the App Dashboard's "Business login settings".
#[derive(Clone, PartialEq, Eq)]
pub struct RegisteredApp {
    /// The Instagram App ID (`client_id`).
    pub app_id: String,
    /// The Instagram App Secret: `client_secret`, and the key of signed requests.
    pub app_secret: String,
    /// Valid OAuth redirect URIs, compared byte for byte.
    pub redirect_uris: Vec<String>,
    /// "Deauthorize callback URL": where a signed request goes when a user removes the app.
    pub deauthorize_url: Option<Url>,
    /// "Data deletion request URL": where a signed request goes when a user asks for deletion.
    pub deletion_url: Option<Url>,
}

impl RegisteredApp {
    /// An app with the given id, secret and redirect URIs, without callback URLs.
    pub fn new(
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
        redirect_uris: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
            redirect_uris: redirect_uris.into_iter().map(Into::into).collect(),
            deauthorize_url: None,
            deletion_url: None,
        }
    }

    /// Sets the deauthorize callback URL.
    pub fn with_deauthorize_url(mut self, url: Url) -> Self {
        self.deauthorize_url = Some(url);
        self
    }

    /// Sets the data deletion request URL.
    pub fn with_deletion_url(mut self, url: Url) -> Self {
        self.deletion_url = Some(url);
        self
    }
}

impl Default for RegisteredApp {
    fn default() -> Self {
        Self::new(DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_REDIRECT_URIS)
    }
}

// The secret never appears in Debug output.
impl std::fmt::Debug for RegisteredApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredApp")
            .field("app_id", &self.app_id)
            .field("app_secret", &"[redacted]")
            .field("redirect_uris", &self.redirect_uris)
            .field(
                "deauthorize_url",
                &self.deauthorize_url.as_ref().map(Url::as_str),
            )
            .field("deletion_url", &self.deletion_url.as_ref().map(Url::as_str))
            .finish()
    }
}

/// The shape of a successful code exchange: Meta's pages disagree (reference section 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenResponseShape {
    /// `{"data": [{"access_token", "user_id": "<string>", "permissions": "a,b"}]}` (the
    /// Business Login guide).
    #[default]
    Wrapped,
    /// `{"access_token", "user_id": <number>, "permissions": "a,b"}` (the reference page).
    Flat,
}

/// What a refresh of a token younger than 24 hours answers (undocumented, reference 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EarlyRefreshError {
    /// Graph error code 100 (`OAuthException`).
    #[default]
    InvalidParameter,
    /// Graph error code 190.
    InvalidToken,
}

/// How a media insights request naming a metric the media type does not support fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnsupportedMetricError {
    /// Code 100 with a message naming the metric.
    #[default]
    InvalidParameter,
    /// Code 1, HTTP 500, "An unknown error has occurred." (what Meta often sends).
    UnknownError,
}

/// Which id the `user_id` of a signed request carries (unconfirmed, reference 11.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignedUserId {
    /// The app-scoped id (`id` on `/me`, `user_id` of the token response).
    #[default]
    AppScoped,
    /// The Instagram professional account id (`user_id` on `/me`).
    InstagramUserId,
}

/// The per-account call budget (Business Use Case rate limit, reference section 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallBudget {
    /// `per_impression` calls per impression of the last 24 hours, at least `floor`.
    Impressions {
        /// Calls per impression (Meta: 4800).
        per_impression: u64,
        /// The least budget of any account.
        floor: u64,
    },
    /// The same number of calls per rolling 24 hours for every account.
    Fixed(u64),
    /// No limit (headers are still sent).
    Unlimited,
}

/// What a call over budget answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleResponse {
    /// The Graph error code: 4, 17, 32, 613 or 80002.
    pub code: u32,
    /// The HTTP status (400, or 403 as some integrators report).
    pub status: u16,
}

impl Default for ThrottleResponse {
    fn default() -> Self {
        Self {
            code: 4,
            status: 400,
        }
    }
}

/// Everything a sandbox needs to start. Build it with the chained setters.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub(crate) bind: SocketAddr,
    pub(crate) public_base_url: Option<Url>,
    pub(crate) seed: u64,
    pub(crate) accounts: Vec<AccountSpec>,
    pub(crate) apps: Vec<RegisteredApp>,
    pub(crate) code_lifetime: Duration,
    pub(crate) short_token_lifetime: Duration,
    pub(crate) long_token_lifetime: Duration,
    pub(crate) refresh_min_age: Duration,
    pub(crate) token_shape: TokenResponseShape,
    pub(crate) append_fragment: bool,
    pub(crate) refresh_issues_new_token: bool,
    pub(crate) old_token_survives_refresh: bool,
    pub(crate) early_refresh_error: EarlyRefreshError,
    pub(crate) unsupported_metric_error: UnsupportedMetricError,
    pub(crate) media_product_type: bool,
    pub(crate) personal_login: bool,
    pub(crate) page_default: u32,
    pub(crate) page_max: u32,
    pub(crate) clamp_limit: bool,
    pub(crate) empty_pages: bool,
    pub(crate) account_insights_max_days: u32,
    pub(crate) call_budget: CallBudget,
    pub(crate) throttle: ThrottleResponse,
    pub(crate) signed_user_id: SignedUserId,
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
            apps: vec![RegisteredApp::default()],
            code_lifetime: Duration::from_secs(3_600),
            short_token_lifetime: Duration::from_secs(3_600),
            long_token_lifetime: Duration::from_secs(5_184_000),
            refresh_min_age: Duration::from_secs(86_400),
            token_shape: TokenResponseShape::default(),
            append_fragment: true,
            refresh_issues_new_token: true,
            old_token_survives_refresh: true,
            early_refresh_error: EarlyRefreshError::default(),
            unsupported_metric_error: UnsupportedMetricError::default(),
            media_product_type: true,
            personal_login: false,
            page_default: 25,
            page_max: 100,
            clamp_limit: true,
            empty_pages: false,
            account_insights_max_days: 30,
            call_budget: CallBudget::Impressions {
                per_impression: 4_800,
                floor: 200,
            },
            throttle: ThrottleResponse::default(),
            signed_user_id: SignedUserId::default(),
            initial_time: Utc::now(),
            frozen_clock: false,
            workers: 1,
        }
    }
}

impl SandboxConfig {
    /// The defaults: 127.0.0.1 on a random port, seed 42, the four default accounts
    /// ([`AccountSpec::defaults`]), the default app, 1-hour codes and short-lived tokens,
    /// 60-day long-lived tokens refreshable after 24 hours, the `data[]`-wrapped token
    /// response, `#_` appended to redirects, pages of 25 (at most 100), a budget of 4800 calls
    /// per impression, clock at the real now and ticking.
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

    /// Seed of the generated ids, media and metrics.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Replaces the seeded accounts.
    pub fn accounts(mut self, accounts: impl IntoIterator<Item = AccountSpec>) -> Self {
        self.accounts = accounts.into_iter().collect();
        self
    }

    /// Replaces the registered apps.
    pub fn apps(mut self, apps: impl IntoIterator<Item = RegisteredApp>) -> Self {
        self.apps = apps.into_iter().collect();
        self
    }

    /// Registers one app, replacing any registered with the same app id. This is how a
    /// service running the sandbox in-process registers itself with its redirect URI.
    pub fn app(mut self, app: RegisteredApp) -> Self {
        self.apps
            .retain(|registered| registered.app_id != app.app_id);
        self.apps.push(app);
        self
    }

    /// Replaces the redirect URIs of the default app.
    pub fn default_app_redirect_uris(
        mut self,
        uris: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        let uris: Vec<String> = uris.into_iter().map(Into::into).collect();
        match self
            .apps
            .iter_mut()
            .find(|app| app.app_id == DEFAULT_APP_ID)
        {
            Some(app) => app.redirect_uris = uris,
            None => self
                .apps
                .push(RegisteredApp::new(DEFAULT_APP_ID, DEFAULT_APP_SECRET, uris)),
        }
        self
    }

    /// Authorization code lifetime (default 1 hour).
    pub fn code_lifetime(mut self, lifetime: Duration) -> Self {
        self.code_lifetime = lifetime;
        self
    }

    /// Short-lived token lifetime (default 1 hour; the code exchange does not say it).
    pub fn short_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.short_token_lifetime = lifetime;
        self
    }

    /// Long-lived token lifetime, `expires_in` of the exchange and of refreshes (default 60
    /// days).
    pub fn long_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.long_token_lifetime = lifetime;
        self
    }

    /// How old a long-lived token must be before it may be refreshed (default 24 hours).
    pub fn refresh_min_age(mut self, age: Duration) -> Self {
        self.refresh_min_age = age;
        self
    }

    /// The code exchange's response shape (default [`TokenResponseShape::Wrapped`]).
    pub fn token_shape(mut self, shape: TokenResponseShape) -> Self {
        self.token_shape = shape;
        self
    }

    /// Whether redirects back to the app end with `#_` (default true, as documented).
    pub fn append_fragment(mut self, append: bool) -> Self {
        self.append_fragment = append;
        self
    }

    /// Whether a refresh answers a new token string (default true) or the same one with a
    /// new expiry.
    pub fn refresh_issues_new_token(mut self, new_token: bool) -> Self {
        self.refresh_issues_new_token = new_token;
        self
    }

    /// Whether the refreshed token stays valid until its own expiry (default true) or dies
    /// at once. Only meaningful when refreshes issue a new token.
    pub fn old_token_survives_refresh(mut self, survives: bool) -> Self {
        self.old_token_survives_refresh = survives;
        self
    }

    /// The error of a refresh before the token is old enough (default code 100).
    pub fn early_refresh_error(mut self, error: EarlyRefreshError) -> Self {
        self.early_refresh_error = error;
        self
    }

    /// How a media insights call naming an unsupported metric fails (default code 100).
    pub fn unsupported_metric_error(mut self, error: UnsupportedMetricError) -> Self {
        self.unsupported_metric_error = error;
        self
    }

    /// Whether `media_product_type` is returned (default true; Meta's reference says it is
    /// Facebook Login only, integrators see it).
    pub fn media_product_type(mut self, returned: bool) -> Self {
        self.media_product_type = returned;
        self
    }

    /// Whether a personal account may log in on the consent page (default false: refused
    /// there with a 403 page, as Instagram Login documents). When true it logs in and its
    /// profile says `account_type: PERSONAL`, for testing a client that checks the type
    /// itself.
    pub fn personal_login(mut self, allowed: bool) -> Self {
        self.personal_login = allowed;
        self
    }

    /// `/media` page size without `limit` (default 25) and the largest allowed (default 100).
    pub fn page_limits(mut self, default: u32, max: u32) -> Self {
        self.page_default = default.max(1);
        self.page_max = max.max(1);
        self
    }

    /// Whether a `limit` above the maximum is clamped (default) or refused with code 100.
    pub fn clamp_limit(mut self, clamp: bool) -> Self {
        self.clamp_limit = clamp;
        self
    }

    /// Whether every page after the first is preceded by an empty page that still carries
    /// `paging.next` (default false), to test that a walk ends only on a missing `next`.
    pub fn empty_pages(mut self, empty: bool) -> Self {
        self.empty_pages = empty;
        self
    }

    /// The longest `since`..`until` span of account insights, in days (default 30).
    pub fn account_insights_max_days(mut self, days: u32) -> Self {
        self.account_insights_max_days = days.max(1);
        self
    }

    /// The per-account call budget over a rolling 24 hours.
    pub fn call_budget(mut self, budget: CallBudget) -> Self {
        self.call_budget = budget;
        self
    }

    /// The error code and status of calls over budget (default code 4, HTTP 400).
    pub fn throttle_response(mut self, throttle: ThrottleResponse) -> Self {
        self.throttle = throttle;
        self
    }

    /// Which id signed requests carry in `user_id` (default the app-scoped id).
    pub fn signed_user_id(mut self, which: SignedUserId) -> Self {
        self.signed_user_id = which;
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

    /// The first redirect URI of the first app (for examples and demos).
    pub fn first_redirect_uri(&self) -> Option<String> {
        self.apps
            .first()
            .and_then(|app| app.redirect_uris.first())
            .cloned()
    }

    /// Checks the configuration before anything is started.
    pub(crate) fn validate(&self) -> Result<(), SandboxError> {
        let invalid = |message: String| Err(SandboxError::InvalidConfig(message));
        if self.apps.is_empty() {
            return invalid("at least one app must be registered".into());
        }
        for app in &self.apps {
            if app.app_id.is_empty() || app.app_secret.is_empty() {
                return invalid("app id and secret must not be empty".into());
            }
            for uri in &app.redirect_uris {
                Url::parse(uri).map_err(|error| {
                    SandboxError::InvalidConfig(format!("redirect URI {uri:?}: {error}"))
                })?;
            }
        }
        if self.accounts.len() > MAX_ACCOUNTS {
            return invalid(format!("at most {MAX_ACCOUNTS} accounts"));
        }
        if let Some(spec) = self
            .accounts
            .iter()
            .find(|spec| spec.media > MAX_MEDIA_PER_ACCOUNT)
        {
            return invalid(format!(
                "account {} has more than {MAX_MEDIA_PER_ACCOUNT} media",
                spec.username
            ));
        }
        let mut names: Vec<&str> = self.accounts.iter().map(|a| a.username.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        if names.len() != self.accounts.len() {
            return invalid("account usernames must be unique".into());
        }
        if !self
            .accounts
            .iter()
            .any(|spec| spec.kind != AccountKind::Personal)
        {
            return invalid("at least one professional account is needed to log in".into());
        }
        if self.short_token_lifetime.is_zero()
            || self.long_token_lifetime.is_zero()
            || self.code_lifetime.is_zero()
        {
            return invalid("lifetimes must be positive".into());
        }
        if !matches!(self.throttle.code, 4 | 17 | 32 | 613 | 80002) {
            return invalid("the throttle code must be 4, 17, 32, 613 or 80002".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_the_secret_is_hidden() {
        assert!(SandboxConfig::new().validate().is_ok());
        let shown = format!("{:?}", SandboxConfig::new());
        assert!(!shown.contains(DEFAULT_APP_SECRET));
    }

    #[test]
    fn refuses_inconsistent_settings() {
        assert!(SandboxConfig::new().apps([]).validate().is_err());
        let personal_only = SandboxConfig::new().accounts([AccountSpec::personal("pat", 10, 1)]);
        assert!(personal_only.validate().is_err());
        let twins = SandboxConfig::new().accounts([
            AccountSpec::business("same", 10, 1),
            AccountSpec::creator("same", 10, 1),
        ]);
        assert!(twins.validate().is_err());
        let throttle = SandboxConfig::new().throttle_response(ThrottleResponse {
            code: 190,
            status: 400,
        });
        assert!(throttle.validate().is_err());
    }

    #[test]
    fn registering_an_app_replaces_its_namesake() {
        let config = SandboxConfig::new().app(RegisteredApp::new(
            DEFAULT_APP_ID,
            "other-secret",
            ["https://app.test/cb"],
        ));
        assert_eq!(config.apps.len(), 1);
        assert_eq!(config.apps[0].redirect_uris, ["https://app.test/cb"]);
    }
}
