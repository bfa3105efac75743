//! The use cases that the api-server and the sync-worker run: connect (begin and complete the
//! OAuth flow), disconnect, sync one account, refresh tokens that expire soon, and the reads
//! behind the dashboard.
//!
//! Rules that hold everywhere here (see `docs/architecture.md`):
//! - every TikTok call is counted against the shared quota before it is made ([`quota`]);
//! - token lifetimes come from each response, never from constants;
//! - a rotated refresh token is stored (with its access token, in one compare-and-swap)
//!   before the new access token is used, and never overwritten with an empty one;
//! - only a refresh that TikTok rejects marks a connection `needs_reauth`; outages are
//!   recorded and retried;
//! - one account's sync writes in one transaction, and every sync is recorded in `sync_runs`.
#![warn(missing_docs)]

pub mod clock;
mod connect;
mod disconnect;
pub mod error;
mod lease;
mod mapping;
pub mod notifications;
pub mod observer;
pub mod outbox;
pub mod quota;
mod read;
mod sync;
mod tokens;
mod video_walk;
pub mod views;
mod webhooks;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::TimeDelta;
use domain::{ConnectionId, TokenExpiryPolicy};
use storage::Database;
use tiktok_client::TikTokClient;

pub use connect::{CallbackParams, Connected};
pub use disconnect::RevocationOutcome;
pub use error::{ConnectError, ServiceError};
pub use storage::{SortDirection, VideoQuery, VideoSort};
pub use sync::{FailureSource, ManualSync, SyncReport};
pub use tokens::RefreshReport;
pub use webhooks::{PrunedHistory, WebhookHandled, WebhookRejection};
pub use worker::{
    NoProgress, StopSignal, SyncAllReport, SyncProgress, TokenPassReport, WorkerConfig,
    WorkerStatus,
};

use crate::clock::Clock;
use crate::observer::ServiceObserver;
use crate::quota::{QuotaConfig, QuotaHook};

/// The default [`ServicesConfig::rotation_grace`].
pub const DEFAULT_ROTATION_GRACE: Duration = Duration::from_secs(5);

/// Settings of the use cases.
#[derive(Debug, Clone)]
pub struct ServicesConfig {
    /// The scopes the service asks TikTok for; what a user did not grant is reported missing.
    pub requested_scopes: Vec<String>,
    /// When access tokens are refreshed.
    pub token_policy: TokenExpiryPolicy,
    /// Minimum time between two manual syncs of one connection.
    pub manual_sync_cooldown: Duration,
    /// Lifetime of an OAuth state (the time a creator has to authorize).
    pub oauth_state_ttl: TimeDelta,
    /// TikTok's call budget.
    pub quota: QuotaConfig,
    /// How long a sync may hold its connection's lease before another process may take it.
    pub sync_lease: Duration,
    /// Who this process is, in leases (unique per process).
    pub instance_id: String,
    /// Whether changes queue notifications for the host product (`HOST_WEBHOOK_URL` is set).
    pub host_notifications: bool,
    /// How far the timestamp of a platform's webhook signature may be from now.
    pub webhook_tolerance: Duration,
    /// How long a refresh the platform rejected as `invalid_grant` waits for another
    /// process's rotation of the same token to be stored before the connection is declared
    /// `needs_reauth` (the winner's answer and its database write take well under the
    /// default 5 s).
    pub rotation_grace: Duration,
}

impl ServicesConfig {
    /// Defaults from the design: 5-minute cooldown, 10-minute states, TikTok's 600 calls per
    /// minute per endpoint, no daily cap.
    pub fn new(requested_scopes: Vec<String>, instance_id: impl Into<String>) -> Self {
        Self {
            requested_scopes,
            token_policy: TokenExpiryPolicy::default(),
            manual_sync_cooldown: Duration::from_secs(300),
            oauth_state_ttl: TimeDelta::minutes(10),
            quota: QuotaConfig {
                per_minute_per_endpoint: 600,
                daily: None,
                manual_reserve: 0,
            },
            sync_lease: Duration::from_secs(15 * 60),
            instance_id: instance_id.into(),
            host_notifications: false,
            webhook_tolerance: tiktok_client::DEFAULT_SIGNATURE_TOLERANCE,
            rotation_grace: DEFAULT_ROTATION_GRACE,
        }
    }
}

/// The use cases, sharing one database, one TikTok client and one clock. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    db: Database,
    tiktok: TikTokClient,
    clock: Arc<dyn Clock>,
    observer: Arc<dyn ServiceObserver>,
    config: ServicesConfig,
    /// One refresh per connection at a time within this process (across processes the
    /// compare-and-swap on the token version decides).
    refresh_locks: Mutex<HashMap<ConnectionId, Arc<tokio::sync::Mutex<()>>>>,
    /// Numbers the leases this process takes.
    lease_counter: std::sync::atomic::AtomicU64,
    /// Wakes this process's outbox deliverer when a change queued a notification.
    outbox_wake: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("db", &self.inner.db)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Services {
    /// Builds the use cases. `tiktok` gets a [`QuotaHook`] so every call it makes is counted
    /// against the database quota first.
    pub fn new(
        db: Database,
        tiktok: TikTokClient,
        clock: Arc<dyn Clock>,
        observer: Arc<dyn ServiceObserver>,
        config: ServicesConfig,
    ) -> Self {
        let hook = QuotaHook::new(
            db.clone(),
            Arc::clone(&clock),
            config.quota,
            Arc::clone(&observer),
        );
        let tiktok = tiktok.with_call_hook(Arc::new(hook));
        Self {
            inner: Arc::new(Inner {
                db,
                tiktok,
                clock,
                observer,
                config,
                refresh_locks: Mutex::new(HashMap::new()),
                lease_counter: std::sync::atomic::AtomicU64::new(0),
                outbox_wake: Arc::new(tokio::sync::Notify::new()),
            }),
        }
    }

    /// The database, for readiness probes and the worker's status display.
    pub fn database(&self) -> &Database {
        &self.inner.db
    }

    /// The settings in force.
    pub fn config(&self) -> &ServicesConfig {
        &self.inner.config
    }

    /// Signalled whenever a change queued a host notification: an [`outbox::Deliverer`]
    /// built with it delivers at once instead of at its next poll.
    pub fn outbox_signal(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.inner.outbox_wake)
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// The notification `build` makes, when host notifications are on.
    fn notice(
        &self,
        build: impl FnOnce() -> notifications::Notice,
    ) -> Option<notifications::Notice> {
        self.inner.config.host_notifications.then(build)
    }

    /// Tells the deliverer that `notice` was queued (when there was one).
    fn queued(&self, notice: Option<&notifications::Notice>) {
        if notice.is_some() {
            self.inner.outbox_wake.notify_one();
        }
    }

    /// A lease holder name unique to this process and call.
    fn lease_holder(&self) -> String {
        let n = self
            .inner
            .lease_counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{}#{n}", self.inner.config.instance_id)
    }

    /// The requested scopes that `granted` lacks.
    fn missing_scopes(&self, granted: &[String]) -> Vec<String> {
        self.inner
            .config
            .requested_scopes
            .iter()
            .filter(|scope| !granted.contains(scope))
            .cloned()
            .collect()
    }
}
