//! What one user's own requests may spend (issue 25): a share of each platform's manual
//! reserve a day, and one interactive sync (a manual sync, or the first sync of a connect)
//! per cooldown, shared by connects and manual syncs and kept across a disconnect.

use std::time::Duration;

use chrono::TimeDelta;
use domain::Platform;

use crate::Services;
use crate::error::ServiceError;

impl Services {
    /// Refuses a user whose share of `platform`'s manual reserve is spent today
    /// ([`ServiceError::ShareSpent`], with when it resets).
    pub(crate) async fn check_user_share(
        &self,
        user_id: &str,
        platform: Platform,
        display_name: &'static str,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let share = self.inner.budget.user_share(platform, user_id, now).await?;
        match share {
            Some(share) if share.is_spent() => Err(ServiceError::ShareSpent {
                platform: display_name,
                resets_at: share.resets_at,
                retry_after: whole_seconds((share.resets_at - now).to_std().unwrap_or_default()),
            }),
            _ => Ok(()),
        }
    }

    /// The cooldown of interactive syncs (capped at a century, so date arithmetic never
    /// overflows).
    pub(crate) fn interactive_cooldown(&self) -> TimeDelta {
        let century = TimeDelta::days(36_500);
        TimeDelta::from_std(self.inner.config.manual_sync_cooldown)
            .unwrap_or(century)
            .min(century)
    }

    /// Refuses while `user_id`'s last interactive sync of `platform` is within the cooldown,
    /// without claiming anything ([`ServiceError::Cooldown`]).
    pub(crate) async fn check_interactive_slot(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> Result<(), ServiceError> {
        let free_at = self
            .inner
            .db
            .interactive_slot_free_at(user_id, platform, self.interactive_cooldown())
            .await?;
        let now = self.now();
        match free_at {
            Some(free_at) if free_at > now => Err(ServiceError::Cooldown {
                retry_after: whole_seconds((free_at - now).to_std().unwrap_or_default()),
            }),
            _ => Ok(()),
        }
    }

    /// Claims `user_id`'s interactive slot of `platform` now, or says how long to wait.
    pub(crate) async fn claim_interactive_slot(
        &self,
        user_id: &str,
        platform: Platform,
    ) -> Result<(), ServiceError> {
        if self.inner.config.manual_sync_cooldown.is_zero() {
            return Ok(());
        }
        let now = self.now();
        let refused = self
            .inner
            .db
            .claim_interactive_slot(user_id, platform, now, self.interactive_cooldown())
            .await?;
        match refused {
            Some(free_at) => Err(ServiceError::Cooldown {
                retry_after: whole_seconds((free_at - now).to_std().unwrap_or_default()),
            }),
            None => Ok(()),
        }
    }
}

/// `wait` rounded up to whole seconds, so a client waiting exactly this long is not refused
/// again.
fn whole_seconds(wait: Duration) -> Duration {
    Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
}
