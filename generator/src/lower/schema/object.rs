//! Object schemas: properties gathered through `allOf`, the struct they become, and an `allOf`
//! with a `oneOf`/`anyOf` member, which becomes a union of structs.
//!
//! `allOf: [Base, {oneOf: [A, B]}]` is a value that matches `Base` and one of `A` and `B`. It
//! becomes a union with a struct per member: Base's properties merged with A's, and with B's. A
//! `oneOf` next to the `allOf` in the same schema is read the same way.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde_json::Value;

use super::{TypeBuilder, description, local_pointer};
use crate::diagnostics::{Class, Diagnostics, child, unescape_token};
use crate::model::{Field, Shape, Ty, TypeKind, Variant};
use crate::naming::{Case, Namespace, to_ident};

const UNSUPPORTED_UNION: &str = "this `oneOf`/`anyOf` inside `allOf` is not supported yet (only one per `allOf`, at its top level, whose members are object schemas); its properties are left out";

/// The properties, required names and `additionalProperties: false` gathered from an object schema and its `allOf` members.
#[derive(Default)]
pub(super) struct ObjectParts {
    /// Each property's schema and JSON pointer, by name.
    properties: IndexMap<String, (Value, String)>,
    required: BTreeSet<String>,
    deny_unknown: bool,
}

/// The `oneOf`/`anyOf` that an object schema combines with its `allOf`.
struct UnionPart {
    /// Index of the `allOf` member that is the union, or `None` for a union next to the `allOf`.
    member_index: Option<usize>,
    /// The schema with the `oneOf`/`anyOf` keyword, after following a `$ref`.
    object: serde_json::Map<String, Value>,
    pointer: String,
}

