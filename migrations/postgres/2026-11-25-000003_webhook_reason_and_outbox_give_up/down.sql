DROP INDEX outbound_events_user;
DROP INDEX outbound_events_connection;
ALTER TABLE outbound_events DROP COLUMN gave_up_at;
ALTER TABLE webhook_events DROP COLUMN reason_code;
