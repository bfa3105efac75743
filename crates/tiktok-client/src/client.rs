//! The client handle: configuration, HTTP pool, endpoint URLs, limiter and hook.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{Quota, RateLimiter};
use url::Url;

use crate::{CallHook, ConfigError, Endpoint, TikTokConfig};

/// A rate limiter keyed by [`Endpoint`], shared by clones of a client (and by
/// several clients when the same `Arc` is given to each).
///
/// It paces calls **within one process** only, with `governor`'s GCRA (the
/// generic cell rate algorithm: a burst up to the quota, then one call per
/// `minute / quota`). That is not how TikTok counts: TikTok limits each
/// endpoint per app over a one-minute **sliding window**, across every process
/// using the app's client key. Two processes with a limiter of 600 each can
/// send 1,200 calls in a minute. To share one budget across processes, count
/// calls in a [`CallHook`](crate::CallHook), which runs before every attempt,
/// against a store every process sees (a database row per endpoint and
/// window, a Redis counter), and refuse the call there when the window is
/// spent; keep the limiter to smooth bursts inside each process.
pub type EndpointRateLimiter = governor::DefaultKeyedRateLimiter<Endpoint>;

/// A limiter allowing `requests_per_minute` per endpoint in this process
/// (TikTok's documented limit is 600 per minute per endpoint per app): up to
/// that many at once, then replenished evenly over the minute (GCRA, not a
/// sliding window; see [`EndpointRateLimiter`] for sharing a budget across
/// processes).
pub fn per_minute_rate_limiter(requests_per_minute: NonZeroU32) -> Arc<EndpointRateLimiter> {
    Arc::new(RateLimiter::keyed(Quota::per_minute(requests_per_minute)))
}

/// The TikTok API v2 client: Login Kit OAuth and the Display API.
///
/// Cheap to clone (an `Arc` inside); clones share the HTTP connection pool,
/// the rate limiter and the call hook.
#[derive(Clone)]
pub struct TikTokClient {
    pub(crate) inner: Arc<Inner>,
}

/// What clones of a client share.
#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) config: TikTokConfig,
    pub(crate) http: reqwest::Client,
    pub(crate) authorize_url: Url,
    endpoint_urls: EndpointUrls,
    pub(crate) limiter: Option<Arc<EndpointRateLimiter>>,
    pub(crate) hook: Option<Arc<dyn CallHook>>,
}

/// The absolute URL of every endpoint, joined once under the API base URL.
#[derive(Clone)]
struct EndpointUrls {
    token: Url,
    revoke: Url,
    user_info: Url,
    video_list: Url,
    video_query: Url,
}

impl EndpointUrls {
    fn new(base: &Url) -> Result<Self, ConfigError> {
        let join = |endpoint: Endpoint| {
            // Relative join keeps the base's path prefix (`http://host/tiktok/`).
            base.join(endpoint.path().trim_start_matches('/'))
                .map_err(|_| ConfigError::InvalidBaseUrl {
                    field: "api_base_url",
                    reason: "endpoint paths cannot be joined to it",
                })
        };
        Ok(Self {
            token: join(Endpoint::Token)?,
            revoke: join(Endpoint::Revoke)?,
            user_info: join(Endpoint::UserInfo)?,
            video_list: join(Endpoint::VideoList)?,
            video_query: join(Endpoint::VideoQuery)?,
        })
    }

    /// The URL of a wrapped endpoint; `None` for [`Endpoint::Raw`].
    fn get(&self, endpoint: Endpoint) -> Option<&Url> {
        match endpoint {
            Endpoint::Token => Some(&self.token),
            Endpoint::Revoke => Some(&self.revoke),
            Endpoint::UserInfo => Some(&self.user_info),
            Endpoint::VideoList => Some(&self.video_list),
            Endpoint::VideoQuery => Some(&self.video_query),
            Endpoint::Raw(_) => None,
        }
    }
}

