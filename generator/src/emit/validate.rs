//! `Validate` implementations: the schema constraints that serde does not enforce.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::api::variant_pattern;
use crate::model::{
    Api, BodyChoice, Content, ContentKind, Multipart, Operation, ParamLocation, PartKind, Shape, StatusMatch,
    StringFormat, Ty, TypeKind,
};
use crate::naming::Name;

/// Regular expressions used by the checks, emitted once each as lazily compiled statics.
#[derive(Default)]
struct Patterns {
    sources: Vec<String>,
}

impl Patterns {
    fn ident(&mut self, pattern: &str) -> proc_macro2::Ident {
        let index = match self.sources.iter().position(|p| p == pattern) {
            Some(index) => index,
            None => {
                self.sources.push(pattern.to_owned());
                self.sources.len() - 1
            }
        };
        format_ident!("PATTERN_{}", index)
    }

    fn statics(&self) -> TokenStream {
        let statics = self.sources.iter().enumerate().map(|(index, source)| {
            let ident = format_ident!("PATTERN_{}", index);
            let doc = format!(" `{source}`");
            quote! {
                #[doc = #doc]
                static #ident: ::std::sync::LazyLock<::std::option::Option<::regress::Regex>> =
                    ::std::sync::LazyLock::new(|| ::regress::Regex::new(#source).ok());
            }
        });
        quote! { #(#statics)* }
    }
}

/// Emits the `validate.rs` module of the api crate.
pub fn validate(api: &Api) -> TokenStream {
    let mut patterns = Patterns::default();
    let mut impls = Vec::new();
    for ty in &api.types {
        let name = ty.name.ident();
        match &ty.kind {
            TypeKind::Struct { fields, additional, .. } => {
                let mut checks = Vec::new();
                if let Some((name, shape)) = additional
                    && let inner = shape_checks(api, shape, &body_location(), &mut patterns)
                    && !inner.is_empty()
                {
                    let ident = name.ident();
                    checks.push(quote! {
                        for (key, value) in self.#ident.iter() {
                            let pointer = crate::pointer_child(pointer, key);
                            #inner
                        }
                    });
                }
                for field in fields {
                    checks.extend(field_checks(api, &field.name, field.required, &field.shape, &mut patterns));
                }
                let arguments = if checks.is_empty() {
                    quote! { _pointer: &str, _violations }
                } else {
                    quote! { pointer: &str, violations }
                };
                impls.push(quote! {
                    impl crate::Validate for crate::#name {
                        fn collect_violations(&self, #arguments: &mut ::std::vec::Vec<crate::Violation>) {
                            #(#checks)*
                        }
                    }
                });
            }
            TypeKind::Enum { .. } => impls.push(quote! {
                impl crate::Validate for crate::#name {
                    fn collect_violations(&self, pointer: &str, violations: &mut ::std::vec::Vec<crate::Violation>) {
                        if !self.is_documented() {
                            let message = format!("unknown value `{}`; expected one of {}", self.as_str(), Self::EXPECTED);
                            violations.push(crate::Violation::new(crate::Location::Body(pointer.to_owned()), message));
                        }
                    }
                }
            }),
            TypeKind::Union { variants, .. } => {
                let arms = variants.iter().map(|variant| {
                    let ident = variant.name.ident();
                    let checks = shape_checks(api, &variant.shape, &body_location(), &mut patterns);
                    if !checks.is_empty() {
                        quote! {
                            Self::#ident(value) => {
                                let pointer = pointer.to_owned();
                                #checks
                            }
                        }
                    } else {
                        quote! { Self::#ident(_) => {} }
                    }
                });
                impls.push(quote! {
                    impl crate::Validate for crate::#name {
                        #[allow(unused_variables)]
                        fn collect_violations(&self, pointer: &str, violations: &mut ::std::vec::Vec<crate::Violation>) {
                            match self {
                                #(#arms,)*
                            }
                        }
                    }
                });
            }
            TypeKind::Alias(_) => {}
        }
    }
    for operation in &api.operations {
        let requests = operation.body.iter().flat_map(|body| body.contents());
        let responses = operation.responses.iter().flat_map(|response| response.contents());
        for content in requests.chain(responses) {
            if let ContentKind::Multipart(multipart) = &content.kind {
                impls.push(multipart_validate(api, multipart, &mut patterns));
            }
        }
        impls.push(request_violations(api, operation, &mut patterns));
        impls.push(response_violations(api, operation, &mut patterns));
    }
    let statics = patterns.statics();
    quote! {
        //! Checks of the constraints of every type and request.
        #![allow(clippy::collapsible_if, clippy::unnecessary_cast)]

        #statics
        #(#impls)*
    }
}

