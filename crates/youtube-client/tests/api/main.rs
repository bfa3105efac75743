//! Integration tests over real HTTP against wiremock servers.
#![allow(clippy::unwrap_used)]

mod errors;
mod helpers;
mod oauth;
mod pagination;
mod quota;
mod reads;
mod upkeep;
