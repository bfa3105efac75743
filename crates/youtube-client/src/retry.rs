//! Which failures are retried, and after how long.

use std::time::Duration;

use rand::Rng as _;

use crate::{ErrorClass, RetryPolicy, YouTubeError};

/// Whether an endpoint may be re-sent after Google may have acted on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetrySafety {
    /// Reads and revocation: repeating is harmless.
    Idempotent,
    /// The code exchange (a code is single use) and the refresh (a refresh token may rotate):
    /// re-sent only when Google certainly did not act (a failure to connect, a 429, a 5xx),
    /// never after a timeout.
    NotIdempotent,
}

/// The wait before retry number `attempt` (1-based) of a call that failed with `error`, or
/// `None` when the error is returned instead.
pub(crate) fn retry_delay(
    policy: &RetryPolicy,
    safety: RetrySafety,
    error: &YouTubeError,
    attempt: u32,
) -> Option<Duration> {
    if attempt > policy.max_retries || matches!(error, YouTubeError::CallRejected { .. }) {
        return None;
    }
    if safety == RetrySafety::NotIdempotent {
        let not_processed = match error {
            YouTubeError::Transport { connect, .. } => *connect,
            _ => error
                .http_status()
                .is_some_and(|status| status == 429 || (500..=599).contains(&status)),
        };
        if !not_processed {
            return None;
        }
    }
    if !matches!(
        error.class(),
        ErrorClass::Transient | ErrorClass::RateLimited { .. }
    ) {
        return None;
    }
    let backoff = jittered_backoff(policy, attempt);
    match error.retry_after() {
        // Google said how long: wait at least that, unless it is longer than we block for;
        // then the caller decides.
        Some(wait) if wait > policy.max_retry_after => None,
        Some(wait) => Some(backoff.max(wait)),
        None => Some(backoff),
    }
}

/// `initial_backoff * 2^(attempt-1)`, capped, then drawn uniformly from its upper half so
/// concurrent clients spread out.
fn jittered_backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    let exponent = attempt.saturating_sub(1).min(31);
    let base = policy
        .initial_backoff
        .saturating_mul(1u32 << exponent)
        .min(policy.max_backoff);
    let half = base / 2;
    if half.is_zero() {
        return base;
    }
    rand::thread_rng().gen_range(half..=base)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::Endpoint;
    use crate::error::{ErrorDetail, GoogleErrorBody};

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            max_retry_after: Duration::from_secs(2),
        }
    }

    fn api(status: u16, reason: &str, retry_after: Option<Duration>) -> YouTubeError {
        YouTubeError::Api {
            endpoint: Endpoint::Videos,
            http_status: status,
            error: Box::new(GoogleErrorBody {
                code: status,
                errors: vec![ErrorDetail {
                    reason: Some(reason.to_owned()),
                    ..ErrorDetail::default()
                }],
                ..GoogleErrorBody::default()
            }),
            retry_after,
            received_at: Utc::now(),
            bucket: None,
            missing_scope: None,
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        for _ in 0..50 {
            let first = jittered_backoff(&policy(), 1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        }
        assert!(jittered_backoff(&policy(), 40) <= Duration::from_millis(300));
    }

    #[test]
    fn only_transient_errors_and_rate_limits_are_retried() {
        let idempotent = RetrySafety::Idempotent;
        assert!(retry_delay(&policy(), idempotent, &api(500, "backendError", None), 1).is_some());
        assert!(retry_delay(&policy(), idempotent, &api(500, "backendError", None), 4).is_none());
        assert!(
            retry_delay(
                &policy(),
                idempotent,
                &api(403, "rateLimitExceeded", None),
                1
            )
            .is_some()
        );
        assert!(retry_delay(&policy(), idempotent, &api(403, "quotaExceeded", None), 1).is_none());
        assert!(retry_delay(&policy(), idempotent, &api(401, "authError", None), 1).is_none());
        assert!(
            retry_delay(
                &policy(),
                idempotent,
                &api(404, "playlistNotFound", None),
                1
            )
            .is_none()
        );
        let stated = retry_delay(
            &policy(),
            idempotent,
            &api(503, "backendError", Some(Duration::from_secs(1))),
            1,
        )
        .expect("a short stated wait is sat out");
        assert!(stated >= Duration::from_secs(1));
        let long = api(503, "backendError", Some(Duration::from_secs(30)));
        assert!(retry_delay(&policy(), idempotent, &long, 1).is_none());
    }

    #[test]
    fn single_use_calls_are_retried_only_when_not_processed() {
        let refused = YouTubeError::OAuth {
            endpoint: Endpoint::CodeExchange,
            http_status: 400,
            error: "invalid_grant".into(),
            description: None,
        };
        assert!(retry_delay(&policy(), RetrySafety::NotIdempotent, &refused, 1).is_none());
        let outage = api(503, "backendError", None);
        assert!(retry_delay(&policy(), RetrySafety::NotIdempotent, &outage, 1).is_some());
    }
}
