//! Security schemes and requirements: the `SecurityScheme` enum, each operation's `SECURITY` constant, and the
//! one statement per handler that authenticates a request. The logic itself is in the runtime modules.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc;
use crate::model::{Api, ApiKeyLocation, Operation, SchemeKind};

/// Emits the `SecurityScheme` enum with the location and the `WWW-Authenticate` challenge of each scheme.
pub fn security_schemes(api: &Api) -> TokenStream {
    let variants: Vec<_> = api.security_schemes.iter().map(|scheme| scheme.name.ident()).collect();
    let docs = api.security_schemes.iter().map(|scheme| doc(&[scheme.description.as_deref()]));
    let wires = api.security_schemes.iter().map(|scheme| &scheme.name.wire);
    let locations = api.security_schemes.iter().map(|scheme| match &scheme.kind {
        SchemeKind::Bearer => quote! { crate::CredentialLocation::Bearer },
        SchemeKind::Basic => quote! { crate::CredentialLocation::Basic },
        SchemeKind::ApiKey { location: ApiKeyLocation::Header, name } => {
            quote! { crate::CredentialLocation::Header(#name) }
        }
        SchemeKind::ApiKey { location: ApiKeyLocation::Query, name } => {
            quote! { crate::CredentialLocation::Query(#name) }
        }
        SchemeKind::ApiKey { location: ApiKeyLocation::Cookie, name } => {
            quote! { crate::CredentialLocation::Cookie(#name) }
        }
    });
    let challenges = api.security_schemes.iter().map(|scheme| challenge(api, &scheme.kind));
    quote! {
        /// The security schemes of the document.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum SecurityScheme {
            #(#docs #variants,)*
        }

        impl SecurityScheme {
            /// Returns the scheme's key in `components.securitySchemes`.
            pub fn name(self) -> &'static str {
                match self {
                    #(SecurityScheme::#variants => #wires,)*
                }
            }

            /// Returns where the scheme's credential travels.
            pub fn location(self) -> crate::CredentialLocation {
                match self {
                    #(SecurityScheme::#variants => #locations,)*
                }
            }

            /// Returns the `WWW-Authenticate` challenge that a 401 response sends for this scheme.
            pub fn challenge(self) -> &'static str {
                match self {
                    #(SecurityScheme::#variants => #challenges,)*
                }
            }
        }
    }
}

/// Returns the RFC 9110 challenge of a scheme. API keys have no registered authentication scheme, so their
/// challenge names the key and where it travels.
fn challenge(api: &Api, kind: &SchemeKind) -> String {
    let realm = header_text(&api.title);
    match kind {
        SchemeKind::Bearer => "Bearer".to_owned(),
        SchemeKind::Basic => format!("Basic realm=\"{realm}\", charset=\"UTF-8\""),
        SchemeKind::ApiKey { location, name } => {
            let location = match location {
                ApiKeyLocation::Header => "header",
                ApiKeyLocation::Query => "query",
                ApiKeyLocation::Cookie => "cookie",
            };
            let name = header_text(name);
            format!("ApiKey realm=\"{realm}\", in=\"{location}\", name=\"{name}\"")
        }
    }
}

/// Keeps the characters that may stand inside a quoted header parameter without escapes: visible ASCII and
/// spaces, except `"` and `\`.
fn header_text(text: &str) -> String {
    text.chars().filter(|c| (c.is_ascii_graphic() || *c == ' ') && *c != '"' && *c != '\\').collect()
}

/// Returns the value of a request type's `SECURITY` constant: each alternative with its schemes and scopes.
pub fn requirement_constant(api: &Api, operation: &Operation) -> TokenStream {
    let security = &operation.security;
    let alternatives = security.alternatives.iter().zip(&security.scopes).map(|(set, scopes)| {
        let entries = set.iter().zip(scopes).map(|(index, scopes)| {
            let scheme = api.security_schemes[*index].name.ident();
            quote! { crate::SchemeRequirement { scheme: crate::SecurityScheme::#scheme, scopes: &[#(#scopes),*] } }
        });
        quote! { &[#(#entries),*] }
    });
    quote! { &[#(#alternatives),*] }
}

/// Emits the handler statements that authenticate the request into `credentials`, or respond with 401, 403
/// or 500 and the failure's `WWW-Authenticate` challenges.
pub fn server_authentication(operation: &Operation) -> Option<TokenStream> {
    if !operation.security.is_declared() {
        return None;
    }
    let request_type = operation.request_type.ident();
    Some(quote! {
        let credentials = match security::authenticate(
            shared.authenticator.as_deref(), crate::#request_type::SECURITY, &parts.headers, &wire,
        ).await {
            Ok(credentials) => credentials,
            Err(failure) => {
                let response = reject(&shared, failure.rejection());
                return failure.add_challenges(response);
            }
        };
    })
}
