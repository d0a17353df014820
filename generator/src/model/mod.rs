//! The generator's own model of an API: the input to every emitter.
//!
//! Lowering builds it from the OpenAPI document; emitters only read it and
//! never see `openapiv3` types. All names are already unique Rust identifiers,
//! every `$ref` is resolved, and collections keep document order, so emitting
//! the same model twice gives the same bytes.

mod types;

pub use types::{Checks, DefaultValue, Field, IntType, NamedType, Shape, StringFormat, Ty, TypeId, TypeKind, Variant};

use crate::naming::Name;

/// One API: everything the api, server and client crates are generated from.
#[derive(Debug, Clone)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// Distinct servers; the first one is the default of operations without their own.
    pub servers: Vec<Server>,
    pub security_schemes: Vec<SecurityScheme>,
    /// Named types, indexed by [`TypeId`].
    pub types: Vec<NamedType>,
    pub operations: Vec<Operation>,
    /// The schema the server fills in for rejections it makes itself (400, 401, 415).
    pub error_body: Option<ErrorBody>,
}

impl Api {
    pub fn ty(&self, id: TypeId) -> &NamedType {
        &self.types[id.0]
    }

    /// Returns whether any request body is a form.
    pub fn uses_forms(&self) -> bool {
        self.operations.iter().any(|operation| {
            operation
                .body
                .as_ref()
                .is_some_and(|body| body.contents().iter().any(|content| matches!(content.kind, ContentKind::Form(_))))
        })
    }

    /// Returns whether any request or response body is raw bytes, which the generated code streams.
    pub fn uses_binary(&self) -> bool {
        let binary = |content: &Content| matches!(content.kind, ContentKind::Bytes);
        self.operations.iter().any(|operation| {
            operation.body.as_ref().is_some_and(|body| body.contents().into_iter().any(binary))
                || operation.responses.iter().any(|response| response.contents().into_iter().any(binary))
        })
    }

    /// Returns whether any request or response body is multipart.
    pub fn uses_multipart(&self) -> bool {
        let multipart = |content: &Content| matches!(content.kind, ContentKind::Multipart(_));
        self.operations.iter().any(|operation| {
            operation.body.as_ref().is_some_and(|body| body.contents().into_iter().any(multipart))
                || operation.responses.iter().any(|response| response.contents().into_iter().any(multipart))
        })
    }

    /// Returns whether `predicate` holds for any shape of the API: fields, aliases, parameters and bodies.
    pub fn any_shape(&self, predicate: impl Fn(&Shape) -> bool) -> bool {
        let in_types = self.types.iter().any(|ty| match &ty.kind {
            TypeKind::Struct { fields, additional, .. } => {
                fields.iter().any(|field| field.shape.any(&predicate))
                    || additional.as_ref().is_some_and(|(_, shape)| shape.any(&predicate))
            }
            TypeKind::Alias(shape) => shape.any(&predicate),
            TypeKind::Union { variants, .. } => variants.iter().any(|variant| variant.shape.any(&predicate)),
            TypeKind::Enum { .. } => false,
        });
        let json = |content: &Content| match &content.kind {
            ContentKind::Json(shape) | ContentKind::Form(shape) => shape.any(&predicate),
            ContentKind::Multipart(multipart) => multipart.parts.iter().any(|part| part.shape.any(&predicate)),
            ContentKind::Text | ContentKind::Bytes => false,
        };
        let in_operations = self.operations.iter().any(|operation| {
            operation.parameters.iter().any(|parameter| parameter.shape.any(&predicate))
                || operation.body.as_ref().is_some_and(|body| body.contents().into_iter().any(json))
                || operation.responses.iter().any(|response| response.contents().into_iter().any(json))
        });
        in_types || in_operations
    }
}

/// A base URL operations can be sent to.
#[derive(Debug, Clone)]
pub struct Server {
    /// Variant of the generated `Server` enum.
    pub name: Name,
    pub url: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// Variant of the generated `SecurityScheme` enum; the wire name is the key in `components.securitySchemes`.
    pub name: Name,
    pub description: Option<String>,
    pub kind: SchemeKind,
}

