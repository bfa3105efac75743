-- Initial schema (SQLite). Kept in step with ../../postgres/2026-11-25-000000_initial/up.sql.
-- Instants are INTEGER unix seconds (UTC); days are TEXT 'YYYY-MM-DD'; ciphertext is BLOB.

CREATE TABLE oauth_states (
    state TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    pkce_verifier_ciphertext BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT
);
CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);
CREATE INDEX oauth_states_user_platform ON oauth_states (user_id, platform);

CREATE TABLE connections (
    -- AUTOINCREMENT: a deleted connection's id is never handed to a new one (host products
    -- may still hold events about it). PostgreSQL's BIGSERIAL never reuses either.
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    platform_account_id TEXT NOT NULL,
    union_id TEXT,
    username TEXT,
    display_name TEXT,
    avatar_url TEXT,
    bio TEXT,
    is_verified BOOLEAN NOT NULL DEFAULT 0,
    profile_deep_link TEXT,
    follower_count BIGINT,
    following_count BIGINT,
    likes_count BIGINT,
    video_count BIGINT,
    access_token_ciphertext BLOB,
    refresh_token_ciphertext BLOB,
    access_token_expires_at BIGINT,
    refresh_token_expires_at BIGINT,
    tokens_obtained_at BIGINT,
    token_version BIGINT NOT NULL DEFAULT 0,
    scopes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    status_error TEXT,
    last_refresh_at BIGINT,
    refresh_failures BIGINT NOT NULL DEFAULT 0,
    next_refresh_attempt_at BIGINT,
    last_synced_at BIGINT,
    last_sync_outcome TEXT,
    last_sync_error TEXT,
    sync_requested_at BIGINT,
    lease_holder TEXT,
    lease_expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (user_id, platform),
    UNIQUE (platform, platform_account_id)
);
CREATE INDEX connections_due ON connections (status, last_synced_at);
CREATE INDEX connections_access_expiry ON connections (access_token_expires_at);

CREATE TABLE videos (
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
CREATE INDEX videos_by_views ON videos (connection_id, view_count, id);
CREATE INDEX videos_by_likes ON videos (connection_id, like_count, id);
CREATE INDEX videos_by_comments ON videos (connection_id, comment_count, id);
CREATE INDEX videos_by_shares ON videos (connection_id, share_count, id);
CREATE INDEX videos_by_engagement ON videos (connection_id, engagement_rate, id);
CREATE INDEX videos_by_posted ON videos (connection_id, posted_at, id);

CREATE TABLE profile_snapshots (
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

CREATE TABLE video_snapshots (
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
CREATE INDEX video_snapshots_connection_day ON video_snapshots (connection_id, day);

CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY NOT NULL,
    connection_id BIGINT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    triggered_by TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT,
    videos_synced BIGINT NOT NULL DEFAULT 0,
    api_calls BIGINT NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT
);
CREATE INDEX sync_runs_connection_started ON sync_runs (connection_id, started_at, id);

CREATE TABLE api_quota (
    bucket TEXT NOT NULL,
    window_kind TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    spent BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_kind, window_start)
);
CREATE INDEX api_quota_window_start ON api_quota (window_start);
