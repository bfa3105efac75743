//! `bench`: one command per benchmark (see `docs/benchmarks.md`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bench::dataset::{self, DatasetSpec};
use bench::error::{BenchError, BenchResult};
use bench::keys::BenchSecrets;
use bench::read_load::{self, ReadLoadSpec};
use bench::server::{self, ServerSpec};
use bench::worker::{self, WorkerBenchSpec};
use bench::{api_calls, database, instagram_calls, startup, youtube_calls};
use clap::{Args, Parser, Subcommand};

/// Benchmarks of the TikTok connect-and-sync service.
#[derive(Debug, Parser)]
#[command(name = "bench", version)]
struct Cli {
    /// Seed of every generated value and of the benchmark's keys.
    #[arg(long, global = true, default_value_t = 42)]
    seed: u64,
    #[command(subcommand)]
    command: Benchmark,
}

#[derive(Debug, Subcommand)]
enum Benchmark {
    /// 1. Calls per account on each platform: connect and sync TikTok creators, Instagram
    ///    accounts and YouTube channels against the emulators.
    ApiCalls {
        /// Videos of each TikTok creator, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = api_calls::DEFAULT_VIDEO_COUNTS)]
        videos: Vec<u32>,
        /// Media of each Instagram account, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = instagram_calls::DEFAULT_MEDIA_COUNTS)]
        media: Vec<u32>,
        /// The app's daily call budget the accounts-per-day column is computed for.
        #[arg(long, default_value_t = 1_000)]
        daily_budget: u64,
        /// Uploads of each YouTube channel, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = youtube_calls::DEFAULT_UPLOAD_COUNTS)]
        uploads: Vec<u32>,
        /// The project's daily YouTube units the channels-per-day column is computed for.
        #[arg(long, default_value_t = youtube_calls::DEFAULT_DAILY_UNITS)]
        youtube_units: u64,
    },
    /// Fill a database with the read benchmark's data set (recreates it).
    Seed {
        #[command(flatten)]
        data: DataArgs,
    },
    /// 3. The read API under load, on a real api-server process.
    ReadLoad {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        server: ServerArgs,
        /// Use the data already in the database (filled by `seed` with the same options).
        #[arg(long)]
        reuse: bool,
        /// Concurrent connections.
        #[arg(long, default_value_t = 50)]
        concurrency: usize,
        /// Seconds of each measured run.
        #[arg(long, default_value_t = 30)]
        duration: u64,
        /// Seconds of closed-loop warm-up per endpoint (not measured).
        #[arg(long, default_value_t = 3)]
        warmup: u64,
        /// Requests per second of the open-loop latency runs (0 skips them).
        #[arg(long, default_value_t = 1_000)]
        rate: u32,
    },
    /// 4. Start-up: process start to `/readyz` answering 200, on an existing database.
    Startup {
        /// The database (already filled, for example by `seed`).
        #[arg(long)]
        database_url: String,
        #[command(flatten)]
        server: ServerArgs,
        /// Starts measured.
        #[arg(long, default_value_t = 10)]
        runs: u32,
    },
    /// 2. Sync throughput of the sync-worker against the sandbox.
    WorkerThroughput {
        /// The database (recreated).
        #[arg(long)]
        database_url: String,
        /// The sync-worker executable (default: beside this binary).
        #[arg(long)]
        worker_bin: Option<PathBuf>,
        /// Arguments of one pass.
        #[arg(long, value_delimiter = ' ', default_value = "run-once")]
        worker_args: Vec<String>,
        /// Connections (the sandbox holds at most 10,000 creators and 500,000 videos).
        #[arg(long, default_value_t = 10_000)]
        connections: u32,
        /// Videos per connection.
        #[arg(long, default_value_t = 50)]
        videos: u32,
        /// Latency added to every TikTok call, in milliseconds.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Pacing given to the worker (`TIKTOK_RATE_LIMIT_PER_MINUTE`).
        #[arg(long)]
        pacing_per_minute: Option<u32>,
        /// Accounts synced one at a time afterwards to time the seed's approach (0 skips).
        #[arg(long, default_value_t = 20)]
        seed_sample: u32,
    },
}

/// The read benchmark's data set and where it lives.
#[derive(Debug, Args)]
struct DataArgs {
    /// `postgres://...` or an SQLite file path.
    #[arg(long)]
    database_url: String,
    /// Users, one connection each.
    #[arg(long, default_value_t = 10_000)]
    connections: u32,
    /// Videos per connection.
    #[arg(long, default_value_t = 50)]
    videos: u32,
    /// Days of profile history per connection.
    #[arg(long, default_value_t = 8)]
    history_days: u32,
    /// Concurrent writers while filling (default: 1 for SQLite, 8 for PostgreSQL).
    #[arg(long)]
    writers: Option<u32>,
}

