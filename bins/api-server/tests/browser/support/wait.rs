//! Polling for a condition with a deadline: the only way these tests wait.

use std::future::Future;
use std::time::Duration;

/// How long any one condition may take before the test fails: generous, because a failure
/// path waits out the TikTok client's retries (seconds each) and CI machines are shared;
/// a passing condition returns as soon as it holds.
pub const TIMEOUT: Duration = Duration::from_secs(30);
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
pub async fn until_within<T, F, Fut>(what: &str, timeout: Duration, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    until_or_timeout(timeout, check)
        .await
        .unwrap_or_else(|| panic!("timed out after {} s waiting for {what}", timeout.as_secs()))
}

/// Polls `check` until it returns `Some` (returned) or `timeout` passes (`None`), for callers
/// that report a timeout with details of their own.
pub async fn until_or_timeout<T, F, Fut>(timeout: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}
