//! Finds the exact values behind an `openapiv3` deserialization error.
//!
//! `openapiv3` reads many objects through untagged enums (`ReferenceOr`, `SchemaKind`), internally
//! tagged enums (`Parameter` by `in`, `Type` by `type`, `SecurityScheme` by `type`) and flattened
//! maps (`Paths`, `Responses`). Serde deserializes those from a buffered copy of the value, so the
//! path that `serde_path_to_error` reports stops at the enum or the map, often at `/paths`. Here the
//! document is deserialized again piece by piece, following the kinds of OpenAPI objects, down to
//! the deepest values that still fail.

use openapiv3::{
    APIKeyLocation, AnySchema, ArrayType, BooleanType, Components, CookieStyle, Encoding, Example, Header, HeaderStyle,
    IntegerType, Link, MediaType, NumberType, OAuth2Flows, ObjectType, OpenAPI, Operation, Parameter, ParameterData,
    PathItem, PathStyle, Paths, QueryStyle, ReferenceOr, RequestBody, Response, Responses, Schema, SchemaData,
    SecurityScheme, StringType,
};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

use super::places::{Kind, Place, child_place};
use crate::diagnostics::child;

/// A value that failed to deserialize: its JSON pointer in the document and the serde message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    pub pointer: String,
    pub message: String,
}

/// Returns the deepest values of `document` that fail to deserialize, each object's failing
/// children before its own error.
///
/// The result is empty when the document deserializes, and when no part of it fails on its own,
/// which leaves the caller with the error of the whole document.
pub fn locate(document: &Value) -> Vec<TypeError> {
    let mut errors = Vec::new();
    let place = Place::Object(Kind::Document);
    if fails(place, document) {
        descend(place, document, "", &mut errors);
    }
    errors
}

/// Records the failing children of a failing value, then the value's own error, if any, once the
/// failing children are left out.
fn descend(place: Place, value: &Value, pointer: &str, errors: &mut Vec<TypeError>) {
    let mut failing = Vec::new();
    for (token, child_place, child_value) in children(place, value) {
        if fails(child_place, child_value) {
            descend(child_place, child_value, &child(pointer, &token), errors);
            failing.push(token);
        }
    }
    let own = if failing.is_empty() {
        own_error(place, value)
    } else {
        // A field that only lacks the children already reported is not an error of its own.
        let missing: Vec<String> = failing.iter().map(|token| format!("missing field `{token}`")).collect();
        own_error(place, &without(value, &failing)).filter(|error| !missing.contains(&error.message))
    };
    if let Some(error) = own {
        errors.push(TypeError { pointer: format!("{pointer}{}", error.pointer), message: error.message });
    }
}

/// Returns a copy of `value` without the entries named by `tokens`.
fn without(value: &Value, tokens: &[String]) -> Value {
    match value {
        Value::Object(object) => {
            let remaining = object.iter().filter(|(key, _)| !tokens.contains(key));
            Value::Object(remaining.map(|(key, item)| (key.clone(), item.clone())).collect())
        }
        Value::Array(items) => {
            let remaining = items.iter().enumerate().filter(|(index, _)| !tokens.contains(&index.to_string()));
            Value::Array(remaining.map(|(_, item)| item.clone()).collect())
        }
        other => other.clone(),
    }
}

