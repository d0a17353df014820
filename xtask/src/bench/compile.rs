//! Section 2: `cargo check` and `cargo build` time of the generated client for one document, ours
//! against progenitor's, with the dependencies already built.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result, bail};

use super::generation::{self, Document, Tool};
use super::profile::Profile;
use super::tools::{Tools, cargo};

/// The crates compiled in one timed run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Variant {
    /// Our api and client crates: the types and the client, which progenitor's one crate contains.
    OursApiAndClient,
    /// Our client crate alone, with the api crate already built.
    OursClient,
    Progenitor,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::OursApiAndClient, Variant::OursClient, Variant::Progenitor];

    pub fn label(self) -> &'static str {
        match self {
            Variant::OursApiAndClient => "ours: api + client crates",
            Variant::OursClient => "ours: client crate alone",
            Variant::Progenitor => "progenitor: client crate",
        }
    }
}

/// Compile times in seconds, per variant in the order of [`Variant::ALL`].
pub struct CompileTimes {
    pub document: String,
    pub check: [Vec<f64>; 3],
    pub build: [Vec<f64>; 3],
    /// The reason progenitor's crate was left out, if it was.
    pub progenitor_failure: Option<String>,
}

struct Workspace {
    folder: PathBuf,
    api: PathBuf,
    client: PathBuf,
    progenitor: PathBuf,
    client_package: String,
    progenitor_package: String,
}

impl Workspace {
    fn new(scratch: &Path, slug: &str) -> Workspace {
        let folder = scratch.join("compile");
        Workspace {
            api: folder.join(format!("ours/{slug}-api")),
            client: folder.join(format!("ours/{slug}-client")),
            progenitor: folder.join(format!("progenitor/{slug}-progenitor")),
            client_package: format!("{slug}-client"),
            progenitor_package: format!("{slug}-progenitor"),
            folder,
        }
    }

    fn sources(&self, variant: Variant) -> Vec<PathBuf> {
        match variant {
            Variant::OursApiAndClient => vec![self.api.join("src/lib.rs"), self.client.join("src/lib.rs")],
            Variant::OursClient => vec![self.client.join("src/lib.rs")],
            Variant::Progenitor => vec![self.progenitor.join("src/lib.rs")],
        }
    }

    fn package(&self, variant: Variant) -> &str {
        match variant {
            Variant::Progenitor => &self.progenitor_package,
            _ => &self.client_package,
        }
    }

    /// Runs `cargo <subcommand> -p <package>` and returns its wall time in seconds.
    fn cargo(&self, subcommand: &str, package: &str) -> Result<(f64, bool, String)> {
        let start = Instant::now();
        let output = cargo()
            .args([subcommand, "--quiet", "--package", package])
            .current_dir(&self.folder)
            .env("CARGO_TARGET_DIR", self.folder.join("target"))
            .env("CARGO_INCREMENTAL", "0")
            .env("RUSTFLAGS", "")
            .stdin(Stdio::null())
            .output()
            .context("failed to run cargo")?;
        let seconds = start.elapsed().as_secs_f64();
        Ok((seconds, output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned()))
    }
}

