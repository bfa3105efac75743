//! The `fields` parameter (with `children{...}` expansion) and the nodes it selects:
//! profiles (reference section 6) and media (section 7).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::accounts::AccountRecord;
use crate::media::{MediaRecord, MediaType, Product};
use crate::wire::GraphError;

/// One requested field, with its own field list when expanded (`children{id,media_url}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldSpec {
    pub(crate) name: String,
    pub(crate) nested: Option<Vec<FieldSpec>>,
}

/// Parses `a,b,children{c,d}`; `None` on unbalanced braces or an empty name.
pub(crate) fn parse_fields(raw: &str) -> Option<Vec<FieldSpec>> {
    let mut chars = raw.chars().peekable();
    let fields = parse_list(&mut chars, false)?;
    chars.next().is_none().then_some(fields)
}

fn parse_list(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    nested: bool,
) -> Option<Vec<FieldSpec>> {
    let mut fields = Vec::new();
    let mut name = String::new();
    loop {
        match chars.next() {
            None if nested => return None,
            None => break,
            Some('}') if nested => break,
            Some('}') => return None,
            Some(',') => {
                if !name.trim().is_empty() {
                    fields.push(FieldSpec {
                        name: name.trim().to_owned(),
                        nested: None,
                    });
                }
                name.clear();
            }
            Some('{') => {
                let inner = parse_list(chars, true)?;
                if name.trim().is_empty() {
                    return None;
                }
                fields.push(FieldSpec {
                    name: name.trim().to_owned(),
                    nested: Some(inner),
                });
                name.clear();
            }
            Some(c) => name.push(c),
        }
    }
    if !name.trim().is_empty() {
        fields.push(FieldSpec {
            name: name.trim().to_owned(),
            nested: None,
        });
    }
    Some(fields)
}

/// Every profile field of the `IG User` node under Instagram Login.
#[cfg(test)]
pub(crate) const PROFILE_FIELDS: &[&str] = &[
    "id",
    "user_id",
    "username",
    "name",
    "account_type",
    "profile_picture_url",
    "has_profile_pic",
    "followers_count",
    "follows_count",
    "media_count",
    "biography",
    "website",
];

/// The profile with `fields` (plus `id`, always returned).
pub(crate) fn render_profile(
    account: &AccountRecord,
    fields: &[FieldSpec],
    followers: u64,
    media_count: u64,
    picture_base: &str,
) -> Result<Value, GraphError> {
    let mut out = Map::new();
    for field in fields {
        let value = match field.name.as_str() {
            "id" => json!(account.app_scoped_id),
            "user_id" => json!(account.ig_user_id),
            "username" => json!(account.spec.username),
            "name" => json!(account.name),
            "account_type" => json!(account.spec.kind.wire()),
            "profile_picture_url" => json!(format!("{picture_base}{}.jpg", account.ig_user_id)),
            "has_profile_pic" => json!(true),
            "followers_count" => json!(followers),
            "follows_count" => json!(account.follows),
            "media_count" => json!(media_count),
            // An empty bio is left out, as Graph leaves out what it has no value for.
            "biography" if account.biography.is_empty() => continue,
            "biography" => json!(account.biography),
            "website" => match &account.website {
                Some(website) => json!(website),
                None => continue,
            },
            other => return Err(GraphError::unknown_field(other, "User")),
        };
        out.insert(field.name.clone(), value);
    }
    out.insert("id".into(), json!(account.app_scoped_id));
    Ok(Value::Object(out))
}

/// Every field of the media node under Instagram Login.
#[cfg(test)]
pub(crate) const MEDIA_FIELDS: &[&str] = &[
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "media_url",
    "thumbnail_url",
    "permalink",
    "shortcode",
    "timestamp",
    "like_count",
    "comments_count",
    "is_shared_to_feed",
    "is_comment_enabled",
    "username",
    "owner",
    "alt_text",
    "children",
];

/// What rendering a media needs besides the media.
pub(crate) struct MediaContext<'a> {
    pub(crate) now: DateTime<Utc>,
    pub(crate) media_product_type: bool,
    pub(crate) cdn_base: &'a str,
}

