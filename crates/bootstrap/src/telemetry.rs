//! Tracing set-up: pretty or JSON lines, filtered by `RUST_LOG` (default `info`).
//!
//! [`LogCapture`] is a [`MakeWriter`] into a shared buffer so tests can read everything the
//! server logged and assert that no secret is in it.

use std::io::{IsTerminal as _, Write};
use std::sync::{Arc, Mutex, PoisonError};

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;

use crate::settings::LogFormat;

/// Installing the global subscriber failed.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// `RUST_LOG` has a directive tracing cannot parse.
    #[error("RUST_LOG: {0}")]
    Filter(String),
    /// A global subscriber is already installed.
    #[error("a global tracing subscriber is already installed")]
    AlreadyInstalled,
}

/// Builds a subscriber writing `format` to standard output, filtered by `filter` (`RUST_LOG`
/// syntax). Pretty output is coloured only when standard output is a terminal.
///
/// # Errors
/// [`TelemetryError::Filter`] when `filter` does not parse.
pub fn stdout_subscriber(
    format: LogFormat,
    filter: &str,
) -> Result<Box<dyn Subscriber + Send + Sync>, TelemetryError> {
    build(
        format,
        filter,
        std::io::stdout,
        std::io::stdout().is_terminal(),
    )
}

/// Builds a subscriber writing `format` to `writer` without colours, filtered by `filter`
/// (`RUST_LOG` syntax). Tests pass a [`LogCapture`].
///
/// # Errors
/// [`TelemetryError::Filter`] when `filter` does not parse.
pub fn subscriber<W>(
    format: LogFormat,
    filter: &str,
    writer: W,
) -> Result<Box<dyn Subscriber + Send + Sync>, TelemetryError>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    build(format, filter, writer, false)
}

fn build<W>(
    format: LogFormat,
    filter: &str,
    writer: W,
    ansi: bool,
) -> Result<Box<dyn Subscriber + Send + Sync>, TelemetryError>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter =
        EnvFilter::try_new(filter).map_err(|error| TelemetryError::Filter(error.to_string()))?;
    let registry = tracing_subscriber::registry().with(filter);
    Ok(match format {
        LogFormat::Pretty => Box::new(
            registry.with(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(ansi)
                    .with_target(true),
            ),
        ),
        LogFormat::Json => Box::new(
            registry.with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_writer(writer),
            ),
        ),
    })
}

/// Installs `subscriber` as the process-wide default.
///
/// # Errors
/// [`TelemetryError::AlreadyInstalled`] when called twice.
pub fn init(subscriber: Box<dyn Subscriber + Send + Sync>) -> Result<(), TelemetryError> {
    tracing::subscriber::set_global_default(subscriber)
        .map_err(|_| TelemetryError::AlreadyInstalled)
}

/// An in-memory log sink shared by clones.
#[derive(Debug, Clone, Default)]
pub struct LogCapture {
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl LogCapture {
    /// An empty capture.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything written so far, as text.
    pub fn contents(&self) -> String {
        let buffer = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&buffer).into_owned()
    }
}

/// A writer appending to a [`LogCapture`].
#[derive(Debug)]
pub struct CaptureWriter {
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogCapture {
    type Writer = CaptureWriter;

    fn make_writer(&'a self) -> Self::Writer {
        CaptureWriter {
            buffer: Arc::clone(&self.buffer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_json_lines() {
        let capture = LogCapture::new();
        let subscriber = subscriber(LogFormat::Json, "info", capture.clone()).expect("subscriber");
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(route = "/healthz", "request served");
            tracing::debug!("filtered out");
        });
        let text = capture.contents();
        let line: serde_json::Value =
            serde_json::from_str(text.lines().next().expect("one line")).expect("JSON line");
        assert_eq!(line["route"], "/healthz");
        assert_eq!(line["message"], "request served");
        assert!(!text.contains("filtered out"));
    }

    #[test]
    fn refuses_a_bad_filter() {
        let error = subscriber(LogFormat::Pretty, "info,[", LogCapture::new());
        assert!(matches!(error, Err(TelemetryError::Filter(_))));
    }
}
