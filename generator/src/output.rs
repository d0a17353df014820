//! Writing generated files, or checking that the files on disk match them.
//!
//! `cargo xtask generate` and `cargo xtask generate --check` both go through
//! [`write_or_check`], so the drift check compares exactly what would be written.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use crate::GeneratedFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write files that differ and delete stale ones.
    Write,
    /// Change nothing; report files that differ.
    Check,
}

/// The findings or changes of one run.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written (write mode) or out of date (check mode).
    pub changed: Vec<PathBuf>,
    /// Files under a generated `src/` folder that the generator no longer produces: deleted, or reported.
    pub stale: Vec<PathBuf>,
    /// A unified diff per changed file, in check mode.
    pub diffs: Vec<String>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.changed.is_empty() && self.stale.is_empty()
    }
}

/// Writes `files` under `root`, or in [`Mode::Check`] compares them with what is there.
pub fn write_or_check(root: &Path, files: &[GeneratedFile], mode: Mode) -> io::Result<Report> {
    let mut report = Report::default();
    let mut expected = BTreeSet::new();
    let mut source_dirs = BTreeSet::new();
    for file in files {
        let path = root.join(&file.path);
        expected.insert(path.clone());
        if let Some(dir) = path.parent().filter(|dir| dir.ends_with("src")) {
            source_dirs.insert(dir.to_path_buf());
        }
        let current = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text.replace("\r\n", "\n")),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => {
                return Err(io::Error::new(error.kind(), format!("failed to read {}: {error}", path.display())));
            }
        };
        if current.as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        match mode {
            Mode::Check => {
                let old = current.unwrap_or_default();
                let diff = similar::TextDiff::from_lines(&old, &file.contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("{} (on disk)", file.path), &format!("{} (generated)", file.path))
                    .to_string();
                report.diffs.push(diff);
            }
            Mode::Write => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, &file.contents)?;
            }
        }
        report.changed.push(path);
    }
    for dir in source_dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry?.path();
            if path.is_file() && !expected.contains(&path) {
                if mode == Mode::Write {
                    std::fs::remove_file(&path)?;
                }
                report.stale.push(path);
            }
        }
    }
    report.stale.sort();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile { path: path.to_owned(), contents: contents.to_owned() }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("generator-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn check_mode_reports_without_writing() {
        let root = temp_dir("check");
        let files = [file("crate/src/lib.rs", "new\n")];
        std::fs::create_dir_all(root.join("crate/src")).unwrap();
        std::fs::write(root.join("crate/src/lib.rs"), "old\n").unwrap();
        std::fs::write(root.join("crate/src/extra.rs"), "stale\n").unwrap();

        let report = write_or_check(&root, &files, Mode::Check).unwrap();
        assert_eq!(report.changed.len(), 1);
        assert_eq!(report.stale, vec![root.join("crate/src/extra.rs")]);
        assert!(report.diffs[0].contains("-old"));
        assert!(report.diffs[0].contains("+new"));
        assert_eq!(std::fs::read_to_string(root.join("crate/src/lib.rs")).unwrap(), "old\n");
        assert!(root.join("crate/src/extra.rs").exists());
    }

    #[test]
    fn write_mode_writes_and_removes_stale_files() {
        let root = temp_dir("write");
        let files = [file("crate/src/lib.rs", "new\n")];
        std::fs::create_dir_all(root.join("crate/src")).unwrap();
        std::fs::write(root.join("crate/src/extra.rs"), "stale\n").unwrap();

        let report = write_or_check(&root, &files, Mode::Write).unwrap();
        assert_eq!(report.changed.len(), 1);
        assert_eq!(std::fs::read_to_string(root.join("crate/src/lib.rs")).unwrap(), "new\n");
        assert!(!root.join("crate/src/extra.rs").exists());

        let again = write_or_check(&root, &files, Mode::Write).unwrap();
        assert!(again.is_clean());
    }

    #[test]
    fn crlf_on_disk_counts_as_equal() {
        let root = temp_dir("crlf");
        std::fs::create_dir_all(root.join("crate/src")).unwrap();
        std::fs::write(root.join("crate/src/lib.rs"), "a\r\nb\r\n").unwrap();
        let report = write_or_check(&root, &[file("crate/src/lib.rs", "a\nb\n")], Mode::Check).unwrap();
        assert!(report.is_clean());
    }
}
