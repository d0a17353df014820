//! The client crate: the API trait implemented over HTTP with reqwest.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::api::{inner_doc, response_payload};
use super::crate_ident;
use crate::Config;
use crate::model::{Api, Operation, ParamLocation, Response, StatusMatch, Ty};

pub fn lib(api: &Api, config: &Config) -> TokenStream {
    let api_crate = crate_ident(&config.api_crate);
    let title = format!("{} {}: a reqwest client that implements [`{}`].", api.title, api.version, config.trait_name);
    let docs = inner_doc(&[Some(&title), Some("The api crate is re-exported, so callers depend on this crate alone.")]);
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
        mod client;
        #binary
        #multipart
        #[rustfmt::skip]
        mod parameters;
        #[rustfmt::skip]
        mod runtime;

        pub use #api_crate;
        pub use #api_crate::*;
        pub use runtime::{Client, ClientBuilder, ClientError, RetryPolicy, StaticToken, TokenFuture, TokenSource};
    }
}

pub fn client(api: &Api, config: &Config) -> TokenStream {
    let trait_name = format_ident!("{}", config.trait_name);
    let methods = api.operations.iter().map(trait_method);
    let items = api.operations.iter().map(|operation| operation_items(api, operation));
    quote! {
        //! The implementation of the API trait over HTTP.
        //!
        //! Each trait method hands the request to the generic `Client::call` with the operation's
        //! description: a plain function that builds the HTTP request and one that decodes the response.
        // An operation without parameters leaves `request` unused, one without security `credentials`.
        #![allow(unused_imports, unused_mut, unused_variables, clippy::useless_format)]

        use crate::parameters;
        use crate::runtime::{self, ClientError};

        impl crate::#trait_name for crate::Client {
            type Error = ClientError;

            #(#methods)*
        }

        #(#items)*
    }
}

/// Names the constant that describes `operation` to `Client::call`.
fn operation_const(operation: &Operation) -> proc_macro2::Ident {
    format_ident!("{}", operation.name.base().to_uppercase())
}

fn trait_method(operation: &Operation) -> TokenStream {
    let name = operation.name.ident();
    let request_type = operation.request_type.ident();
    let response_type = operation.response_type.ident();
    let constant = operation_const(operation);
    quote! {
        fn #name(
            &self,
            request: crate::#request_type,
        ) -> impl ::std::future::Future<Output = ::std::result::Result<crate::#response_type, ClientError>> + Send {
            self.call(request, #constant)
        }
    }
}

/// Emits the operation's constant for `Client::call` and its encode and decode functions.
fn operation_items(api: &Api, operation: &Operation) -> TokenStream {
    let base = operation.name.base();
    let constant = operation_const(operation);
    let encode = format_ident!("encode_{}", base);
    let decode = format_ident!("decode_{}", base);
    let request_type = operation.request_type.ident();
    let response_type = operation.response_type.ident();
    let idempotent = operation.method.is_idempotent();
    let credentials = if operation.security.is_declared() {
        quote! { |request| request.credentials.as_ref() }
    } else {
        quote! { |_| ::std::option::Option::None }
    };
    let encode_body = encode_request(api, operation);
    let decode_body = decode_response(api, operation);
    let (streams, streams_fn) = match streams_response(operation) {
        Some(body) => {
            let name = format_ident!("streams_{}", base);
            let function = quote! {
                fn #name(status: u16, headers: &::reqwest::header::HeaderMap) -> bool {
                    #body
                }
            };
            (quote! { #name }, Some(function))
        }
        None => (quote! { runtime::never_streams }, None),
    };
    quote! {
        const #constant: runtime::Operation<crate::#request_type, crate::#response_type> = runtime::Operation {
            id: crate::#request_type::OPERATION_ID,
            idempotent: #idempotent,
            security: crate::#request_type::SECURITY,
            violations: crate::#request_type::violations,
            credentials: #credentials,
            encode: #encode,
            streams: #streams,
            decode: #decode,
        };

        fn #encode(
            client: &crate::Client,
            request: &crate::#request_type,
        ) -> ::std::result::Result<::reqwest::RequestBuilder, ClientError> {
            #encode_body
        }

        fn #decode(
            status: u16,
            headers: ::reqwest::header::HeaderMap,
            body: runtime::ResponseBody,
        ) -> ::std::result::Result<crate::#response_type, ClientError> {
            #decode_body
        }

        #streams_fn
    }
}

