//! The document of a server in sandbox mode, where every platform the service knows is on,
//! made without serving anything: what `api-server openapi` prints, and what the TypeScript
//! types in `clients/typescript/` are generated from.

use std::collections::HashMap;

use crate::config::{Config, ConfigError};
use crate::wiring::{WiringError, WiringOptions, wire};

/// The document could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SandboxDocumentError {
    /// No scratch directory for the sandbox's database and development secrets.
    #[error("cannot create a scratch directory: {0}")]
    ScratchDir(#[source] std::io::Error),
    /// The sandbox configuration was refused (a bug: it is fixed here).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The sandbox server could not be wired.
    #[error(transparent)]
    Wiring(#[from] WiringError),
}

/// The OpenAPI document a sandbox server serves at `/api/openapi.json`.
///
/// The server is wired exactly as `api-server` wires it (the emulators started, a scratch
/// SQLite database, port 0), from a fixed configuration that ignores the environment, so the
/// document does not depend on where it is made; then it is dropped without serving.
///
/// # Errors
/// [`SandboxDocumentError`] when the sandbox cannot be wired.
pub async fn sandbox_document() -> Result<utoipa::openapi::OpenApi, SandboxDocumentError> {
    let scratch = tempfile::tempdir().map_err(SandboxDocumentError::ScratchDir)?;
    let vars = HashMap::from([
        ("MODE", "sandbox".to_owned()),
        ("PORT", "0".to_owned()),
        ("BIND_ADDRESS", "127.0.0.1".to_owned()),
        ("DATA_DIR", scratch.path().to_string_lossy().into_owned()),
    ]);
    let config = Config::from_lookup(|name| vars.get(name).cloned())?;
    let wired = wire(config, WiringOptions::default()).await?;
    Ok(super::document(&wired.app.state().platforms))
}
