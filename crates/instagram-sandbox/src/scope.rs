//! The Instagram Login permissions the consent page knows (reference section 2.2).

/// Needed for the profile, media and refresh; always granted when requested.
pub const BASIC: &str = "instagram_business_basic";
/// Media and account insights.
pub const MANAGE_INSIGHTS: &str = "instagram_business_manage_insights";

/// Every current scope, with what the consent page says it allows.
pub const SCOPES: [(&str, &str); 5] = [
    (BASIC, "See your profile info and media"),
    (MANAGE_INSIGHTS, "See insights about your account and media"),
    (
        "instagram_business_manage_comments",
        "Read and manage comments",
    ),
    ("instagram_business_content_publish", "Publish content"),
    (
        "instagram_business_manage_messages",
        "Read and manage messages",
    ),
];

/// Whether `scope` is a current scope.
pub(crate) fn is_known(scope: &str) -> bool {
    SCOPES.iter().any(|(name, _)| *name == scope)
}

/// Splits a scope list: comma-separated or space-separated, as the docs allow.
pub(crate) fn parse_list(raw: &str) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in raw
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !scopes.iter().any(|seen| seen == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_commas_and_spaces_without_duplicates() {
        assert_eq!(
            parse_list(
                "instagram_business_basic, instagram_business_manage_insights instagram_business_basic"
            ),
            [BASIC, MANAGE_INSIGHTS]
        );
        assert!(is_known(BASIC));
        assert!(!is_known("business_basic"), "the old names are gone");
    }
}
