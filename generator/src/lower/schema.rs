//! Schemas to named types and shapes.
//!
//! Schemas are read from the raw JSON document rather than from `openapiv3`
//! types, because those drop keywords that matter here (an `enum` on an
//! object schema, `null` inside an `enum`, unknown formats).

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;
use serde_json::Value;

use crate::diagnostics::{Class, Diagnostics, child};
use crate::model::{Checks, Field, IntType, NamedType, Shape, StringFormat, Ty, TypeId, TypeKind};
use crate::naming::{Case, Namespace, to_ident};

/// How a component schema is referenced.
#[derive(Debug, Clone)]
enum Component {
    /// A struct or enum with its own Rust type.
    Named(TypeId),
    /// A primitive, array or map: references use its shape directly.
    Alias { pointer: String },
}

/// Builds named types while operations and components are lowered.
pub struct TypeBuilder<'a> {
    raw: &'a Value,
    types: Vec<Option<NamedType>>,
    pub names: Namespace,
    components: IndexMap<String, Component>,
    /// Aliases being resolved, to stop a cycle of aliases.
    alias_stack: Vec<String>,
}

impl<'a> TypeBuilder<'a> {
    pub fn new(raw: &'a Value, names: Namespace) -> Self {
        TypeBuilder { raw, types: Vec::new(), names, components: IndexMap::new(), alias_stack: Vec::new() }
    }

    /// Assigns an id to every component schema that becomes a named type, before any is converted.
    pub fn declare_components(&mut self) {
        let Some(schemas) = self.raw.pointer("/components/schemas").and_then(Value::as_object) else { return };
        for (name, schema) in schemas {
            let pointer = child("/components/schemas", name);
            let component = if is_named(schema) {
                let id = self.reserve(name);
                Component::Named(id)
            } else {
                Component::Alias { pointer }
            };
            self.components.insert(name.clone(), component);
        }
    }

    /// Converts every component schema; aliases become type aliases so users can name them.
    pub fn convert_components(&mut self, diagnostics: &mut Diagnostics) {
        let components: Vec<(String, Component)> =
            self.components.iter().map(|(name, component)| (name.clone(), component.clone())).collect();
        for (name, component) in components {
            let pointer = child("/components/schemas", &name);
            let Some(schema) = self.raw.pointer(&pointer).cloned() else { continue };
            match component {
                Component::Named(id) => {
                    let hint = self.types[id.0].as_ref().map(|t| t.name.rust.clone()).unwrap_or_default();
                    let kind = self.named_kind(&schema, &pointer, &hint, diagnostics);
                    if let Some(entry) = self.types[id.0].as_mut() {
                        entry.kind = kind;
                    }
                }
                Component::Alias { .. } => {
                    let shape = self.alias_shape(&name, &pointer, diagnostics);
                    let type_name = self.names.name(&name, Case::Pascal);
                    self.types.push(Some(NamedType {
                        name: type_name,
                        description: description(&schema),
                        kind: TypeKind::Alias(shape),
                        pointer,
                    }));
                }
            }
        }
    }

    /// Returns the finished types, with cycle edges boxed.
    pub fn finish(self) -> Vec<NamedType> {
        let mut types: Vec<NamedType> = self.types.into_iter().flatten().collect();
        box_cycle_edges(&mut types);
        types
    }

    fn reserve(&mut self, wire: &str) -> TypeId {
        let name = self.names.name(wire, Case::Pascal);
        let id = TypeId(self.types.len());
        self.types.push(Some(NamedType {
            name,
            description: None,
            kind: TypeKind::Struct { fields: Vec::new(), deny_unknown: false },
            pointer: String::new(),
        }));
        id
    }

    /// Lowers the schema at `pointer` of the raw document; `hint` names inline types.
    pub fn shape_at(&mut self, pointer: &str, hint: &str, diagnostics: &mut Diagnostics) -> Shape {
        match self.raw.pointer(pointer).cloned() {
            Some(schema) => self.shape(&schema, pointer, hint, diagnostics),
            None => Shape::new(Ty::Any),
        }
    }

    /// Lowers one schema into a shape, creating named types for inline objects and enums.
    pub fn shape(&mut self, schema: &Value, pointer: &str, hint: &str, diagnostics: &mut Diagnostics) -> Shape {
        let Some(object) = schema.as_object() else {
            // `true`/`false` schemas and other non-objects carry no type information.
            return Shape::new(Ty::Any);
        };
        if let Some(reference) = object.get("$ref") {
            return self.reference(reference, &child(pointer, "$ref"), diagnostics);
        }
        let nullable = object.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        let mut shape = if object.contains_key("allOf") || is_struct_like(object) {
            let id = self.reserve(hint);
            let kind = self.named_kind(schema, pointer, hint, diagnostics);
            self.fill(id, kind, schema, pointer);
            Shape::new(Ty::Named(id))
        } else if object.contains_key("oneOf") || object.contains_key("anyOf") {
            diagnostics.warn(
                pointer,
                Class::NotSupported,
                "`oneOf`/`anyOf` is not supported yet; the value is typed as any JSON value",
            );
            Shape::new(Ty::Any)
        } else if let Some(values) = object.get("enum").and_then(Value::as_array) {
            self.enumeration(object, values, pointer, hint, diagnostics)
        } else {
            self.plain(object, pointer, hint, diagnostics)
        };
        shape.nullable |= nullable;
        shape
    }

