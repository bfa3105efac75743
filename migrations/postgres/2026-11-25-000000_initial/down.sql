DROP TABLE api_quota;
DROP TABLE sync_runs;
DROP TABLE video_snapshots;
DROP TABLE profile_snapshots;
DROP TABLE videos;
DROP TABLE connections;
DROP TABLE oauth_states;
