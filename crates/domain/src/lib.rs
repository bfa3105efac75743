//! Pure types and rules of the connect-and-sync service: connections, profiles, videos,
//! metric snapshots, sync runs, engagement math, token expiry and freshness policies.
//!
//! This crate does no I/O. Everything platform-specific (today: TikTok) lives in a module named
//! after the platform ([`tiktok`]); the rest is platform-neutral, the platform being data
//! ([`Platform`]).
#![warn(missing_docs)]

pub mod connection;
pub mod engagement;
pub mod error;
pub mod freshness;
pub mod page_limit;
pub mod platform;
pub mod snapshot;
pub mod sync;
pub mod tiktok;
pub mod token_policy;
pub mod video;

pub use connection::{Connection, ConnectionId, ConnectionStatus, Profile};
pub use engagement::{Growth, account_engagement_rate, growth, video_engagement_rate};
pub use error::ParseEnumError;
pub use freshness::{Freshness, STALE_AFTER};
pub use page_limit::{PageLimit, PageLimitError};
pub use platform::Platform;
pub use snapshot::{ProfileSnapshot, VideoSnapshot};
pub use sync::{SyncOutcome, SyncRun, SyncRunId, SyncTrigger};
pub use token_policy::TokenExpiryPolicy;
pub use video::{SyncedVideo, VideoCounts};
