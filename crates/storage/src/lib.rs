//! Storage for the connect-and-sync service: one Diesel schema and one repository code path
//! over SQLite (the embedded default) and PostgreSQL, with tokens encrypted at rest.
//!
//! Start with [`Database::connect`]; every repository is a method on [`Database`]:
//!
//! - OAuth states: [`Database::create_oauth_state`], [`Database::consume_oauth_state`].
//! - Connections and tokens: [`Database::upsert_connection`], [`Database::connection_tokens`],
//!   [`Database::swap_tokens`], [`Database::mark_needs_reauth`], [`Database::disconnect`], …
//! - Sync: [`Database::apply_sync`] (a full walk), [`Database::apply_shallow_sync`] (only the
//!   newest pages), [`Database::start_sync_run`], [`Database::finish_sync_run`],
//!   [`Database::count_videos_posted_since`] (for the sync depth's estimates).
//! - Reads: [`Database::list_videos`], [`Database::list_user_videos`],
//!   [`Database::profile_history`].
//! - Webhooks and the host outbox: [`Database::record_webhook_event`],
//!   [`Database::claim_outbound_events`]; changes that notify the host take a `notify` event
//!   and queue it in the same transaction.
//! - Shared limits: [`Database::consume_quota`], [`Database::lease_due_connections`],
//!   [`Database::try_lease_connection`].
//!
//! Times are passed in by the caller (`now`), never read from the clock here, so services and
//! tests control them.
#![warn(missing_docs)]

mod activity;
mod batch;
pub mod cipher;
mod connections;
mod cooldowns;
mod db;
mod deletion_requests;
pub mod error;
mod leasing;
mod limit;
mod models;
mod oauth_states;
mod outbox;
mod pauses;
mod planning;
mod profile_columns;
mod quota;
mod reads;
pub mod schema;
mod sync_runs;
mod sync_writes;
mod time;
mod webhooks;

pub use cipher::{CryptoError, TokenCipher, TokenKey};
pub use connections::{NewConnection, ReceivedTokens, StoredTokens};
pub use db::{Backend, ConnectOptions, Database};
pub use deletion_requests::{DeletionRequest, NewDeletionRequest};
pub use error::{OAuthStateRejection, StorageError, StorageResult};
pub use oauth_states::{ConsumedOAuthState, NewOAuthState};
pub use outbox::{DeliveryState, NewOutboundEvent, OutboundEvent, OutboundEventStatus};
pub use quota::{QuotaUsage, QuotaWindow};
pub use reads::{
    SortDirection, StoredCounters, StoredVideo, StoredVideoPage, TotalsOfVideos, VideoQuery,
    VideoSort,
};
pub use sync_runs::{INTERRUPTED_RUN_CODE, SyncRunFinish};
pub use sync_writes::{AppliedSync, SyncWrite};
pub use webhooks::{NewWebhookEvent, WebhookEventRecord};
