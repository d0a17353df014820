//! The programs the bench runs: our release build, `cargo-progenitor`, the `auth-bench` helper
//! and wrk.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::machine::command_output;

/// Paths and versions of the compared generators.
pub struct Tools {
    /// Our command-line program, release build.
    pub ours: PathBuf,
    /// A copy of this xtask executable, which runs `measure-child`.
    pub measurer: PathBuf,
    pub progenitor: PathBuf,
    /// As `cargo install --list` prints it, for example `cargo-progenitor v0.15.1`.
    pub progenitor_version: String,
}

impl Tools {
    /// Builds our command-line program in release mode and installs `cargo-progenitor` into
    /// `target/bench/tools` unless it is there already.
    pub fn prepare(root: &Path) -> Result<Tools> {
        let ours = release_binary(root, "openapi-rust-generator", "openapi-rust-generator")?;
        let xtask = std::env::current_exe().context("failed to find the xtask executable")?;
        let measurer = copy_binary(root, &xtask, "xtask-measure")?;
        let tools_root = root.join("target/bench/tools");
        let progenitor = tools_root.join("bin/cargo-progenitor");
        if !progenitor.exists() {
            eprintln!("bench: installing cargo-progenitor into {}", tools_root.display());
            let status = cargo()
                .args(["install", "cargo-progenitor", "--locked", "--root"])
                .arg(&tools_root)
                .status()
                .context("failed to run cargo install")?;
            if !status.success() {
                bail!("`cargo install cargo-progenitor` failed ({status})");
            }
        }
        let root_argument = tools_root.to_string_lossy().into_owned();
        let list = command_output(root, "cargo", &["install", "--list", "--root", &root_argument]);
        let progenitor_version = list
            .lines()
            .find(|line| line.starts_with("cargo-progenitor "))
            .map(|line| line.trim_end_matches(':').to_owned())
            .unwrap_or_else(|| "cargo-progenitor (version unknown)".to_owned());
        Ok(Tools { ours, measurer, progenitor, progenitor_version })
    }

    /// Arguments of `cargo-progenitor` that write a crate named `<slug>-progenitor` to `out`.
    pub fn progenitor_arguments(&self, spec: &Path, out: &Path, slug: &str) -> Vec<OsString> {
        vec![
            "progenitor".into(),
            "--input".into(),
            spec.into(),
            "--output".into(),
            out.into(),
            "--name".into(),
            format!("{slug}-progenitor").into(),
            "--version".into(),
            "0.1.0".into(),
        ]
    }
}

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// Builds `package` in release mode and returns the path of a copy of its binary `binary` in
/// `target/bench/bin`.
pub fn release_binary(root: &Path, package: &str, binary: &str) -> Result<PathBuf> {
    eprintln!("bench: building {package} (release)");
    let status = cargo()
        .args(["build", "--release", "--quiet", "--package", package, "--bin", binary])
        .current_dir(root)
        .status()
        .context("failed to run cargo build")?;
    if !status.success() {
        bail!("`cargo build --release --package {package}` failed ({status})");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() { target } else { root.join(target) };
    copy_binary(root, &target.join("release").join(binary), binary)
}

/// Copies an executable to `target/bench/bin/<name>` and returns the copy's path, so a build
/// that replaces the original while the bench runs changes nothing that the bench measures.
fn copy_binary(root: &Path, original: &Path, name: &str) -> Result<PathBuf> {
    let folder = root.join("target/bench/bin");
    std::fs::create_dir_all(&folder).with_context(|| format!("failed to create {}", folder.display()))?;
    let copy = folder.join(name);
    // Remove first: overwriting a running executable in place fails with "text file busy".
    let _ = std::fs::remove_file(&copy);
    std::fs::copy(original, &copy).with_context(|| format!("failed to copy {}", original.display()))?;
    Ok(copy)
}

/// Returns wrk's version line, or `None` when wrk is not installed.
pub fn wrk_version() -> Option<String> {
    let output = Command::new("wrk").arg("--version").output().ok()?;
    // wrk prints its version followed by the usage text, and exits with 1.
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    let line = text.lines().find(|line| line.starts_with("wrk "))?;
    Some(line.split(" Copyright").next().unwrap_or(line).trim().to_owned())
}
