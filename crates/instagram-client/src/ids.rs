//! Wire helpers: ids that may come as strings or numbers (17 digits, beyond a double), and
//! Instagram's `+0000` timestamps (ISO 8601 without the colon RFC 3339 wants).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

/// Accepts an id sent as a string or as an integer (serde_json reads integers exactly, so
/// nothing is lost; a float is refused rather than rounded).
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Unsigned(u64),
        Signed(i64),
    }
    Ok(match Id::deserialize(deserializer)? {
        Id::Text(text) => text,
        Id::Unsigned(number) => number.to_string(),
        Id::Signed(number) => number.to_string(),
    })
}

/// Parses `2019-09-26T22:36:43+0000`, and also `Z` and `+00:00` forms.
pub fn parse_graph_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

/// An optional Graph timestamp field; an unreadable one is a decode error.
pub(crate) fn optional_graph_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    parse_graph_time(&text)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom("a timestamp is not ISO 8601"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_times_in_every_offset_form() {
        let expected = DateTime::from_timestamp(1_569_537_403, 0).expect("valid");
        assert_eq!(parse_graph_time("2019-09-26T22:36:43+0000"), Some(expected));
        assert_eq!(parse_graph_time("2019-09-26T22:36:43Z"), Some(expected));
        assert_eq!(
            parse_graph_time("2019-09-26T22:36:43+00:00"),
            Some(expected)
        );
        assert_eq!(parse_graph_time("2019-09-27T00:36:43+0200"), Some(expected));
        assert_eq!(parse_graph_time("yesterday"), None);
    }

    #[test]
    fn long_ids_stay_exact() {
        #[derive(Deserialize)]
        struct Holder {
            #[serde(deserialize_with = "string_or_number")]
            id: String,
        }
        let parsed: Holder = serde_json::from_str(r#"{"id":17841405793187218}"#).expect("valid");
        assert_eq!(parsed.id, "17841405793187218");
        let parsed: Holder = serde_json::from_str(r#"{"id":"17841405793187218"}"#).expect("valid");
        assert_eq!(parsed.id, "17841405793187218");
    }
}
