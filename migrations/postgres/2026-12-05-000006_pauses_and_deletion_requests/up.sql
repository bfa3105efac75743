-- Platform pauses and data deletion requests (PostgreSQL).
-- Kept in step with ../../sqlite/2026-12-05-000006_pauses_and_deletion_requests/up.sql.

-- A budget a platform paused: no call spends from `bucket` before `until` (unix seconds).
-- Instagram pauses one account for the time Meta states; every process reads the pause.
CREATE TABLE platform_pauses (
    bucket TEXT PRIMARY KEY NOT NULL,
    until BIGINT NOT NULL
);

-- A platform's request to delete an account's data (Instagram's data deletion callback),
-- answered with a status URL and this confirmation code. One row per delivery (its body's
-- digest), so a redelivery gets the same code.
CREATE TABLE data_deletion_requests (
    confirmation_code TEXT PRIMARY KEY NOT NULL,
    platform TEXT NOT NULL,
    platform_account_id TEXT NOT NULL,
    body_digest TEXT NOT NULL UNIQUE,
    requested_at BIGINT NOT NULL,
    completed_at BIGINT,
    outcome TEXT
);

-- The day's interactions over the connection's stored posts (likes, comments, shares and
-- saves, each where known), for the combined overview's series; NULL when none is known
-- (and for days captured before this column existed).
ALTER TABLE profile_snapshots ADD COLUMN total_interactions BIGINT;

-- When every counter of a post was last read: Instagram re-reads older media's insights a
-- share at a time, the stalest first.
ALTER TABLE videos ADD COLUMN counters_read_at BIGINT;
