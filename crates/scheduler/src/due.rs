//! Which connections are due for a sync, and in which order.
//!
//! Rules, for an `active` connection (`needs_reauth` and `disconnected` ones are never due):
//! 1. a manual sync requested since the last attempt is due at once;
//! 2. after consecutive failures, the next attempt waits an exponential backoff from
//!    [`DuePolicy::min_retry_delay`] up to [`DuePolicy::max_backoff`] after the last failure,
//!    and never comes earlier than rule 4 would put it (a failure only delays);
//! 3. a connection never synced is due at once;
//! 4. otherwise it is due [`DuePolicy::sync_interval`] after its last successful sync, less
//!    [`DuePolicy::schedule_slack`].
//!
//! Due connections come out stalest first: pending manual requests (a user is waiting), then
//! connections never synced, then the oldest last success.

use std::cmp::Ordering;

use chrono::{DateTime, TimeDelta, Utc};
use domain::{ConnectionId, ConnectionStatus};
use serde::Serialize;

use crate::backoff::exponential_backoff;

/// When connections become due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuePolicy {
    /// Time between two successful syncs of a connection (default 24 hours).
    pub sync_interval: TimeDelta,
    /// The shortest wait after a failed sync (default 15 minutes); the first retry waits this.
    pub min_retry_delay: TimeDelta,
    /// The longest wait after repeated failures (default 6 hours).
    pub max_backoff: TimeDelta,
    /// How much earlier than `sync_interval` a connection already counts as due (default
    /// 2 hours). A daily schedule fires every 24 hours but each sync finishes a little later
    /// than the run started; without this slack a connection synced at 03:31 would not be due
    /// at 03:30 the next day and would slip to every other day.
    pub schedule_slack: TimeDelta,
}

impl Default for DuePolicy {
    fn default() -> Self {
        Self {
            sync_interval: TimeDelta::hours(24),
            min_retry_delay: TimeDelta::minutes(15),
            max_backoff: TimeDelta::hours(6),
            schedule_slack: TimeDelta::hours(2),
        }
    }
}

impl DuePolicy {
    /// The wait before the next attempt after `consecutive_failures` failures in a row.
    pub fn retry_delay(&self, consecutive_failures: u32) -> TimeDelta {
        exponential_backoff(consecutive_failures, self.min_retry_delay, self.max_backoff)
    }

    /// The interval actually applied after a success: `sync_interval − schedule_slack`, never
    /// below `min_retry_delay` (a slack as large as the interval must not make every
    /// connection due again right after its sync).
    pub fn effective_interval(&self) -> TimeDelta {
        (self.sync_interval - self.schedule_slack).max(self.min_retry_delay)
    }
}

/// The facts about one connection that decide whether it is due, its sync depth and its cost,
/// as read from storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncCandidate {
    /// The connection.
    pub id: ConnectionId,
    /// Its status; only `active` connections are synced.
    pub status: ConnectionStatus,
    /// When its last sync finished, whatever the outcome.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// When its last successful (or partial) sync finished.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Failed syncs in a row since the last success (0 when the last sync succeeded).
    pub consecutive_failures: u32,
    /// When the last failed sync finished.
    pub last_failure_at: Option<DateTime<Utc>>,
    /// Videos the account had at its last sync (or in its profile's video count); `None` when
    /// not known yet.
    pub last_video_count: Option<u64>,
    /// Known videos created within the shallow window of [`crate::SyncDepth::Recent`]
    /// (`newer_than_days`); `None` when unknown or when syncs are always full.
    pub recent_video_count: Option<u64>,
    /// When its last full sync (every video page walked) finished.
    pub last_full_sync_at: Option<DateTime<Utc>>,
    /// When the user last asked for a sync that has not run yet (it was queued, e.g. because
    /// the quota was spent).
    pub manual_requested_at: Option<DateTime<Utc>>,
    /// Whether the access token must be refreshed before the sync (one more call).
    pub token_refresh_needed: bool,
}

impl SyncCandidate {
    /// A candidate with only an id and a status, every other fact unknown or zero. A starting
    /// point for callers that fill in what they know.
    pub const fn new(id: ConnectionId, status: ConnectionStatus) -> Self {
        Self {
            id,
            status,
            last_synced_at: None,
            last_success_at: None,
            consecutive_failures: 0,
            last_failure_at: None,
            last_video_count: None,
            recent_video_count: None,
            last_full_sync_at: None,
            manual_requested_at: None,
            token_refresh_needed: false,
        }
    }

