//! Errors of the sandbox library.

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The configuration is inconsistent (the message says which setting).
    #[error("invalid sandbox configuration: {0}")]
    InvalidConfig(String),
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address that was asked for.
        addr: std::net::SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP server could not be set up on the bound socket.
    #[error("cannot start the HTTP server")]
    Server(#[source] std::io::Error),
    /// The bound address does not make a valid base URL.
    #[error("cannot build the base URL: {0}")]
    BaseUrl(#[from] url::ParseError),
}
