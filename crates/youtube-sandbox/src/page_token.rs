//! Opaque page tokens (`EAAa…`, as Google's look): an offset into one listing, bound to it by
//! a keyed checksum, so a token from another listing or a tampered one is `invalidPageToken`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::catalog::mix;

fn key_of(secret: u64, listing: &str) -> u64 {
    let mut parts: Vec<u64> = listing.bytes().map(u64::from).collect();
    parts.push(secret);
    mix(&parts)
}

/// The token of the page starting at `offset` of `listing`.
pub(crate) fn encode(secret: u64, listing: &str, offset: usize) -> String {
    let check = mix(&[key_of(secret, listing), offset as u64]) & 0xFFFF_FFFF;
    format!(
        "EAAa{}",
        URL_SAFE_NO_PAD.encode(format!("PT:{offset}:{check:08x}"))
    )
}

/// The offset a token of `listing` stands for, if it is genuine.
pub(crate) fn decode(secret: u64, listing: &str, token: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(token.strip_prefix("EAAa")?).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.strip_prefix("PT:")?.split(':');
    let offset: usize = parts.next()?.parse().ok()?;
    let check = u64::from_str_radix(parts.next()?, 16).ok()?;
    (check == mix(&[key_of(secret, listing), offset as u64]) & 0xFFFF_FFFF).then_some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_other_listings_and_tampering() {
        let token = encode(7, "UUabc", 50);
        assert!(token.starts_with("EAAa"));
        assert_eq!(decode(7, "UUabc", &token), Some(50));
        assert_eq!(decode(7, "UUother", &token), None);
        assert_eq!(decode(8, "UUabc", &token), None);
        let forged = format!("EAAa{}", URL_SAFE_NO_PAD.encode("PT:100:00000000"));
        assert_eq!(decode(7, "UUabc", &forged), None);
        assert_eq!(decode(7, "UUabc", "garbage"), None);
    }
}
