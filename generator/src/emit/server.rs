//! The server crate: an axum router that extracts, authenticates and validates requests, then calls the trait.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::api::{inner_doc, variant_pattern};
use super::crate_ident;
use super::types::base_type;
use crate::Config;
use crate::model::{Api, ErrorFieldRole, Operation, StatusMatch, TypeKind};

pub fn lib(api: &Api, config: &Config) -> TokenStream {
    let api_crate = crate_ident(&config.api_crate);
    let title = format!(
        "{} {}: an axum router that serves any implementation of [`{}`].",
        api.title, api.version, config.trait_name
    );
    let docs =
        inner_doc(&[Some(&title), Some("The api crate is re-exported, so implementers depend on this crate alone.")]);
    let multipart = api.uses_multipart().then(|| {
        quote! {
            #[rustfmt::skip]
            mod multipart;
            #[rustfmt::skip]
            mod multipart_wire;
        }
    });
    let binary = api.uses_binary().then(|| quote! { #[rustfmt::skip] mod binary; });
    quote! {
        #docs
        #[rustfmt::skip]
        mod parameters;
        #[rustfmt::skip]
        mod router;
        #binary
        #multipart
        #[rustfmt::skip]
        mod runtime;
        #[rustfmt::skip]
        mod security;

        pub use #api_crate;
        pub use #api_crate::*;
        pub use router::{router, router_with, router_with_authenticator};
        pub use runtime::{Rejection, RejectionMessage, ServerOptions};
        pub use security::{AuthError, Authenticator, Credential};
    }
}

pub fn router(api: &Api, config: &Config) -> TokenStream {
    let trait_name = format_ident!("{}", config.trait_name);
    let mut routes: Vec<(String, Vec<TokenStream>)> = Vec::new();
    for operation in api.operations.iter().filter(|operation| operation.served) {
        let route = crate::model::route(&operation.path);
        let method = format_ident!("{}", operation.method.as_str().to_ascii_lowercase());
        let handler = operation.name.ident();
        let call = quote! { #method(#handler::<A>) };
        match routes.iter_mut().find(|(known, _)| *known == route) {
            Some((_, calls)) => calls.push(call),
            None => routes.push((route, vec![call])),
        }
    }
    let routes = routes.iter().map(|(route, calls)| {
        quote! { .route(#route, ::axum::routing::MethodRouter::new() #(.#calls)*) }
    });
    let handlers =
        api.operations.iter().filter(|operation| operation.served).map(|operation| handler(api, config, operation));
    let error_response = error_response(api);
    quote! {
        //! The router and one handler per operation.
        #![allow(unused_imports, unused_mut, unused_variables)]

        use ::std::sync::Arc;

        use ::axum::extract::{Request, State};
        use ::axum::http::StatusCode;
        use ::axum::response::Response;

        use crate::#trait_name;
        use crate::parameters;
        use crate::runtime::{self, Rejection, ServerOptions};
        use crate::security::{self, Authenticator, ErasedAuthenticator};

        // A document without operations never reads `api`, one without security never reads `authenticator`.
        #[allow(dead_code)]
        struct Shared<A> {
            api: A,
            authenticator: ::std::option::Option<::std::boxed::Box<dyn ErasedAuthenticator>>,
            options: ServerOptions,
        }

        /// Builds a router that serves every operation of the document with `api`, with default options.
        pub fn router<A: #trait_name + 'static>(api: A) -> ::axum::Router {
            router_with(api, ServerOptions::default())
        }

        /// Builds a router that serves every operation of the document with `api`. It checks only that the
        /// credentials of a secured operation are present, and leaves their verification to `api`.
        pub fn router_with<A: #trait_name + 'static>(api: A, options: ServerOptions) -> ::axum::Router {
            build(api, ::std::option::Option::None, options)
        }

        /// Builds a router that checks the credentials of every secured operation with `authenticator` before
        /// it calls `api`, and passes the principal in the request's `credentials`.
        pub fn router_with_authenticator<A: #trait_name + 'static, U: Authenticator>(api: A, authenticator: U, options: ServerOptions) -> ::axum::Router {
            build(api, ::std::option::Option::Some(::std::boxed::Box::new(authenticator)), options)
        }

        fn build<A: #trait_name + 'static>(
            api: A,
            authenticator: ::std::option::Option<::std::boxed::Box<dyn ErasedAuthenticator>>,
            options: ServerOptions,
        ) -> ::axum::Router {
            let timeout = options.request_timeout;
            let shared = Arc::new(Shared { api, authenticator, options });
            let router = ::axum::Router::new()
                #(#routes)*
                .fallback(not_found::<A>)
                .method_not_allowed_fallback(method_not_allowed::<A>)
                .with_state(shared.clone());
            match timeout {
                Some(limit) => router.layer(::axum::middleware::from_fn(move |request: Request, next: ::axum::middleware::Next| {
                    let shared = shared.clone();
                    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
                    async move {
                        match ::tokio::time::timeout(limit, next.run(request)).await {
                            Ok(response) => response,
                            Err(_) => {
                                ::tracing::error!(%method, %path, limit_ms = limit.as_millis() as u64, "the request took longer than the configured limit");
                                reject(&shared, Rejection::Timeout)
                            }
                        }
                    }
                })),
                None => router,
            }
        }

        async fn not_found<A: #trait_name + 'static>(State(shared): State<Arc<Shared<A>>>) -> Response {
            reject(&shared, Rejection::NotFound)
        }

        async fn method_not_allowed<A: #trait_name + 'static>(State(shared): State<Arc<Shared<A>>>) -> Response {
            reject(&shared, Rejection::MethodNotAllowed)
        }

        fn reject<A>(shared: &Shared<A>, rejection: Rejection) -> Response {
            let status = rejection.status();
            let message = shared.options.message(&rejection);
            error_response(status, message)
        }

        #error_response

        #(#handlers)*
    }
}

