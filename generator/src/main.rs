//! Command-line entry point: generate the api, server and client crates for any OpenAPI 3.0 document.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use generator::output::{self, Mode};

/// Formatting large documents allocates millions of small token and syntax-tree nodes. mimalloc is faster
/// than the system allocator at that, most of all when several threads render files at once.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate Rust api, server and client crates from an OpenAPI 3.0 document.
#[derive(Parser)]
#[command(name = "openapi-rust-generator", version)]
struct Cli {
    /// The OpenAPI 3.0 document, YAML or JSON.
    spec: PathBuf,
    /// Folder that receives the three crate folders.
    #[arg(long, default_value = ".")]
    out: PathBuf,
    /// Crate name prefix: crates are `<name>-api`, `<name>-server` and `<name>-client`.
    #[arg(long, default_value = "openapi")]
    name: String,
    /// Name of the generated trait.
    #[arg(long = "trait", default_value = "Api")]
    trait_name: String,
    /// Write nothing; print a diff of each out-of-date file and exit with 1 if there is one.
    #[arg(long)]
    check: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The file name alone, so the headers and `--check` do not depend on the working directory.
    let source_name = cli.spec.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let mut config = generator::Config::with_prefix(&cli.name, &cli.trait_name, &source_name);
    config.command = "openapi-rust-generator".to_owned();
    config.deny_warnings = cli.deny_warnings;
    let generated = match generator::generate(&cli.spec, &config) {
        Ok(generated) => generated,
        Err(failure) => {
            eprintln!("{failure}");
            if cli.deny_warnings {
                eprintln!("note: --deny-warnings turns warnings into errors");
            }
            eprintln!("error: generation failed for {}", cli.spec.display());
            return ExitCode::from(2);
        }
    };
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }
    let mode = if cli.check { Mode::Check } else { Mode::Write };
    let report = match output::write_or_check(&cli.out, &generated.files, mode) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: failed to write to {}: {error}", cli.out.display());
            return ExitCode::from(2);
        }
    };
    if cli.check {
        for diff in &report.diffs {
            eprintln!("{diff}");
        }
        for path in &report.stale {
            eprintln!("stale file, no longer generated: {}", path.display());
        }
        if !report.is_clean() {
            eprintln!("error: the generated crates are out of date; run the generator without --check");
            return ExitCode::FAILURE;
        }
        eprintln!("generated crates are up to date ({} files)", generated.files.len());
    } else {
        eprintln!(
            "{} files checked, {} updated, {} removed",
            generated.files.len(),
            report.changed.len(),
            report.stale.len()
        );
    }
    ExitCode::SUCCESS
}
