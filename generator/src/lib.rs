//! Generates Rust crates from an OpenAPI 3.0 document: an api crate with the
//! types and a trait, an axum server crate and a reqwest client crate.
//!
//! [`generate`] runs the phases in order and stops after the first phase that
//! recorded an error: load, lower, emit, render.

mod bundle;
pub mod diagnostics;
mod emit;
mod load;
mod lower;
pub mod model;
pub mod naming;
pub mod output;
mod render;
mod source;

use std::path::Path;
use std::time::{Duration, Instant};

pub use diagnostics::{Class, Diagnostic, Diagnostics, Location, Severity};
pub use render::GeneratedFile;

/// Names of the generated crates and where they go.
#[derive(Debug, Clone)]
pub struct Config {
    /// Name of the API trait, such as `AuthApi`.
    pub trait_name: String,
    pub api_crate: String,
    pub server_crate: String,
    pub client_crate: String,
    /// Folders of the crates, relative to the output root.
    pub api_dir: String,
    pub server_dir: String,
    pub client_dir: String,
    /// The document's name in file headers, such as `spec/auth.yaml`.
    pub source_name: String,
    /// The command named in file headers as the way to regenerate.
    pub command: String,
    /// Fail when any warning was recorded, for CI.
    pub deny_warnings: bool,
}

impl Config {
    /// Crates `{prefix}-api`, `{prefix}-server` and `{prefix}-client` in folders of the same names.
    pub fn with_prefix(prefix: &str, trait_name: &str, source_name: &str) -> Self {
        Config {
            trait_name: trait_name.to_owned(),
            api_crate: format!("{prefix}-api"),
            server_crate: format!("{prefix}-server"),
            client_crate: format!("{prefix}-client"),
            api_dir: format!("{prefix}-api"),
            server_dir: format!("{prefix}-server"),
            client_dir: format!("{prefix}-client"),
            source_name: source_name.to_owned(),
            command: "cargo xtask generate".to_owned(),
            deny_warnings: false,
        }
    }
}

impl Config {
    /// Checks the names the generated code is built from; returns what is wrong with the first bad one.
    pub fn check(&self) -> Result<(), String> {
        for (setting, name) in
            [("api crate", &self.api_crate), ("server crate", &self.server_crate), ("client crate", &self.client_crate)]
        {
            let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(format!(
                    "invalid {setting} name `{name}`: use ASCII letters, digits, `-` and `_`, starting with a letter"
                ));
            }
        }
        let trait_name = &self.trait_name;
        if naming::to_ident(trait_name, naming::Case::Pascal) != *trait_name {
            return Err(format!(
                "invalid trait name `{trait_name}`: use an UpperCamelCase Rust identifier such as `PetstoreApi`"
            ));
        }
        if lower::RESERVED_TYPE_NAMES.contains(&trait_name.as_str()) {
            return Err(format!("invalid trait name `{trait_name}`: the generated crates define an item of that name"));
        }
        Ok(())
    }
}

/// The files of a successful run and the warnings it recorded.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Diagnostic>,
    /// Number of operations in the document.
    pub operations: usize,
    pub timings: Timings,
}

/// The phases of a run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Load,
    Lower,
    Emit,
    Render,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Load => "load",
            Phase::Lower => "model",
            Phase::Emit => "emit",
            Phase::Render => "format",
        }
    }
}

/// Time spent in each phase. Load and lower are wall-clock; emit and render run in parallel per file,
/// so theirs are summed over files.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub load: Duration,
    pub lower: Duration,
    pub emit: Duration,
    pub render: Duration,
}

/// Every diagnostic of a run that stopped on an error, and the phase that recorded it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", render_diagnostics(.diagnostics))]
pub struct Failure {
    pub phase: Phase,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(Diagnostic::to_string).collect::<Vec<_>>().join("\n")
}

