//! Rustdoc attributes built from spec text.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Operation;

/// Turns paragraphs into `#[doc]` attributes; `None` entries are skipped and a blank line separates the rest.
pub fn doc(paragraphs: &[Option<&str>]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in paragraphs.iter().flatten() {
        let paragraph = paragraph.trim();
        if paragraph.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(paragraph.lines().map(sanitize_line));
    }
    let attributes = lines.iter().map(|line| {
        let text = if line.is_empty() { String::new() } else { format!(" {line}") };
        quote! { #[doc = #text] }
    });
    quote! { #(#attributes)* }
}

/// Keeps spec text from becoming doctests: indentation would start a code block and fences default to Rust.
fn sanitize_line(line: &str) -> String {
    let trimmed = line.trim();
    if let Some(rest) = trimmed.strip_prefix("```") {
        let language = rest.trim();
        return if language.is_empty() || language == "rust" { "```text".to_owned() } else { format!("```{language}") };
    }
    trimmed.to_owned()
}

/// Documentation of an operation: summary, description, then method and path.
pub fn operation_doc(operation: &Operation) -> TokenStream {
    let route = format!("`{} {}`", operation.method.as_str(), operation.path);
    doc(&[operation.summary.as_deref(), operation.description.as_deref(), Some(&route)])
}