    /// The latest known attempt: the last sync, success or failure.
    fn last_attempt_at(&self) -> Option<DateTime<Utc>> {
        [
            self.last_synced_at,
            self.last_success_at,
            self.last_failure_at,
        ]
        .into_iter()
        .flatten()
        .max()
    }

    /// The manual request still waiting, if any: one made after the last attempt.
    fn pending_manual_request(&self) -> Option<DateTime<Utc>> {
        let requested = self.manual_requested_at?;
        match self.last_attempt_at() {
            Some(attempt) if attempt >= requested => None,
            _ => Some(requested),
        }
    }
}

/// Why a connection is (or will be) due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DueReason {
    /// The user asked for a sync that was queued.
    ManualRequest,
    /// The connection was never synced.
    NeverSynced,
    /// The sync interval has passed since the last success.
    IntervalElapsed,
    /// The last syncs failed; this is retry number `attempt`.
    RetryAfterFailure {
        /// 1 for the first retry.
        attempt: u32,
    },
}

/// When a connection is next due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum NextDue {
    /// Not synced at all in its status (`needs_reauth`, `disconnected`).
    NotScheduled {
        /// The connection's status.
        status: ConnectionStatus,
    },
    /// Due as soon as possible.
    Now {
        /// Why.
        reason: DueReason,
    },
    /// Due from `at` (which may be in the past: it is overdue).
    At {
        /// The instant it becomes due.
        at: DateTime<Utc>,
        /// Why.
        reason: DueReason,
    },
}

impl NextDue {
    /// Whether the connection is due at `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        match self {
            Self::NotScheduled { .. } => false,
            Self::Now { .. } => true,
            Self::At { at, .. } => *at <= now,
        }
    }

    /// The reason it is (or will be) due; `None` when it is not scheduled.
    pub const fn reason(&self) -> Option<DueReason> {
        match self {
            Self::NotScheduled { .. } => None,
            Self::Now { reason } | Self::At { reason, .. } => Some(*reason),
        }
    }
}

/// When `candidate` is next due under `policy`.
pub fn next_due(candidate: &SyncCandidate, policy: &DuePolicy) -> NextDue {
    if candidate.status != ConnectionStatus::Active {
        return NextDue::NotScheduled {
            status: candidate.status,
        };
    }
    if let Some(requested) = candidate.pending_manual_request() {
        return NextDue::At {
            at: requested,
            reason: DueReason::ManualRequest,
        };
    }
    if candidate.consecutive_failures > 0 {
        let reason = DueReason::RetryAfterFailure {
            attempt: candidate.consecutive_failures,
        };
        // A failure count without a time (inconsistent data) retries now rather than never.
        let Some(failed_at) = candidate.last_failure_at.or(candidate.last_synced_at) else {
            return NextDue::Now { reason };
        };
        let retry_at = failed_at + policy.retry_delay(candidate.consecutive_failures);
        // A failure only ever delays: a failed extra sync (a manual one, shortly after a
        // success) does not pull the next scheduled sync forward.
        return match candidate.last_success_at {
            Some(success) if success + policy.effective_interval() > retry_at => NextDue::At {
                at: success + policy.effective_interval(),
                reason: DueReason::IntervalElapsed,
            },
            _ => NextDue::At {
                at: retry_at,
                reason,
            },
        };
    }
    match candidate.last_success_at {
        Some(success) => NextDue::At {
            at: success + policy.effective_interval(),
            reason: DueReason::IntervalElapsed,
        },
        None => NextDue::Now {
            reason: DueReason::NeverSynced,
        },
    }
}

/// When `candidate` is next due, for display: `now` when due as soon as possible, the
/// (possibly past) due time otherwise, `None` when it is not synced in its status.
pub fn next_due_at(
    candidate: &SyncCandidate,
    policy: &DuePolicy,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match next_due(candidate, policy) {
        NextDue::NotScheduled { .. } => None,
        NextDue::Now { .. } => Some(now),
        NextDue::At { at, .. } => Some(at),
    }
}

/// A connection that is due, with the facts it was chosen on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DueSync {
    /// The facts about the connection.
    pub candidate: SyncCandidate,
    /// Why it is due.
    pub reason: DueReason,
}

/// The candidates due at `now`, stalest first: pending manual requests (oldest request
/// first), then never synced successfully, then the oldest last success; ties go to fewer
/// failures, then the lower id, so the order is total and every worker computes the same one.
pub fn select_due(
    candidates: &[SyncCandidate],
    policy: &DuePolicy,
    now: DateTime<Utc>,
) -> Vec<DueSync> {
    let mut due: Vec<DueSync> = candidates
        .iter()
        .filter_map(|candidate| {
            let next = next_due(candidate, policy);
            if !next.is_due(now) {
                return None;
            }
            next.reason().map(|reason| DueSync {
                candidate: *candidate,
                reason,
            })
        })
        .collect();
    due.sort_by(stalest_first);
    due
}

