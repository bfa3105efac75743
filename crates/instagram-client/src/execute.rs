//! The one place where HTTP attempts are made: the call hook, sending, interpreting,
//! retrying and tracing.

use chrono::{DateTime, Utc};

use reqwest::header::HeaderMap;
use tracing::{Instrument as _, field};

use crate::client::Inner;
use crate::response::RawResponse;
use crate::retry::{RetrySafety, retry_delay};
use crate::{CallInfo, CallOutcome, Endpoint, InstagramError, Usage};

/// Who a call is about, for the hook and the logs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target<'a> {
    pub(crate) endpoint: Endpoint,
    pub(crate) account: Option<&'a str>,
}

impl Inner {
    /// Makes the call: for each attempt, asks the call hook, sends `build`'s request and
    /// interprets the response with `parse` (given when the attempt was sent); retries per
    /// `safety` and the retry policy. One `instagram_call` span covers the call. URLs are
    /// never logged (they carry the token).
    pub(crate) async fn execute<T>(
        &self,
        target: Target<'_>,
        safety: RetrySafety,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
        parse: impl Fn(&RawResponse, DateTime<Utc>) -> Result<T, InstagramError>,
    ) -> Result<T, InstagramError> {
        let span = tracing::info_span!(
            "instagram_call",
            endpoint = target.endpoint.as_str(),
            account = target.account.or(self.account.as_deref()),
            attempt = field::Empty,
            http_status = field::Empty,
            fbtrace_id = field::Empty,
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
                        tracing::debug!("Instagram call succeeded");
                        return Ok(value);
                    }
                    Err(error) => error,
                };
                match retry_delay(&self.config.retry, safety, &error, attempt) {
                    Some(delay) => {
                        tracing::warn!(
                            attempt,
                            http_status = status,
                            fbtrace_id = error.fbtrace_id(),
                            error = %error,
                            retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            "Instagram call failed, retrying"
                        );
                        tokio::time::sleep(delay).await;
                    }
                    None => {
                        record_call(attempt, status, error.fbtrace_id(), Some(error.kind()));
                        tracing::warn!(error = %error, "Instagram call failed");
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
        parse: &impl Fn(&RawResponse, DateTime<Utc>) -> Result<T, InstagramError>,
    ) -> (Option<u16>, Result<T, InstagramError>) {
        let info = CallInfo {
            endpoint: target.endpoint,
            account: target.account.or(self.account.as_deref()),
            attempt,
        };
        if let Some(hook) = &self.hook
            && let Err(rejected) = hook.before_call(info).await
        {
            let error = InstagramError::CallRejected {
                endpoint: target.endpoint,
                reason: rejected.reason,
                retry_after: rejected.retry_after,
            };
            return (None, Err(error));
        }
        let sent_at = self.now();
        let (status, usage, result) = match self.send(target.endpoint, build).await {
            Ok(raw) => (Some(raw.status), raw.usage.clone(), parse(&raw, sent_at)),
            Err(error) => (None, None, Err(error)),
        };
        if let Some(hook) = &self.hook {
            let error = result.as_ref().err();
            hook.after_call(
                info,
                CallOutcome {
                    status,
                    error_kind: error.map(InstagramError::kind),
                    error_code: error.and_then(InstagramError::code),
                    usage: usage.as_ref(),
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
    ) -> Result<RawResponse, InstagramError> {
        let transport = |error: reqwest::Error| InstagramError::Transport {
            endpoint,
            timeout: error.is_timeout(),
            connect: error.is_connect(),
            // The URL carries the token on Graph reads: never keep it.
            source: error.without_url(),
        };
        let response = build(&self.http).send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let usage = Usage::from_headers(
            header_text(response.headers(), "x-app-usage").as_deref(),
            header_text(response.headers(), "x-business-use-case-usage").as_deref(),
        );
        let body = response.bytes().await.map_err(transport)?;
        Ok(RawResponse {
            status,
            usage,
            body: body.to_vec(),
        })
    }
}

fn record_call(attempt: u32, status: Option<u16>, fbtrace_id: Option<&str>, error: Option<&str>) {
    let span = tracing::Span::current();
    span.record("attempt", attempt);
    if let Some(status) = status {
        span.record("http_status", status);
    }
    if let Some(fbtrace_id) = fbtrace_id {
        span.record("fbtrace_id", fbtrace_id);
    }
    if let Some(error) = error {
        span.record("error", error);
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}
