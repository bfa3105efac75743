ALTER TABLE videos DROP COLUMN counters_read_at;
ALTER TABLE profile_snapshots DROP COLUMN total_interactions;
DROP TABLE data_deletion_requests;
DROP TABLE platform_pauses;
