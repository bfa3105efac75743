-- Each account's daily activity as the platform reports it (SQLite).
-- Kept in step with ../../postgres/2026-12-05-000007_daily_activity/up.sql.

-- One row per connection and platform day (YouTube Analytics' Pacific days): what happened
-- that day (views, minutes watched, likes, subscribers gained and lost), not a running
-- total. A later sync re-reads the days the platform revises and replaces them; a metric
-- the platform did not give is NULL. Deleted with the connection.
CREATE TABLE daily_activity (
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    views BIGINT,
    watch_minutes BIGINT,
    likes BIGINT,
    followers_gained BIGINT,
    followers_lost BIGINT,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (connection_id, day)
);
