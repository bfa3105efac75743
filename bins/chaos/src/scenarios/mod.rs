//! The scenarios, in the order the suite runs them.

pub mod kill_mid_callback;
pub mod kill_mid_refresh;
pub mod kill_mid_sync;
pub mod pg_restart;
pub mod platform_stall;
pub mod quota_race;
pub mod sqlite_load;
