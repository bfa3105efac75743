//! The client handle: configuration, HTTP pool, hook, and URL building.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use url::Url;

use crate::{AccessToken, CallHook, ConfigError, InstagramConfig, InstagramError, TokenTransport};

/// The Instagram API with Instagram Login client.
///
/// Cheap to clone (an `Arc` inside); clones share the HTTP pool, the call hook and the
/// cache of unsupported insight metrics.
#[derive(Clone)]
pub struct InstagramClient {
    pub(crate) inner: Arc<Inner>,
}

/// Where a client reads "now" when it stamps a token: the system clock by default, the
/// caller's (a test's, a sandbox's) when set with [`InstagramClient::with_clock`].
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What clones of a client share.
pub(crate) struct Inner {
    pub(crate) config: InstagramConfig,
    pub(crate) http: reqwest::Client,
    pub(crate) hook: Option<Arc<dyn CallHook>>,
    pub(crate) clock: Option<Clock>,
    /// (media product type, metric) pairs Instagram refused: not asked for again. Shared by
    /// every client derived from this one.
    pub(crate) unsupported_metrics: Arc<Mutex<HashSet<(String, String)>>>,
    /// The account calls are attributed to when they do not name one (see
    /// [`InstagramClient::for_account`]).
    pub(crate) account: Option<String>,
}

impl InstagramClient {
    /// Checks `config` and builds the client with its own HTTP pool (the crate's TLS feature,
    /// no redirects followed, `request_timeout` per attempt).
    pub fn new(config: InstagramConfig) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            // An API answer is never a redirect; following one could carry the token
            // elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("instagram-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConfigError::HttpClient)?;
        Self::with_http_client(config, http)
    }

    /// Checks `config` and builds the client on the caller's `reqwest::Client` (proxies,
    /// custom roots, a shared pool). Set its timeout and redirect policy yourself: the
    /// configuration's `request_timeout` is then applied per request.
    pub fn with_http_client(
        config: InstagramConfig,
        http: reqwest::Client,
    ) -> Result<Self, ConfigError> {
        let config = config.validated()?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                hook: None,
                clock: None,
                unsupported_metrics: Arc::new(Mutex::new(HashSet::new())),
                account: None,
            }),
        })
    }

    /// Runs `hook` around every HTTP attempt (see [`CallHook`]). Clones made before this
    /// call keep their previous setting.
    pub fn with_call_hook(self, hook: Arc<dyn CallHook>) -> Self {
        self.rebuilt(|inner| inner.hook = Some(hook))
    }

    /// Reads "now" from `clock` when stamping tokens (`issued_at`, `obtained_at`), so the
    /// 24-hour and expiry rules run on the caller's time. Clones made before this call keep
    /// their previous setting.
    pub fn with_clock(self, clock: Clock) -> Self {
        self.rebuilt(|inner| inner.clock = Some(clock))
    }

    /// A client whose calls are attributed to `ig_user_id` in [`CallHook`]s when the call
    /// itself names no account (a media's insights, a media, its children): Meta's budget is
    /// per account, so a hook can count every call against the right one.
    pub fn for_account(&self, ig_user_id: impl Into<String>) -> Self {
        self.clone()
            .rebuilt(|inner| inner.account = Some(ig_user_id.into()))
    }

    fn rebuilt(self, change: impl FnOnce(&mut Inner)) -> Self {
        let inner = &self.inner;
        let mut next = Inner {
            config: inner.config.clone(),
            http: inner.http.clone(),
            hook: inner.hook.clone(),
            clock: inner.clock.clone(),
            unsupported_metrics: Arc::clone(&inner.unsupported_metrics),
            account: inner.account.clone(),
        };
        change(&mut next);
        Self {
            inner: Arc::new(next),
        }
    }

    /// The client's "now" (see [`Self::with_clock`]).
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.now()
    }

    /// The (validated) configuration.
    pub fn config(&self) -> &InstagramConfig {
        &self.inner.config
    }
}

