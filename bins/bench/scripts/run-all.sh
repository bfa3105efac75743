#!/usr/bin/env bash
# Runs every benchmark at issue 8's sizes, as recorded in docs/benchmarks.md, and prints the
# reports. Each benchmark starts with the machine's load average, so contention is on record.
# Usage: bins/bench/scripts/run-all.sh [PG_BASE_URL] [SQLITE_DIR]
#   PG_BASE_URL  default postgres://postgres@127.0.0.1:5432 (databases bench_read,
#                bench_worker and bench_pacing are dropped and recreated there)
#   SQLITE_DIR   default ./target/bench-data
set -euo pipefail

pg=${1:-postgres://postgres@127.0.0.1:5432}
dir=${2:-./target/bench-data}
mkdir -p "$dir"

cargo build --release -p api-server -p sync-worker -p bench
bench=${CARGO_TARGET_DIR:-target}/release/bench

# A heading with the time and the load average (1, 5, 15 min) at the start of a benchmark.
section() {
    echo
    echo "### $*"
    echo "Started $(date -u '+%H:%M:%S UTC'); load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
}

echo "## $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores; $(free -h | awk '/Mem:/ {print $2}') memory"

section "1. API calls per account (creators with 0, 1, 20, 21, 100 and 1,000 videos)"
"$bench" api-calls

# 10,000 connections x 50 videos (500,000 videos), 50 concurrent, 30 s per run.
for db in "$dir/read.sqlite" "$pg/bench_read"; do
    section "3. Read API under load: $db"
    "$bench" read-load --database-url "$db" --connections 10000 --videos 50 \
        --concurrency 50 --duration 30 --rate 1000
    section "4. Start-up: $db"
    "$bench" startup --database-url "$db" --runs 10
done

# 10,000 connections x 50 videos, unpaced, 0 and 100 ms per TikTok call; then the pacing:
# 200 connections at 600 calls/min per endpoint (each endpoint busy for about a minute).
# The worker runs as docs/deploy's systemd units run it: with glibc's arenas capped at 2.
export MALLOC_ARENA_MAX=2
for backend in sqlite postgres; do
    if [ "$backend" = sqlite ]; then
        worker_db="$dir/worker.sqlite"
        pacing_db="$dir/pacing.sqlite"
    else
        worker_db="$pg/bench_worker"
        pacing_db="$pg/bench_pacing"
    fi
    for latency in 0 100; do
        section "2. Worker throughput: $worker_db, 10,000 x 50, ${latency} ms per call"
        "$bench" worker-throughput --database-url "$worker_db" --connections 10000 \
            --videos 50 --latency-ms "$latency"
    done
    section "2. Worker pacing: $pacing_db, 200 x 50, 600 calls/min per endpoint"
    "$bench" worker-throughput --database-url "$pacing_db" --connections 200 --videos 50 \
        --pacing-per-minute 600 --seed-sample 0
done
