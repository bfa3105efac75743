//! Client configuration: credentials, redirect URI, scopes, hosts, timeouts
//! and retry policy.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// The scope names TikTok documents, for building
/// [`TikTokConfig::scopes`] without typos.
pub mod scope {
    /// open_id, union_id, avatars and display name (TikTok's default scope).
    pub const USER_INFO_BASIC: &str = "user.info.basic";
    /// Bio, profile deep link, verified flag and username.
    pub const USER_INFO_PROFILE: &str = "user.info.profile";
    /// Follower, following, likes and video counts.
    pub const USER_INFO_STATS: &str = "user.info.stats";
    /// Video list and video query.
    pub const VIDEO_LIST: &str = "video.list";
}

/// TikTok's production authorize host.
pub const DEFAULT_AUTH_BASE_URL: &str = "https://www.tiktok.com/";
/// TikTok's production API host.
pub const DEFAULT_API_BASE_URL: &str = "https://open.tiktokapis.com/";

/// How the PKCE `code_challenge` is encoded from `SHA-256(code_verifier)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PkceEncoding {
    /// RFC 7636: unpadded base64url. What web apps send.
    #[default]
    Base64Url,
    /// Lower-case hex, as TikTok's Login Kit for Desktop page asks.
    Hex,
}

/// Bounded retries with exponential backoff and jitter, for retryable
/// failures only (see [`TikTokError::is_retryable`](crate::TikTokError::is_retryable)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retries).
    pub max_retries: u32,
    /// Backoff before the first retry; doubled for each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of any computed backoff.
    pub max_backoff: Duration,
    /// Longest `Retry-After` the client waits out by itself. When TikTok asks
    /// for longer, the call fails at once with
    /// [`TikTokError::RateLimited`](crate::TikTokError::RateLimited) so the
    /// caller can defer the work.
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
    /// Three retries from 1 s (TikTok's advice for 429s without
    /// `Retry-After`), at most 30 s apart, waiting out a `Retry-After` of at
    /// most 60 s.
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// Everything a [`TikTokClient`](crate::TikTokClient) needs.
///
/// Build it with [`TikTokConfig::new`] and the `with_*` setters; every field is
/// public for reading and adjusting.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TikTokConfig {
    /// The app's client key (public: it appears in authorize URLs).
    pub client_key: String,
    /// The app's client secret.
    pub client_secret: SecretString,
    /// The redirect URI registered for the app, byte for byte.
    pub redirect_uri: Url,
    /// Scopes requested in the authorize URL (see [`scope`]).
    pub scopes: Vec<String>,
    /// Authorize host; may carry a path prefix. Default `https://www.tiktok.com/`.
    pub auth_base_url: Url,
    /// API host; may carry a path prefix. Default `https://open.tiktokapis.com/`.
    pub api_base_url: Url,
    /// Timeout of one HTTP attempt, from connecting to reading the whole body.
    pub request_timeout: Duration,
    /// Retries for transient failures.
    pub retry: RetryPolicy,
    /// How the PKCE challenge is encoded.
    pub pkce_encoding: PkceEncoding,
    /// Adds `disable_auto_auth=1` to authorize URLs, forcing TikTok's consent
    /// page even for a user who already consented.
    pub disable_auto_auth: bool,
}

