//! TikTok-specific rules.

use url::Url;

/// Hosts that serve TikTok profile pages.
const PROFILE_HOSTS: [&str; 3] = ["tiktok.com", "www.tiktok.com", "m.tiktok.com"];

/// Longest username TikTok allows.
const MAX_USERNAME_LEN: usize = 24;

/// The username (without `@`) in a TikTok profile deep link such as
/// `https://www.tiktok.com/@name?lang=en`.
///
/// Accepts `http` or `https`, the hosts `tiktok.com`, `www.tiktok.com` and `m.tiktok.com`, a
/// single path segment `@name` with an optional trailing slash, and any query string or
/// fragment. Anything else — short links (`vm.tiktok.com/...`), video links
/// (`/@name/video/1`), other hosts, names with characters TikTok does not allow — is `None`.
pub fn username_from_profile_deep_link(link: &str) -> Option<String> {
    let url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    if !PROFILE_HOSTS.contains(&host.as_str()) {
        return None;
    }
    let mut segments = url.path_segments()?;
    let first = segments.next()?;
    // A trailing slash shows up as one empty last segment; anything more is another page.
    match segments.next() {
        None | Some("") => {}
        Some(_) => return None,
    }
    if segments.next().is_some() {
        return None;
    }
    let name = first.strip_prefix('@')?;
    is_valid_username(name).then(|| name.to_owned())
}

/// TikTok usernames: 1 to 24 letters, digits, underscores and periods.
fn is_valid_username(name: &str) -> bool {
    (1..=MAX_USERNAME_LEN).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_profile_links() {
        for link in [
            "https://www.tiktok.com/@creator",
            "https://www.tiktok.com/@creator/",
            "https://www.tiktok.com/@creator?lang=en&is_from_webapp=1",
            "https://www.tiktok.com/@creator/?lang=en",
            "https://tiktok.com/@creator",
            "https://m.tiktok.com/@creator",
            "http://www.tiktok.com/@creator#top",
            "  https://WWW.TikTok.com/@creator  ",
        ] {
            assert_eq!(
                username_from_profile_deep_link(link).as_deref(),
                Some("creator"),
                "{link}"
            );
        }
        assert_eq!(
            username_from_profile_deep_link("https://www.tiktok.com/@the.real_one9").as_deref(),
            Some("the.real_one9")
        );
    }

    #[test]
    fn rejects_everything_else() {
        for link in [
            "",
            "creator",
            "@creator",
            "https://vm.tiktok.com/ZMabc123/",
            "https://www.tiktok.com/@creator/video/7301234567890123456",
            "https://www.tiktok.com/creator",
            "https://www.tiktok.com/@",
            "https://www.tiktok.com/",
            "https://evil.example/@creator",
            "https://tiktok.com.evil.example/@creator",
            "ftp://www.tiktok.com/@creator",
            "https://www.tiktok.com/@bad%20name",
            "https://www.tiktok.com/@waytoolongusernamethatnobodyhas",
        ] {
            assert_eq!(username_from_profile_deep_link(link), None, "{link}");
        }
    }

    proptest! {
        #[test]
        fn finds_any_valid_username(
            name in "[A-Za-z0-9_.]{1,24}",
            host in prop_oneof![Just("www.tiktok.com"), Just("tiktok.com"), Just("m.tiktok.com")],
            slash in any::<bool>(),
            query in proptest::option::of("[a-z]{1,8}=[a-z0-9]{0,8}"),
        ) {
            let mut link = format!("https://{host}/@{name}");
            if slash {
                link.push('/');
            }
            if let Some(query) = query {
                link.push('?');
                link.push_str(&query);
            }
            prop_assert_eq!(username_from_profile_deep_link(&link), Some(name));
        }

        #[test]
        fn never_panics_and_only_returns_valid_names(link in ".{0,80}") {
            if let Some(name) = username_from_profile_deep_link(&link) {
                prop_assert!(is_valid_username(&name));
            }
        }
    }
}