    fn fill(&mut self, id: TypeId, kind: TypeKind, schema: &Value, pointer: &str) {
        if let Some(entry) = self.types[id.0].as_mut() {
            entry.kind = kind;
            entry.description = description(schema);
            entry.pointer = pointer.to_owned();
        }
    }

    fn reference(&mut self, reference: &Value, pointer: &str, diagnostics: &mut Diagnostics) -> Shape {
        let Some(target) = reference.as_str() else {
            diagnostics.invalid(
                pointer,
                "`$ref` is not a string",
                "write the reference as a string such as '#/components/schemas/Name'",
            );
            return Shape::new(Ty::Any);
        };
        let Some(name) = target.strip_prefix("#/components/schemas/") else {
            diagnostics.unsupported(
                pointer,
                format!("`$ref: {target}` is not supported yet; only references to `#/components/schemas/<name>` are"),
                "move the schema into `components/schemas` and reference it there",
            );
            return Shape::new(Ty::Any);
        };
        let name = unescape_token(name);
        match self.components.get(&name).cloned() {
            Some(Component::Named(id)) => Shape::new(Ty::Named(id)),
            Some(Component::Alias { pointer: alias_pointer }) => self.alias_shape(&name, &alias_pointer, diagnostics),
            None => {
                diagnostics.invalid(
                    pointer,
                    format!("`$ref: {target}` points to a schema that does not exist"),
                    format!("define `{name}` under `components/schemas` or fix the reference"),
                );
                Shape::new(Ty::Any)
            }
        }
    }

    fn alias_shape(&mut self, name: &str, pointer: &str, diagnostics: &mut Diagnostics) -> Shape {
        if self.alias_stack.iter().any(|n| n == name) {
            diagnostics.warn(
                pointer,
                Class::NotSupported,
                format!("schema `{name}` refers to itself only through aliases; it is typed as any JSON value"),
            );
            return Shape::new(Ty::Any);
        }
        self.alias_stack.push(name.to_owned());
        let hint = to_ident(name, Case::Pascal);
        let shape = self.shape_at(pointer, &hint, diagnostics);
        self.alias_stack.pop();
        shape
    }

    fn enumeration(
        &mut self,
        object: &serde_json::Map<String, Value>,
        values: &[Value],
        pointer: &str,
        hint: &str,
        diagnostics: &mut Diagnostics,
    ) -> Shape {
        let nullable = values.iter().any(Value::is_null);
        let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        let declared = object.get("type").and_then(Value::as_str);
        let mut shape = if non_null.is_empty() {
            Shape::new(Ty::Null)
        } else if non_null.iter().all(|v| v.is_string()) && matches!(declared, None | Some("string")) {
            let id = self.reserve(hint);
            let mut variant_names = Namespace::new();
            let mut seen = BTreeSet::new();
            let mut variants = Vec::new();
            for value in non_null {
                let text = value.as_str().unwrap_or_default();
                if seen.insert(text.to_owned()) {
                    variants.push(variant_names.name(text, Case::Pascal));
                }
            }
            let kind = TypeKind::Enum { variants };
            self.fill(id, kind, &Value::Object(object.clone()), pointer);
            Shape::new(Ty::Named(id))
        } else {
            let mut base = self.plain(object, pointer, hint, diagnostics);
            base.checks.allowed = Some(non_null.iter().map(|v| v.to_string()).collect());
            base
        };
        shape.nullable = nullable;
        shape
    }