impl TypeBuilder<'_> {
    /// Builds the struct of an object schema from the parts gathered by [`TypeBuilder::collect_object`].
    pub(super) fn struct_kind(
        &mut self,
        object: &serde_json::Map<String, Value>,
        pointer: &str,
        hint: &str,
        parts: ObjectParts,
        diagnostics: &mut Diagnostics,
    ) -> TypeKind {
        let mut field_names = Namespace::new();
        let mut fields = Vec::new();
        for (wire, (property, property_pointer)) in parts.properties {
            let name = field_names.name(&wire, Case::Snake);
            let field_hint = format!("{hint}{}", to_ident(&wire, Case::Pascal));
            let shape = self.shape(&property, &property_pointer, &field_hint, diagnostics);
            let flag = |key: &str| property.get(key).and_then(Value::as_bool).unwrap_or(false);
            // One type serves requests and responses, so a property present in only one direction is optional.
            let one_way = if flag("readOnly") {
                Some("Read-only: responses carry it, requests leave it out.")
            } else if flag("writeOnly") {
                Some("Write-only: requests carry it, responses leave it out.")
            } else {
                None
            };
            let description = match (description(&property), one_way) {
                (Some(text), Some(note)) => Some(format!("{text}\n\n{note}")),
                (text, note) => text.or(note.map(str::to_owned)),
            };
            let required = parts.required.contains(&wire) && one_way.is_none();
            let default = if required || shape.nullable {
                None
            } else {
                property
                    .get("default")
                    .and_then(|value| self.default_value(value, &shape, &property_pointer, diagnostics))
            };
            fields.push(Field {
                description,
                required: required || default.is_some(),
                default,
                name,
                shape,
                boxed: false,
            });
        }
        let additional = match object.get("additionalProperties") {
            Some(Value::Object(schema)) if !schema.is_empty() => {
                let schema = Value::Object(schema.clone());
                let shape =
                    self.shape(&schema, &child(pointer, "additionalProperties"), &format!("{hint}Value"), diagnostics);
                Some(shape)
            }
            Some(Value::Bool(true)) | Some(Value::Object(_)) => Some(Shape::new(Ty::Any)),
            _ => None,
        };
        let additional = additional.map(|shape| (field_names.name("additional_properties", Case::Snake), shape));
        TypeKind::Struct { fields, deny_unknown: parts.deny_unknown, additional }
    }

    /// Builds the union for an object schema whose `allOf` has one `oneOf`/`anyOf` member, or which has
    /// a `oneOf`/`anyOf` next to its `allOf`. Returns `None` for any other schema and for a union whose
    /// members are not all object schemas. The caller then lowers the schema as before, and warns about
    /// the properties it leaves out.
    pub(super) fn all_of_union(
        &mut self,
        object: &serde_json::Map<String, Value>,
        pointer: &str,
        hint: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<TypeKind> {
        let union = self.union_part(object, pointer)?;
        let key = if union.object.contains_key("oneOf") { "oneOf" } else { "anyOf" };
        let members = union.object.get(key)?.as_array()?;
        if members.is_empty() || !members.iter().all(|member| self.is_object_schema(member)) {
            return None;
        }
        let (discriminator, mapping) = discriminator_of(&union.object);

        let mut variants = Vec::new();
        let mut names = Namespace::new();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = child(&child(&union.pointer, key), index.to_string());
            let mut parts = ObjectParts::default();
            let mut visiting = vec![pointer.to_owned()];
            self.collect_object(object, pointer, &mut parts, union.member_index, diagnostics, &mut visiting);
            if let Some(member) = member.as_object() {
                self.collect_object(member, &member_pointer, &mut parts, None, diagnostics, &mut visiting);
            }
            // As for a plain `allOf`, only the outer schema's `additionalProperties: false` holds, because
            // a member's would reject the other members' properties.
            parts.deny_unknown = object.get("additionalProperties") == Some(&Value::Bool(false));

            let reference = member.get("$ref").and_then(Value::as_str);
            let schema_name = reference.and_then(|r| r.rsplit('/').next()).map(unescape_token);
            let label = schema_name.clone().unwrap_or_else(|| format!("Variant{}", index + 1));
            let id = self.reserve(&format!("{hint}{}", to_ident(&label, Case::Pascal)));
            // Field types are named after the union, so the properties all variants share get one type each.
            let kind = self.struct_kind(object, pointer, hint, parts, diagnostics);
            self.fill(id, kind, member, &member_pointer);
            if let Some(entry) = self.types[id.0].as_mut() {
                entry.description = Some(format!("A `{hint}` that is a `{label}`, with the properties of both."));
            }
            let tags = union_tags(reference, schema_name.as_deref(), discriminator.as_deref(), &mapping);
            let name = names.name(&label, Case::Pascal);
            variants.push(Variant { name, shape: Shape::new(Ty::Named(id)), tags, boxed: false });
        }
        if discriminator.is_some() && variants.iter().any(|variant| variant.tags.is_empty()) {
            diagnostics.warn(
                &child(&union.pointer, "discriminator"),
                Class::NotSupported,
                "a `oneOf` member without a discriminator value (an inline schema) is not supported yet; it is never chosen when decoding",
            );
        }
        Some(TypeKind::Union { variants, discriminator })
    }

    /// Finds the one `oneOf`/`anyOf` that `object` combines with its `allOf`.
    fn union_part(&self, object: &serde_json::Map<String, Value>, pointer: &str) -> Option<UnionPart> {
        let members = object.get("allOf")?.as_array()?;
        if object.contains_key("oneOf") || object.contains_key("anyOf") {
            let nested = members.iter().any(|member| self.union_target(member).is_some());
            let part = UnionPart { member_index: None, object: object.clone(), pointer: pointer.to_owned() };
            return (!nested).then_some(part);
        }
        let mut found =
            members.iter().enumerate().filter_map(|(index, member)| Some((index, self.union_target(member)?)));
        let (index, (union_object, union_pointer)) = found.next()?;
        if found.next().is_some() {
            return None;
        }
        let union_pointer = union_pointer.unwrap_or_else(|| child(&child(pointer, "allOf"), index.to_string()));
        Some(UnionPart { member_index: Some(index), object: union_object, pointer: union_pointer })
    }

    /// Returns the schema of an `allOf` member that is a union, following one `$ref`, with the pointer
    /// of the referenced schema (`None` for an inline union).
    fn union_target(&self, member: &Value) -> Option<(serde_json::Map<String, Value>, Option<String>)> {
        let (object, pointer) = match member.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let target = local_pointer(reference)?;
                (self.raw.pointer(&target)?.as_object()?, Some(target))
            }
            None => (member.as_object()?, None),
        };
        let is_union = object.contains_key("oneOf") || object.contains_key("anyOf");
        let pure = !object.contains_key("properties") && !object.contains_key("allOf");
        (is_union && pure).then(|| (object.clone(), pointer))
    }

    /// Returns whether a union member can be merged into a struct: an object schema, after following one `$ref`.
    fn is_object_schema(&self, member: &Value) -> bool {
        let resolved = match member.get("$ref").and_then(Value::as_str) {
            Some(reference) => local_pointer(reference).and_then(|target| self.raw.pointer(&target)),
            None => Some(member),
        };
        let Some(object) = resolved.and_then(Value::as_object) else { return false };
        let object_type = matches!(object.get("type").and_then(Value::as_str), None | Some("object"));
        let composite = ["oneOf", "anyOf", "enum", "items"].iter().any(|key| object.contains_key(*key));
        object_type && !composite
    }

    /// Gathers properties of an object schema and of every `allOf` member, following references.
    /// The `allOf` member at index `skip_member` is left out, because the caller merges it separately.
    pub(super) fn collect_object(
        &mut self,
        object: &serde_json::Map<String, Value>,
        pointer: &str,
        parts: &mut ObjectParts,
        skip_member: Option<usize>,
        diagnostics: &mut Diagnostics,
        visiting: &mut Vec<String>,
    ) {
        if let Some(Value::String(target)) = object.get("$ref") {
            let Some(target_pointer) = local_pointer(target) else {
                diagnostics.unsupported(
                    &child(pointer, "$ref"),
                    format!(
                        "`$ref: {target}` inside `allOf` is not supported yet; only references inside this document are"
                    ),
                    "move the schema into `components/schemas` of this document",
                );
                return;
            };
            if self.reject_non_schema(target, &target_pointer, &child(pointer, "$ref"), diagnostics) {
                return;
            }
            if visiting.contains(&target_pointer) {
                diagnostics.warn(
                    &child(pointer, "$ref"),
                    Class::Invalid,
                    format!("`allOf` includes `{target}`, which includes this schema again; the repeated inclusion is skipped"),
                );
                return;
            }
            match self.raw.pointer(&target_pointer).and_then(Value::as_object).cloned() {
                Some(target_object) => {
                    visiting.push(target_pointer.clone());
                    if target_object.contains_key("oneOf") || target_object.contains_key("anyOf") {
                        diagnostics.warn(&child(pointer, "$ref"), Class::NotSupported, UNSUPPORTED_UNION);
                    }
                    self.collect_object(&target_object, &target_pointer, parts, None, diagnostics, visiting);
                    visiting.pop();
                }
                None => diagnostics.invalid(
                    &child(pointer, "$ref"),
                    format!("`$ref: {target}` points to a schema that does not exist"),
                    "define the referenced schema or fix the reference",
                ),
            }
            return;
        }
        if let Some(Value::Object(map)) = object.get("properties") {
            for (name, property) in map {
                parts.properties.insert(name.clone(), (property.clone(), child(&child(pointer, "properties"), name)));
            }
        }
        if let Some(Value::Array(names)) = object.get("required") {
            parts.required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if object.get("additionalProperties") == Some(&Value::Bool(false)) {
            parts.deny_unknown = true;
        }
        if let Some(Value::Array(members)) = object.get("allOf") {
            for (index, member) in members.iter().enumerate() {
                if skip_member == Some(index) {
                    continue;
                }
                let member_pointer = child(&child(pointer, "allOf"), index.to_string());
                match member.as_object() {
                    Some(member) if member.contains_key("oneOf") || member.contains_key("anyOf") => {
                        diagnostics.warn(&member_pointer, Class::NotSupported, UNSUPPORTED_UNION)
                    }
                    Some(member) => {
                        let member = member.clone();
                        self.collect_object(&member, &member_pointer, parts, None, diagnostics, visiting)
                    }
                    None => {}
                }
            }
            // A member's `additionalProperties: false` would reject the other members' fields.
            parts.deny_unknown = object.get("additionalProperties") == Some(&Value::Bool(false));
        }
    }
}

