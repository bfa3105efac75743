-- Issue 25: a connect finishes in the browser that began it. The platform's authorize URL is
-- kept with the state until the popup opens our start route, which binds the state to that
-- browser (the SHA-256 of a random cookie value, hex).
ALTER TABLE oauth_states ADD COLUMN authorize_url TEXT;
ALTER TABLE oauth_states ADD COLUMN browser_binding TEXT;

-- Issue 25: a user's connects and manual syncs of one platform share one cooldown, which
-- outlives a disconnect (a connect/disconnect loop must not sync at every turn).
CREATE TABLE interactive_cooldowns (
    user_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    last_started_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, platform)
);