    fn plain(
        &mut self,
        object: &serde_json::Map<String, Value>,
        pointer: &str,
        hint: &str,
        diagnostics: &mut Diagnostics,
    ) -> Shape {
        let format = object.get("format").and_then(Value::as_str);
        let mut checks = checks(object);
        let ty = match object.get("type").and_then(Value::as_str) {
            Some("string") => Ty::String(string_format(format)),
            Some("integer") => {
                let ty = integer_type(format);
                Ty::Integer(ty)
            }
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            Some("array") => {
                let items = match object.get("items") {
                    Some(items) => self.shape(items, &child(pointer, "items"), &format!("{hint}Item"), diagnostics),
                    None => Shape::new(Ty::Any),
                };
                Ty::Array(Box::new(items))
            }
            Some("object") | None if object.contains_key("additionalProperties") || object.get("type").is_some() => {
                let values = match object.get("additionalProperties") {
                    Some(Value::Object(schema)) if !schema.is_empty() => self.shape(
                        &Value::Object(schema.clone()),
                        &child(pointer, "additionalProperties"),
                        &format!("{hint}Value"),
                        diagnostics,
                    ),
                    _ => Shape::new(Ty::Any),
                };
                Ty::Map(Box::new(values))
            }
            None => Ty::Any,
            Some(other) => {
                diagnostics.invalid(
                    &child(pointer, "type"),
                    format!("unknown schema type `{other}`"),
                    "use one of string, number, integer, boolean, array or object",
                );
                checks = Checks::default();
                Ty::Any
            }
        };
        Shape { ty, nullable: false, checks }
    }

    /// Builds the struct or enum for a schema that [`is_named`] accepted.
    fn named_kind(&mut self, schema: &Value, pointer: &str, hint: &str, diagnostics: &mut Diagnostics) -> TypeKind {
        let Some(object) = schema.as_object() else {
            return TypeKind::Alias(Shape::new(Ty::Any));
        };
        if let Some(values) = object.get("enum").and_then(Value::as_array)
            && !object.contains_key("properties")
        {
            let mut variant_names = Namespace::new();
            let mut seen = BTreeSet::new();
            let variants = values
                .iter()
                .filter_map(Value::as_str)
                .filter(|text| seen.insert(text.to_string()))
                .map(|text| variant_names.name(text, Case::Pascal))
                .collect();
            return TypeKind::Enum { variants };
        }
        let mut properties: IndexMap<String, (Value, String)> = IndexMap::new();
        let mut required: BTreeSet<String> = BTreeSet::new();
        let mut deny_unknown = false;
        self.collect_object(object, pointer, &mut properties, &mut required, &mut deny_unknown, diagnostics, 0);

        let mut field_names = Namespace::new();
        let mut fields = Vec::new();
        for (wire, (property, property_pointer)) in properties {
            let name = field_names.name(&wire, Case::Snake);
            let field_hint = format!("{hint}{}", to_ident(&wire, Case::Pascal));
            let shape = self.shape(&property, &property_pointer, &field_hint, diagnostics);
            fields.push(Field {
                description: description(&property),
                required: required.contains(&wire),
                name,
                shape,
                boxed: false,
            });
        }
        TypeKind::Struct { fields, deny_unknown }
    }

    /// Gathers properties of an object schema and of every `allOf` member, following references.
    #[allow(clippy::too_many_arguments)]
    fn collect_object(
        &mut self,
        object: &serde_json::Map<String, Value>,
        pointer: &str,
        properties: &mut IndexMap<String, (Value, String)>,
        required: &mut BTreeSet<String>,
        deny_unknown: &mut bool,
        diagnostics: &mut Diagnostics,
        depth: usize,
    ) {
        if depth > 32 {
            diagnostics.invalid(pointer, "`allOf` nests or refers to itself too deeply", "remove the `allOf` cycle");
            return;
        }
        if let Some(Value::String(target)) = object.get("$ref") {
            let Some(name) = target.strip_prefix("#/components/schemas/") else {
                diagnostics.unsupported(
                    &child(pointer, "$ref"),
                    format!("`$ref: {target}` inside `allOf` is not supported yet"),
                    "reference a schema under `components/schemas`",
                );
                return;
            };
            let target_pointer = child("/components/schemas", unescape_token(name));
            match self.raw.pointer(&target_pointer).and_then(Value::as_object).cloned() {
                Some(target_object) => self.collect_object(
                    &target_object,
                    &target_pointer,
                    properties,
                    required,
                    deny_unknown,
                    diagnostics,
                    depth + 1,
                ),
                None => diagnostics.invalid(
                    &child(pointer, "$ref"),
                    format!("`$ref: {target}` points to a schema that does not exist"),
                    "define the schema under `components/schemas` or fix the reference",
                ),
            }
            return;
        }
        if let Some(Value::Object(map)) = object.get("properties") {
            for (name, property) in map {
                properties.insert(name.clone(), (property.clone(), child(&child(pointer, "properties"), name)));
            }
        }
        if let Some(Value::Array(names)) = object.get("required") {
            required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if object.get("additionalProperties") == Some(&Value::Bool(false)) {
            *deny_unknown = true;
        }
        if let Some(Value::Array(members)) = object.get("allOf") {
            for (index, member) in members.iter().enumerate() {
                let member_pointer = child(&child(pointer, "allOf"), index.to_string());
                match member.as_object() {
                    Some(member) if member.contains_key("oneOf") || member.contains_key("anyOf") => diagnostics.warn(
                        &member_pointer,
                        Class::NotSupported,
                        "`oneOf`/`anyOf` inside `allOf` is not supported yet; its properties are left out",
                    ),
                    Some(member) => {
                        let member = member.clone();
                        self.collect_object(
                            &member,
                            &member_pointer,
                            properties,
                            required,
                            deny_unknown,
                            diagnostics,
                            depth + 1,
                        )
                    }
                    None => {}
                }
            }
            // A member's `additionalProperties: false` would reject the other members' fields.
            *deny_unknown = object.get("additionalProperties") == Some(&Value::Bool(false));
        }
    }
}

/// Whether a schema becomes a struct or enum of its own rather than an alias of a shape.
fn is_named(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else { return false };
    if object.contains_key("$ref") {
        return false;
    }
    if object.contains_key("allOf") || is_struct_like(object) {
        return true;
    }
    if object.contains_key("oneOf") || object.contains_key("anyOf") {
        return false;
    }
    match object.get("enum").and_then(Value::as_array) {
        Some(values) => {
            let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            !non_null.is_empty()
                && non_null.iter().all(|v| v.is_string())
                && matches!(object.get("type").and_then(Value::as_str), None | Some("string"))
        }
        None => false,
    }
}

/// An object schema with declared properties.
fn is_struct_like(object: &serde_json::Map<String, Value>) -> bool {
    let has_properties = object.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
    let object_type = matches!(object.get("type").and_then(Value::as_str), None | Some("object"));
    has_properties && object_type
}

fn description(schema: &Value) -> Option<String> {
    schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| schema.get("title").and_then(Value::as_str).map(str::to_owned))
}

