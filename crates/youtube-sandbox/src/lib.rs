//! An emulator of YouTube as an integrator sees it: Google's OAuth 2.0 for web-server apps,
//! the YouTube Data API v3 reads a creator-analytics service makes, and the YouTube
//! Analytics API, for development, demos and tests.
//!
//! One server stands in for Google's hosts, in the wire format of the team's reference
//! (`youtube-api.md`), so a client runs against it and against Google unchanged: only its
//! base URLs differ. Google's hosts do not share paths, so one root serves them all.
//!
//! | path | stands in for | what |
//! |---|---|---|
//! | `GET /o/oauth2/v2/auth` | `accounts.google.com` | account chooser and granular consent (HTML) |
//! | `POST /o/oauth2/v2/auth` | | the consent form (below) |
//! | `POST /token` | `oauth2.googleapis.com` | code exchange, refresh |
//! | `POST /revoke` | | revoke a token (and its grant) |
//! | `GET /tokeninfo` | | introspection |
//! | `GET /.well-known/openid-configuration`, `GET /v1/userinfo` | OpenID Connect | discovery, userinfo |
//! | `GET /youtube/v3/channels` | `www.googleapis.com` | `channels.list` |
//! | `GET /youtube/v3/playlistItems` | | `playlistItems.list` (the uploads playlist) |
//! | `GET /youtube/v3/videos` | | `videos.list` by id |
//! | `GET /youtube/v3/videos:batchGetStats` | | `videos.batchGetStats` |
//! | `GET /youtube/v3/search` | | `search.list` (a channel's videos) |
//! | `GET /v2/reports` | `youtubeanalytics.googleapis.com` | Analytics `reports.query` |
//! | `/sandbox/...` | | the control API |
//!
//! ```no_run
//! # async fn demo() -> Result<(), youtube_sandbox::SandboxError> {
//! use youtube_sandbox::{Endpoint, Fault, QuotaBucket, RefreshDeath, RegisteredClient, Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::new().client(RegisteredClient::new(
//!     "1234-web.apps.googleusercontent.com",
//!     "client-secret",
//!     ["http://127.0.0.1:5001/api/auth/youtube/callback"],
//! )))
//! .await?;
//! let base = sandbox.base_url(); // every Google base URL of the client
//! sandbox.set_fault_for_calls(Endpoint::Videos, Fault::BackendError, 1);
//! sandbox.set_quota_used("1234-web.apps.googleusercontent.com", QuotaBucket::General, 9_999);
//! sandbox.expire_refresh_tokens("maya@sandbox.test", None, RefreshDeath::Idle);
//! sandbox.advance_clock(std::time::Duration::from_secs(86_400));
//! sandbox.stop().await;
//! # Ok(()) }
//! ```
//!
//! # The consent form
//!
//! The page holds one `<form method="post" action="/o/oauth2/v2/auth">` with the request's
//! parameters as hidden fields (`client_id`, `redirect_uri`, `response_type`, `scope`,
//! `state`, `access_type`, `prompt`, `include_granted_scopes`, `code_challenge`,
//! `code_challenge_method`); a `<select name="account">` with one option per Google account
//! (its email); the Sign-In scopes as text (always granted); one checkbox `scope_choice` per
//! other scope; optionally radios `access_hours` (time-based access); and buttons
//! `decision=allow` / `decision=deny`. Allowing answers `302` to
//! `<redirect_uri>?state=..&code=4/0A..&scope=<granted>&authuser=0&prompt=..`; cancelling to
//! `<redirect_uri>?state=..&error=access_denied`. [`ConsentForm::parse`] reads the form back
//! out of the page.
#![warn(missing_docs)]

mod catalog;
mod clock;
mod config;
mod consent_form;
mod endpoint;
mod error;
mod fault;
mod grants;
mod growth;
mod html;
mod id_token;
mod pacific;
mod page_token;
mod quota;
mod routes;
mod scope;
mod server;
mod state;
mod views;
mod wire;
mod words;

pub use catalog::{AccountSpec, ChannelSpec, Privacy, VideoKind};
pub use clock::SandboxClock;
pub use config::{
    BucketExhausted, DEFAULT_API_KEY, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URIS, GeneralExhausted, HiddenSubscribers, MAX_ACCOUNTS,
    MAX_UPLOADS_PER_CHANNEL, MethodCost, NumberEncoding, PublishingStatus, QuotaBucket,
    QuotaSettings, RegisteredClient, SandboxConfig,
};
pub use consent_form::ConsentForm;
pub use endpoint::Endpoint;
pub use error::SandboxError;
pub use fault::{ActiveFault, Fault};
pub use grants::{GrantSummary, RefreshDeath, RefreshTokenSummary};
pub use html::escape_html;
pub use pacific::{next_pacific_midnight, pacific_day, pacific_midnight};
pub use quota::{BucketUsage, QuotaUsage};
pub use scope::{
    ANALYTICS_MONETARY as SCOPE_ANALYTICS_MONETARY, ANALYTICS_READONLY as SCOPE_ANALYTICS_READONLY,
    EMAIL as SCOPE_EMAIL, OPENID as SCOPE_OPENID, PROFILE as SCOPE_PROFILE,
    YOUTUBE_READONLY as SCOPE_YOUTUBE_READONLY,
};
pub use server::{Sandbox, SandboxHandle};
pub use views::{AccountDetails, AccountSummary, ChannelSummary, VideoSummary};