/// Generates the crates for the document at `spec`.
///
/// Diagnostics name the file as `spec` gives it.
pub fn generate(spec: &Path, config: &Config) -> Result<Generated, Failure> {
    let base = spec.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = spec.display().to_string();
    run(config, &base, &name, |diagnostics| load::read_text(spec, diagnostics))
}

/// Generates the crates for a document given as YAML or JSON text.
///
/// References to other files are read relative to the current directory, and diagnostics name the
/// document `config.source_name`.
pub fn generate_from_str(text: &str, config: &Config) -> Result<Generated, Failure> {
    run(config, Path::new("."), &config.source_name, |_| Some(text.to_owned()))
}

/// Reads the document's text with `read`, runs the phases, then adds the file, line and column to
/// every diagnostic.
fn run(
    config: &Config,
    base: &Path,
    name: &str,
    read: impl FnOnce(&mut Diagnostics) -> Option<String>,
) -> Result<Generated, Failure> {
    let mut sources = source::Sources::new(base);
    let result = run_phases(config, base, name, read, &mut sources);
    // Positions cost a second parse of the text, so they are found only for runs with diagnostics.
    match result {
        Ok(mut generated) => {
            sources.locate(&mut generated.warnings);
            Ok(generated)
        }
        Err(mut failure) => {
            sources.locate(&mut failure.diagnostics);
            Err(failure)
        }
    }
}

fn run_phases(
    config: &Config,
    base: &Path,
    name: &str,
    read: impl FnOnce(&mut Diagnostics) -> Option<String>,
    sources: &mut source::Sources,
) -> Result<Generated, Failure> {
    let start = Instant::now();
    let mut diagnostics = Diagnostics::new();
    if let Err(message) = config.check() {
        diagnostics.invalid("", message, "change the setting; the document was not read");
        return Err(Failure { phase: Phase::Load, diagnostics: diagnostics.into_items(), timings: Timings::default() });
    }
    let mut raw = None;
    if let Some(text) = read(&mut diagnostics) {
        raw = load::parse(&text, name, &mut diagnostics);
        sources.add_root(name.to_owned(), text);
    }
    if let Some(raw) = raw.as_mut() {
        bundle::bundle(raw, base, sources, &mut diagnostics);
    }
    let mut timings = Timings { load: start.elapsed(), ..Timings::default() };
    let raw = checkpoint(raw, &diagnostics, Phase::Load, timings)?;
    generate_value(raw, config, diagnostics, &mut timings)
}

fn generate_value(
    raw: serde_json::Value,
    config: &Config,
    mut diagnostics: Diagnostics,
    timings: &mut Timings,
) -> Result<Generated, Failure> {
    let start = Instant::now();
    let loaded = load::load_value(raw, &mut diagnostics);
    timings.load += start.elapsed();
    let loaded = checkpoint(loaded, &diagnostics, Phase::Load, *timings)?;

    let start = Instant::now();
    let api = lower::lower(&loaded, config, &mut diagnostics);
    timings.lower = start.elapsed();
    let api = checkpoint(api, &diagnostics, Phase::Lower, *timings)?;

    // Emit and render run together, one file per thread at a time; their times are summed over files.
    let jobs = emit::emit(&api, config);
    let (files, times) = render::render(jobs, config, &mut diagnostics);
    timings.emit = times.emit;
    timings.render = times.format;
    checkpoint(Some(()), &diagnostics, Phase::Render, *timings)?;

    if config.deny_warnings && !diagnostics.items().is_empty() {
        return Err(Failure { phase: Phase::Render, diagnostics: diagnostics.into_items(), timings: *timings });
    }
    Ok(Generated { files, warnings: diagnostics.into_items(), operations: api.operations.len(), timings: *timings })
}

/// Stops the run when the phase that just ended recorded an error.
fn checkpoint<T>(value: Option<T>, diagnostics: &Diagnostics, phase: Phase, timings: Timings) -> Result<T, Failure> {
    match value {
        Some(value) if !diagnostics.has_errors() => Ok(value),
        _ => Err(Failure { phase, diagnostics: diagnostics.items().to_vec(), timings }),
    }
}
