//! A small HTTP load generator: `connections` keep-alive connections sending GETs with a
//! bearer token picked per request from many users. Two modes:
//! - closed loop (no rate): each connection sends its next request as soon as the previous
//!   answer is read, which measures the most requests per second the server serves;
//! - open loop (a rate): requests are due on a fixed schedule and each latency is measured
//!   from when the request was due, not when it was sent, so a stalled server cannot hide
//!   its queue (no coordinated omission).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use tokio::sync::Mutex;
use url::Url;

use crate::error::BenchResult;
use crate::latency::{LatencySummary, micros, summarise};

/// What to send, how hard and for how long.
#[derive(Debug, Clone)]
pub struct LoadSpec {
    /// The URL every request gets.
    pub url: Url,
    /// Bearer tokens; each request picks one at random (seeded).
    pub tokens: Arc<Vec<String>>,
    /// Concurrent connections.
    pub connections: usize,
    /// How long requests are measured.
    pub duration: Duration,
    /// Requests per second for an open-loop run; `None` for closed loop.
    pub rate: Option<u32>,
    /// Seed of the token choice.
    pub seed: u64,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// Answers with a 2xx status.
    pub ok: u64,
    /// Answers with another status, by status.
    pub bad_status: BTreeMap<u16, u64>,
    /// Requests that got no answer (connection errors, timeouts).
    pub transport_errors: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Latencies of every answered request.
    pub latency: LatencySummary,
}

impl LoadResult {
    /// Every request that did not get a 2xx answer.
    pub fn errors(&self) -> u64 {
        self.transport_errors + self.bad_status.values().sum::<u64>()
    }

    /// Answered requests (any status) per second.
    pub fn requests_per_second(&self) -> f64 {
        let answered = self.ok + self.bad_status.values().sum::<u64>();
        #[allow(clippy::cast_precision_loss)]
        let answered = answered as f64;
        answered / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// One connection's tally.
#[derive(Default)]
struct Tally {
    ok: u64,
    bad_status: BTreeMap<u16, u64>,
    transport_errors: u64,
    latencies: Vec<u32>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.ok += other.ok;
        self.transport_errors += other.transport_errors;
        for (status, count) in other.bad_status {
            *self.bad_status.entry(status).or_default() += count;
        }
        self.latencies.extend(other.latencies);
    }
}

/// Sends one request and reads the whole body; records its latency from `due`.
async fn one_request(
    client: &reqwest::Client,
    spec: &LoadSpec,
    rng: &mut ChaCha8Rng,
    due: Instant,
    tally: &mut Tally,
) {
    let token = spec
        .tokens
        .get(rng.gen_range(0..spec.tokens.len().max(1)))
        .map(String::as_str)
        .unwrap_or_default();
    let answer = client.get(spec.url.clone()).bearer_auth(token).send().await;
    match answer {
        Ok(response) => {
            let status = response.status();
            let body = response.bytes().await;
            match body {
                Ok(_) if status.is_success() => tally.ok += 1,
                Ok(_) => *tally.bad_status.entry(status.as_u16()).or_default() += 1,
                Err(_) => {
                    tally.transport_errors += 1;
                    return;
                }
            }
            tally.latencies.push(micros(due.elapsed()));
        }
        Err(_) => tally.transport_errors += 1,
    }
}

/// A client holding at most `connections` keep-alive connections.
fn client(connections: usize) -> BenchResult<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(10))
        .tcp_nodelay(true)
        .build()?)
}

/// Runs `spec` and reports what it measured.
pub async fn run(spec: &LoadSpec) -> BenchResult<LoadResult> {
    let client = client(spec.connections)?;
    let started = Instant::now();
    let deadline = started + spec.duration;
    let schedule = spec.rate.map(|rate| {
        let (sender, receiver) = tokio::sync::mpsc::channel::<Instant>(spec.connections * 4);
        let interval = Duration::from_secs(1) / rate.max(1);
        let dispatcher = tokio::spawn(async move {
            let mut due = started;
            while due < deadline {
                tokio::time::sleep_until(due.into()).await;
                if sender.send(due).await.is_err() {
                    break;
                }
                due += interval;
            }
        });
        (Arc::new(Mutex::new(receiver)), dispatcher)
    });

    let mut tasks = tokio::task::JoinSet::new();
    for connection in 0..spec.connections {
        let (client, spec) = (client.clone(), spec.clone());
        let receiver = schedule.as_ref().map(|(receiver, _)| Arc::clone(receiver));
        tasks.spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(spec.seed ^ (connection as u64) << 20);
            let mut tally = Tally::default();
            match receiver {
                None => {
                    while Instant::now() < deadline {
                        one_request(&client, &spec, &mut rng, Instant::now(), &mut tally).await;
                    }
                }
                Some(receiver) => loop {
                    let due = receiver.lock().await.recv().await;
                    let Some(due) = due else { break };
                    one_request(&client, &spec, &mut rng, due, &mut tally).await;
                },
            }
            tally
        });
    }
    let mut total = Tally::default();
    while let Some(tally) = tasks.join_next().await {
        if let Ok(tally) = tally {
            total.merge(tally);
        }
    }
    if let Some((_, dispatcher)) = schedule {
        dispatcher.abort();
    }
    let elapsed = started.elapsed();
    Ok(LoadResult {
        ok: total.ok,
        bad_status: total.bad_status,
        transport_errors: total.transport_errors,
        elapsed,
        latency: summarise(&mut total.latencies),
    })
}
