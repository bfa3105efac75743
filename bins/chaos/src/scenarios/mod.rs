//! The scenarios, in the order the suite runs them.

pub mod kill_mid_sync;
pub mod quota_race;
