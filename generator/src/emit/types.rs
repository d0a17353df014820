//! Named types: structs, string enums and aliases.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::deserialize::{StructParts, struct_deserialize};
use super::docs::doc;
use crate::model::{Api, DefaultValue, Field, IntType, NamedType, Shape, StringFormat, Ty, TypeKind, Variant};

/// Emits the `types.rs` module of the api crate.
pub fn types(api: &Api) -> TokenStream {
    let items = api.types.iter().map(|ty| named_type(api, ty));
    let has_structs = api.types.iter().any(|ty| matches!(ty.kind, TypeKind::Struct { .. }));
    // Type names are PascalCase, so no schema can take this name.
    let import = has_structs.then(|| quote! { use crate::deserialize as de; });
    quote! {
        //! Types of the schemas in the document, and of the inline schemas of its operations.
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]

        #import

        #(#items)*
    }
}

fn named_type(api: &Api, ty: &NamedType) -> TokenStream {
    let name = ty.name.ident();
    let origin = format!("Schema `{}`.", ty.name.wire);
    let docs = doc(&[ty.description.as_deref(), Some(&origin)]);
    match &ty.kind {
        TypeKind::Struct { fields, deny_unknown, additional } => {
            let parts =
                StructParts { name: &ty.name, fields, deny_unknown: *deny_unknown, additional: additional.as_ref() };
            let deserialize = struct_deserialize(api, &parts);
            let additional = additional.as_ref().map(|(name, shape)| {
                let ident = name.ident();
                let values = value_type(api, shape);
                quote! {
                    /// The properties the schema does not name (`additionalProperties`).
                    #[serde(flatten)]
                    pub #ident: ::std::collections::BTreeMap<::std::string::String, #values>
                }
            });
            let defaults = default_functions(api, &ty.name.rust, fields);
            let fields = fields.iter().map(|field| struct_field(api, field)).chain(additional);
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
                pub struct #name {
                    #(#fields,)*
                }

                #deserialize

                #defaults
            }
        }
        TypeKind::Enum { variants, other } => string_enum(&name, &docs, variants, other),
        TypeKind::Alias(shape) => {
            let target = value_type(api, shape);
            quote! {
                #docs
                pub type #name = #target;
            }
        }
        TypeKind::Union { variants, discriminator } => union(api, &name, &docs, variants, discriminator.as_deref()),
    }
}

