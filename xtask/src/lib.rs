//! The tasks behind `cargo xtask`, as a library so tests can run them too.

use std::path::{Path, PathBuf};

pub mod bench;
pub mod corpus;

use anyhow::{Context, Result};
use generator::output::{self, Mode};

/// Returns the generator settings for `spec/auth.yaml` and the crate layout of this repository.
pub fn auth_config() -> generator::Config {
    generator::Config {
        trait_name: "AuthApi".to_owned(),
        api_crate: "auth-api".to_owned(),
        server_crate: "auth-server".to_owned(),
        client_crate: "auth-client".to_owned(),
        api_dir: "generated-api".to_owned(),
        server_dir: "generated-server".to_owned(),
        client_dir: "generated-client".to_owned(),
        source_name: "spec/auth.yaml".to_owned(),
        command: "cargo xtask generate".to_owned(),
        deny_warnings: false,
    }
}

pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Regenerates or checks the crates; returns `false` when `--check` found drift.
pub fn generate(check: bool) -> Result<bool> {
    let root = project_root();
    let spec = root.join("spec/auth.yaml");
    let generated = match generator::generate(&spec, &auth_config()) {
        Ok(generated) => generated,
        Err(failure) => anyhow::bail!("generation failed for {}:\n{failure}", spec.display()),
    };
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }
    let mode = if check { Mode::Check } else { Mode::Write };
    let report = output::write_or_check(&root, &generated.files, mode)
        .context("failed to write or check the generated files")?;
    let relative = |path: &Path| path.strip_prefix(&root).unwrap_or(path).display().to_string();
    if check {
        for diff in &report.diffs {
            eprintln!("{diff}");
        }
        for path in &report.stale {
            eprintln!("stale file, no longer generated: {}", relative(path));
        }
        if !report.is_clean() {
            eprintln!("error: the generated crates are out of date; run `cargo xtask generate` and commit the result");
            return Ok(false);
        }
        eprintln!("generated crates are up to date ({} files)", generated.files.len());
    } else {
        for path in &report.changed {
            eprintln!("updated {}", relative(path));
        }
        for path in &report.stale {
            eprintln!("removed {}", relative(path));
        }
        eprintln!("{} files checked, {} updated", generated.files.len(), report.changed.len());
    }
    Ok(true)
}
