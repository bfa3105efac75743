//! Deleting what has expired, so no table grows without bound: OAuth states past their
//! expiry (one is written by every connect, finished or abandoned), quota windows past
//! their retention, and pauses that ended. Both processes run it: the api-server on a timer
//! ([`Services::run_housekeeping`]), the worker after each pass.

use std::time::Duration;

use tracing::{debug, warn};

use crate::Services;
use crate::error::ServiceError;

/// The default time between two purges of the api-server (`PURGE_INTERVAL_SECS`).
pub const DEFAULT_PURGE_INTERVAL: Duration = Duration::from_secs(300);

/// What [`Services::purge_expired`] deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PurgedRows {
    /// OAuth states past their expiry.
    pub oauth_states: usize,
    /// Quota windows past their retention.
    pub quota_windows: usize,
    /// Pauses that ended.
    pub pauses: usize,
    /// Users' interactive slots past their cooldown.
    pub interactive_slots: usize,
}

impl Services {
    /// Deletes the OAuth states, quota windows and pauses that have expired by the services'
    /// clock.
    ///
    /// # Errors
    /// [`ServiceError`] when the database fails (nothing is lost: the next purge retries).
    pub async fn purge_expired(&self) -> Result<PurgedRows, ServiceError> {
        let now = self.now();
        let db = &self.inner.db;
        Ok(PurgedRows {
            oauth_states: db.purge_oauth_states(now).await?,
            quota_windows: db.purge_quota(now).await?,
            pauses: db.purge_pauses(now).await?,
            interactive_slots: db
                .purge_interactive_slots(now - self.interactive_cooldown())
                .await?,
        })
    }

    /// Purges every `interval` for the life of the process (the first purge at once). A
    /// failed purge is logged and retried at the next tick. Each purge attempt, done or
    /// failed, is counted in [`Self::purges_done`].
    pub async fn run_housekeeping(self, interval: Duration) {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match self.purge_expired().await {
                Ok(purged) => debug!(?purged, "expired rows purged"),
                Err(error) => warn!(%error, "expired rows could not be purged"),
            }
            self.inner.purges_done.send_modify(|done| *done += 1);
        }
    }

    /// The number of purge attempts [`Self::run_housekeeping`] has finished in this process,
    /// changing as each one ends (so a caller can wait for the next purge instead of
    /// polling).
    pub fn purges_done(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.purges_done.subscribe()
    }
}
