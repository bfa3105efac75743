//! When to refresh OAuth tokens.
//!
//! Lifetimes are never hard-coded: the policy works from the expiry times computed from each
//! token response (`expires_in`, `refresh_expires_in`).

use chrono::{DateTime, TimeDelta, Utc};

/// Decides when an access token should be refreshed and when a refresh token is about to
/// expire (so the user can be asked to reconnect before it does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenExpiryPolicy {
    /// Refresh an access token that expires within this margin (default 1 hour), or within
    /// half its lifetime if that is shorter.
    pub access_margin: TimeDelta,
    /// A refresh token expiring within this margin is "about to expire" (default 3 days).
    pub refresh_margin: TimeDelta,
}

impl Default for TokenExpiryPolicy {
    fn default() -> Self {
        Self {
            access_margin: TimeDelta::hours(1),
            refresh_margin: TimeDelta::days(3),
        }
    }
}

impl TokenExpiryPolicy {
    /// The margin that applies to an access token of the given lifetime:
    /// `min(access_margin, lifetime / 2)`. With an unknown lifetime, `access_margin`.
    ///
    /// Halving short lifetimes keeps a 1-hour token from being "due" the moment it is issued.
    pub fn effective_access_margin(&self, lifetime: Option<TimeDelta>) -> TimeDelta {
        match lifetime {
            Some(lifetime) if lifetime > TimeDelta::zero() => self.access_margin.min(lifetime / 2),
            _ => self.access_margin,
        }
    }

    /// The instant from which the access token should be refreshed: `expires_at − margin`.
    pub fn refresh_due_at(
        &self,
        obtained_at: Option<DateTime<Utc>>,
        expires_at: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let lifetime = obtained_at.map(|obtained| expires_at - obtained);
        expires_at - self.effective_access_margin(lifetime)
    }

    /// Whether the access token should be refreshed at `now`. A token with no known expiry is
    /// refreshed (we cannot prove it valid).
    pub fn access_token_needs_refresh(
        &self,
        now: DateTime<Utc>,
        obtained_at: Option<DateTime<Utc>>,
        expires_at: Option<DateTime<Utc>>,
    ) -> bool {
        match expires_at {
            Some(expires_at) => now >= self.refresh_due_at(obtained_at, expires_at),
            None => true,
        }
    }

    /// Whether the refresh token expires within `refresh_margin` of `now` (or already has).
    /// Unknown expiry is not "about to expire".
    pub fn refresh_token_expiring(
        &self,
        now: DateTime<Utc>,
        refresh_expires_at: Option<DateTime<Utc>>,
    ) -> bool {
        refresh_expires_at.is_some_and(|expires_at| now >= expires_at - self.refresh_margin)
    }

    /// Whether the refresh token has expired at `now`.
    pub fn refresh_token_expired(
        &self,
        now: DateTime<Utc>,
        refresh_expires_at: Option<DateTime<Utc>>,
    ) -> bool {
        refresh_expires_at.is_some_and(|expires_at| now >= expires_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("valid timestamp")
    }

    #[test]
    fn long_tokens_refresh_one_hour_before_expiry() {
        let policy = TokenExpiryPolicy::default();
        let obtained = at(0);
        let expires = at(24 * 3600);
        assert!(!policy.access_token_needs_refresh(at(22 * 3600), Some(obtained), Some(expires)));
        assert!(policy.access_token_needs_refresh(at(23 * 3600), Some(obtained), Some(expires)));
    }

    #[test]
    fn short_tokens_refresh_at_half_their_lifetime() {
        let policy = TokenExpiryPolicy::default();
        let obtained = at(0);
        let expires = at(1800); // 30 minutes: margin is 15 minutes, not an hour
        assert!(!policy.access_token_needs_refresh(at(0), Some(obtained), Some(expires)));
        assert!(!policy.access_token_needs_refresh(at(899), Some(obtained), Some(expires)));
        assert!(policy.access_token_needs_refresh(at(900), Some(obtained), Some(expires)));
    }

    #[test]
    fn unknown_expiry_means_refresh() {
        let policy = TokenExpiryPolicy::default();
        assert!(policy.access_token_needs_refresh(at(0), None, None));
        assert!(!policy.refresh_token_expiring(at(0), None));
    }

    #[test]
    fn refresh_token_expiring_within_margin() {
        let policy = TokenExpiryPolicy::default();
        let expires = at(10 * 86_400);
        assert!(!policy.refresh_token_expiring(at(6 * 86_400), Some(expires)));
        assert!(policy.refresh_token_expiring(at(7 * 86_400), Some(expires)));
        assert!(!policy.refresh_token_expired(at(7 * 86_400), Some(expires)));
        assert!(policy.refresh_token_expired(at(10 * 86_400), Some(expires)));
    }

    proptest! {
        #[test]
        fn never_due_in_the_first_half_of_the_lifetime(lifetime in 2_i64..10_000_000, elapsed in 0_i64..10_000_000) {
            let policy = TokenExpiryPolicy::default();
            let obtained = at(0);
            let expires = at(lifetime);
            let due = policy.access_token_needs_refresh(at(elapsed), Some(obtained), Some(expires));
            if elapsed < lifetime / 2 {
                prop_assert!(!due);
            }
            if elapsed >= lifetime {
                prop_assert!(due);
            }
        }
    }
}
