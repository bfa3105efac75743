DROP TABLE interactive_cooldowns;
ALTER TABLE oauth_states DROP COLUMN browser_binding;
ALTER TABLE oauth_states DROP COLUMN authorize_url;
