//! `cargo xtask bench`: measures generation time, output size and compile cost against progenitor,
//! and the overhead of the generated server and client against hand-written code, then writes
//! `BENCHMARKS.md`. It is run by hand only; no test calls it.

mod client;
mod compile;
mod generation;
mod machine;
pub mod measure;
mod profile;
mod report;
mod server;
mod stats;
mod tools;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use self::generation::{Document, DocumentRuns, Lines};
use self::stats::Summary;

/// A part of the benchmark that `--only` can select.
#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum Section {
    /// Generation time and peak memory against cargo-progenitor.
    Generation,
    /// Lines of generated code, and compile time of the oxide-nexus.json client.
    Size,
    /// Throughput and latency of the generated router against a hand-written one.
    Server,
    /// Per-request time of the generated client against plain reqwest.
    Client,
}

/// Settings of one `cargo xtask bench` run.
pub struct BenchOptions {
    pub sections: Vec<Section>,
    /// Timed runs per generator and document, and rounds of the client benchmark.
    pub runs: usize,
    /// Timed rounds of `cargo check` and `cargo build` per variant.
    pub compile_runs: usize,
    /// Length of each wrk measurement.
    pub server_seconds: u64,
    /// wrk measurements per operation and router.
    pub server_repetitions: usize,
    /// Sequential requests per operation, variant and round of the client benchmark.
    pub client_iterations: usize,
    /// Folder of the public OpenAPI documents.
    pub corpus: PathBuf,
    pub output: PathBuf,
    /// Profile with perf where a target is missed.
    pub profile: bool,
}

/// Ratio limits of the targets.
pub const GENERATION_TARGET: f64 = 0.5;
pub const COMPILE_TARGET: f64 = 1.0;
pub const SERVER_TARGET: f64 = 0.95;

/// The document whose clients are compiled in the size section.
const COMPILED_DOCUMENT: &str = "oxide-nexus.json";

/// Everything the report shows.
pub struct Findings {
    pub machine: machine::Machine,
    pub options_line: String,
    pub progenitor_version: Option<String>,
    pub wrk_version: Option<String>,
    pub documents: Vec<Document>,
    pub generation: Option<Vec<DocumentRuns>>,
    pub lines: Option<Vec<Lines>>,
    pub compile: Option<compile::CompileTimes>,
    pub server: Option<Vec<server::OperationLoad>>,
    pub client: Option<Vec<client::ClientTimes>>,
    pub profiles: Vec<profile::Profile>,
    /// Problems met on the way, such as a profile that could not be taken.
    pub notes: Vec<String>,
    pub load_at_end: String,
    pub minutes: f64,
}

/// Runs the selected sections and writes the report to `options.output`.
pub fn run(options: &BenchOptions) -> Result<()> {
    let start = Instant::now();
    let root = crate::project_root();
    let scratch = root.join("target/bench");
    std::fs::create_dir_all(&scratch).with_context(|| format!("failed to create {}", scratch.display()))?;
    let wants = |section: Section| options.sections.contains(&section);
    let corpus = if options.corpus.is_absolute() { options.corpus.clone() } else { root.join(&options.corpus) };

    let mut findings = Findings {
        machine: machine::Machine::describe(&root),
        options_line: options_line(options),
        progenitor_version: None,
        wrk_version: None,
        documents: Vec::new(),
        generation: None,
        lines: None,
        compile: None,
        server: None,
        client: None,
        profiles: Vec::new(),
        notes: Vec::new(),
        load_at_end: String::new(),
        minutes: 0.0,
    };
    let profiling = options.profile && profile::available();
    if options.profile && !profiling {
        findings.notes.push("`perf record` does not work here, so no profile was taken.".to_owned());
    }

    let mut helper = Helper { root: root.clone(), path: None };
    if wants(Section::Generation) || wants(Section::Size) {
        measure_generators(options, &corpus, profiling, &mut helper, &mut findings)?;
    }
    if wants(Section::Server) || wants(Section::Client) {
        measure_server_and_client(options, profiling, &mut helper, &mut findings)?;
    }

    findings.load_at_end = machine::load_average();
    findings.minutes = start.elapsed().as_secs_f64() / 60.0;
    let output = if options.output.is_absolute() { options.output.clone() } else { root.join(&options.output) };
    std::fs::write(&output, report::render(&findings))
        .with_context(|| format!("failed to write {}", output.display()))?;
    eprintln!("bench: wrote {} after {:.1} minutes", output.display(), findings.minutes);
    Ok(())
}

