//! Pure types and rules of the connect-and-sync service: connections, profiles, videos,
//! metric snapshots, sync runs, engagement math, token expiry and freshness policies.
//!
//! This crate does no I/O and knows no platform: the platform is data ([`Platform`]), and
//! what differs between platforms (a post's engagement basis, token lifetimes) is a value the
//! platform's adapter passes in.
#![warn(missing_docs)]

pub mod connection;
pub mod engagement;
pub mod error;
pub mod freshness;
pub mod page_limit;
pub mod platform;
pub mod snapshot;
pub mod sync;
pub mod token_policy;
pub mod video;

pub use connection::{Connection, ConnectionId, ConnectionStatus, Profile};
pub use engagement::{
    EngagementBasis, Growth, account_engagement_rate, growth, post_engagement_rate,
};
pub use error::ParseEnumError;
pub use freshness::{Freshness, STALE_AFTER};
pub use page_limit::{PageLimit, PageLimitError};
pub use platform::{InvalidPlatformName, Platform};
pub use snapshot::{DailyActivity, ProfileSnapshot, VideoSnapshot};
pub use sync::{SyncOutcome, SyncRun, SyncRunId, SyncTrigger};
pub use token_policy::TokenExpiryPolicy;
pub use video::{SyncedVideo, VideoCounts};
