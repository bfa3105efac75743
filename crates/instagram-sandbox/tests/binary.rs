//! The binary documents every option in `--help`.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn help_documents_every_option() {
    let output = Command::new(env!("CARGO_BIN_EXE_instagram-sandbox"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = help.lines().collect();
    let options: Vec<&str> = lines
        .iter()
        .filter_map(|line| line.trim_start().strip_prefix("--"))
        .map(|rest| rest.split([' ', '=', '<']).next().unwrap())
        .collect();
    for option in [
        "host",
        "port",
        "public-url",
        "seed",
        "account",
        "app-id",
        "app-secret",
        "redirect-uri",
        "deauthorize-url",
        "deletion-url",
        "code-ttl",
        "short-token-ttl",
        "long-token-ttl",
        "refresh-min-age",
        "token-shape",
        "no-fragment",
        "refresh-same-token",
        "kill-refreshed-token",
        "early-refresh-code",
        "unsupported-metric-error",
        "no-media-product-type",
        "page-default",
        "page-max",
        "reject-large-limit",
        "empty-pages",
        "account-insights-max-days",
        "budget",
        "throttle-code",
        "throttle-status",
        "signed-user-id",
        "start-time",
        "frozen-clock",
        "workers",
    ] {
        assert!(options.contains(&option), "--{option} missing from --help");
    }
    // Every option line is followed by its description.
    for (at, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("--")
            && !line.contains("--help")
            && !line.contains("--version")
        {
            let next = lines.get(at + 1).map(|l| l.trim()).unwrap_or_default();
            assert!(
                !next.is_empty() && !next.starts_with('-'),
                "{line} has no description"
            );
        }
    }
}

#[test]
fn a_bad_account_option_is_refused_with_a_clear_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_instagram-sandbox"))
        .args(["--account", "wizard:merlin:10:1", "--port", "0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown kind"));
}