/// The place a credential travels in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>`: HTTP bearer, OAuth2 and OpenID Connect.
    Bearer,
    /// `Authorization: Basic <base64>`.
    Basic,
    /// An API key in a header, query parameter or cookie of the given name.
    ApiKey { location: ApiKeyLocation, name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyLocation {
    Header,
    Query,
    Cookie,
}

/// The rejection body: a named struct and which of its fields carry what.
#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub type_id: TypeId,
    /// For each field of the struct, in order, what the server puts there.
    pub roles: Vec<ErrorFieldRole>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFieldRole {
    /// The HTTP status code as an integer.
    Status,
    /// The reason phrase, such as `Bad Request`.
    Reason,
    /// The human-readable message.
    Message,
    /// An optional field left out.
    Absent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// Returns whether RFC 9110 defines the method as idempotent, so a client may send it again.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// Trait and client method name; the wire name is the operationId.
    pub name: Name,
    /// `{Operation}Request`.
    pub request_type: Name,
    /// `{Operation}Response`.
    pub response_type: Name,
    pub method: Method,
    /// Path template as written in the document, such as `/users/{id}`.
    pub path: String,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Index into [`Api::servers`].
    pub server: usize,
    pub parameters: Vec<Parameter>,
    pub body: Option<RequestBody>,
    pub responses: Vec<Response>,
    /// The response media types the caller chooses from with `Accept`, when a response has several.
    pub accept: Option<MediaChoice>,
    pub security: Security,
    /// Whether the server routes to this operation; false when an earlier operation has the same route and method.
    pub served: bool,
    /// JSON pointer of the operation object.
    pub pointer: String,
}

/// The security requirement of an operation: alternatives, each a set of schemes that must all be present.
#[derive(Debug, Clone, Default)]
pub struct Security {
    /// Each alternative lists indices into [`Api::security_schemes`]. An empty alternative means anonymous access.
    pub alternatives: Vec<Vec<usize>>,
    /// The scopes each scheme of each alternative requires, in the shape of `alternatives`: `scopes[i][j]`
    /// belongs to `alternatives[i][j]`. Only OAuth2 and OpenID Connect schemes list scopes.
    pub scopes: Vec<Vec<Vec<String>>>,
}

impl Security {
    pub fn is_required(&self) -> bool {
        !self.alternatives.is_empty() && self.alternatives.iter().all(|set| !set.is_empty())
    }

    pub fn is_declared(&self) -> bool {
        !self.alternatives.is_empty()
    }
}

/// Returns the parameter name of a path template variable, without RFC 6570 operators and modifiers.
///
/// OpenAPI templates are plain `{name}`, but real documents write `{name*}`, `{.name}` or `{;name*}`.
pub fn template_variable(raw: &str) -> &str {
    raw.trim_start_matches(['.', ';', '+', '#', '/', '?', '&']).trim_end_matches('*')
}

/// Converts a path template into an axum route: each segment with a variable becomes one positional capture.
///
/// Positional names keep routes such as `/a/{id}` and `/a/{name}/b` from clashing in the router, and a
/// segment such as `{lane}-{slot}` is captured whole and split by the handler.
pub fn route(path: &str) -> String {
    let mut index = 0;
    path.split('/')
        .map(|segment| {
            if segment.contains('{') {
                let capture = format!("{{p{index}}}");
                index += 1;
                capture
            } else {
                segment.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Finds the capture of `route(path)` that contains the variable `name`: its index and the segment's template.
pub fn capture_of<'a>(path: &'a str, name: &str) -> Option<(usize, &'a str)> {
    path.split('/')
        .filter(|segment| segment.contains('{'))
        .enumerate()
        .find(|(_, segment)| segment_variables(segment).any(|variable| variable == name))
}

/// Returns the variable names of one path segment, such as `lane` and `slot` for `{lane}-{slot}`.
pub fn segment_variables(segment: &str) -> impl Iterator<Item = &str> {
    segment.split('{').skip(1).filter_map(|piece| piece.split_once('}')).map(|(raw, _)| template_variable(raw))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Parameter {
    /// Field of the request struct; the wire name is the parameter name.
    pub name: Name,
    pub location: ParamLocation,
    pub required: bool,
    pub description: Option<String>,
    pub shape: Shape,
    pub style: Style,
    /// OpenAPI `explode`: whether each array item or object property becomes a name-value pair of its own.
    pub explode: bool,
}

/// The encoding of a parameter value in its part of the request: the OpenAPI `style`, or JSON text for a
/// parameter described by `content` with a JSON media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `name=value` pairs (query and cookie); arrays and objects join with `,` unless exploded.
    Form,
    /// Query arrays and objects joined with `%20`.
    SpaceDelimited,
    /// Query arrays and objects joined with `|`.
    PipeDelimited,
    /// Query objects as `name[property]=value`, nested objects as `name[a][b]=value`.
    DeepObject,
    /// Comma-separated values (path and header).
    Simple,
    /// Path values prefixed with `.`: `.a,b`, or `.a.b` when exploded.
    Label,
    /// Path values as `;name=a,b`, or `;name=a;name=b` when exploded.
    Matrix,
    /// The value encoded as JSON text, then as a scalar of its location.
    Json,
}

impl Style {
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Form => "Form",
            Style::SpaceDelimited => "SpaceDelimited",
            Style::PipeDelimited => "PipeDelimited",
            Style::DeepObject => "DeepObject",
            Style::Simple => "Simple",
            Style::Label => "Label",
            Style::Matrix => "Matrix",
            Style::Json => "Json",
        }
    }
}

/// The body of a request or response for one media type.
#[derive(Debug, Clone)]
pub struct Content {
    pub media_type: String,
    pub kind: ContentKind,
    /// Further JSON media types with the same schema, such as `application/problem+json` beside
    /// `application/json`. The server sends a response as the one of them that `Accept` prefers.
    pub also: Vec<String>,
}

// The model is built once per run, so the size of the JSON variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum ContentKind {
    /// JSON decoded into the shape.
    Json(Shape),
    /// `application/x-www-form-urlencoded` decoded into the shape, a struct of scalars and arrays of scalars.
    Form(Shape),
    /// Text taken as a `String`.
    Text,
    /// Raw bytes.
    Bytes,
    /// `multipart/form-data` or `multipart/related`, as the content's media type names, decoded into a struct
    /// with one field per part.
    Multipart(Multipart),
}

/// A `multipart/form-data` or `multipart/related` body: the struct generated for it and its parts, in
/// document order.
#[derive(Debug, Clone)]
pub struct Multipart {
    /// The struct with one field per part.
    pub type_name: Name,
    pub parts: Vec<Part>,
}

/// One property of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    /// Field of the body struct; the wire name is the part name.
    pub name: Name,
    pub required: bool,
    /// Whether the property is an array, sent as one part per item.
    pub repeated: bool,
    pub kind: PartKind,
    /// The property's shape, an array when `repeated`. File parts are bytes whatever their shape.
    pub shape: Shape,
    /// The `Content-Type` of each part the client sends; `None` for text parts, which are sent without one.
    pub content_type: Option<String>,
}