/// Generates both clients of `document` into a scratch workspace, builds their dependencies once,
/// then times `runs` rounds of check and build of each variant after touching its sources.
pub fn run(tools: &Tools, document: &Document, runs: usize, scratch: &Path) -> Result<CompileTimes> {
    let workspace = Workspace::new(scratch, &document.slug);
    let ours = generation::generate_once(tools, Tool::Ours, document, &workspace.folder.join("ours"), scratch)?;
    if !ours.success {
        bail!("our generator failed on {}: {}", document.name, generation::failure_summary(&ours));
    }
    let theirs = generation::generate_once(tools, Tool::Progenitor, document, &workspace.progenitor, scratch)?;
    let mut times = CompileTimes {
        document: document.name.clone(),
        check: Default::default(),
        build: Default::default(),
        progenitor_failure: (!theirs.success).then(|| generation::failure_summary(&theirs)),
    };

    let mut members = String::new();
    for member in [&workspace.api, &workspace.client, &workspace.progenitor] {
        if member.exists() {
            let relative = member.strip_prefix(&workspace.folder).unwrap_or(member);
            let _ = writeln!(members, "    \"{}\",", relative.display());
        }
    }
    let manifest =
        format!("# Written by `cargo xtask bench`.\n[workspace]\nresolver = \"3\"\nmembers = [\n{members}]\n");
    std::fs::write(workspace.folder.join("Cargo.toml"), manifest)?;
    let lock = workspace.folder.join("Cargo.lock");
    if !lock.exists() {
        let root_lock = crate::project_root().join("Cargo.lock");
        std::fs::copy(&root_lock, &lock).with_context(|| format!("failed to copy {}", root_lock.display()))?;
    }

    // Build each package once on its own, with the same command as the timed runs, so that the
    // dependencies are built with the features the timed runs need.
    let mut variants = Variant::ALL.to_vec();
    for variant in [Variant::OursClient, Variant::Progenitor] {
        if variant == Variant::Progenitor && times.progenitor_failure.is_some() {
            continue;
        }
        eprintln!("compile: building the dependencies of {}", workspace.package(variant));
        for subcommand in ["build", "check"] {
            let (_, success, stderr) = workspace.cargo(subcommand, workspace.package(variant))?;
            if success {
                continue;
            }
            let error = generation::first_error_line(&stderr);
            if variant != Variant::Progenitor {
                bail!("`cargo {subcommand}` of our client for {} failed: {error}", document.name);
            }
            times.progenitor_failure = Some(format!("cargo {subcommand}: {error}"));
        }
    }
    if times.progenitor_failure.is_some() {
        variants.retain(|variant| *variant != Variant::Progenitor);
    }

    for round in 0..runs {
        // Rotate the order each round, so no variant always runs first or last.
        let mut order = variants.clone();
        let shift = round % order.len();
        order.rotate_left(shift);
        for (subcommand, slot) in [("check", 0), ("build", 1)] {
            for &variant in &order {
                for source in workspace.sources(variant) {
                    touch(&source)?;
                }
                let (seconds, success, stderr) = workspace.cargo(subcommand, workspace.package(variant))?;
                if !success {
                    bail!("`cargo {subcommand}` of {variant:?} failed: {}", generation::first_error_line(&stderr));
                }
                let index = Variant::ALL.iter().position(|v| *v == variant).unwrap_or(0);
                let series = if slot == 0 { &mut times.check[index] } else { &mut times.build[index] };
                series.push(seconds);
            }
        }
        eprintln!("compile: round {} of {runs} done", round + 1);
    }
    Ok(times)
}

/// Profiles `cargo <subcommand>` of our api and client crates for `document`, in the workspace
/// that [`run`] left, after touching their sources.
pub fn profile(document: &Document, subcommand: &str, scratch: &Path) -> Result<Profile> {
    let workspace = Workspace::new(scratch, &document.slug);
    for source in workspace.sources(Variant::OursApiAndClient) {
        touch(&source)?;
    }
    let program = PathBuf::from(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    let args: Vec<OsString> =
        [subcommand, "--quiet", "--package", &workspace.client_package].iter().map(OsString::from).collect();
    let target = workspace.folder.join("target");
    let envs = [
        ("CARGO_TARGET_DIR", target.as_os_str()),
        ("CARGO_INCREMENTAL", OsStr::new("0")),
        ("RUSTFLAGS", OsStr::new("")),
    ];
    let subject = format!("cargo {subcommand} of our api and client crates for {}", document.name);
    let data = scratch.join(format!("profile/compile-{subcommand}.data"));
    super::profile::command(&subject, &program, &args, &workspace.folder, &envs, &data)
}

/// Sets the modification time of `path` to now, so cargo rebuilds the crate it belongs to.
fn touch(path: &Path) -> Result<()> {
    let file = std::fs::File::options()
        .append(true)
        .open(path)
        .with_context(|| format!("failed to open {}", path.display()))?;
    file.set_modified(SystemTime::now()).with_context(|| format!("failed to touch {}", path.display()))
}
