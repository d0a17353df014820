//! Part of phase 1: pull every object that a `$ref` takes from another file, and every referenced
//! path item, into the root document, so later phases see one self-contained document.
//!
//! An object from another file becomes a component of the root document (a schema, parameter,
//! response, request body or header, by the place of the `$ref`), and the `$ref` is rewritten to
//! point at it. A path item `$ref` is replaced by the path item itself.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostics::{Diagnostics, child};
use crate::source::Sources;

/// Pulls external objects into `root`; `base` is the folder relative references start from.
/// Records the text of each file read, and where each pulled object came from, in `sources`.
pub fn bundle(root: &mut Value, base: &Path, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    let mut bundler = Bundler {
        base: base.to_path_buf(),
        files: HashMap::new(),
        imported: HashMap::new(),
        imports: Vec::new(),
        used_names: existing_components(root),
        sources,
    };
    let has_path_references = root
        .get("paths")
        .and_then(Value::as_object)
        .is_some_and(|paths| paths.values().any(|item| item.get("$ref").is_some()));
    if has_path_references {
        // Local path item references resolve against the document as it was read.
        let snapshot = root.clone();
        if let Some(paths) = root.get_mut("paths") {
            bundler.inline_path_items(paths, &snapshot, diagnostics);
        }
    }
    let Some(object) = root.as_object_mut() else { return };
    for (key, value) in object.iter_mut() {
        let pointer = child("", key);
        bundler.walk(value, &pointer, None, diagnostics);
    }
    bundler.insert_imports(root);
}

struct Bundler<'a> {
    base: PathBuf,
    /// Files read so far, by canonical path.
    files: HashMap<PathBuf, Value>,
    /// Objects already imported, by file and fragment: the local reference that replaces them.
    imported: HashMap<(PathBuf, String), String>,
    /// Imported objects to add, as (component kind, name, object).
    imports: Vec<(&'static str, String, Value)>,
    /// Component names in use, as `kind/name`.
    used_names: BTreeSet<String>,
    sources: &'a mut Sources,
}

