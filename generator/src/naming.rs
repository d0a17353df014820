//! The one gateway from spec names to Rust identifiers.
//!
//! Every name taken from the document (schema, property, parameter,
//! operation, enum value, server) goes through [`Namespace::name`], which
//! returns a [`Name`] that keeps the wire spelling beside the Rust one.

use std::collections::BTreeSet;

use heck::{ToPascalCase, ToShoutySnakeCase, ToSnakeCase};

/// The case an identifier is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Types and enum variants: `TwoFactorStatus`.
    Pascal,
    /// Functions, fields and modules: `complete_email_otp`.
    Snake,
    /// Constants: `MAX_LENGTH`.
    ScreamingSnake,
}

/// A spec name and the Rust identifier chosen for it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    /// Identifier as written in Rust source, `r#type` included.
    pub rust: String,
    /// Name as it appears on the wire and in the document.
    pub wire: String,
}

impl Name {
    /// Returns the identifier without a raw prefix, as a base for derived names.
    pub fn base(&self) -> &str {
        self.rust.strip_prefix("r#").unwrap_or(&self.rust)
    }

    pub fn ident(&self) -> proc_macro2::Ident {
        match self.rust.strip_prefix("r#") {
            Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
            None => proc_macro2::Ident::new(&self.rust, proc_macro2::Span::call_site()),
        }
    }
}

/// Rust keywords of edition 2024, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers, so they get a trailing underscore.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Converts `wire` into a valid Rust identifier in `case`, without collision handling.
pub fn to_ident(wire: &str, case: Case) -> String {
    // heck drops punctuation; spell out the signs that would otherwise lose meaning.
    let spelled = match wire {
        "" => "empty".to_owned(),
        "+" => "plus".to_owned(),
        "-" => "minus".to_owned(),
        _ => wire.replace('+', " plus "),
    };
    let cleaned: String = spelled.chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { ' ' }).collect();
    let mut ident = match case {
        Case::Pascal => cleaned.to_pascal_case(),
        Case::Snake => cleaned.to_snake_case(),
        Case::ScreamingSnake => cleaned.to_shouty_snake_case(),
    };
    // Non-ASCII letters are valid in Rust identifiers only as XID characters; keep ASCII to be portable.
    if !ident.is_ascii() {
        ident = ascii_fold(&ident, case);
    }
    if ident.is_empty() {
        ident = match case {
            Case::Pascal => "Value".to_owned(),
            Case::Snake => "value".to_owned(),
            Case::ScreamingSnake => "VALUE".to_owned(),
        };
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident = match case {
            Case::Pascal | Case::ScreamingSnake => format!("N{ident}"),
            Case::Snake => format!("n{ident}"),
        };
    }
    if NOT_RAW.contains(&ident.as_str()) {
        ident.push('_');
    } else if KEYWORDS.contains(&ident.as_str()) {
        ident = format!("r#{ident}");
    }
    ident
}

/// Replaces each non-ASCII character by its Unicode scalar value in hex, so distinct names stay distinct.
fn ascii_fold(ident: &str, case: Case) -> String {
    let mut out = String::new();
    for c in ident.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let code = format!("u{:x}", c as u32);
            match case {
                Case::Pascal => out.push_str(&code.to_pascal_case()),
                Case::Snake => out.push_str(&code),
                Case::ScreamingSnake => out.push_str(&code.to_uppercase()),
            }
        }
    }
    out
}

/// A scope of identifiers that must stay distinct, such as the items of a module or the fields of a struct.
///
/// Collisions after case conversion are resolved in the order names are requested: the first
/// keeps the plain identifier and later ones get `2`, `3`, ... appended.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks identifiers that generated code already uses in this scope.
    pub fn reserve<'a>(&mut self, idents: impl IntoIterator<Item = &'a str>) {
        self.taken.extend(idents.into_iter().map(str::to_owned));
    }

    /// Chooses a unique identifier for `wire` in `case`.
    pub fn name(&mut self, wire: &str, case: Case) -> Name {
        let rust = self.unique(to_ident(wire, case));
        Name { rust, wire: wire.to_owned() }
    }

    /// Chooses a unique identifier derived from an already valid base, such as `{Operation}Request`.
    pub fn derived(&mut self, base: &str, wire: &str) -> Name {
        let rust = self.unique(base.to_owned());
        Name { rust, wire: wire.to_owned() }
    }

    fn unique(&mut self, ident: String) -> String {
        let bare = ident.strip_prefix("r#").unwrap_or(&ident).to_owned();
        if self.taken.insert(bare.clone()) {
            return ident;
        }
        let mut counter = 2;
        loop {
            let candidate = format!("{}{counter}", bare.trim_end_matches('_'));
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            counter += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(to_ident("type", Case::Snake), "r#type");
        assert_eq!(to_ident("ref", Case::Snake), "r#ref");
        assert_eq!(to_ident("gen", Case::Snake), "r#gen");
        assert_eq!(to_ident("self", Case::Snake), "self_");
        assert_eq!(to_ident("Self", Case::Pascal), "Self_");
        assert_eq!(to_ident("crate", Case::Snake), "crate_");
    }

    #[test]
    fn cases_follow_heck() {
        assert_eq!(to_ident("completeEmailOtp", Case::Snake), "complete_email_otp");
        assert_eq!(to_ident("completeEmailOtp", Case::Pascal), "CompleteEmailOtp");
        assert_eq!(to_ident("2FA_IS_DISABLED", Case::Pascal), "N2faIsDisabled");
        assert_eq!(to_ident("x-request-id", Case::Snake), "x_request_id");
        assert_eq!(to_ident("maxLength", Case::ScreamingSnake), "MAX_LENGTH");
    }

    #[test]
    fn punctuation_and_empty_names_are_spelled() {
        assert_eq!(to_ident("", Case::Pascal), "Empty");
        assert_eq!(to_ident("-", Case::Pascal), "Minus");
        assert_eq!(to_ident("+1", Case::Pascal), "Plus1");
        assert_eq!(to_ident("$$$", Case::Snake), "value");
        assert_eq!(to_ident("1st", Case::Snake), "n1st");
    }

    #[test]
    fn non_ascii_is_folded_distinctly() {
        let a = to_ident("Straße", Case::Pascal);
        let b = to_ident("Strasse", Case::Pascal);
        assert!(a.is_ascii());
        assert_ne!(a, b);
    }

    #[test]
    fn collisions_get_numbered_suffixes() {
        let mut namespace = Namespace::new();
        assert_eq!(namespace.name("account_note_retrieve", Case::Snake).rust, "account_note_retrieve");
        assert_eq!(namespace.name("account___note_retrieve", Case::Snake).rust, "account_note_retrieve2");
        assert_eq!(namespace.name("accountNoteRetrieve", Case::Snake).rust, "account_note_retrieve3");
        let name = namespace.name("type", Case::Snake);
        assert_eq!(name.rust, "r#type");
        assert_eq!(name.wire, "type");
        assert_eq!(namespace.name("type", Case::Snake).rust, "type2");
    }

    #[test]
    fn reserved_helper_names_are_avoided() {
        let mut namespace = Namespace::new();
        namespace.reserve(["Client"]);
        assert_eq!(namespace.name("client", Case::Pascal).rust, "Client2");
    }
}