/// The order of [`select_due`].
fn stalest_first(a: &DueSync, b: &DueSync) -> Ordering {
    let manual = |due: &DueSync| {
        (due.reason == DueReason::ManualRequest)
            .then_some(due.candidate.manual_requested_at)
            .flatten()
    };
    // `Some` sorts after `None` for options; manual requests must come first, so compare
    // "is not manual" (false first), then the request time.
    let (manual_a, manual_b) = (manual(a), manual(b));
    manual_a
        .is_none()
        .cmp(&manual_b.is_none())
        .then(manual_a.cmp(&manual_b))
        // `None` (never synced) sorts before any time, which is what we want here.
        .then(
            a.candidate
                .last_success_at
                .cmp(&b.candidate.last_success_at),
        )
        .then(
            a.candidate
                .consecutive_failures
                .cmp(&b.candidate.consecutive_failures),
        )
        .then(a.candidate.id.cmp(&b.candidate.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
            + TimeDelta::minutes(minutes)
    }

    fn active(id: i64) -> SyncCandidate {
        SyncCandidate::new(ConnectionId(id), ConnectionStatus::Active)
    }

    fn synced(id: i64, success_minutes: i64) -> SyncCandidate {
        SyncCandidate {
            last_synced_at: Some(at(success_minutes)),
            last_success_at: Some(at(success_minutes)),
            ..active(id)
        }
    }

    fn failed(id: i64, failures: u32, failed_minutes: i64) -> SyncCandidate {
        SyncCandidate {
            consecutive_failures: failures,
            last_failure_at: Some(at(failed_minutes)),
            last_synced_at: Some(at(failed_minutes)),
            ..active(id)
        }
    }

    fn ids(due: &[DueSync]) -> Vec<i64> {
        due.iter().map(|due| due.candidate.id.0).collect()
    }

    const DAY: i64 = 24 * 60;

    #[test]
    fn never_synced_is_due_at_once() {
        let policy = DuePolicy::default();
        assert_eq!(
            next_due(&active(1), &policy),
            NextDue::Now {
                reason: DueReason::NeverSynced
            }
        );
        assert_eq!(next_due_at(&active(1), &policy, at(5)), Some(at(5)));
    }

    #[test]
    fn synced_connections_are_due_after_the_interval_less_the_slack() {
        let policy = DuePolicy::default();
        let candidate = synced(1, 0);
        assert!(!next_due(&candidate, &policy).is_due(at(21 * 60)));
        assert!(next_due(&candidate, &policy).is_due(at(22 * 60)));
        // Synced at 03:31, due again at 03:30 the next day.
        assert!(next_due(&synced(2, 1), &policy).is_due(at(DAY)));
    }

    #[test]
    fn inactive_connections_are_never_due() {
        let policy = DuePolicy::default();
        for status in [
            ConnectionStatus::NeedsReauth,
            ConnectionStatus::Disconnected,
        ] {
            let candidate = SyncCandidate {
                manual_requested_at: Some(at(0)),
                ..SyncCandidate::new(ConnectionId(1), status)
            };
            assert_eq!(
                next_due(&candidate, &policy),
                NextDue::NotScheduled { status }
            );
            assert!(select_due(&[candidate], &policy, at(100 * DAY)).is_empty());
            assert_eq!(next_due_at(&candidate, &policy, at(0)), None);
        }
    }

    #[test]
    fn failures_back_off_exponentially_up_to_the_cap() {
        let policy = DuePolicy::default();
        let expected_waits = [
            (1, 15),
            (2, 30),
            (3, 60),
            (4, 120),
            (5, 240),
            (6, 360),
            (9, 360),
        ];
        for (failures, wait) in expected_waits {
            let candidate = failed(1, failures, 0);
            assert_eq!(
                next_due(&candidate, &policy),
                NextDue::At {
                    at: at(wait),
                    reason: DueReason::RetryAfterFailure { attempt: failures }
                },
                "after {failures} failures"
            );
            assert!(!next_due(&candidate, &policy).is_due(at(wait - 1)));
            assert!(next_due(&candidate, &policy).is_due(at(wait)));
        }
    }

    #[test]
    fn a_failure_after_a_success_is_retried_with_backoff_not_the_interval() {
        let policy = DuePolicy::default();
        let candidate = SyncCandidate {
            last_success_at: Some(at(-DAY)),
            ..failed(1, 1, 0)
        };
        assert!(!next_due(&candidate, &policy).is_due(at(14)));
        assert!(next_due(&candidate, &policy).is_due(at(15)));
    }

    #[test]
    fn a_failure_never_brings_the_next_sync_forward() {
        let policy = DuePolicy::default();
        // Synced at 0, a manual sync failed an hour later: next sync on the normal schedule.
        let candidate = SyncCandidate {
            last_success_at: Some(at(0)),
            ..failed(1, 1, 60)
        };
        assert_eq!(
            next_due(&candidate, &policy),
            NextDue::At {
                at: at(22 * 60),
                reason: DueReason::IntervalElapsed
            }
        );
    }

    #[test]
    fn a_pending_manual_request_is_due_and_goes_first() {
        let policy = DuePolicy::default();
        let manual = SyncCandidate {
            manual_requested_at: Some(at(10)),
            ..synced(3, 0)
        };
        let due = select_due(&[synced(1, -2 * DAY), active(2), manual], &policy, at(11));
        assert_eq!(ids(&due), vec![3, 2, 1]);
        assert_eq!(due[0].reason, DueReason::ManualRequest);
        // Once a sync ran after the request, the request is served.
        let served = SyncCandidate {
            manual_requested_at: Some(at(10)),
            ..synced(3, 12)
        };
        assert!(!next_due(&served, &policy).is_due(at(13)));
    }

    #[test]
    fn due_ones_come_out_stalest_first() {
        let policy = DuePolicy::default();
        let now = at(10 * DAY);
        let candidates = [
            synced(1, 2 * DAY),
            synced(2, 0),
            active(3),
            synced(4, DAY),
            synced(5, 10 * DAY - 60), // fresh: not due
            failed(6, 1, 9 * DAY),    // never succeeded, retry due
        ];
        let due = select_due(&candidates, &policy, now);
        assert_eq!(ids(&due), vec![3, 6, 2, 4, 1]);
        assert_eq!(due[1].reason, DueReason::RetryAfterFailure { attempt: 1 });
    }

    #[test]
    fn a_huge_slack_does_not_make_fresh_syncs_due_again() {
        let policy = DuePolicy {
            schedule_slack: TimeDelta::hours(48),
            ..DuePolicy::default()
        };
        assert!(!next_due(&synced(1, 0), &policy).is_due(at(1)));
        assert!(next_due(&synced(1, 0), &policy).is_due(at(15)));
    }

    fn arbitrary_candidate() -> impl Strategy<Value = SyncCandidate> {
        (
            1_i64..50,
            prop::option::of(0_i64..20 * DAY),
            0_u32..10,
            prop::option::of(0_i64..20 * DAY),
            prop::option::of(0_i64..20 * DAY),
            0_usize..3,
        )
            .prop_map(|(id, success, failures, failure, manual, status)| {
                let status = [
                    ConnectionStatus::Active,
                    ConnectionStatus::NeedsReauth,
                    ConnectionStatus::Disconnected,
                ][status];
                SyncCandidate {
                    last_success_at: success.map(at),
                    last_synced_at: success.max(failure).map(at),
                    consecutive_failures: failures,
                    last_failure_at: failure.map(at),
                    manual_requested_at: manual.map(at),
                    ..SyncCandidate::new(ConnectionId(id), status)
                }
            })
    }

    proptest! {
        #[test]
        fn selection_is_sorted_and_only_active(candidates in prop::collection::vec(arbitrary_candidate(), 0..30), now in 0_i64..25 * DAY) {
            let policy = DuePolicy::default();
            let due = select_due(&candidates, &policy, at(now));
            for pair in due.windows(2) {
                prop_assert_ne!(stalest_first(&pair[0], &pair[1]), Ordering::Greater);
            }
            for due in &due {
                prop_assert_eq!(due.candidate.status, ConnectionStatus::Active);
            }
        }

        #[test]
        fn a_failed_sync_is_never_retried_before_the_minimum_delay(failures in 1_u32..40, failed_at in 0_i64..DAY, elapsed in 0_i64..DAY) {
            let policy = DuePolicy::default();
            let candidate = SyncCandidate {
                last_success_at: Some(at(failed_at - 3 * DAY)),
                ..failed(1, failures, failed_at)
            };
            let due = next_due(&candidate, &policy).is_due(at(failed_at + elapsed));
            if elapsed < 15 {
                prop_assert!(!due);
            }
            if elapsed >= 6 * 60 {
                prop_assert!(due);
            }
        }
    }
}
