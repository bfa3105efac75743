//! Issue 5's acceptance tests: the TikTok flows through the real api-server, its database and
//! the in-process sandbox, over real sockets, on SQLite and (with `TEST_DATABASE_URL`) on
//! PostgreSQL. One binary, so its log capture is its own.
#![allow(clippy::unwrap_used)]

mod host_receiver;
mod support;

mod full_flow;
mod history;
mod logs;
mod processes;
mod reads;
mod reconnects;
mod rejections;
mod webhooks;
