//! Integration tests over real HTTP against wiremock servers.
#![allow(clippy::unwrap_used)]

mod display;
mod helpers;
mod oauth;
mod pagination;
mod resilience;
