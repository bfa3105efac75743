//! Every platform call is counted against the shared budget in the database before it is
//! made, so all processes (api-servers and sync workers) share one budget per platform.
//!
//! Each platform's client runs a call hook before every HTTP attempt (retries included); the
//! platform's adapter makes that hook spend [`CallBudget`], which applies the platform's
//! [`BudgetPolicy`]: a per-endpoint minute (TikTok counts 600 a minute per endpoint), a daily
//! budget with a share kept for creators pressing "Sync now", or both.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::Platform;
use storage::{Database, QuotaWindow, StorageError};

use crate::clock::Clock;
use crate::observer::ServiceObserver;

/// What a platform's budget allows, shared by every process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BudgetPolicy {
    /// Units per minute per endpoint, when the platform counts so (TikTok documents 600).
    pub per_minute_per_endpoint: Option<u32>,
    /// Units per day for the whole app, when capped.
    pub daily: Option<u32>,
    /// Part of the daily budget that scheduled syncs leave for manual ones.
    pub manual_reserve: u32,
    /// Whether the platform pauses budgets (Instagram throttles one account for the time
    /// Meta states): every call first checks the pauses in force.
    pub pauses: bool,
    /// The time zone whose midnight starts the platform's day (YouTube's quota resets at
    /// midnight Pacific time); `None`: the UTC day.
    pub day_zone: Option<chrono_tz::Tz>,
}

impl BudgetPolicy {
    /// The daily limit that applies to calls of `priority`.
    pub fn daily_limit_for(&self, priority: CallPriority) -> Option<u32> {
        self.daily.map(|daily| match priority {
            CallPriority::Interactive => daily,
            CallPriority::Background => daily.saturating_sub(self.manual_reserve),
        })
    }

    /// The window the daily budget counts in: the UTC day, or the calendar day of the
    /// platform's time zone.
    pub fn day_window(&self) -> QuotaWindow {
        self.day_zone
            .map_or(QuotaWindow::Day, QuotaWindow::ZonedDay)
    }

    /// When the platform's day containing `now` ends and its daily budget is whole again.
    pub fn day_resets_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.day_window().resets_at(now)
    }
}

/// Who is spending the budget: a person waiting (manual sync, connect, disconnect) may use the
/// reserve; the scheduled worker may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallPriority {
    /// A creator is waiting for the answer.
    Interactive,
    /// Scheduled work.
    Background,
}

/// What the calls made inside one use case are attributed to.
#[derive(Debug)]
pub struct CallContext {
    priority: CallPriority,
    calls: AtomicU32,
    /// The host user a person-initiated use case acts for: its calls also count against
    /// that user's share of the manual reserve.
    user: Option<String>,
}

impl CallContext {
    /// A fresh context with no calls counted.
    pub fn new(priority: CallPriority) -> Arc<Self> {
        Arc::new(Self {
            priority,
            calls: AtomicU32::new(0),
            user: None,
        })
    }

    /// A fresh context of `user_id`'s own request: interactive calls count against their
    /// share of the manual reserve too.
    pub fn for_user(priority: CallPriority, user_id: &str) -> Arc<Self> {
        Arc::new(Self {
            priority,
            calls: AtomicU32::new(0),
            user: Some(user_id.to_owned()),
        })
    }

    /// The platform units spent (attempts, retries included) under this context so far.
    pub fn calls(&self) -> u32 {
        self.calls.load(Ordering::Relaxed)
    }
}

tokio::task_local! {
    /// The context of the use case running on this task, read by [`CallBudget::spend`].
    pub(crate) static CALL_CONTEXT: Arc<CallContext>;
}

/// Runs `future` with every platform call it makes attributed to `context`.
pub(crate) async fn with_context<F: Future>(context: Arc<CallContext>, future: F) -> F::Output {
    CALL_CONTEXT.scope(context, future).await
}

/// The bucket of one user's share of a platform's manual reserve (`user:tiktok:<user>`).
fn user_bucket(platform: Platform, user_id: &str) -> String {
    format!("user:{platform}:{user_id}")
}

/// The bucket of one endpoint's per-minute window (`tiktok:video_list`).
pub fn minute_bucket(platform: Platform, endpoint: &str) -> String {
    format!("{platform}:{endpoint}")
}

