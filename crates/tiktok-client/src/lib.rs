//! A typed, standalone client for TikTok's API v2: Login Kit (OAuth 2.0 with
//! PKCE) and the Display API (user info, video list, video query).
//!
//! It follows TikTok's wire format where it departs from the OAuth standard:
//! `client_key` instead of `client_id`, comma-separated scopes, a form-encoded
//! token endpoint with credentials in the body, and errors read from the body
//! whatever the HTTP status (a 200 can carry an error).
//!
//! - **Configuration**: [`TikTokConfig`] (credentials, redirect URI, scopes,
//!   overridable hosts so a sandbox or a test server can stand in, timeout,
//!   [`RetryPolicy`], [`PkceEncoding`]).
//! - **Plumbing**: [`TikTokClient::new`] builds its own HTTP pool with the TLS
//!   backend of the crate's feature (`rustls-tls`, the default, or
//!   `native-tls`); [`TikTokClient::with_http_client`] takes yours (proxies,
//!   custom roots, a shared pool). tokio is used with its `time` and `sync`
//!   features only; bring your own runtime.
//! - **OAuth**: [`TikTokClient::authorization_request`],
//!   [`TikTokClient::exchange_code`], [`TikTokClient::refresh_access_token`],
//!   [`TikTokClient::revoke`], giving a [`TokenSet`] with absolute expiry
//!   times and the granted scopes.
//! - **Display API**: [`TikTokClient::user_info`] (the [`UserField`]s you
//!   ask for), [`TikTokClient::list_videos`] (one page),
//!   [`TikTokClient::videos`] (a `Stream` over every page),
//!   [`TikTokClient::query_videos`]; each video call has a `*_with_fields`
//!   twin taking the [`VideoField`]s to request (the plain ones ask for
//!   [`VideoField::ALL`]).
//! - **Anything else**: [`TikTokClient::raw_call`] with a [`RawRequest`]
//!   reaches endpoints this crate does not wrap (Research API, Content
//!   Posting API) through the same bearer token, envelope, errors, retries,
//!   limiter and hook.
//! - **Models that survive TikTok adding things**: response structs
//!   ([`UserInfo`], [`Video`], [`VideoPage`], [`TokenSet`], [`WebhookEvent`])
//!   are `#[non_exhaustive]` and keep fields they do not model in `extra`;
//!   field and value enums ([`UserField`], [`VideoField`], [`RemovalReason`],
//!   [`WebhookEventKind`], [`Endpoint`]) are `#[non_exhaustive]` with a
//!   variant carrying what the crate does not know, so a new value never fails
//!   decoding. Video ids stay strings.
//! - **Webhooks**: [`TikTokClient::verify_webhook`] checks the
//!   `TikTok-Signature` header on the raw body (constant time, bounded clock
//!   skew) and reads the event ([`WebhookEvent`], [`RemovalReason`]).
//! - **Errors**: one [`TikTokError`], with [`TikTokError::is_retryable`],
//!   [`TikTokError::needs_reauth`], [`TikTokError::retry_after`] and
//!   [`TikTokError::log_id`].
//! - **Resilience**: bounded retries with exponential backoff and jitter for
//!   transient failures only (timeouts, connection errors, 5xx,
//!   `internal_error`, 429 honouring `Retry-After` up to
//!   [`RetryPolicy::max_retry_after`]); a 4xx that is the caller's fault and
//!   `access_token_invalid` are never retried. The token endpoint is retried
//!   only when TikTok certainly did not act on the request (connection
//!   failure, 429, 5xx), because a refresh rotates the refresh token and a
//!   code is single-use: re-sending after a lost answer would turn a success
//!   into a false `invalid_grant`.
//! - **Token upkeep** for callers without a service of their own:
//!   [`TokenKeeper`] over your [`TokenStore`] refreshes a [`TokenPair`] when
//!   it is about to expire and when TikTok answers `access_token_invalid`,
//!   saves every rotated pair before using it, and runs one refresh at a time
//!   per account **in this process** (across processes, see its docs).
//! - **Pacing and quotas**: an optional [`EndpointRateLimiter`] (`governor`,
//!   keyed per endpoint) paces **one process** with GCRA; TikTok counts per
//!   app over a sliding minute across all processes, so a budget shared by
//!   several processes is counted in a [`CallHook`], which runs before every
//!   HTTP attempt, retries included, and may refuse it.
//! - **Hygiene**: tokens and the client secret are secret types, redacted in
//!   `Debug`, and never appear in errors or logs. Each call runs in a
//!   `tiktok_call` tracing span with `endpoint`, `attempt`, `http_status`,
//!   `log_id` and the error kind.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use tiktok_client::{TikTokClient, TikTokConfig, UserField, scope};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = TikTokConfig::new(
//!     "my-client-key",
//!     "my-client-secret",
//!     "https://app.example/api/auth/tiktok/callback".parse()?,
//! )
//! .with_scopes([scope::USER_INFO_BASIC, scope::USER_INFO_STATS, scope::VIDEO_LIST]);
//! let client = TikTokClient::new(config)?;
//!
//! // 1. Send the browser to the authorize URL; keep state and verifier.
//! let request = client.authorization_request();
//! println!("open {}", request.url);
//!
//! // 2. On the callback, check the state, then exchange the code.
//! # let (code, verifier) = ("code-from-callback", "stored-verifier");
//! let tokens = client.exchange_code(code, verifier).await?;
//!
//! // 3. Read what the granted scopes allow.
//! let fields = UserField::allowed_by(&tokens.scopes);
//! let user = client.user_info(&tokens.access_token, &fields).await?;
//! println!("{} follows {:?}", user.open_id, user.follower_count);
//! let videos: Vec<_> = client.videos(&tokens.access_token).try_collect().await?;
//! println!("{} videos", videos.len());
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod client;
mod config;
mod display;
mod endpoint;
mod error;
mod execute;
mod hook;
mod oauth;
mod pagination;
mod pkce;
mod raw;
mod response;
mod retry;
mod token;
mod upkeep;
mod user;
mod video;
mod webhook;

pub use client::{EndpointRateLimiter, TikTokClient, per_minute_rate_limiter};
pub use config::{
    ConfigError, DEFAULT_API_BASE_URL, DEFAULT_AUTH_BASE_URL, PkceEncoding, RetryPolicy,
    TikTokConfig, scope,
};
pub use endpoint::Endpoint;
pub use error::TikTokError;
pub use hook::{CallHook, CallRejected};
pub use pkce::{AuthorizationRequest, pkce_challenge};
pub use raw::{RawMethod, RawRequest};
pub use token::{AccessToken, RefreshToken, TokenSet};
pub use upkeep::{
    DEFAULT_REFRESH_MARGIN, StoreError, TokenKeeper, TokenPair, TokenStore, UpkeepError,
};
pub use user::{UserField, UserInfo};
pub use video::{MAX_VIDEOS_PER_CALL, Video, VideoField, VideoPage};
pub use webhook::{
    AUTHORIZATION_REMOVED, DEFAULT_SIGNATURE_TOLERANCE, RemovalReason, SIGNATURE_HEADER,
    WebhookError, WebhookEvent, WebhookEventKind, parse_webhook, verify_signature,
};

/// Re-exported so callers can build a [`governor::Quota`] for
/// [`EndpointRateLimiter`] and a `SecretString` for [`TikTokConfig`] without
/// depending on these crates themselves.
pub use governor::Quota;
pub use secrecy::{ExposeSecret, SecretString};
