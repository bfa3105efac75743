-- Back to TikTok-only counters (SQLite): unknown counters become 0 again, and reach, saves
-- and the media type are dropped. Kept in step with the PostgreSQL down.sql.

CREATE TABLE videos_old (
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
    view_count BIGINT NOT NULL,
    like_count BIGINT NOT NULL,
    comment_count BIGINT NOT NULL,
    share_count BIGINT NOT NULL,
    engagement_rate DOUBLE NOT NULL,
    first_seen_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (connection_id, platform_video_id),
    CHECK (view_count >= 0 AND like_count >= 0 AND comment_count >= 0 AND share_count >= 0)
);
INSERT INTO videos_old SELECT id, connection_id, platform_video_id, title, description,
    duration_seconds, cover_image_url, share_url, embed_link, posted_at,
    coalesce(view_count, 0), coalesce(like_count, 0), coalesce(comment_count, 0),
    coalesce(share_count, 0), coalesce(engagement_rate, 0.0), first_seen_at, updated_at
FROM videos;
DROP TABLE videos;
ALTER TABLE videos_old RENAME TO videos;
CREATE INDEX videos_by_views ON videos (connection_id, view_count, id);
CREATE INDEX videos_by_likes ON videos (connection_id, like_count, id);
CREATE INDEX videos_by_comments ON videos (connection_id, comment_count, id);
CREATE INDEX videos_by_shares ON videos (connection_id, share_count, id);
CREATE INDEX videos_by_engagement ON videos (connection_id, engagement_rate, id);
CREATE INDEX videos_by_posted ON videos (connection_id, posted_at, id);
CREATE INDEX videos_by_created ON videos (connection_id, coalesce(posted_at, first_seen_at), id);

CREATE TABLE video_snapshots_old (
    id INTEGER PRIMARY KEY NOT NULL,
    video_id BIGINT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    view_count BIGINT NOT NULL,
    like_count BIGINT NOT NULL,
    comment_count BIGINT NOT NULL,
    share_count BIGINT NOT NULL,
    captured_at BIGINT NOT NULL,
    UNIQUE (video_id, day)
);
INSERT INTO video_snapshots_old SELECT id, video_id, connection_id, day,
    coalesce(view_count, 0), coalesce(like_count, 0), coalesce(comment_count, 0),
    coalesce(share_count, 0), captured_at
FROM video_snapshots;
DROP TABLE video_snapshots;
ALTER TABLE video_snapshots_old RENAME TO video_snapshots;
CREATE INDEX video_snapshots_connection_day ON video_snapshots (connection_id, day);

CREATE TABLE profile_snapshots_old (
    id INTEGER PRIMARY KEY NOT NULL,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    follower_count BIGINT,
    following_count BIGINT,
    likes_count BIGINT,
    video_count BIGINT,
    total_video_views BIGINT NOT NULL,
    captured_at BIGINT NOT NULL,
    UNIQUE (connection_id, day)
);
INSERT INTO profile_snapshots_old SELECT id, connection_id, day, follower_count,
    following_count, likes_count, video_count, coalesce(total_video_views, 0), captured_at
FROM profile_snapshots;
DROP TABLE profile_snapshots;
ALTER TABLE profile_snapshots_old RENAME TO profile_snapshots;