/// The `auth-bench` helper binary, built on first use: the server, client and phase measurements
/// need it.
struct Helper {
    root: PathBuf,
    path: Option<PathBuf>,
}

impl Helper {
    fn path(&mut self) -> Result<PathBuf> {
        if let Some(path) = &self.path {
            return Ok(path.clone());
        }
        let path = tools::release_binary(&self.root, "auth-bench", "auth-bench")?;
        self.path = Some(path.clone());
        Ok(path)
    }
}

/// Runs the generation and size sections: both generators on every document, line counts, and
/// compile times of one document's clients.
fn measure_generators(
    options: &BenchOptions,
    corpus: &Path,
    profiling: bool,
    helper: &mut Helper,
    findings: &mut Findings,
) -> Result<()> {
    let root = crate::project_root();
    let scratch = root.join("target/bench");
    let tools = tools::Tools::prepare(&root)?;
    findings.progenitor_version = Some(tools.progenitor_version.clone());
    findings.documents = generation::documents(&root, corpus)?;

    if options.sections.contains(&Section::Generation) {
        let runs = generation::run(&tools, &findings.documents, options.runs, &scratch)?;
        if profiling && let Some(document) = worst_generation(&findings.documents, &runs) {
            match profile_generation(&tools, &helper.path()?, document, &scratch) {
                Ok(profile) => findings.profiles.push(profile),
                Err(error) => findings.notes.push(format!("profiling our generator failed: {error:#}")),
            }
        }
        findings.generation = Some(runs);
    }

    if options.sections.contains(&Section::Size) {
        let mut lines = Vec::new();
        for document in &findings.documents {
            lines.push(generation::lines(&tools, document, &scratch)?);
        }
        findings.lines = Some(lines);

        let document = findings
            .documents
            .iter()
            .find(|document| document.name == COMPILED_DOCUMENT)
            .context("the compiled document is missing")?;
        let times = compile::run(&tools, document, options.compile_runs, &scratch)?;
        for (subcommand, series) in [("check", &times.check), ("build", &times.build)] {
            let missed = paired_ratio(&series[0], &series[2]).is_some_and(|ratio| ratio.median > COMPILE_TARGET);
            if profiling && missed {
                match compile::profile(document, subcommand, &scratch) {
                    Ok(profile) => findings.profiles.push(profile),
                    Err(error) => findings.notes.push(format!("profiling cargo {subcommand} failed: {error:#}")),
                }
            }
        }
        findings.compile = Some(times);
    }
    Ok(())
}

/// Runs the server and client sections against `auth-bench`.
fn measure_server_and_client(
    options: &BenchOptions,
    profiling: bool,
    helper: &mut Helper,
    findings: &mut Findings,
) -> Result<()> {
    let scratch = crate::project_root().join("target/bench");
    let helper = helper.path()?;

    if options.sections.contains(&Section::Server) {
        findings.wrk_version = tools::wrk_version();
        if findings.wrk_version.is_none() {
            bail!("wrk is not installed; install it with `apt-get update && apt-get install -y wrk`");
        }
        let servers = server::Servers::start(&helper, &scratch.join("server"))?;
        let loads = server::run(&servers, options.server_seconds, options.server_repetitions)?;
        if profiling {
            profile_server(&servers, &loads, options.server_seconds, &scratch, findings);
        }
        findings.server = Some(loads);
    }

    if options.sections.contains(&Section::Client) {
        findings.client = Some(client::run(&helper, options.client_iterations, options.runs)?);
    }
    Ok(())
}