/// The bucket of a platform's daily window (`tiktok:app`).
pub fn daily_bucket(platform: Platform) -> String {
    format!("{platform}:app")
}

/// The bucket of one account's budget on a platform that budgets per account
/// (`instagram:account:17841405822304914`).
pub fn account_bucket(platform: Platform, account: &str) -> String {
    format!("{platform}:account:{account}")
}

/// A call the budget refused: nothing was sent to the platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BudgetRefusal {
    /// Why, in words.
    pub message: String,
    /// When the window that refused it ends, if known.
    pub retry_after: Option<Duration>,
}

/// The shared budget of every platform: counts each call in the database's `api_quota`
/// table before it is made.
pub struct CallBudget {
    db: Database,
    clock: Arc<dyn Clock>,
    observer: Arc<dyn ServiceObserver>,
    policies: HashMap<Platform, BudgetPolicy>,
    /// The percentage of a platform's daily budget one user's own requests may spend a day.
    user_share_percent: u32,
}

/// The default [`CallBudget::with_user_share`]: a tenth of a platform's daily budget per
/// user, as much as the whole manual reserve: one creator can neither drain the day nor the
/// reserve, and a large account (a 5,000-video channel's sync is 201 of YouTube's 10,000
/// units) can still be synced by hand a few times a day.
pub const DEFAULT_USER_SHARE_PERCENT: u32 = 10;

/// A user's share of a platform's daily budget today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserShare {
    /// Units the user's own requests spent today.
    pub spent: i64,
    /// Units they may spend a day.
    pub limit: i64,
    /// When the day's share is given again (the platform's next midnight: UTC, or Pacific
    /// time on YouTube).
    pub resets_at: DateTime<Utc>,
}

impl UserShare {
    /// Whether nothing is left of it.
    pub fn is_spent(&self) -> bool {
        self.spent >= self.limit
    }
}

impl CallBudget {
    /// A budget over `db`'s `api_quota` table with no platform's policy yet (a platform
    /// without one is not limited).
    pub fn new(db: Database, clock: Arc<dyn Clock>, observer: Arc<dyn ServiceObserver>) -> Self {
        Self {
            db,
            clock,
            observer,
            policies: HashMap::new(),
            user_share_percent: DEFAULT_USER_SHARE_PERCENT,
        }
    }

    /// Sets the percentage (1 to 100) of a platform's daily budget that one user's own
    /// requests (manual syncs, connects, disconnects) may spend a day.
    #[must_use]
    pub fn with_user_share(mut self, percent: u32) -> Self {
        self.user_share_percent = percent.clamp(1, 100);
        self
    }

    /// `platform`'s daily units per user: a share of its daily budget, at least 1; `None`
    /// when the platform has no daily budget (then nothing to share).
    fn user_limit(&self, platform: Platform) -> Option<i64> {
        let daily = self.policy(platform).daily?;
        Some((i64::from(daily) * i64::from(self.user_share_percent) / 100).max(1))
    }

