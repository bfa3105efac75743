//! The social platforms an account can be connected from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A platform's stable name (`tiktok`, `instagram`, `youtube`): stored in the database, sent
/// over the API and part of its routes.
///
/// The set of platforms is not listed here: it is the set of adapters a service is built with
/// (each declares its own `Platform` constant), so adding a platform changes nothing in the
/// core. A name is 1 to [`Platform::MAX_LEN`] lowercase ASCII letters or digits, starting with
/// a letter, so it is safe in a path, a log line and a bucket name. The value is `Copy`: the
/// name lives inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    bytes: [u8; Platform::MAX_LEN],
    len: u8,
}

/// A text that is not a platform name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a platform name (1 to 16 lowercase letters or digits, starting with a letter)"
)]
pub struct InvalidPlatformName(pub String);

impl Platform {
    /// The longest name.
    pub const MAX_LEN: usize = 16;

    /// The platform called `name`; for the constants adapters declare. A bad name fails the
    /// build (in a `const`) or panics.
    pub const fn new(name: &'static str) -> Self {
        match Self::checked(name) {
            Some(platform) => platform,
            None => panic!("not a platform name"),
        }
    }

    /// Parses a stored or received name.
    ///
    /// # Errors
    /// [`InvalidPlatformName`] when `name` is not of the form above.
    pub fn parse(name: &str) -> Result<Self, InvalidPlatformName> {
        Self::checked(name).ok_or_else(|| InvalidPlatformName(name.to_owned()))
    }

    const fn checked(name: &str) -> Option<Self> {
        let source = name.as_bytes();
        if source.is_empty() || source.len() > Self::MAX_LEN || !source[0].is_ascii_lowercase() {
            return None;
        }
        let mut bytes = [0_u8; Self::MAX_LEN];
        let mut i = 0;
        while i < source.len() {
            let byte = source[i];
            if !(byte.is_ascii_lowercase() || byte.is_ascii_digit()) {
                return None;
            }
            bytes[i] = byte;
            i += 1;
        }
        // The length is at most MAX_LEN (16), so it fits a byte.
        #[allow(clippy::cast_possible_truncation)]
        let len = source.len() as u8;
        Some(Self { bytes, len })
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        let bytes = &self.bytes[..usize::from(self.len)];
        // Only ASCII letters and digits are ever stored.
        std::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Platform({})", self.as_str())
    }
}

impl FromStr for Platform {
    type Err = InvalidPlatformName;

    fn from_str(name: &str) -> Result<Self, InvalidPlatformName> {
        Self::parse(name)
    }
}

impl Serialize for Platform {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::parse(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIKTOK: Platform = Platform::new("tiktok");

    #[test]
    fn names_round_trip() {
        for name in ["tiktok", "instagram", "youtube", "x", "abcdefghijklmnop"] {
            let platform = Platform::parse(name).expect("a valid name");
            assert_eq!(platform.as_str(), name);
            assert_eq!(platform.to_string().parse::<Platform>(), Ok(platform));
        }
        assert_eq!(TIKTOK, Platform::parse("tiktok").expect("valid"));
        assert_eq!(format!("{TIKTOK:?}"), "Platform(tiktok)");
    }

    #[test]
    fn refuses_names_unsafe_in_paths_and_logs() {
        for bad in [
            "",
            "TikTok",
            "you tube",
            "1abc",
            "a/b",
            "abcdefghijklmnopq",
            "tik-tok",
            "ü",
        ] {
            assert!(Platform::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn serialises_as_its_name() {
        assert_eq!(
            serde_json::to_string(&TIKTOK).expect("serialises"),
            "\"tiktok\""
        );
        let parsed: Platform = serde_json::from_str("\"youtube\"").expect("parses");
        assert_eq!(parsed.as_str(), "youtube");
        assert!(serde_json::from_str::<Platform>("\"You Tube\"").is_err());
    }
}
