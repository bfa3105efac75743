//! The one error type of the benchmarks: whatever stops a benchmark from running.

/// Why a benchmark could not run (a benchmark never fails on a time: only on set-up).
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The database refused an operation.
    #[error("storage: {0}")]
    Storage(#[from] storage::StorageError),
    /// A use case failed outright.
    #[error("services: {0}")]
    Service(#[from] services::ServiceError),
    /// Connecting a sandbox creator failed.
    #[error("connect: {0}")]
    Connect(#[from] services::ConnectError),
    /// The TikTok emulator could not start.
    #[error("sandbox: {0}")]
    Sandbox(#[from] tiktok_sandbox::SandboxError),
    /// The TikTok client settings are invalid.
    #[error("TikTok client settings: {0}")]
    TikTokConfig(#[from] tiktok_client::ConfigError),
    /// The token cipher could not be built.
    #[error("token cipher: {0}")]
    Crypto(#[from] storage::CryptoError),
    /// An HTTP exchange failed (the URL is left out: it may carry OAuth parameters).
    #[error("HTTP: {0}")]
    Http(reqwest::Error),
    /// A file or process operation failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// PostgreSQL administration (creating the benchmark database) failed.
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    /// A bearer token could not be signed.
    #[error("signing a bearer token: {0}")]
    Jwt(#[from] api_server::auth::IssueError),
    /// Anything else that makes the set-up unusable, said in words.
    #[error("{0}")]
    Setup(String),
}

impl From<reqwest::Error> for BenchError {
    fn from(error: reqwest::Error) -> Self {
        Self::Http(error.without_url())
    }
}

impl From<url::ParseError> for BenchError {
    fn from(error: url::ParseError) -> Self {
        Self::Setup(format!("invalid URL: {error}"))
    }
}

/// The benchmarks' result type.
pub type BenchResult<T> = Result<T, BenchError>;
