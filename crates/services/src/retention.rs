//! Platforms' policies on stored data: what a platform lets us keep without refreshing it
//! (YouTube API Services: 30 days) is deleted by the worker once older.

use domain::Platform;
use serde::Serialize;
use tracing::info;

use crate::Services;
use crate::error::ServiceError;

/// The connections of one platform whose unrefreshed data a pass deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiredData {
    /// The platform.
    pub platform: Platform,
    /// How many connections lost their data.
    pub connections: usize,
}

impl Services {
    /// For each platform with a retention policy ([`PlatformTraits::data_retention`]),
    /// deletes the data of its connections whose last successful sync (or connect, when
    /// none) is older than the policy's window, by the services' clock. The connections
    /// stay: their next successful sync restores the data.
    ///
    /// [`PlatformTraits::data_retention`]: crate::platforms::PlatformTraits::data_retention
    ///
    /// # Errors
    /// Storage failures.
    pub async fn expire_unrefreshed_data(&self) -> Result<Vec<ExpiredData>, ServiceError> {
        let now = self.now();
        let mut report = Vec::new();
        for adapter in self.inner.platforms.iter() {
            let Some(retention) = adapter.traits().data_retention else {
                continue;
            };
            let platform = adapter.platform();
            let expired = self
                .inner
                .db
                .expire_unrefreshed_data(platform, now - retention)
                .await?;
            if !expired.is_empty() {
                info!(%platform, connections = expired.len(), days = retention.num_days(), "unrefreshed data deleted by the platform's policy");
            }
            report.push(ExpiredData {
                platform,
                connections: expired.len(),
            });
        }
        Ok(report)
    }
}
