#!/usr/bin/env bash
# Runs every benchmark as recorded in docs/benchmarks.md and prints the reports.
# Usage: bins/bench/scripts/run-all.sh [PG_BASE_URL] [SQLITE_DIR]
#   PG_BASE_URL  default postgres://postgres@127.0.0.1:5432 (databases bench_read and
#                bench_worker are dropped and recreated there)
#   SQLITE_DIR   default ./target/bench-data
set -euo pipefail

pg=${1:-postgres://postgres@127.0.0.1:5432}
dir=${2:-./target/bench-data}
mkdir -p "$dir"

cargo build --release -p api-server -p sync-worker -p bench
bench=${CARGO_TARGET_DIR:-target}/release/bench

echo "## $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores; $(free -h | awk '/Mem:/ {print $2}') memory"

echo "### 1. API calls per account"
"$bench" api-calls

for db in "$dir/read.sqlite" "$pg/bench_read"; do
    echo "### 3. Read API under load: $db"
    "$bench" read-load --database-url "$db"
    echo "### 4. Start-up: $db"
    "$bench" startup --database-url "$db"
done

for db in "$dir/worker.sqlite" "$pg/bench_worker"; do
    for latency in 0 100; do
        echo "### 2. Worker throughput: $db, ${latency} ms per call"
        "$bench" worker-throughput --database-url "$db" --latency-ms "$latency"
    done
    echo "### 2. Worker pacing: $db, 600 calls/min per endpoint"
    "$bench" worker-throughput --database-url "$db" --connections 200 --pacing-per-minute 600 --seed-sample 0
done
