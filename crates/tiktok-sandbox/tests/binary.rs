//! The binary documents every option in `--help`.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn help_documents_every_option() {
    let output = Command::new(env!("CARGO_BIN_EXE_tiktok-sandbox"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for option in [
        "--host",
        "--port",
        "--public-url",
        "--seed",
        "--creators",
        "--videos",
        "--client-key",
        "--client-secret",
        "--redirect-uri",
        "--access-token-ttl",
        "--refresh-token-ttl",
        "--code-ttl",
        "--no-rotation",
        "--rate-limit-per-minute",
        "--retry-after",
        "--daily-quota",
        "--webhook-url",
        "--start-time",
        "--frozen-clock",
        "--workers",
    ] {
        let lines: Vec<&str> = help.lines().collect();
        let at = lines
            .iter()
            .position(|line| line.trim_start().starts_with(option))
            .unwrap_or_else(|| panic!("{option} missing from --help"));
        // clap's long help puts the description on the line after the option.
        let described = lines
            .get(at + 1)
            .is_some_and(|next| !next.trim().is_empty() && !next.trim_start().starts_with('-'));
        assert!(described, "{option} has no description");
    }
}