impl Bundler<'_> {
    /// Replaces each `paths` entry that is a `$ref` with the path item it points to.
    fn inline_path_items(&mut self, paths: &mut Value, root: &Value, diagnostics: &mut Diagnostics) {
        let Some(paths) = paths.as_object_mut() else { return };
        for (path, item) in paths.iter_mut() {
            let Some(reference) = item.get("$ref").and_then(Value::as_str).map(str::to_owned) else { continue };
            let pointer = child(&child("/paths", path), "$ref");
            let resolved = match reference.strip_prefix('#') {
                Some(fragment) => {
                    self.sources.add_origin(&child("/paths", path), None, fragment);
                    pointer_get(root, fragment).cloned().map(|value| (value, None))
                }
                None => self
                    .load(&reference, &self.base.clone(), &pointer, diagnostics)
                    .map(|(value, file)| (value, Some(file))),
            };
            match resolved {
                Some((value, _)) if value.get("$ref").is_some() => diagnostics.invalid(
                    &pointer,
                    format!("`$ref: {reference}` points to another path item reference, which may loop"),
                    "reference the path item itself",
                ),
                Some((value, file)) => {
                    *item = value;
                    if let Some(file) = file {
                        let index = self.sources.index_of(&file);
                        self.sources.add_origin(&child("/paths", path), index, "");
                        // References inside the imported path item are relative to its file.
                        let mut imported = std::mem::take(item);
                        self.walk(&mut imported, &child("/paths", path), Some(&file), diagnostics);
                        *item = imported;
                    }
                }
                None => diagnostics.invalid(
                    &pointer,
                    format!("`$ref: {reference}` points to nothing"),
                    "fix the reference to the path item",
                ),
            }
        }
    }

    /// Rewrites the references in `value`; `file` is the file `value` came from, `None` for the root.
    fn walk(&mut self, value: &mut Value, pointer: &str, file: Option<&Path>, diagnostics: &mut Diagnostics) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(reference)) = object.get("$ref").cloned() {
                    let is_external = !reference.starts_with('#');
                    if is_external || file.is_some() {
                        let ref_pointer = child(pointer, "$ref");
                        let base =
                            file.and_then(Path::parent).map(Path::to_path_buf).unwrap_or_else(|| self.base.clone());
                        let (target, fragment) = match reference.split_once('#') {
                            Some((target, fragment)) => (target, fragment),
                            None => (reference.as_str(), ""),
                        };
                        let target = if target.is_empty() {
                            file.map(|f| f.display().to_string()).unwrap_or_default()
                        } else {
                            target.to_owned()
                        };
                        if let Some(local) =
                            self.import(&target, fragment, &base, kind_of(pointer), &ref_pointer, diagnostics)
                        {
                            object.insert("$ref".to_owned(), Value::String(local));
                        }
                    }
                }
                for (key, child_value) in object.iter_mut() {
                    // Examples and extensions are data: a `$ref` key inside them is not a reference.
                    let data = key == "example" || key == "examples" || key.starts_with("x-");
                    if key != "$ref" && !data {
                        self.walk(child_value, &child(pointer, key), file, diagnostics);
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.walk(item, &child(pointer, index.to_string()), file, diagnostics);
                }
            }
            _ => {}
        }
    }

    /// Imports the object at `fragment` of `target` as a component of `kind`; returns the new local reference.
    fn import(
        &mut self,
        target: &str,
        fragment: &str,
        base: &Path,
        kind: &'static str,
        ref_pointer: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<String> {
        let (document, file) = self.load(target, base, ref_pointer, diagnostics)?;
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy().into_owned();
        let key = (file.clone(), fragment.clone());
        if let Some(local) = self.imported.get(&key) {
            return Some(local.clone());
        }
        let Some(object) = pointer_get(&document, &fragment).cloned() else {
            diagnostics.invalid(
                ref_pointer,
                format!("`#{fragment}` does not exist in {}", file.display()),
                "fix the fragment after `#` in the reference",
            );
            return None;
        };
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("External");
        let preferred = fragment
            .rsplit('/')
            .find(|token| !token.is_empty())
            .map(|token| token.replace("~1", "/").replace("~0", "~"));
        let name = self.unique_name(kind, preferred.as_deref().unwrap_or(stem));
        let local = format!("#/components/{kind}/{}", name.replace('~', "~0").replace('/', "~1"));
        // Registered before the object is walked, so references back to it (cycles) reuse the name.
        self.imported.insert(key, local.clone());
        let mut object = object;
        let pointer = child(&format!("/components/{kind}"), &name);
        let index = self.sources.index_of(&file);
        self.sources.add_origin(&pointer, index, &fragment);
        self.walk(&mut object, &pointer, Some(&file), diagnostics);
        self.imports.push((kind, name, object));
        Some(local)
    }

    /// Reads a referenced file once; returns its document and canonical path.
    fn load(
        &mut self,
        target: &str,
        base: &Path,
        ref_pointer: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<(Value, PathBuf)> {
        if target.contains("://") {
            diagnostics.unsupported(
                ref_pointer,
                format!("`{target}` is a remote reference; only local files are read"),
                "download the file next to the document and reference it by relative path",
            );
            return None;
        }
        let path = base.join(target);
        let Ok(file) = path.canonicalize() else {
            diagnostics.invalid(
                ref_pointer,
                format!("referenced file {} not found", path.display()),
                "fix the file path in the reference",
            );
            return None;
        };
        if let Some(document) = self.files.get(&file) {
            return Some((document.clone(), file));
        }
        let mut file_diagnostics = Diagnostics::new();
        let document = crate::load::read_text(&file, &mut file_diagnostics).and_then(|text| {
            let index = self.sources.add_referenced(&file, text);
            let (name, text) = self.sources.file(index);
            crate::load::parse(text, name, &mut file_diagnostics)
        });
        for diagnostic in file_diagnostics.into_items() {
            let message = format!("in {}: {}", file.display(), diagnostic.message);
            let help = diagnostic.help.unwrap_or_default();
            match diagnostic.location {
                // A syntax error keeps its place in the referenced file.
                Some(location) => diagnostics.invalid_at(location, ref_pointer, message, help),
                None => diagnostics.invalid(ref_pointer, message, help),
            }
        }
        let document = document?;
        self.files.insert(file.clone(), document.clone());
        Some((document, file))
    }

    fn unique_name(&mut self, kind: &str, preferred: &str) -> String {
        let mut name = preferred.to_owned();
        let mut counter = 2;
        while !self.used_names.insert(format!("{kind}/{name}")) {
            name = format!("{preferred}{counter}");
            counter += 1;
        }
        name
    }

    fn insert_imports(self, root: &mut Value) {
        if self.imports.is_empty() {
            return;
        }
        let Some(object) = root.as_object_mut() else { return };
        let components = object.entry("components").or_insert_with(|| Value::Object(Map::new()));
        let Some(components) = components.as_object_mut() else { return };
        for (kind, name, value) in self.imports {
            let section = components.entry(kind).or_insert_with(|| Value::Object(Map::new()));
            if let Some(section) = section.as_object_mut() {
                section.insert(name, value);
            }
        }
    }
}

/// Returns the component kind a `$ref` at `pointer` refers to, from its place in the document.
fn kind_of(pointer: &str) -> &'static str {
    let tokens: Vec<&str> = pointer.split('/').collect();
    let last = |n: usize| tokens.len().checked_sub(n + 1).map(|index| tokens[index]).unwrap_or_default();
    if last(2) == "properties" {
        return "schemas";
    }
    match (last(1), last(0)) {
        ("parameters", _) => "parameters",
        ("responses", _) if last(2) != "properties" => "responses",
        (_, "requestBody") => "requestBodies",
        ("headers", _) => "headers",
        ("securitySchemes", _) => "securitySchemes",
        ("examples", _) => "examples",
        ("links", _) => "links",
        ("callbacks", _) => "callbacks",
        _ => "schemas",
    }
}

