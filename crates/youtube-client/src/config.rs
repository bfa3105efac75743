//! Client configuration: credentials, redirect URI, scopes, Google's four hosts, the
//! authorization URL's options, page size, where video counters come from, the quota table,
//! the refresh margin, timeouts and the retry policy.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::QuotaTable;

/// Google OAuth scopes a creator-analytics service asks for (reference section 2.2), for
/// building [`YouTubeConfig::scopes`] without typos.
pub mod scope {
    /// OpenID Connect: an `id_token` with the account's stable `sub`.
    pub const OPENID: &str = "openid";
    /// The account's email. Token responses spell it
    /// `https://www.googleapis.com/auth/userinfo.email`; both forms are the same scope.
    pub const EMAIL: &str = "email";
    /// The account's name and picture (`…/auth/userinfo.profile` in token responses).
    pub const PROFILE: &str = "profile";
    /// "View your YouTube account": the channel, its uploads, its videos.
    pub const YOUTUBE_READONLY: &str = "https://www.googleapis.com/auth/youtube.readonly";
    /// "View YouTube Analytics reports for your YouTube content".
    pub const ANALYTICS_READONLY: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";
    /// Revenue metrics (Partner Program channels only): do not ask unless needed.
    pub const ANALYTICS_MONETARY: &str =
        "https://www.googleapis.com/auth/yt-analytics-monetary.readonly";
    /// The long form of [`EMAIL`].
    pub const USERINFO_EMAIL: &str = "https://www.googleapis.com/auth/userinfo.email";
    /// The long form of [`PROFILE`].
    pub const USERINFO_PROFILE: &str = "https://www.googleapis.com/auth/userinfo.profile";
}

/// Google's authorization host (the consent page).
pub const DEFAULT_AUTH_BASE_URL: &str = "https://accounts.google.com/";
/// Google's token host (exchange, refresh, revoke).
pub const DEFAULT_TOKEN_BASE_URL: &str = "https://oauth2.googleapis.com/";
/// The Data API host (`youtube/v3/...` below it).
pub const DEFAULT_DATA_BASE_URL: &str = "https://www.googleapis.com/";
/// The Analytics API host (`v2/reports` below it).
pub const DEFAULT_ANALYTICS_BASE_URL: &str = "https://youtubeanalytics.googleapis.com/";

/// Bounded retries with exponential backoff and jitter, for transient failures and per-minute
/// rate limits only (see [`YouTubeError::is_retryable`](crate::YouTubeError::is_retryable)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retries).
    pub max_retries: u32,
    /// Backoff before the first retry; doubled for each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of any computed backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client sits out itself; a longer one is returned to the
    /// caller.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// A policy that never retries.
    pub const fn none() -> Self {
        Self {
            max_retries: 0,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
            max_retry_after: Duration::ZERO,
        }
    }
}

impl Default for RetryPolicy {
    /// Four retries from 1 s, doubling to at most 32 s (the reference's 1 -> 64 s window);
    /// a stated `Retry-After` up to 64 s is sat out.
    fn default() -> Self {
        Self {
            max_retries: 4,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(32),
            max_retry_after: Duration::from_secs(64),
        }
    }
}

/// The authorization URL's options (reference section 2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthorizeOptions {
    /// `access_type=offline`: Google returns a refresh token (default true).
    pub offline: bool,
    /// `prompt=consent`: the consent screen again, so a reconnect gets a new refresh token
    /// (default true).
    pub prompt_consent: bool,
    /// Adds `select_account` to `prompt`: the account chooser even with one signed-in
    /// account (a creator with several channels picks one; default false).
    pub select_account: bool,
    /// `include_granted_scopes=true`: incremental authorization (default true).
    pub include_granted_scopes: bool,
    /// A PKCE S256 challenge and verifier (default true; recommended even for web clients).
    pub pkce: bool,
}

impl Default for AuthorizeOptions {
    fn default() -> Self {
        Self {
            offline: true,
            prompt_consent: true,
            select_account: false,
            include_granted_scopes: true,
            pkce: true,
        }
    }
}

/// Where the daily video counters come from (reference section 8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatsSource {
    /// `videos.list` with `statistics` (1 general unit per 50 videos).
    #[default]
    VideosList,
    /// `videos.batchGetStats` (new in 2026: 1 unit per 50 videos from its own bucket; not
    /// atomic).
    BatchGetStats,
}

