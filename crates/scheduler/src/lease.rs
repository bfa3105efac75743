//! Leasing and token upkeep: how long a worker holds its batch, and which connections'
//! tokens to refresh.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::{Connection, ConnectionId, ConnectionStatus, TokenExpiryPolicy};
use serde::Serialize;

/// How long a worker leases the connections of a batch.
///
/// The lease must outlast the batch (or another worker takes the connections over and syncs
/// them twice) but not by much (a crashed worker's connections come back when it ends).
/// Durations are `std` ones: a lease is handed to storage as a length of time, not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeasePolicy {
    /// Expected time per API call, pacing waits included (default 1 s).
    pub per_call: Duration,
    /// Safety factor over the estimate (default 3).
    pub margin_factor: u32,
    /// The shortest lease (default 5 minutes): also the lease of planning, and of one
    /// connection at a time.
    pub min: Duration,
    /// The longest lease (default 2 hours); a longer batch renews its lease or is split.
    pub max: Duration,
}

impl Default for LeasePolicy {
    fn default() -> Self {
        Self {
            per_call: Duration::from_secs(1),
            margin_factor: 3,
            min: Duration::from_secs(5 * 60),
            max: Duration::from_secs(2 * 3600),
        }
    }
}

impl LeasePolicy {
    /// The lease for a batch of `estimated_calls` calls: calls × per-call time × margin,
    /// within `[min, max]` (`min` wins if the two cross).
    pub fn for_calls(&self, estimated_calls: u32) -> Duration {
        let factor = u32::try_from(u64::from(estimated_calls) * u64::from(self.margin_factor))
            .unwrap_or(u32::MAX);
        let wanted = self.per_call.checked_mul(factor).unwrap_or(self.max);
        wanted.min(self.max).max(self.min)
    }
}

/// The facts about one connection's tokens that decide whether to refresh them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefreshCandidate {
    /// The connection.
    pub id: ConnectionId,
    /// Its status; only `active` connections are refreshed.
    pub status: ConnectionStatus,
    /// When the current token pair was obtained.
    pub tokens_obtained_at: Option<DateTime<Utc>>,
    /// When the access token expires.
    pub access_token_expires_at: Option<DateTime<Utc>>,
    /// When the refresh token expires.
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// No refresh attempt before this (backoff after a transient failure).
    pub next_refresh_attempt_at: Option<DateTime<Utc>>,
}

impl From<&Connection> for RefreshCandidate {
    fn from(connection: &Connection) -> Self {
        Self {
            id: connection.id,
            status: connection.status,
            tokens_obtained_at: connection.tokens_obtained_at,
            access_token_expires_at: connection.access_token_expires_at,
            refresh_token_expires_at: connection.refresh_token_expires_at,
            next_refresh_attempt_at: connection.next_refresh_attempt_at,
        }
    }
}

/// Why a connection's tokens are refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRefreshReason {
    /// The access token expires within the margin (by the next check).
    AccessTokenExpiring,
    /// The access token's expiry is not known, so it cannot be trusted.
    AccessTokenExpiryUnknown,
    /// The refresh token itself is close to (or past) its expiry; refreshing rotates it.
    RefreshTokenExpiring,
}

/// A connection whose tokens should be refreshed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TokenRefresh {
    /// The connection.
    pub id: ConnectionId,
    /// Why.
    pub reason: TokenRefreshReason,
    /// When its access token expires, if known.
    pub access_token_expires_at: Option<DateTime<Utc>>,
}

/// The instant the token rules are evaluated at: the next check when it is later than `now`.
///
/// A token that will need a refresh before the next check must be refreshed in this one, or
/// it could expire in between (an hourly job and a 30-minute margin would otherwise miss it).
fn evaluated_at(now: DateTime<Utc>, next_check_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    next_check_at.map_or(now, |next| next.max(now))
}

