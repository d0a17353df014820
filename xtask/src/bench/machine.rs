//! The machine, toolchain and commit a benchmark ran on.

use std::path::Path;
use std::process::Command;

/// Facts printed at the top of the report.
pub struct Machine {
    pub cpu_model: String,
    /// Logical CPUs listed in `/proc/cpuinfo`.
    pub cores: usize,
    pub memory_gib: f64,
    pub date: String,
    pub commit: String,
    /// Number of paths `git status --porcelain` lists.
    pub uncommitted_paths: usize,
    pub rustc: String,
    /// The 1-minute load average when the bench started.
    pub load_at_start: String,
}

impl Machine {
    pub fn describe(root: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name")?.split_once(':').map(|(_, value)| value.trim().to_owned()))
            .unwrap_or_else(|| "unknown".to_owned());
        let cores = cpuinfo.lines().filter(|line| line.starts_with("processor")).count();
        let memory_kib: f64 = std::fs::read_to_string("/proc/meminfo")
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:")?.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        let status = command_output(root, "git", &["status", "--porcelain"]);
        Machine {
            cpu_model,
            cores,
            memory_gib: memory_kib / (1024.0 * 1024.0),
            date: command_output(root, "date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            commit: command_output(root, "git", &["rev-parse", "--short", "HEAD"]),
            uncommitted_paths: status.lines().count(),
            rustc: command_output(root, "rustc", &["--version"]),
            load_at_start: load_average(),
        }
    }
}

/// Returns the 1-minute load average from `/proc/loadavg`.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Returns the trimmed standard output of a command, or an empty string when it fails.
pub fn command_output(folder: &Path, program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .current_dir(folder)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_default()
}