impl TikTokConfig {
    /// A configuration for TikTok's production hosts requesting
    /// `user.info.basic`, with a 30 s timeout and the default retry policy.
    pub fn new(
        client_key: impl Into<String>,
        client_secret: impl Into<SecretString>,
        redirect_uri: Url,
    ) -> Self {
        Self {
            client_key: client_key.into(),
            client_secret: client_secret.into(),
            redirect_uri,
            scopes: vec![scope::USER_INFO_BASIC.to_owned()],
            auth_base_url: parse_constant(DEFAULT_AUTH_BASE_URL),
            api_base_url: parse_constant(DEFAULT_API_BASE_URL),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            pkce_encoding: PkceEncoding::default(),
            disable_auto_auth: false,
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

    /// Sets the authorize host (a sandbox or test server).
    pub fn with_auth_base_url(mut self, url: Url) -> Self {
        self.auth_base_url = url;
        self
    }

    /// Sets the API host (a sandbox or test server).
    pub fn with_api_base_url(mut self, url: Url) -> Self {
        self.api_base_url = url;
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

    /// Sets the PKCE challenge encoding.
    pub fn with_pkce_encoding(mut self, encoding: PkceEncoding) -> Self {
        self.pkce_encoding = encoding;
        self
    }

    /// Forces TikTok's consent page (`disable_auto_auth=1`).
    pub fn with_disable_auto_auth(mut self, disable: bool) -> Self {
        self.disable_auto_auth = disable;
        self
    }

    /// Checks the configuration, returning it with both base URLs normalised
    /// to end with a slash so that endpoint paths join under any prefix.
    pub(crate) fn validated(mut self) -> Result<Self, ConfigError> {
        if self.client_key.trim().is_empty() {
            return Err(ConfigError::MissingClientKey);
        }
        if self.client_secret.expose_secret().trim().is_empty() {
            return Err(ConfigError::MissingClientSecret);
        }
        if self.scopes.iter().all(|scope| scope.trim().is_empty()) {
            return Err(ConfigError::NoScopes);
        }
        if let Some(bad) = self
            .scopes
            .iter()
            .find(|scope| scope.contains([',', ' ']) || scope.is_empty())
        {
            return Err(ConfigError::InvalidScope(bad.clone()));
        }
        if self.redirect_uri.query().is_some() || self.redirect_uri.fragment().is_some() {
            return Err(ConfigError::InvalidRedirectUri(
                "TikTok requires a static redirect URI without query or fragment",
            ));
        }
        if !matches!(self.redirect_uri.scheme(), "http" | "https") {
            return Err(ConfigError::InvalidRedirectUri(
                "the redirect URI must be http or https",
            ));
        }
        self.auth_base_url = normalise_base("auth_base_url", self.auth_base_url)?;
        self.api_base_url = normalise_base("api_base_url", self.api_base_url)?;
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

/// Parses one of this module's URL constants.
fn parse_constant(url: &str) -> Url {
    Url::parse(url).expect("the default base URLs are valid constants")
}

/// Makes `url` usable as a base for `Url::join`: http(s), no query or
/// fragment, path ending with `/` (so `http://host/tiktok` keeps `tiktok/`).
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

/// Why a [`TikTokConfig`] was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The client key is empty.
    #[error("the TikTok client key is empty")]
    MissingClientKey,
    /// The client secret is empty.
    #[error("the TikTok client secret is empty")]
    MissingClientSecret,
    /// No scope is requested.
    #[error("no TikTok scope is configured")]
    NoScopes,
    /// A scope is empty or contains a separator.
    #[error("invalid TikTok scope {0:?}: one scope per entry, without commas or spaces")]
    InvalidScope(String),
    /// The redirect URI is not acceptable to TikTok.
    #[error("invalid redirect URI: {0}")]
    InvalidRedirectUri(&'static str),
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

    fn config() -> TikTokConfig {
        TikTokConfig::new(
            "key",
            "secret",
            Url::parse("https://app.example/cb").expect("valid test URL"),
        )
    }

    #[test]
    fn base_urls_gain_a_trailing_slash() {
        let valid = config()
            .with_api_base_url(Url::parse("http://host/tiktok").expect("valid test URL"))
            .validated()
            .expect("valid config");
        assert_eq!(valid.api_base_url.as_str(), "http://host/tiktok/");
        assert_eq!(
            valid
                .api_base_url
                .join("v2/oauth/token/")
                .expect("joins")
                .as_str(),
            "http://host/tiktok/v2/oauth/token/"
        );
        assert_eq!(valid.auth_base_url.as_str(), "https://www.tiktok.com/");
    }

    #[test]
    fn refuses_bad_settings() {
        assert!(matches!(
            TikTokConfig::new("", "s", Url::parse("https://a/cb").expect("url")).validated(),
            Err(ConfigError::MissingClientKey)
        ));
        assert!(matches!(
            TikTokConfig::new("k", "", Url::parse("https://a/cb").expect("url")).validated(),
            Err(ConfigError::MissingClientSecret)
        ));
        assert!(matches!(
            config().with_scopes(["a,b"]).validated(),
            Err(ConfigError::InvalidScope(_))
        ));
        assert!(matches!(
            config().with_scopes(Vec::<String>::new()).validated(),
            Err(ConfigError::NoScopes)
        ));
        assert!(matches!(
            TikTokConfig::new("k", "s", Url::parse("https://a/cb?x=1").expect("url")).validated(),
            Err(ConfigError::InvalidRedirectUri(_))
        ));
        assert!(matches!(
            config()
                .with_api_base_url(Url::parse("ftp://host/").expect("url"))
                .validated(),
            Err(ConfigError::InvalidBaseUrl { .. })
        ));
        assert!(matches!(
            config().with_request_timeout(Duration::ZERO).validated(),
            Err(ConfigError::ZeroTimeout)
        ));
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!(
            "{:?}",
            TikTokConfig::new(
                "key",
                "very-secret",
                Url::parse("https://a/cb").expect("url")
            )
        );
        assert!(!shown.contains("very-secret"));
    }
}
