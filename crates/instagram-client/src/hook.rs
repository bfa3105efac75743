//! A hook around every HTTP attempt, for shared budgets and metrics.

use std::time::Duration;

use futures::future::BoxFuture;

use crate::{Endpoint, Usage};

/// What the client is about to call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallInfo<'a> {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// The account the call is about (an Instagram user id or `me`), when known: Meta's
    /// Business Use Case budget is per account, so a budget keyed by it matches Meta's.
    pub account: Option<&'a str>,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
}

/// How an attempt ended, for [`CallHook::after_call`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct CallOutcome<'a> {
    /// The HTTP status, or `None` when no response arrived.
    pub status: Option<u16>,
    /// `None` on success, else [`InstagramError::kind`](crate::InstagramError::kind).
    pub error_kind: Option<&'static str>,
    /// Meta's error code, when the body carried one.
    pub error_code: Option<i64>,
    /// The usage headers of the response, when present.
    pub usage: Option<&'a Usage>,
}

/// Observes, and may veto, every HTTP attempt the client makes.
///
/// [`before_call`](Self::before_call) runs before **every** attempt, retries included: a
/// service counts each call against a shared budget there (across processes, if its store
/// is shared). A rejection aborts the call with
/// [`InstagramError::CallRejected`](crate::InstagramError::CallRejected), never retried.
///
/// ```
/// use futures::future::BoxFuture;
/// use instagram_client::{CallHook, CallInfo, CallRejected};
///
/// struct CountCalls(std::sync::atomic::AtomicU32);
///
/// impl CallHook for CountCalls {
///     fn before_call<'a>(&'a self, _call: CallInfo<'a>) -> BoxFuture<'a, Result<(), CallRejected>> {
///         Box::pin(async move {
///             self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///             Ok(())
///         })
///     }
/// }
/// ```
pub trait CallHook: Send + Sync {
    /// Called before each HTTP attempt; `Err` prevents it.
    fn before_call<'a>(&'a self, call: CallInfo<'a>) -> BoxFuture<'a, Result<(), CallRejected>>;

    /// Called after each attempt that was sent (the usage headers let a caller slow an
    /// account down before Meta throttles it). The default does nothing.
    fn after_call(&self, call: CallInfo<'_>, outcome: CallOutcome<'_>) {
        let _ = (call, outcome);
    }
}

/// A [`CallHook`]'s refusal of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRejected {
    /// Why (logged and carried by the error).
    pub reason: String,
    /// When a call may be allowed again, if the hook knows.
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
