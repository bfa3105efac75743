//! The social platforms an account can be connected from.

use serde::{Deserialize, Serialize};

use crate::error::text_enum;

/// A social platform. TikTok today; Instagram and YouTube are planned, which is why the
/// platform is data (stored as text, e.g. `tiktok`) rather than baked into table names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Platform {
    /// TikTok, through the TikTok API v2 (Login Kit and Display API).
    TikTok,
}

text_enum!(Platform, "platform", { TikTok => "tiktok" });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips() {
        for platform in Platform::ALL {
            assert_eq!(platform.as_str().parse::<Platform>(), Ok(*platform));
        }
        assert!("myspace".parse::<Platform>().is_err());
    }
}