/// Lists the entries of `value` that are OpenAPI objects, with their places.
fn children(place: Place, value: &Value) -> Vec<(String, Place, &Value)> {
    match value {
        Value::Object(object) => {
            object.iter().filter_map(|(key, item)| Some((key.clone(), child_place(place, key, value)?, item))).collect()
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let token = index.to_string();
                Some((token.clone(), child_place(place, &token, value)?, item))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Returns whether `value` fails to deserialize as what `place` holds.
fn fails(place: Place, value: &Value) -> bool {
    match place {
        Place::Object(kind) => kind_error(kind, value).is_some(),
        Place::Map(kind) => match value {
            Value::Object(object) => object.values().any(|item| kind_error(kind, item).is_some()),
            _ => true,
        },
        Place::List(kind) => match value {
            Value::Array(items) => items.iter().any(|item| kind_error(kind, item).is_some()),
            _ => true,
        },
    }
}

/// Returns the error of a value whose children all deserialize, with a pointer relative to the value.
///
/// The checks of fields that `openapiv3` reads through a tagged or untagged enum come first,
/// because the error of the whole object does not say which field failed.
fn own_error(place: Place, value: &Value) -> Option<TypeError> {
    let kind = match place {
        Place::Map(_) => return error_of::<indexmap::IndexMap<String, IgnoredAny>>(value),
        Place::List(_) => return error_of::<Vec<IgnoredAny>>(value),
        Place::Object(kind) => kind,
    };
    let is_reference = value.get("$ref").is_some();
    let focused = match kind {
        Kind::Schema if !is_reference => schema_error(value),
        Kind::Parameter if !is_reference => parameter_error(value),
        Kind::SecurityScheme if !is_reference => security_scheme_error(value),
        _ => None,
    };
    focused.or_else(|| kind_error(kind, value))
}

/// Returns the error of a schema, from its common fields or the fields of its `type`.
fn schema_error(value: &Value) -> Option<TypeError> {
    if let Some(error) = error_of::<SchemaData>(value) {
        return Some(error);
    }
    // `openapiv3` tries the type named by `type` and then a schema of any type, so both failed.
    let typed = match value.get("type").and_then(Value::as_str) {
        Some("string") => error_of::<StringType>(value),
        Some("number") => error_of::<NumberType>(value),
        Some("integer") => error_of::<IntegerType>(value),
        Some("object") => error_of::<ObjectType>(value),
        Some("array") => error_of::<ArrayType>(value),
        Some("boolean") => error_of::<BooleanType>(value),
        _ => None,
    };
    typed.or_else(|| error_of::<AnySchema>(value))
}

/// Returns the error of a parameter, from its common fields or the fields its location allows.
fn parameter_error(value: &Value) -> Option<TypeError> {
    if let Some(error) = error_of::<ParameterData>(value) {
        return Some(error);
    }
    let style = value.get("style");
    let style_error = match (value.get("in").and_then(Value::as_str), style) {
        (_, None) => None,
        (Some("path"), Some(style)) => error_of::<PathStyle>(style),
        (Some("query"), Some(style)) => error_of::<QueryStyle>(style),
        (Some("header"), Some(style)) => error_of::<HeaderStyle>(style),
        (Some("cookie"), Some(style)) => error_of::<CookieStyle>(style),
        _ => None,
    };
    if let Some(error) = style_error {
        return Some(at("/style", error));
    }
    ["allowReserved", "allowEmptyValue"].into_iter().find_map(|key| field_error::<bool>(value, key))
}

/// Returns the error of a security scheme, from the fields its `type` requires.
fn security_scheme_error(value: &Value) -> Option<TypeError> {
    match value.get("type").and_then(Value::as_str) {
        Some("apiKey") => field_error::<APIKeyLocation>(value, "in").or_else(|| field_error::<String>(value, "name")),
        Some("http") => field_error::<String>(value, "scheme"),
        Some("oauth2") => field_error::<OAuth2Flows>(value, "flows"),
        Some("openIdConnect") => field_error::<String>(value, "openIdConnectUrl"),
        Some(other) => Some(TypeError {
            pointer: "/type".to_owned(),
            message: format!("unknown variant `{other}`, expected one of `apiKey`, `http`, `oauth2`, `openIdConnect`"),
        }),
        None => None,
    }
}

/// Returns the error of field `key` of `value` read as `T`; a missing field is left to the object's own check.
fn field_error<T: DeserializeOwned>(value: &Value, key: &str) -> Option<TypeError> {
    let field = value.get(key)?;
    error_of::<T>(field).map(|error| at(&child("", key), error))
}

/// Prefixes the pointer of `error` with `prefix`.
fn at(prefix: &str, error: TypeError) -> TypeError {
    TypeError { pointer: format!("{prefix}{}", error.pointer), message: error.message }
}

/// Returns the error of `value` read as the `openapiv3` type of `kind`.
fn kind_error(kind: Kind, value: &Value) -> Option<TypeError> {
    match kind {
        Kind::Document => error_of::<OpenAPI>(value),
        Kind::Paths => error_of::<Paths>(value),
        Kind::PathItem => reference_or_error::<PathItem>(value),
        Kind::Operation => error_of::<Operation>(value),
        Kind::Parameter => reference_or_error::<Parameter>(value),
        Kind::RequestBody => reference_or_error::<RequestBody>(value),
        Kind::Responses => error_of::<Responses>(value),
        Kind::Response => reference_or_error::<Response>(value),
        Kind::MediaType => error_of::<MediaType>(value),
        Kind::Encoding => error_of::<Encoding>(value),
        Kind::Header => reference_or_error::<Header>(value),
        Kind::Schema => reference_or_error::<Schema>(value),
        Kind::Components => error_of::<Components>(value),
        Kind::Example => reference_or_error::<Example>(value),
        Kind::Link => reference_or_error::<Link>(value),
        Kind::Callback => reference_or_error::<openapiv3::Callback>(value),
        Kind::SecurityScheme => reference_or_error::<SecurityScheme>(value),
    }
}

/// Reads a value that may be a reference object as `ReferenceOr<T>`, and any other value as `T`,
/// whose error keeps its path.
fn reference_or_error<T: DeserializeOwned>(value: &Value) -> Option<TypeError> {
    if value.get("$ref").is_some() { error_of::<ReferenceOr<T>>(value) } else { error_of::<T>(value) }
}

/// Returns the error of reading `value` as `T`, with the pointer of the failing value relative to `value`.
fn error_of<T: DeserializeOwned>(value: &Value) -> Option<TypeError> {
    let error = serde_path_to_error::deserialize::<_, T>(value).err()?;
    Some(TypeError { pointer: super::path_to_pointer(error.path()), message: error.inner().to_string() })
}
