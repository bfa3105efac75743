//! Client configuration: credentials, redirect URI, scopes, the three hosts, the Graph
//! version, how the token travels, page size, timeouts and retry policy.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// The Instagram Login permissions, for building [`InstagramConfig::scopes`] without typos.
pub mod scope {
    /// Profile and media; required, and needed for refresh.
    pub const BUSINESS_BASIC: &str = "instagram_business_basic";
    /// Media and account insights.
    pub const BUSINESS_MANAGE_INSIGHTS: &str = "instagram_business_manage_insights";
    /// Comment moderation.
    pub const BUSINESS_MANAGE_COMMENTS: &str = "instagram_business_manage_comments";
    /// Publishing.
    pub const BUSINESS_CONTENT_PUBLISH: &str = "instagram_business_content_publish";
    /// Direct messages.
    pub const BUSINESS_MANAGE_MESSAGES: &str = "instagram_business_manage_messages";
}

/// The browser's authorization host.
pub const DEFAULT_AUTH_BASE_URL: &str = "https://www.instagram.com/";
/// The code exchange host.
pub const DEFAULT_API_BASE_URL: &str = "https://api.instagram.com/";
/// The Graph host (long-lived exchange, refresh and every read).
pub const DEFAULT_GRAPH_BASE_URL: &str = "https://graph.instagram.com/";
/// The Graph version sent by default.
pub const DEFAULT_GRAPH_VERSION: &str = "v25.0";

/// How the access token is sent on Graph reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenTransport {
    /// `access_token=` in the query, as every Meta example does.
    #[default]
    Query,
    /// `Authorization: Bearer` (accepted by Graph hosts; unconfirmed for this one).
    Header,
}

/// Bounded retries with exponential backoff and jitter, for transient failures only (see
/// [`InstagramError::is_retryable`](crate::InstagramError::is_retryable)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retries).
    pub max_retries: u32,
    /// Backoff before the first retry; doubled for each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of any computed backoff.
    pub max_backoff: Duration,
    /// The longest throttle wait (from the usage headers) the client sits out itself. Meta
    /// states waits in minutes, so by default a throttle is returned at once for the caller
    /// to pause the account.
    pub max_throttle_wait: Duration,
}

impl RetryPolicy {
    /// A policy that never retries.
    pub const fn none() -> Self {
        Self {
            max_retries: 0,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
            max_throttle_wait: Duration::ZERO,
        }
    }
}

impl Default for RetryPolicy {
    /// Three retries from 1 s, at most 30 s apart; throttle waits up to 60 s are sat out.
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_throttle_wait: Duration::from_secs(60),
        }
    }
}

/// Optional parameters of the authorization URL (reference section 2.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuthorizeOptions {
    /// `force_reauth=true`: ask again even when the user already consented.
    pub force_reauth: bool,
    /// `enable_fb_login=0|1`: whether a user may log in through Facebook.
    pub enable_fb_login: Option<bool>,
    /// `force_authentication=0|1`: force typing Instagram credentials.
    pub force_authentication: Option<bool>,
}

/// Everything an [`InstagramClient`](crate::InstagramClient) needs.
///
/// Build it with [`InstagramConfig::new`] and the `with_*` setters; every field is public
/// for reading and adjusting.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct InstagramConfig {
    /// The Instagram App ID (`client_id`; not the Facebook App ID).
    pub app_id: String,
    /// The Instagram App Secret.
    pub app_secret: SecretString,
    /// Other secrets a `signed_request` may be signed with (which secret Meta uses for
    /// Instagram Login apps is unconfirmed: add the Meta app secret here to accept both).
    pub extra_signing_secrets: Vec<SecretString>,
    /// The redirect URI registered for the app, byte for byte.
    pub redirect_uri: Url,
    /// Scopes requested in the authorization URL (see [`scope`]).
    pub scopes: Vec<String>,
    /// Authorization host; may carry a path prefix. Default `https://www.instagram.com/`.
    pub auth_base_url: Url,
    /// Code exchange host. Default `https://api.instagram.com/`.
    pub api_base_url: Url,
    /// Graph host. Default `https://graph.instagram.com/`.
    pub graph_base_url: Url,
    /// The Graph version of every read (`vNN.0`). Default `v25.0`.
    pub graph_version: String,
    /// How the token is sent on Graph reads.
    pub token_transport: TokenTransport,
    /// Items asked for per `/media` page (`limit`). Default 50.
    pub page_limit: u32,
    /// The lifetime assumed for short-lived tokens, whose response says none. Default 1 hour.
    pub short_token_lifetime: Duration,
    /// How old a long-lived token must be before it may be refreshed: Meta's 24 hours plus
    /// a margin, because the client stamps a token when it sends the request and Meta when it
    /// answers. Default 24 h 5 min.
    pub refresh_min_age: Duration,
    /// Send a PKCE S256 challenge and verifier (undocumented for Instagram Login; off).
    pub use_pkce: bool,
    /// Optional authorization URL parameters.
    pub authorize_options: AuthorizeOptions,
    /// Timeout of one HTTP attempt, from connecting to reading the whole body.
    pub request_timeout: Duration,
    /// Retries for transient failures.
    pub retry: RetryPolicy,
}

