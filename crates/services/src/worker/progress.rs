//! Following a pass as it goes, and asking it to stop.

use scheduler::SyncPlan;
use tokio::sync::watch;

use crate::sync::SyncReport;

/// Follows a pass as it goes (a progress bar, log lines). Every method has a no-op default.
pub trait SyncProgress: Send + Sync {
    /// The plan is made: `plan.selected` are about to run.
    fn planned(&self, plan: &SyncPlan) {
        let _ = plan;
    }

    /// One account's sync ended.
    fn account_finished(&self, report: &SyncReport) {
        let _ = report;
    }
}

/// Progress that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl SyncProgress for NoProgress {}

/// A stop request: once the sender says `true`, no further account is started; those in
/// progress finish.
pub type StopSignal = watch::Receiver<bool>;
