//! `Deserialize` implementations of structs, written out instead of derived.
//!
//! They read a struct from a map only, through the `Object` trait and the helpers of the api crate's
//! `deserialize.rs`, which `types.rs` imports as `de`. serde's derive also emits a sequence visitor
//! and a field enum with its own visitor for every struct, and on documents with hundreds of schemas
//! that code is the largest share of the api crate's check time.
//! Errors keep serde's wording (`missing field`, `duplicate field`, `unknown field`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::{default_function, value_type};
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
    let wires = parts.fields.iter().map(|field| &field.name.wire);
    let slots: Vec<_> = (0..parts.fields.len()).map(|index| format_ident!("field_{}", index)).collect();

    // The slots' types are inferred from the struct literal below, which keeps the emitted code short.
    // `Default` is implemented for tuples of up to 12 elements.
    let declarations = slots.chunks(12).map(|chunk| {
        quote! { let (#(mut #chunk,)*) = ::std::default::Default::default(); }
    });
    let arms = parts.fields.iter().zip(&slots).enumerate().map(|(index, (field, slot))| {
        let wire = &field.name.wire;
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        quote! { de::Key::Known(#index) => de::set_once(&mut #slot, #wire, map.next_value()?)? }
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
                    let mut additional = ::std::collections::BTreeMap::<::std::string::String, #values>::new();
                }),
                quote! {
                    de::Key::Unknown(key) => {
                        additional.insert(key.into_owned(), map.next_value()?);
                    }
                },
                Some(quote! { #ident: additional }),
            )
        }
        None if parts.deny_unknown => {
            (None, quote! { de::Key::Unknown(key) => return de::unknown(&key, Self::FIELDS) }, None)
        }
        None => (None, quote! { de::Key::Unknown(_) => de::skip(&mut map)? }, None),
    };
    // Every index below `FIELDS.len()` has an arm, so this one only satisfies exhaustiveness.
    let unreachable_arm = quote! { de::Key::Known(_) => de::skip(&mut map)?, };
    let values = values.chain(additional_value);

    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                de::object(deserializer)
            }
        }

        impl de::Object for #name {
            const NAME: &'static str = #wire_name;
            const FIELDS: &'static [&'static str] = &[#(#wires),*];

            fn read<'de, A: ::serde::de::MapAccess<'de>>(mut map: A) -> ::std::result::Result<Self, A::Error> {
                #(#declarations)*
                #additional_declaration
                while let ::std::option::Option::Some(key) = de::key(&mut map, Self::FIELDS)? {
                    match key {
                        #(#arms,)*
                        #unreachable_arm
                        #unknown_arm
                    }
                }
                ::std::result::Result::Ok(Self {
                    #(#values,)*
                })
            }
        }
    }
}

/// Turns the slot of a field into the field's value once the whole object is read.
fn field_value(struct_name: &str, field: &Field, slot: &proc_macro2::Ident) -> TokenStream {
    let wire = &field.name.wire;
    match (field.required, field.shape.nullable) {
        (true, false) if field.default.is_some() => {
            let function = default_function(struct_name, field);
            quote! { de::or_default(#slot, #function) }
        }
        // A required nullable field must be present, and may be `null`.
        (true, _) => quote! { de::required(#slot, #wire)? },
        // Absent is `None`, `null` is `Some(None)`.
        (false, true) => quote! { #slot },
        // Absent and `null` are both `None`.
        (false, false) => quote! { de::optional(#slot) },
    }
}