    /// `user_id`'s share of `platform`'s daily budget today (`None`: no daily budget).
    ///
    /// # Errors
    /// A [`StorageError`] when the database cannot be read.
    pub async fn user_share(
        &self,
        platform: Platform,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserShare>, StorageError> {
        let Some(limit) = self.user_limit(platform) else {
            return Ok(None);
        };
        let window = self.policy(platform).day_window();
        let spent = self
            .db
            .quota_spent(&user_bucket(platform, user_id), window, now)
            .await?;
        let resets_at = window.resets_at(now);
        Ok(Some(UserShare {
            spent,
            limit,
            resets_at,
        }))
    }

    /// Sets `platform`'s policy.
    #[must_use]
    pub fn with_policy(mut self, platform: Platform, policy: BudgetPolicy) -> Self {
        self.policies.insert(platform, policy);
        self
    }

    /// `platform`'s policy (unlimited when none was set).
    pub fn policy(&self, platform: Platform) -> BudgetPolicy {
        self.policies.get(&platform).copied().unwrap_or_default()
    }

    /// The units `platform` spent today, by every process.
    ///
    /// # Errors
    /// A [`StorageError`] when the database cannot be read.
    pub async fn spent_today(
        &self,
        platform: Platform,
        now: DateTime<Utc>,
    ) -> Result<i64, StorageError> {
        self.db
            .quota_spent(
                &daily_bucket(platform),
                self.policy(platform).day_window(),
                now,
            )
            .await
    }

    /// Counts `units` for a call of `platform`'s `endpoint` (about `account`, when the
    /// platform budgets per account) about to be made, under the priority of the running use
    /// case, and attributes them to it.
    ///
    /// # Errors
    /// A [`BudgetRefusal`] when a window is spent or the budget is paused (or the database
    /// cannot say): the call must not be made.
    pub async fn spend(
        &self,
        platform: Platform,
        endpoint: &str,
        account: Option<&str>,
        units: u32,
    ) -> Result<(), BudgetRefusal> {
        let context = CALL_CONTEXT.try_with(Arc::clone).ok();
        let priority = context
            .as_ref()
            .map_or(CallPriority::Background, |context| context.priority);
        let policy = self.policy(platform);
        let now = self.clock.now();
        if policy.pauses {
            for bucket in std::iter::once(daily_bucket(platform))
                .chain(account.map(|account| account_bucket(platform, account)))
            {
                let paused = self
                    .db
                    .paused_until(&bucket, now)
                    .await
                    .map_err(|error| refusal(platform, error, now))?;
                if let Some(until) = paused {
                    return Err(BudgetRefusal {
                        message: format!("{platform} paused this budget ({bucket}) until {until}"),
                        retry_after: Some((until - now).to_std().unwrap_or(Duration::ZERO)),
                    });
                }
            }
        }
        let units = i64::from(units);
        if let Some(per_minute) = policy.per_minute_per_endpoint {
            let bucket = minute_bucket(platform, endpoint);
            let usage = self
                .db
                .consume_quota(
                    &bucket,
                    QuotaWindow::Minute,
                    now,
                    units,
                    i64::from(per_minute),
                )
                .await
                .map_err(|error| refusal(platform, error, now))?;
            self.observer.quota_left(&bucket, "minute", usage.remaining);
        }
        if let Some(limit) = policy.daily_limit_for(priority) {
            let bucket = daily_bucket(platform);
            let usage = self
                .db
                .consume_quota(&bucket, policy.day_window(), now, units, i64::from(limit))
                .await
                .map_err(|error| refusal(platform, error, now))?;
            self.observer.quota_left(&bucket, "day", usage.remaining);
        }
        if priority == CallPriority::Interactive
            && let Some(user) = context.as_ref().and_then(|context| context.user.as_deref())
            && let Some(limit) = self.user_limit(platform)
        {
            // One user's requests cannot spend the day (or the reserve) the others rely on.
            self.db
                .consume_quota(
                    &user_bucket(platform, user),
                    policy.day_window(),
                    now,
                    units,
                    limit,
                )
                .await
                .map_err(|error| refusal(platform, error, now))?;
        }
        if let Some(context) = context {
            let spent = u32::try_from(units).unwrap_or(u32::MAX);
            context.calls.fetch_add(spent, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Pauses `platform`'s budget for `account` (or the whole app's, without one) until
    /// `until`: every process refuses its calls until then.
    ///
    /// # Errors
    /// A [`StorageError`] when the pause cannot be stored.
    pub async fn pause(
        &self,
        platform: Platform,
        account: Option<&str>,
        until: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let bucket = match account {
            Some(account) => account_bucket(platform, account),
            None => daily_bucket(platform),
        };
        self.db.pause_bucket(&bucket, until).await
    }

    /// The services' clock now.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Reports a finished attempt to the observer.
    pub fn called(&self, platform: Platform, endpoint: &str, status: Option<u16>) {
        self.observer.platform_call(platform, endpoint, status);
    }
}

impl std::fmt::Debug for CallBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallBudget")
            .field("policies", &self.policies)
            .finish_non_exhaustive()
    }
}

/// A storage refusal in words, with when to try again.
fn refusal(platform: Platform, error: StorageError, now: DateTime<Utc>) -> BudgetRefusal {
    match error {
        StorageError::QuotaExceeded { bucket, retry_at } => BudgetRefusal {
            message: format!("{platform} call budget spent ({bucket})"),
            retry_after: Some((retry_at - now).to_std().unwrap_or(Duration::ZERO)),
        },
        // Without the database the budget cannot be checked: refuse rather than overspend.
        other => BudgetRefusal {
            message: format!("call budget unavailable: {other}"),
            retry_after: None,
        },
    }
}
