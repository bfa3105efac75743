//! Holding a connection's sync lease around a piece of work, and giving it back.
//!
//! A lease says "this process is syncing (or refreshing) this connection": every sync, manual
//! or scheduled, and every token refresh of the worker takes one, so no connection is worked
//! on twice at once. A lease that cannot be given back (the database failed) is not an error
//! of the work: it expires by itself.

use std::time::Duration;

use domain::ConnectionId;
use storage::StorageError;
use tracing::warn;

use crate::Services;

/// How long a pass keeps trying to give its leases back while the database is unavailable.
pub(crate) const LEASE_RELEASE_PATIENCE: Duration = Duration::from_secs(30);

impl Services {
    /// Runs `work` under `connection`'s lease for `duration` as `holder`, then gives the lease
    /// back. `Ok(None)` when another holder has it (the work did not run).
    ///
    /// # Errors
    /// A [`StorageError`] when the lease cannot be taken (the work did not run).
    pub(crate) async fn with_lease<T>(
        &self,
        connection: ConnectionId,
        holder: &str,
        duration: Duration,
        work: impl Future<Output = T>,
    ) -> Result<Option<T>, StorageError> {
        if !self
            .inner
            .db
            .try_lease_connection(connection, holder, self.now(), duration)
            .await?
        {
            return Ok(None);
        }
        let done = work.await;
        self.release_lease(connection, holder).await;
        Ok(Some(done))
    }

    /// Gives back every lease of `connections`, trying again for up to
    /// [`LEASE_RELEASE_PATIENCE`] while the database is unavailable (a restart mid-pass), so
    /// that a short outage does not strand a whole batch until its leases expire; what still
    /// cannot be given back is logged, and expires.
    pub(crate) async fn release_leases_patiently(
        &self,
        connections: &[ConnectionId],
        holder: &str,
    ) {
        let started = std::time::Instant::now();
        let mut left: Vec<ConnectionId> = connections.to_vec();
        let mut pause = Duration::from_millis(250);
        loop {
            let mut failed = Vec::new();
            let mut last_error = None;
            for &connection in &left {
                if let Err(error) = self.inner.db.release_lease(connection, holder).await {
                    failed.push(connection);
                    last_error = Some(error);
                }
            }
            let Some(error) = last_error else { return };
            if !error.is_unavailable() || started.elapsed() + pause > LEASE_RELEASE_PATIENCE {
                warn!(leases = failed.len(), %error, "could not give leases back; they will expire");
                return;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(4));
            left = failed;
        }
    }

    /// Gives `connection`'s lease back; a failure is logged, and the lease then expires.
    pub(crate) async fn release_lease(&self, connection: ConnectionId, holder: &str) {
        if let Err(error) = self.inner.db.release_lease(connection, holder).await {
            warn!(connection_id = %connection, %error, "could not release a lease; it will expire");
        }
    }
}
