//! Request and response bodies: the body types of the api crate, the server's body extraction and response
//! writing, and the client's body encoding and decoding.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::api::content_type;
use super::docs::doc;
use super::types::{base_type, value_type};
use crate::model::{
    Api, BodyChoice, Content, ContentKind, Multipart, Operation, Part, PartKind, RequestBody, Response, Ty, TypeKind,
};

/// Returns the Rust type of one multipart part field, without the `Option` of an optional part.
fn part_type(api: &Api, part: &Part) -> TokenStream {
    match (part.kind, part.repeated) {
        (PartKind::File, false) => quote! { crate::FilePart },
        (PartKind::File, true) => quote! { ::std::vec::Vec<crate::FilePart> },
        _ => value_type(api, &part.shape),
    }
}

/// Returns the Rust type of a request body, without the `Option` of an optional one, or `None` when it
/// carries nothing.
pub fn body_type(api: &Api, body: &RequestBody) -> Option<TokenStream> {
    match &body.choice {
        Some(choice) => {
            let name = choice.type_name.ident();
            Some(quote! { crate::#name })
        }
        None => content_type(api, &body.content),
    }
}

/// Emits the types a request body needs besides the schema types: the enum of a body of several media
/// types, and the struct of each multipart body.
pub fn body_types(api: &Api, operation: &Operation, body: &RequestBody) -> TokenStream {
    let structs: Vec<TokenStream> =
        body.contents().into_iter().filter_map(|content| multipart_struct(api, content, "request")).collect();
    let Some(choice) = &body.choice else { return quote! { #(#structs)* } };
    let summary = format!("The request body of `{}`: one variant per media type.", operation.name.rust);
    let choice = choice_enum(api, choice, &summary);
    quote! {
        #(#structs)*
        #choice
    }
}

/// Emits the struct of each multipart response body of an operation.
pub fn response_body_types(api: &Api, operation: &Operation) -> TokenStream {
    let structs = operation
        .responses
        .iter()
        .flat_map(|response| response.contents())
        .filter_map(|content| multipart_struct(api, content, "response"));
    quote! { #(#structs)* }
}

/// Emits the types of content negotiation: the payload enum of each response of several media types, and the
/// enum of media types the request carries in `accept`.
pub fn negotiation_types(api: &Api, operation: &Operation) -> TokenStream {
    let payloads = operation.responses.iter().filter_map(|response| {
        let choice = response.choice.as_ref()?;
        let summary = format!(
            "The body of the {} response of `{}`: one variant per media type.",
            super::api::status_label(response.status),
            operation.name.rust
        );
        Some(choice_enum(api, choice, &summary))
    });
    let payloads: Vec<TokenStream> = payloads.collect();
    let Some(accept) = &operation.accept else { return quote! { #(#payloads)* } };
    let name = accept.type_name.ident();
    let summary = format!("The response media types of `{}`, chosen with `Accept`.", operation.name.rust);
    let docs = doc(&[Some(&summary)]);
    let variants = accept.variants.iter().enumerate().map(|(index, (variant, media_type))| {
        let ident = variant.ident();
        let text = format!("`{media_type}`.");
        let docs = doc(&[Some(&text)]);
        let default = (index == 0).then(|| quote! { #[default] });
        quote! { #docs #default #ident }
    });
    let all = accept.variants.iter().map(|(variant, _)| variant.ident());
    let media_types = accept.variants.iter().map(|(_, media_type)| media_type);
    quote! {
        #(#payloads)*

        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum #name {
            #(#variants,)*
        }

        impl #name {
            /// Every media type, in document order.
            pub const ALL: &'static [Self] = &[#(Self::#all),*];
            /// The media types as text, in the order of [`Self::ALL`].
            pub const MEDIA_TYPES: &'static [&'static str] = &[#(#media_types),*];

            /// Returns the media type as text.
            pub fn as_str(self) -> &'static str {
                Self::MEDIA_TYPES[self as usize]
            }
        }
    }
}

/// Emits the enum of a body of several media types, with one variant per media type.
fn choice_enum(api: &Api, choice: &BodyChoice, summary: &str) -> TokenStream {
    let name = choice.type_name.ident();
    let docs = doc(&[Some(summary)]);
    let variants = choice.variants.iter().map(|(variant, content)| {
        let ident = variant.ident();
        let origin = format!("Sent as `{}`.", content.media_type);
        let docs = doc(&[Some(&origin)]);
        match content_type(api, content) {
            Some(payload) => quote! { #docs #ident(#payload) },
            None => quote! { #docs #ident },
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants,)*
        }
    }
}

/// Emits the struct of a multipart body, one field per part, or `None` when `content` is not multipart.
/// `direction` is `request` or `response`.
fn multipart_struct(api: &Api, content: &Content, direction: &str) -> Option<TokenStream> {
    let ContentKind::Multipart(multipart) = &content.kind else { return None };
    let name = multipart.type_name.ident();
    let summary = format!("The parts of a `{}` {direction} body.", content.media_type);
    let docs = doc(&[Some(&summary)]);
    let fields = multipart.parts.iter().map(|part| {
        let field = part.name.ident();
        let ty = part_type(api, part);
        let ty = if part.required {
            ty
        } else {
            quote! { ::std::option::Option<#ty> }
        };
        let kind = match (part.kind, &part.content_type) {
            (PartKind::Text, _) | (_, None) => "text part".to_owned(),
            (PartKind::File, Some(media_type)) => format!("file part of `{media_type}`"),
            (PartKind::Json, Some(media_type)) => format!("JSON part of `{media_type}`"),
        };
        let origin = if part.repeated {
            format!("The parts `{}`: one {kind} per item.", part.name.wire)
        } else {
            format!("The part `{}`: a {kind}.", part.name.wire)
        };
        let docs = doc(&[Some(&origin)]);
        quote! { #docs pub #field: #ty }
    });
    Some(quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#fields,)*
        }
    })
}

/// Returns whether the server may hand the request body to the implementation as a stream: a binary body, or
/// a body of several media types with a binary one.
pub fn streams(body: &RequestBody) -> bool {
    body.contents().into_iter().any(|content| matches!(content.kind, ContentKind::Bytes))
}

/// Emits the handler statements that read the body and bind the local `body`: `None` when it breaks the
/// schema (with the violation pushed onto `violations`), else the value of the request field.
///
/// A body of several media types is matched to a variant by its `Content-Type` before it is read, so a
/// binary variant is streamed and only the other variants are read whole.
pub fn server_extraction(api: &Api, body: &RequestBody) -> Option<TokenStream> {
    let required = body.required;
    let read = quote! {
        let bytes = match runtime::read_body(body, shared.options.body_limit).await {
            Ok(bytes) => bytes,
            Err(rejection) => return reject(&shared, rejection),
        };
    };
    let absent = if required {
        quote! { ::std::option::Option::None }
    } else {
        quote! { ::std::option::Option::Some(::std::option::Option::None) }
    };
    let Some(choice) = &body.choice else {
        if streams(body) {
            let value = server_stream(&body.content, required, None);
            return Some(quote! { let body = #value; });
        }
        let value = server_decode(api, &body.content, required, None)?;
        return Some(quote! { #read let body = #value; });
    };
    let name = choice.type_name.ident();
    let media_types = choice.variants.iter().map(|(_, content)| &content.media_type);
    let expected: Vec<&str> = choice.variants.iter().map(|(_, content)| content.media_type.as_str()).collect();
    let expected = expected.join(", ");
    let streamed = streams(body);
    let arms: Vec<TokenStream> = choice
        .variants
        .iter()
        .enumerate()
        .map(|(index, (variant, content))| {
            let ident = variant.ident();
            let path = quote! { crate::#name::#ident };
            if matches!(content.kind, ContentKind::Bytes) && streamed {
                let value = server_stream(content, required, Some(&path));
                return quote! { Ok(Ok(::std::option::Option::Some(#index))) => #value, };
            }
            let value = server_decode(api, content, required, Some(&path)).unwrap_or_else(|| {
                // A body of only `null` carries nothing, so its variant has no payload.
                if required {
                    quote! { ::std::option::Option::Some(#path) }
                } else {
                    quote! { ::std::option::Option::Some(::std::option::Option::Some(#path)) }
                }
            });
            if streamed {
                quote! { Ok(Ok(::std::option::Option::Some(#index))) => { #read #value } }
            } else {
                quote! { Ok(Ok(::std::option::Option::Some(#index))) => #value, }
            }
        })
        .collect();
    // Without a binary variant the body is read first, so an empty chunked body counts as empty too.
    let (read_first, empty) = if streamed {
        (None, quote! { crate::binary::is_empty(&parts.headers, &body) })
    } else {
        (Some(read), quote! { bytes.is_empty() })
    };
    Some(quote! {
        #read_first
        let body = match runtime::choose_media(&parts.headers, #empty, #required, &[#(#media_types),*], #expected) {
            #(#arms)*
            Ok(Ok(_)) => #absent,
            Ok(Err(violation)) => {
                violations.push(violation);
                ::std::option::Option::None
            }
            Err(rejection) => return reject(&shared, rejection),
        };
    })
}

/// Returns an expression that hands the unread request body to the implementation as a stream of binary
/// `content`, wrapped in `variant` if given, or `None` when it breaks the schema.
fn server_stream(content: &Content, required: bool, variant: Option<&TokenStream>) -> TokenStream {
    let media = &content.media_type;
    let unwrap = required.then(|| quote! { .and_then(|value| value.ok_or_else(|| runtime::missing(crate::Location::Body(::std::string::String::new())))) });
    let wrap = variant.map(|path| {
        if required {
            quote! { .map(#path) }
        } else {
            quote! { .map(|value| value.map(#path)) }
        }
    });
    quote! {
        match crate::binary::stream_body(&parts.headers, body, shared.options.body_limit, #required, &limit_flag, #media) {
            Ok(result) => result #unwrap #wrap .map_err(|violation| violations.push(violation)).ok(),
            Err(rejection) => return reject(&shared, rejection),
        }
    }
}

/// Returns an expression that decodes `bytes` as `content`: `None` when it breaks the schema (with the
/// violation pushed onto `violations`), else the value of the request field, wrapped in `variant` if given.
fn server_decode(api: &Api, content: &Content, required: bool, variant: Option<&TokenStream>) -> Option<TokenStream> {
    let extraction = match &content.kind {
        ContentKind::Json(shape) if shape.ty == Ty::Null => return None,
        ContentKind::Json(shape) => {
            let object = matches!(shape.ty, Ty::Named(id) if matches!(api.ty(id).kind, TypeKind::Struct { .. }));
            quote! { runtime::json_body(&parts.headers, &bytes, #required, #object) }
        }
        ContentKind::Form(_) => quote! { runtime::form_body(&parts.headers, &bytes, #required) },
        ContentKind::Text => {
            let media = &content.media_type;
            quote! { runtime::text_body(&parts.headers, &bytes, #required, #media) }
        }
        ContentKind::Bytes => quote! { crate::binary::bytes_body(&parts.headers, &bytes, #required) },
        ContentKind::Multipart(multipart) => {
            return Some(server_multipart(api, multipart, &content.media_type, required, variant));
        }
    };
    let unwrap = required.then(|| quote! { .and_then(|value| value.ok_or_else(|| runtime::missing(crate::Location::Body(::std::string::String::new())))) });
    let wrap = variant.map(|path| {
        if required {
            quote! { .map(#path) }
        } else {
            quote! { .map(|value| value.map(#path)) }
        }
    });
    Some(quote! {
        match #extraction {
            Ok(result) => result #unwrap #wrap .map_err(|violation| violations.push(violation)).ok(),
            Err(rejection) => return reject(&shared, rejection),
        }
    })
}

/// Returns an expression that splits a multipart body and decodes each part into a local `part_<field>`.
/// The body is built when every part decoded.
fn server_multipart(
    api: &Api,
    multipart: &Multipart,
    media_type: &str,
    required: bool,
    variant: Option<&TokenStream>,
) -> TokenStream {
    let name = multipart.type_name.ident();
    let locals: Vec<_> = multipart.parts.iter().map(|part| format_ident!("part_{}", part.name.base())).collect();
    let takes = multipart.parts.iter().zip(&locals).map(|(part, local)| {
        let take = take_part(api, part);
        quote! {
            let #local = #take.map_err(|violation| violations.push(violation)).ok();
        }
    });
    // Each local is `Some` once decoded, and the part's violation was pushed otherwise.
    let patterns = locals.iter().map(|local| quote! { ::std::option::Option::Some(#local) });
    let fields = multipart.parts.iter().zip(&locals).map(|(part, local)| {
        let field = part.name.ident();
        quote! { #field: #local }
    });
    let mut value = quote! { crate::#name { #(#fields,)* } };
    if let Some(path) = variant {
        value = quote! { #path(#value) };
    }
    let (value, absent) = if required {
        (value, quote! { ::std::option::Option::None })
    } else {
        (
            quote! { ::std::option::Option::Some(#value) },
            quote! { ::std::option::Option::Some(::std::option::Option::None) },
        )
    };
    quote! {
        match crate::multipart::multipart_body(&parts.headers, bytes, #required, #media_type) {
            Ok(Ok(::std::option::Option::Some(form))) => {
                #(#takes)*
                match (#(#locals,)*) {
                    (#(#patterns,)*) => ::std::option::Option::Some(#value),
                    _ => ::std::option::Option::None,
                }
            }
            Ok(Ok(::std::option::Option::None)) => #absent,
            Ok(Err(violation)) => {
                violations.push(violation);
                ::std::option::Option::None
            }
            Err(rejection) => return reject(&shared, rejection),
        }
    }
}

/// Returns the expression that decodes one part from the local `form` into a `Result` of the field's value.
/// The error is the part's violation on the server and a decode error on the client.
fn take_part(api: &Api, part: &Part) -> TokenStream {
    let wire = &part.name.wire;
    let decode = match part.kind {
        PartKind::File => quote! { crate::multipart_wire::file_part },
        PartKind::Text => {
            let ty = base_type(api, &part.item_shape().ty);
            quote! { crate::multipart_wire::text_part::<#ty> }
        }
        PartKind::Json => {
            let ty = value_type(api, part.item_shape());
            quote! { crate::multipart_wire::json_part::<#ty> }
        }
    };
    let method = match (part.repeated, part.required) {
        (false, true) => quote! { one },
        (false, false) => quote! { optional },
        (true, true) => quote! { all },
        (true, false) => quote! { optional_all },
    };
    quote! { form.#method(#wire, #decode) }
}

/// Returns an expression that writes the multipart body `value` of `media_type`: a
/// `Result<multipart_wire::Writer, String>` whose error names the part that failed to encode.
fn write_parts(multipart: &Multipart, media_type: &str) -> TokenStream {
    let adds = multipart.parts.iter().map(|part| {
        let field = part.name.ident();
        let wire = &part.name.wire;
        let add = match (part.kind, &part.content_type) {
            (PartKind::Text, _) | (_, None) => {
                let text = super::client::text_of(&part.item_shape().ty, quote! { item });
                quote! { writer.text(#wire, #text); }
            }
            (PartKind::File, Some(media)) => quote! { writer.file(#wire, item, #media)?; },
            (PartKind::Json, Some(media)) => quote! { writer.json(#wire, item, #media)?; },
        };
        match (part.repeated, part.required) {
            (false, true) => quote! { { let item = &value.#field; #add } },
            (false, false) => quote! { if let ::std::option::Option::Some(item) = &value.#field { #add } },
            (true, true) => quote! { for item in &value.#field { #add } },
            (true, false) => quote! {
                if let ::std::option::Option::Some(items) = &value.#field {
                    for item in items { #add }
                }
            },
        }
    });
    quote! {
        crate::multipart_wire::write(#media_type, |writer| {
            #(#adds)*
            ::std::result::Result::Ok(())
        })
    }
}

/// Returns the expression that writes the body of a response variant bound to `body`, with `status`.
pub fn server_response(api: &Api, response: &Response, status: &TokenStream) -> TokenStream {
    let Some(choice) = &response.choice else {
        return match &response.content {
            None => quote! { runtime::empty_response(#status) },
            Some(content) => write_content(content, content_type(api, content).is_some(), status),
        };
    };
    let name = choice.type_name.ident();
    let arms = choice.variants.iter().map(|(variant, content)| {
        let ident = variant.ident();
        let has_payload = content_type(api, content).is_some();
        let write = write_content(content, has_payload, status);
        if has_payload {
            quote! { crate::#name::#ident(body) => #write }
        } else {
            quote! { crate::#name::#ident => #write }
        }
    });
    quote! {
        match body {
            #(#arms,)*
        }
    }
}

/// Returns the expression that writes `body` as `content`, or JSON `null` when the content has no payload.
fn write_content(content: &Content, has_payload: bool, status: &TokenStream) -> TokenStream {
    let media = if content.also.is_empty() {
        let media = &content.media_type;
        quote! { #media }
    } else {
        // JSON media types of the same schema: the one the request's `Accept` prefers, else the first.
        let first = &content.media_type;
        let all = std::iter::once(first).chain(&content.also);
        quote! {{
            const MEDIA_TYPES: &[&str] = &[#(#all),*];
            runtime::negotiate(&parts.headers, MEDIA_TYPES, MEDIA_TYPES).unwrap_or(#first)
        }}
    };
    if !has_payload {
        return quote! { runtime::json_response_as(#status, &(), #media) };
    }
    match &content.kind {
        ContentKind::Json(_) => quote! { runtime::json_response_as(#status, &body, #media) },
        ContentKind::Form(_) => quote! { runtime::form_response(#status, &body, #media) },
        ContentKind::Multipart(multipart) => {
            let write = write_parts(multipart, &content.media_type);
            quote! { { let value = &body; crate::multipart::multipart_response(#status, #write) } }
        }
        ContentKind::Text => {
            let media = text_media(content);
            quote! { runtime::text_response(#status, body, #media) }
        }
        ContentKind::Bytes => quote! { crate::binary::binary_response(#status, body, #media) },
    }
}

/// Returns the `Content-Type` of a text body: its media type, or `text/plain` for a range such as `text/*`,
/// which is not a valid header value.
fn text_media(content: &Content) -> &str {
    if content.media_type.contains('*') { "text/plain" } else { &content.media_type }
}

/// Returns the expression that decodes the `body` of a response with a payload. A response of several media
/// types is decoded as the variant its `Content-Type` names.
pub fn client_decoding(api: &Api, response: &Response) -> TokenStream {
    let Some(choice) = &response.choice else {
        return match response.content.as_ref() {
            Some(Content { kind: ContentKind::Json(_), .. }) => quote! { runtime::decode_json(status, body.bytes())? },
            Some(Content { kind: ContentKind::Form(_), .. }) => quote! { runtime::decode_form(status, body.bytes())? },
            Some(Content { kind: ContentKind::Text, .. }) => quote! { runtime::decode_text(status, body.bytes())? },
            Some(Content { kind: ContentKind::Multipart(multipart), media_type, .. }) => {
                client_multipart_decoding(api, multipart, media_type)
            }
            _ => quote! { crate::binary::response_body(body, &headers) },
        };
    };
    let name = choice.type_name.ident();
    let media_types = choice.variants.iter().map(|(_, content)| &content.media_type);
    let last = choice.variants.len().saturating_sub(1);
    let arms = choice.variants.iter().enumerate().map(|(index, (variant, content))| {
        let ident = variant.ident();
        let pattern = if index == last {
            quote! { _ }
        } else {
            quote! { #index }
        };
        let value = match &content.kind {
            _ if content_type(api, content).is_none() => quote! { crate::#name::#ident },
            ContentKind::Json(_) => quote! { crate::#name::#ident(runtime::decode_json(status, body.bytes())?) },
            ContentKind::Form(_) => quote! { crate::#name::#ident(runtime::decode_form(status, body.bytes())?) },
            ContentKind::Multipart(multipart) => {
                let value = client_multipart_decoding(api, multipart, &content.media_type);
                quote! { crate::#name::#ident(#value) }
            }
            ContentKind::Text => quote! { crate::#name::#ident(runtime::decode_text(status, body.bytes())?) },
            ContentKind::Bytes => quote! { crate::#name::#ident(crate::binary::response_body(body, &headers)) },
        };
        quote! { #pattern => #value }
    });
    quote! {
        match runtime::response_media(status, &headers, body.bytes(), &[#(#media_types),*])? {
            #(#arms,)*
        }
    }
}

/// Returns the expression that decides whether the client hands the body of `response` over as a stream.
/// It is `true` for a binary body and a check of `Content-Type` for a body of several media types with a binary
/// one. `None` means that no body of the response is binary.
pub fn client_streams(response: &Response) -> Option<TokenStream> {
    let Some(choice) = &response.choice else {
        let binary = response.content.as_ref().is_some_and(|content| matches!(content.kind, ContentKind::Bytes));
        return binary.then(|| quote! { true });
    };
    let binary: Vec<usize> = choice
        .variants
        .iter()
        .enumerate()
        .filter(|(_, (_, content))| matches!(content.kind, ContentKind::Bytes))
        .map(|(index, _)| index)
        .collect();
    if binary.is_empty() {
        return None;
    }
    let media_types = choice.variants.iter().map(|(_, content)| &content.media_type);
    Some(quote! { runtime::streams_media(headers, &[#(#media_types),*], &[#(#binary),*]) })
}

/// Returns the expression that splits a multipart response body and decodes its parts into the body struct.
/// A part that breaks the schema is a decode error naming the part.
fn client_multipart_decoding(api: &Api, multipart: &Multipart, media_type: &str) -> TokenStream {
    let name = multipart.type_name.ident();
    let fields = multipart.parts.iter().map(|part| {
        let field = part.name.ident();
        let take = take_part(api, part);
        quote! { #field: #take? }
    });
    quote! {
        {
            let form = crate::multipart::response_form(status, &headers, body.bytes(), #media_type)?;
            crate::#name { #(#fields,)* }
        }
    }
}

/// Emits the client statements that add the body of `request` to `builder`.
pub fn client_encoding(body: &RequestBody) -> Option<TokenStream> {
    let send = match &body.choice {
        None => client_send(&body.content)?,
        Some(choice) => {
            let name = choice.type_name.ident();
            let arms = choice.variants.iter().map(|(variant, content)| {
                let ident = variant.ident();
                match client_send(content) {
                    Some(send) => quote! { crate::#name::#ident(value) => { #send } },
                    None => {
                        let media = &content.media_type;
                        quote! { crate::#name::#ident => { builder = builder.header(::reqwest::header::CONTENT_TYPE, #media).body("null"); } }
                    }
                }
            });
            quote! {
                match value {
                    #(#arms)*
                }
            }
        }
    };
    Some(if body.required {
        quote! { { let value = &request.body; #send } }
    } else {
        quote! { if let ::std::option::Option::Some(value) = &request.body { #send } }
    })
}

/// Emits the statements that send `value` as `content`, or `None` for a body of only `null`.
fn client_send(content: &Content) -> Option<TokenStream> {
    let media = &content.media_type;
    Some(match &content.kind {
        ContentKind::Json(shape) if shape.ty == Ty::Null => return None,
        ContentKind::Json(_) => {
            quote! { builder = builder.header(::reqwest::header::CONTENT_TYPE, #media).body(runtime::encode_json(value)?); }
        }
        ContentKind::Form(_) => {
            quote! { builder = builder.header(::reqwest::header::CONTENT_TYPE, #media).body(runtime::encode_form(value)?); }
        }
        ContentKind::Text => {
            let media = text_media(content);
            quote! { builder = builder.header(::reqwest::header::CONTENT_TYPE, #media).body(value.clone()); }
        }
        ContentKind::Bytes => quote! { builder = crate::binary::add_body(builder, value, #media)?; },
        ContentKind::Multipart(multipart) => client_multipart(multipart, media),
    })
}

/// Writes one part per field, or per item of an array field, then sends the body.
fn client_multipart(multipart: &Multipart, media_type: &str) -> TokenStream {
    let write = write_parts(multipart, media_type);
    quote! {
        builder = crate::multipart::send(builder, #write.map_err(ClientError::Encode)?);
    }
}
