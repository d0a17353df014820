//! Benchmark helper started by `cargo xtask bench`; not meant to be run by hand.
//!
//! - `serve`: serves the generated router and the hand-written one on two ports of 127.0.0.1 and
//!   checks that both return the same responses to the benchmarked requests. It then writes one wrk
//!   script per request, prints the URLs and scripts, and runs until its standard input closes.
//! - `client`: times the generated client against plain reqwest calls on a local server.
//! - `phases`: times each phase of the generator library on one document.

mod client;
mod handwritten;
mod phases;
mod probes;
mod service;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "auth-bench", about = "Benchmark helper for `cargo xtask bench`")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve both routers until standard input closes.
    Serve {
        /// Folder that receives one wrk script per benchmarked request.
        #[arg(long)]
        scripts: PathBuf,
    },
    /// Time the generated client against plain reqwest calls.
    Client {
        /// Sequential requests per operation, variant and round.
        #[arg(long, default_value_t = 2000)]
        iterations: usize,
        /// Rounds; each round alternates which variant goes first.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Time each phase of the generator library on one document.
    Phases {
        /// The OpenAPI document.
        spec: PathBuf,
        /// Folder that receives the generated crates; it is emptied before each run.
        #[arg(long)]
        out: PathBuf,
        /// Runs; the median of each phase is printed.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Serve { scripts } => runtime()?.block_on(serve(scripts)),
        Command::Client { iterations, rounds } => runtime()?.block_on(async {
            let base = spawn_server(generated_router()).await?;
            client::run(&base, iterations, rounds).await
        }),
        Command::Phases { spec, out, runs } => phases::run(&spec, &out, runs),
    }
}

/// Tokio's default multi-threaded runtime: one worker thread per core.
fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn generated_router() -> axum::Router {
    auth_server::router(service::InMemory { store: Arc::new(service::Store::new()) })
}

/// Serves `router` on a free port of 127.0.0.1 and returns its base URL.
async fn spawn_server(router: axum::Router) -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("failed to bind 127.0.0.1")?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            eprintln!("error: the server on {address} stopped: {error}");
        }
    });
    Ok(format!("http://{address}"))
}

async fn serve(scripts: PathBuf) -> Result<()> {
    let generated = spawn_server(generated_router()).await?;
    let handwritten = spawn_server(handwritten::router(Arc::new(service::Store::new()))).await?;
    probes::check_same_responses(&generated, &handwritten).await?;

    std::fs::create_dir_all(&scripts).with_context(|| format!("failed to create {}", scripts.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "server=generated url={generated}")?;
    writeln!(out, "server=handwritten url={handwritten}")?;
    for probe in probes::probes() {
        let script = probe.write_wrk_script(&scripts)?;
        writeln!(out, "operation={} path={} script={}", probe.operation, probe.path, script.display())?;
    }
    writeln!(out, "ready")?;
    out.flush()?;
    drop(out);

    // The servers run on the runtime's worker threads; this thread only waits for the parent.
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await?;
    Ok(())
}
