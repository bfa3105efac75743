-- The index of the videos' default order, "created" (SQLite): the posting time, or the
-- first-seen time when TikTok did not say (reads.rs sorts by exactly this expression).
-- Without it, each page read and sorted all of a connection's videos.
-- Kept in step with ../../postgres/2026-11-25-000004_videos_by_created/up.sql.
CREATE INDEX videos_by_created ON videos (connection_id, coalesce(posted_at, first_seen_at), id);
