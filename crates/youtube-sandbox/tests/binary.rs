//! The binary documents every option in `--help` and refuses bad ones clearly.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn help_documents_every_option() {
    let output = Command::new(env!("CARGO_BIN_EXE_youtube-sandbox"))
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
        "client-id",
        "client-secret",
        "api-key",
        "redirect-uri",
        "testing",
        "code-ttl",
        "access-token-ttl",
        "rotate-refresh-tokens",
        "max-refresh-tokens",
        "refresh-idle-days",
        "testing-refresh-days",
        "revoke-token-only",
        "time-based-access",
        "quota",
        "quota-limit",
        "quota-cost",
        "general-exhausted",
        "bucket-exhausted",
        "per-minute-limit",
        "per-minute-status",
        "not-modified-units",
        "no-error-status",
        "hidden-subscribers",
        "no-hidden-subscriber-flag",
        "exact-owner-subscribers",
        "batch-numbers",
        "batch-drop-every",
        "no-batch-summary",
        "analytics-lag-days",
        "analytics-without-youtube-readonly",
        "no-etags",
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
fn bad_options_are_refused_with_a_clear_message() {
    for (args, message) in [
        (
            vec!["--account", "a@b.c:A:T:@t:10:5:wings"],
            "unknown channel flag",
        ),
        (vec!["--account", "only-an-email"], "expected EMAIL:NAME"),
        (vec!["--quota-limit", "gold=5"], "unknown bucket"),
        (
            vec!["--quota-cost", "search.list=general"],
            "expected METHOD=BUCKET:UNITS",
        ),
        (vec!["--analytics-lag-days", "9"], "Analytics lag"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_youtube-sandbox"))
            .args(&args)
            .args(["--port", "0"])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}
