//! Polling for a condition with a deadline: the only way these tests wait.

use std::future::Future;
use std::time::Duration;

/// How long any one condition may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);
const POLL_EVERY: Duration = Duration::from_millis(100);

/// Polls `check` until it returns `Some`, and returns that; panics after [`TIMEOUT`] naming
/// `what` was awaited.
pub async fn until<T, F, Fut>(what: &str, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    until_within(what, TIMEOUT, check).await
}

/// [`until`] with its own deadline, for steps that legitimately take longer.
pub async fn until_within<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("timed out after {} s waiting for {what}", timeout.as_secs());
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}