/// Returns the discriminator property of a union and its `mapping` as (value, reference) pairs.
pub(super) fn discriminator_of(object: &serde_json::Map<String, Value>) -> (Option<String>, Vec<(String, String)>) {
    let discriminator_object = object.get("discriminator");
    let discriminator =
        discriminator_object.and_then(|d| d.get("propertyName")).and_then(Value::as_str).map(str::to_owned);
    let mapping: Vec<(String, String)> = discriminator_object
        .and_then(|d| d.get("mapping"))
        .and_then(Value::as_object)
        .map(|map| map.iter().filter_map(|(tag, target)| Some((tag.clone(), target.as_str()?.to_owned()))).collect())
        .unwrap_or_default();
    (discriminator, mapping)
}

/// Returns the discriminator values that select a union member: the `mapping` entries that name its
/// reference or schema name, or else the schema name itself.
pub(super) fn union_tags(
    reference: Option<&str>,
    schema_name: Option<&str>,
    discriminator: Option<&str>,
    mapping: &[(String, String)],
) -> Vec<String> {
    let mut tags: Vec<String> = match reference {
        Some(reference) => mapping
            .iter()
            .filter(|(_, target)| target == reference || Some(target.as_str()) == schema_name)
            .map(|(tag, _)| tag.clone())
            .collect(),
        None => Vec::new(),
    };
    if tags.is_empty()
        && discriminator.is_some()
        && let Some(name) = schema_name
    {
        // Without a mapping, the discriminator value is the schema name.
        tags.push(name.to_owned());
    }
    tags
}