/// Everything a [`YouTubeClient`](crate::YouTubeClient) needs.
///
/// Build it with [`YouTubeConfig::new`] and the `with_*` setters; every field is public for
/// reading and adjusting.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct YouTubeConfig {
    /// The OAuth client id (`…apps.googleusercontent.com`).
    pub client_id: String,
    /// The OAuth client secret.
    pub client_secret: SecretString,
    /// The redirect URI registered for the client, byte for byte.
    pub redirect_uri: Url,
    /// Scopes requested in the authorization URL (see [`scope`]).
    pub scopes: Vec<String>,
    /// Authorization host; may carry a path prefix. Default `https://accounts.google.com/`.
    pub auth_base_url: Url,
    /// Token host. Default `https://oauth2.googleapis.com/`.
    pub token_base_url: Url,
    /// Data API host. Default `https://www.googleapis.com/`.
    pub data_base_url: Url,
    /// Analytics API host. Default `https://youtubeanalytics.googleapis.com/`.
    pub analytics_base_url: Url,
    /// The authorization URL's options.
    pub authorize: AuthorizeOptions,
    /// `maxResults` of `playlistItems.list` (1 to 50). Default 50.
    pub page_size: u32,
    /// Where [`YouTubeClient::video_statistics`](crate::YouTubeClient::video_statistics)
    /// reads counters. Default `videos.list`.
    pub stats_source: StatsSource,
    /// Unit costs and daily limits (Google's pages disagree: see [`QuotaTable`]).
    pub quota: QuotaTable,
    /// How long before its expiry an access token counts as due for a refresh. Default 5
    /// minutes.
    pub refresh_margin: Duration,
    /// Timeout of one HTTP attempt, from connecting to reading the whole body.
    pub request_timeout: Duration,
    /// Retries for transient failures.
    pub retry: RetryPolicy,
}

impl YouTubeConfig {
    /// A configuration for Google's production hosts requesting `openid`, `email`,
    /// `youtube.readonly` and `yt-analytics.readonly`, with the 2026 quota table.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        redirect_uri: Url,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri,
            scopes: [
                scope::OPENID,
                scope::EMAIL,
                scope::YOUTUBE_READONLY,
                scope::ANALYTICS_READONLY,
            ]
            .map(str::to_owned)
            .to_vec(),
            auth_base_url: parse_constant(DEFAULT_AUTH_BASE_URL),
            token_base_url: parse_constant(DEFAULT_TOKEN_BASE_URL),
            data_base_url: parse_constant(DEFAULT_DATA_BASE_URL),
            analytics_base_url: parse_constant(DEFAULT_ANALYTICS_BASE_URL),
            authorize: AuthorizeOptions::default(),
            page_size: 50,
            stats_source: StatsSource::default(),
            quota: QuotaTable::current(),
            refresh_margin: Duration::from_secs(300),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
        }
    }

    /// Sets the requested scopes.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the four hosts.
    pub fn with_base_urls(mut self, auth: Url, token: Url, data: Url, analytics: Url) -> Self {
        self.auth_base_url = auth;
        self.token_base_url = token;
        self.data_base_url = data;
        self.analytics_base_url = analytics;
        self
    }

    /// Points every host at one root (the sandbox serves all of Google's paths from one).
    pub fn with_single_base_url(self, base: Url) -> Self {
        self.with_base_urls(base.clone(), base.clone(), base.clone(), base)
    }

    /// Sets the authorization URL's options.
    pub fn with_authorize_options(mut self, options: AuthorizeOptions) -> Self {
        self.authorize = options;
        self
    }

    /// Sets the `playlistItems.list` page size.
    pub fn with_page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }

    /// Sets where video counters come from.
    pub fn with_stats_source(mut self, source: StatsSource) -> Self {
        self.stats_source = source;
        self
    }

    /// Sets the quota table.
    pub fn with_quota_table(mut self, table: QuotaTable) -> Self {
        self.quota = table;
        self
    }

    /// Sets the refresh margin.
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Sets the timeout of one HTTP attempt.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Checks the configuration, returning it with the base URLs ending in a slash.
    pub(crate) fn validated(mut self) -> Result<Self, ConfigError> {
        if self.client_id.trim().is_empty() {
            return Err(ConfigError::MissingClientId);
        }
        if self.client_secret.expose_secret().trim().is_empty() {
            return Err(ConfigError::MissingClientSecret);
        }
        if self.scopes.is_empty() {
            return Err(ConfigError::NoScopes);
        }
        if let Some(bad) = self
            .scopes
            .iter()
            .find(|scope| scope.is_empty() || scope.contains([',', ' ']))
        {
            return Err(ConfigError::InvalidScope(bad.clone()));
        }
        if !matches!(self.redirect_uri.scheme(), "http" | "https")
            || self.redirect_uri.fragment().is_some()
        {
            return Err(ConfigError::InvalidRedirectUri(
                "the redirect URI must be http or https, without a fragment",
            ));
        }
        if !(1..=50).contains(&self.page_size) {
            return Err(ConfigError::InvalidPageSize(self.page_size));
        }
        self.auth_base_url = normalise_base("auth_base_url", self.auth_base_url)?;
        self.token_base_url = normalise_base("token_base_url", self.token_base_url)?;
        self.data_base_url = normalise_base("data_base_url", self.data_base_url)?;
        self.analytics_base_url = normalise_base("analytics_base_url", self.analytics_base_url)?;
        if self.request_timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout);
        }
        if self.retry.initial_backoff > self.retry.max_backoff {
            return Err(ConfigError::InvalidRetryPolicy(
                "initial_backoff exceeds max_backoff",
            ));
        }
        Ok(self)
    }
}