/// Checks of one struct field, with `pointer` extended by its wire name; `None` when it has no constraints.
fn field_checks(api: &Api, name: &Name, required: bool, shape: &Shape, patterns: &mut Patterns) -> Option<TokenStream> {
    let wire = &name.wire;
    let ident = name.ident();
    let checked = if required { shape.clone() } else { Shape { nullable: true, ..shape.clone() } };
    let mut body = shape_checks(api, &checked, &body_location(), patterns);
    if body.is_empty() {
        return None;
    }
    if !required && shape.nullable {
        // An optional nullable field is `Option<Option<T>>`: unwrap the outer level first.
        body = quote! {
            if let ::std::option::Option::Some(value) = value {
                #body
            }
        };
    }
    Some(quote! {
        {
            let pointer = crate::pointer_child(pointer, #wire);
            let value = &self.#ident;
            #body
        }
    })
}

/// Checks of a body of one media type, bound to `value`; `None` when it has no constraints.
fn content_checks(api: &Api, content: &Content, patterns: &mut Patterns) -> Option<TokenStream> {
    let checks = match &content.kind {
        ContentKind::Multipart(_) => quote! { crate::Validate::collect_violations(value, &pointer, violations); },
        ContentKind::Json(shape) | ContentKind::Form(shape) if shape.ty != Ty::Null => {
            shape_checks(api, shape, &body_location(), patterns)
        }
        _ => return None,
    };
    (!checks.is_empty()).then_some(checks)
}

/// Checks of the text and JSON parts of a multipart body; file parts carry bytes without constraints.
fn multipart_validate(api: &Api, multipart: &Multipart, patterns: &mut Patterns) -> TokenStream {
    let name = multipart.type_name.ident();
    let checks: Vec<TokenStream> = multipart
        .parts
        .iter()
        .filter(|part| part.kind != PartKind::File)
        .filter_map(|part| field_checks(api, &part.name, part.required, &part.shape, patterns))
        .collect();
    let arguments = if checks.is_empty() {
        quote! { _pointer: &str, _violations }
    } else {
        quote! { pointer: &str, violations }
    };
    quote! {
        impl crate::Validate for crate::#name {
            fn collect_violations(&self, #arguments: &mut ::std::vec::Vec<crate::Violation>) {
                #(#checks)*
            }
        }
    }
}

fn body_location() -> TokenStream {
    quote! { crate::runtime::LocationRef::Body(&pointer) }
}

