//! The client handle and the one place where HTTP attempts are made.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use governor::{Quota, RateLimiter};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tracing::{Instrument as _, field};
use url::Url;

use crate::response::{RawResponse, error_label, parse_retry_after};
use crate::retry::{RetrySafety, retry_delay};
use crate::{CallHook, ConfigError, Endpoint, TikTokConfig, TikTokError};

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

#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) config: TikTokConfig,
    http: reqwest::Client,
    pub(crate) authorize_url: Url,
    endpoint_urls: EndpointUrls,
    limiter: Option<Arc<EndpointRateLimiter>>,
    hook: Option<Arc<dyn CallHook>>,
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
    /// `Arc` between clients to share the budget.
    pub fn with_rate_limiter(mut self, limiter: Arc<EndpointRateLimiter>) -> Self {
        Arc::make_mut(&mut self.inner).limiter = Some(limiter);
        self
    }

    /// Runs `hook` around every HTTP attempt (see [`CallHook`]).
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

    /// Makes the call: for each attempt, waits for the rate limiter, asks the
    /// call hook, sends `build`'s request, and interprets the response with
    /// `parse` (given the time the attempt was sent); retries per `safety`
    /// and the retry policy.
    ///
    /// One `tiktok_call` span covers the call; it ends up holding the number
    /// of attempts and the last attempt's status, log id and error kind. Each
    /// failed attempt also logs an event with its own values.
    pub(crate) async fn execute<T>(
        &self,
        endpoint: Endpoint,
        safety: RetrySafety,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        parse: impl Fn(&RawResponse, DateTime<Utc>) -> Result<T, TikTokError>,
    ) -> Result<T, TikTokError> {
        let span = tracing::info_span!(
            "tiktok_call",
            endpoint = endpoint.as_str(),
            attempt = field::Empty,
            http_status = field::Empty,
            log_id = field::Empty,
            error = field::Empty,
        );
        async {
            let mut attempt: u32 = 0;
            loop {
                attempt += 1;
                let outcome = self.attempt(endpoint, &build, &parse).await;
                let log_id = outcome
                    .result
                    .as_ref()
                    .err()
                    .and_then(TikTokError::log_id)
                    .map(str::to_owned)
                    .or(outcome.header_log_id);
                let error = match outcome.result {
                    Ok(value) => {
                        record_call(attempt, outcome.status, log_id.as_deref(), None);
                        tracing::debug!("TikTok call succeeded");
                        return Ok(value);
                    }
                    Err(error) => error,
                };
                match retry_delay(&self.config.retry, safety, &error, attempt) {
                    Some(delay) => {
                        tracing::warn!(
                            attempt,
                            http_status = outcome.status,
                            log_id = log_id.as_deref(),
                            error = %error,
                            cause = source_chain(&error).as_deref(),
                            retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            "TikTok call failed, retrying"
                        );
                        tokio::time::sleep(delay).await;
                    }
                    None => {
                        record_call(
                            attempt,
                            outcome.status,
                            log_id.as_deref(),
                            Some(error.kind()),
                        );
                        tracing::warn!(
                            error = %error,
                            cause = source_chain(&error).as_deref(),
                            "TikTok call failed"
                        );
                        return Err(error);
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// One HTTP attempt, with the limiter and the hook around it.
    async fn attempt<T>(
        &self,
        endpoint: Endpoint,
        build: &impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        parse: &impl Fn(&RawResponse, DateTime<Utc>) -> Result<T, TikTokError>,
    ) -> AttemptOutcome<T> {
        if let Some(limiter) = &self.limiter {
            limiter.until_key_ready(&endpoint).await;
        }
        if let Some(hook) = &self.hook
            && let Err(rejected) = hook.before_call(endpoint).await
        {
            return AttemptOutcome {
                status: None,
                header_log_id: None,
                result: Err(TikTokError::CallRejected {
                    endpoint,
                    reason: rejected.reason,
                    retry_after: rejected.retry_after,
                }),
            };
        }
        let sent_at = Utc::now();
        let outcome = match self.send(endpoint, build).await {
            Ok(raw) => AttemptOutcome {
                status: Some(raw.status),
                result: parse(&raw, sent_at),
                header_log_id: raw.header_log_id,
            },
            Err(error) => AttemptOutcome {
                status: None,
                header_log_id: None,
                result: Err(error),
            },
        };
        if let Some(hook) = &self.hook {
            let error_code = outcome.result.as_ref().err().map(error_label);
            hook.after_call(endpoint, outcome.status, error_code);
        }
        outcome
    }

    /// Sends the request and reads the whole response.
    async fn send(
        &self,
        endpoint: Endpoint,
        build: &impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<RawResponse, TikTokError> {
        let transport = |error: reqwest::Error| TikTokError::Transport {
            endpoint,
            timeout: error.is_timeout(),
            connect: error.is_connect(),
            // The URL carries no secret, but keeping it out of errors keeps
            // every query string out of logs.
            source: error.without_url(),
        };
        let response = build(&self.http).send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let header_log_id = header_text(response.headers(), "x-tt-logid");
        let retry_after = header_text(response.headers(), RETRY_AFTER.as_str())
            .and_then(|value| parse_retry_after(&value, Utc::now()));
        let body = response.bytes().await.map_err(transport)?;
        Ok(RawResponse {
            status,
            header_log_id,
            retry_after,
            body: body.to_vec(),
        })
    }
}

/// What one attempt gave.
struct AttemptOutcome<T> {
    /// The HTTP status, when a response arrived.
    status: Option<u16>,
    /// The `x-tt-logid` header, when a response carried one.
    header_log_id: Option<String>,
    /// The interpreted response.
    result: Result<T, TikTokError>,
}

/// Records the final values of a call on its span.
fn record_call(attempt: u32, status: Option<u16>, log_id: Option<&str>, error: Option<&str>) {
    let span = tracing::Span::current();
    span.record("attempt", attempt);
    // Recording only present values keeps text output free of blanks.
    if let Some(status) = status {
        span.record("http_status", status);
    }
    if let Some(log_id) = log_id {
        span.record("log_id", log_id);
    }
    if let Some(error) = error {
        span.record("error", error);
    }
}

/// The sources of an error joined by ": ", for logs (`None` without any).
fn source_chain(error: &TikTokError) -> Option<String> {
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    (!causes.is_empty()).then(|| causes.join(": "))
}

/// A header's value as text, when present, non-empty and visible ASCII.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
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
