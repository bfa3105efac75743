//! A TikTok API v2 emulator for development, demos and tests.
//!
//! It serves, from one base URL, the authorize (consent) page and the API paths of TikTok's
//! Login Kit and Display API, in the wire format of `shared/tiktok-api-v2.md`, so a client
//! runs against it and against TikTok unchanged: only the base URLs differ.
//!
//! | path | what |
//! |---|---|
//! | `GET /v2/auth/authorize/` | consent page (HTML) |
//! | `POST /v2/auth/authorize/` | the consent form (below) |
//! | `POST /v2/oauth/token/` | code exchange and refresh, form-encoded |
//! | `POST /v2/oauth/revoke/` | revoke, form-encoded |
//! | `GET /v2/user/info/` | user info |
//! | `POST /v2/video/list/` | video list |
//! | `POST /v2/video/query/` | video query |
//! | `/sandbox/...` | the control API (clock, faults, calls, creators, revocations, webhooks) |
//!
//! With [`SandboxConfig::webhook_url`] set, the sandbox also sends TikTok's signed
//! `authorization.removed` webhook when an app revokes a grant and when a creator's grants
//! are removed on "TikTok's side" ([`SandboxHandle::remove_authorization`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), tiktok_sandbox::SandboxError> {
//! use tiktok_sandbox::{Endpoint, Fault, Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig::new().seed(7).creator_videos([95, 0])).await?;
//! let authorize_base = sandbox.base_url(); // also the API base
//! sandbox.set_fault_for_calls(Endpoint::VideoList, Fault::ServerError { status: 503 }, 1);
//! sandbox.advance_clock(std::time::Duration::from_secs(2 * 3600));
//! sandbox.stop().await;
//! # Ok(()) }
//! ```
//!
//! # The consent form
//!
//! `GET /v2/auth/authorize/?client_key=..&scope=..&response_type=code&redirect_uri=..&state=..
//! [&code_challenge=..&code_challenge_method=S256]` answers an HTML page holding one
//! `<form method="post" action="/v2/auth/authorize/">` with these fields:
//!
//! | field | kind | value |
//! |---|---|---|
//! | `client_key`, `redirect_uri`, `response_type`, `scope`, `state`, `code_challenge`, `code_challenge_method` | hidden | echoed from the request (`scope` comma-separated) |
//! | `open_id` | `<select>` | the creator who signs in (one option per sandbox creator) |
//! | `granted_scope` | checkbox, one per requested scope, all checked | untick to grant fewer scopes; `user.info.basic` is always granted when requested |
//! | `decision` | submit button | `authorize` or `cancel` |
//!
//! The POST answers `302 Found` to the redirect URI with `code`, `scopes` and `state`, or
//! with `error=access_denied`, `error_description` and `state` on cancel (or when no scope is
//! left). A request with an unknown client key, an unregistered redirect URI, a bad scope or
//! a bad response type answers `400` with an HTML error page (never a redirect) whose
//! `<code id="error">` holds the OAuth error code (`invalid_client`, `invalid_request`,
//! `invalid_scope`, `unsupported_response_type`).
//!
//! [`ConsentForm::parse`] reads the form back out of the page, so a test can
//! GET the page, pick a creator and POST the form over real HTTP without an HTML parser.
#![warn(missing_docs)]

mod clock;
mod config;
mod consent_form;
mod data;
mod endpoint;
mod error;
mod fault;
mod grants;
mod html;
mod pkce;
mod rate_limit;
mod routes;
mod scope;
mod secrets;
mod server;
mod state;
mod webhook;
mod wire;

pub use clock::SandboxClock;
pub use config::{
    DEFAULT_CLIENT_KEY, DEFAULT_CLIENT_SECRET, DEFAULT_REDIRECT_URIS, MAX_CREATORS,
    MAX_TOTAL_VIDEOS, MAX_VIDEOS_PER_CREATOR, RegisteredClient, SandboxConfig, VideosPerCreator,
    WebhookRetry,
};
pub use consent_form::ConsentForm;
pub use data::{CreatorDetails, CreatorSummary, SandboxVideo};
pub use endpoint::Endpoint;
pub use error::SandboxError;
pub use fault::{ActiveFault, Fault};
pub use grants::Revocation;
pub use html::escape_html;
pub use pkce::{PkceFailure, is_well_formed_verifier, verify_s256};
pub use scope::Scope;
pub use server::{Sandbox, SandboxHandle};
pub use webhook::{RemovalReason, WebhookDelivery, sign_webhook};
