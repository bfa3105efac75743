//! A hook around every HTTP attempt, for shared quota budgets and metrics.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use crate::{Endpoint, QuotaBucket, UnitCost};

/// What the client is about to call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallInfo<'a> {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Google's method name (`videos.list`, ...), for the calls that spend quota.
    pub method: Option<&'a str>,
    /// What the attempt costs by the configured [`QuotaTable`](crate::QuotaTable), for the
    /// calls that spend quota (OAuth calls spend none). Every attempt is charged by Google,
    /// retries and invalid requests included.
    pub cost: Option<UnitCost>,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
}

/// A daily bucket Google said is spent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaExhausted {
    /// The bucket of the call that was refused, when it spends quota.
    pub bucket: Option<QuotaBucket>,
    /// The next midnight Pacific time.
    pub resets_at: DateTime<Utc>,
}

/// How an attempt ended, for [`CallHook::after_call`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct CallOutcome<'a> {
    /// The HTTP status, or `None` when no response arrived.
    pub status: Option<u16>,
    /// `None` on success, else [`YouTubeError::kind`](crate::YouTubeError::kind).
    pub error_kind: Option<&'static str>,
    /// Google's `reason` (`quotaExceeded`, ...) or OAuth `error` (`invalid_grant`, ...).
    pub reason: Option<&'a str>,
    /// Set when Google said a daily bucket is spent: stop calling it until `resets_at`.
    pub quota_exhausted: Option<QuotaExhausted>,
}

/// Observes, and may veto, every HTTP attempt the client makes.
///
/// [`before_call`](Self::before_call) runs before **every** attempt, retries included, with
/// the attempt's unit cost: a service counts it against a shared daily budget there (across
/// processes, if its store is shared). A rejection aborts the call with
/// [`YouTubeError::CallRejected`](crate::YouTubeError::CallRejected), never retried.
/// [`QuotaLedger`](crate::QuotaLedger) is an in-process implementation.
///
/// ```
/// use futures::future::BoxFuture;
/// use youtube_client::{CallHook, CallInfo, CallRejected};
///
/// struct CountUnits(std::sync::atomic::AtomicU64);
///
/// impl CallHook for CountUnits {
///     fn before_call<'a>(&'a self, call: CallInfo<'a>) -> BoxFuture<'a, Result<(), CallRejected>> {
///         Box::pin(async move {
///             let units = call.cost.map_or(0, |cost| cost.units);
///             self.0.fetch_add(units, std::sync::atomic::Ordering::Relaxed);
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait CallHook: Send + Sync {
    /// Called before each HTTP attempt; `Err` prevents it.
    fn before_call<'a>(&'a self, call: CallInfo<'a>) -> BoxFuture<'a, Result<(), CallRejected>>;

    /// Called after each attempt that was sent. The default does nothing.
    fn after_call(&self, call: CallInfo<'_>, outcome: CallOutcome<'_>) {
        let _ = (call, outcome);
    }
}

/// A [`CallHook`]'s refusal of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRejected {
    /// Why (logged and carried by the error).
    pub reason: String,
    /// When a call may be allowed again, if the hook knows (the next quota reset, say).
    pub retry_after: Option<Duration>,
}

impl CallRejected {
    /// A refusal with a reason and an optional wait.
    pub fn new(reason: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self {
            reason: reason.into(),
            retry_after,
        }
    }
}
