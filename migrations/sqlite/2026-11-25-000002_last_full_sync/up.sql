-- When a connection's last full walk of the video list finished (SQLite).
-- Kept in step with ../../postgres/2026-11-25-000002_last_full_sync/up.sql.
ALTER TABLE connections ADD COLUMN last_full_sync_at BIGINT;
-- Until now every successful sync walked every page, and only a successful sync moves
-- last_synced_at: it is the last full walk.
UPDATE connections SET last_full_sync_at = last_synced_at;
