//! The repository test suite, written once and run on both backends (SQLite always,
//! PostgreSQL when `TEST_DATABASE_URL` is set), one module per table.
#![allow(clippy::unwrap_used)]

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod connections;
mod cooldowns;
mod database;
mod leasing;
mod oauth_states;
mod outbox;
mod quota;
mod sync_runs;
mod sync_writes;
mod tokens;
mod upgrade;
mod videos;
mod webhooks;
