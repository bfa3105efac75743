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
//! - **OAuth**: [`TikTokClient::authorization_request`],
//!   [`TikTokClient::exchange_code`], [`TikTokClient::refresh_access_token`],
//!   [`TikTokClient::revoke`], giving a [`TokenSet`] with absolute expiry
//!   times and the granted scopes.
//! - **Display API**: [`TikTokClient::user_info`],
//!   [`TikTokClient::list_videos`] (one page), [`TikTokClient::videos`] (a
//!   `Stream` over every page), [`TikTokClient::query_videos`].
//! - **Webhooks**: [`TikTokClient::verify_webhook`] checks the
//!   `TikTok-Signature` header on the raw body (constant time, bounded clock
//!   skew) and reads the event ([`WebhookEvent`], [`RemovalReason`]).
//! - **Errors**: one [`TikTokError`], with [`TikTokError::is_retryable`] and
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
//! - **Pacing and quotas**: an optional shared [`EndpointRateLimiter`]
//!   (`governor`, keyed per endpoint as TikTok counts) and a [`CallHook`]
//!   run before every HTTP attempt, retries included.
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
