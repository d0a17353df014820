//! Compiles the generated crates of every fixture document with warnings denied, and runs the behaviour
//! tests of the fixture and regression documents against their generated server and client.
//!
//! Both tests share one scratch Cargo workspace in `target/fixture-check/`. It contains the crates
//! `fx-<slug>-api`, `fx-<slug>-server` and `fx-<slug>-client` of each document in `tests/fixtures/` and
//! `tests/fixtures/regressions/`, and the crate `fx-behaviour`. The integration tests of `fx-behaviour` are
//! the files `tests/regressions/<case>_<topic>.rs`, where `<case>` is the slug of a document, such as `g01`
//! for a regression document or `composition` for `tests/fixtures/composition.yaml`. Its library is
//! `tests/regressions/lib.rs`.
//! The first run builds axum, reqwest and tokio in the scratch target directory, so it takes minutes.
//! Later runs rewrite only the files that changed, so cargo rebuilds incrementally.
//!
//! G07 uses `Lamp` only in a response body, so its "400 for `{"color":"hot"}` and `{}`" is tested in the
//! direction the document allows: the client fails to decode `{}`, and the server's response check refuses
//! to send `"hot"`.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, PoisonError};

use generator::Config;
use generator::output::{Mode, write_or_check};
use integration_tests::project_root;

/// The scratch workspace, relative to the workspace root.
const SCRATCH_DIR: &str = "target/fixture-check";
const BEHAVIOUR_CRATE: &str = "fx-behaviour";
/// Folder of the behaviour test files, relative to the workspace root.
const BEHAVIOUR_SOURCES: &str = "tests/regressions";

/// Path of the prepared scratch workspace, `None` until the first test prepares it.
///
/// The mutex also serialises the tests of this file, so two cargo processes never share the scratch
/// target directory.
static SCRATCH: Mutex<Option<PathBuf>> = Mutex::new(None);

/// One input document and the names of its generated crates.
struct Document {
    path: PathBuf,
    /// The path relative to the workspace root, named in the file headers.
    source_name: String,
    /// The file stem for `tests/fixtures/*.yaml`, the lowercase case id such as `g01` for the regressions.
    slug: String,
}

impl Document {
    fn prefix(&self) -> String {
        format!("fx-{}", self.slug)
    }

    fn config(&self) -> Config {
        Config::with_prefix(&self.prefix(), &trait_name(&self.slug), &self.source_name)
    }

    fn crate_names(&self) -> [String; 3] {
        let prefix = self.prefix();
        [format!("{prefix}-api"), format!("{prefix}-server"), format!("{prefix}-client")]
    }
}

/// Turns a slug such as `nested-types` into the trait name `NestedTypesApi`.
fn trait_name(slug: &str) -> String {
    let mut name = String::new();
    for word in slug.split('-') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name.push_str("Api");
    name
}

/// Lists the files of `dir` whose name ends with `.extension`, sorted by name.
fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => panic!("failed to list {}: {error}", dir.display()),
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap_or_else(|error| panic!("failed to list {}: {error}", dir.display())).path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|found| found == extension))
        .collect();
    files.sort();
    files
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Lists the fixture documents and then the regression documents.
fn documents(root: &Path) -> Vec<Document> {
    let source_name = |path: &Path| path.strip_prefix(root).unwrap_or(path).display().to_string().replace('\\', "/");
    let mut documents = Vec::new();
    for path in files_with_extension(&root.join("tests/fixtures"), "yaml") {
        let slug = file_stem(&path).to_lowercase();
        documents.push(Document { source_name: source_name(&path), slug, path });
    }
    for path in files_with_extension(&root.join("tests/fixtures/regressions"), "yaml") {
        let stem = file_stem(&path);
        let case = stem.split('-').next().unwrap_or(&stem).to_lowercase();
        documents.push(Document { source_name: source_name(&path), slug: case, path });
    }

    let mut slugs = BTreeSet::new();
    for document in &documents {
        assert!(
            slugs.insert(document.slug.clone()),
            "two documents map to the crate prefix `{}`; rename one of them",
            document.prefix()
        );
    }
    documents
}

/// Returns the case id that starts the name of a behaviour test file, such as `g01` for `g01_keywords.rs`.
fn behaviour_case(path: &Path) -> String {
    let stem = file_stem(path);
    stem.split('_').next().unwrap_or(&stem).to_owned()
}

