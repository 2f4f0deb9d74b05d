//! Reads a process's CPU time and memory from `/proc`, so the gateway's and the emulator's costs
//! can be told apart (they are separate processes).

use std::sync::OnceLock;

use anyhow::{bail, Context};

/// Clock ticks per second for `/proc/<pid>/stat` times. `sysconf` needs `unsafe` (forbidden in
/// this workspace), so this asks `getconf CLK_TCK` once and falls back to Linux's usual 100.
pub fn clock_ticks_per_sec() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .and_then(|text| text.trim().parse().ok())
            .filter(|ticks| *ticks > 0)
            .unwrap_or(100)
    })
}

/// One reading of `/proc/<pid>/stat`.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    /// utime + stime (fields 14 and 15), in clock ticks.
    pub ticks: u64,
    /// stime alone: time in the kernel on the process's behalf (socket copies, page faults).
    pub sys_ticks: u64,
    /// Minor page faults (field 10): memory touched for the first time since it was mapped.
    pub minor_faults: u64,
}

impl CpuSample {
    pub fn seconds(self) -> f64 {
        self.ticks as f64 / clock_ticks_per_sec() as f64
    }
}

/// utime + stime of every thread of `pid`, from `/proc/<pid>/stat`.
pub fn cpu(pid: u32) -> anyhow::Result<CpuSample> {
    let text =
        std::fs::read_to_string(format!("/proc/{pid}/stat")).with_context(|| format!("reading stat of {pid}"))?;
    parse_stat(&text)
}

/// The command name (field 2) may contain spaces and parentheses, so fields are counted from the
/// last `)`.
fn parse_stat(text: &str) -> anyhow::Result<CpuSample> {
    let Some(close) = text.rfind(')') else { bail!("malformed /proc stat line") };
    let rest: Vec<&str> = text[close + 1..].split_whitespace().collect();
    // rest[0] is field 3 (state), so field N is rest[N - 3].
    if rest.len() < 13 {
        bail!("short /proc stat line");
    }
    let utime: u64 = rest[11].parse().context("utime")?;
    let stime: u64 = rest[12].parse().context("stime")?;
    let minor_faults: u64 = rest[7].parse().context("minflt")?;
    Ok(CpuSample { ticks: utime + stime, sys_ticks: stime, minor_faults })
}

/// `VmHWM` (peak resident set) and `VmRSS` of `pid`, in bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub hwm: u64,
    pub rss: u64,
}

pub fn memory(pid: u32) -> anyhow::Result<Memory> {
    let text =
        std::fs::read_to_string(format!("/proc/{pid}/status")).with_context(|| format!("reading status of {pid}"))?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kb * 1024)
    };
    match (field("VmHWM:"), field("VmRSS:")) {
        (Some(hwm), Some(rss)) => Ok(Memory { hwm, rss }),
        _ => bail!("process {pid} has no memory figures (exited?)"),
    }
}

/// The CPU this very process (the load generator) has used.
pub fn own_cpu() -> anyhow::Result<CpuSample> {
    cpu(std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_odd_command_name() {
        let line = "1234 (a b) c) S 1 2 3 4 5 6 7 8 9 10 250 37 0 0 20 0 9 0 100 200 300";
        let sample = parse_stat(line).unwrap();
        assert_eq!(sample.ticks, 287);
        assert_eq!(sample.sys_ticks, 37);
        assert_eq!(sample.minor_faults, 7);
    }

    #[test]
    fn reads_itself() {
        assert!(memory(std::process::id()).unwrap().rss > 0);
        assert!(own_cpu().is_ok());
    }
}
