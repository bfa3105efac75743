//! A typed, standalone client for **YouTube** as a creator-analytics service uses it:
//! Google OAuth 2.0 for web-server apps, the YouTube Data API v3 reads of a channel and its
//! videos, the YouTube Analytics API's daily series, and the unit quota that governs them.
//!
//! - **Configuration**: [`YouTubeConfig`] (client id and secret, redirect URI, scopes, the
//!   four hosts, [`AuthorizeOptions`], page size, [`StatsSource`], [`QuotaTable`], refresh
//!   margin, [`RetryPolicy`]).
//! - **OAuth**: [`YouTubeClient::authorization_request`] (`access_type=offline`,
//!   `prompt=consent`, `include_granted_scopes=true`, PKCE S256, a random `state`),
//!   [`parse_callback`] (checks `state`, types a denial), [`YouTubeClient::exchange_code`]
//!   and [`TokenGrant::usable`] (granular consent: the granted scopes come from the token
//!   response), [`YouTubeClient::refresh`] (no rotation, tolerated if it happens),
//!   [`YouTubeClient::revoke_refresh_token`].
//! - **Data API**: [`YouTubeClient::my_channel`] ([`ChannelLookup::NoChannel`] is an
//!   outcome, not an error), [`YouTubeClient::playlist_items_page`] and
//!   [`YouTubeClient::playlist_items`] (a `Stream` over the uploads playlist),
//!   [`YouTubeClient::videos`] (50 ids a call, missing ids reported),
//!   [`YouTubeClient::batch_get_stats`] and [`YouTubeClient::video_statistics`], and
//!   [`YouTubeClient::data_get`] for the rest. Counters sent as strings are integers here.
//! - **Analytics**: [`YouTubeClient::reports_query`] and
//!   [`YouTubeClient::daily_channel_report`] (Pacific days, gaps filled with zeros).
//! - **Quota**: [`QuotaTable`] (each method's unit cost and bucket, overridable; Google's
//!   pages disagree), [`QuotaTable::sync_cost`], [`next_quota_reset`] (midnight Pacific
//!   across daylight saving), a [`CallHook`] before every attempt with its [`UnitCost`], and
//!   [`QuotaLedger`], an in-process hook.
//! - **Errors**: one [`YouTubeError`], read from Google's envelope (`errors[].reason`)
//!   whatever the status, classified by [`YouTubeError::class`] into [`ErrorClass`] (re-auth,
//!   access token refused, no channel, quota exhausted until a time, rate limited, permission
//!   missing, forbidden, not found, transient, misconfigured, invalid).
//! - **Resilience**: retries with exponential backoff and jitter on transient errors and
//!   per-minute rate limits only, honouring `Retry-After` up to a cap; the single-use code
//!   exchange and the refresh are re-sent only when Google certainly did not act.
//! - **Upkeep**: [`TokenKeeper`] over a caller's [`TokenStore`].
//! - **Hygiene**: tokens, codes, the secret and the PKCE verifier are redacted in `Debug`;
//!   no error or log holds one.
//!
//! # Example
//!
//! ```no_run
//! use futures::TryStreamExt as _;
//! use youtube_client::{
//!     ChannelLookup, ChannelPart, PlaylistItemPart, VideoPart, YouTubeClient, YouTubeConfig,
//!     parse_callback,
//! };
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = YouTubeConfig::new(
//!     "123-abc.apps.googleusercontent.com",
//!     "GOCSPX-secret".to_owned(),
//!     "https://app.example/api/auth/youtube/callback".parse()?,
//! );
//! let client = YouTubeClient::new(config)?;
//!
//! // 1. Send the browser to the authorization URL; keep the state and verifier.
//! let request = client.authorization_request();
//! println!("open {}", request.url);
//!
//! // 2. On the callback, check the state, exchange the code, check what was granted.
//! # let callback_url = "https://app.example/cb?state=s&code=4/0A";
//! let callback = parse_callback(callback_url, &request.state)?;
//! let grant = client.exchange_code(&callback.code, request.pkce_verifier.as_ref()).await?;
//! let features = grant.usable()?; // a refresh token and youtube.readonly, or ask again
//!
//! // 3. Read the channel, walk its uploads, read every video.
//! let token = &grant.access_token;
//! let ChannelLookup::Found(channel) = client.my_channel(token, &ChannelPart::DEFAULT).await? else {
//!     return Ok(()); // no channel on this Google account
//! };
//! let uploads = channel.uploads_playlist_id().unwrap_or_default();
//! let ids: Vec<String> = client
//!     .playlist_items(token, uploads, &PlaylistItemPart::DEFAULT)
//!     .try_filter_map(|item| async move { Ok(item.video_id().map(str::to_owned)) })
//!     .try_collect()
//!     .await?;
//! let videos = client.videos(token, &ids, &VideoPart::DEFAULT).await?;
//! println!("{} videos, analytics granted: {}", videos.videos.len(), features.analytics);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod analytics;
mod channel;
mod client;
mod config;
mod duration;
mod endpoint;
mod error;
mod execute;
mod hook;
mod ledger;
mod oauth;
mod pagination;
mod playlist;
mod quota;
mod raw;
mod response;
mod retry;
mod stats;
mod token;
mod upkeep;
mod video;
mod wire;

pub use analytics::{
    AnalyticsQuery, ColumnHeader, DAILY_METRICS, DailyReport, DailyRow, REFETCH_DAYS, ResultTable,
    analytics_range, metric,
};
pub use channel::{
    Channel, ChannelContentDetails, ChannelLookup, ChannelPart, ChannelSnippet, ChannelStatistics,
    Localized, RelatedPlaylists,
};
pub use client::{Clock, YouTubeClient};
pub use config::{
    AuthorizeOptions, ConfigError, DEFAULT_ANALYTICS_BASE_URL, DEFAULT_AUTH_BASE_URL,
    DEFAULT_DATA_BASE_URL, DEFAULT_TOKEN_BASE_URL, RetryPolicy, StatsSource, YouTubeConfig, scope,
};
pub use duration::parse_iso8601_duration;
pub use endpoint::Endpoint;
pub use error::{ErrorClass, ErrorDetail, GoogleErrorBody, YouTubeError};
pub use hook::{CallHook, CallInfo, CallOutcome, CallRejected, QuotaExhausted};
pub use ledger::QuotaLedger;
pub use oauth::{
    AuthorizationCode, AuthorizationRequest, CallbackCode, CallbackError, RevokeOutcome,
    parse_callback, pkce_challenge,
};
pub use playlist::{
    PageInfo, PageToken, PlaylistItem, PlaylistItemContentDetails, PlaylistItemPart,
    PlaylistItemSnippet, PlaylistItemsPage, ResourceId,
};
pub use quota::{
    QUOTA_TIME_ZONE, QuotaBucket, QuotaTable, SyncCost, UnitCost, next_quota_reset, quota_day,
    quota_day_start,
};
pub use stats::{
    StatisticsLookup, StatsBatch, StatsContentDetails, StatsPart, StatsSnippet, VideoStats,
};
pub use token::{
    AccessToken, Features, GrantProblem, GrantedScopes, IdClaims, IdToken, RefreshToken, TokenGrant,
};
pub use upkeep::{StoreError, StoredTokens, TokenKeeper, TokenStore, UpkeepError};
pub use video::{
    LiveBroadcastContent, LiveStreamingDetails, MAX_IDS_PER_CALL, PrivacyStatus, Video,
    VideoContentDetails, VideoLookup, VideoPart, VideoSnippet, VideoStatistics, VideoStatus,
};
pub use wire::{Thumbnail, Thumbnails};

/// Re-exported so callers can build a `SecretString` for [`YouTubeConfig`] without
/// depending on `secrecy` themselves.
pub use secrecy::{ExposeSecret, SecretString};
