//! `cargo xtask corpus <folder>`: run the generator over a folder of OpenAPI documents and
//! `cargo check` what it produces, then write a Markdown report.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use generator::output::{self, Mode};

/// Settings of one corpus run.
pub struct CorpusOptions {
    pub folder: PathBuf,
    /// Documents larger than this many bytes are left out.
    pub max_bytes: Option<u64>,
    /// Path of the Markdown report.
    pub report: PathBuf,
    /// Skip `cargo check` of the generated crates.
    pub skip_check: bool,
}

/// How far one document got.
struct Outcome {
    name: String,
    bytes: u64,
    operations: Option<usize>,
    stage: &'static str,
    timings: generator::Timings,
    check_time: Option<Duration>,
    warnings: usize,
    error: Option<String>,
    compiled: bool,
}

/// Runs the corpus and writes the report; returns the number of documents that compiled and the total.
pub fn run(options: &CorpusOptions) -> Result<(usize, usize)> {
    let documents = documents(&options.folder, options.max_bytes)?;
    let root = crate::project_root();
    let scratch = root.join("target/corpus");
    std::fs::create_dir_all(&scratch).with_context(|| format!("failed to create {}", scratch.display()))?;
    let mut outcomes: Vec<Outcome> = documents.iter().map(|(path, slug)| generate(path, slug, &scratch)).collect();

    // The scratch workspace is not a member of ours, so the generated crates do not join our build.
    let generated: Vec<&str> = outcomes
        .iter()
        .zip(&documents)
        .filter(|(outcome, _)| outcome.stage == "generated")
        .map(|(_, (_, slug))| slug.as_str())
        .collect();
    std::fs::write(scratch.join("Cargo.toml"), workspace_manifest(&generated))?;
    if let Ok(lock) = std::fs::read(root.join("Cargo.lock")) {
        std::fs::write(scratch.join("Cargo.lock"), lock)?;
    }
    if !options.skip_check {
        warm_up(&scratch);
        for (outcome, (_, slug)) in outcomes.iter_mut().zip(&documents) {
            if outcome.stage == "generated" {
                check(outcome, slug, &scratch);
            }
        }
    }
    for outcome in &outcomes {
        eprintln!(
            "{:<36} {:<9} {}",
            outcome.name,
            outcome.stage,
            outcome.error.as_deref().map(first_line).unwrap_or_default()
        );
    }

    let compiled = outcomes.iter().filter(|o| o.compiled).count();
    let report = render_report(&outcomes, options);
    if let Some(parent) = options.report.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&options.report, report).with_context(|| format!("failed to write {}", options.report.display()))?;
    eprintln!("report written to {}", options.report.display());
    Ok((compiled, outcomes.len()))
}

/// Lists the documents of `folder` (top level only), sorted by name, each with a crate-name slug.
fn documents(folder: &Path, max_bytes: Option<u64>) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(folder).with_context(|| format!("failed to read {}", folder.display()))? {
        let path = entry?.path();
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !path.is_file() || !matches!(extension, "yaml" | "yml" | "json") {
            continue;
        }
        let bytes = std::fs::metadata(&path)?.len();
        if max_bytes.is_some_and(|max| bytes > max) {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("document");
        let slug: String =
            stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
        out.push((path.clone(), format!("corpus-{slug}")));
    }
    out.sort();
    Ok(out)
}

fn workspace_manifest(slugs: &[&str]) -> String {
    let mut members = String::new();
    for slug in slugs {
        for suffix in ["api", "server", "client"] {
            let _ = writeln!(members, "    \"{slug}/{slug}-{suffix}\",");
        }
    }
    format!("# Written by `cargo xtask corpus`.\n[workspace]\nresolver = \"3\"\nmembers = [\n{members}]\n")
}

fn cargo(scratch: &Path) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(scratch).env("CARGO_TARGET_DIR", scratch.join("target")).env("RUSTFLAGS", "-D warnings");
    command
}

