-- Counters a platform does not have are NULL, never 0 (PostgreSQL). Videos and their
-- snapshots gain reach and saves (Instagram) and a media type; every counter, the engagement
-- rate and the snapshot's total views become nullable. Existing TikTok rows keep their
-- values; an engagement rate stored as 0 for a video with no views becomes NULL.
-- Sorting puts unknown counters below every known one: the indexes are on
-- coalesce(counter, -1), the expression reads.rs sorts by.
-- Kept in step with ../../sqlite/2026-12-05-000005_platform_neutral_counts/up.sql.

ALTER TABLE videos
    ALTER COLUMN view_count DROP NOT NULL,
    ALTER COLUMN like_count DROP NOT NULL,
    ALTER COLUMN comment_count DROP NOT NULL,
    ALTER COLUMN share_count DROP NOT NULL,
    ALTER COLUMN engagement_rate DROP NOT NULL,
    ADD COLUMN media_type TEXT,
    ADD COLUMN reach_count BIGINT CHECK (reach_count >= 0),
    ADD COLUMN save_count BIGINT CHECK (save_count >= 0);
UPDATE videos SET engagement_rate = NULL WHERE view_count = 0;

DROP INDEX videos_by_views;
DROP INDEX videos_by_likes;
DROP INDEX videos_by_comments;
DROP INDEX videos_by_shares;
DROP INDEX videos_by_engagement;
CREATE INDEX videos_by_views ON videos (connection_id, (coalesce(view_count, -1)), id);
CREATE INDEX videos_by_likes ON videos (connection_id, (coalesce(like_count, -1)), id);
CREATE INDEX videos_by_comments ON videos (connection_id, (coalesce(comment_count, -1)), id);
CREATE INDEX videos_by_shares ON videos (connection_id, (coalesce(share_count, -1)), id);
CREATE INDEX videos_by_engagement ON videos (connection_id, (coalesce(engagement_rate, -1.0)), id);

ALTER TABLE video_snapshots
    ALTER COLUMN view_count DROP NOT NULL,
    ALTER COLUMN like_count DROP NOT NULL,
    ALTER COLUMN comment_count DROP NOT NULL,
    ALTER COLUMN share_count DROP NOT NULL,
    ADD COLUMN reach_count BIGINT,
    ADD COLUMN save_count BIGINT;

ALTER TABLE profile_snapshots ALTER COLUMN total_video_views DROP NOT NULL;
