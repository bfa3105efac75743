//! The one place where HTTP attempts are made: pacing, the call hook,
//! sending, interpreting, retrying and tracing.

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use tracing::{Instrument as _, field};

use crate::client::Inner;
use crate::response::{RawResponse, error_label, parse_retry_after};
use crate::retry::{RetrySafety, retry_delay};
use crate::{Endpoint, TikTokError};

impl Inner {
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
        // Set on each request too, so a caller's `reqwest::Client` without a
        // timeout (`with_http_client`) still cannot hang a call.
        let response = build(&self.http)
            .timeout(self.config.request_timeout)
            .send()
            .await
            .map_err(transport)?;
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
