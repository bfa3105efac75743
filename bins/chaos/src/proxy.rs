//! A TCP proxy in front of the sandbox that can stop being a good network: it stalls
//! (accepts, reads the request, never answers) or resets (reads the request, then closes with
//! RST), or passes bytes through. What the sandbox's own faults cannot do: a connection that
//! dies under the client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Result;
use tokio::io::AsyncReadExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does with the next connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Bytes both ways.
    Pass = 0,
    /// Read the request, never answer (until the mode changes: then close).
    Stall = 1,
    /// Read the request, then reset the connection.
    Reset = 2,
}

struct Shared {
    upstream: SocketAddr,
    /// Connections stalled from now on, then `after`.
    stall_next: AtomicU64,
    after: AtomicU8,
    accepted: AtomicU64,
    stalled: AtomicU64,
    resets: AtomicU64,
    /// Bumped to let every stalled connection go (closed).
    release: watch::Sender<u64>,
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a loopback port, forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream,
            stall_next: AtomicU64::new(0),
            after: AtomicU8::new(Mode::Pass as u8),
            accepted: AtomicU64::new(0),
            stalled: AtomicU64::new(0),
            resets: AtomicU64::new(0),
            release: watch::Sender::new(0),
        });
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(Self { addr, shared, task })
    }

    /// The proxy's base URL.
    pub fn base_url(&self) -> Result<url::Url> {
        Ok(url::Url::parse(&format!("http://{}/", self.addr))?)
    }

    /// Stalls the next `stalled` connections, then treats the rest as `then`; stalled
    /// connections from before are closed.
    pub fn script(&self, stalled: u64, then: Mode) {
        self.shared.release.send_modify(|count| *count += 1);
        self.shared.stall_next.store(stalled, Ordering::SeqCst);
        self.shared.after.store(then as u8, Ordering::SeqCst);
    }

    /// Connections accepted, stalled and reset so far.
    pub fn counts(&self) -> (u64, u64, u64) {
        (
            self.shared.accepted.load(Ordering::SeqCst),
            self.shared.stalled.load(Ordering::SeqCst),
            self.shared.resets.load(Ordering::SeqCst),
        )
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
        self.shared.release.send_modify(|count| *count += 1);
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let stall = shared
            .stall_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_ok();
        let mode = if stall {
            Mode::Stall
        } else {
            match shared.after.load(Ordering::SeqCst) {
                1 => Mode::Stall,
                2 => Mode::Reset,
                _ => Mode::Pass,
            }
        };
        tokio::spawn(handle(stream, mode, Arc::clone(&shared)));
    }
}

async fn handle(mut stream: TcpStream, mode: Mode, shared: Arc<Shared>) {
    match mode {
        Mode::Pass => {
            if let Ok(mut upstream) = TcpStream::connect(shared.upstream).await {
                let _ = tokio::io::copy_bidirectional(&mut stream, &mut upstream).await;
            }
        }
        Mode::Stall => {
            shared.stalled.fetch_add(1, Ordering::SeqCst);
            let mut release = shared.release.subscribe();
            let seen = *release.borrow_and_update();
            let mut sink = [0_u8; 4096];
            // Read (and drop) whatever comes, answer nothing, until released or the peer
            // goes away.
            loop {
                tokio::select! {
                    read = stream.read(&mut sink) => {
                        if matches!(read, Ok(0) | Err(_)) {
                            break;
                        }
                    }
                    _ = release.wait_for(|count| *count > seen) => break,
                }
            }
        }
        Mode::Reset => {
            let mut request = [0_u8; 4096];
            let _ = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut request)).await;
            shared.resets.fetch_add(1, Ordering::SeqCst);
            // SO_LINGER 0: the close sends RST, as a crashed or overloaded peer does.
            let _ = stream.set_zero_linger();
        }
    }
}