fn options_line(options: &BenchOptions) -> String {
    let sections: Vec<String> = options.sections.iter().map(|section| format!("{section:?}").to_lowercase()).collect();
    format!(
        "cargo xtask bench --only {} --runs {} --compile-runs {} --server-seconds {} --server-repetitions {} \
         --client-iterations {}",
        sections.join(","),
        options.runs,
        options.compile_runs,
        options.server_seconds,
        options.server_repetitions,
        options.client_iterations
    )
}

/// Median of the per-run ratios `a / b`, pairing runs by index.
pub fn paired_ratio(a: &[f64], b: &[f64]) -> Option<Summary> {
    let pairs: Vec<(f64, f64)> = a.iter().copied().zip(b.iter().copied()).collect();
    Summary::of(&stats::ratios(&pairs))
}

/// Returns the document whose generation ratio misses the target by most, if any does.
fn worst_generation<'a>(documents: &'a [Document], runs: &[DocumentRuns]) -> Option<&'a Document> {
    documents
        .iter()
        .zip(runs)
        .filter_map(|(document, runs)| {
            let ratio = paired_ratio(&runs.ours.wall_ms(), &runs.progenitor.wall_ms())?.median;
            (ratio > GENERATION_TARGET).then_some((ratio, document))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, document)| document)
}

/// Profiles our generator on `document`, and times its phases with `auth-bench phases`.
fn profile_generation(
    tools: &tools::Tools,
    helper: &Path,
    document: &Document,
    scratch: &Path,
) -> Result<profile::Profile> {
    let out = scratch.join("profile/generation-output");
    let _ = std::fs::remove_dir_all(&out);
    let args = vec![
        document.path.clone().into(),
        "--out".into(),
        out.clone().into(),
        "--name".into(),
        document.slug.clone().into(),
        "--trait".into(),
        "Api".into(),
    ];
    let subject = format!("our generator on {}", document.name);
    let data = scratch.join("profile/generation.data");
    let mut profile = profile::command(&subject, &tools.ours, &args, scratch, &[], &data)?;

    let output = std::process::Command::new(helper)
        .arg("phases")
        .arg(&document.path)
        .arg("--out")
        .arg(&out)
        .output()
        .context("failed to run auth-bench phases")?;
    if !output.status.success() {
        bail!("auth-bench phases failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    for pair in String::from_utf8_lossy(&output.stdout).split_whitespace() {
        let Some((name, value)) = pair.split_once('=') else { continue };
        let Ok(milliseconds) = value.parse::<f64>() else { continue };
        profile.phases.push((name.trim_end_matches("_ms").to_owned(), milliseconds));
    }
    Ok(profile)
}

/// Profiles both routers under load on each operation whose throughput ratio misses the target.
fn profile_server(
    servers: &server::Servers,
    loads: &[server::OperationLoad],
    seconds: u64,
    scratch: &Path,
    findings: &mut Findings,
) {
    for load in loads {
        let generated: Vec<f64> = load.generated.iter().map(|run| run.requests_per_second).collect();
        let handwritten: Vec<f64> = load.handwritten.iter().map(|run| run.requests_per_second).collect();
        let missed = paired_ratio(&generated, &handwritten).is_some_and(|ratio| ratio.median < SERVER_TARGET);
        let script = servers.operations.iter().find(|(operation, ..)| *operation == load.operation);
        let (true, Some((_, _, script))) = (missed, script) else { continue };

        let mut profiles = [None, None];
        for (slot, (name, base)) in
            [("generated", &servers.generated), ("hand-written", &servers.handwritten)].into_iter().enumerate()
        {
            let subject = format!("the {name} router serving {}", load.operation);
            let url = format!("{base}{}", load.path);
            let data = scratch.join(format!("profile/server-{}-{name}.data", load.operation));
            let result = profile::process(&subject, servers.pid(), seconds, &data, || {
                server::wrk(&url, script, seconds).map(|_| ())
            });
            match result {
                Ok(profile) => profiles[slot] = Some(profile),
                Err(error) => findings.notes.push(format!("profiling {subject} failed: {error:#}")),
            }
        }
        let [generated, handwritten] = profiles;
        if let Some(mut generated) = generated {
            generated.baseline = handwritten.map(Box::new);
            findings.profiles.push(generated);
        }
    }
}
