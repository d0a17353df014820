//! CPU profiles with Linux `perf`, taken where a target is missed: the functions with the most
//! samples of their own (self time), and the same samples summed per crate.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// Sampling frequency in Hz. `cpu-clock` is a software event, so it works in virtual machines
/// without hardware counters.
pub const FREQUENCY: &str = "2999";
/// Rows of each table in the report.
pub const TOP_FUNCTIONS: usize = 12;

/// The distribution of the samples of one profile.
pub struct Profile {
    /// Description of the profiled program, for the report.
    pub subject: String,
    /// (share of samples in percent, function), largest first, down to 0.1 %.
    pub functions: Vec<(f64, String)>,
    /// (share of samples in percent, crate or library), largest first.
    pub crates: Vec<(f64, String)>,
    /// (phase, median milliseconds) of the generator library, for a generation profile.
    pub phases: Vec<(String, f64)>,
    /// A profile of the code this one is compared with, such as the hand-written router.
    pub baseline: Option<Box<Profile>>,
}

impl Profile {
    /// Returns the share of samples of `function`, or 0 when it was not sampled.
    pub fn share_of_function(&self, function: &str) -> f64 {
        self.functions.iter().find(|(_, name)| name == function).map(|(percent, _)| *percent).unwrap_or(0.0)
    }

    /// Returns the share of samples of the crate `name`, or 0 when it was not sampled.
    pub fn share_of_crate(&self, name: &str) -> f64 {
        self.crates.iter().find(|(_, crate_name)| crate_name == name).map(|(percent, _)| *percent).unwrap_or(0.0)
    }
}

/// Returns whether `perf record` works here.
pub fn available() -> bool {
    Command::new("perf")
        .args(["record", "-q", "-e", "cpu-clock", "-o", "/dev/null", "--", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Profiles one run of `program` in `folder` with extra environment variables `envs`, following
/// its child processes.
pub fn command(
    subject: &str,
    program: &Path,
    args: &[OsString],
    folder: &Path,
    envs: &[(&str, &OsStr)],
    data: &Path,
) -> Result<Profile> {
    let status = Command::new("perf")
        .args(["record", "-q", "-e", "cpu-clock", "-F", FREQUENCY, "-o"])
        .arg(data)
        .arg("--")
        .arg(program)
        .args(args)
        .current_dir(folder)
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("failed to run perf record")?;
    if !status.success() {
        bail!("perf record of {} failed ({status})", program.display());
    }
    report(subject, data)
}

/// Profiles the user-space code of the running process `pid` while `load` runs. Kernel time, such
/// as the network stack, is left out because every router needs it alike.
pub fn process(
    subject: &str,
    pid: u32,
    seconds: u64,
    data: &Path,
    load: impl FnOnce() -> Result<()>,
) -> Result<Profile> {
    // `perf record -p PID -- sleep N` samples PID until the sleep ends.
    let mut perf = Command::new("perf")
        .args(["record", "-q", "-e", "cpu-clock:u", "-F", FREQUENCY, "-p", &pid.to_string(), "-o"])
        .arg(data)
        .args(["--", "sleep", &seconds.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("failed to run perf record")?;
    let loaded = load();
    let status = perf.wait()?;
    loaded?;
    if !status.success() {
        bail!("perf record of process {pid} failed ({status})");
    }
    report(subject, data)
}

fn report(subject: &str, data: &Path) -> Result<Profile> {
    let output = Command::new("perf")
        .args(["report", "--stdio", "--no-children", "--sort", "symbol", "--percent-limit", "0.1", "-i"])
        .arg(data)
        .output()
        .context("failed to run perf report")?;
    if !output.status.success() {
        bail!("perf report failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let mut functions = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        // Lines look like `    12.34%  [.] serde_json::de::Deserializer::parse_str`.
        let line = line.trim();
        let Some((percent, rest)) = line.split_once('%') else { continue };
        let Ok(percent) = percent.trim().parse::<f64>() else { continue };
        // perf pads the symbol column and may append IPC columns after two or more spaces.
        let symbol = rest.trim().trim_start_matches("[.]").trim_start_matches("[k]").trim();
        let symbol = symbol.split("  ").next().unwrap_or(symbol);
        functions.push((percent, symbol.to_owned()));
    }
    let mut per_crate: BTreeMap<String, f64> = BTreeMap::new();
    for (percent, symbol) in &functions {
        *per_crate.entry(crate_of(symbol)).or_default() += percent;
    }
    let mut crates: Vec<(f64, String)> = per_crate.into_iter().map(|(name, percent)| (percent, name)).collect();
    crates.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(Profile { subject: subject.to_owned(), functions, crates, phases: Vec::new(), baseline: None })
}

/// Returns the crate a demangled Rust symbol belongs to, such as `serde_json` for
/// `<serde_json::de::Deserializer<R>>::parse_str`. Other symbols, such as libc's, count as "other".
fn crate_of(symbol: &str) -> String {
    let path = symbol.trim_start_matches(['<', '&', '*']).trim_start_matches("dyn ").trim_start_matches("mut ");
    match path.split_once("::") {
        Some((name, _)) if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') => name.to_owned(),
        _ => "other (libc, allocator, kernel)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_of_method_on_type() {
        assert_eq!(crate_of("<serde_json::de::Deserializer<R>>::parse_str"), "serde_json");
    }

    #[test]
    fn crate_of_plain_path() {
        assert_eq!(crate_of("prettyplease::algorithm::Printer::scan_string"), "prettyplease");
    }

    #[test]
    fn crate_of_generic_method() {
        assert_eq!(crate_of("<alloc::vec::Vec<T> as core::clone::Clone>::clone"), "alloc");
    }

    #[test]
    fn crate_of_libc_symbol() {
        assert_eq!(crate_of("__memmove_avx_unaligned_erms"), "other (libc, allocator, kernel)");
    }
}
