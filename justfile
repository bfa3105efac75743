# Recipes wrapping the README's commands. `just` is optional: each recipe is one cargo command.

# Run the api-server (sandbox mode when TIKTOK_CLIENT_KEY is unset).
run:
    cargo run -p api-server

# Run the TikTok sandbox on its own.
sandbox *ARGS:
    cargo run -p tiktok-sandbox -- {{ARGS}}

# Run every test (set TEST_DATABASE_URL to include PostgreSQL).
test:
    cargo test --workspace

# Formatting and lints, as CI runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Benchmarks (see docs/benchmarks.md): `just bench api-calls`, `just bench read-load --database-url ...`.
# The benchmarks start the release api-server and sync-worker built beside the bench binary.
bench *ARGS:
    cargo build --release -p api-server -p sync-worker
    cargo run -p bench --release -- {{ARGS}}

# The crash-and-restart suite (README, "Faults on purpose"): the real binaries killed, raced
# and starved against the sandbox, on PostgreSQL (CHAOS_DATABASE_URL, default the local server).
chaos *ARGS:
    cargo build -p api-server -p sync-worker -p chaos
    cargo run -q -p chaos -- {{ARGS}}

# What CI runs.
ci:
    bash .ci/run
