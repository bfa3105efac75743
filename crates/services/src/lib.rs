//! The use cases that the api-server and the sync-worker run: connect (begin and complete the
//! OAuth flow), disconnect, sync one account, refresh tokens that expire soon, and the reads
//! behind the dashboard, for every platform the service is built with.
//!
//! The use cases speak of platforms, not of TikTok: what differs per platform is behind
//! [`platforms::PlatformAdapter`] (one implementation per platform, in
//! [`platforms`]). Rules that hold everywhere here (see `docs/architecture.md`):
//! - every platform call is counted against the shared budget before it is made ([`quota`]);
//! - token lifetimes come from each response, never from constants;
//! - a rotated refresh token is stored (with its access token, in one compare-and-swap)
//!   before the new access token is used, and never overwritten with an empty one;
//! - only a refresh that the platform rejects marks a connection `needs_reauth`; outages are
//!   recorded and retried;
//! - one account's sync writes in one transaction, and every sync is recorded in `sync_runs`.
#![warn(missing_docs)]

pub mod clock;
mod connect;
mod disconnect;
pub mod error;
pub mod housekeeping;
mod interactive;
mod lease;
pub mod notifications;
pub mod observer;
pub mod outbox;
pub mod overview;
pub mod platforms;
pub mod quota;
mod read;
pub mod retention;
mod sync;
mod tokens;
pub mod views;
mod webhooks;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::TimeDelta;
use domain::{ConnectionId, Platform};
use storage::Database;

pub use connect::{BrowserStart, CONNECT_START_WINDOW, Connected};
pub use disconnect::RevocationOutcome;
pub use error::{ConnectError, ServiceError};
pub use platforms::{CallbackParams, PlatformAdapter, Platforms};
pub use storage::{SortDirection, VideoQuery, VideoSort};
pub use sync::{FailureSource, ManualSync, SyncReport};
pub use tokens::RefreshReport;
pub use webhooks::{
    DELETION_DONE, DELETION_NOTHING_HELD, HandledCallback, PrunedHistory, WebhookHandled,
    WebhookRejection,
};
pub use worker::{
    NoProgress, PlatformPlan, StopSignal, SyncAllReport, SyncProgress, TokenPassReport,
    WorkerConfig, WorkerStatus,
};

use crate::clock::Clock;
use crate::observer::ServiceObserver;
use crate::quota::CallBudget;

/// The default [`ServicesConfig::rotation_grace`].
pub const DEFAULT_ROTATION_GRACE: Duration = Duration::from_secs(5);

/// Settings of the use cases (what differs per platform is its adapter's and its budget's).
#[derive(Debug, Clone)]
pub struct ServicesConfig {
    /// Minimum time between two manual syncs of one connection.
    pub manual_sync_cooldown: Duration,
    /// Lifetime of an OAuth state (the time a creator has to authorize).
    pub oauth_state_ttl: TimeDelta,
    /// How long a sync may hold its connection's lease before another process may take it.
    pub sync_lease: Duration,
    /// Who this process is, in leases (unique per process).
    pub instance_id: String,
    /// Whether changes queue notifications for the host product (`HOST_WEBHOOK_URL` is set).
    pub host_notifications: bool,
    /// How long a refresh the platform rejected as `invalid_grant` waits for another
    /// process's rotation of the same token to be stored before the connection is declared
    /// `needs_reauth` (the winner's answer and its database write take well under the
    /// default 5 s).
    pub rotation_grace: Duration,
    /// The most connect attempts a user may have open (begun, not finished); a new one
    /// evicts the oldest.
    pub max_open_connects: usize,
}

/// The default [`ServicesConfig::max_open_connects`].
pub const DEFAULT_MAX_OPEN_CONNECTS: usize = 5;

impl ServicesConfig {
    /// Defaults from the design: 5-minute cooldown, 10-minute states, 15-minute sync leases.
    pub fn new(instance_id: impl Into<String>) -> Self {
        Self {
            manual_sync_cooldown: Duration::from_secs(300),
            oauth_state_ttl: TimeDelta::minutes(10),
            sync_lease: Duration::from_secs(15 * 60),
            instance_id: instance_id.into(),
            host_notifications: false,
            rotation_grace: DEFAULT_ROTATION_GRACE,
            max_open_connects: DEFAULT_MAX_OPEN_CONNECTS,
        }
    }
}

/// The use cases, sharing one database, one set of platforms, one budget and one clock.
/// Cheap to clone.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    db: Database,
    platforms: Platforms,
    budget: Arc<CallBudget>,
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
    /// Counts the purges [`Services::run_housekeeping`] finished, for whoever waits on one.
    purges_done: tokio::sync::watch::Sender<u64>,
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
    /// Builds the use cases over `platforms`, whose adapters spend `budget` (the same one)
    /// before every call.
    pub fn new(
        db: Database,
        platforms: Platforms,
        budget: Arc<CallBudget>,
        clock: Arc<dyn Clock>,
        observer: Arc<dyn ServiceObserver>,
        config: ServicesConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                platforms,
                budget,
                clock,
                observer,
                config,
                refresh_locks: Mutex::new(HashMap::new()),
                lease_counter: std::sync::atomic::AtomicU64::new(0),
                outbox_wake: Arc::new(tokio::sync::Notify::new()),
                purges_done: tokio::sync::watch::Sender::new(0),
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

    /// The platforms this service runs.
    pub fn platforms(&self) -> &Platforms {
        &self.inner.platforms
    }

    /// The shared call budget.
    pub fn budget(&self) -> &Arc<CallBudget> {
        &self.inner.budget
    }

    /// The adapter of `platform`.
    ///
    /// # Errors
    /// [`ServiceError::UnknownPlatform`] when this service does not run it.
    pub fn adapter(&self, platform: Platform) -> Result<&Arc<dyn PlatformAdapter>, ServiceError> {
        self.inner
            .platforms
            .get(platform)
            .ok_or(ServiceError::UnknownPlatform(platform))
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

    /// The scopes `adapter` asks for that `granted` lacks.
    fn missing_scopes(adapter: &dyn PlatformAdapter, granted: &[String]) -> Vec<String> {
        adapter
            .traits()
            .requested_scopes
            .iter()
            .filter(|scope| !granted.contains(scope))
            .cloned()
            .collect()
    }
}
