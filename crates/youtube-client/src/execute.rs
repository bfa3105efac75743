//! The one place where HTTP attempts are made: the call hook, sending, interpreting,
//! retrying and tracing.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER, WWW_AUTHENTICATE};
use tracing::{Instrument as _, field};

use crate::client::Inner;
use crate::hook::QuotaExhausted;
use crate::response::{CallContext, RawResponse, insufficient_scope};
use crate::retry::{RetrySafety, retry_delay};
use crate::{CallInfo, CallOutcome, Endpoint, ErrorClass, YouTubeError};

/// What is called: the endpoint and, for calls that spend quota, Google's method name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target<'a> {
    pub(crate) endpoint: Endpoint,
    pub(crate) method: Option<&'a str>,
}

impl Target<'static> {
    /// An endpoint priced by its own method name.
    pub(crate) fn of(endpoint: Endpoint) -> Self {
        Self {
            endpoint,
            method: endpoint.method(),
        }
    }
}

impl Inner {
    /// Makes the call: for each attempt, asks the call hook, sends `build`'s request and
    /// interprets the response with `parse`; retries per `safety` and the retry policy. One
    /// `youtube_call` span covers the call. URLs, bodies and tokens are never logged.
    pub(crate) async fn execute<T>(
        &self,
        target: Target<'_>,
        safety: RetrySafety,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        parse: impl Fn(&RawResponse, CallContext) -> Result<T, YouTubeError>,
    ) -> Result<T, YouTubeError> {
        let cost = target.method.map(|method| self.config.quota.cost(method));
        let span = tracing::info_span!(
            "youtube_call",
            endpoint = target.endpoint.as_str(),
            method = target.method,
            units = cost.map(|cost| cost.units),
            attempt = field::Empty,
            http_status = field::Empty,
            reason = field::Empty,
            error = field::Empty,
        );
        async {
            let mut attempt: u32 = 0;
            loop {
                attempt += 1;
                let (status, result) = self.attempt(target, attempt, &build, &parse).await;
                let error = match result {
                    Ok(value) => {
                        record_call(attempt, status, None, None);
                        tracing::debug!("YouTube call succeeded");
                        return Ok(value);
                    }
                    Err(error) => error,
                };
                match retry_delay(&self.config.retry, safety, &error, attempt) {
                    Some(delay) => {
                        tracing::warn!(
                            attempt,
                            http_status = status,
                            reason = error.reason(),
                            error = %error,
                            retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            "YouTube call failed, retrying"
                        );
                        tokio::time::sleep(delay).await;
                    }
                    None => {
                        record_call(attempt, status, error.reason(), Some(error.kind()));
                        tracing::warn!(error = %error, "YouTube call failed");
                        return Err(error);
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// One HTTP attempt, with the hook around it.
    async fn attempt<T>(
        &self,
        target: Target<'_>,
        attempt: u32,
        build: &impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        parse: &impl Fn(&RawResponse, CallContext) -> Result<T, YouTubeError>,
    ) -> (Option<u16>, Result<T, YouTubeError>) {
        let cost = target.method.map(|method| self.config.quota.cost(method));
        let info = CallInfo {
            endpoint: target.endpoint,
            method: target.method,
            cost,
            attempt,
        };
        if let Some(hook) = &self.hook
            && let Err(rejected) = hook.before_call(info).await
        {
            let error = YouTubeError::CallRejected {
                endpoint: target.endpoint,
                reason: rejected.reason,
                retry_after: rejected.retry_after,
            };
            return (None, Err(error));
        }
        let sent_at = self.now();
        let (status, result) = match self.send(target.endpoint, build).await {
            Ok(raw) => {
                let context = CallContext {
                    endpoint: target.endpoint,
                    sent_at,
                    received_at: self.now(),
                    bucket: cost.map(|cost| cost.bucket),
                };
                (Some(raw.status), parse(&raw, context))
            }
            Err(error) => (None, Err(error)),
        };
        if let Some(hook) = &self.hook {
            let error = result.as_ref().err();
            let quota_exhausted = error.and_then(|error| match error.class() {
                ErrorClass::QuotaExhausted { resets_at } => Some(QuotaExhausted {
                    bucket: cost.map(|cost| cost.bucket),
                    resets_at,
                }),
                _ => None,
            });
            hook.after_call(
                info,
                CallOutcome {
                    status,
                    error_kind: error.map(YouTubeError::kind),
                    reason: error.and_then(YouTubeError::reason),
                    quota_exhausted,
                },
            );
        }
        (status, result)
    }

    /// Sends the request and reads the whole response.
    async fn send(
        &self,
        endpoint: Endpoint,
        build: &impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<RawResponse, YouTubeError> {
        let transport = |error: reqwest::Error| YouTubeError::Transport {
            endpoint,
            timeout: error.is_timeout(),
            connect: error.is_connect(),
            // A URL may carry a token (`?token=` on revoke): never keep it.
            source: error.without_url(),
        };
        let response = build(&self.http).send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let retry_after = header_text(headers, RETRY_AFTER.as_str())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let missing_scope = header_text(headers, WWW_AUTHENTICATE.as_str())
            .as_deref()
            .and_then(insufficient_scope);
        let body = response.bytes().await.map_err(transport)?;
        Ok(RawResponse {
            status,
            retry_after,
            missing_scope,
            body: body.to_vec(),
        })
    }
}

fn record_call(attempt: u32, status: Option<u16>, reason: Option<&str>, error: Option<&str>) {
    let span = tracing::Span::current();
    span.record("attempt", attempt);
    if let Some(status) = status {
        span.record("http_status", status);
    }
    if let Some(reason) = reason {
        span.record("reason", reason);
    }
    if let Some(error) = error {
        span.record("error", error);
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}