fn request_violations(api: &Api, operation: &Operation, patterns: &mut Patterns) -> TokenStream {
    let name = operation.request_type.ident();
    let mut checks = Vec::new();
    for parameter in &operation.parameters {
        let shape = if parameter.required {
            parameter.shape.clone()
        } else {
            Shape { nullable: true, ..parameter.shape.clone() }
        };
        let wire = &parameter.name.wire;
        let variant = match parameter.location {
            ParamLocation::Path => quote! { Path },
            ParamLocation::Query => quote! { Query },
            ParamLocation::Header => quote! { Header },
            ParamLocation::Cookie => quote! { Cookie },
        };
        let location = quote! { crate::runtime::LocationRef::#variant(#wire) };
        let ident = parameter.name.ident();
        let body = shape_checks(api, &shape, &location, patterns);
        if body.is_empty() {
            continue;
        }
        let pointer = mentions_pointer(&body).then(|| quote! { let pointer = ::std::string::String::new(); });
        checks.push(quote! {
            {
                #pointer
                let value = &self.#ident;
                #body
            }
        });
    }
    if let Some(body) = &operation.body {
        let body_checks = match &body.choice {
            None => content_checks(api, &body.content, patterns),
            Some(choice) => {
                let name = choice.type_name.ident();
                let arms: Vec<(TokenStream, TokenStream)> = choice
                    .variants
                    .iter()
                    .filter_map(|(variant, content)| {
                        let ident = variant.ident();
                        let checks = content_checks(api, content, patterns)?;
                        Some((quote! { crate::#name::#ident(value) }, checks))
                    })
                    .collect();
                match arms.as_slice() {
                    [] => None,
                    // One `match` arm and a catch-all would trip clippy's `single_match`.
                    [(pattern, checks)] if choice.variants.len() > 1 => {
                        Some(quote! { if let #pattern = value { #checks } })
                    }
                    _ => {
                        let catch_all = (arms.len() < choice.variants.len()).then(|| quote! { _ => {} });
                        let arms = arms.iter().map(|(pattern, checks)| quote! { #pattern => { #checks } });
                        Some(quote! {
                            match value {
                                #(#arms)*
                                #catch_all
                            }
                        })
                    }
                }
            }
        };
        if let Some(body_checks) = body_checks {
            checks.push(if body.required {
                quote! { { let pointer = ::std::string::String::new(); let value = &self.body; #body_checks } }
            } else {
                quote! {
                    if let ::std::option::Option::Some(value) = &self.body {
                        let pointer = ::std::string::String::new();
                        #body_checks
                    }
                }
            });
        }
    }
    let method = operation.name.rust.clone();
    let doc = format!(" Returns every violation of the schema constraints in the parameters and body of `{method}`.");
    if checks.is_empty() {
        return quote! {
            impl crate::#name {
                #[doc = #doc]
                pub fn violations(&self) -> ::std::vec::Vec<crate::Violation> {
                    ::std::vec::Vec::new()
                }
            }
        };
    }
    quote! {
        impl crate::#name {
            #[doc = #doc]
            pub fn violations(&self) -> ::std::vec::Vec<crate::Violation> {
                let mut found = ::std::vec::Vec::new();
                let violations = &mut found;
                #(#checks)*
                found
            }
        }
    }
}

/// Emits `violations` of the operation's response enum: statuses of range and `default` variants, and bodies.
fn response_violations(api: &Api, operation: &Operation, patterns: &mut Patterns) -> TokenStream {
    let name = operation.response_type.ident();
    let mut codes = Vec::new();
    let mut ranges = Vec::new();
    for response in &operation.responses {
        match response.status {
            StatusMatch::Code(code) => codes.push(code),
            StatusMatch::Range(digit) => ranges.push(digit),
            StatusMatch::Default => {}
        }
    }
    let mut checked = false;
    let mut uses_status = false;
    let arms: Vec<TokenStream> = operation
        .responses
        .iter()
        .map(|response| {
            let pattern = variant_pattern(api, &name, response);
            // The digit of the variant's range, 0 for `default`.
            let digit = match response.status {
                StatusMatch::Code(_) => None,
                StatusMatch::Range(digit) => Some(digit),
                StatusMatch::Default => Some(0),
            };
            let status =
                digit.map(|digit| quote! { crate::runtime::check_status(*status, #digit, CODES, RANGES, violations); });
            let body = match &response.choice {
                Some(choice) => choice_checks(api, choice, patterns),
                None => response.content.as_ref().and_then(|content| response_content_checks(api, content, patterns)),
            };
            uses_status |= status.is_some();
            checked |= status.is_some() || body.is_some();
            quote! { #pattern => { #status #body } }
        })
        .collect();
    let doc = format!(
        " Returns every way the response breaks the document's description of `{}`: a status outside its \
         variant's range, or a body that breaks its schema.",
        operation.name.rust
    );
    if !checked {
        return quote! {
            impl crate::#name {
                #[doc = #doc]
                pub fn violations(&self) -> ::std::vec::Vec<crate::Violation> {
                    ::std::vec::Vec::new()
                }
            }
        };
    }
    let constants = uses_status.then(|| {
        let ranges = ranges.iter().map(|digit| proc_macro2::Literal::u16_unsuffixed(*digit));
        let codes = codes.iter().map(|code| proc_macro2::Literal::u16_unsuffixed(*code));
        quote! {
            const CODES: &[u16] = &[#(#codes),*];
            const RANGES: &[u16] = &[#(#ranges),*];
        }
    });
    quote! {
        impl crate::#name {
            #[doc = #doc]
            #[allow(unused_variables)]
            pub fn violations(&self) -> ::std::vec::Vec<crate::Violation> {
                #constants
                let mut found = ::std::vec::Vec::new();
                let violations = &mut found;
                match self {
                    #(#arms,)*
                }
                found
            }
        }
    }
}

/// Checks of a response body of one media type bound as `body`: JSON and form bodies have a schema.
fn response_content_checks(api: &Api, content: &Content, patterns: &mut Patterns) -> Option<TokenStream> {
    match &content.kind {
        ContentKind::Json(shape) | ContentKind::Form(shape) if shape.ty != Ty::Null => {
            response_body_checks(api, shape, patterns)
        }
        ContentKind::Multipart(_) => Some(quote! { crate::Validate::collect_violations(body, "", violations); }),
        ContentKind::Bytes if content.media_type.contains('*') => {
            let media = &content.media_type;
            Some(quote! { crate::binary::check_media_type(body, #media, violations); })
        }
        _ => None,
    }
}

/// Checks of a response body of several media types bound as `body`: the checks of the variant it holds.
fn choice_checks(api: &Api, choice: &BodyChoice, patterns: &mut Patterns) -> Option<TokenStream> {
    let name = choice.type_name.ident();
    let arms: Vec<(TokenStream, TokenStream)> = choice
        .variants
        .iter()
        .filter_map(|(variant, content)| {
            let checks = response_content_checks(api, content, patterns)?;
            let ident = variant.ident();
            Some((quote! { crate::#name::#ident(body) }, checks))
        })
        .collect();
    match arms.as_slice() {
        [] => None,
        // One `match` arm and a catch-all would trip clippy's `single_match`.
        [(pattern, checks)] if choice.variants.len() > 1 => Some(quote! { if let #pattern = body { #checks } }),
        _ => {
            let rest = (arms.len() < choice.variants.len()).then(|| quote! { _ => {} });
            let arms = arms.iter().map(|(pattern, checks)| quote! { #pattern => { #checks } });
            Some(quote! {
                match body {
                    #(#arms)*
                    #rest
                }
            })
        }
    }
}

/// Checks of a response body bound as `body`; a named type needs only its `Validate` call.
fn response_body_checks(api: &Api, shape: &Shape, patterns: &mut Patterns) -> Option<TokenStream> {
    if let Ty::Named(id) = shape.ty
        && !shape.nullable
    {
        return (!matches!(api.ty(id).kind, TypeKind::Alias(_)))
            .then(|| quote! { crate::Validate::collect_violations(body, "", violations); });
    }
    let checks = shape_checks(api, shape, &body_location(), patterns);
    (!checks.is_empty()).then(|| {
        quote! {
            let pointer = ::std::string::String::new();
            let value = body;
            #checks
        }
    })
}

fn mentions_pointer(tokens: &TokenStream) -> bool {
    tokens.to_string().contains("pointer")
}

/// Checks of `value` (a reference to a value of `shape`) that push onto `violations`.
fn shape_checks(api: &Api, shape: &Shape, location: &TokenStream, patterns: &mut Patterns) -> TokenStream {
    if shape.nullable && shape.ty != Ty::Null {
        let inner = shape_checks(api, &Shape { nullable: false, ..shape.clone() }, location, patterns);
        if inner.is_empty() {
            return inner;
        }
        return quote! {
            if let ::std::option::Option::Some(value) = value {
                #inner
            }
        };
    }
    let checks = &shape.checks;
    let mut out = Vec::new();
    match &shape.ty {
        Ty::String(format) if !format.is_text() => {}
        Ty::String(format) => {
            if checks.min_length.is_some() || checks.max_length.is_some() {
                let min = option_u64(checks.min_length);
                let max = option_u64(checks.max_length);
                out.push(quote! { crate::runtime::check_length(value, #min, #max, #location, violations); });
            }
            if let Some(pattern) = &checks.pattern {
                let ident = patterns.ident(pattern);
                out.push(quote! {
                    if let ::std::option::Option::Some(regex) = #ident.as_ref() {
                        crate::runtime::check_pattern(value, regex, #pattern, #location, violations);
                    }
                });
            }
            if let Some(format) = format_name(*format) {
                out.push(quote! { crate::runtime::check_format(value, #format, #location, violations); });
            }
        }
        Ty::Integer(_) | Ty::Number => {
            if checks.minimum.is_some() || checks.maximum.is_some() || checks.multiple_of.is_some() {
                let minimum = option_f64(checks.minimum);
                let maximum = option_f64(checks.maximum);
                let multiple_of = option_f64(checks.multiple_of);
                let (exclusive_min, exclusive_max) = (checks.exclusive_minimum, checks.exclusive_maximum);
                out.push(quote! {
                    crate::runtime::check_range(*value as f64, #minimum, #maximum, (#exclusive_min, #exclusive_max), #multiple_of, #location, violations);
                });
            }
        }
        Ty::Array(items) => {
            out.push(count_check(checks.min_items, checks.max_items, "items", location));
            if checks.unique_items {
                out.push(quote! { crate::runtime::check_unique(value, #location, violations); });
            }
            let inner = shape_checks(api, items, location, patterns);
            if !inner.is_empty() {
                let pointer = mentions_pointer(location)
                    .then(|| quote! { let pointer = crate::pointer_child(&pointer, &index.to_string()); });
                let index = if pointer.is_some() {
                    quote! { index }
                } else {
                    quote! { _index }
                };
                out.push(quote! {
                    for (#index, value) in value.iter().enumerate() {
                        #pointer
                        #inner
                    }
                });
            }
        }
        Ty::Map(values) => {
            out.push(count_check(checks.min_properties, checks.max_properties, "properties", location));
            let inner = shape_checks(api, values, location, patterns);
            if !inner.is_empty() {
                let pointer =
                    mentions_pointer(location).then(|| quote! { let pointer = crate::pointer_child(&pointer, key); });
                let key = if pointer.is_some() {
                    quote! { key }
                } else {
                    quote! { _key }
                };
                out.push(quote! {
                    for (#key, value) in value.iter() {
                        #pointer
                        #inner
                    }
                });
            }
        }
        Ty::Named(id) => {
            if !matches!(api.ty(*id).kind, TypeKind::Alias(_)) {
                let pointer = if mentions_pointer(location) {
                    quote! { &pointer }
                } else {
                    quote! { "" }
                };
                out.push(quote! { crate::Validate::collect_violations(value, #pointer, violations); });
            }
        }
        Ty::Boolean | Ty::Any | Ty::Null => {}
    }
    if let Some(allowed) = &checks.allowed {
        out.push(quote! { crate::runtime::check_allowed(value, &[#(#allowed),*], #location, violations); });
    }
    quote! { #(#out)* }
}

fn count_check(min: Option<u64>, max: Option<u64>, noun: &str, location: &TokenStream) -> TokenStream {
    if min.is_none() && max.is_none() {
        return quote! {};
    }
    let (min, max) = (option_u64(min), option_u64(max));
    quote! { crate::runtime::check_count(value.len(), #min, #max, #noun, #location, violations); }
}

fn format_name(format: StringFormat) -> Option<&'static str> {
    match format {
        StringFormat::Plain => None,
        StringFormat::Email => Some("email"),
        StringFormat::DateTime => Some("date-time"),
        StringFormat::Date => Some("date"),
        StringFormat::Uuid => Some("uuid"),
        StringFormat::Uri => Some("uri"),
    }
}

fn option_u64(value: Option<u64>) -> TokenStream {
    match value {
        Some(value) => quote! { ::std::option::Option::Some(#value) },
        None => quote! { ::std::option::Option::None },
    }
}

fn option_f64(value: Option<f64>) -> TokenStream {
    match value {
        Some(value) => {
            let literal = proc_macro2::Literal::f64_suffixed(value);
            quote! { ::std::option::Option::Some(#literal) }
        }
        None => quote! { ::std::option::Option::None },
    }
}
