-- Counters a platform does not have are NULL, never 0 (SQLite). Videos and their snapshots
-- gain reach and saves (Instagram) and a media type; every counter, the engagement rate and
-- the snapshot's total views become nullable. SQLite cannot drop NOT NULL in place, so the
-- three tables are rebuilt (the migration runner turns foreign keys off while it migrates and
-- checks them afterwards, as SQLite's ALTER TABLE guide asks).
-- Existing TikTok rows keep their values; an engagement rate stored as 0 for a video with no
-- views becomes NULL, which is what it was.
-- Sorting puts unknown counters below every known one: the indexes are on
-- coalesce(counter, -1), the expression reads.rs sorts by.
-- Kept in step with ../../postgres/2026-12-05-000005_platform_neutral_counts/up.sql.

CREATE TABLE videos_new (
    id INTEGER PRIMARY KEY NOT NULL,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    platform_video_id TEXT NOT NULL,
    title TEXT,
    description TEXT,
    duration_seconds BIGINT,
    cover_image_url TEXT,
    share_url TEXT,
    embed_link TEXT,
    posted_at BIGINT,
    media_type TEXT,
    view_count BIGINT,
    like_count BIGINT,
    comment_count BIGINT,
    share_count BIGINT,
    reach_count BIGINT,
    save_count BIGINT,
    engagement_rate DOUBLE,
    first_seen_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (connection_id, platform_video_id),
    CHECK (view_count >= 0 AND like_count >= 0 AND comment_count >= 0 AND share_count >= 0
           AND reach_count >= 0 AND save_count >= 0)
);
INSERT INTO videos_new (id, connection_id, platform_video_id, title, description,
    duration_seconds, cover_image_url, share_url, embed_link, posted_at, view_count, like_count,
    comment_count, share_count, engagement_rate, first_seen_at, updated_at)
SELECT id, connection_id, platform_video_id, title, description, duration_seconds,
    cover_image_url, share_url, embed_link, posted_at, view_count, like_count, comment_count,
    share_count, CASE WHEN view_count > 0 THEN engagement_rate END, first_seen_at, updated_at
FROM videos;
DROP TABLE videos;
ALTER TABLE videos_new RENAME TO videos;
CREATE INDEX videos_by_views ON videos (connection_id, coalesce(view_count, -1), id);
CREATE INDEX videos_by_likes ON videos (connection_id, coalesce(like_count, -1), id);
CREATE INDEX videos_by_comments ON videos (connection_id, coalesce(comment_count, -1), id);
CREATE INDEX videos_by_shares ON videos (connection_id, coalesce(share_count, -1), id);
CREATE INDEX videos_by_engagement ON videos (connection_id, coalesce(engagement_rate, -1.0), id);
CREATE INDEX videos_by_posted ON videos (connection_id, posted_at, id);
CREATE INDEX videos_by_created ON videos (connection_id, coalesce(posted_at, first_seen_at), id);

CREATE TABLE video_snapshots_new (
    id INTEGER PRIMARY KEY NOT NULL,
    video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    view_count BIGINT,
    like_count BIGINT,
    comment_count BIGINT,
    share_count BIGINT,
    reach_count BIGINT,
    save_count BIGINT,
    captured_at BIGINT NOT NULL,
    UNIQUE (video_id, day)
);
INSERT INTO video_snapshots_new (id, video_id, connection_id, day, view_count, like_count,
    comment_count, share_count, captured_at)
SELECT id, video_id, connection_id, day, view_count, like_count, comment_count, share_count,
    captured_at
FROM video_snapshots;
DROP TABLE video_snapshots;
ALTER TABLE video_snapshots_new RENAME TO video_snapshots;
CREATE INDEX video_snapshots_connection_day ON video_snapshots (connection_id, day);

CREATE TABLE profile_snapshots_new (
    id INTEGER PRIMARY KEY NOT NULL,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    follower_count BIGINT,
    following_count BIGINT,
    likes_count BIGINT,
    video_count BIGINT,
    total_video_views BIGINT,
    captured_at BIGINT NOT NULL,
    UNIQUE (connection_id, day)
);
INSERT INTO profile_snapshots_new (id, connection_id, day, follower_count, following_count,
    likes_count, video_count, total_video_views, captured_at)
SELECT id, connection_id, day, follower_count, following_count, likes_count, video_count,
    total_video_views, captured_at
FROM profile_snapshots;
DROP TABLE profile_snapshots;
ALTER TABLE profile_snapshots_new RENAME TO profile_snapshots;
