//! Security schemes and requirements.

use openapiv3::{OpenAPI, ReferenceOr, SecurityRequirement};

use crate::diagnostics::{Diagnostics, child};
use crate::model::{ApiKeyLocation, SchemeKind, Security, SecurityScheme};
use crate::naming::{Case, Namespace};

/// Lowers `components.securitySchemes`, in document order.
pub fn schemes(document: &OpenAPI, diagnostics: &mut Diagnostics) -> Vec<SecurityScheme> {
    let mut names = Namespace::new();
    let mut out = Vec::new();
    let Some(components) = &document.components else { return out };
    for (key, scheme) in &components.security_schemes {
        let pointer = child("/components/securitySchemes", key);
        let scheme = match scheme {
            ReferenceOr::Item(scheme) => scheme,
            ReferenceOr::Reference { reference } => {
                diagnostics.unsupported(
                    &child(&pointer, "$ref"),
                    format!("a `$ref` ({reference}) as a security scheme is not supported yet"),
                    "write the security scheme inline under `components/securitySchemes`",
                );
                continue;
            }
        };
        let (kind, description) = match scheme {
            openapiv3::SecurityScheme::HTTP { scheme, description, .. } => {
                let kind = match scheme.to_ascii_lowercase().as_str() {
                    "bearer" => SchemeKind::Bearer,
                    "basic" => SchemeKind::Basic,
                    other => {
                        diagnostics.unsupported(
                            &child(&pointer, "scheme"),
                            format!("HTTP authentication scheme `{other}` is not supported yet"),
                            "use `bearer` or `basic`",
                        );
                        continue;
                    }
                };
                (kind, description)
            }
            openapiv3::SecurityScheme::APIKey { location, name, description, .. } => {
                let location = match location {
                    openapiv3::APIKeyLocation::Header => ApiKeyLocation::Header,
                    openapiv3::APIKeyLocation::Query => ApiKeyLocation::Query,
                    openapiv3::APIKeyLocation::Cookie => ApiKeyLocation::Cookie,
                };
                // Header and cookie names are RFC 9110 tokens. A query name is percent-encoded, so any text works.
                if location != ApiKeyLocation::Query && !is_token(name) {
                    diagnostics.invalid(
                        &child(&pointer, "name"),
                        format!(
                            "`{name}` is not a valid {} name",
                            if location == ApiKeyLocation::Header { "header" } else { "cookie" }
                        ),
                        "use a name of letters, digits and the characters !#$%&'*+-.^_`|~",
                    );
                    continue;
                }
                (SchemeKind::ApiKey { location, name: name.clone() }, description)
            }
            // OAuth2 and OpenID Connect access tokens travel as bearer tokens.
            openapiv3::SecurityScheme::OAuth2 { description, .. } => (SchemeKind::Bearer, description),
            openapiv3::SecurityScheme::OpenIDConnect { description, .. } => (SchemeKind::Bearer, description),
        };
        let name = names.name(key, Case::Pascal);
        out.push(SecurityScheme { name, description: description.clone(), kind });
    }
    out
}

/// Returns whether `name` is an RFC 9110 token: one or more visible ASCII characters other than delimiters.
fn is_token(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte))
}

/// Lowers an operation's `security`, falling back to the document's.
pub fn requirement(
    operation: Option<&Vec<SecurityRequirement>>,
    document: &OpenAPI,
    schemes: &[SecurityScheme],
    pointer: &str,
    diagnostics: &mut Diagnostics,
) -> Security {
    // A scheme that is declared but was not lowered already has its own diagnostic from `schemes`.
    let declared = |key: &str| {
        document.components.as_ref().is_some_and(|components| components.security_schemes.contains_key(key))
    };
    let (requirements, pointer) = match (operation, document.security.as_ref()) {
        (Some(requirements), _) => (requirements, child(pointer, "security")),
        (None, Some(requirements)) => (requirements, "/security".to_owned()),
        (None, None) => return Security::default(),
    };
    let mut alternatives = Vec::new();
    let mut all_scopes = Vec::new();
    for (index, requirement) in requirements.iter().enumerate() {
        let mut set = Vec::new();
        let mut scopes = Vec::new();
        for (key, required_scopes) in requirement {
            match schemes.iter().position(|s| s.name.wire == *key) {
                Some(position) => {
                    set.push(position);
                    scopes.push(required_scopes.clone());
                }
                None if declared(key) => {}
                None => diagnostics.invalid(
                    &child(&child(&pointer, index.to_string()), key),
                    format!("security scheme `{key}` is not defined"),
                    format!("define `{key}` under `components/securitySchemes` or fix the name"),
                ),
            }
        }
        alternatives.push(set);
        all_scopes.push(scopes);
    }
    Security { alternatives, scopes: all_scopes }
}
