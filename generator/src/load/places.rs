//! The kind of OpenAPI object at each place of a document, found by following the fields that
//! the OpenAPI 3.0 specification defines from the root down.

use openapiv3::StatusCode;
use serde_json::Value;

use super::METHODS;
use crate::diagnostics::unescape_token;

/// The kinds of OpenAPI object that places are classified into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Document,
    Paths,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Responses,
    Response,
    MediaType,
    Encoding,
    Header,
    Schema,
    Components,
    Example,
    Link,
    Callback,
    SecurityScheme,
}

/// A place in the document: one object, or a map or list of objects of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Object(Kind),
    Map(Kind),
    List(Kind),
}

/// Returns the place of entry `token` of `value`, which is at `place`.
pub fn child_place(place: Place, token: &str, value: &Value) -> Option<Place> {
    use Kind as K;
    use Place::{List, Map, Object};
    let kind = match place {
        Map(kind) => return value.is_object().then_some(Object(kind)),
        List(kind) => return value.is_array().then_some(Object(kind)),
        Object(kind) => kind,
    };
    // A reference object has no entries to check.
    if value.get("$ref").is_some() {
        return None;
    }
    let place = match (kind, token) {
        (K::Document, "paths") => Object(K::Paths),
        (K::Document, "components") => Object(K::Components),
        (K::Paths, path) if path.starts_with('/') => Object(K::PathItem),
        (K::PathItem, "parameters") => List(K::Parameter),
        (K::PathItem, method) if METHODS.contains(&method) => Object(K::Operation),
        (K::Operation, "parameters") => List(K::Parameter),
        (K::Operation, "requestBody") => Object(K::RequestBody),
        (K::Operation, "responses") => Object(K::Responses),
        (K::Operation, "callbacks") => Map(K::Callback),
        (K::Callback, _) => Object(K::PathItem),
        (K::Responses, status) if is_status(status) => Object(K::Response),
        (K::Response, "headers") | (K::Encoding, "headers") => Map(K::Header),
        (K::Response, "content") | (K::Parameter, "content") | (K::Header, "content") => Map(K::MediaType),
        (K::RequestBody, "content") => Map(K::MediaType),
        (K::Response, "links") => Map(K::Link),
        (K::Parameter, "schema") | (K::Header, "schema") | (K::MediaType, "schema") => Object(K::Schema),
        (K::Parameter, "examples") | (K::Header, "examples") | (K::MediaType, "examples") => Map(K::Example),
        (K::MediaType, "encoding") => Map(K::Encoding),
        (K::Schema, "properties") => Map(K::Schema),
        (K::Schema, "items") | (K::Schema, "not") => Object(K::Schema),
        (K::Schema, "additionalProperties") if value.get(token).is_some_and(Value::is_object) => Object(K::Schema),
        (K::Schema, "allOf") | (K::Schema, "oneOf") | (K::Schema, "anyOf") => List(K::Schema),
        (K::Components, section) => Map(match section {
            "schemas" => K::Schema,
            "responses" => K::Response,
            "parameters" => K::Parameter,
            "examples" => K::Example,
            "requestBodies" => K::RequestBody,
            "headers" => K::Header,
            "securitySchemes" => K::SecurityScheme,
            "links" => K::Link,
            "callbacks" => K::Callback,
            _ => return None,
        }),
        _ => return None,
    };
    Some(place)
}

/// Returns whether a key of a responses object names a response: `default` or a status code such as `404` or `4XX`.
fn is_status(key: &str) -> bool {
    key == "default" || serde_json::from_value::<StatusCode>(Value::String(key.to_owned())).is_ok()
}

/// Fields of the OpenAPI Object, none of which is a schema.
const DOCUMENT_FIELDS: &[&str] =
    &["openapi", "info", "servers", "paths", "components", "security", "tags", "externalDocs"];

impl Kind {
    /// Returns the name of the kind in the words of the OpenAPI specification, with an article.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Document => "the OpenAPI document itself",
            Kind::Paths => "the Paths Object",
            Kind::PathItem => "a Path Item Object",
            Kind::Operation => "an Operation Object",
            Kind::Parameter => "a Parameter Object",
            Kind::RequestBody => "a Request Body Object",
            Kind::Responses => "a Responses Object",
            Kind::Response => "a Response Object",
            Kind::MediaType => "a Media Type Object",
            Kind::Encoding => "an Encoding Object",
            Kind::Header => "a Header Object",
            Kind::Schema => "a Schema Object",
            Kind::Components => "the Components Object",
            Kind::Example => "an Example Object",
            Kind::Link => "a Link Object",
            Kind::Callback => "a Callback Object",
            Kind::SecurityScheme => "a Security Scheme Object",
        }
    }
}

/// Describes what `pointer` names in `document` when it is certainly not a schema, such as
/// "the `info` field" for `/info`. Returns `None` for a schema, for a value inside a schema,
/// and for places the specification does not define, such as extensions.
pub fn not_a_schema(document: &Value, pointer: &str) -> Option<String> {
    let mut place = Place::Object(Kind::Document);
    let mut value = document;
    for token in pointer.split('/').skip(1) {
        let token = unescape_token(token);
        if place == Place::Object(Kind::Schema) {
            return None;
        }
        place = match child_place(place, &token, value) {
            Some(place) => place,
            None if place == Place::Object(Kind::Document) && DOCUMENT_FIELDS.contains(&token.as_str()) => {
                return Some(format!("the `{token}` field"));
            }
            None => return None,
        };
        value = match value {
            Value::Object(object) => object.get(&token)?,
            Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match place {
        Place::Object(Kind::Schema) => None,
        Place::Object(kind) => Some(kind.name().to_owned()),
        Place::Map(kind) | Place::List(kind) => Some(format!("a collection of which each entry is {}", kind.name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_and_other_objects_differ() {
        let document = serde_json::json!({
            "info": {"title": "t"},
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"properties": {"p": {"items": {}}}}
            }}}}}}},
            "components": {"schemas": {"A": {"type": "string"}}, "responses": {"R": {}}},
            "x-definitions": {"B": {}}
        });
        let schema = "/paths/~1a/get/responses/200/content/application~1json/schema";
        assert_eq!(not_a_schema(&document, "").as_deref(), Some("the OpenAPI document itself"));
        assert_eq!(not_a_schema(&document, "/info").as_deref(), Some("the `info` field"));
        assert_eq!(not_a_schema(&document, "/info/title").as_deref(), Some("the `info` field"));
        assert_eq!(not_a_schema(&document, "/paths/~1a/get").as_deref(), Some("an Operation Object"));
        assert_eq!(not_a_schema(&document, "/components/responses/R").as_deref(), Some("a Response Object"));
        assert!(not_a_schema(&document, "/components/schemas").is_some());
        assert_eq!(not_a_schema(&document, schema), None);
        assert_eq!(not_a_schema(&document, &format!("{schema}/properties/p/items")), None);
        assert_eq!(not_a_schema(&document, "/components/schemas/A"), None);
        assert_eq!(not_a_schema(&document, "/x-definitions/B"), None);
    }
}
