//! Integration tests over real HTTP against wiremock servers.
#![allow(clippy::unwrap_used)]

mod display;
mod helpers;
mod models;
mod oauth;
mod pagination;
mod plumbing;
mod raw;
mod resilience;
