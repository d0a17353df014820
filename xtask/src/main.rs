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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate { check } => xtask::generate(check),
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
