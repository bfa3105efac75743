//! Google OAuth scopes the sandbox knows (reference section 2.2), their short forms, and
//! which of them are Sign-In scopes (granted on the first screen, no checkbox).

/// `openid`.
pub const OPENID: &str = "openid";
/// `https://www.googleapis.com/auth/userinfo.email` (short form `email`).
pub const EMAIL: &str = "https://www.googleapis.com/auth/userinfo.email";
/// `https://www.googleapis.com/auth/userinfo.profile` (short form `profile`).
pub const PROFILE: &str = "https://www.googleapis.com/auth/userinfo.profile";
/// "View your YouTube account".
pub const YOUTUBE_READONLY: &str = "https://www.googleapis.com/auth/youtube.readonly";
/// "View YouTube Analytics reports for your YouTube content".
pub const ANALYTICS_READONLY: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";
/// Revenue and ad metrics (YouTube Partner Program channels only).
pub const ANALYTICS_MONETARY: &str =
    "https://www.googleapis.com/auth/yt-analytics-monetary.readonly";
/// Full YouTube access (write).
pub const YOUTUBE: &str = "https://www.googleapis.com/auth/youtube";
/// Full YouTube access over SSL (write).
pub const YOUTUBE_FORCE_SSL: &str = "https://www.googleapis.com/auth/youtube.force-ssl";
/// YouTube partner access.
pub const YOUTUBEPARTNER: &str = "https://www.googleapis.com/auth/youtubepartner";

/// Every scope the consent page accepts, with the sentence Google shows for it.
pub(crate) const KNOWN: [(&str, &str); 9] = [
    (OPENID, "Associate you with your personal info on Google"),
    (EMAIL, "See your primary Google Account email address"),
    (
        PROFILE,
        "See your personal info, including any personal info you've made publicly available",
    ),
    (YOUTUBE_READONLY, "View your YouTube account"),
    (
        ANALYTICS_READONLY,
        "View YouTube Analytics reports for your YouTube content",
    ),
    (
        ANALYTICS_MONETARY,
        "View monetary and non-monetary YouTube Analytics reports for your YouTube content",
    ),
    (YOUTUBE, "Manage your YouTube account"),
    (
        YOUTUBE_FORCE_SSL,
        "See, edit, and permanently delete your YouTube videos, ratings, comments and captions",
    ),
    (
        YOUTUBEPARTNER,
        "View and manage your assets and associated content on YouTube",
    ),
];

/// The long form of a scope (`email` -> `.../userinfo.email`), as token responses spell it.
pub(crate) fn normalise(scope: &str) -> &str {
    match scope {
        "email" => EMAIL,
        "profile" => PROFILE,
        other => other,
    }
}

/// Whether the consent page knows `scope` (either form).
pub(crate) fn is_known(scope: &str) -> bool {
    let scope = normalise(scope);
    KNOWN.iter().any(|(known, _)| *known == scope)
}

/// Sign-In scopes: consented on the first screen, never a checkbox (reference section 2.3).
pub(crate) fn is_sign_in(scope: &str) -> bool {
    matches!(normalise(scope), OPENID | EMAIL | PROFILE)
}

/// The sentence shown for a scope.
pub(crate) fn description(scope: &str) -> &'static str {
    let scope = normalise(scope);
    KNOWN
        .iter()
        .find(|(known, _)| *known == scope)
        .map_or("", |(_, description)| description)
}

/// A space-delimited list (also `+`-joined once URL-decoded), normalised and without
/// duplicates, in order.
pub(crate) fn parse_list(raw: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in raw.split([' ', '+']).filter(|scope| !scope.is_empty()) {
        let scope = normalise(scope).to_owned();
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    scopes
}

/// Whether a grant of these scopes reads YouTube data: a grant made only of Sign-In scopes is
/// exempt from the Testing-mode 7-day refresh token expiry.
pub(crate) fn beyond_sign_in(scopes: &[String]) -> bool {
    scopes.iter().any(|scope| !is_sign_in(scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_are_normalised_and_deduplicated() {
        assert_eq!(
            parse_list("openid email+email https://www.googleapis.com/auth/youtube.readonly"),
            [OPENID, EMAIL, YOUTUBE_READONLY]
        );
        assert!(is_known("profile"));
        assert!(!is_known("https://www.googleapis.com/auth/drive"));
        assert!(is_sign_in("email"));
        assert!(!is_sign_in(YOUTUBE_READONLY));
        assert!(!beyond_sign_in(&[OPENID.to_owned(), EMAIL.to_owned()]));
        assert!(beyond_sign_in(&[
            OPENID.to_owned(),
            ANALYTICS_READONLY.to_owned()
        ]));
    }
}