/// Writes `contents` to `path` unless the file already contains them, so cargo's timestamp-based
/// fingerprints stay valid and unchanged crates are not rebuilt.
fn write_if_changed(path: &Path, contents: &[u8]) {
    if fs::read(path).is_ok_and(|current| current == contents) {
        return;
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|error| panic!("failed to create {}: {error}", parent.display()));
    }
    fs::write(path, contents).unwrap_or_else(|error| panic!("failed to write {}: {error}", path.display()));
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|error| panic!("failed to read {}: {error}", path.display()))
}

/// Generates the crates of `document` into `scratch`, panicking with every diagnostic when generation fails.
fn write_document_crates(scratch: &Path, document: &Document) {
    let generated = match generator::generate(&document.path, &document.config()) {
        Ok(generated) => generated,
        Err(failure) => panic!("generation failed for {}:\n{failure}", document.path.display()),
    };
    if let Err(error) = write_or_check(scratch, &generated.files, Mode::Write) {
        panic!("failed to write the crates of {} to {}: {error}", document.source_name, scratch.display());
    }
}

/// Writes `fx-behaviour`: its manifest, its library and one integration test per file of `tests/regressions/`.
/// The manifest depends on the server and client crates of each case that has a test file.
fn write_behaviour_crate(root: &Path, scratch: &Path, documents: &[Document]) {
    let sources = root.join(BEHAVIOUR_SOURCES);
    let crate_dir = scratch.join(BEHAVIOUR_CRATE);
    let library = sources.join("lib.rs");
    let tests: Vec<PathBuf> =
        files_with_extension(&sources, "rs").into_iter().filter(|path| *path != library).collect();

    let mut cases = BTreeSet::new();
    for test in &tests {
        let case = behaviour_case(test);
        assert!(
            documents.iter().any(|document| document.slug == case),
            "{} does not start with the slug of a document in tests/fixtures, such as `g01_` or `composition_`",
            test.display()
        );
        cases.insert(case);
    }

    let mut manifest = String::from(
        "# Written by tests/tests/compile_fixtures.rs. Do not edit.\n\
         [package]\n\
         name = \"fx-behaviour\"\n\
         version = \"0.1.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         \n\
         [dependencies]\n\
         axum = \"0.8\"\n\
         tokio = { version = \"1\", features = [\"net\", \"rt\"] }\n\
         \n\
         [dev-dependencies]\n",
    );
    for case in &cases {
        manifest.push_str(&format!("fx-{case}-server = {{ path = \"../fx-{case}-server\" }}\n"));
        manifest.push_str(&format!("fx-{case}-client = {{ path = \"../fx-{case}-client\" }}\n"));
    }
    manifest.push_str(
        "futures-util = \"0.3\"\n\
         proptest = { version = \"1\", default-features = false, features = [\"std\"] }\n\
         reqwest = { version = \"0.12\", default-features = false }\n\
         serde_json = \"1\"\n\
         tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"sync\", \"time\"] }\n",
    );
    write_if_changed(&crate_dir.join("Cargo.toml"), manifest.as_bytes());
    write_if_changed(&crate_dir.join("src/lib.rs"), &read(&library));

    let test_dir = crate_dir.join("tests");
    fs::create_dir_all(&test_dir).unwrap_or_else(|error| panic!("failed to create {}: {error}", test_dir.display()));
    let mut expected = BTreeSet::new();
    for test in &tests {
        let target = test_dir.join(test.file_name().unwrap_or_default());
        write_if_changed(&target, &read(test));
        expected.insert(target);
    }
    for stale in files_with_extension(&test_dir, "rs").into_iter().filter(|path| !expected.contains(path)) {
        fs::remove_file(&stale).unwrap_or_else(|error| panic!("failed to remove {}: {error}", stale.display()));
    }
}

/// Copies the root `Cargo.lock` into the scratch workspace when the root one changed since the last copy,
/// so the dependencies shared with the repository resolve to its versions.
///
/// Between such changes the scratch lock keeps what cargo added to it, such as packages that only fixtures
/// use, so cargo does not query the registry on every run.
fn seed_lock_file(root: &Path, scratch: &Path) {
    let root_lock = read(&root.join("Cargo.lock"));
    let seed = scratch.join("Cargo.lock.seed");
    let scratch_lock = scratch.join("Cargo.lock");
    if fs::read(&seed).is_ok_and(|copied| copied == root_lock) && scratch_lock.exists() {
        return;
    }
    write_if_changed(&scratch_lock, &root_lock);
    write_if_changed(&seed, &root_lock);
}

