//! The client handle: configuration, HTTP pool, endpoint URLs, limiter and hook.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{Quota, RateLimiter};
use url::Url;

use crate::{CallHook, ConfigError, Endpoint, TikTokConfig};

/// A rate limiter keyed by [`Endpoint`], shared by clones of a client (and by
/// several clients when the same `Arc` is given to each).
pub type EndpointRateLimiter = governor::DefaultKeyedRateLimiter<Endpoint>;

/// A limiter allowing `requests_per_minute` per endpoint, as TikTok counts
/// (600 per minute per endpoint by default): up to that many at once, then
/// replenished evenly over the minute.
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

    fn get(&self, endpoint: Endpoint) -> &Url {
        match endpoint {
            Endpoint::Token => &self.token,
            Endpoint::Revoke => &self.revoke,
            Endpoint::UserInfo => &self.user_info,
            Endpoint::VideoList => &self.video_list,
            Endpoint::VideoQuery => &self.video_query,
        }
    }
}

impl TikTokClient {
    /// Checks `config` and builds the client (HTTP pool with rustls, no
    /// redirects followed, `request_timeout` per attempt).
    pub fn new(config: TikTokConfig) -> Result<Self, ConfigError> {
        let config = config.validated()?;
        let authorize_url = config
            .auth_base_url
            .join("v2/auth/authorize/")
            .map_err(|_| ConfigError::InvalidBaseUrl {
                field: "auth_base_url",
                reason: "the authorize path cannot be joined to it",
            })?;
        let endpoint_urls = EndpointUrls::new(&config.api_base_url)?;
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            // An API answer is never a redirect; following one could carry
            // credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tiktok-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(ConfigError::HttpClient)?;
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
    /// `Arc` between clients to share the budget. Clones made before this
    /// call keep their previous setting.
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
    /// The absolute URL of `endpoint`.
    pub(crate) fn url(&self, endpoint: Endpoint) -> Url {
        self.endpoint_urls.get(endpoint).clone()
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
                urls.get(endpoint).as_str(),
                format!("http://127.0.0.1:7001/tiktok{}", endpoint.path())
            );
        }
    }
}
