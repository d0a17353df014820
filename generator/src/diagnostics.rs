//! Located problems found in an OpenAPI document.
//!
//! Every phase pushes what it finds into a [`Diagnostics`] collector and the
//! pipeline stops at the end of a phase that recorded an error, so a user sees
//! every problem of that phase in one run.

use std::collections::HashSet;
use std::fmt;

/// The seriousness of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Generation went on, maybe with a simplification the message names.
    Warning,
    /// Generation cannot produce correct code.
    Error,
}

/// What kind of fault a diagnostic reports, which decides the wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The document breaks the OpenAPI 3.0 specification.
    Invalid,
    /// The document is valid, but this generator does not handle the construct.
    NotSupported,
}

/// One problem, located by a JSON pointer into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub class: Class,
    /// JSON pointer (RFC 6901) of the offending value, such as `/paths/~1pets/get`.
    pub pointer: String,
    /// The file, line and column of the value the pointer names, or of its nearest ancestor that
    /// the source contains. It is `None` when no source text is known.
    pub location: Option<Location>,
    pub message: String,
    /// The fix the user can apply.
    pub help: Option<String>,
}

/// A place in a source file. Lines and columns count from 1, and columns count characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it, or the name given to a document read from a string.
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        let class = match self.class {
            Class::Invalid => "invalid",
            Class::NotSupported => "not supported yet",
        };
        write!(f, "{severity}: ")?;
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "#{}: {class}: {}", self.pointer, self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Collector of the diagnostics of one run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// The pointer and message of every item, so a problem met twice (such as a path-level
    /// parameter lowered once per operation) is recorded once.
    seen: HashSet<(String, String)>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the document breaks OpenAPI at `pointer`.
    pub fn invalid(&mut self, pointer: &str, message: impl Into<String>, help: impl Into<String>) {
        self.push(Severity::Error, Class::Invalid, pointer, message.into(), Some(help.into()));
    }

    /// Records a construct this generator cannot handle, which stops generation.
    pub fn unsupported(&mut self, pointer: &str, message: impl Into<String>, help: impl Into<String>) {
        self.push(Severity::Error, Class::NotSupported, pointer, message.into(), Some(help.into()));
    }

    /// Records that the document breaks OpenAPI at `pointer`, at a place of the source already known,
    /// such as the line and column of a syntax error.
    pub fn invalid_at(
        &mut self,
        location: Location,
        pointer: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        if let Some(diagnostic) = self.push(Severity::Error, Class::Invalid, pointer, message.into(), Some(help.into()))
        {
            diagnostic.location = Some(location);
        }
    }

    /// Records a simplification: generation goes on with the fallback `message` names.
    pub fn warn(&mut self, pointer: &str, class: Class, message: impl Into<String>) {
        self.push(Severity::Warning, class, pointer, message.into(), None);
    }

    /// Records a diagnostic and returns it, or returns `None` when the same one was recorded before.
    fn push(
        &mut self,
        severity: Severity,
        class: Class,
        pointer: &str,
        message: String,
        help: Option<String>,
    ) -> Option<&mut Diagnostic> {
        if !self.seen.insert((pointer.to_owned(), message.clone())) {
            return None;
        }
        self.items.push(Diagnostic { severity, class, pointer: pointer.to_owned(), location: None, message, help });
        self.items.last_mut()
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    pub fn into_items(self) -> Vec<Diagnostic> {
        self.items
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity == Severity::Warning)
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901, section 3).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes the escaping of one reference token of a JSON pointer.
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends `token` to the JSON pointer `base`.
pub fn child(base: &str, token: impl AsRef<str>) -> String {
    format!("{base}/{}", escape_token(token.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(child("/paths", "/pets/{id}"), "/paths/~1pets~1{id}");
        assert_eq!(child("", "a~b"), "/a~0b");
    }

    #[test]
    fn display_names_pointer_class_and_help() {
        let mut diagnostics = Diagnostics::new();
        diagnostics.invalid("/paths/~1a/get", "missing `responses`", "add a `responses` object");
        let text = diagnostics.items()[0].to_string();
        assert_eq!(text, "error: #/paths/~1a/get: invalid: missing `responses`\n  help: add a `responses` object");
        assert!(diagnostics.has_errors());
    }

    #[test]
    fn repeated_diagnostic_is_recorded_once() {
        let mut diagnostics = Diagnostics::new();
        diagnostics.invalid("/a/$ref", "`$ref: #/b` points to nothing", "fix the reference");
        diagnostics.invalid("/a/$ref", "`$ref: #/b` points to nothing", "fix the reference");
        diagnostics.warn("/a/$ref", Class::Invalid, "another problem at the same place");
        assert_eq!(diagnostics.items().len(), 2);
    }

    #[test]
    fn display_puts_location_before_pointer() {
        let mut diagnostics = Diagnostics::new();
        let location = Location { file: "spec/auth.yaml".to_owned(), line: 123, column: 7 };
        diagnostics.invalid_at(location, "/paths/~1x/get", "missing `responses`", "add a `responses` object");
        let text = diagnostics.items()[0].to_string();
        assert_eq!(
            text,
            "error: spec/auth.yaml:123:7: #/paths/~1x/get: invalid: missing `responses`\n  help: add a `responses` object"
        );
    }
}
