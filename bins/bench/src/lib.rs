//! Benchmarks of the TikTok connect-and-sync service, run by the `bench` binary (see
//! `docs/benchmarks.md` for the commands and the results):
//!
//! 1. [`api_calls`]: TikTok calls per account, counted by the sandbox;
//! 2. [`worker`]: sync throughput of the sync-worker process against the sandbox;
//! 3. [`read_load`]: the read API of a real api-server process under load;
//! 4. [`startup`]: from process start to `/readyz` answering 200.
//!
//! Benchmarks report; they never fail on a time. The data generators ([`dataset`], the
//! sandbox's creators) are seeded and deterministic.
#![warn(missing_docs)]

pub mod api_calls;
pub mod database;
pub mod dataset;
pub mod error;
pub mod instagram_calls;
pub mod keys;
pub mod latency;
pub mod load;
pub mod pacing;
pub mod proc_stats;
pub mod read_load;
pub mod sandbox_flow;
pub mod server;
pub mod startup;
pub mod worker;
pub mod youtube_calls;
