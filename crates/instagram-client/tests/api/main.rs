//! Integration tests over real HTTP against wiremock servers.
#![allow(clippy::unwrap_used)]

mod errors;
mod helpers;
mod insights;
mod oauth;
mod pagination;
mod reads;
mod upkeep;
