//! The README's and the changelog's relative links resolve to files inside the repository:
//! the crate is read on its own, and a link out of the repository would be dead there.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The targets of the markdown links `[text](target)` in `text`, without any `#fragment`.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("](") {
        let after = &rest[open + 2..];
        let Some(close) = after.find(')') else { break };
        let target = &after[..close];
        let target = target.split('#').next().unwrap_or_default();
        if !target.is_empty() {
            targets.push(target.to_owned());
        }
        rest = &after[close..];
    }
    targets
}

fn repository_root(crate_dir: &Path) -> PathBuf {
    crate_dir
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").exists())
        .unwrap()
        .canonicalize()
        .unwrap()
}

#[test]
fn relative_links_resolve_inside_the_repository() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = repository_root(crate_dir);
    let mut checked = 0;
    for file in ["README.md", "CHANGELOG.md"] {
        let text = std::fs::read_to_string(crate_dir.join(file)).unwrap();
        for target in link_targets(&text) {
            if target.starts_with("https://") {
                continue;
            }
            assert!(
                !target.starts_with("http://") && !target.starts_with('/'),
                "{file}: {target} is not a relative link"
            );
            let resolved = crate_dir
                .join(&target)
                .canonicalize()
                .unwrap_or_else(|error| panic!("{file}: {target} does not resolve: {error}"));
            assert!(
                resolved.starts_with(&root),
                "{file}: {target} leaves the repository"
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "the README links to its examples and tests");
}

#[test]
fn the_link_reader_finds_targets_and_drops_fragments() {
    assert_eq!(
        link_targets("see [a](x.md) and [b](../y.md#part) or [c](https://e.example/)"),
        ["x.md", "../y.md", "https://e.example/"]
    );
}
