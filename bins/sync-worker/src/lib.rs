//! sync-worker: keeps every connection's tokens alive and syncs every due connection within
//! TikTok's per-app budget, once (`run-once`, for a systemd timer) or on cron schedules
//! (`daemon`), as one of several processes against one PostgreSQL if need be.
//!
//! The binary stays thin: [`cli`] reads the command line and the environment, [`wiring`]
//! builds the use cases from the settings every process reads (`bootstrap`), [`commands`] runs them over
//! `services` (where the leasing, planning and syncing live), and [`display`] shows the
//! result.
#![warn(missing_docs)]

pub mod cli;
pub mod commands;
pub mod display;
pub mod wiring;
