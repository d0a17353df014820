//! Schemas to named types and shapes.
//!
//! Schemas are read from the raw JSON document rather than from `openapiv3`
//! types, because those drop keywords that matter here (an `enum` on an
//! object schema, `null` inside an `enum`, unknown formats).

mod object;

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use object::{ObjectParts, discriminator_of, union_tags};

use crate::diagnostics::{Class, Diagnostics, child, unescape_token};
use crate::model::{Checks, IntType, NamedType, Shape, StringFormat, Ty, TypeId, TypeKind};
use crate::naming::{Case, Namespace, to_ident};

/// The kind of a schema that references resolve to.
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
    /// Component schema names, in document order.
    components: Vec<String>,
    /// Schemas reachable by `$ref`, by JSON pointer: component schemas, and sub-schemas once referenced.
    by_pointer: HashMap<String, Component>,
    /// Aliases being resolved, by pointer, to stop a cycle of aliases.
    alias_stack: Vec<String>,
    /// Shapes of alias schemas already lowered, by pointer, so their inline types are made once.
    alias_shapes: HashMap<String, Shape>,
    /// Pointers of unions with a `null` member: every use of them is nullable.
    nullable_unions: BTreeSet<String>,
}

impl<'a> TypeBuilder<'a> {
    pub fn new(raw: &'a Value, names: Namespace) -> Self {
        TypeBuilder {
            raw,
            types: Vec::new(),
            names,
            components: Vec::new(),
            by_pointer: HashMap::new(),
            alias_stack: Vec::new(),
            alias_shapes: HashMap::new(),
            nullable_unions: BTreeSet::new(),
        }
    }

