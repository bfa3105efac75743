//! What every process of the service starts from, so the api-server and the sync-worker read
//! the same variables the same way and build the same use cases without depending on each
//! other:
//!
//! - [`settings`]: the settings both binaries read from the environment (database, token
//!   keys, platform credentials, quotas, host webhooks, logging), sandbox or live;
//! - [`telemetry`]: the tracing subscriber (pretty or JSON lines);
//! - [`wiring`]: the database, the platform clients and the [`services::Services`] built
//!   from those settings, and the host notifications' deliverer.
//!
//! The HTTP server's own settings (bind address, CORS origins, JWT) stay in the api-server.
#![warn(missing_docs)]

pub mod settings;
pub mod telemetry;
pub mod wiring;

pub use settings::{ConfigError, LogFormat, Mode, Settings};
