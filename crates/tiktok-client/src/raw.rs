//! A raw call, for endpoints this crate does not wrap (the Research API, the
//! Content Posting API, ...), through the same bearer token, envelope, error
//! reading, retries, rate limiter and call hook as the wrapped ones.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::display::with_fields;
use crate::response::parse_envelope;
use crate::retry::RetrySafety;
use crate::{AccessToken, Endpoint, TikTokClient, TikTokError};

/// The HTTP method of a [`RawRequest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RawMethod {
    /// `GET`, with the query only.
    Get,
    /// `POST`, with a JSON body.
    Post,
}

/// A call to an endpoint of TikTok's API host that this crate does not wrap.
///
/// The answer is read as every Display API answer is: the `{"data", "error"}`
/// envelope, errors from the body whatever the status, and `data` decoded
/// into the caller's type ([`serde_json::Value`] when untyped).
///
/// ```no_run
/// # async fn run(client: tiktok_client::TikTokClient, token: tiktok_client::AccessToken)
/// # -> Result<(), tiktok_client::TikTokError> {
/// use serde_json::{Value, json};
/// use tiktok_client::RawRequest;
///
/// // Content Posting API: what the creator may post. Not idempotent by default
/// // (a POST); this one is a read, so it may be retried after a timeout.
/// let info: Value = client
///     .raw_call(
///         &token,
///         &RawRequest::post("/v2/post/publish/creator_info/query/", json!({})).idempotent(true),
///     )
///     .await?;
/// println!("{}", info["privacy_level_options"]);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RawRequest {
    method: RawMethod,
    path: &'static str,
    query: Vec<(String, String)>,
    body: Option<Value>,
    idempotent: bool,
}

impl RawRequest {
    /// A `GET` of `path` on the API host (e.g. `/v2/user/info/`). Idempotent:
    /// every retryable failure is retried.
    pub fn get(path: &'static str) -> Self {
        Self {
            method: RawMethod::Get,
            path,
            query: Vec::new(),
            body: None,
            idempotent: true,
        }
    }

    /// A `POST` of `body` as JSON to `path` on the API host. Not idempotent
    /// unless said so with [`idempotent`](Self::idempotent): it is re-sent
    /// only when TikTok certainly did not act on it (a failure to connect, a
    /// 429, a 5xx), never after a timeout, so a publish is not made twice.
    pub fn post(path: &'static str, body: Value) -> Self {
        Self {
            method: RawMethod::Post,
            path,
            query: Vec::new(),
            body: Some(body),
            idempotent: false,
        }
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets the `fields` query parameter to `fields`, comma-separated, as the
    /// Display and Research APIs take it.
    pub fn fields<I, S>(self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let joined = fields
            .into_iter()
            .map(|field| field.as_ref().to_owned())
            .collect::<Vec<_>>()
            .join(",");
        self.query("fields", joined)
    }

    /// Whether re-sending the request after an ambiguous failure (a timeout)
    /// is harmless: true for reads, false for anything that creates or
    /// consumes something.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// The method.
    pub fn method(&self) -> RawMethod {
        self.method
    }

    /// The endpoint this request calls, as the rate limiter and the
    /// [`CallHook`](crate::CallHook) see it.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::Raw(self.path)
    }

    /// Refuses a path that is not a plain path on the API host: it must start
    /// with `/`, hold only letters, digits, `/`, `_`, `-` and `.`, and never
    /// `..` (so it cannot leave the configured base, nor carry a query).
    fn checked_path(&self) -> Result<&'static str, TikTokError> {
        let path = self.path;
        let plain = path.len() > 1
            && path.starts_with('/')
            && !path.starts_with("//")
            && !path.contains("..")
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '.'));
        if plain {
            Ok(path)
        } else {
            Err(TikTokError::InvalidArgument(format!(
                "{path:?} is not a path on TikTok's API host (e.g. \"/v2/research/video/query/\")"
            )))
        }
    }
}

impl TikTokClient {
    /// Calls an endpoint this crate does not wrap, with `token` as the bearer
    /// token, and decodes the envelope's `data` into `T` (use
    /// [`serde_json::Value`] to keep it untyped).
    ///
    /// It runs exactly as the wrapped calls do: the rate limiter and the
    /// [`CallHook`](crate::CallHook) before every attempt (under
    /// [`Endpoint::Raw`]), errors read from the body whatever the status
    /// ([`TikTokError::AccessTokenInvalid`], [`TikTokError::RateLimited`],
    /// [`TikTokError::Api`], ...), retries per the policy and the request's
    /// idempotence, one `tiktok_call` span. The path is checked first
    /// ([`TikTokError::InvalidArgument`] without a call).
    pub async fn raw_call<T: DeserializeOwned>(
        &self,
        token: &AccessToken,
        request: &RawRequest,
    ) -> Result<T, TikTokError> {
        let endpoint = Endpoint::Raw(request.checked_path()?);
        let mut url = self.inner.url(endpoint);
        for (name, value) in &request.query {
            if name == "fields" {
                url = with_fields(url, value);
            } else {
                url.query_pairs_mut().append_pair(name, value);
            }
        }
        let safety = if request.idempotent {
            RetrySafety::Idempotent
        } else {
            RetrySafety::NotIdempotent
        };
        self.inner
            .execute(
                endpoint,
                safety,
                |http| {
                    let builder = match request.method {
                        RawMethod::Get => http.get(url.clone()),
                        RawMethod::Post => http.post(url.clone()),
                    };
                    let builder = builder.bearer_auth(token.expose_secret());
                    match &request.body {
                        Some(body) => builder.json(body),
                        None => builder,
                    }
                },
                |raw, _| parse_envelope(endpoint, raw),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_base_are_refused() {
        for bad in [
            "",
            "/",
            "v2/user/info/",
            "//evil.example/v2/",
            "/v2/../oauth/token/",
            "/v2/user/info/?fields=x",
            "https://evil.example/v2/",
        ] {
            assert!(
                RawRequest::get(bad).checked_path().is_err(),
                "{bad:?} was accepted"
            );
        }
        assert_eq!(
            RawRequest::get("/v2/research/video/query/")
                .checked_path()
                .ok(),
            Some("/v2/research/video/query/")
        );
    }

    #[test]
    fn post_is_not_idempotent_unless_said() {
        let post = RawRequest::post("/v2/post/publish/video/init/", Value::Null);
        assert!(!post.idempotent);
        assert!(post.idempotent(true).idempotent);
        assert!(RawRequest::get("/v2/user/info/").idempotent);
    }
}
