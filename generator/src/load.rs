//! Phase 1: read a YAML or JSON file into a raw JSON value, check its shape,
//! then deserialize it into the `openapiv3` types.

pub mod places;
pub mod type_errors;

use std::path::Path;

use serde_json::Value;

use crate::diagnostics::{Class, Diagnostics, Location, child};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const PARAMETER_LOCATIONS: &[&str] = &["path", "query", "header", "cookie"];

/// A document read from disk, in both raw and typed form.
pub struct Loaded {
    pub raw: Value,
    pub document: openapiv3::OpenAPI,
}

/// Reads the text of `path`; a read failure is recorded at the root pointer.
pub fn read_text(path: &Path, diagnostics: &mut Diagnostics) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(error) => {
            diagnostics.invalid(
                "",
                format!("failed to read {}: {error}", path.display()),
                "check that the file exists and is readable UTF-8 text",
            );
            None
        }
    }
}

/// Parses YAML or JSON text (JSON is a subset of YAML 1.2, but `serde_json` gives better messages for it).
/// Records a syntax error at the root pointer, located at its line and column in the file `name`.
pub fn parse(text: &str, name: &str, diagnostics: &mut Diagnostics) -> Option<Value> {
    let trimmed = text.trim_start();
    let result = if trimmed.starts_with('{') {
        serde_json::from_str::<Value>(text).map_err(|error| (error.to_string(), Some((error.line(), error.column()))))
    } else {
        serde_yaml::from_str::<YamlJson>(text).map(|YamlJson(value)| value).map_err(|error| {
            let position = error.location().map(|location| (location.line(), location.column()));
            (error.to_string(), position)
        })
    };
    match result {
        Ok(value) => Some(value),
        Err((error, position)) => {
            let message = format!("the document is not valid YAML or JSON: {error}");
            let help = "fix the syntax error at the line and column given";
            match position {
                Some((line, column)) => {
                    let location = Location { file: name.to_owned(), line, column };
                    diagnostics.invalid_at(location, "", message, help);
                }
                None => diagnostics.invalid("", message, help),
            }
            None
        }
    }
}

/// A JSON value read from YAML by hand, because real documents hold what `serde_json::Value` refuses:
/// integers beyond 64 bits (kept as the nearest float) and non-string map keys such as `200:` (turned into strings).
struct YamlJson(Value);

impl<'de> serde::Deserialize<'de> for YamlJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(YamlJsonVisitor).map(YamlJson)
    }
}

struct YamlJsonVisitor;

impl<'de> serde::de::Visitor<'de> for YamlJsonVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_i128<E>(self, value: i128) -> Result<Value, E> {
        Ok(float(value as f64))
    }

    fn visit_u128<E>(self, value: u128) -> Result<Value, E> {
        Ok(float(value as f64))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(float(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(YamlJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some((YamlJson(key), YamlJson(value))) = map.next_entry()? {
            let key = match key {
                Value::String(text) => text,
                other => other.to_string(),
            };
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A YAML tag such as `!foo value`: keep the value, drop the tag.
        use serde::de::VariantAccess;
        let (YamlJson(_tag), variant) = data.variant::<YamlJson>()?;
        variant.newtype_variant::<YamlJson>().map(|YamlJson(value)| value)
    }
}

/// Converts a float to a JSON number. JSON has no NaN or infinity, so those become `null`.
fn float(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// Checks the version and the structure the typed model relies on, recording every problem found.
pub fn check_raw(raw: &mut Value, diagnostics: &mut Diagnostics) {
    let Some(root) = raw.as_object_mut() else {
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
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        repair_paths(paths, diagnostics);
        for (path, item) in paths.iter_mut() {
            check_path_item(&child("/paths", path), item, diagnostics);
        }
    }
    if let Some(responses) =
        root.get_mut("components").and_then(|c| c.get_mut("responses")).and_then(Value::as_object_mut)
    {
        for (name, response) in responses.iter_mut() {
            repair_response(&child("/components/responses", name), response, diagnostics);
        }
    }
}

/// Adds the leading `/` a path must have; the typed model would drop such a path silently.
fn repair_paths(paths: &mut serde_json::Map<String, Value>, diagnostics: &mut Diagnostics) {
    let without_slash: Vec<String> = paths.keys().filter(|path| !path.starts_with('/')).cloned().collect();
    for path in without_slash {
        let fixed = format!("/{path}");
        if paths.contains_key(&fixed) {
            diagnostics.invalid(
                &child("/paths", &path),
                format!("path `{path}` does not start with `/`, and `{fixed}` exists too"),
                "remove one of the two paths",
            );
            continue;
        }
        diagnostics.warn(
            &child("/paths", &path),
            Class::Invalid,
            format!("path `{path}` does not start with `/`; it is read as `{fixed}`"),
        );
        if let Some(item) = paths.remove(&path) {
            paths.insert(fixed, item);
        }
    }
}

fn check_path_item(pointer: &str, item: &mut Value, diagnostics: &mut Diagnostics) {
    let Some(item) = item.as_object_mut() else { return };
    check_parameters(pointer, item.get("parameters"), diagnostics);
    for method in METHODS {
        let Some(operation) = item.get_mut(*method).and_then(Value::as_object_mut) else { continue };
        let pointer = child(pointer, method);
        check_parameters(&pointer, operation.get("parameters"), diagnostics);
        match operation.get_mut("responses").and_then(Value::as_object_mut) {
            None => {
                // Repaired rather than rejected: lowering warns about an operation without responses.
                operation.insert("responses".to_owned(), Value::Object(serde_json::Map::new()));
            }
            Some(responses) => {
                let pointer = child(&pointer, "responses");
                for (status, response) in responses.iter_mut() {
                    repair_response(&child(&pointer, status), response, diagnostics);
                }
            }
        }
    }
}

/// Adds the `description` that OpenAPI requires of a response object but real documents leave out.
fn repair_response(pointer: &str, response: &mut Value, diagnostics: &mut Diagnostics) {
    let Some(response) = response.as_object_mut() else { return };
    if response.contains_key("$ref") || response.contains_key("description") {
        return;
    }
    diagnostics.warn(pointer, Class::Invalid, "response has no `description`; an empty one is used");
    response.insert("description".to_owned(), Value::String(String::new()));
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
///
/// On failure, every value that fails on its own is recorded at its own pointer (see [`type_errors`]).
pub fn typed(raw: &Value, diagnostics: &mut Diagnostics) -> Option<openapiv3::OpenAPI> {
    let error = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(raw) {
        Ok(document) => return Some(document),
        Err(error) => error,
    };
    let mut errors = type_errors::locate(raw);
    if errors.is_empty() {
        let pointer = path_to_pointer(error.path());
        errors.push(type_errors::TypeError { pointer, message: error.inner().to_string() });
    }
    for error in errors {
        diagnostics.invalid(
            &error.pointer,
            format!("the value does not match the OpenAPI 3.0 schema: {}", error.message),
            "compare this value with the OpenAPI 3.0.3 specification",
        );
    }
    None
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
pub fn load_value(mut raw: Value, diagnostics: &mut Diagnostics) -> Option<Loaded> {
    check_raw(&mut raw, diagnostics);
    if diagnostics.has_errors() {
        return None;
    }
    let document = typed(&raw, diagnostics)?;
    Some(Loaded { raw, document })
}
