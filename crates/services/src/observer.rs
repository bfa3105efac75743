//! A seam for metrics: the services report what happened, the binary decides how to count it
//! (Prometheus in the api-server), without this crate depending on a metrics library.

use domain::SyncOutcome;

/// Receives events worth counting. Every method has a no-op default.
pub trait ServiceObserver: Send + Sync {
    /// A platform HTTP attempt finished (`status` is `None` when no response arrived).
    fn platform_call(&self, platform: domain::Platform, endpoint: &str, status: Option<u16>) {
        let _ = (platform, endpoint, status);
    }

    /// A sync run ended with `outcome`.
    fn sync_run(&self, outcome: SyncOutcome) {
        let _ = outcome;
    }

    /// A token refresh ended: `outcome` is `success`, `rejected` (re-auth needed),
    /// `failed` (transient) or `lost_race` (another process refreshed first).
    fn token_refresh(&self, outcome: &'static str) {
        let _ = outcome;
    }

    /// The quota left in a window after a call was counted (`window` is `minute` or `day`).
    fn quota_left(&self, bucket: &str, window: &'static str, left: i64) {
        let _ = (bucket, window, left);
    }

    /// A revocation at the platform on disconnect ended: `outcome` is `revoked`, `failed`
    /// or `not_supported`.
    fn revocation(&self, outcome: &'static str) {
        let _ = outcome;
    }

    /// A verified platform callback was handled: `outcome` is `disconnected`,
    /// `unknown_account`, `own_revocation`, `older_than_grant`, `ignored`, `duplicate` or
    /// `data_deleted`.
    fn webhook_received(&self, event: &str, outcome: &'static str) {
        let _ = (event, outcome);
    }

    /// An attempt to deliver a host notification ended: `result` is `delivered`, `failed`
    /// (retried later) or `gave_up` (its retry window is spent).
    fn host_delivery(&self, result: &'static str) {
        let _ = result;
    }
}

/// An observer that counts nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopObserver;

impl ServiceObserver for NoopObserver {}
