//! The api crate: crate root, per-operation request and response types, and the trait.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc, operation_doc};
use super::types::value_type;
use crate::Config;
use crate::model::{Api, Content, ContentKind, Operation, Parameter, Response, StatusMatch, StringFormat, Ty};

pub fn lib(api: &Api, config: &Config) -> TokenStream {
    let title = format!("{} {}: types, validation and the [`{}`] trait.", api.title, api.version, config.trait_name);
    let docs = inner_doc(&[Some(&title), api.description.as_deref()]);
    let types = (!api.types.is_empty()).then(|| quote! { pub use types::*; });
    let operations = (!api.operations.is_empty()).then(|| quote! { pub use operations::*; });
    let uses = |format: StringFormat| api.any_shape(|shape| shape.ty == Ty::String(format));
    let chrono = (uses(StringFormat::DateTime) || uses(StringFormat::Date)).then(|| quote! { pub use ::chrono; });
    let uuid = uses(StringFormat::Uuid).then(|| quote! { pub use ::uuid; });
    let binary = api.uses_binary().then(|| {
        quote! {
            #[rustfmt::skip]
            mod binary;
            pub use binary::{BinaryBody, BodyError, BodyStream, is_media_range, media_type_fits};
        }
    });
    let multipart = api.uses_multipart().then(|| {
        quote! {
            #[rustfmt::skip]
            mod multipart;
            pub use multipart::FilePart;
        }
    });
    quote! {
        #docs
        #[rustfmt::skip]
        mod api;
        #binary
        #[rustfmt::skip]
        mod deserialize;
        #multipart
        #[rustfmt::skip]
        mod operations;
        #[rustfmt::skip]
        mod runtime;
        #[rustfmt::skip]
        mod security;
        #[rustfmt::skip]
        mod types;
        #[rustfmt::skip]
        mod validate;

        pub use api::*;
        #chrono
        #operations
        pub use runtime::{Location, Validate, Violation, describe, pointer_child};
        pub use security::{BasicCredentials, CredentialLocation, Credentials, SchemeRequirement, is_bearer_token};
        #types
        #uuid
    }
}

