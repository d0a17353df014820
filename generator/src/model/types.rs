//! Named types and the shapes of values.

use crate::naming::Name;

/// Index of a [`NamedType`] in [`crate::model::Api::types`]; assigned before conversion, so recursion needs no special case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

#[derive(Debug, Clone)]
pub struct NamedType {
    /// Rust type name; the wire name is the schema name, or the place an inline schema came from.
    pub name: Name,
    pub description: Option<String>,
    pub kind: TypeKind,
    /// JSON pointer of the schema.
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct {
        fields: Vec<Field>,
        /// `additionalProperties: false`: unknown fields are rejected.
        deny_unknown: bool,
        /// `additionalProperties` with a schema (or `true`): a flattened map of the properties not named.
        additional: Option<(Name, Shape)>,
    },
    /// A string enum; each variant's wire name is the value.
    Enum {
        variants: Vec<Name>,
        /// The catch-all variant that keeps a value the document does not list, so a client can
        /// decode values a server added later. The server rejects it in validation.
        other: Name,
    },
    /// Another name for a shape, emitted as a type alias.
    Alias(Shape),
    /// `oneOf`/`anyOf`: one of several shapes, tried in order unless a discriminator property picks one.
    Union {
        variants: Vec<Variant>,
        /// The property whose value names the variant (`discriminator.propertyName`).
        discriminator: Option<String>,
    },
}

/// One alternative of a union.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: Name,
    pub shape: Shape,
    /// Discriminator values that select this variant.
    pub tags: Vec<String>,
    /// Set when the variant refers back to the union, so the enum has a finite size.
    pub boxed: bool,
}

#[derive(Debug, Clone)]
pub struct Field {
    /// Struct field; the wire name is the property name.
    pub name: Name,
    pub description: Option<String>,
    pub shape: Shape,
    /// Whether the field is always present in Rust: required by the schema, or optional with a `default`.
    pub required: bool,
    /// The value an absent field takes; such a field is not an `Option`.
    pub default: Option<DefaultValue>,
    /// Set on the edges that close a cycle of named types, so the struct has a finite size.
    pub boxed: bool,
}

/// A schema `default` that matches the field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Text(String),
    Integer(i128),
    Number(f64),
    Boolean(bool),
    /// A variant of a string enum.
    Variant(Name),
}

/// The type of a value together with the constraints it must meet.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub ty: Ty,
    /// `nullable: true`: JSON `null` is accepted and becomes `None`.
    pub nullable: bool,
    pub checks: Checks,
}

impl Shape {
    pub fn new(ty: Ty) -> Self {
        Shape { ty, nullable: false, checks: Checks::default() }
    }

    /// Returns whether `predicate` holds for this shape or any shape nested in it (not following named types).
    pub fn any(&self, predicate: &impl Fn(&Shape) -> bool) -> bool {
        predicate(self)
            || match &self.ty {
                Ty::Array(inner) | Ty::Map(inner) => inner.any(predicate),
                _ => false,
            }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Boolean,
    Integer(IntType),
    Number,
    String(StringFormat),
    Array(Box<Shape>),
    /// A JSON object used as a map from string keys.
    Map(Box<Shape>),
    Named(TypeId),
    /// Any JSON value.
    Any,
    /// Only the JSON literal `null`.
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntType {
    I32,
    I64,
    U32,
    U64,
}

/// String formats with a meaning in generated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFormat {
    Plain,
    /// Kept as text and checked.
    Email,
    /// RFC 3339 `date-time`, as `chrono::DateTime<Utc>`.
    DateTime,
    /// RFC 3339 `full-date`, as `chrono::NaiveDate`.
    Date,
    /// As `uuid::Uuid`.
    Uuid,
    /// Kept as text and checked.
    Uri,
}

impl StringFormat {
    /// Returns whether values of this format are Rust `String`s rather than parsed types.
    pub fn is_text(self) -> bool {
        matches!(self, StringFormat::Plain | StringFormat::Email | StringFormat::Uri)
    }
}

/// JSON Schema validation keywords that apply to a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// ECMA-262 regular expression, checked with `regress`.
    pub pattern: Option<String>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub multiple_of: Option<f64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique_items: bool,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    /// Allowed values of a non-string `enum`, as JSON text.
    pub allowed: Option<Vec<String>>,
}

impl Checks {
    pub fn is_empty(&self) -> bool {
        *self == Checks::default()
    }
}
