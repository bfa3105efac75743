//! The flows through the real api-server, its database and the in-process emulators
//! (TikTok's, Instagram's), over real sockets, on SQLite and (with `TEST_DATABASE_URL`) on
//! PostgreSQL. One binary, so its log capture is its own.
#![allow(clippy::unwrap_used)]

mod host_receiver;
mod instagram_support;
mod support;
mod youtube_support;

mod answers;
mod browser_binding;
mod fair_share;
mod full_flow;
mod history;
mod housekeeping;
mod instagram;
mod instagram_lifecycle;
mod logs;
mod lost_connections;
mod overview;
mod processes;
mod reads;
mod reconnects;
mod rejections;
mod webhooks;
mod youtube;
