-- Webhooks received and notifications to the host product (PostgreSQL).
-- Kept in step with ../../sqlite/2026-11-25-000001_webhooks_and_outbox/up.sql.

CREATE TABLE webhook_events (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    event TEXT NOT NULL,
    platform_account_id TEXT,
    event_created_at BIGINT NOT NULL,
    -- SHA-256 of the raw body: the same delivery twice is recorded once.
    body_digest TEXT NOT NULL UNIQUE,
    received_at BIGINT NOT NULL,
    outcome TEXT
);
CREATE INDEX webhook_events_received_at ON webhook_events (received_at);

-- No foreign key to connections: `connection.removed` must outlive the connection.
CREATE TABLE outbound_events (
    id BIGSERIAL PRIMARY KEY,
    event TEXT NOT NULL,
    user_id TEXT NOT NULL,
    connection_id BIGINT,
    payload TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbound_events_due ON outbound_events (delivered_at, next_attempt_at);