/// Removes crate folders of documents that no longer exist, which would otherwise linger unchecked.
fn remove_stale_crates(scratch: &Path, members: &BTreeSet<String>) {
    let Ok(entries) = fs::read_dir(scratch) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("fx-") && entry.path().is_dir() && !members.contains(&name) {
            fs::remove_dir_all(entry.path())
                .unwrap_or_else(|error| panic!("failed to remove {}: {error}", entry.path().display()));
        }
    }
}

/// Writes the whole scratch workspace and returns its path.
fn write_scratch_workspace() -> PathBuf {
    let root = project_root();
    let scratch = root.join(SCRATCH_DIR);
    let documents = documents(&root);

    let mut members = BTreeSet::new();
    for document in &documents {
        write_document_crates(&scratch, document);
        members.extend(document.crate_names());
    }
    write_behaviour_crate(&root, &scratch, &documents);
    members.insert(BEHAVIOUR_CRATE.to_owned());
    remove_stale_crates(&scratch, &members);

    let mut manifest = String::from(
        "# Written by tests/tests/compile_fixtures.rs. Do not edit.\n\
         [workspace]\n\
         resolver = \"3\"\n\
         members = [\n",
    );
    for member in &members {
        manifest.push_str(&format!("    \"{member}\",\n"));
    }
    // Debug info only slows down linking the test binaries, and no one steps through them.
    manifest.push_str("]\n\n[profile.dev]\ndebug = false\n");
    write_if_changed(&scratch.join("Cargo.toml"), manifest.as_bytes());
    seed_lock_file(&root, &scratch);
    scratch
}

/// Returns whether cargo sets the variable `name` for the test binary that runs this file.
///
/// Build scripts such as ring's ask to rerun when `CARGO_PKG_NAME` or `CARGO_MANIFEST_DIR` change, so an
/// inherited value would make the scratch build differ from a plain `cargo test` run in that folder and
/// rebuild them.
fn is_set_for_this_test(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || name.starts_with("CARGO_MANIFEST_")
        || ["CARGO_CRATE_NAME", "CARGO_BIN_NAME", "CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"]
            .contains(&name)
}

/// Runs cargo with `args` in the scratch workspace, with warnings denied and the scratch target directory.
///
/// The caller must hold the [`SCRATCH`] lock.
fn run_cargo(scratch: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(&cargo);
    command
        .args(args)
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        // It takes precedence over RUSTFLAGS, so a value inherited from the caller would drop `-D warnings`.
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    for (name, _) in std::env::vars_os() {
        if is_set_for_this_test(&name.to_string_lossy()) {
            command.env_remove(&name);
        }
    }
    match command.output() {
        Ok(output) => output,
        Err(error) => panic!("failed to run {} {}: {error}", cargo.to_string_lossy(), args.join(" ")),
    }
}

/// Prepares the scratch workspace on first use, then runs `cargo <args>` in it and asserts that it succeeds.
fn assert_cargo_succeeds(args: &[&str]) {
    let mut scratch = SCRATCH.lock().unwrap_or_else(PoisonError::into_inner);
    let scratch = scratch.get_or_insert_with(write_scratch_workspace);

    let output = run_cargo(scratch, args);
    assert!(
        output.status.success(),
        "`cargo {}` failed in {} with {}\n--- stdout\n{}\n--- stderr\n{}",
        args.join(" "),
        scratch.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

#[test]
fn generated_crates_compile() {
    assert_cargo_succeeds(&["check", "--workspace"]);
}

#[test]
fn regression_behaviour_tests_pass() {
    // Without --no-fail-fast, cargo stops at the first failing test file and hides the others.
    assert_cargo_succeeds(&["test", "-p", BEHAVIOUR_CRATE, "--no-fail-fast"]);
}

/// Runs the unit tests of the runtime modules. Every generated crate carries a copy of them, so the crates of
/// one fixture that uses parameters of every location run them all.
#[test]
fn runtime_unit_tests_pass() {
    let crates = ["fx-parameters-api", "fx-parameters-server", "fx-parameters-client"];
    let mut args = vec!["test", "--lib"];
    for name in &crates {
        args.extend(["-p", name]);
    }
    assert_cargo_succeeds(&args);
}
