//! Which failures are retried, and after how long.

use std::time::Duration;

use rand::Rng as _;

use crate::{RetryPolicy, TikTokError};

/// Whether an endpoint may be re-sent after TikTok may have acted on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetrySafety {
    /// Repeating the request is harmless (Display API reads, revoke): every
    /// retryable failure is retried.
    Idempotent,
    /// Repeating a request TikTok may have processed does harm: a refresh
    /// rotates the refresh token and a code is single-use, so a blind retry
    /// would turn a success into `invalid_grant` and a false "re-auth
    /// needed". Retried only when TikTok certainly did not act: a failure to
    /// connect, a 429, or a 5xx (treated as "not processed"). A timeout or a
    /// 200 carrying `server_error` is returned to the caller, whose stored
    /// refresh token is re-read before anything is declared dead.
    NotIdempotent,
}

/// The wait before retry number `attempt` (1-based) of a call that failed
/// with `error`, or `None` when the error is returned instead.
pub(crate) fn retry_delay(
    policy: &RetryPolicy,
    safety: RetrySafety,
    error: &TikTokError,
    attempt: u32,
) -> Option<Duration> {
    if attempt > policy.max_retries || matches!(error, TikTokError::CallRejected { .. }) {
        return None;
    }
    let allowed = match safety {
        RetrySafety::Idempotent => error.is_retryable(),
        RetrySafety::NotIdempotent => match error {
            TikTokError::Transport { connect, .. } => *connect,
            _ => error
                .http_status()
                .is_some_and(|status| status == 429 || (500..=599).contains(&status)),
        },
    };
    if !allowed {
        return None;
    }
    match error {
        // TikTok said how long: wait that long, plus up to a tenth more so
        // that clients told the same thing do not all return at once;
        // unless it is longer than we are willing to block, in which case
        // the caller defers.
        TikTokError::RateLimited {
            retry_after: Some(wait),
            ..
        } => (*wait <= policy.max_retry_after).then(|| with_spread(*wait)),
        _ => Some(jittered_backoff(policy, attempt)),
    }
}

/// `wait` plus a random extra of up to a tenth of it.
fn with_spread(wait: Duration) -> Duration {
    let spread = wait / 10;
    if spread.is_zero() {
        return wait;
    }
    wait + rand::thread_rng().gen_range(Duration::ZERO..=spread)
}

/// `initial_backoff * 2^(attempt-1)`, capped at `max_backoff`, then drawn
/// uniformly from its upper half so concurrent clients spread out.
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
    use super::*;
    use crate::Endpoint;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
            max_retry_after: Duration::from_secs(5),
        }
    }

    fn status(status: u16) -> TikTokError {
        TikTokError::Http {
            endpoint: Endpoint::UserInfo,
            status,
            log_id: None,
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        for _ in 0..50 {
            let first = jittered_backoff(&policy(), 1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = jittered_backoff(&policy(), 3);
            assert!(third >= Duration::from_millis(150) && third <= Duration::from_millis(300));
        }
        assert!(jittered_backoff(&policy(), 40) <= Duration::from_millis(300));
    }

    #[test]
    fn retries_are_bounded() {
        assert!(retry_delay(&policy(), RetrySafety::Idempotent, &status(503), 3).is_some());
        assert!(retry_delay(&policy(), RetrySafety::Idempotent, &status(503), 4).is_none());
        assert!(retry_delay(&policy(), RetrySafety::Idempotent, &status(400), 1).is_none());
    }

    #[test]
    fn retry_after_is_honoured_within_the_cap() {
        let limited = |secs| TikTokError::RateLimited {
            retry_after: Some(Duration::from_secs(secs)),
            log_id: None,
        };
        let wait = retry_delay(&policy(), RetrySafety::Idempotent, &limited(2), 1)
            .expect("within the cap");
        assert!(wait >= Duration::from_secs(2) && wait <= Duration::from_millis(2200));
        assert_eq!(
            retry_delay(&policy(), RetrySafety::Idempotent, &limited(60), 1),
            None
        );
    }

    #[test]
    fn token_calls_are_not_retried_after_an_ambiguous_response() {
        let server_error_200 = TikTokError::OAuth {
            error: "server_error".into(),
            description: None,
            log_id: None,
            http_status: 200,
        };
        assert!(retry_delay(&policy(), RetrySafety::Idempotent, &server_error_200, 1).is_some());
        assert!(retry_delay(&policy(), RetrySafety::NotIdempotent, &server_error_200, 1).is_none());
        assert!(retry_delay(&policy(), RetrySafety::NotIdempotent, &status(502), 1).is_some());
    }
}