/// Names every component already in the root document, as `kind/name`.
fn existing_components(root: &Value) -> BTreeSet<String> {
    let mut used_names = BTreeSet::new();
    if let Some(components) = root.get("components").and_then(Value::as_object) {
        for (kind, section) in components {
            for name in section.as_object().into_iter().flat_map(|section| section.keys()) {
                used_names.insert(format!("{kind}/{name}"));
            }
        }
    }
    used_names
}

/// Looks up a JSON pointer; the empty pointer is the whole document.
fn pointer_get<'a>(document: &'a Value, fragment: &str) -> Option<&'a Value> {
    if fragment.is_empty() { Some(document) } else { document.pointer(fragment) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_place_of_the_reference() {
        assert_eq!(kind_of("/paths/~1a/get/parameters/0"), "parameters");
        assert_eq!(kind_of("/paths/~1a/get/responses/200"), "responses");
        assert_eq!(kind_of("/paths/~1a/get/requestBody"), "requestBodies");
        assert_eq!(kind_of("/paths/~1a/get/responses/200/content/application~1json/schema"), "schemas");
        assert_eq!(kind_of("/components/schemas/A/properties/parameters"), "schemas");
        assert_eq!(kind_of("/components/schemas/A/properties/responses"), "schemas");
    }

    #[test]
    fn references_inside_examples_are_data() {
        let mut root = serde_json::json!({
            "openapi": "3.0.3",
            "components": {
                "examples": {"Sample": {"value": {"$ref": "https://example.com/not/a/reference"}}},
                "schemas": {"A": {"type": "object", "example": {"$ref": "other.yaml"}}}
            }
        });
        let before = root.clone();
        let mut diagnostics = Diagnostics::new();
        bundle(&mut root, Path::new("."), &mut Sources::new(Path::new(".")), &mut diagnostics);
        assert!(diagnostics.items().is_empty(), "{:?}", diagnostics.items());
        assert_eq!(root, before);
    }
}