/// Inner `//!` documentation for a crate root.
pub fn inner_doc(paragraphs: &[Option<&str>]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in paragraphs.iter().flatten() {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(paragraph.trim().lines().map(|line| line.trim().to_owned()));
    }
    let attributes = lines.iter().map(|line| {
        let text = if line.is_empty() { String::new() } else { format!(" {line}") };
        quote! { #![doc = #text] }
    });
    quote! { #(#attributes)* }
}

/// Emits the `operations.rs` module: one request struct and one response enum per operation.
pub fn operations(api: &Api) -> TokenStream {
    let items = api.operations.iter().map(|operation| {
        let body = operation.body.as_ref().map(|body| super::bodies::body_types(api, operation, body));
        let negotiation = super::bodies::negotiation_types(api, operation);
        let multipart_responses = super::bodies::response_body_types(api, operation);
        let request = request_struct(api, operation);
        let response = response_enum(api, operation);
        quote! { #body #multipart_responses #negotiation #request #response }
    });
    quote! {
        //! Request and response types of each operation.
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
        #(#items)*
    }
}

/// Returns the Rust type of a parameter field: `Option` unless required.
pub fn parameter_type(api: &Api, parameter: &Parameter) -> TokenStream {
    let ty = value_type(api, &parameter.shape);
    if parameter.required {
        ty
    } else {
        quote! { ::std::option::Option<#ty> }
    }
}

/// Returns the Rust type of a body, or `None` for a body that carries nothing (`null` only).
pub fn content_type(api: &Api, content: &Content) -> Option<TokenStream> {
    match &content.kind {
        ContentKind::Json(shape) if shape.ty == Ty::Null => None,
        ContentKind::Json(shape) | ContentKind::Form(shape) => Some(value_type(api, shape)),
        ContentKind::Text => Some(quote! { ::std::string::String }),
        ContentKind::Bytes => Some(quote! { crate::BinaryBody }),
        ContentKind::Multipart(multipart) => {
            let name = multipart.type_name.ident();
            Some(quote! { crate::#name })
        }
    }
}

fn request_struct(api: &Api, operation: &Operation) -> TokenStream {
    let name = operation.request_type.ident();
    let method_name = &operation.name.rust;
    let summary = format!("Request of `{}`: `{} {}`.", method_name, operation.method.as_str(), operation.path);
    let docs = doc(&[Some(&summary)]);

    let parameters = operation.parameters.iter().map(|parameter| {
        let field = parameter.name.ident();
        let ty = parameter_type(api, parameter);
        let origin = format!("The {} parameter `{}`.", parameter.location.as_str(), parameter.name.wire);
        let docs = doc(&[parameter.description.as_deref(), Some(&origin)]);
        quote! { #docs pub #field: #ty }
    });
    let body = operation.body.as_ref().and_then(|body| {
        let ty = super::bodies::body_type(api, body)?;
        let ty = if body.required {
            ty
        } else {
            quote! { ::std::option::Option<#ty> }
        };
        let media_types: Vec<String> =
            body.contents().iter().map(|content| format!("`{}`", content.media_type)).collect();
        let origin = match media_types.as_slice() {
            [one] => format!("The request body, sent as {one}."),
            several => format!("The request body, sent as one of {}.", several.join(", ")),
        };
        let docs = doc(&[body.description.as_deref(), Some(&origin)]);
        Some(quote! { #docs pub body: #ty })
    });
    let accept = operation.accept.as_ref().map(|choice| {
        let name = choice.type_name.ident();
        let text = "The response media type. The server sets it to the best match of the `Accept` header, or to the \
            first media type when the header is missing, and responds with 406 itself when nothing matches. The client \
            asks for it first and accepts the others with a lower weight.";
        let docs = doc(&[Some(text)]);
        quote! { #docs pub accept: crate::#name }
    });
    let credentials = operation.security.is_declared().then(|| {
        let text = if operation.security.is_required() {
            "Credentials of the call. The server always sets them, and responds with 401 itself when they are missing. \
             A router with an authenticator adds the principal. When they are `None`, the client sends its fixed \
             credentials or requests them from its token source."
        } else {
            "Credentials of the call, if any; anonymous access is allowed. A router with an authenticator adds the \
             principal when it accepted credentials."
        };
        let docs = doc(&[Some(text)]);
        quote! { #docs pub credentials: ::std::option::Option<crate::Credentials> }
    });
    let fields: Vec<TokenStream> = parameters.chain(body).chain(accept).chain(credentials).collect();

    let all_optional = operation.parameters.iter().all(|p| !p.required)
        && operation.body.as_ref().is_none_or(|body| !body.required || super::bodies::body_type(api, body).is_none());
    let default = all_optional.then(|| quote! { Default, });

    let constants = request_constants(api, operation);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #(#fields,)*
        }

        #constants
    }
}

fn request_constants(api: &Api, operation: &Operation) -> TokenStream {
    let name = operation.request_type.ident();
    let operation_id = &operation.name.wire;
    let method = operation.method.as_str();
    let path = &operation.path;
    let server = api.servers[operation.server].name.ident();
    let security = super::security::requirement_constant(api, operation);
    quote! {
        impl #name {
            /// The operationId in the document, or the name made from method and path when it has none.
            pub const OPERATION_ID: &'static str = #operation_id;
            pub const METHOD: &'static str = #method;
            /// The path template in the document.
            pub const PATH: &'static str = #path;
            /// The server the operation is sent to.
            pub const SERVER: crate::Server = crate::Server::#server;
            /// Alternatives of the security requirement; each lists schemes that must all be present, with
            /// their scopes. An empty alternative allows anonymous access.
            pub const SECURITY: &'static [&'static [crate::SchemeRequirement]] = #security;
        }
    }
}

/// Returns the pattern that binds every part of a response variant: `status`, `body` and one local per header.
pub fn variant_pattern(api: &Api, response_type: &proc_macro2::Ident, response: &Response) -> TokenStream {
    let variant = response.variant.ident();
    let payload = response_payload(api, response).is_some();
    if !response.has_fields() {
        return if payload {
            quote! { crate::#response_type::#variant(body) }
        } else {
            quote! { crate::#response_type::#variant }
        };
    }
    let status = (!matches!(response.status, StatusMatch::Code(_))).then(|| quote! { status });
    let body = payload.then(|| quote! { body });
    let headers = response.headers.iter().map(|header| header.name.ident());
    let fields: Vec<TokenStream> = status.into_iter().chain(body).chain(headers.map(|h| quote! { #h })).collect();
    quote! { crate::#response_type::#variant { #(#fields),* } }
}

/// Returns the payload type of a response variant: `None` for a variant without one.
pub fn response_payload(api: &Api, response: &Response) -> Option<TokenStream> {
    if let Some(choice) = &response.choice {
        let name = choice.type_name.ident();
        return Some(quote! { crate::#name });
    }
    response.content.as_ref().and_then(|content| content_type(api, content))
}

fn response_enum(api: &Api, operation: &Operation) -> TokenStream {
    let name = operation.response_type.ident();
    let summary =
        format!("Responses of `{}`: `{} {}`.", operation.name.rust, operation.method.as_str(), operation.path);
    let docs = doc(&[Some(&summary)]);
    let variants = operation.responses.iter().map(|response| {
        let variant = response.variant.ident();
        let status = status_label(response.status);
        let heading = format!("{status}: {}", response.description.trim());
        let docs = doc(&[Some(&heading)]);
        let payload = response_payload(api, response);
        if !response.has_fields() {
            return match payload {
                Some(payload) => quote! { #docs #variant(#payload) },
                None => quote! { #docs #variant },
            };
        }
        let status = (!matches!(response.status, StatusMatch::Code(_))).then(|| {
            quote! {
                /// The HTTP status code.
                status: u16
            }
        });
        let body = payload.map(|payload| quote! { body: #payload });
        let headers = response.headers.iter().map(|header| {
            let field = header.name.ident();
            let ty = value_type(api, &header.shape);
            let ty = if header.required {
                ty
            } else {
                quote! { ::std::option::Option<#ty> }
            };
            let origin = format!("The `{}` header.", header.name.wire);
            let docs = doc(&[header.description.as_deref(), Some(&origin)]);
            quote! { #docs #field: #ty }
        });
        let fields: Vec<TokenStream> = status.into_iter().chain(body).chain(headers).collect();
        quote! { #docs #variant { #(#fields,)* } }
    });
    let status_arms = operation.responses.iter().map(|response| {
        let variant = response.variant.ident();
        match response.status {
            StatusMatch::Code(code) if response.has_fields() => quote! { Self::#variant { .. } => #code },
            StatusMatch::Code(code) if response_payload(api, response).is_some() => {
                quote! { Self::#variant(..) => #code }
            }
            StatusMatch::Code(code) => quote! { Self::#variant => #code },
            StatusMatch::Range(_) | StatusMatch::Default => quote! { Self::#variant { status, .. } => *status },
        }
    });
    // A reference to an empty enum is not uninhabited for exhaustiveness checks; its value is.
    let scrutinee = if operation.responses.is_empty() {
        quote! { *self }
    } else {
        quote! { self }
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants,)*
        }

        impl #name {
            /// Returns the HTTP status code of the response.
            pub fn status(&self) -> u16 {
                match #scrutinee {
                    #(#status_arms,)*
                }
            }
        }
    }
}

pub fn status_label(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => code.to_string(),
        StatusMatch::Range(digit) => format!("{digit}XX"),
        StatusMatch::Default => "Any other status".to_owned(),
    }
}

/// Emits the `api.rs` module: the trait, servers, security schemes and credentials.
pub fn api_trait(api: &Api, config: &Config) -> TokenStream {
    let trait_name = format_ident!("{}", config.trait_name);
    let title = format!("The operations of {} {}.", api.title, api.version);
    let explanation = "The server crate calls an implementation of this trait, and the client crate implements it over HTTP. \
        Code written against the trait therefore runs unchanged against both.";
    let trait_docs = doc(&[Some(&title), Some(explanation)]);
    let methods = api.operations.iter().map(|operation| {
        let docs = operation_doc(operation);
        let method = operation.name.ident();
        let request = operation.request_type.ident();
        let response = operation.response_type.ident();
        quote! {
            #docs
            fn #method(&self, request: crate::#request)
                -> impl ::std::future::Future<Output = ::std::result::Result<crate::#response, Self::Error>> + Send;
        }
    });
    let servers = servers(api);
    let schemes = super::security::security_schemes(api);
    quote! {
        //! The API trait, its servers and its security schemes.

        #trait_docs
        pub trait #trait_name: Send + Sync {
            /// The error an implementation reports outside the documented responses. The server logs it and responds
            /// with 500. The client uses it for transport failures, undecodable bodies and undocumented statuses.
            type Error: ::std::fmt::Display + ::std::fmt::Debug + Send + Sync + 'static;

            #(#methods)*
        }

        #servers
        #schemes
    }
}

fn servers(api: &Api) -> TokenStream {
    let variants: Vec<_> = api.servers.iter().map(|server| server.name.ident()).collect();
    let docs = api.servers.iter().map(|server| {
        let url = format!("`{}`", server.url);
        doc(&[server.description.as_deref(), Some(&url)])
    });
    let urls = api.servers.iter().map(|server| &server.url);
    quote! {
        /// The servers of the document; `Default` is the first, used by operations without their own.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Server {
            #(#docs #variants,)*
        }

        impl Server {
            /// Every server, in the order of the enum.
            pub const ALL: &'static [Server] = &[#(Server::#variants),*];

            /// Returns the documented base URL.
            pub fn url(self) -> &'static str {
                match self {
                    #(Server::#variants => #urls,)*
                }
            }
        }
    }
}
