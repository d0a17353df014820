//! Wall time, CPU time and peak memory of one child process.
//!
//! `getrusage(RUSAGE_CHILDREN)` reports the largest resident set of all waited-for children of the
//! calling process, not of the last one. So every measured command runs under a fresh
//! `xtask measure-child` process, whose only child is the measured command.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeValLike;

/// Resources used by one measured command.
#[derive(Debug, Clone)]
pub struct Measured {
    pub wall: Duration,
    /// User plus system CPU time of the command and the children it waited for.
    pub cpu: Duration,
    /// Peak resident set size, in KiB.
    pub max_rss_kib: u64,
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `program` with `args` in `folder` under `<measurer> measure-child`, where `measurer` is an
/// xtask executable, and returns what it used.
pub fn run(measurer: &Path, program: &Path, args: &[OsString], folder: &Path, record: &Path) -> Result<Measured> {
    let _ = std::fs::remove_file(record);
    let output = Command::new(measurer)
        .arg("measure-child")
        .arg("--record")
        .arg(record)
        .arg("--")
        .arg(program)
        .args(args)
        .current_dir(folder)
        // Short error output, and no backtrace capture cost in programs that use anyhow.
        .env("RUST_BACKTRACE", "0")
        .env("RUST_LIB_BACKTRACE", "0")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("failed to run {}", program.display()))?;
    let text = std::fs::read_to_string(record)
        .with_context(|| format!("the measurement of {} wrote no record", program.display()))?;
    let field = |name: &str| -> Result<u64> {
        text.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
            .with_context(|| format!("the measurement record `{}` has no `{name}`", text.trim()))
    };
    Ok(Measured {
        wall: Duration::from_nanos(field("wall_ns")?),
        cpu: Duration::from_micros(field("cpu_us")?),
        max_rss_kib: field("max_rss_kib")?,
        success: field("exit")? == 0,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

/// Body of `xtask measure-child`: runs `command`, waits for it and writes its usage to `record` as
/// `wall_ns=… cpu_us=… max_rss_kib=… exit=…`. Returns the command's exit code.
pub fn measure_child(record: &Path, command: &[OsString]) -> Result<i32> {
    let Some((program, args)) = command.split_first() else {
        bail!("measure-child needs a command to run");
    };
    let start = Instant::now();
    let status = Command::new(program)
        .args(args)
        .status()
        .with_context(|| format!("failed to run {}", program.to_string_lossy()))?;
    let wall = start.elapsed();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage failed")?;
    let cpu_us = usage.user_time().num_microseconds() + usage.system_time().num_microseconds();
    // A command killed by a signal has no exit code; it counts as a failure.
    let exit = status.code().unwrap_or(-1);
    let line = format!(
        "wall_ns={} cpu_us={} max_rss_kib={} exit={}\n",
        wall.as_nanos(),
        cpu_us,
        usage.max_rss(),
        if exit == 0 { 0 } else { 1 }
    );
    std::fs::write(record, line).with_context(|| format!("failed to write {}", record.display()))?;
    Ok(exit)
}
