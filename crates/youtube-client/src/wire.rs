//! Wire helpers: counters the Data API sends as JSON strings (`"15234"`) and the Analytics
//! API as numbers, booleans sent as strings (`"caption": "false"`), and thumbnails.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

#[derive(Deserialize)]
#[serde(untagged)]
enum Counter {
    Text(String),
    Number(u64),
    Float(f64),
}

fn counter_value<E: serde::de::Error>(counter: Counter) -> Result<u64, E> {
    match counter {
        Counter::Number(number) => Ok(number),
        Counter::Text(text) => text
            .trim()
            .parse()
            .map_err(|_| E::custom("a counter is not an unsigned integer")),
        // A float with no fraction is an integer written loosely; anything else is refused
        // rather than rounded.
        Counter::Float(float) if float >= 0.0 && float.fract() == 0.0 && float < 1.8e19 => {
            Ok(float as u64)
        }
        Counter::Float(_) => Err(E::custom("a counter is not an unsigned integer")),
    }
}

/// A counter sent as a string or a number.
pub(crate) fn u64_from_any<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    counter_value(Counter::deserialize(deserializer)?)
}

/// An optional counter sent as a string or a number (absent or `null`: `None`).
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    Option::<Counter>::deserialize(deserializer)?
        .map(counter_value)
        .transpose()
}

/// An optional boolean sent as `true` or as `"true"`.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    match Option::<Flag>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Flag::Bool(flag)) => Ok(Some(flag)),
        Some(Flag::Text(text)) => match text.as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(serde::de::Error::custom("a flag is not true or false")),
        },
    }
}

/// One thumbnail. Keys of a thumbnail map are open (`default`, `medium`, `high`,
/// `standard`, `maxres`, and since 2026 `fhd`, `qhd`, `uhd`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Thumbnail {
    /// The image URL.
    pub url: String,
    /// Width in pixels, when given.
    #[serde(default)]
    pub width: Option<u32>,
    /// Height in pixels, when given.
    #[serde(default)]
    pub height: Option<u32>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Thumbnails by size name.
pub type Thumbnails = std::collections::BTreeMap<String, Thumbnail>;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        #[serde(default, deserialize_with = "opt_u64")]
        count: Option<u64>,
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
    }

    fn read(json: &str) -> Result<Holder, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn counters_come_as_strings_or_numbers() {
        assert_eq!(
            read(r#"{"count":"15234"}"#).expect("string").count,
            Some(15_234)
        );
        assert_eq!(
            read(r#"{"count":15234}"#).expect("number").count,
            Some(15_234)
        );
        assert_eq!(
            read(r#"{"count":"18446744073709551615"}"#)
                .expect("max")
                .count,
            Some(u64::MAX)
        );
        assert_eq!(read("{}").expect("absent").count, None);
        assert_eq!(read(r#"{"count":null}"#).expect("null").count, None);
        assert!(read(r#"{"count":"-1"}"#).is_err());
        assert!(read(r#"{"count":1.5}"#).is_err());
    }

    #[test]
    fn flags_come_as_booleans_or_strings() {
        assert_eq!(
            read(r#"{"flag":"false"}"#).expect("string").flag,
            Some(false)
        );
        assert_eq!(read(r#"{"flag":true}"#).expect("bool").flag, Some(true));
        assert!(read(r#"{"flag":"maybe"}"#).is_err());
    }
}
