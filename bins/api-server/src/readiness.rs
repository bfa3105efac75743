//! Readiness: can this instance serve traffic? `GET /readyz` asks a [`ReadinessProbe`]; the
//! services wiring supplies one that pings the database.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The future a probe returns. Not `Send`: actix runs handlers on per-worker threads.
pub type ProbeFuture<'a> = Pin<Box<dyn Future<Output = Result<(), NotReady>> + 'a>>;

/// Why the instance is not ready.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{component} is not ready: {reason}")]
pub struct NotReady {
    /// What failed, e.g. `database`. Sent to the client.
    pub component: &'static str,
    /// Details, logged only (they may name hosts).
    pub reason: String,
}

/// Checks the dependencies the service needs to answer requests.
pub trait ReadinessProbe: Send + Sync {
    /// Resolves to `Ok(())` when ready.
    fn check(&self) -> ProbeFuture<'_>;
}

/// A probe with no dependency to check: ready while the process serves requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDependencies;

impl ReadinessProbe for NoDependencies {
    fn check(&self) -> ProbeFuture<'_> {
        Box::pin(async { Ok(()) })
    }
}

/// Adapts a closure returning a future into a [`ReadinessProbe`].
pub struct FnProbe<F>(pub F);

impl<F, Fut> ReadinessProbe for FnProbe<F>
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<(), NotReady>> + 'static,
{
    fn check(&self) -> ProbeFuture<'_> {
        Box::pin((self.0)())
    }
}

/// Wraps a closure as a shared probe: `probe_fn(move || { let db = db.clone(); async move { ... } })`.
pub fn probe_fn<F, Fut>(check: F) -> Arc<dyn ReadinessProbe>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), NotReady>> + 'static,
{
    Arc::new(FnProbe(check))
}
