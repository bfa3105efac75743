//! A hook around every HTTP attempt, for shared quotas and metrics.

use std::time::Duration;

use futures::future::BoxFuture;

use crate::Endpoint;

/// Observes, and may veto, every HTTP attempt the client makes.
///
/// [`before_call`](Self::before_call) runs before **every** attempt,
/// retries included, after the in-process rate limiter let it through: a
/// service counts each call against a shared quota there. A rejection aborts
/// the call with [`TikTokError::CallRejected`](crate::TikTokError::CallRejected)
/// and is never retried by the client.
///
/// This is where a budget is shared **across processes**: TikTok counts calls
/// per app and endpoint over a sliding minute, whatever process sends them,
/// while the optional [`EndpointRateLimiter`](crate::EndpointRateLimiter)
/// only paces one process. A hook that increments a counter every process
/// sees (a database row per endpoint and window, updated atomically; a Redis
/// `INCR` with an expiry) and refuses once the window is spent keeps all of
/// them within one budget. Calls through
/// [`raw_call`](crate::TikTokClient::raw_call) arrive as
/// [`Endpoint::Raw`](crate::Endpoint::Raw) with their path.
///
/// ```
/// use futures::future::BoxFuture;
/// use tiktok_client::{CallHook, CallRejected, Endpoint};
///
/// struct CountCalls(std::sync::atomic::AtomicU32);
///
/// impl CallHook for CountCalls {
///     fn before_call(&self, _endpoint: Endpoint) -> BoxFuture<'_, Result<(), CallRejected>> {
///         Box::pin(async move {
///             self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait CallHook: Send + Sync {
    /// Called before each HTTP attempt; `Err` prevents it.
    fn before_call(&self, endpoint: Endpoint) -> BoxFuture<'_, Result<(), CallRejected>>;

    /// Called after each attempt that was sent. `status` is `None` when no
    /// response arrived (timeout, connection failure). `error_code` is
    /// TikTok's error code when the body carried one, else this crate's
    /// [`TikTokError::kind`](crate::TikTokError::kind) for a failed attempt,
    /// and `None` on success. The default does nothing.
    fn after_call(&self, endpoint: Endpoint, status: Option<u16>, error_code: Option<&str>) {
        let _ = (endpoint, status, error_code);
    }
}

/// A [`CallHook`]'s refusal to let a call through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRejected {
    /// Why, for logs and the caller (e.g. "daily quota spent").
    pub reason: String,
    /// When a call may be allowed again, when known.
    pub retry_after: Option<Duration>,
}

impl CallRejected {
    /// A rejection with a reason and an optional delay.
    pub fn new(reason: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self {
            reason: reason.into(),
            retry_after,
        }
    }
}
