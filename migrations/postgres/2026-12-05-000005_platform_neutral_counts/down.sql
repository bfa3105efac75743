-- Back to TikTok-only counters (PostgreSQL): unknown counters become 0 again, and reach,
-- saves and the media type are dropped. Kept in step with the SQLite down.sql.

ALTER TABLE profile_snapshots ALTER COLUMN total_video_views SET DEFAULT 0;
UPDATE profile_snapshots SET total_video_views = 0 WHERE total_video_views IS NULL;
ALTER TABLE profile_snapshots ALTER COLUMN total_video_views SET NOT NULL,
    ALTER COLUMN total_video_views DROP DEFAULT;

UPDATE video_snapshots SET view_count = coalesce(view_count, 0),
    like_count = coalesce(like_count, 0), comment_count = coalesce(comment_count, 0),
    share_count = coalesce(share_count, 0);
ALTER TABLE video_snapshots
    DROP COLUMN reach_count,
    DROP COLUMN save_count,
    ALTER COLUMN view_count SET NOT NULL,
    ALTER COLUMN like_count SET NOT NULL,
    ALTER COLUMN comment_count SET NOT NULL,
    ALTER COLUMN share_count SET NOT NULL;

DROP INDEX videos_by_views;
DROP INDEX videos_by_likes;
DROP INDEX videos_by_comments;
DROP INDEX videos_by_shares;
DROP INDEX videos_by_engagement;
UPDATE videos SET view_count = coalesce(view_count, 0), like_count = coalesce(like_count, 0),
    comment_count = coalesce(comment_count, 0), share_count = coalesce(share_count, 0),
    engagement_rate = coalesce(engagement_rate, 0.0);
ALTER TABLE videos
    DROP COLUMN media_type,
    DROP COLUMN reach_count,
    DROP COLUMN save_count,
    ALTER COLUMN view_count SET NOT NULL,
    ALTER COLUMN like_count SET NOT NULL,
    ALTER COLUMN comment_count SET NOT NULL,
    ALTER COLUMN share_count SET NOT NULL,
    ALTER COLUMN engagement_rate SET NOT NULL;
CREATE INDEX videos_by_views ON videos (connection_id, view_count, id);
CREATE INDEX videos_by_likes ON videos (connection_id, like_count, id);
CREATE INDEX videos_by_comments ON videos (connection_id, comment_count, id);
CREATE INDEX videos_by_shares ON videos (connection_id, share_count, id);
CREATE INDEX videos_by_engagement ON videos (connection_id, engagement_rate, id);