/// The function that writes a rejection: the document's error schema when it has a usable one, else RFC 9457.
fn error_response(api: &Api) -> TokenStream {
    let Some(error_body) = &api.error_body else {
        return quote! {
            /// Writes an RFC 9457 problem document, since the document declares no usable error schema.
            fn error_response(status: StatusCode, message: ::std::string::String) -> Response {
                let body = ::serde_json::json!({
                    "type": "about:blank",
                    "title": status.canonical_reason().unwrap_or_default(),
                    "status": status.as_u16(),
                    "detail": message,
                });
                runtime::json_response_as(status, &body, "application/problem+json")
            }
        };
    };
    let ty = api.ty(error_body.type_id);
    let name = ty.name.ident();
    let TypeKind::Struct { fields, additional, .. } = &ty.kind else { return quote! {} };
    let additional = additional.as_ref().map(|(name, _)| {
        let ident = name.ident();
        quote! { #ident: ::std::collections::BTreeMap::new(), }
    });
    let initializers = fields.iter().zip(&error_body.roles).map(|(field, role)| {
        let ident = field.name.ident();
        let value = match role {
            ErrorFieldRole::Status => {
                let int = base_type(api, &field.shape.ty);
                quote! { status.as_u16() as #int }
            }
            ErrorFieldRole::Reason => quote! { status.canonical_reason().unwrap_or_default().to_owned() },
            ErrorFieldRole::Message => quote! { message.clone() },
            ErrorFieldRole::Absent => return quote! { #ident: ::std::option::Option::None },
        };
        match (field.required, field.shape.nullable) {
            (true, false) => quote! { #ident: #value },
            (false, true) => quote! { #ident: ::std::option::Option::Some(::std::option::Option::Some(#value)) },
            _ => quote! { #ident: ::std::option::Option::Some(#value) },
        }
    });
    let doc = format!(" Writes a rejection as the document's `{}` schema.", ty.name.wire);
    quote! {
        #[doc = #doc]
        #[allow(clippy::redundant_clone, clippy::unnecessary_cast)]
        fn error_response(status: StatusCode, message: ::std::string::String) -> Response {
            let body = crate::#name {
                #(#initializers,)*
                #additional
            };
            runtime::json_response(status, &body)
        }
    }
}

fn handler(api: &Api, config: &Config, operation: &Operation) -> TokenStream {
    let trait_name = format_ident!("{}", config.trait_name);
    let name = operation.name.ident();
    let request_type = operation.request_type.ident();
    let operation_id = &operation.name.wire;
    let doc = format!(" Serves `{} {}`.", operation.method.as_str(), operation.path);

    let credentials = super::security::server_authentication(operation);
    let wire = quote! {
        let wire = match parameters::Wire::new(&parts.uri, &parts.headers) {
            Ok(wire) => wire,
            Err(violation) => return reject(&shared, Rejection::InvalidRequest(vec![violation])),
        };
    };
    let extractions: Vec<TokenStream> = operation
        .parameters
        .iter()
        .map(|parameter| super::parameters::server_extraction(api, &operation.path, parameter))
        .collect();
    let mut bound: Vec<proc_macro2::Ident> = operation.parameters.iter().map(super::parameters::local_name).collect();

    let body = operation.body.as_ref().and_then(|body| super::bodies::server_extraction(api, body));
    let streams = operation.body.as_ref().is_some_and(super::bodies::streams);
    let limit_flag = streams.then(|| quote! { let limit_flag = crate::binary::LimitFlag::default(); });
    // The implementation may have read past the limit and failed for it: that is the client's 413.
    let limit_check = streams.then(|| {
        quote! {
            if limit_flag.exceeded() {
                return reject(&shared, Rejection::PayloadTooLarge { limit: shared.options.body_limit });
            }
        }
    });
    let body_field = body.is_some().then(|| quote! { body, });
    if body.is_some() {
        bound.push(format_ident!("body"));
    }
    let credentials_field = operation.security.is_declared().then(|| quote! { credentials, });
    let accept = operation.accept.as_ref().map(|choice| {
        let name = choice.type_name.ident();
        let available = choice.variants.iter().map(|(_, media_type)| media_type.as_str()).collect::<Vec<_>>().join(", ");
        quote! {
            let ::std::option::Option::Some(accept) = runtime::negotiate(&parts.headers, crate::#name::ALL, crate::#name::MEDIA_TYPES) else {
                return reject(&shared, Rejection::NotAcceptable { available: #available });
            };
        }
    });
    let accept_field = accept.is_some().then(|| quote! { accept, });

    let guard = (!bound.is_empty()).then(|| {
        let somes = bound.iter().map(|ident| quote! { ::std::option::Option::Some(#ident) });
        quote! {
            let (#(#somes,)*) = (#(#bound,)*) else {
                return reject(&shared, Rejection::InvalidRequest(violations));
            };
        }
    });
    let field_inits = operation.parameters.iter().map(|parameter| {
        let field = parameter.name.ident();
        let local = super::parameters::local_name(parameter);
        quote! { #field: #local }
    });
    let respond = respond(api, operation);

    let inner = format_ident!("handle_{}", operation.name.base());
    quote! {
        #[doc = #doc]
        async fn #name<A: #trait_name + 'static>(State(shared): State<Arc<Shared<A>>>, request: Request) -> Response {
            let span = ::tracing::info_span!("request", operation = #operation_id);
            let response = ::tracing::Instrument::instrument(#inner(shared, request), span.clone()).await;
            span.in_scope(|| ::tracing::debug!(status = response.status().as_u16(), "responded"));
            response
        }

        async fn #inner<A: #trait_name + 'static>(shared: Arc<Shared<A>>, request: Request) -> Response {
            let (mut parts, body) = request.into_parts();
            #wire
            #credentials
            #accept
            let mut violations: ::std::vec::Vec<crate::Violation> = ::std::vec::Vec::new();
            #(#extractions)*
            #limit_flag
            #body
            #guard
            let request = crate::#request_type {
                #(#field_inits,)*
                #body_field
                #accept_field
                #credentials_field
            };
            let violations = request.violations();
            if !violations.is_empty() {
                return reject(&shared, Rejection::InvalidRequest(violations));
            }
            let outcome = ::futures_util::FutureExt::catch_unwind(::std::panic::AssertUnwindSafe(shared.api.#name(request))).await;
            #limit_check
            let response = match outcome {
                Ok(Ok(response)) => response,
                Ok(Err(error)) => {
                    ::tracing::error!(operation = #operation_id, %error, "the implementation returned an error");
                    return reject(&shared, Rejection::Internal);
                }
                Err(panic) => {
                    ::tracing::error!(operation = #operation_id, panic = %runtime::panic_message(&*panic), "the implementation panicked");
                    return reject(&shared, Rejection::Internal);
                }
            };
            if shared.options.check_responses {
                let violations = response.violations();
                if !violations.is_empty() {
                    ::tracing::error!(operation = #operation_id, violations = %crate::describe(&violations), "the implementation's response breaks the document");
                    return reject(&shared, Rejection::Internal);
                }
            }
            #respond
        }
    }
}

/// Writes each response variant with its status and body.
fn respond(api: &Api, operation: &Operation) -> TokenStream {
    let response_type = operation.response_type.ident();
    let arms = operation.responses.iter().map(|response| {
        let status = match response.status {
            StatusMatch::Code(code) => quote! { runtime::status(#code) },
            StatusMatch::Range(_) | StatusMatch::Default => quote! { runtime::status(status) },
        };
        let write = super::bodies::server_response(api, response, &status);
        let pattern = variant_pattern(api, &response_type, response);
        let headers = response.headers.iter().map(|header| {
            let local = header.name.ident();
            let wire = &header.name.wire;
            let text = super::client::text_of(&header.shape.ty, quote! { value });
            if header.required {
                quote! { { let value = &#local; runtime::set_header(&mut response, #wire, #text); } }
            } else {
                quote! {
                    if let ::std::option::Option::Some(value) = &#local {
                        runtime::set_header(&mut response, #wire, #text);
                    }
                }
            }
        });
        let write = if response.headers.is_empty() {
            write
        } else {
            quote! {
                {
                    let mut response = #write;
                    #(#headers)*
                    response
                }
            }
        };
        quote! { #pattern => #write }
    });
    quote! {
        match response {
            #(#arms,)*
        }
    }
}
