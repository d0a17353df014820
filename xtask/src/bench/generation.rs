//! Section 1: generation time and peak memory of our command-line program against
//! `cargo-progenitor`, and section 2's line counts of what each writes.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::measure::{self, Measured};
use super::stats::Summary;
use super::tools::Tools;

/// Corpus documents of the generation benchmark, besides `spec/auth.yaml`.
pub const CORPUS_DOCUMENTS: [&str; 3] = ["oxide-nexus.json", "xero-accounting.yaml", "github-api.json"];

/// One input document.
pub struct Document {
    /// File name, as shown in the report.
    pub name: String,
    pub path: PathBuf,
    /// Crate name prefix: our crates are `<slug>-api`, `<slug>-server` and `<slug>-client`,
    /// progenitor's is `<slug>-progenitor`.
    pub slug: String,
    pub bytes: u64,
    /// Operation count from our generator, or `None` when it rejects the document.
    pub operations: Option<usize>,
}

/// Lists `spec/auth.yaml` and the corpus documents, counting their operations with the generator
/// library (not timed).
pub fn documents(root: &Path, corpus: &Path) -> Result<Vec<Document>> {
    let mut paths = vec![root.join("spec/auth.yaml")];
    paths.extend(CORPUS_DOCUMENTS.iter().map(|name| corpus.join(name)));
    let mut documents = Vec::new();
    for path in paths {
        let bytes = std::fs::metadata(&path).with_context(|| format!("failed to read {}", path.display()))?.len();
        let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_owned();
        let stem = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or("document");
        let slug: String =
            stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
        let config = generator::Config::with_prefix(&slug, "Api", &name);
        let operations = generator::generate(&path, &config).ok().map(|generated| generated.operations);
        documents.push(Document { name, path, slug, bytes, operations });
    }
    Ok(documents)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tool {
    Ours,
    Progenitor,
}

/// The measured runs of one tool on one document.
#[derive(Default)]
pub struct ToolRuns {
    pub runs: Vec<Measured>,
    /// The first error line, when the tool failed on the document.
    pub failure: Option<String>,
}

impl ToolRuns {
    pub fn wall_ms(&self) -> Vec<f64> {
        self.runs.iter().map(|run| run.wall.as_secs_f64() * 1000.0).collect()
    }

    pub fn cpu_ms(&self) -> Vec<f64> {
        self.runs.iter().map(|run| run.cpu.as_secs_f64() * 1000.0).collect()
    }

    pub fn max_rss_mib(&self) -> Vec<f64> {
        self.runs.iter().map(|run| run.max_rss_kib as f64 / 1024.0).collect()
    }
}

/// Generation figures of one document.
pub struct DocumentRuns {
    pub ours: ToolRuns,
    pub progenitor: ToolRuns,
}

/// Returns the folder a tool writes a document's crates to.
pub fn output_folder(scratch: &Path, tool: Tool, slug: &str) -> PathBuf {
    let tool_folder = match tool {
        Tool::Ours => "ours",
        Tool::Progenitor => "progenitor",
    };
    scratch.join("generation").join(tool_folder).join(slug)
}

/// Runs one tool once on one document into an emptied `out` folder.
pub fn generate_once(tools: &Tools, tool: Tool, document: &Document, out: &Path, scratch: &Path) -> Result<Measured> {
    if out.exists() {
        std::fs::remove_dir_all(out).with_context(|| format!("failed to empty {}", out.display()))?;
    }
    std::fs::create_dir_all(out).with_context(|| format!("failed to create {}", out.display()))?;
    let spec = OsString::from(&document.path);
    let (program, args): (&Path, Vec<OsString>) = match tool {
        Tool::Ours => (
            &tools.ours,
            vec![
                spec,
                "--out".into(),
                out.into(),
                "--name".into(),
                document.slug.clone().into(),
                "--trait".into(),
                "Api".into(),
            ],
        ),
        Tool::Progenitor => (&tools.progenitor, tools.progenitor_arguments(&document.path, out, &document.slug)),
    };
    measure::run(&tools.measurer, program, &args, scratch, &scratch.join("measure-record.txt"))
}

/// Documents whose median timed run takes less than this, for both tools, get
/// [`SHORT_RUN_FACTOR`] times as many timed runs. A few milliseconds of scheduling delay on a
/// shared machine are a large part of such short runs.
pub const SHORT_RUN: Duration = Duration::from_millis(250);
pub const SHORT_RUN_FACTOR: usize = 4;

/// Times both tools on every document: one untimed run first (which also finds a tool that fails),
/// then `runs` timed runs each, alternating which tool goes first, and more for a short document
/// (see [`SHORT_RUN`]).
pub fn run(tools: &Tools, documents: &[Document], runs: usize, scratch: &Path) -> Result<Vec<DocumentRuns>> {
    let mut results = Vec::new();
    for document in documents {
        let mut result = DocumentRuns { ours: ToolRuns::default(), progenitor: ToolRuns::default() };
        for tool in [Tool::Ours, Tool::Progenitor] {
            let first = generate_once(tools, tool, document, &output_folder(scratch, tool, &document.slug), scratch)?;
            if !first.success {
                tool_runs(&mut result, tool).failure = Some(failure_summary(&first));
            }
        }

        timed_runs(tools, document, 0..runs, scratch, &mut result)?;
        let medians = [&result.ours, &result.progenitor].map(|runs| Summary::of(&runs.wall_ms()));
        let short =
            medians.iter().all(|median| median.is_some_and(|median| median.median < SHORT_RUN.as_secs_f64() * 1000.0));
        if short {
            timed_runs(tools, document, runs..runs * SHORT_RUN_FACTOR, scratch, &mut result)?;
        }

        eprintln!(
            "generation: {} done ({} and {} timed runs)",
            document.name,
            result.ours.runs.len(),
            result.progenitor.runs.len()
        );
        results.push(result);
    }
    Ok(results)
}

/// Runs each tool that has not failed once per index of `indexes`; even indexes start with ours.
fn timed_runs(
    tools: &Tools,
    document: &Document,
    indexes: std::ops::Range<usize>,
    scratch: &Path,
    result: &mut DocumentRuns,
) -> Result<()> {
    for index in indexes {
        let order = if index % 2 == 0 { [Tool::Ours, Tool::Progenitor] } else { [Tool::Progenitor, Tool::Ours] };
        for tool in order {
            if tool_runs(result, tool).failure.is_some() {
                continue;
            }
            let out = output_folder(scratch, tool, &document.slug);
            let measured = generate_once(tools, tool, document, &out, scratch)?;
            tool_runs(result, tool).runs.push(measured);
        }
    }
    Ok(())
}

fn tool_runs(result: &mut DocumentRuns, tool: Tool) -> &mut ToolRuns {
    match tool {
        Tool::Ours => &mut result.ours,
        Tool::Progenitor => &mut result.progenitor,
    }
}

/// Returns the first line that mentions an error, the message of a panic, or else the first
/// non-empty line.
pub fn first_error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|line| !line.is_empty()).collect();
    if let Some(index) = lines.iter().position(|line| line.contains("panicked at"))
        && let Some(message) = lines.get(index + 1)
    {
        return format!("panicked: {message}");
    }
    lines
        .iter()
        .find(|line| line.to_ascii_lowercase().contains("error"))
        .or(lines.first())
        .map(|line| line.to_string())
        .unwrap_or_else(|| "failed without a message".to_owned())
}

