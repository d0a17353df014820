//! Project tasks, run as `cargo xtask <command>` (see `.cargo/config.toml`).
//!
//! - `generate`: regenerates `generated-api/`, `generated-server/` and `generated-client/` from `spec/auth.yaml`.
//! - `generate --check`: writes nothing and fails when the committed crates differ from what the generator produces.
//! - `corpus <folder>`: generates and checks every document in a folder.
//! - `bench`: runs the benchmarks and writes `BENCHMARKS.md`; run by hand only.

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
    /// Run the benchmarks against progenitor and hand-written code, and write BENCHMARKS.md.
    Bench {
        /// Sections to run, separated by commas.
        #[arg(long, value_delimiter = ',', default_value = "generation,size,server,client")]
        only: Vec<xtask::bench::Section>,
        /// Timed runs per generator and document, and rounds of the client benchmark.
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Timed rounds of `cargo check` and `cargo build` of each compiled client.
        #[arg(long, default_value_t = 3)]
        compile_runs: usize,
        /// Length of each wrk measurement, in seconds.
        #[arg(long, default_value_t = 5)]
        server_seconds: u64,
        /// wrk measurements per operation and router.
        #[arg(long, default_value_t = 6)]
        server_repetitions: usize,
        /// Sequential requests per operation, variant and round of the client benchmark.
        #[arg(long, default_value_t = 2000)]
        client_iterations: usize,
        /// Folder of the public OpenAPI documents, relative to the repository root.
        #[arg(long, default_value = "../shared/corpus")]
        corpus: std::path::PathBuf,
        /// Path of the report, relative to the repository root.
        #[arg(long, default_value = "BENCHMARKS.md")]
        output: std::path::PathBuf,
        /// Take no perf profile where a target is missed.
        #[arg(long)]
        no_profile: bool,
    },
    /// Run one command and record its wall time, CPU time and peak memory (used by `bench`).
    #[command(hide = true)]
    MeasureChild {
        /// File that receives the measurement.
        #[arg(long)]
        record: std::path::PathBuf,
        /// The command and its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true)]
        command: Vec<std::ffi::OsString>,
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
        Command::Bench {
            only,
            runs,
            compile_runs,
            server_seconds,
            server_repetitions,
            client_iterations,
            corpus,
            output,
            no_profile,
        } => {
            let options = xtask::bench::BenchOptions {
                sections: only,
                runs,
                compile_runs,
                server_seconds,
                server_repetitions,
                client_iterations,
                corpus,
                output,
                profile: !no_profile,
            };
            xtask::bench::run(&options).map(|()| true)
        }
        Command::MeasureChild { record, command } => {
            return match xtask::bench::measure::measure_child(&record, &command) {
                Ok(0) => ExitCode::SUCCESS,
                Ok(_) => ExitCode::FAILURE,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    ExitCode::FAILURE
                }
            };
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
