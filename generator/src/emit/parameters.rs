//! Parameter extraction in the server and parameter encoding in the client: one call of a generic
//! runtime function per parameter, with a constant that names its location, style and `explode`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::types::base_type;
use crate::model::{Api, Operation, ParamLocation, Parameter, Style, Ty, TypeKind};

/// The kind of value a parameter has, which picks the generic runtime function that reads or writes it.
enum ValueKind {
    Scalar,
    Array,
    Object,
    Json,
}

fn value_kind(api: &Api, parameter: &Parameter) -> ValueKind {
    if parameter.style == Style::Json {
        return ValueKind::Json;
    }
    match &parameter.shape.ty {
        Ty::Array(_) => ValueKind::Array,
        Ty::Named(id) if matches!(api.ty(*id).kind, TypeKind::Struct { .. }) => ValueKind::Object,
        _ => ValueKind::Scalar,
    }
}

fn style_ident(style: Style) -> proc_macro2::Ident {
    format_ident!("{}", style.as_str())
}

/// Returns the index of the path segment that contains the variable `name`, and that segment's template.
fn path_segment<'a>(path: &'a str, name: &str) -> Option<(usize, &'a str)> {
    path.split('/')
        .enumerate()
        .find(|(_, segment)| crate::model::segment_variables(segment).any(|variable| variable == name))
}

/// Names the handler's local variable for a parameter, prefixed so it cannot shadow the handler's own locals.
pub(super) fn local_name(parameter: &Parameter) -> proc_macro2::Ident {
    format_ident!("parameter_{}", parameter.name.base())
}

/// Emits the statement that extracts one parameter into `parameter_<name>`, recording a violation on failure.
pub(super) fn server_extraction(api: &Api, path: &str, parameter: &Parameter) -> TokenStream {
    let ident = local_name(parameter);
    let wire = &parameter.name.wire;
    let style = style_ident(parameter.style);
    let explode = parameter.explode;
    let (location, variant) = match parameter.location {
        ParamLocation::Path => {
            // A variable missing from the template gets a position past the end, so extraction reports it missing.
            let (position, template) = path_segment(path, wire).unwrap_or((usize::MAX, ""));
            (quote! { Path(#position, #template) }, quote! { Path })
        }
        ParamLocation::Query => (quote! { Query }, quote! { Query }),
        ParamLocation::Header => (quote! { Header }, quote! { Header }),
        ParamLocation::Cookie => (quote! { Cookie }, quote! { Cookie }),
    };
    let properties = match &parameter.shape.ty {
        Ty::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct { fields, .. } => fields.iter().map(|field| field.name.wire.clone()).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let (function, ty) = match (value_kind(api, parameter), &parameter.shape.ty) {
        (ValueKind::Array, Ty::Array(items)) => (quote! { array }, base_type(api, &items.ty)),
        (ValueKind::Object, ty) => (quote! { object }, base_type(api, ty)),
        (ValueKind::Json, ty) => (quote! { json }, base_type(api, ty)),
        (_, ty) => (quote! { scalar }, base_type(api, ty)),
    };
    let unwrap = parameter.required.then(|| {
        quote! { .and_then(|value| value.ok_or_else(|| runtime::missing(crate::Location::#variant(#wire.to_owned())))) }
    });
    quote! {
        let #ident = parameters::#function::<#ty>(&wire, &parameters::Param {
            name: #wire,
            location: parameters::In::#location,
            style: parameters::Style::#style,
            explode: #explode,
            properties: &[#(#properties),*],
        }) #unwrap .map_err(|violation| violations.push(violation)).ok();
    }
}

fn client_param(parameter: &Parameter) -> TokenStream {
    let wire = &parameter.name.wire;
    let style = style_ident(parameter.style);
    let explode = parameter.explode;
    quote! { &parameters::Param { name: #wire, style: parameters::Style::#style, explode: #explode } }
}

/// Emits the expression that fills the path template with the encoded path parameters.
pub(super) fn client_path(operation: &Operation) -> TokenStream {
    let path = &operation.path;
    let mut values = Vec::new();
    let mut rest = path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(length) = rest[start..].find('}') else { break };
        let wire = crate::model::template_variable(&rest[start + 1..start + length]);
        let parameter = operation.parameters.iter().find(|p| p.location == ParamLocation::Path && p.name.wire == wire);
        values.push(match parameter {
            Some(parameter) => {
                let field = parameter.name.ident();
                let param = client_param(parameter);
                quote! { parameters::path(&request.#field, #param)? }
            }
            None => quote! { ::std::string::String::new() },
        });
        rest = &rest[start + length + 1..];
    }
    if values.is_empty() {
        return quote! { ::std::string::String::from(#path) };
    }
    quote! { parameters::fill_path(#path, &[#(#values),*])? }
}

/// Emits the statement that adds one query, header or cookie parameter to the request being built.
pub(super) fn client_encoding(parameter: &Parameter) -> Option<TokenStream> {
    let field = parameter.name.ident();
    let param = client_param(parameter);
    let target = match parameter.location {
        ParamLocation::Path => return None,
        ParamLocation::Query => quote! { query(&mut query, &request.#field, #param) },
        ParamLocation::Header => quote! { header(&mut headers, &request.#field, #param) },
        ParamLocation::Cookie => quote! { cookie(&mut cookies, &request.#field, #param) },
    };
    Some(quote! { parameters::#target?; })
}
