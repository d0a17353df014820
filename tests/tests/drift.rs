//! The committed generated crates match what the generator produces from `spec/auth.yaml` now.

use generator::output::{Mode, write_or_check};
use generator::{Config, Generated, GeneratedFile};
use integration_tests::{auth_config, project_root};

fn generate_auth() -> Generated {
    let spec = project_root().join("spec/auth.yaml");
    match generator::generate(&spec, &auth_config()) {
        Ok(generated) => generated,
        Err(failure) => panic!("generation failed for {}:\n{failure}", spec.display()),
    }
}

#[test]
fn committed_crates_up_to_date() {
    let root = project_root();
    let generated = generate_auth();

    let report = match write_or_check(&root, &generated.files, Mode::Check) {
        Ok(report) => report,
        Err(error) => panic!("failed to compare the generated files with {}: {error}", root.display()),
    };

    let stale: Vec<String> = report.stale.iter().map(|path| path.display().to_string()).collect();
    assert!(
        report.is_clean(),
        "the generated crates are out of date; run `cargo xtask generate` and commit the result.\n\
         {} files differ, stale files: {stale:?}\n{}",
        report.changed.len(),
        report.diffs.join("\n"),
    );
}

/// Pairs each path with its contents, so a failed comparison shows which file differs.
fn by_path(files: &[GeneratedFile]) -> Vec<(&str, &str)> {
    files.iter().map(|file| (file.path.as_str(), file.contents.as_str())).collect()
}

#[test]
fn auth_generation_is_deterministic() {
    let first = generate_auth();
    let second = generate_auth();

    assert_eq!(by_path(&first.files), by_path(&second.files));
    assert_eq!(first.warnings, second.warnings);
}

/// The fixtures reach code paths the auth document does not, such as `allOf`, cookies and `oneOf` warnings.
#[test]
fn fixture_generation_is_deterministic() {
    let fixtures = project_root().join("tests/fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap_or_else(|error| panic!("failed to list {}: {error}", fixtures.display()))
        .map(|entry| {
            entry.unwrap_or_else(|error| panic!("failed to read an entry of {}: {error}", fixtures.display())).path()
        })
        .filter(|path| path.extension().is_some_and(|extension| extension == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures found in {}", fixtures.display());

    let config = Config::with_prefix("fixture", "FixtureApi", "fixture.yaml");
    for path in paths {
        let generate = || match generator::generate(&path, &config) {
            Ok(generated) => generated,
            Err(failure) => panic!("generation failed for {}:\n{failure}", path.display()),
        };
        let first = generate();
        let second = generate();

        assert_eq!(by_path(&first.files), by_path(&second.files), "files differ for {}", path.display());
        assert_eq!(first.warnings, second.warnings, "warnings differ for {}", path.display());
    }
}
