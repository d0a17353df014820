//! Project tasks, run as `cargo xtask <command>` (see `.cargo/config.toml`).
//!
//! - `generate`: regenerates `generated-api/`, `generated-server/` and `generated-client/` from `spec/auth.yaml`.
//! - `generate --check`: writes nothing and fails when the committed crates differ from what the generator produces.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Project tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the api, server and client crates from spec/auth.yaml.
    Generate {
        /// Write nothing; print a diff of each out-of-date file and fail if there is one.
        #[arg(long)]
        check: bool,
    },
    /// Generate and `cargo check` every OpenAPI document in a folder, and write a Markdown report.
    Corpus {
        /// Folder of `.yaml`, `.yml` and `.json` documents (its subfolders are not read).
        folder: std::path::PathBuf,
        /// Leave out documents larger than this many bytes.
        #[arg(long)]
        max_bytes: Option<u64>,
        /// Path of the Markdown report.
        #[arg(long, default_value = "target/corpus/report.md")]
        report: std::path::PathBuf,
        /// Only generate; skip `cargo check`.
        #[arg(long)]
        no_check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate { check } => xtask::generate(check),
        Command::Corpus { folder, max_bytes, report, no_check } => {
            let options = xtask::corpus::CorpusOptions { folder, max_bytes, report, skip_check: no_check };
            xtask::corpus::run(&options).map(|(compiled, total)| {
                println!("compiled: {compiled} of {total}");
                compiled == total
            })
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