/// `2019-09-26T22:36:43+0000`: ISO 8601 with a colon-less offset, as Instagram sends it.
pub(crate) fn graph_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// A media with `fields` (plus `id`); absent values are left out, never null.
pub(crate) fn render_media(
    media: &MediaRecord,
    fields: &[FieldSpec],
    context: &MediaContext<'_>,
) -> Result<Value, GraphError> {
    let mut out = Map::new();
    let kind = match media.media_type {
        MediaType::Video => "mp4",
        _ => "jpg",
    };
    for field in fields {
        let value = match field.name.as_str() {
            "id" => json!(media.id),
            "caption" => match (&media.caption, media.is_child) {
                (Some(caption), false) => json!(caption),
                _ => continue,
            },
            "media_type" => json!(media.media_type.wire()),
            "media_product_type" if !context.media_product_type => continue,
            "media_product_type" => json!(media.product.wire()),
            "media_url" if media.copyrighted => continue,
            "media_url" => json!(format!("{}{}.{kind}", context.cdn_base, media.id)),
            "thumbnail_url" if media.media_type != MediaType::Video => continue,
            "thumbnail_url" => json!(format!("{}{}_thumb.jpg", context.cdn_base, media.id)),
            "permalink" if media.is_child => continue,
            "permalink" => {
                let kind = if media.product == Product::Reels {
                    "reel"
                } else {
                    "p"
                };
                json!(format!(
                    "https://www.instagram.com/{kind}/{}/",
                    media.shortcode
                ))
            }
            "shortcode" => json!(media.shortcode),
            "timestamp" => json!(graph_time(media.created_at)),
            "like_count" if media.hidden_likes || media.is_child => continue,
            "like_count" => json!(media.likes_at(context.now)),
            "comments_count" if media.is_child => continue,
            "comments_count" => json!(media.comments_at(context.now)),
            "is_shared_to_feed" if media.product != Product::Reels => continue,
            "is_shared_to_feed" => json!(media.shared_to_feed),
            "is_comment_enabled" => json!(true),
            "username" => json!(media.username),
            "owner" => json!({ "id": media.owner_id }),
            "alt_text" => match &media.alt_text {
                Some(text) => json!(text),
                None => continue,
            },
            "children" if media.children.is_empty() => continue,
            "children" => {
                let nested = field.nested.clone().unwrap_or_else(|| {
                    vec![FieldSpec {
                        name: "id".into(),
                        nested: None,
                    }]
                });
                let children = media
                    .children
                    .iter()
                    .map(|child| render_media(child, &nested, context))
                    .collect::<Result<Vec<_>, _>>()?;
                json!({ "data": children })
            }
            other => return Err(GraphError::unknown_field(other, "IGMedia")),
        };
        out.insert(field.name.clone(), value);
    }
    out.insert("id".into(), json!(media.id));
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_with_expansion() {
        let fields = parse_fields("id,caption,children{media_url,media_type}").expect("valid");
        assert_eq!(fields.len(), 3);
        assert_eq!(fields[2].name, "children");
        assert_eq!(fields[2].nested.as_ref().map(Vec::len), Some(2));
        assert!(parse_fields("children{id").is_none());
        assert!(parse_fields("id}").is_none());
        assert_eq!(parse_fields("").map(|f| f.len()), Some(0));
    }

    #[test]
    fn every_documented_field_renders_and_unknown_ones_fail() {
        use crate::accounts::{AccountSpec, Catalog, test_start};
        let catalog = Catalog::generate(5, &AccountSpec::defaults(), test_start());
        let all = |names: &[&str]| -> Vec<FieldSpec> {
            names
                .iter()
                .map(|name| FieldSpec {
                    name: (*name).into(),
                    nested: None,
                })
                .collect()
        };
        let context = MediaContext {
            now: test_start(),
            media_product_type: true,
            cdn_base: "http://cdn/",
        };
        for account in &catalog.accounts {
            let profile = render_profile(account, &all(PROFILE_FIELDS), 10, 2, "http://cdn/")
                .expect("renders");
            assert_eq!(profile["user_id"], account.ig_user_id.as_str());
            for media in &account.media {
                let rendered = render_media(media, &all(MEDIA_FIELDS), &context).expect("renders");
                let timestamp = rendered["timestamp"].as_str().expect("a timestamp");
                assert!(timestamp.ends_with("+0000"));
                assert_eq!(rendered.get("media_url").is_none(), media.copyrighted);
            }
        }
        let error = render_profile(&catalog.accounts[0], &all(&["impressions"]), 1, 1, "")
            .expect_err("unknown");
        assert_eq!(error.code, 100);
    }

    #[test]
    fn times_use_the_colon_less_offset() {
        let time = DateTime::from_timestamp(1_569_537_403, 0).expect("valid");
        assert_eq!(graph_time(time), "2019-09-26T22:36:43+0000");
    }
}
