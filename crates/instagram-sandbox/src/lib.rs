//! An emulator of the Instagram API with Instagram Login ("Business Login"), for development,
//! demos and tests.
//!
//! One server stands in for Instagram's three hosts under path prefixes, in the wire format
//! of the team's reference (`instagram-api.md`), so a client runs against it and against
//! Instagram unchanged: only its three base URLs differ.
//!
//! | path | stands in for | what |
//! |---|---|---|
//! | `GET /www/oauth/authorize` (also `/api/oauth/authorize`) | `www.instagram.com` | consent page (HTML) |
//! | `POST /www/oauth/authorize` | | the consent form (below) |
//! | `POST /api/oauth/access_token` | `api.instagram.com` | code -> short-lived token |
//! | `GET /graph/access_token` | `graph.instagram.com` | `ig_exchange_token` -> long-lived token |
//! | `GET /graph/refresh_access_token` | | `ig_refresh_token` (GET only) |
//! | `GET /graph/{vNN.0}/me`, `/{ig-user-id}` | | profile |
//! | `GET /graph/{vNN.0}/{ig-user-id}/media`, `/me/media` | | media list, cursor-paged |
//! | `GET /graph/{vNN.0}/{media-id}`, `/{media-id}/children` | | one media, carousel children |
//! | `GET /graph/{vNN.0}/{ig-user-id}/stories` | | live stories |
//! | `GET /graph/{vNN.0}/{media-id}/insights` | | media insights |
//! | `GET /graph/{vNN.0}/{ig-user-id}/insights` | | account insights |
//! | `/sandbox/...` | | the control API |
//!
//! ```no_run
//! # async fn demo() -> Result<(), instagram_sandbox::SandboxError> {
//! use instagram_sandbox::{Endpoint, Fault, RegisteredApp, Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(
//!     SandboxConfig::new()
//!         .app(RegisteredApp::new("1234", "app-secret", ["http://127.0.0.1:5001/cb"])),
//! )
//! .await?;
//! let (www, api, graph) = (
//!     sandbox.authorize_base_url(),
//!     sandbox.api_base_url(),
//!     sandbox.graph_base_url(),
//! );
//! sandbox.set_fault_for_calls(Endpoint::MediaList, Fault::UnknownError, 1);
//! sandbox.advance_clock(std::time::Duration::from_secs(86_400));
//! sandbox.stop().await;
//! # Ok(()) }
//! ```
//!
//! # The consent form
//!
//! The page holds one `<form method="post" action="/www/oauth/authorize">` with hidden
//! `client_id`, `redirect_uri`, `response_type`, `scope` (comma-separated) and `state`; a
//! `<select name="user_id">` with one option per account (its Instagram user id); one
//! checkbox `granted_scope` per requested scope; and buttons `decision=approve` /
//! `decision=deny`. Approving answers `302` to `<redirect_uri>?code=..&state=..#_`;
//! denying to `<redirect_uri>?error=access_denied&error_reason=user_denied&error_description=..&state=..#_`.
//! A personal account is refused with a 403 page. [`ConsentForm::parse`] reads the form
//! back out of the page.
#![warn(missing_docs)]

mod accounts;
mod clock;
mod config;
mod consent_form;
mod endpoint;
mod error;
mod fault;
mod grants;
mod html;
mod media;
mod rate_limit;
mod routes;
mod scope;
mod server;
mod signed;
mod state;
mod views;
mod wire;

pub use accounts::{AccountKind, AccountSpec};
pub use clock::SandboxClock;
pub use config::{
    CallBudget, DEFAULT_APP_ID, DEFAULT_APP_SECRET, DEFAULT_REDIRECT_URIS, EarlyRefreshError,
    MAX_ACCOUNTS, MAX_MEDIA_PER_ACCOUNT, RegisteredApp, SandboxConfig, SignedUserId,
    ThrottleResponse, TokenResponseShape, UnsupportedMetricError,
};
pub use consent_form::ConsentForm;
pub use endpoint::Endpoint;
pub use error::SandboxError;
pub use fault::{ActiveFault, Fault};
pub use grants::{GrantEnd, GrantSummary, TokenKind};
pub use html::escape_html;
pub use scope::{BASIC as SCOPE_BASIC, MANAGE_INSIGHTS as SCOPE_MANAGE_INSIGHTS};
pub use server::{Sandbox, SandboxHandle};
pub use signed::{CallbackDelivery, CallbackKind, sign_request};
pub use views::{AccountDetails, AccountSummary, MediaSummary};