/// Formats a parameter or header value as the other side parses it: RFC 3339 for date-times, `Display` for the rest.
pub(super) fn text_of(ty: &Ty, value: TokenStream) -> TokenStream {
    match ty {
        Ty::String(crate::model::StringFormat::DateTime) => quote! { #value.to_rfc3339() },
        _ => quote! { #value.to_string() },
    }
}

/// Emits the body of the function that turns a request into an HTTP request, checked and encoded.
fn encode_request(api: &Api, operation: &Operation) -> TokenStream {
    let server = api.servers[operation.server].name.ident();
    let http_method = format_ident!("{}", operation.method.as_str());
    let path = super::parameters::client_path(operation);

    let encodings = operation.parameters.iter().filter_map(super::parameters::client_encoding);
    let body = operation.body.as_ref().and_then(super::bodies::client_encoding);
    let accept = operation.accept.as_ref().map(|choice| {
        let name = choice.type_name.ident();
        quote! {
            builder = builder.header(::reqwest::header::ACCEPT, runtime::accept_header(request.accept.as_str(), crate::#name::MEDIA_TYPES));
        }
    });

    let uses_query = operation.parameters.iter().any(|p| p.location == ParamLocation::Query);
    let uses_cookies = operation.parameters.iter().any(|p| p.location == ParamLocation::Cookie);
    let uses_headers = operation.parameters.iter().any(|p| p.location == ParamLocation::Header);
    let query_declaration = uses_query.then(|| {
        quote! { let mut query: ::std::vec::Vec<(::std::string::String, ::std::string::String)> = ::std::vec::Vec::new(); }
    });
    let set_query = uses_query.then(|| quote! { runtime::set_query(&mut url, &query); });
    let cookie_declaration = uses_cookies
        .then(|| quote! { let mut cookies: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new(); });
    let set_cookies = uses_cookies.then(|| {
        quote! {
            if !cookies.is_empty() {
                builder = builder.header(::reqwest::header::COOKIE, cookies.join("; "));
            }
        }
    });
    let header_declaration = uses_headers.then(|| {
        quote! { let mut headers: ::std::vec::Vec<(&'static str, ::std::string::String)> = ::std::vec::Vec::new(); }
    });
    let set_headers = uses_headers.then(|| {
        quote! {
            for (name, value) in headers {
                builder = builder.header(name, value);
            }
        }
    });

    quote! {
        #query_declaration
        #cookie_declaration
        #header_declaration
        #(#encodings)*
        let mut url = client.url(crate::Server::#server, &#path)?;
        #set_query
        let mut builder = client.http.request(::reqwest::Method::#http_method, url);
        #set_headers
        #set_cookies
        #body
        #accept
        Ok(builder)
    }
}

/// Returns the operation's responses in the order their status patterns must be matched: exact codes before
/// ranges, and ranges before `default`.
fn match_order(operation: &Operation) -> Vec<&Response> {
    let mut responses: Vec<&Response> = operation.responses.iter().collect();
    responses.sort_by_key(|response| match response.status {
        StatusMatch::Code(_) => 0,
        StatusMatch::Range(_) => 1,
        StatusMatch::Default => 2,
    });
    responses
}

/// Returns the match pattern of a response's status.
fn status_pattern(status: StatusMatch) -> TokenStream {
    match status {
        StatusMatch::Code(code) => quote! { #code },
        StatusMatch::Range(digit) => {
            let low = digit * 100;
            let high = low + 99;
            quote! { #low..=#high }
        }
        StatusMatch::Default => quote! { _ },
    }
}

/// Emits the body of the function that decides which responses `Client::call` hands over as streams, or
/// `None` when the operation has no binary response.
fn streams_response(operation: &Operation) -> Option<TokenStream> {
    let responses = match_order(operation);
    let mut any = false;
    let arms: Vec<TokenStream> = responses
        .iter()
        .map(|response| {
            let pattern = status_pattern(response.status);
            let streams = super::bodies::client_streams(response);
            any |= streams.is_some();
            let streams = streams.unwrap_or_else(|| quote! { false });
            quote! { #pattern => #streams }
        })
        .collect();
    if !any {
        return None;
    }
    let fallback = (!responses.iter().any(|r| r.status == StatusMatch::Default)).then(|| quote! { _ => false, });
    Some(quote! {
        match status {
            #(#arms,)*
            #fallback
        }
    })
}

/// Emits the body of the function that maps the status to a response variant and decodes the body as the
/// variant's media type.
fn decode_response(api: &Api, operation: &Operation) -> TokenStream {
    let response_type = operation.response_type.ident();
    let responses = match_order(operation);
    let has_default = responses.iter().any(|r| r.status == StatusMatch::Default);
    let arms = responses.iter().map(|response| {
        let variant = response.variant.ident();
        let payload = response_payload(api, response).map(|_| super::bodies::client_decoding(api, response));
        let pattern = status_pattern(response.status);
        let value = if response.has_fields() {
            let status = (!matches!(response.status, StatusMatch::Code(_))).then(|| quote! { status });
            let body = payload.map(|payload| quote! { body: #payload });
            let headers = response.headers.iter().map(|header| {
                let field = header.name.ident();
                let wire = &header.name.wire;
                let ty = super::types::base_type(api, &header.shape.ty);
                if header.required {
                    quote! { #field: runtime::required_header(runtime::response_header::<#ty>(status, &headers, #wire)?, status, #wire)? }
                } else {
                    quote! { #field: runtime::response_header::<#ty>(status, &headers, #wire)? }
                }
            });
            let fields: Vec<TokenStream> = status.into_iter().chain(body).chain(headers).collect();
            quote! { crate::#response_type::#variant { #(#fields,)* } }
        } else {
            match payload {
                Some(payload) => quote! { crate::#response_type::#variant(#payload) },
                None => quote! { crate::#response_type::#variant },
            }
        };
        quote! { #pattern => Ok(#value) }
    });
    let fallback = (!has_default)
        .then(|| quote! { _ => Err(ClientError::UnexpectedStatus { status, headers, body: body.into_bytes() }), });
    quote! {
        let _ = (&headers, &body);
        match status {
            #(#arms,)*
            #fallback
        }
    }
}
