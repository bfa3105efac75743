//! The client handle: configuration, HTTP pool, hook, clock, and URL building.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use url::Url;

use crate::{AccessToken, CallHook, ConfigError, YouTubeConfig};

/// The YouTube client (Google OAuth, Data API v3, Analytics API).
///
/// Cheap to clone (an `Arc` inside); clones share the HTTP pool and the call hook.
#[derive(Clone)]
pub struct YouTubeClient {
    pub(crate) inner: Arc<Inner>,
}

/// Where a client reads "now" when it stamps a token or computes a quota reset: the system
/// clock by default, the caller's (a test's, a sandbox's) when set with
/// [`YouTubeClient::with_clock`].
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What clones of a client share.
pub(crate) struct Inner {
    pub(crate) config: YouTubeConfig,
    pub(crate) http: reqwest::Client,
    pub(crate) hook: Option<Arc<dyn CallHook>>,
    pub(crate) clock: Option<Clock>,
}

impl YouTubeClient {
    /// Checks `config` and builds the client with its own HTTP pool (the crate's TLS feature,
    /// no redirects followed, `request_timeout` per attempt).
    pub fn new(config: YouTubeConfig) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            // An API answer is never a redirect; following one could carry a token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("youtube-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConfigError::HttpClient)?;
        Self::with_http_client(config, http)
    }

    /// Checks `config` and builds the client on the caller's `reqwest::Client` (proxies,
    /// custom roots, a shared pool). Set its redirect policy yourself; the configuration's
    /// `request_timeout` is applied per request.
    pub fn with_http_client(
        config: YouTubeConfig,
        http: reqwest::Client,
    ) -> Result<Self, ConfigError> {
        let config = config.validated()?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                hook: None,
                clock: None,
            }),
        })
    }

    /// Runs `hook` around every HTTP attempt (see [`CallHook`]). Clones made before this
    /// call keep their previous setting.
    pub fn with_call_hook(self, hook: Arc<dyn CallHook>) -> Self {
        self.rebuilt(|inner| inner.hook = Some(hook))
    }

    /// Reads "now" from `clock` when stamping tokens and computing quota resets, so expiry
    /// rules run on the caller's time. Clones made before this call keep their previous
    /// setting.
    pub fn with_clock(self, clock: Clock) -> Self {
        self.rebuilt(|inner| inner.clock = Some(clock))
    }

    fn rebuilt(self, change: impl FnOnce(&mut Inner)) -> Self {
        let inner = &self.inner;
        let mut next = Inner {
            config: inner.config.clone(),
            http: inner.http.clone(),
            hook: inner.hook.clone(),
            clock: inner.clock.clone(),
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
    pub fn config(&self) -> &YouTubeConfig {
        &self.inner.config
    }
}

impl fmt::Debug for YouTubeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YouTubeClient")
            .field("config", &self.inner.config)
            .field("call_hook", &self.inner.hook.is_some())
            .finish()
    }
}

/// Checks an id before it goes into a query: Google's ids are base64url-ish.
pub(crate) fn check_id(kind: &str, id: &str) -> Result<(), crate::YouTubeError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if valid {
        Ok(())
    } else {
        Err(crate::YouTubeError::InvalidArgument(format!(
            "{id:?} is not a YouTube {kind} id"
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

    /// `accounts.google.com/o/oauth2/v2/auth`.
    pub(crate) fn authorize_url(&self) -> Url {
        Self::join(&self.config.auth_base_url, "o/oauth2/v2/auth")
    }

    /// `oauth2.googleapis.com/token`.
    pub(crate) fn token_url(&self) -> Url {
        Self::join(&self.config.token_base_url, "token")
    }

    /// `oauth2.googleapis.com/revoke`.
    pub(crate) fn revoke_url(&self) -> Url {
        Self::join(&self.config.token_base_url, "revoke")
    }

    /// `www.googleapis.com/youtube/v3/{path}`.
    pub(crate) fn data_url(&self, path: &str) -> Url {
        Self::join(
            &self.config.data_base_url,
            &format!("youtube/v3/{}", path.trim_start_matches('/')),
        )
    }

    /// `youtubeanalytics.googleapis.com/v2/reports`.
    pub(crate) fn reports_url(&self) -> Url {
        Self::join(&self.config.analytics_base_url, "v2/reports")
    }

    /// A GET of `url` with `query` and the bearer token.
    pub(crate) fn bearer_get(
        &self,
        http: &reqwest::Client,
        url: &Url,
        query: &[(&str, String)],
        token: &AccessToken,
    ) -> reqwest::RequestBuilder {
        let mut url = url.clone();
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        http.get(url)
            .timeout(self.config.request_timeout)
            .bearer_auth(token.expose_secret())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn client_can_be_shared_across_tasks() {
        assert_send_sync::<YouTubeClient>();
    }

    #[test]
    fn ids_are_checked_before_they_enter_a_query() {
        assert!(check_id("video", "dQw4w9WgXcQ").is_ok());
        assert!(check_id("playlist", "UUxxxxxxxxxxxxxxxxxxxxxx").is_ok());
        assert!(check_id("video", "a,b").is_err());
        assert!(check_id("video", "").is_err());
    }

    #[test]
    fn urls_keep_the_base_prefix() {
        let config = YouTubeConfig::new("1", "s", Url::parse("https://a/cb").expect("url"))
            .with_single_base_url(Url::parse("http://h/google/").expect("url"));
        let client = YouTubeClient::new(config).expect("valid");
        assert_eq!(
            client.inner.data_url("videos:batchGetStats").as_str(),
            "http://h/google/youtube/v3/videos:batchGetStats"
        );
        assert_eq!(client.inner.token_url().as_str(), "http://h/google/token");
        assert_eq!(
            client.inner.authorize_url().as_str(),
            "http://h/google/o/oauth2/v2/auth"
        );
        assert_eq!(
            client.inner.reports_url().as_str(),
            "http://h/google/v2/reports"
        );
    }
}