/// The encoding of a part's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A scalar as text, parsed with `FromStr` and written with `Display`.
    Text,
    /// Raw bytes with a file name and content type, such as a `format: binary` string.
    File,
    /// A JSON document, the default for objects.
    Json,
}

impl Part {
    /// Returns the shape of one part: the item shape when the property is an array.
    pub fn item_shape(&self) -> &Shape {
        match &self.shape.ty {
            Ty::Array(items) if self.repeated => items,
            _ => &self.shape,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequestBody {
    pub required: bool,
    pub description: Option<String>,
    /// The media type generated for a body of one media type, or the first of several.
    pub content: Content,
    /// The enum generated for a body of several media types that do not all decode as JSON.
    pub choice: Option<BodyChoice>,
}

impl RequestBody {
    /// Returns every media type of the body: the variants of the choice, or the one content.
    pub fn contents(&self) -> Vec<&Content> {
        match &self.choice {
            Some(choice) => choice.variants.iter().map(|(_, content)| content).collect(),
            None => vec![&self.content],
        }
    }
}

/// The response media types of an operation with content negotiation: an enum with one variant per media
/// type, in document order, which the request carries in its `accept` field.
#[derive(Debug, Clone)]
pub struct MediaChoice {
    pub type_name: Name,
    /// Each variant and the media type it stands for.
    pub variants: Vec<(Name, String)>,
}

/// A body of several media types: an enum with one variant per media type, in document order.
#[derive(Debug, Clone)]
pub struct BodyChoice {
    pub type_name: Name,
    pub variants: Vec<(Name, Content)>,
}

/// The statuses a response covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    Code(u16),
    /// `1XX` to `5XX`; the digit is the first digit of the status.
    Range(u16),
    Default,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusMatch,
    /// Variant of the operation's response enum, such as `Ok` or `TooManyRequests`.
    pub variant: Name,
    pub description: String,
    /// The media type generated for a response of one media type, or the first of several.
    pub content: Option<Content>,
    /// The enum generated for a response of several media types that do not all decode as JSON.
    pub choice: Option<BodyChoice>,
    /// Typed response headers, in document order.
    pub headers: Vec<ResponseHeader>,
}

/// A header of a response.
#[derive(Debug, Clone)]
pub struct ResponseHeader {
    /// Field of the response variant; the wire name is the header name.
    pub name: Name,
    pub required: bool,
    pub description: Option<String>,
    /// A scalar shape: headers carry text.
    pub shape: Shape,
}

impl Response {
    /// Returns every media type of the response: the variants of the choice, the one content, or none.
    pub fn contents(&self) -> Vec<&Content> {
        match &self.choice {
            Some(choice) => choice.variants.iter().map(|(_, content)| content).collect(),
            None => self.content.iter().collect(),
        }
    }

    /// Returns whether the variant is a struct variant: it carries the status (ranges and `default`) or headers.
    pub fn has_fields(&self) -> bool {
        !matches!(self.status, StatusMatch::Code(_)) || !self.headers.is_empty()
    }
}