    /// Returns the raw document the schemas are read from.
    pub fn raw(&self) -> &'a Value {
        self.raw
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
                Component::Alias { pointer: pointer.clone() }
            };
            self.components.push(name.clone());
            self.by_pointer.insert(pointer, component);
        }
    }

    /// Converts every component schema; aliases become type aliases so users can name them.
    pub fn convert_components(&mut self, diagnostics: &mut Diagnostics) {
        for name in self.components.clone() {
            let pointer = child("/components/schemas", &name);
            let Some(schema) = self.raw.pointer(&pointer).cloned() else { continue };
            let Some(component) = self.by_pointer.get(&pointer).cloned() else { continue };
            match component {
                Component::Named(id) => {
                    let hint = self.types[id.0].as_ref().map(|t| t.name.rust.clone()).unwrap_or_default();
                    let kind = self.named_kind(&schema, &pointer, &hint, diagnostics);
                    self.fill(id, kind, &schema, &pointer);
                }
                Component::Alias { .. } => {
                    let shape = self.alias_shape(&pointer, &to_ident(&name, Case::Pascal), diagnostics);
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
    pub fn finish(self, diagnostics: &mut Diagnostics) -> Vec<NamedType> {
        let mut types: Vec<NamedType> = self.types.into_iter().flatten().collect();
        break_degenerate_cycles(&mut types, diagnostics);
        box_cycle_edges(&mut types);
        types
    }

    /// Returns whether the shape is a struct whose fields are all scalars, enums or arrays of those:
    /// what `application/x-www-form-urlencoded` can carry.
    pub fn is_flat_struct(&self, shape: &Shape) -> bool {
        let Ty::Named(id) = shape.ty else { return false };
        let Some(Some(NamedType { kind: TypeKind::Struct { fields, additional: None, .. }, .. })) =
            self.types.get(id.0)
        else {
            return false;
        };
        let scalar = |ty: &Ty| match ty {
            Ty::String(_) | Ty::Integer(_) | Ty::Number | Ty::Boolean => true,
            Ty::Named(id) => self.is_enum(*id),
            _ => false,
        };
        fields.iter().all(|field| match &field.shape.ty {
            Ty::Array(items) => scalar(&items.ty),
            ty => scalar(ty),
        })
    }

    /// Converts a `default` into a literal of the field's type; a value of another type is ignored with a warning.
    fn default_value(
        &self,
        value: &Value,
        shape: &Shape,
        pointer: &str,
        diagnostics: &mut Diagnostics,
    ) -> Option<crate::model::DefaultValue> {
        use crate::model::DefaultValue;
        // Defaults of other types (objects, arrays, dates, unions) are left to the caller.
        let literal = match &shape.ty {
            Ty::String(format) => format.is_text(),
            Ty::Integer(_) | Ty::Number | Ty::Boolean => true,
            Ty::Named(id) => self.is_enum(*id),
            Ty::Array(_) | Ty::Map(_) | Ty::Any | Ty::Null => false,
        };
        if !literal {
            return None;
        }
        let converted = match (&shape.ty, value) {
            (Ty::String(format), Value::String(text)) if format.is_text() => Some(DefaultValue::Text(text.clone())),
            (Ty::Integer(int), Value::Number(number)) => number
                .as_i64()
                .map(i128::from)
                .or_else(|| number.as_u64().map(i128::from))
                .filter(|value| integer_fits(*int, *value))
                .map(DefaultValue::Integer),
            (Ty::Number, Value::Number(number)) => number.as_f64().map(DefaultValue::Number),
            (Ty::Boolean, Value::Bool(flag)) => Some(DefaultValue::Boolean(*flag)),
            (Ty::Named(id), Value::String(text)) => match self.types.get(id.0) {
                Some(Some(NamedType { kind: TypeKind::Enum { variants, .. }, .. })) => {
                    variants.iter().find(|variant| variant.wire == *text).cloned().map(DefaultValue::Variant)
                }
                _ => None,
            },
            _ => None,
        };
        if converted.is_none() {
            diagnostics.warn(
                &child(pointer, "default"),
                Class::Invalid,
                format!("default {value} does not match the schema's type; the field has no default"),
            );
        }
        converted
    }

    /// Returns whether the named type is a string enum, which parses from text.
    /// Returns the fields of a struct type that has no `additionalProperties`.
    pub fn closed_struct_fields(&self, id: TypeId) -> Option<&[crate::model::Field]> {
        match self.types.get(id.0) {
            Some(Some(NamedType { kind: TypeKind::Struct { fields, additional: None, .. }, .. })) => Some(fields),
            _ => None,
        }
    }

    pub fn is_enum(&self, id: TypeId) -> bool {
        matches!(self.types.get(id.0), Some(Some(NamedType { kind: TypeKind::Enum { .. }, .. })))
    }

    fn reserve(&mut self, wire: &str) -> TypeId {
        let name = self.names.name(wire, Case::Pascal);
        let id = TypeId(self.types.len());
        self.types.push(Some(NamedType {
            name,
            description: None,
            kind: TypeKind::Struct { fields: Vec::new(), deny_unknown: false, additional: None },
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
        if let Some((index, member)) = single_all_of(object) {
            let member_pointer = child(&child(pointer, "allOf"), index.to_string());
            let mut shape = self.shape(member, &member_pointer, hint, diagnostics);
            shape.nullable |= nullable || all_of_adds_nullable(object);
            return shape;
        }
        // The same inline schema can be reached twice, for example through an `allOf` that copies
        // another schema's properties. It keeps the type made the first time.
        if let Some(Component::Named(id)) = self.by_pointer.get(pointer) {
            let nullable = nullable || self.nullable_unions.contains(pointer);
            return Shape { ty: Ty::Named(*id), nullable, checks: Checks::default() };
        }
        let mut shape = if object.contains_key("allOf") || is_struct_like(object) {
            let id = self.reserve(hint);
            self.by_pointer.insert(pointer.to_owned(), Component::Named(id));
            let kind = self.named_kind(schema, pointer, hint, diagnostics);
            self.fill(id, kind, schema, pointer);
            Shape::new(Ty::Named(id))
        } else if object.contains_key("oneOf") || object.contains_key("anyOf") {
            let id = self.reserve(hint);
            self.by_pointer.insert(pointer.to_owned(), Component::Named(id));
            let kind = self.union(object, pointer, hint, diagnostics);
            self.fill(id, kind, schema, pointer);
            let mut shape = Shape::new(Ty::Named(id));
            shape.nullable = self.nullable_unions.contains(pointer);
            if let Some(TypeKind::Alias(inner)) = self.types[id.0].as_ref().map(|t| &t.kind) {
                // A union of one shape (or of a shape and `null`) is that shape.
                shape = inner.clone();
            }
            shape
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
        let Some(target_pointer) = local_pointer(target) else {
            diagnostics.unsupported(
                pointer,
                format!("`$ref: {target}` is not supported yet; only references inside this document (`#/...`) are"),
                "move the schema into `components/schemas` of this document and reference it there",
            );
            return Shape::new(Ty::Any);
        };
        if self.reject_non_schema(target, &target_pointer, pointer, diagnostics) {
            return Shape::new(Ty::Any);
        }
        if let Some(component) = self.by_pointer.get(&target_pointer).cloned() {
            return match component {
                Component::Named(id) => {
                    let mut shape = Shape::new(Ty::Named(id));
                    shape.nullable = self.nullable_unions.contains(&target_pointer)
                        || self.raw.pointer(&target_pointer).is_some_and(admits_null);
                    shape
                }
                Component::Alias { pointer: alias_pointer } => {
                    let hint = pointer_hint(&alias_pointer);
                    self.alias_shape(&alias_pointer, &hint, diagnostics)
                }
            };
        }
        let Some(schema) = self.raw.pointer(&target_pointer).cloned() else {
            diagnostics.invalid(
                pointer,
                format!("`$ref: {target}` points to a schema that does not exist"),
                "define the referenced schema or fix the reference",
            );
            return Shape::new(Ty::Any);
        };
        // A reference into a sub-schema: give it a type of its own, registered before conversion so cycles end.
        let hint = pointer_hint(&target_pointer);
        if is_named(&schema) {
            let id = self.reserve(&hint);
            self.by_pointer.insert(target_pointer.clone(), Component::Named(id));
            let kind = self.named_kind(&schema, &target_pointer, &hint, diagnostics);
            self.fill(id, kind, &schema, &target_pointer);
            Shape::new(Ty::Named(id))
        } else {
            self.by_pointer.insert(target_pointer.clone(), Component::Alias { pointer: target_pointer.clone() });
            self.alias_shape(&target_pointer, &hint, diagnostics)
        }
    }

    /// Records an error and returns `true` when a schema `$ref` at `pointer` points to something that is not a schema.
    fn reject_non_schema(
        &self,
        target: &str,
        target_pointer: &str,
        pointer: &str,
        diagnostics: &mut Diagnostics,
    ) -> bool {
        let Some(what) = crate::load::places::not_a_schema(self.raw, target_pointer) else { return false };
        diagnostics.invalid(
            pointer,
            format!("`$ref: {target}` points to {what}, not to a schema"),
            "point the reference at a schema, such as '#/components/schemas/Name'",
        );
        true
    }

    fn alias_shape(&mut self, pointer: &str, hint: &str, diagnostics: &mut Diagnostics) -> Shape {
        if let Some(shape) = self.alias_shapes.get(pointer) {
            return shape.clone();
        }
        if self.alias_stack.iter().any(|p| p == pointer) {
            diagnostics.warn(
                pointer,
                Class::NotSupported,
                "this schema refers to itself only through references and arrays or maps without a named type; it is typed as any JSON value",
            );
            return Shape::new(Ty::Any);
        }
        self.alias_stack.push(pointer.to_owned());
        let shape = self.shape_at(pointer, hint, diagnostics);
        self.alias_stack.pop();
        self.alias_shapes.insert(pointer.to_owned(), shape.clone());
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
            self.by_pointer.insert(pointer.to_owned(), Component::Named(id));
            let kind = string_enum(values);
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
        sanity_check(&mut checks, object, pointer, diagnostics);
        let declared = object.get("type").and_then(Value::as_str);
        let lowered = declared.map(str::to_ascii_lowercase);
        if let (Some(declared), Some(lowered)) = (declared, &lowered)
            && declared != lowered
            && KNOWN_TYPES.contains(&lowered.as_str())
        {
            diagnostics.warn(
                &child(pointer, "type"),
                Class::Invalid,
                format!("schema type `{declared}` is read as `{lowered}`"),
            );
        }
        let ty = match lowered.as_deref() {
            Some("string") => Ty::String(string_format(format)),
            Some("integer") => {
                let ty = integer_type(format);
                Ty::Integer(ty)
            }
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            Some("null") => {
                diagnostics.warn(
                    &child(pointer, "type"),
                    Class::Invalid,
                    "`type: null` is OpenAPI 3.1 syntax; it is read as a schema that admits only `null`",
                );
                Ty::Null
            }
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

    /// Builds the variants of a `oneOf`/`anyOf`; `null` members make the union nullable instead.
    fn union(
        &mut self,
        object: &serde_json::Map<String, Value>,
        pointer: &str,
        hint: &str,
        diagnostics: &mut Diagnostics,
    ) -> TypeKind {
        let key = if object.contains_key("oneOf") { "oneOf" } else { "anyOf" };
        let members = object.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
        let (discriminator, mapping) = discriminator_of(object);

        let mut names = Namespace::new();
        let mut variants = Vec::new();
        let mut nullable = false;
        for (index, member) in members.iter().enumerate() {
            let member_pointer = child(&child(pointer, key), index.to_string());
            let mut shape = self.shape(member, &member_pointer, &format!("{hint}Variant{}", index + 1), diagnostics);
            if shape.ty == Ty::Null {
                nullable = true;
                continue;
            }
            nullable |= shape.nullable;
            shape.nullable = false;
            let reference = member.get("$ref").and_then(Value::as_str);
            let schema_name = reference.and_then(|r| r.rsplit('/').next()).map(unescape_token);
            let label = match (&schema_name, &shape.ty) {
                (Some(name), _) => name.clone(),
                (None, Ty::Boolean) => "Boolean".to_owned(),
                (None, Ty::Integer(_)) => "Integer".to_owned(),
                (None, Ty::Number) => "Number".to_owned(),
                (None, Ty::String(_)) => "String".to_owned(),
                (None, Ty::Array(_)) => "Array".to_owned(),
                (None, Ty::Map(_)) => "Object".to_owned(),
                (None, _) => format!("Variant{}", index + 1),
            };
            let tags = union_tags(reference, schema_name.as_deref(), discriminator.as_deref(), &mapping);
            variants.push(crate::model::Variant { name: names.name(&label, Case::Pascal), shape, tags, boxed: false });
        }
        if discriminator.is_some() && variants.iter().any(|variant| variant.tags.is_empty()) {
            diagnostics.warn(
                &child(pointer, "discriminator"),
                Class::NotSupported,
                "a `oneOf` member without a discriminator value (an inline schema) is not supported yet; it is never chosen when decoding",
            );
        }
        match variants.len() {
            0 => TypeKind::Alias(Shape { ty: Ty::Null, nullable: false, checks: Checks::default() }),
            1 if discriminator.is_none() => {
                let mut shape = variants.remove(0).shape;
                shape.nullable = nullable;
                TypeKind::Alias(shape)
            }
            _ => {
                if nullable {
                    // Recorded on the uses of the union: every shape that names it gets `nullable` below.
                    self.nullable_unions.insert(pointer.to_owned());
                }
                TypeKind::Union { variants, discriminator }
            }
        }
    }

    /// Builds the struct or enum for a schema that [`is_named`] accepted.
    fn named_kind(&mut self, schema: &Value, pointer: &str, hint: &str, diagnostics: &mut Diagnostics) -> TypeKind {
        let Some(object) = schema.as_object() else {
            return TypeKind::Alias(Shape::new(Ty::Any));
        };
        if let Some(kind) = self.all_of_union(object, pointer, hint, diagnostics) {
            return kind;
        }
        if (object.contains_key("oneOf") || object.contains_key("anyOf")) && !is_struct_like(object) {
            if object.contains_key("allOf") {
                diagnostics.warn(
                    &child(pointer, "allOf"),
                    Class::NotSupported,
                    "this `allOf` next to a `oneOf`/`anyOf` is not supported yet (only when the `oneOf`/`anyOf` members are object schemas and no `allOf` member is a union); its properties are left out",
                );
            }
            return self.union(object, pointer, hint, diagnostics);
        }
        if let Some(values) = object.get("enum").and_then(Value::as_array)
            && !object.contains_key("properties")
        {
            return string_enum(values);
        }
        let mut parts = ObjectParts::default();
        self.collect_object(object, pointer, &mut parts, None, diagnostics, &mut vec![pointer.to_owned()]);
        self.struct_kind(object, pointer, hint, parts, diagnostics)
    }
}

/// Builds a string enum: one variant per distinct value, then a catch-all for values added after generation.
fn string_enum(values: &[Value]) -> TypeKind {
    let mut names = Namespace::new();
    let mut seen = BTreeSet::new();
    let variants: Vec<_> = values
        .iter()
        .filter_map(Value::as_str)
        .filter(|text| seen.insert(text.to_string()))
        .map(|text| names.name(text, Case::Pascal))
        .collect();
    let other = names.name("Other", Case::Pascal);
    TypeKind::Enum { variants, other }
}

/// Drops constraints the generated code could not check or that no value can meet, with a warning each.
fn sanity_check(
    checks: &mut Checks,
    object: &serde_json::Map<String, Value>,
    pointer: &str,
    diagnostics: &mut Diagnostics,
) {
    if let Some(pattern) = &checks.pattern
        && let Err(error) = regress::Regex::new(pattern)
    {
        diagnostics.warn(
            &child(pointer, "pattern"),
            Class::Invalid,
            format!("`{pattern}` is not an ECMA-262 regular expression ({error}); the pattern is not checked"),
        );
        checks.pattern = None;
    }
    if object.get("multipleOf").and_then(Value::as_f64).is_some_and(|divisor| divisor <= 0.0) {
        diagnostics.warn(
            &child(pointer, "multipleOf"),
            Class::Invalid,
            "`multipleOf` must be greater than 0; it is not checked",
        );
    }
    if let (Some(minimum), Some(maximum)) = (checks.minimum, checks.maximum)
        && minimum > maximum
    {
        diagnostics.warn(
            pointer,
            Class::Invalid,
            format!("`minimum` {minimum} is greater than `maximum` {maximum}, so no value is valid"),
        );
    }
    if let (Some(min), Some(max)) = (checks.min_length, checks.max_length)
        && min > max
    {
        diagnostics.warn(
            pointer,
            Class::Invalid,
            format!("`minLength` {min} is greater than `maxLength` {max}, so no value is valid"),
        );
    }
}

fn integer_fits(int: IntType, value: i128) -> bool {
    match int {
        IntType::I32 => i32::try_from(value).is_ok(),
        IntType::I64 => i64::try_from(value).is_ok(),
        IntType::U32 => u32::try_from(value).is_ok(),
        IntType::U64 => u64::try_from(value).is_ok(),
    }
}

/// Returns whether a schema admits `null`: `nullable: true`, or `null` among its `enum` values.
fn admits_null(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool).unwrap_or(false)
        || schema.get("enum").and_then(Value::as_array).is_some_and(|values| values.iter().any(Value::is_null))
}

const KNOWN_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// Returns whether a schema becomes a struct or enum of its own rather than an alias of a shape.
fn is_named(schema: &Value) -> bool {
    let Some(object) = schema.as_object() else { return false };
    if object.contains_key("$ref") || single_all_of(object).is_some() {
        return false;
    }
    if object.contains_key("allOf")
        || is_struct_like(object)
        || object.contains_key("oneOf")
        || object.contains_key("anyOf")
    {
        return true;
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

/// Returns the only member of an `allOf` that adds nothing else, with its index, such as
/// `allOf: [$ref: Address]` used to attach a description. Members that only annotate, such as
/// `{nullable: true}` or `{description: ...}`, do not count.
fn single_all_of(object: &serde_json::Map<String, Value>) -> Option<(usize, &Value)> {
    let members = object.get("allOf")?.as_array()?;
    let adds_nothing = !object.contains_key("properties")
        && !object.contains_key("additionalProperties")
        && !object.contains_key("oneOf")
        && !object.contains_key("anyOf");
    let mut substantive = members.iter().enumerate().filter(|(_, member)| !is_annotation(member));
    match (substantive.next(), substantive.next()) {
        (Some(found), None) if adds_nothing => Some(found),
        _ => None,
    }
}

/// Returns whether a schema only annotates another one: every key is `nullable`, a description, an
/// example or another keyword that does not constrain values.
fn is_annotation(schema: &Value) -> bool {
    const ANNOTATIONS: &[&str] =
        &["nullable", "description", "title", "readOnly", "writeOnly", "deprecated", "example", "externalDocs"];
    schema.as_object().is_some_and(|object| {
        !object.is_empty() && object.keys().all(|key| ANNOTATIONS.contains(&key.as_str()) || key.starts_with("x-"))
    })
}

/// Returns whether an annotation member of the `allOf` sets `nullable: true`.
fn all_of_adds_nullable(object: &serde_json::Map<String, Value>) -> bool {
    let members = object.get("allOf").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    members.iter().any(|member| is_annotation(member) && member.get("nullable").and_then(Value::as_bool) == Some(true))
}

/// Returns whether the schema is an object schema with declared properties.
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

/// Turns a local reference such as `#/components/schemas/A%20B` into the JSON pointer `/components/schemas/A B`.
fn local_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8().ok()?;
    Some(decoded.into_owned())
}

/// Builds a type name for the schema at `pointer` from its last tokens, such as `TagAllOf0` for `/components/schemas/Tag/allOf/0`.
fn pointer_hint(pointer: &str) -> String {
    let tokens: Vec<String> = pointer.split('/').skip(1).map(unescape_token).collect();
    let skip = if tokens.len() >= 3 && tokens[0] == "components" { 2 } else { tokens.len().saturating_sub(3) };
    tokens[skip..].iter().map(|token| to_ident(token, Case::Pascal)).collect()
}

/// Removes union variants and alias targets that lead back to their own type through unions and aliases
/// alone. No value can be decoded into such a variant (serde would recurse without end), and an alias of
/// itself is not a Rust type.
fn break_degenerate_cycles(types: &mut [NamedType], diagnostics: &mut Diagnostics) {
    let transparent: Vec<Vec<usize>> = types
        .iter()
        .map(|ty| match &ty.kind {
            TypeKind::Union { variants, .. } => variants.iter().filter_map(|v| direct_target(&v.shape)).collect(),
            TypeKind::Alias(shape) => direct_target(shape).into_iter().collect(),
            TypeKind::Struct { .. } | TypeKind::Enum { .. } => Vec::new(),
        })
        .collect();
    let loops_back =
        |from: usize, shape: &Shape| direct_target(shape).is_some_and(|to| reaches(&transparent, to, from));
    for (index, ty) in types.iter_mut().enumerate() {
        let pointer = ty.pointer.clone();
        match &mut ty.kind {
            TypeKind::Union { variants, .. } => {
                let before = variants.len();
                variants.retain(|variant| !loops_back(index, &variant.shape));
                if variants.len() < before {
                    diagnostics.warn(
                        &pointer,
                        Class::Invalid,
                        "a `oneOf`/`anyOf` member refers back to the union through unions alone; that member is left out",
                    );
                }
                if variants.is_empty() {
                    ty.kind = TypeKind::Alias(Shape::new(Ty::Any));
                }
            }
            TypeKind::Alias(shape) if loops_back(index, shape) => {
                diagnostics.warn(
                    &pointer,
                    Class::Invalid,
                    "this schema is only a reference to itself; it is typed as any JSON value",
                );
                *shape = Shape::new(Ty::Any);
            }
            _ => {}
        }
    }
}

/// Marks the struct fields and union variants that close a cycle of direct (unboxed) references.
fn box_cycle_edges(types: &mut [NamedType]) {
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|ty| match &ty.kind {
            TypeKind::Struct { fields, .. } => fields.iter().filter_map(|f| direct_target(&f.shape)).collect(),
            TypeKind::Union { variants, .. } => variants.iter().filter_map(|v| direct_target(&v.shape)).collect(),
            TypeKind::Alias(shape) => direct_target(shape).into_iter().collect(),
            TypeKind::Enum { .. } => Vec::new(),
        })
        .collect();
    let mut reach_cache: HashMap<(usize, usize), bool> = HashMap::new();
    let mut cyclic = |from: usize, shape: &Shape| match direct_target(shape) {
        Some(to) => *reach_cache.entry((to, from)).or_insert_with(|| reaches(&edges, to, from)),
        None => false,
    };
    for (from, ty) in types.iter_mut().enumerate() {
        match &mut ty.kind {
            TypeKind::Struct { fields, .. } => {
                for field in fields.iter_mut() {
                    field.boxed = cyclic(from, &field.shape);
                }
            }
            TypeKind::Union { variants, .. } => {
                for variant in variants.iter_mut() {
                    variant.boxed = cyclic(from, &variant.shape);
                }
            }
            TypeKind::Alias(_) | TypeKind::Enum { .. } => {}
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
