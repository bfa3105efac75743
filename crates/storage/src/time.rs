//! Conversions between `DateTime<Utc>` and the stored unix seconds.

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{StorageError, StorageResult};

/// Unix seconds of an instant (sub-second precision is dropped on purpose: see `schema`).
pub(crate) fn to_unix(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

/// The instant of stored unix seconds.
pub(crate) fn from_unix(seconds: i64) -> StorageResult<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| StorageError::CorruptData(format!("timestamp {seconds} out of range")))
}

/// The instant of optional stored unix seconds.
pub(crate) fn from_unix_opt(seconds: Option<i64>) -> StorageResult<Option<DateTime<Utc>>> {
    seconds.map(from_unix).transpose()
}

/// Whole seconds of a `std` duration, saturating (a lease "forever" stays far from overflow).
pub(crate) fn seconds_of(duration: std::time::Duration) -> i64 {
    TimeDelta::from_std(duration)
        .map(|delta| delta.num_seconds())
        .unwrap_or(i64::MAX / 4)
}