fn string_format(format: Option<&str>) -> StringFormat {
    match format {
        Some("email") => StringFormat::Email,
        Some("date-time") => StringFormat::DateTime,
        Some("date") => StringFormat::Date,
        Some("uuid") => StringFormat::Uuid,
        Some("uri") => StringFormat::Uri,
        _ => StringFormat::Plain,
    }
}

/// Chooses the integer width from the format.
fn integer_type(format: Option<&str>) -> IntType {
    match format {
        Some("int32") => IntType::I32,
        Some("uint32") => IntType::U32,
        Some("uint64") => IntType::U64,
        _ => IntType::I64,
    }
}

fn checks(object: &serde_json::Map<String, Value>) -> Checks {
    let unsigned = |key: &str| object.get(key).and_then(Value::as_u64);
    let float = |key: &str| object.get(key).and_then(Value::as_f64).filter(|value| value.is_finite());
    let flag = |key: &str| object.get(key).and_then(Value::as_bool).unwrap_or(false);
    Checks {
        min_length: unsigned("minLength"),
        max_length: unsigned("maxLength"),
        pattern: object.get("pattern").and_then(Value::as_str).map(str::to_owned),
        minimum: float("minimum"),
        maximum: float("maximum"),
        exclusive_minimum: flag("exclusiveMinimum"),
        exclusive_maximum: flag("exclusiveMaximum"),
        multiple_of: float("multipleOf").filter(|m| *m > 0.0),
        min_items: unsigned("minItems"),
        max_items: unsigned("maxItems"),
        unique_items: flag("uniqueItems"),
        min_properties: unsigned("minProperties"),
        max_properties: unsigned("maxProperties"),
        allowed: None,
    }
}

/// Undoes JSON pointer escaping in a reference token.
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Marks the struct fields that close a cycle of direct (unboxed) references.
fn box_cycle_edges(types: &mut [NamedType]) {
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|ty| match &ty.kind {
            TypeKind::Struct { fields, .. } => fields.iter().filter_map(|f| direct_target(&f.shape)).collect(),
            TypeKind::Alias(shape) => direct_target(shape).into_iter().collect(),
            TypeKind::Enum { .. } => Vec::new(),
        })
        .collect();
    let mut reach_cache: HashMap<(usize, usize), bool> = HashMap::new();
    for (from, ty) in types.iter_mut().enumerate() {
        let TypeKind::Struct { fields, .. } = &mut ty.kind else { continue };
        for field in fields.iter_mut() {
            if let Some(to) = direct_target(&field.shape) {
                let cyclic = *reach_cache.entry((to, from)).or_insert_with(|| reaches(&edges, to, from));
                field.boxed = cyclic;
            }
        }
    }
}

fn direct_target(shape: &Shape) -> Option<usize> {
    match shape.ty {
        Ty::Named(TypeId(id)) => Some(id),
        _ => None,
    }
}

fn reaches(edges: &[Vec<usize>], start: usize, goal: usize) -> bool {
    let mut stack = vec![start];
    let mut seen = vec![false; edges.len()];
    while let Some(node) = stack.pop() {
        if node == goal {
            return true;
        }
        if std::mem::replace(&mut seen[node], true) {
            continue;
        }
        stack.extend(edges[node].iter().copied());
    }
    false
}