fn parse_constant(url: &str) -> Url {
    Url::parse(url).expect("the default base URLs are valid constants")
}

/// Makes `url` usable as a base for `Url::join`: http(s), no query or fragment, path ending
/// with `/` (so `http://host/prefix` keeps `prefix/`).
fn normalise_base(field: &'static str, mut url: Url) -> Result<Url, ConfigError> {
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(ConfigError::InvalidBaseUrl {
            field,
            reason: "must be an http or https URL",
        });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::InvalidBaseUrl {
            field,
            reason: "must not carry a query or fragment",
        });
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Why a [`YouTubeConfig`] was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The client id is empty.
    #[error("the OAuth client id is empty")]
    MissingClientId,
    /// The client secret is empty.
    #[error("the OAuth client secret is empty")]
    MissingClientSecret,
    /// No scope is requested.
    #[error("no Google scope is configured")]
    NoScopes,
    /// A scope is empty or contains a separator.
    #[error("invalid scope {0:?}: one scope per entry, without spaces or commas")]
    InvalidScope(String),
    /// The redirect URI is not acceptable.
    #[error("invalid redirect URI: {0}")]
    InvalidRedirectUri(&'static str),
    /// The page size is not 1 to 50.
    #[error("the page size must be 1 to 50, not {0}")]
    InvalidPageSize(u32),
    /// A base URL is not usable.
    #[error("invalid {field}: {reason}")]
    InvalidBaseUrl {
        /// Which setting.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The request timeout is zero.
    #[error("the request timeout must be greater than zero")]
    ZeroTimeout,
    /// The retry policy is inconsistent.
    #[error("invalid retry policy: {0}")]
    InvalidRetryPolicy(&'static str),
    /// The HTTP client could not be built (TLS initialisation).
    #[error("could not build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> YouTubeConfig {
        YouTubeConfig::new(
            "123-abc.apps.googleusercontent.com",
            "secret",
            Url::parse("https://app.example/cb").expect("url"),
        )
    }

    #[test]
    fn base_urls_gain_a_trailing_slash_and_defaults_are_valid() {
        let valid = config()
            .with_single_base_url(Url::parse("http://h/google").expect("url"))
            .validated()
            .expect("valid");
        assert_eq!(valid.data_base_url.as_str(), "http://h/google/");
        assert_eq!(valid.token_base_url.as_str(), "http://h/google/");
        assert!(config().validated().is_ok());
    }

    #[test]
    fn refuses_bad_settings() {
        assert!(matches!(
            YouTubeConfig::new("", "s", Url::parse("https://a/cb").expect("url")).validated(),
            Err(ConfigError::MissingClientId)
        ));
        assert!(matches!(
            config().with_scopes(["openid email"]).validated(),
            Err(ConfigError::InvalidScope(_))
        ));
        assert!(matches!(
            config().with_page_size(51).validated(),
            Err(ConfigError::InvalidPageSize(51))
        ));
        assert!(matches!(
            config()
                .with_single_base_url(Url::parse("ftp://h/").expect("url"))
                .validated(),
            Err(ConfigError::InvalidBaseUrl { .. })
        ));
    }

    #[test]
    fn the_secret_is_not_shown() {
        let config = YouTubeConfig::new(
            "1-a.apps.googleusercontent.com",
            "GOCSPX-KNOWN-SECRET",
            Url::parse("https://a/cb").expect("url"),
        );
        assert!(!format!("{config:?}").contains("KNOWN-SECRET"));
    }
}
