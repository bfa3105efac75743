//! Random codes, tokens and log ids, shaped like TikTok's.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand::distributions::Alphanumeric;

/// `n` random alphanumeric characters from the OS-seeded thread RNG (tokens must not be
/// predictable from the data seed).
fn alphanumeric(n: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// A suffix like TikTok's `!6273.va`.
fn region_suffix() -> String {
    format!("!{:04}.va", rand::thread_rng().gen_range(1000..10_000))
}

/// An authorization code. It contains `*` and `!`, as TikTok's do, so clients that decode it
/// twice or not at all are caught.
pub(crate) fn new_code() -> String {
    format!("{}*0{}", alphanumeric(48), region_suffix())
}

/// An access token: `act.` then random characters.
pub(crate) fn new_access_token() -> String {
    format!("act.{}{}", alphanumeric(56), region_suffix())
}

/// A refresh token: `rft.` then random characters.
pub(crate) fn new_refresh_token() -> String {
    format!("rft.{}{}", alphanumeric(56), region_suffix())
}

/// A log id: the sandbox time to the second, then 18 random hex digits.
pub(crate) fn new_log_id(now: DateTime<Utc>) -> String {
    let random: u128 = rand::thread_rng().r#gen();
    let hex = format!("{random:032X}");
    format!("{}{}", now.format("%Y%m%d%H%M%S"), &hex[..18])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_their_prefixes_and_differ() {
        let first = new_access_token();
        assert!(first.starts_with("act."));
        assert_ne!(first, new_access_token());
        assert!(new_refresh_token().starts_with("rft."));
        assert!(new_code().contains('*') && new_code().contains('!'));
    }

    #[test]
    fn log_ids_start_with_the_time() {
        let now = DateTime::from_timestamp(1_764_061_200, 0).expect("valid time");
        let log_id = new_log_id(now);
        assert!(log_id.starts_with("20251125"));
        assert_eq!(log_id.len(), 32);
    }
}