/// Bounds for the storage query that pre-selects refresh candidates (a superset of what
/// [`select_token_refreshes`] keeps): `status = 'active' AND (access_token_expires_at IS NULL
/// OR access_token_expires_at <= access_expires_before OR refresh_token_expires_at <=
/// refresh_expires_before) AND (next_refresh_attempt_at IS NULL OR next_refresh_attempt_at <=
/// now)`. Whether a connection is due for a sync plays no part: an unused refresh token must
/// not lapse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefreshHorizon {
    /// Access tokens expiring at or before this are candidates.
    pub access_expires_before: DateTime<Utc>,
    /// Refresh tokens expiring at or before this are candidates.
    pub refresh_expires_before: DateTime<Utc>,
}

/// The query bounds for a token-refresh pass at `now` whose next pass is at `next_check_at`.
pub fn refresh_query_horizon(
    policy: &TokenExpiryPolicy,
    now: DateTime<Utc>,
    next_check_at: Option<DateTime<Utc>>,
) -> RefreshHorizon {
    let at = evaluated_at(now, next_check_at);
    RefreshHorizon {
        access_expires_before: at + policy.access_margin,
        refresh_expires_before: at + policy.refresh_margin,
    }
}

/// The connections whose tokens to refresh in a pass at `now`, the next pass being at
/// `next_check_at` (`None` when unknown), most urgent (earliest access expiry) first.
///
/// A connection is kept when it is `active`, not in a refresh backoff, and its access token
/// needs a refresh by the next check ([`TokenExpiryPolicy::access_token_needs_refresh`]) or
/// its refresh token is about to expire.
pub fn select_token_refreshes(
    candidates: &[RefreshCandidate],
    policy: &TokenExpiryPolicy,
    now: DateTime<Utc>,
    next_check_at: Option<DateTime<Utc>>,
) -> Vec<TokenRefresh> {
    let at = evaluated_at(now, next_check_at);
    let mut selected: Vec<TokenRefresh> = candidates
        .iter()
        .filter(|candidate| candidate.status == ConnectionStatus::Active)
        .filter(|candidate| {
            candidate
                .next_refresh_attempt_at
                .is_none_or(|not_before| not_before <= now)
        })
        .filter_map(|candidate| {
            let reason = if candidate.access_token_expires_at.is_none() {
                TokenRefreshReason::AccessTokenExpiryUnknown
            } else if policy.access_token_needs_refresh(
                at,
                candidate.tokens_obtained_at,
                candidate.access_token_expires_at,
            ) {
                TokenRefreshReason::AccessTokenExpiring
            } else if policy.refresh_token_expiring(at, candidate.refresh_token_expires_at) {
                TokenRefreshReason::RefreshTokenExpiring
            } else {
                return None;
            };
            Some(TokenRefresh {
                id: candidate.id,
                reason,
                access_token_expires_at: candidate.access_token_expires_at,
            })
        })
        .collect();
    // `None` (unknown expiry) sorts first: it is the least trustworthy token.
    selected.sort_by_key(|refresh| (refresh.access_token_expires_at, refresh.id));
    selected
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
            + TimeDelta::minutes(minutes)
    }

    const HOUR: i64 = 60;
    const DAY: i64 = 24 * HOUR;

    /// A token pair obtained at minute 0, access for `access_minutes`, refresh for a year.
    fn tokens(id: i64, access_minutes: i64) -> RefreshCandidate {
        RefreshCandidate {
            id: ConnectionId(id),
            status: ConnectionStatus::Active,
            tokens_obtained_at: Some(at(0)),
            access_token_expires_at: Some(at(access_minutes)),
            refresh_token_expires_at: Some(at(365 * DAY)),
            next_refresh_attempt_at: None,
        }
    }

    fn ids(refreshes: &[TokenRefresh]) -> Vec<i64> {
        refreshes.iter().map(|refresh| refresh.id.0).collect()
    }

    #[test]
    fn lease_scales_with_calls_within_bounds() {
        let policy = LeasePolicy::default();
        let minutes = |n: u64| Duration::from_secs(n * 60);
        assert_eq!(policy.for_calls(0), minutes(5));
        assert_eq!(policy.for_calls(200), minutes(10));
        assert_eq!(policy.for_calls(100_000), minutes(120));
        assert_eq!(policy.for_calls(u32::MAX), minutes(120));
    }

    #[test]
    fn tokens_expiring_within_the_margin_are_refreshed() {
        let policy = TokenExpiryPolicy::default();
        let candidates = [tokens(1, DAY), tokens(2, 2 * HOUR), tokens(3, DAY + 30)];
        // At 23:10 the 24-hour token (margin 1 h) is due; the one expiring at 24:30 is not.
        let selected = select_token_refreshes(&candidates, &policy, at(23 * HOUR + 10), None);
        assert_eq!(ids(&selected), vec![2, 1]);
        assert_eq!(selected[0].reason, TokenRefreshReason::AccessTokenExpiring);
    }

    #[test]
    fn tokens_that_would_expire_before_the_next_check_are_refreshed_now() {
        let policy = TokenExpiryPolicy::default();
        let candidates = [tokens(1, DAY)];
        let now = at(22 * HOUR);
        assert!(select_token_refreshes(&candidates, &policy, now, None).is_empty());
        let next = Some(now + TimeDelta::hours(1));
        assert_eq!(
            ids(&select_token_refreshes(&candidates, &policy, now, next)),
            vec![1]
        );
        // A next check in the past changes nothing.
        let past = Some(now - TimeDelta::hours(5));
        assert!(select_token_refreshes(&candidates, &policy, now, past).is_empty());
    }

    #[test]
    fn refresh_tokens_close_to_expiry_are_rotated() {
        let policy = TokenExpiryPolicy::default();
        let candidate = RefreshCandidate {
            access_token_expires_at: Some(at(30 * DAY)),
            refresh_token_expires_at: Some(at(2 * DAY)),
            ..tokens(1, 0)
        };
        let selected = select_token_refreshes(&[candidate], &policy, at(HOUR), None);
        assert_eq!(selected[0].reason, TokenRefreshReason::RefreshTokenExpiring);
    }

    #[test]
    fn unknown_expiry_is_refreshed_first() {
        let policy = TokenExpiryPolicy::default();
        let unknown = RefreshCandidate {
            access_token_expires_at: None,
            ..tokens(9, 0)
        };
        let selected = select_token_refreshes(&[tokens(1, 10), unknown], &policy, at(5), None);
        assert_eq!(ids(&selected), vec![9, 1]);
        assert_eq!(
            selected[0].reason,
            TokenRefreshReason::AccessTokenExpiryUnknown
        );
    }

    #[test]
    fn inactive_and_backed_off_connections_are_left_alone() {
        let policy = TokenExpiryPolicy::default();
        let reauth = RefreshCandidate {
            status: ConnectionStatus::NeedsReauth,
            ..tokens(1, 10)
        };
        let backing_off = RefreshCandidate {
            next_refresh_attempt_at: Some(at(20)),
            ..tokens(2, 10)
        };
        assert!(select_token_refreshes(&[reauth, backing_off], &policy, at(15), None).is_empty());
        assert_eq!(
            ids(&select_token_refreshes(
                &[backing_off],
                &policy,
                at(20),
                None
            )),
            vec![2]
        );
    }

    #[test]
    fn the_query_horizon_covers_every_selection() {
        let policy = TokenExpiryPolicy::default();
        let now = at(10 * HOUR);
        let horizon = refresh_query_horizon(&policy, now, Some(now + TimeDelta::hours(1)));
        assert_eq!(horizon.access_expires_before, at(12 * HOUR));
        assert_eq!(horizon.refresh_expires_before, at(11 * HOUR + 3 * DAY));
        for minutes in 0..(2 * DAY) {
            let candidate = tokens(1, minutes);
            let selected = !select_token_refreshes(
                &[candidate],
                &policy,
                now,
                Some(now + TimeDelta::hours(1)),
            )
            .is_empty();
            if selected {
                assert!(at(minutes) <= horizon.access_expires_before);
            }
        }
    }
}
