//! Phase 1: read a YAML or JSON file into a raw JSON value, check its shape,
//! then deserialize it into the `openapiv3` types.

use std::path::Path;

use serde_json::Value;

use crate::diagnostics::{Diagnostics, child};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const PARAMETER_LOCATIONS: &[&str] = &["path", "query", "header", "cookie"];

/// A document read from disk, in both raw and typed form.
pub struct Loaded {
    pub raw: Value,
    pub document: openapiv3::OpenAPI,
}

/// Reads `path` and returns the raw document; a read or syntax failure is recorded at the root pointer.
pub fn read(path: &Path, diagnostics: &mut Diagnostics) -> Option<Value> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            diagnostics.invalid(
                "",
                format!("failed to read {}: {error}", path.display()),
                "check that the file exists and is readable UTF-8 text",
            );
            return None;
        }
    };
    parse(&text, diagnostics)
}

/// Parses YAML or JSON text (JSON is a subset of YAML 1.2, but `serde_json` gives better messages for it).
pub fn parse(text: &str, diagnostics: &mut Diagnostics) -> Option<Value> {
    let trimmed = text.trim_start();
    let result = if trimmed.starts_with('{') {
        serde_json::from_str::<Value>(text).map_err(|error| error.to_string())
    } else {
        serde_yaml::from_str::<Value>(text).map_err(|error| error.to_string())
    };
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            diagnostics.invalid(
                "",
                format!("the document is not valid YAML or JSON: {error}"),
                "fix the syntax error at the line and column given",
            );
            None
        }
    }
}

/// Checks the version and the structure the typed model relies on, recording every problem found.
pub fn check_raw(raw: &Value, diagnostics: &mut Diagnostics) {
    let Some(root) = raw.as_object() else {
        diagnostics.invalid(
            "",
            "the document root is not an object",
            "an OpenAPI document is a YAML or JSON object with an `openapi` field",
        );
        return;
    };
    if root.contains_key("swagger") {
        diagnostics.unsupported(
            "/swagger",
            "Swagger 2.0 documents are not supported",
            "convert the document to OpenAPI 3.0 first, for example with swagger2openapi",
        );
        return;
    }
    match root.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.0") => {}
        Some(version) if version.starts_with("3.1") => {
            diagnostics.unsupported(
                "/openapi",
                format!("OpenAPI {version} is not supported yet; only 3.0.x is"),
                "write the document as OpenAPI 3.0.3 (for example `nullable: true` instead of `type: [T, \"null\"]`)",
            );
            return;
        }
        Some(version) => {
            diagnostics.invalid("/openapi", format!("unknown OpenAPI version `{version}`"), "set `openapi: 3.0.3`");
            return;
        }
        None => {
            diagnostics.invalid(
                "/openapi",
                "missing `openapi` version field",
                "add `openapi: 3.0.3` at the top of the document",
            );
            return;
        }
    }
    if let Some(paths) = root.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            check_path_item(&child("/paths", path), item, diagnostics);
        }
    }
}

fn check_path_item(pointer: &str, item: &Value, diagnostics: &mut Diagnostics) {
    let Some(item) = item.as_object() else { return };
    check_parameters(pointer, item.get("parameters"), diagnostics);
    for method in METHODS {
        let Some(operation) = item.get(*method).and_then(Value::as_object) else { continue };
        let pointer = child(pointer, method);
        if !operation.contains_key("responses") {
            diagnostics.invalid(
                &pointer,
                "operation has no `responses`",
                "add a `responses` object with at least one status, for example `'200': {description: OK}`",
            );
        }
        check_parameters(&pointer, operation.get("parameters"), diagnostics);
    }
}

fn check_parameters(pointer: &str, parameters: Option<&Value>, diagnostics: &mut Diagnostics) {
    let Some(parameters) = parameters.and_then(Value::as_array) else { return };
    let pointer = child(pointer, "parameters");
    for (index, parameter) in parameters.iter().enumerate() {
        let Some(parameter) = parameter.as_object() else { continue };
        if parameter.contains_key("$ref") {
            continue;
        }
        let pointer = child(&pointer, index.to_string());
        match parameter.get("in").and_then(Value::as_str) {
            Some(location) if PARAMETER_LOCATIONS.contains(&location) => {}
            Some(location) => diagnostics.invalid(
                &child(&pointer, "in"),
                format!("unknown parameter location `{location}`"),
                "use one of `path`, `query`, `header` or `cookie`; OpenAPI 3.0 describes bodies with `requestBody`",
            ),
            None => diagnostics.invalid(
                &pointer,
                "parameter has no `in` field",
                "add `in: query` (or path, header, cookie)",
            ),
        }
    }
}

/// Deserializes the raw document into the typed `openapiv3` model.
pub fn typed(raw: &Value, diagnostics: &mut Diagnostics) -> Option<openapiv3::OpenAPI> {
    match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(raw) {
        Ok(document) => Some(document),
        Err(error) => {
            let pointer = path_to_pointer(error.path());
            diagnostics.invalid(
                &pointer,
                format!("the value does not match the OpenAPI 3.0 schema: {}", error.inner()),
                "compare this value with the OpenAPI 3.0.3 specification",
            );
            None
        }
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer = child(&pointer, index.to_string()),
            Segment::Map { key } => pointer = child(&pointer, key),
            Segment::Enum { variant } => pointer = child(&pointer, variant),
            Segment::Unknown => {}
        }
    }
    pointer
}

/// Runs the checks and typed deserialization on a parsed document.
pub fn load_value(raw: Value, diagnostics: &mut Diagnostics) -> Option<Loaded> {
    check_raw(&raw, diagnostics);
    if diagnostics.has_errors() {
        return None;
    }
    let document = typed(&raw, diagnostics)?;
    Some(Loaded { raw, document })
}