/// Builds the dependencies of the generated crates once, so each document's check time covers only its own crates.
fn warm_up(scratch: &Path) {
    let mut command = cargo(scratch);
    command.args(["check", "--quiet"]);
    for package in
        ["axum", "reqwest", "regress", "serde_json", "serde_path_to_error", "futures-util", "thiserror", "tracing"]
    {
        command.args(["-p", package]);
    }
    match command.status() {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!("warning: building the dependencies failed ({status}); check times include them"),
        Err(error) => eprintln!("warning: failed to run cargo: {error}"),
    }
}

fn generate(path: &Path, slug: &str, scratch: &Path) -> Outcome {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let mut config = generator::Config::with_prefix(slug, "Api", &name);
    config.command = "cargo xtask corpus".to_owned();
    let mut outcome = Outcome {
        name,
        bytes,
        operations: None,
        stage: "load",
        timings: generator::Timings::default(),
        check_time: None,
        warnings: 0,
        error: None,
        compiled: false,
    };

    let generated = match generator::generate(path, &config) {
        Ok(generated) => generated,
        Err(failure) => {
            outcome.stage = failure.phase.name();
            outcome.timings = failure.timings;
            outcome.error =
                failure.diagnostics.iter().find(|d| d.severity == generator::Severity::Error).map(|d| d.to_string());
            return outcome;
        }
    };
    outcome.operations = Some(generated.operations);
    outcome.timings = generated.timings;
    outcome.warnings = generated.warnings.len();
    outcome.stage = "generated";

    if let Err(error) = output::write_or_check(&scratch.join(slug), &generated.files, Mode::Write) {
        outcome.stage = "write";
        outcome.error = Some(format!("failed to write the crates: {error}"));
    }
    outcome
}

/// Runs `cargo check` on the three crates of one document.
fn check(outcome: &mut Outcome, slug: &str, scratch: &Path) {
    let start = Instant::now();
    let result = cargo(scratch)
        .args(["check", "--quiet", "--message-format", "short"])
        .args(["-p", &format!("{slug}-api"), "-p", &format!("{slug}-server"), "-p", &format!("{slug}-client")])
        .output();
    outcome.check_time = Some(start.elapsed());
    match result {
        Ok(output) if output.status.success() => {
            outcome.stage = "compiled";
            outcome.compiled = true;
        }
        Ok(output) => {
            outcome.stage = "check";
            let stderr = String::from_utf8_lossy(&output.stderr);
            outcome.error = stderr.lines().find(|line| line.contains("error")).map(str::to_owned);
        }
        Err(error) => outcome.error = Some(format!("failed to run cargo check: {error}")),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

fn milliseconds(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn render_report(outcomes: &[Outcome], options: &CorpusOptions) -> String {
    let compiled = outcomes.iter().filter(|o| o.compiled).count();
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();

    let mut out = String::new();
    let _ = writeln!(out, "# Corpus report\n");
    let _ =
        writeln!(out, "Written by `cargo xtask corpus {}` on {date} at commit `{commit}`.", options.folder.display());
    let _ = writeln!(
        out,
        "Each document is generated, then its three crates are checked with `cargo check` and `RUSTFLAGS=-D warnings`. \
         Times are measured on the machine that ran the command: load, model and check are wall-clock, and emit and format are summed over the files, which are processed on several threads; `check` includes only the generated crates, \
         since dependencies are built once for the whole run.\n"
    );
    let _ = writeln!(
        out,
        "| document | KB | operations | reached | load ms | model ms | emit ms | format ms | check s | warnings | first error |"
    );
    let _ = writeln!(out, "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|");
    for outcome in outcomes {
        let error = outcome.error.as_deref().map(first_line).unwrap_or_default().replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            outcome.name,
            outcome.bytes / 1024,
            outcome.operations.map(|n| n.to_string()).unwrap_or_default(),
            outcome.stage,
            milliseconds(outcome.timings.load),
            milliseconds(outcome.timings.lower),
            milliseconds(outcome.timings.emit),
            milliseconds(outcome.timings.render),
            outcome.check_time.map(|t| format!("{:.1}", t.as_secs_f64())).unwrap_or_default(),
            outcome.warnings,
            error,
        );
    }
    let _ = writeln!(out, "\ncompiled: {compiled} of {}", outcomes.len());
    out
}
