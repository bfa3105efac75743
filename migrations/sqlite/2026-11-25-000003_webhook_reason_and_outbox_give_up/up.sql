-- The reason a platform gave for a webhook (TikTok's `content.reason`), and outbox events
-- given up after their retry window (sqlite).
-- Kept in step with ../../postgres/2026-11-25-000003_webhook_reason_and_outbox_give_up/up.sql.
ALTER TABLE webhook_events ADD COLUMN reason_code BIGINT;
ALTER TABLE outbound_events ADD COLUMN gave_up_at BIGINT;
-- Delivery keeps each connection's events in order: the claim looks for an earlier
-- undelivered event of the same connection.
CREATE INDEX outbound_events_connection ON outbound_events (connection_id, id);
-- GET /api/webhooks/deliveries lists a user's events, newest first.
CREATE INDEX outbound_events_user ON outbound_events (user_id, id);
