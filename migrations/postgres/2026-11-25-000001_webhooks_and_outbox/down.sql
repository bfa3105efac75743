DROP TABLE outbound_events;
DROP TABLE webhook_events;