impl fmt::Debug for InstagramClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstagramClient")
            .field("config", &self.inner.config)
            .field("call_hook", &self.inner.hook.is_some())
            .finish()
    }
}

/// Checks an id or `me` before it goes into a path: digits, letters and `_` only.
pub(crate) fn path_id(id: &str) -> Result<&str, InstagramError> {
    if !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        Ok(id)
    } else {
        Err(InstagramError::InvalidArgument(format!(
            "{id:?} is not an Instagram id (digits, or `me`)"
        )))
    }
}

impl Inner {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.as_ref().map_or_else(Utc::now, |clock| clock())
    }

    fn join(base: &Url, path: &str) -> Url {
        // The base ends with a slash (validated); a relative join keeps its prefix.
        base.join(path).unwrap_or_else(|_| base.clone())
    }

    /// `www.instagram.com/oauth/authorize`.
    pub(crate) fn authorize_url(&self) -> Url {
        Self::join(&self.config.auth_base_url, "oauth/authorize")
    }

    /// `api.instagram.com/oauth/access_token`.
    pub(crate) fn code_exchange_url(&self) -> Url {
        Self::join(&self.config.api_base_url, "oauth/access_token")
    }

    /// An unversioned Graph path (`access_token`, `refresh_access_token`).
    pub(crate) fn graph_unversioned(&self, path: &str) -> Url {
        Self::join(&self.config.graph_base_url, path)
    }

    /// A versioned Graph path: `/{vNN.0}/{path}`.
    pub(crate) fn graph_versioned(&self, path: &str) -> Url {
        Self::join(
            &self.config.graph_base_url,
            &format!(
                "{}/{}",
                self.config.graph_version,
                path.trim_start_matches('/')
            ),
        )
    }

    /// A GET of `url` with `query`, carrying `token` as configured.
    pub(crate) fn graph_get(
        &self,
        http: &reqwest::Client,
        url: &Url,
        query: &[(&str, String)],
        token: &AccessToken,
    ) -> reqwest::RequestBuilder {
        let mut url = url.clone();
        {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
            if self.config.token_transport == TokenTransport::Query {
                pairs.append_pair("access_token", token.expose_secret());
            }
        }
        let request = http.get(url).timeout(self.config.request_timeout);
        match self.config.token_transport {
            TokenTransport::Query => request,
            TokenTransport::Header => request.bearer_auth(token.expose_secret()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn client_can_be_shared_across_tasks() {
        assert_send_sync::<InstagramClient>();
    }

    #[test]
    fn ids_are_checked_before_they_enter_a_path() {
        assert!(path_id("17841405822304914").is_ok());
        assert!(path_id("me").is_ok());
        assert!(path_id("../oauth").is_err());
        assert!(path_id("1?x=1").is_err());
        assert!(path_id("").is_err());
    }

    #[test]
    fn versioned_urls_keep_the_base_prefix() {
        let config = InstagramConfig::new("1", "s", Url::parse("https://a/cb").expect("url"))
            .with_base_urls(
                Url::parse("http://h/www/").expect("url"),
                Url::parse("http://h/api/").expect("url"),
                Url::parse("http://h/graph/").expect("url"),
            );
        let client = InstagramClient::new(config).expect("valid");
        assert_eq!(
            client.inner.graph_versioned("me/media").as_str(),
            "http://h/graph/v25.0/me/media"
        );
        assert_eq!(
            client.inner.code_exchange_url().as_str(),
            "http://h/api/oauth/access_token"
        );
        assert_eq!(
            client.inner.authorize_url().as_str(),
            "http://h/www/oauth/authorize"
        );
        assert_eq!(
            client
                .inner
                .graph_unversioned("refresh_access_token")
                .as_str(),
            "http://h/graph/refresh_access_token"
        );
    }
}