/// Returns the payload type of a union variant.
pub fn variant_type(api: &Api, variant: &Variant) -> TokenStream {
    let ty = value_type(api, &variant.shape);
    if variant.boxed {
        quote! { ::std::boxed::Box<#ty> }
    } else {
        ty
    }
}

/// Emits an enum with one tuple variant per member: untagged, or chosen by the discriminator property when there is one.
fn union(
    api: &Api,
    name: &proc_macro2::Ident,
    docs: &TokenStream,
    variants: &[Variant],
    discriminator: Option<&str>,
) -> TokenStream {
    let declarations = variants.iter().map(|variant| {
        let ident = variant.name.ident();
        let ty = variant_type(api, variant);
        quote! { #ident(#ty) }
    });
    let Some(property) = discriminator else {
        return quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #[serde(untagged)]
            pub enum #name {
                #(#declarations,)*
            }
        };
    };
    let arms = variants.iter().filter(|variant| !variant.tags.is_empty()).map(|variant| {
        let ident = variant.name.ident();
        let tags = &variant.tags;
        let wrap = if variant.boxed { quote! { |value| Self::#ident(::std::boxed::Box::new(value)) } } else { quote! { Self::#ident } };
        quote! {
            ::std::option::Option::Some(#(#tags)|*) => ::serde_json::from_value(value).map(#wrap).map_err(D::Error::custom)
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#declarations,)*
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                use ::serde::de::Error as _;
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#property).and_then(::serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#arms,)*
                    ::std::option::Option::Some(other) => {
                        Err(D::Error::custom(format!("unknown `{}` value `{}`", #property, other)))
                    }
                    ::std::option::Option::None => {
                        Err(D::Error::custom(format!("missing discriminator property `{}`", #property)))
                    }
                }
            }
        }
    }
}

/// The name of the function that returns a field's default, for `#[serde(default = "...")]`.
pub(super) fn default_function(struct_name: &str, field: &Field) -> proc_macro2::Ident {
    use heck::ToSnakeCase;
    format_ident!("default_{}_{}", struct_name.to_snake_case(), field.name.base().trim_end_matches('_'))
}

/// A function returning the default of each field that has one.
fn default_functions(api: &Api, struct_name: &str, fields: &[Field]) -> TokenStream {
    let functions = fields.iter().filter_map(|field| {
        let value = field.default.as_ref()?;
        let function = default_function(struct_name, field);
        let ty = base_type(api, &field.shape.ty);
        let literal = match value {
            DefaultValue::Text(text) => quote! { #text.to_owned() },
            DefaultValue::Integer(integer) => {
                let literal = match field.shape.ty {
                    Ty::Integer(IntType::I32) => proc_macro2::Literal::i32_suffixed(*integer as i32),
                    Ty::Integer(IntType::U32) => proc_macro2::Literal::u32_suffixed(*integer as u32),
                    Ty::Integer(IntType::U64) => proc_macro2::Literal::u64_suffixed(*integer as u64),
                    _ => proc_macro2::Literal::i64_suffixed(*integer as i64),
                };
                quote! { #literal }
            }
            DefaultValue::Number(number) => {
                let literal = proc_macro2::Literal::f64_suffixed(*number);
                quote! { #literal }
            }
            DefaultValue::Boolean(flag) => quote! { #flag },
            DefaultValue::Variant(variant) => {
                let variant = variant.ident();
                quote! { #ty::#variant }
            }
        };
        let ty = if field.boxed {
            quote! { ::std::boxed::Box<#ty> }
        } else {
            ty
        };
        let literal = if field.boxed {
            quote! { ::std::boxed::Box::new(#literal) }
        } else {
            literal
        };
        Some(quote! {
            fn #function() -> #ty {
                #literal
            }
        })
    });
    quote! { #(#functions)* }
}

fn struct_field(api: &Api, field: &Field) -> TokenStream {
    let name = field.name.ident();
    let wire = &field.name.wire;
    let docs = doc(&[field.description.as_deref()]);
    let mut inner = base_type(api, &field.shape.ty);
    if field.boxed {
        inner = quote! { ::std::boxed::Box<#inner> };
    }
    let rename = (field.name.base() != wire).then(|| quote! { #[serde(rename = #wire)] });
    // Deserialization is written out in `deserialize.rs`; these attributes serve `Serialize` only.
    let (ty, attributes) = match (field.required, field.shape.nullable) {
        (true, false) => (inner, quote! {}),
        (true, true) => (quote! { ::std::option::Option<#inner> }, quote! {}),
        // Absent is `None`, `null` is `Some(None)`.
        (false, true) => (
            quote! { ::std::option::Option<::std::option::Option<#inner>> },
            quote! { #[serde(skip_serializing_if = "Option::is_none")] },
        ),
        (false, false) => {
            (quote! { ::std::option::Option<#inner> }, quote! { #[serde(skip_serializing_if = "Option::is_none")] })
        }
    };
    quote! {
        #docs
        #rename
        #attributes
        pub #name: #ty
    }
}

fn string_enum(
    name: &proc_macro2::Ident,
    docs: &TokenStream,
    variants: &[crate::naming::Name],
    other: &crate::naming::Name,
) -> TokenStream {
    let idents: Vec<_> = variants.iter().map(|v| v.ident()).collect();
    let wires: Vec<&String> = variants.iter().map(|v| &v.wire).collect();
    let other = other.ident();
    let expected = wires.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ");
    let declarations = idents.iter().zip(&wires).map(|(ident, wire)| {
        let doc = format!(" `{wire}`");
        quote! {
            #[doc = #doc]
            #ident
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#declarations,)*
            /// A value the document does not list, kept so that a client can decode values added later.
            /// The server rejects it in validation.
            #other(::std::string::String),
        }

        impl #name {
            /// Every documented value, in document order.
            pub const ALL: &'static [Self] = &[#(Self::#idents),*];

            /// Returns the value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #wires,)*
                    Self::#other(value) => value,
                }
            }

            /// Returns whether the value is one the document lists.
            pub fn is_documented(&self) -> bool {
                !matches!(self, Self::#other(_))
            }

            /// Every documented value as written on the wire, for messages.
            pub const EXPECTED: &'static str = #expected;
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::string::String;

            /// Parses a documented value; parameters accept no other.
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                match value {
                    #(#wires => Ok(Self::#idents),)*
                    other => Err(format!("unknown value `{other}`; expected one of {}", Self::EXPECTED)),
                }
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(match value.as_str() {
                    #(#wires => Self::#idents,)*
                    _ => Self::#other(value),
                })
            }
        }
    }
}

/// Returns the Rust type of a value of `shape`, with `Option` when it is nullable.
pub fn value_type(api: &Api, shape: &Shape) -> TokenStream {
    let base = base_type(api, &shape.ty);
    if shape.nullable && shape.ty != Ty::Null {
        quote! { ::std::option::Option<#base> }
    } else {
        base
    }
}

/// Returns the Rust type of `ty`, without nullability.
pub fn base_type(api: &Api, ty: &Ty) -> TokenStream {
    match ty {
        Ty::Boolean => quote! { bool },
        Ty::Integer(int) => int_type(*int),
        Ty::Number => quote! { f64 },
        // Through the api crate's re-exports, so the server and client crates need no dependency of their own.
        Ty::String(StringFormat::DateTime) => quote! { crate::chrono::DateTime<crate::chrono::Utc> },
        Ty::String(StringFormat::Date) => quote! { crate::chrono::NaiveDate },
        Ty::String(StringFormat::Uuid) => quote! { crate::uuid::Uuid },
        Ty::String(_) => quote! { ::std::string::String },
        Ty::Array(items) => {
            let items = value_type(api, items);
            quote! { ::std::vec::Vec<#items> }
        }
        Ty::Map(values) => {
            let values = value_type(api, values);
            quote! { ::std::collections::BTreeMap<::std::string::String, #values> }
        }
        Ty::Named(id) => {
            let name = api.ty(*id).name.ident();
            quote! { crate::#name }
        }
        Ty::Any => quote! { ::serde_json::Value },
        Ty::Null => quote! { () },
    }
}

pub fn int_type(int: IntType) -> TokenStream {
    match int {
        IntType::I32 => quote! { i32 },
        IntType::I64 => quote! { i64 },
        IntType::U32 => quote! { u32 },
        IntType::U64 => quote! { u64 },
    }
}