/// Describes why a generator run failed: the first error line of its standard error, followed by
/// the first line of its standard output that reports a failure, if any (progenitor prints the
/// cause there).
pub fn failure_summary(run: &Measured) -> String {
    let mut summary = first_error_line(&run.stderr);
    let cause = run.stdout.lines().map(str::trim).find(|line| {
        let lower = line.to_ascii_lowercase();
        lower.contains("fail") || lower.contains("error")
    });
    if let Some(cause) = cause {
        summary.push_str(&format!(" (standard output: {cause})"));
    }
    summary
}

/// Counts the non-blank lines of every `.rs` file under `folder`.
pub fn rust_lines(folder: &Path) -> Result<usize> {
    let mut total = 0;
    let entries = std::fs::read_dir(folder).with_context(|| format!("failed to read {}", folder.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            total += rust_lines(&path)?;
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let text = std::fs::read_to_string(&path).with_context(|| format!("failed to read {}", path.display()))?;
            total += text.lines().filter(|line| !line.trim().is_empty()).count();
        }
    }
    Ok(total)
}

/// Line counts of what both tools wrote for one document.
pub struct Lines {
    /// Our api, server and client crates together.
    pub ours_total: usize,
    pub ours_api: usize,
    pub ours_client: usize,
    /// Set when our generator wrote nothing because it failed on the document.
    pub ours_failed: bool,
    pub progenitor: Option<usize>,
}

/// Counts the lines each tool wrote for `document`, generating once (untimed) where no output
/// is there yet.
pub fn lines(tools: &Tools, document: &Document, scratch: &Path) -> Result<Lines> {
    let ours = output_folder(scratch, Tool::Ours, &document.slug);
    if !ours.join(format!("{}-client", document.slug)).exists() {
        generate_once(tools, Tool::Ours, document, &ours, scratch)?;
    }
    let crate_lines = |suffix: &str| -> Result<usize> {
        let folder = ours.join(format!("{}-{suffix}", document.slug));
        if folder.exists() { rust_lines(&folder) } else { Ok(0) }
    };
    let ours_api = crate_lines("api")?;
    let ours_client = crate_lines("client")?;
    let ours_total = ours_api + crate_lines("server")? + ours_client;
    let ours_failed = !ours.join(format!("{}-client", document.slug)).exists();

    let progenitor = output_folder(scratch, Tool::Progenitor, &document.slug);
    if !progenitor.join("src").exists() {
        generate_once(tools, Tool::Progenitor, document, &progenitor, scratch)?;
    }
    let progenitor = if progenitor.join("src").exists() { Some(rust_lines(&progenitor.join("src"))?) } else { None };
    Ok(Lines { ours_total, ours_api, ours_client, ours_failed, progenitor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_message_reported() {
        let stderr =
            "\nthread 'main' panicked at src/method.rs:10:5:\nnot yet implemented: two media types\nstack backtrace:\n";
        assert_eq!(first_error_line(stderr), "panicked: not yet implemented: two media types");
    }

    #[test]
    fn error_line_preferred() {
        assert_eq!(first_error_line("warning: x\nError: generation failed\n"), "Error: generation failed");
    }

    #[test]
    fn first_line_without_error() {
        assert_eq!(first_error_line("\nsomething broke\n"), "something broke");
    }
}
