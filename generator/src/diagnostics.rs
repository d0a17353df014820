//! Located problems found in an OpenAPI document.
//!
//! Every phase pushes what it finds into a [`Diagnostics`] collector and the
//! pipeline stops at the end of a phase that recorded an error, so a user sees
//! every problem of that phase in one run.

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
    pub message: String,
    /// The fix the user can apply.
    pub help: Option<String>,
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
        write!(f, "{severity}: #{}: {class}: {}", self.pointer, self.message)?;
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

    /// Records a simplification: generation goes on with the fallback `message` names.
    pub fn warn(&mut self, pointer: &str, class: Class, message: impl Into<String>) {
        self.push(Severity::Warning, class, pointer, message.into(), None);
    }

    fn push(&mut self, severity: Severity, class: Class, pointer: &str, message: String, help: Option<String>) {
        self.items.push(Diagnostic { severity, class, pointer: pointer.to_owned(), message, help });
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
}
