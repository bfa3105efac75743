ALTER TABLE connections DROP COLUMN last_full_sync_at;