/// The api-server process.
#[derive(Debug, Args)]
struct ServerArgs {
    /// The api-server executable (default: beside this binary).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// The server's `RUST_LOG`.
    #[arg(long, default_value = "warn")]
    server_log: String,
}

impl DataArgs {
    fn spec(&self, seed: u64) -> DatasetSpec {
        DatasetSpec {
            connections: self.connections,
            videos: self.videos,
            history_days: self.history_days.max(1),
            seed,
        }
    }
}

impl ServerArgs {
    fn spec(&self, database_url: &str, work_dir: &std::path::Path) -> ServerSpec {
        ServerSpec {
            binary: self
                .server_bin
                .clone()
                .unwrap_or_else(|| server::default_binary("api-server")),
            database_url: database_url.to_owned(),
            log_filter: self.server_log.clone(),
            work_dir: work_dir.to_owned(),
        }
    }
}

/// Recreates the database and fills it; prints how long it took.
async fn seed(data: &DataArgs, seed: u64, secrets: &BenchSecrets) -> BenchResult<()> {
    let spec = data.spec(seed);
    let writers = data
        .writers
        .unwrap_or(if database::is_postgres(&data.database_url) {
            8
        } else {
            1
        });
    database::recreate(&data.database_url).await?;
    let pool = usize::try_from(writers).unwrap_or(8).max(1);
    let db = database::open(&data.database_url, secrets.cipher()?, pool).await?;
    eprintln!(
        "filling: {} connections × {} videos, {} days of history, {writers} writers",
        spec.connections, spec.videos, spec.history_days
    );
    let started = Instant::now();
    dataset::fill(&db, spec, writers).await?;
    database::analyze(&data.database_url).await?;
    println!(
        "Filled {} connections and {} videos ({} days of history) in {:.1} s.\n",
        spec.connections,
        u64::from(spec.connections) * u64::from(spec.videos),
        spec.history_days,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn run(cli: Cli) -> BenchResult<()> {
    let secrets = BenchSecrets::from_seed(cli.seed);
    match cli.command {
        Benchmark::ApiCalls {
            videos,
            media,
            daily_budget,
            uploads,
            youtube_units,
        } => {
            let costs = api_calls::run(&videos, cli.seed).await?;
            println!("{}", api_calls::render(&costs, daily_budget));
            let costs = instagram_calls::run(&media, cli.seed).await?;
            println!("{}", instagram_calls::render(&costs));
            let costs = youtube_calls::run(&uploads, cli.seed).await?;
            println!("{}", youtube_calls::render(&costs, youtube_units));
        }
        Benchmark::Seed { data } => seed(&data, cli.seed, &secrets).await?,
        Benchmark::ReadLoad {
            data,
            server,
            reuse,
            concurrency,
            duration,
            warmup,
            rate,
        } => {
            if !reuse {
                seed(&data, cli.seed, &secrets).await?;
            }
            let work_dir = tempfile::tempdir()?;
            let spec = ReadLoadSpec {
                server: server.spec(&data.database_url, work_dir.path()),
                dataset: data.spec(cli.seed),
                connections: concurrency.max(1),
                duration: Duration::from_secs(duration),
                warmup: Duration::from_secs(warmup),
                rate,
            };
            let report = read_load::run(&spec, &secrets).await?;
            println!("{}", read_load::render(&report));
        }
        Benchmark::Startup {
            database_url,
            server,
            runs,
        } => {
            let work_dir = tempfile::tempdir()?;
            let spec = server.spec(&database_url, work_dir.path());
            let times = startup::run(&spec, &secrets, runs).await?;
            println!("{}", startup::render(&times));
        }
        Benchmark::WorkerThroughput {
            database_url,
            worker_bin,
            worker_args,
            connections,
            videos,
            latency_ms,
            pacing_per_minute,
            seed_sample,
        } => {
            let spec = WorkerBenchSpec {
                worker_bin: worker_bin.unwrap_or_else(|| server::default_binary("sync-worker")),
                worker_args,
                database_url,
                connections,
                videos,
                latency_ms,
                pacing_per_minute,
                seed_sample,
                seed: cli.seed,
            };
            let report = worker::run(&spec, &secrets).await?;
            println!("{}", worker::render(&report));
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench: {error}");
            if matches!(error, BenchError::Setup(_)) {
                eprintln!("(see docs/benchmarks.md)");
            }
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn api_calls_takes_a_list_of_video_counts() {
        let cli = Cli::try_parse_from(["bench", "api-calls", "--videos", "0,21"]).expect("parses");
        assert!(matches!(
            cli.command,
            Benchmark::ApiCalls { ref videos, daily_budget: 1_000, .. } if videos == &[0, 21]
        ));
    }
}
