//! Every TikTok call is counted against the shared budget in the database before it is made,
//! so all processes (api-servers and sync workers) share one per-minute and one daily budget.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use storage::{Database, QuotaWindow, StorageError};
use tiktok_client::{CallHook, CallRejected, Endpoint};

use crate::clock::Clock;
use crate::observer::ServiceObserver;

/// The per-app budget TikTok grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaConfig {
    /// Calls per minute per endpoint (TikTok documents 600).
    pub per_minute_per_endpoint: u32,
    /// Calls per day for the whole app, when capped.
    pub daily: Option<u32>,
    /// Part of the daily budget that scheduled syncs leave for manual ones.
    pub manual_reserve: u32,
}

impl QuotaConfig {
    /// The daily limit that applies to calls of `priority`.
    pub fn daily_limit_for(&self, priority: CallPriority) -> Option<u32> {
        self.daily.map(|daily| match priority {
            CallPriority::Interactive => daily,
            CallPriority::Background => daily.saturating_sub(self.manual_reserve),
        })
    }
}

/// Who is spending the budget: a person waiting (manual sync, connect, disconnect) may use the
/// reserve; the scheduled worker may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallPriority {
    /// A creator is waiting for the answer.
    Interactive,
    /// Scheduled work.
    Background,
}

/// What the calls made inside one use case are attributed to.
#[derive(Debug)]
pub struct CallContext {
    priority: CallPriority,
    calls: AtomicU32,
}

impl CallContext {
    /// A fresh context with no calls counted.
    pub fn new(priority: CallPriority) -> Arc<Self> {
        Arc::new(Self {
            priority,
            calls: AtomicU32::new(0),
        })
    }

    /// The TikTok calls made (attempts, retries included) under this context so far.
    pub fn calls(&self) -> u32 {
        self.calls.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    /// The context of the use case running on this task, read by [`QuotaHook`].
    pub(crate) static CALL_CONTEXT: Arc<CallContext>;
}

/// Runs `future` with every TikTok call it makes attributed to `context`.
pub(crate) async fn with_context<F: Future>(context: Arc<CallContext>, future: F) -> F::Output {
    CALL_CONTEXT.scope(context, future).await
}

/// The bucket of one endpoint's per-minute window.
pub fn minute_bucket(endpoint: Endpoint) -> String {
    format!("tiktok:{}", endpoint.as_str())
}

/// The bucket of the app's daily window.
pub const DAILY_BUCKET: &str = "tiktok:app";

/// The [`CallHook`] that consumes the database quota before each TikTok call.
pub struct QuotaHook {
    db: Database,
    clock: Arc<dyn Clock>,
    config: QuotaConfig,
    observer: Arc<dyn ServiceObserver>,
}

impl QuotaHook {
    /// A hook over `db`'s `api_quota` table.
    pub fn new(
        db: Database,
        clock: Arc<dyn Clock>,
        config: QuotaConfig,
        observer: Arc<dyn ServiceObserver>,
    ) -> Self {
        Self {
            db,
            clock,
            config,
            observer,
        }
    }

    async fn consume(&self, endpoint: Endpoint) -> Result<(), CallRejected> {
        let context = CALL_CONTEXT.try_with(Arc::clone).ok();
        let priority = context
            .as_ref()
            .map_or(CallPriority::Background, |context| context.priority);
        let now = self.clock.now();
        let bucket = minute_bucket(endpoint);
        let usage = self
            .db
            .consume_quota(
                &bucket,
                QuotaWindow::Minute,
                now,
                1,
                i64::from(self.config.per_minute_per_endpoint),
            )
            .await
            .map_err(|error| rejection(error, now))?;
        self.observer.quota_left(&bucket, "minute", usage.remaining);
        if let Some(limit) = self.config.daily_limit_for(priority) {
            let usage = self
                .db
                .consume_quota(DAILY_BUCKET, QuotaWindow::Day, now, 1, i64::from(limit))
                .await
                .map_err(|error| rejection(error, now))?;
            self.observer
                .quota_left(DAILY_BUCKET, "day", usage.remaining);
        }
        if let Some(context) = context {
            context.calls.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// A storage refusal as the client's [`CallRejected`].
fn rejection(error: StorageError, now: chrono::DateTime<chrono::Utc>) -> CallRejected {
    match error {
        StorageError::QuotaExceeded { bucket, retry_at } => CallRejected::new(
            format!("TikTok call budget spent ({bucket})"),
            Some((retry_at - now).to_std().unwrap_or(Duration::ZERO)),
        ),
        // Without the database the budget cannot be checked: refuse rather than overspend.
        other => CallRejected::new(format!("call budget unavailable: {other}"), None),
    }
}

impl CallHook for QuotaHook {
    fn before_call(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), CallRejected>> {
        Box::pin(self.consume(endpoint))
    }

    fn after_call(&self, endpoint: Endpoint, status: Option<u16>, _error_code: Option<&str>) {
        self.observer.tiktok_call(endpoint.as_str(), status);
    }
}
