//! What Linux says about a process: resident memory and CPU time, from `/proc/<pid>`.

use std::sync::OnceLock;

use crate::error::{BenchError, BenchResult};

/// Resident memory of a process, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Memory {
    /// `VmRSS`: resident now.
    pub rss_kib: u64,
    /// `VmHWM`: the most it was ever resident (the high-water mark).
    pub hwm_kib: u64,
}

impl Memory {
    /// `VmRSS` in MiB.
    pub fn rss_mib(&self) -> f64 {
        kib_to_mib(self.rss_kib)
    }

    /// `VmHWM` in MiB.
    pub fn hwm_mib(&self) -> f64 {
        kib_to_mib(self.hwm_kib)
    }
}

/// KiB to MiB, for reports.
pub fn kib_to_mib(kib: u64) -> f64 {
    // Precision loss only above 2^52 KiB.
    #[allow(clippy::cast_precision_loss)]
    let kib = kib as f64;
    kib / 1024.0
}

/// Reads `VmRSS` and `VmHWM` from `/proc/<pid>/status`.
pub fn memory(pid: u32) -> BenchResult<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_memory(&status)
        .ok_or_else(|| BenchError::Setup(format!("/proc/{pid}/status has no VmRSS/VmHWM lines")))
}

fn parse_memory(status: &str) -> Option<Memory> {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
    };
    Some(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

/// The machine's 1-, 5- and 15-minute load averages as `/proc/loadavg` gives them, to say how
/// busy a shared machine was while a benchmark ran (`None` off Linux).
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    (fields.len() == 3).then(|| fields.join(" "))
}

/// CPU seconds (user + system, every thread) the process has used so far.
pub fn cpu_seconds(pid: u32) -> BenchResult<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let ticks = parse_cpu_ticks(&stat)
        .ok_or_else(|| BenchError::Setup(format!("/proc/{pid}/stat is not in the known format")))?;
    #[allow(clippy::cast_precision_loss)]
    let ticks = ticks as f64;
    Ok(ticks / clock_ticks_per_second())
}

/// `utime + stime` from a `/proc/<pid>/stat` line. The command name (field 2) may hold
/// spaces and parentheses, so fields are counted from the last `)`.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = stat.get(stat.rfind(')')? + 1..)?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// `sysconf(_SC_CLK_TCK)` as `getconf` reports it; 100 (Linux's value on every common
/// architecture) if `getconf` is missing.
fn clock_ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|output| String::from_utf8(output.stdout).ok())
            .and_then(|text| text.trim().parse::<f64>().ok())
            .filter(|ticks| *ticks > 0.0)
            .unwrap_or(100.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_and_high_water_mark() {
        let status =
            "Name:\tapi-server\nVmPeak:\t  900 kB\nVmHWM:\t   31000 kB\nVmRSS:\t   20480 kB\n";
        let memory = parse_memory(status).expect("both lines present");
        assert_eq!(memory.rss_kib, 20_480);
        assert_eq!(memory.hwm_kib, 31_000);
        assert!((memory.rss_mib() - 20.0).abs() < f64::EPSILON);
    }

    #[test]
    fn counts_cpu_fields_after_a_name_with_spaces_and_parentheses() {
        let stat = "1234 (a (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0";
        assert_eq!(parse_cpu_ticks(stat), Some(300));
    }

    #[test]
    fn reads_this_process() {
        let pid = std::process::id();
        let memory = memory(pid).expect("own /proc entry");
        assert!(memory.rss_kib > 0 && memory.hwm_kib >= memory.rss_kib);
        assert!(cpu_seconds(pid).expect("own stat") >= 0.0);
        let load = load_average().expect("Linux has /proc/loadavg");
        assert_eq!(load.split(' ').count(), 3);
    }
}
