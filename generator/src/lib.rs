//! Generates Rust crates from an OpenAPI 3.0 document: an api crate with the
//! types and a trait, an axum server crate and a reqwest client crate.
//!
//! [`generate`] runs the phases in order and stops after the first phase that
//! recorded an error: load, lower, emit, render.

pub mod diagnostics;
mod emit;
mod load;
mod lower;
pub mod model;
pub mod naming;
pub mod output;
mod render;

use std::path::Path;

pub use diagnostics::{Class, Diagnostic, Diagnostics, Severity};
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
    /// How the document is named in file headers, such as `spec/auth.yaml`.
    pub source_name: String,
    /// The command named in file headers as the way to regenerate.
    pub command: String,
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
        }
    }
}

/// The files of a successful run and the warnings it recorded.
#[derive(Debug, Clone)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Diagnostic>,
}

/// Every diagnostic of a run that stopped on an error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", render_diagnostics(.diagnostics))]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(Diagnostic::to_string).collect::<Vec<_>>().join("\n")
}

/// Generates the crates for the document at `spec`.
pub fn generate(spec: &Path, config: &Config) -> Result<Generated, Failure> {
    let mut diagnostics = Diagnostics::new();
    let raw = load::read(spec, &mut diagnostics);
    let raw = checkpoint(raw, &diagnostics)?;
    generate_value(raw, config, diagnostics)
}

/// Generates the crates for a document given as YAML or JSON text.
pub fn generate_from_str(text: &str, config: &Config) -> Result<Generated, Failure> {
    let mut diagnostics = Diagnostics::new();
    let raw = load::parse(text, &mut diagnostics);
    let raw = checkpoint(raw, &diagnostics)?;
    generate_value(raw, config, diagnostics)
}

fn generate_value(raw: serde_json::Value, config: &Config, mut diagnostics: Diagnostics) -> Result<Generated, Failure> {
    let loaded = load::load_value(raw, &mut diagnostics);
    let loaded = checkpoint(loaded, &diagnostics)?;

    let api = lower::lower(&loaded, config, &mut diagnostics);
    let api = checkpoint(api, &diagnostics)?;

    let emitted = emit::emit(&api, config);
    let files = render::render(emitted, config, &mut diagnostics);
    checkpoint(Some(()), &diagnostics)?;

    Ok(Generated { files, warnings: diagnostics.into_items() })
}

/// Stops the run when the phase that just ended recorded an error.
fn checkpoint<T>(value: Option<T>, diagnostics: &Diagnostics) -> Result<T, Failure> {
    match value {
        Some(value) if !diagnostics.has_errors() => Ok(value),
        _ => Err(Failure { diagnostics: diagnostics.items().to_vec() }),
    }
}
