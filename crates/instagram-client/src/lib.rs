//! A typed, standalone client for the **Instagram API with Instagram Login** ("Business
//! Login"): OAuth through `www.instagram.com`, the code exchange on `api.instagram.com`,
//! long-lived tokens and their refresh, the profile, media, stories and insights on
//! `graph.instagram.com`, Meta's errors and rate-limit headers, and the `signed_request`
//! of the deauthorize and data-deletion callbacks.
//!
//! - **Configuration**: [`InstagramConfig`] (app id and secret, redirect URI, scopes, the
//!   three hosts, Graph version, [`TokenTransport`], page size, [`RetryPolicy`]).
//! - **OAuth**: [`InstagramClient::authorization_request`], [`parse_callback`] (strips
//!   `#_`, types a denial, checks `state`), [`InstagramClient::exchange_code`] (both answer
//!   shapes), [`InstagramClient::exchange_for_long_lived`], [`InstagramClient::connect`]
//!   (both), [`InstagramClient::refresh_long_lived`] (GET, only once the token is 24 hours
//!   old and before it expires; there is no refresh token). Lifetimes come from
//!   `expires_in`.
//! - **Reads**: [`InstagramClient::profile`], [`InstagramClient::media_page`] (one page) and
//!   [`InstagramClient::media`] (a `Stream` following `paging.next`),
//!   [`InstagramClient::media_by_id`], [`InstagramClient::children`],
//!   [`InstagramClient::stories`], [`InstagramClient::media_insights`],
//!   [`InstagramClient::account_insights`], and [`InstagramClient::graph_get`] for the rest.
//! - **Errors**: one [`InstagramError`], read from the body whatever the status, classified
//!   by [`InstagramError::class`] into [`ErrorClass`] (re-auth, throttled with the wait of
//!   the usage headers, transient, permission missing, not enough data, insights
//!   unavailable, invalid), with the `fbtrace_id`.
//! - **Resilience**: retries with exponential backoff and jitter on transient errors only;
//!   the single-use code exchange and the refresh are re-sent only when Instagram certainly
//!   did not act. A [`CallHook`] runs before every attempt (per-account budgets).
//! - **Upkeep**: [`TokenKeeper`] over a caller's [`TokenStore`] refreshes tokens when due.
//! - **Callbacks**: [`verify_signed_request`] (base64url, HMAC-SHA256, constant time,
//!   algorithm checked).
//! - **Hygiene**: tokens, codes and secrets are redacted in `Debug`; no error or log holds
//!   one, nor a URL carrying one (`paging.next` URLs are never kept).
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use instagram_client::{InstagramClient, InstagramConfig, MediaQuery, ProfileField, parse_callback};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = InstagramConfig::new(
//!     "990602627938098",
//!     "instagram-app-secret".to_owned(),
//!     "https://app.example/api/auth/instagram/callback".parse()?,
//! );
//! let client = InstagramClient::new(config)?;
//!
//! // 1. Send the browser to the authorization URL; keep the state.
//! let request = client.authorization_request();
//! println!("open {}", request.url);
//!
//! // 2. On the callback, check the state, exchange the code, get a long-lived token.
//! # let callback_url = "https://app.example/api/auth/instagram/callback?code=AQB&state=s#_";
//! let callback = parse_callback(callback_url, &request.state)?;
//! let connection = client.connect(&callback.code, None).await?;
//!
//! // 3. Read.
//! let token = &connection.token.access_token;
//! let profile = client.profile(token, &ProfileField::allowed_by(&connection.permissions)).await?;
//! let media: Vec<_> = client.media(token, "me", MediaQuery::default()).try_collect().await?;
//! println!("@{:?}: {} media", profile.username, media.len());
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod account_insights;
mod client;
mod config;
mod endpoint;
mod error;
mod execute;
mod hook;
mod ids;
mod insights;
mod media;
mod media_insights;
mod media_page;
mod oauth;
mod pagination;
mod profile;
mod raw;
mod response;
mod retry;
mod signed_request;
mod token;
mod upkeep;
mod usage;

pub use account_insights::{
    ACCOUNT_INSIGHTS_RETENTION, AccountInsightsQuery, MetricType, insight_windows,
};
pub use client::{Clock, InstagramClient};
pub use config::{
    AuthorizeOptions, ConfigError, DEFAULT_API_BASE_URL, DEFAULT_AUTH_BASE_URL,
    DEFAULT_GRAPH_BASE_URL, DEFAULT_GRAPH_VERSION, InstagramConfig, RetryPolicy, TokenTransport,
    scope,
};
pub use endpoint::Endpoint;
pub use error::{ErrorClass, GraphErrorBody, InstagramError, RefreshRefusal};
pub use hook::{CallHook, CallInfo, CallOutcome, CallRejected};
pub use ids::parse_graph_time;
pub use insights::{Breakdown, BreakdownResult, Insight, MetricPoint, MetricValue, TotalValue};
pub use media::{Media, MediaField, MediaProductType, MediaType};
pub use media_insights::{InsightsState, MediaInsights, MediaMetric};
pub use media_page::{MediaPage, MediaQuery, PageCursor};
pub use oauth::{
    AuthorizationCode, AuthorizationRequest, CallbackCode, CallbackError, Connection,
    parse_callback,
};
pub use profile::{AccountType, Profile, ProfileField};
pub use signed_request::{
    SIGNED_REQUEST_ALGORITHM, SignedRequest, SignedRequestError, deletion_response,
    signed_request_from_form, verify_signed_request,
};
pub use token::{AccessToken, LongLivedToken, ShortLivedToken};
pub use upkeep::{StoreError, TokenKeeper, TokenStore, UpkeepError};
pub use usage::{AppUsage, BusinessUsage, Usage};

/// Re-exported so callers can build a `SecretString` for [`InstagramConfig`] without
/// depending on `secrecy` themselves.
pub use secrecy::{ExposeSecret, SecretString};
