//! `Deserialize` implementations of structs, written out instead of derived.
//!
//! They read a struct from a map only, through the helpers of the api crate's `deserialize.rs`. serde's
//! derive also emits a sequence visitor and a field enum with its own visitor for every struct, and on
//! documents with hundreds of schemas that code is the largest share of the api crate's check time.
//! Errors keep serde's wording (`missing field`, `duplicate field`, `unknown field`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::{base_type, default_function, value_type};
use crate::model::{Api, Field, Shape};
use crate::naming::Name;

/// The parts of a struct that its `Deserialize` implementation reads.
pub struct StructParts<'a> {
    pub name: &'a Name,
    pub fields: &'a [Field],
    pub deny_unknown: bool,
    pub additional: Option<&'a (Name, Shape)>,
}

pub fn struct_deserialize(api: &Api, parts: &StructParts) -> TokenStream {
    let name = parts.name.ident();
    let wire_name = &parts.name.wire;
    let expecting = format!("an object `{wire_name}`");
    let wires = parts.fields.iter().map(|field| &field.name.wire);
    let slots: Vec<_> = (0..parts.fields.len()).map(|index| format_ident!("field_{}", index)).collect();

    let declarations = parts.fields.iter().zip(&slots).map(|(field, slot)| {
        let ty = slot_type(api, field);
        quote! { let mut #slot: ::std::option::Option<#ty> = ::std::option::Option::None; }
    });
    let arms = parts.fields.iter().zip(&slots).enumerate().map(|(index, (field, slot))| {
        let wire = &field.name.wire;
        quote! { crate::deserialize::Key::Known(#index) => crate::deserialize::set_once(&mut #slot, #wire, map.next_value()?)? }
    });
    let values = parts.fields.iter().zip(&slots).map(|(field, slot)| {
        let ident = field.name.ident();
        let value = field_value(&parts.name.rust, field, slot);
        quote! { #ident: #value }
    });

    let (additional_declaration, unknown_arm, additional_value) = match parts.additional {
        Some((additional, shape)) => {
            let ident = additional.ident();
            let values = value_type(api, shape);
            (
                Some(quote! {
                    let mut additional: ::std::collections::BTreeMap<::std::string::String, #values> =
                        ::std::collections::BTreeMap::new();
                }),
                quote! {
                    crate::deserialize::Key::Unknown(key) => {
                        additional.insert(key.into_owned(), map.next_value()?);
                    }
                },
                Some(quote! { #ident: additional }),
            )
        }
        None if parts.deny_unknown => (
            None,
            quote! { crate::deserialize::Key::Unknown(key) => return crate::deserialize::unknown(&key, FIELDS) },
            None,
        ),
        None => (
            None,
            quote! {
                crate::deserialize::Key::Unknown(_) => {
                    map.next_value::<::serde::de::IgnoredAny>()?;
                }
            },
            None,
        ),
    };
    // Every index below `FIELDS.len()` has an arm, so this one only satisfies exhaustiveness.
    let unreachable_arm = (!parts.fields.is_empty()).then(|| {
        quote! {
            crate::deserialize::Key::Known(_) => {
                map.next_value::<::serde::de::IgnoredAny>()?;
            }
        }
    });
    let values = values.chain(additional_value);

    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                const FIELDS: &[&str] = &[#(#wires),*];

                struct Visitor;

                // Paths start at `crate`, so a schema named `Visitor` cannot refer to this struct.
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = crate::#name;

                    fn expecting(&self, formatter: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        formatter.write_str(#expecting)
                    }

                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<crate::#name, A::Error> {
                        #(#declarations)*
                        #additional_declaration
                        while let ::std::option::Option::Some(key) = map.next_key_seed(crate::deserialize::KeySeed(FIELDS))? {
                            match key {
                                #(#arms,)*
                                #unreachable_arm
                                #unknown_arm
                            }
                        }
                        ::std::result::Result::Ok(crate::#name {
                            #(#values,)*
                        })
                    }
                }

                deserializer.deserialize_struct(#wire_name, FIELDS, Visitor)
            }
        }
    }
}

/// Returns the type read for a field: its own type, except that an optional or nullable field reads `Option<T>`.
fn slot_type(api: &Api, field: &Field) -> TokenStream {
    let mut inner = base_type(api, &field.shape.ty);
    if field.boxed {
        inner = quote! { ::std::boxed::Box<#inner> };
    }
    if field.required && !field.shape.nullable {
        inner
    } else {
        quote! { ::std::option::Option<#inner> }
    }
}

/// Turns the slot of a field into the field's value once the whole object is read.
fn field_value(struct_name: &str, field: &Field, slot: &proc_macro2::Ident) -> TokenStream {
    let wire = &field.name.wire;
    match (field.required, field.shape.nullable) {
        (true, false) if field.default.is_some() => {
            let function = default_function(struct_name, field);
            quote! { #slot.unwrap_or_else(#function) }
        }
        // A required nullable field must be present, and may be `null`.
        (true, _) => quote! { crate::deserialize::required(#slot, #wire)? },
        // Absent is `None`, `null` is `Some(None)`.
        (false, true) => quote! { #slot },
        // Absent and `null` are both `None`.
        (false, false) => quote! { #slot.flatten() },
    }
}