impl TikTokClient {
    /// Checks `config` and builds the client with its own HTTP pool (TLS from
    /// the crate's feature, `rustls-tls` by default; no redirects followed;
    /// `request_timeout` per attempt).
    pub fn new(config: TikTokConfig) -> Result<Self, ConfigError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            // An API answer is never a redirect; following one could carry
            // credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tiktok-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConfigError::HttpClient)?;
        Self::with_http_client(config, http)
    }

    /// Checks `config` and builds the client on the caller's
    /// `reqwest::Client`: its proxies, root certificates, TLS backend,
    /// user agent and connection pool (share one pool between clients).
    ///
    /// The configuration's `request_timeout` still bounds every attempt (it
    /// is set on each request). The redirect policy is the caller's: TikTok's
    /// API never answers with a redirect, so
    /// `redirect(reqwest::redirect::Policy::none())` is advised, as
    /// [`new`](Self::new) does; a followed redirect would carry the token's
    /// request elsewhere.
    ///
    /// ```no_run
    /// # fn build() -> Result<(), Box<dyn std::error::Error>> {
    /// use tiktok_client::{TikTokClient, TikTokConfig};
    ///
    /// let http = reqwest::Client::builder()
    ///     .proxy(reqwest::Proxy::https("http://proxy.internal:3128")?)
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let config = TikTokConfig::new(
    ///     "my-client-key",
    ///     "my-client-secret",
    ///     "https://app.example/api/auth/tiktok/callback".parse()?,
    /// );
    /// let client = TikTokClient::with_http_client(config, http)?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn with_http_client(
        config: TikTokConfig,
        http: reqwest::Client,
    ) -> Result<Self, ConfigError> {
        let config = config.validated()?;
        let authorize_url = config
            .auth_base_url
            .join("v2/auth/authorize/")
            .map_err(|_| ConfigError::InvalidBaseUrl {
                field: "auth_base_url",
                reason: "the authorize path cannot be joined to it",
            })?;
        let endpoint_urls = EndpointUrls::new(&config.api_base_url)?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                authorize_url,
                endpoint_urls,
                limiter: None,
                hook: None,
            }),
        })
    }

    /// Paces every attempt through `limiter`, keyed by endpoint. Share one
    /// `Arc` between clients to share the budget of this process (across
    /// processes, use a [`CallHook`]; see [`EndpointRateLimiter`]). Clones
    /// made before this call keep their previous setting.
    pub fn with_rate_limiter(mut self, limiter: Arc<EndpointRateLimiter>) -> Self {
        Arc::make_mut(&mut self.inner).limiter = Some(limiter);
        self
    }

    /// Runs `hook` around every HTTP attempt (see [`CallHook`]). Clones made
    /// before this call keep their previous setting.
    pub fn with_call_hook(mut self, hook: Arc<dyn CallHook>) -> Self {
        Arc::make_mut(&mut self.inner).hook = Some(hook);
        self
    }

    /// The (validated) configuration.
    pub fn config(&self) -> &TikTokConfig {
        &self.inner.config
    }
}

impl fmt::Debug for TikTokClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TikTokClient")
            .field("config", &self.inner.config)
            .field("rate_limited", &self.inner.limiter.is_some())
            .field("call_hook", &self.inner.hook.is_some())
            .finish()
    }
}

impl Inner {
    /// The absolute URL of `endpoint`. A raw path was checked by
    /// [`RawRequest`](crate::RawRequest) (relative characters only), so its
    /// join under the base cannot fail; the base is the fallback all the same.
    pub(crate) fn url(&self, endpoint: Endpoint) -> Url {
        match self.endpoint_urls.get(endpoint) {
            Some(url) => url.clone(),
            None => {
                let base = &self.config.api_base_url;
                base.join(endpoint.path().trim_start_matches('/'))
                    .unwrap_or_else(|_| base.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn client_can_be_shared_across_tasks() {
        assert_send_sync::<TikTokClient>();
    }

    #[test]
    fn endpoint_urls_keep_the_base_prefix() {
        let base = Url::parse("http://127.0.0.1:7001/tiktok/").expect("valid test URL");
        let urls = EndpointUrls::new(&base).expect("joins");
        for endpoint in Endpoint::ALL {
            assert_eq!(
                urls.get(endpoint).expect("a wrapped endpoint").as_str(),
                format!("http://127.0.0.1:7001/tiktok{}", endpoint.path())
            );
        }
    }
}
