//! The wire format of a notification: its JSON envelope and its signature headers.

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use storage::OutboundEvent;

/// The header carrying the signature: `t=<unix seconds>,s=<hex HMAC-SHA256>` over
/// `<t>.<body>`, keyed with `HOST_WEBHOOK_SECRET` (the scheme TikTok signs its webhooks with).
pub const SIGNATURE_HEADER: &str = "X-Signature";
/// The header carrying the event's id, the same on every attempt (the receiver's
/// idempotency key; it is also in the body).
pub const EVENT_ID_HEADER: &str = "X-Webhook-Id";

/// The `X-Signature` value for `body` signed at `timestamp` with `secret`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},s={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// The JSON body of an event: id, type, time, user, connection, and the event's data.
pub fn envelope(event: &OutboundEvent) -> serde_json::Value {
    json!({
        "id": event_id(event.id),
        "type": event.event,
        "created_at": event.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "user_id": event.user_id,
        "connection_id": event.connection_id.map(|id| id.0),
        "data": event.payload,
    })
}

/// The public id of an outbox row (`evt_<n>`).
pub fn event_id(id: i64) -> String {
    format!("evt_{id}")
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    #[test]
    fn signs_timestamp_dot_body_as_computed_independently() {
        // Python: hmac.new(b"host-secret", b"1764050000." + BODY, hashlib.sha256).hexdigest()
        let body = br#"{"id":"evt_1","type":"sync.completed"}"#;
        assert_eq!(
            sign(b"host-secret", 1_764_050_000, body),
            "t=1764050000,s=2e21d5eecc4040fb2d35e5e96c4765be3b1f3de576d1229e5b63353f1bfd257f"
        );
    }

    #[test]
    fn the_envelope_names_the_event_and_holds_its_data() {
        let event = OutboundEvent {
            id: 42,
            event: "connection.removed".into(),
            user_id: "user-1".into(),
            connection_id: Some(domain::ConnectionId(7)),
            payload: json!({ "reason": "user" }),
            attempts: 0,
            created_at: DateTime::from_timestamp(1_764_050_000, 0).unwrap(),
        };
        assert_eq!(
            envelope(&event),
            json!({
                "id": "evt_42",
                "type": "connection.removed",
                "created_at": "2025-11-25T05:53:20Z",
                "user_id": "user-1",
                "connection_id": 7,
                "data": { "reason": "user" },
            })
        );
    }
}