impl InstagramConfig {
    /// A configuration for Instagram's production hosts requesting
    /// `instagram_business_basic` and `instagram_business_manage_insights`.
    pub fn new(
        app_id: impl Into<String>,
        app_secret: impl Into<SecretString>,
        redirect_uri: Url,
    ) -> Self {
        Self {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
            extra_signing_secrets: Vec::new(),
            redirect_uri,
            scopes: vec![
                scope::BUSINESS_BASIC.to_owned(),
                scope::BUSINESS_MANAGE_INSIGHTS.to_owned(),
            ],
            auth_base_url: parse_constant(DEFAULT_AUTH_BASE_URL),
            api_base_url: parse_constant(DEFAULT_API_BASE_URL),
            graph_base_url: parse_constant(DEFAULT_GRAPH_BASE_URL),
            graph_version: DEFAULT_GRAPH_VERSION.to_owned(),
            token_transport: TokenTransport::default(),
            page_limit: 50,
            short_token_lifetime: Duration::from_secs(3_600),
            refresh_min_age: Duration::from_secs(24 * 3_600 + 300),
            use_pkce: false,
            authorize_options: AuthorizeOptions::default(),
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

    /// Sets the three hosts at once (a sandbox or test server).
    pub fn with_base_urls(mut self, auth: Url, api: Url, graph: Url) -> Self {
        self.auth_base_url = auth;
        self.api_base_url = api;
        self.graph_base_url = graph;
        self
    }

    /// Sets the Graph version (`vNN.0`).
    pub fn with_graph_version(mut self, version: impl Into<String>) -> Self {
        self.graph_version = version.into();
        self
    }

    /// Sets how the token travels on Graph reads.
    pub fn with_token_transport(mut self, transport: TokenTransport) -> Self {
        self.token_transport = transport;
        self
    }

    /// Sets the `/media` page size.
    pub fn with_page_limit(mut self, limit: u32) -> Self {
        self.page_limit = limit;
        self
    }

    /// Sets the minimum age before a refresh.
    pub fn with_refresh_min_age(mut self, age: Duration) -> Self {
        self.refresh_min_age = age;
        self
    }

    /// Sends PKCE parameters (off by default).
    pub fn with_pkce(mut self, use_pkce: bool) -> Self {
        self.use_pkce = use_pkce;
        self
    }

    /// Sets the optional authorization URL parameters.
    pub fn with_authorize_options(mut self, options: AuthorizeOptions) -> Self {
        self.authorize_options = options;
        self
    }

    /// Adds a secret `signed_request`s may also be signed with.
    pub fn with_extra_signing_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.extra_signing_secrets.push(secret.into());
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
        if self.app_id.trim().is_empty() {
            return Err(ConfigError::MissingAppId);
        }
        if self.app_secret.expose_secret().trim().is_empty() {
            return Err(ConfigError::MissingAppSecret);
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
        let version_ok = self
            .graph_version
            .strip_prefix('v')
            .and_then(|rest| rest.strip_suffix(".0"))
            .is_some_and(|number| !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()));
        if !version_ok {
            return Err(ConfigError::InvalidGraphVersion(self.graph_version.clone()));
        }
        if self.page_limit == 0 {
            return Err(ConfigError::ZeroPageLimit);
        }
        self.auth_base_url = normalise_base("auth_base_url", self.auth_base_url)?;
        self.api_base_url = normalise_base("api_base_url", self.api_base_url)?;
        self.graph_base_url = normalise_base("graph_base_url", self.graph_base_url)?;
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
/// with `/` (so `http://host/graph` keeps `graph/`).
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

/// Why an [`InstagramConfig`] was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The app id is empty.
    #[error("the Instagram App ID is empty")]
    MissingAppId,
    /// The app secret is empty.
    #[error("the Instagram App Secret is empty")]
    MissingAppSecret,
    /// No scope is requested.
    #[error("no Instagram scope is configured")]
    NoScopes,
    /// A scope is empty or contains a separator.
    #[error("invalid Instagram scope {0:?}: one scope per entry, without commas or spaces")]
    InvalidScope(String),
    /// The redirect URI is not acceptable.
    #[error("invalid redirect URI: {0}")]
    InvalidRedirectUri(&'static str),
    /// The Graph version is not `vNN.0`.
    #[error("invalid Graph version {0:?}: expected vNN.0")]
    InvalidGraphVersion(String),
    /// The page size is zero.
    #[error("the page limit must be at least 1")]
    ZeroPageLimit,
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

    fn config() -> InstagramConfig {
        InstagramConfig::new(
            "123",
            "secret",
            Url::parse("https://app.example/cb").expect("url"),
        )
    }

    #[test]
    fn base_urls_gain_a_trailing_slash_and_defaults_are_valid() {
        let valid = config()
            .with_base_urls(
                Url::parse("http://h/www").expect("url"),
                Url::parse("http://h/api").expect("url"),
                Url::parse("http://h/graph").expect("url"),
            )
            .validated()
            .expect("valid");
        assert_eq!(valid.graph_base_url.as_str(), "http://h/graph/");
        assert_eq!(valid.auth_base_url.as_str(), "http://h/www/");
        assert!(config().validated().is_ok());
    }

    #[test]
    fn refuses_bad_settings() {
        assert!(matches!(
            InstagramConfig::new("", "s", Url::parse("https://a/cb").expect("url")).validated(),
            Err(ConfigError::MissingAppId)
        ));
        assert!(matches!(
            config().with_scopes(["a,b"]).validated(),
            Err(ConfigError::InvalidScope(_))
        ));
        assert!(matches!(
            config().with_graph_version("25").validated(),
            Err(ConfigError::InvalidGraphVersion(_))
        ));
        assert!(matches!(
            config().with_page_limit(0).validated(),
            Err(ConfigError::ZeroPageLimit)
        ));
        assert!(matches!(
            config().with_request_timeout(Duration::ZERO).validated(),
            Err(ConfigError::ZeroTimeout)
        ));
    }

    #[test]
    fn debug_hides_the_secrets() {
        let shown = format!("{:?}", config().with_extra_signing_secret("other-secret"));
        assert!(!shown.contains("secret\""));
        assert!(!shown.contains("other-secret"));
    }
}
