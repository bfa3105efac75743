//! The sandbox's controllable clock: codes and tokens expire, statistics grow, analytics days
//! settle and the quota day turns over on it, not on the wall clock.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

#[derive(Debug)]
struct ClockState {
    start: DateTime<Utc>,
    /// Total of every `advance` so far.
    advanced: chrono::Duration,
    /// When ticking, the real instant the clock started; frozen clocks only move on `advance`.
    ticking_since: Option<Instant>,
}

/// A shared clock. Cloning shares the same clock.
///
/// A ticking clock follows real time plus every advance (for demos, where tokens should
/// expire by themselves); a frozen clock moves only when advanced (for exact tests).
#[derive(Debug, Clone)]
pub struct SandboxClock {
    state: Arc<Mutex<ClockState>>,
}

impl SandboxClock {
    /// A clock reading `start` that moves only when advanced.
    pub fn frozen(start: DateTime<Utc>) -> Self {
        Self::with(start, None)
    }

    /// A clock reading `start` now and following real time from here on.
    pub fn ticking(start: DateTime<Utc>) -> Self {
        Self::with(start, Some(Instant::now()))
    }

    fn with(start: DateTime<Utc>, ticking_since: Option<Instant>) -> Self {
        Self {
            state: Arc::new(Mutex::new(ClockState {
                start,
                advanced: chrono::Duration::zero(),
                ticking_since,
            })),
        }
    }

    /// The sandbox's current time.
    pub fn now(&self) -> DateTime<Utc> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let real = state
            .ticking_since
            .map(|since| chrono::Duration::from_std(since.elapsed()).unwrap_or_default())
            .unwrap_or_default();
        state
            .start
            .checked_add_signed(state.advanced + real)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Moves the clock forward and returns the new time.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let step = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
            state.advanced = state
                .advanced
                .checked_add(&step)
                .unwrap_or(chrono::Duration::MAX);
        }
        self.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_a_frozen_clock_moves_every_clone() {
        let start = DateTime::from_timestamp(86_400 * 10 + 5, 0).expect("valid time");
        let clock = SandboxClock::frozen(start);
        assert_eq!(clock.now(), start);
        let shared = clock.clone();
        shared.advance(Duration::from_secs(86_400));
        assert_eq!(clock.now().timestamp(), 86_400 * 11 + 5);
    }

    #[test]
    fn a_ticking_clock_never_goes_back() {
        let start = DateTime::from_timestamp(1_000, 0).expect("valid time");
        let clock = SandboxClock::ticking(start);
        let first = clock.now();
        assert!(first >= start);
        assert!(clock.advance(Duration::from_secs(60)) >= first + chrono::Duration::seconds(60));
    }
}
