//! Phase 2: lower the OpenAPI document into the generator's model.
//!
//! Every `$ref` is resolved here and every spec name gets its Rust
//! identifier, so emitters work on plain data.

mod body;
mod operation;
mod parameters;
mod schema;
mod security;

use serde_json::Value;

use crate::Config;
use crate::diagnostics::Diagnostics;
use crate::load::Loaded;
use crate::model::{Api, ErrorBody, ErrorFieldRole, IntType, Server, StatusMatch, Ty, TypeId, TypeKind};
use crate::naming::{Case, Namespace};

/// Identifiers the generated api crate defines itself, kept free in the type namespace.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    // The api crate.
    "Credentials",
    "SecurityScheme",
    "Server",
    "Violation",
    "Validate",
    "Location",
    "BinaryBody",
    "BodyError",
    "BodyStream",
    // The server crate, which re-exports the api crate.
    "Rejection",
    "RejectionMessage",
    "ServerOptions",
    // The client crate, which re-exports the api crate.
    "Client",
    "ClientBuilder",
    "ClientError",
    "RetryPolicy",
    "StaticToken",
    "TokenFuture",
    "TokenSource",
    // Prelude and standard names the generated code refers to unqualified.
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "BTreeMap",
    "Value",
];

/// Lowers a loaded document; returns `None` when an error was recorded.
pub fn lower(loaded: &Loaded, config: &Config, diagnostics: &mut Diagnostics) -> Option<Api> {
    let document = &loaded.document;
    let mut type_names = Namespace::new();
    type_names.reserve(RESERVED_TYPE_NAMES.iter().copied());
    type_names.reserve([config.trait_name.as_str()]);

    let mut types = schema::TypeBuilder::new(&loaded.raw, type_names);
    types.declare_components();
    types.convert_components(diagnostics);

    let security_schemes = security::schemes(document, diagnostics);
    let mut servers = servers_of(document.servers.iter().map(|s| (s.url.as_str(), s.description.as_deref())));
    let operations = operation::operations(loaded, &mut types, &security_schemes, &mut servers, diagnostics);

    let types = types.finish(diagnostics);
    if diagnostics.has_errors() {
        return None;
    }
    let mut api = Api {
        title: document.info.title.clone(),
        version: document.info.version.clone(),
        description: document.info.description.clone(),
        servers,
        security_schemes,
        types,
        operations,
        error_body: None,
    };
    api.error_body = error_body(&api);
    let _ = &loaded.raw as &Value;
    Some(api)
}

/// Names servers by description, falling back to their position.
fn servers_of<'a>(servers: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> Vec<Server> {
    let mut out = Vec::new();
    let mut names = Namespace::new();
    for (url, description) in servers {
        add_server(&mut out, &mut names, url, description);
    }
    if out.is_empty() {
        add_server(&mut out, &mut names, "/", Some("Default server"));
    }
    out
}

/// Adds a server unless one with the same URL exists; returns its index.
pub(crate) fn add_server(
    servers: &mut Vec<Server>,
    names: &mut Namespace,
    url: &str,
    description: Option<&str>,
) -> usize {
    if let Some(index) = servers.iter().position(|s| s.url == url) {
        return index;
    }
    if servers.is_empty() {
        // The first server is always called `Default`, whatever its description.
        names.reserve(["Default"]);
    }
    let name = if servers.is_empty() {
        crate::naming::Name { rust: "Default".to_owned(), wire: url.to_owned() }
    } else {
        let label = description.filter(|d| !d.is_empty() && d.len() < 60).unwrap_or(url);
        let mut name = names.name(label, Case::Pascal);
        name.wire = url.to_owned();
        name
    };
    servers.push(Server { name, url: url.to_owned(), description: description.map(str::to_owned) });
    servers.len() - 1
}

/// Picks the schema the server uses for its own rejections: the struct most 4xx responses return,
/// if its required fields are a status code, a reason phrase or a message.
fn error_body(api: &Api) -> Option<ErrorBody> {
    let mut counts: Vec<(TypeId, usize)> = Vec::new();
    for operation in &api.operations {
        for response in &operation.responses {
            let client_error = match response.status {
                StatusMatch::Code(code) => (400..500).contains(&code),
                StatusMatch::Range(digit) => digit == 4,
                StatusMatch::Default => true,
            };
            let Some(crate::model::Content { kind: crate::model::ContentKind::Json(shape), .. }) = &response.content
            else {
                continue;
            };
            let Ty::Named(id) = shape.ty else { continue };
            if !client_error {
                continue;
            }
            match counts.iter_mut().find(|(known, _)| *known == id) {
                Some((_, count)) => *count += 1,
                None => counts.push((id, 1)),
            }
        }
    }
    counts.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    counts.into_iter().find_map(|(id, _)| error_roles(api, id).map(|roles| ErrorBody { type_id: id, roles }))
}

fn error_roles(api: &Api, id: TypeId) -> Option<Vec<ErrorFieldRole>> {
    let TypeKind::Struct { fields, .. } = &api.ty(id).kind else { return None };
    let mut roles = Vec::new();
    for field in fields {
        let key = field.name.wire.to_ascii_lowercase().replace(['_', '-'], "");
        let role = match (&field.shape.ty, key.as_str()) {
            (
                Ty::Integer(IntType::I32 | IntType::I64 | IntType::U32 | IntType::U64),
                "statuscode" | "status" | "code",
            ) => ErrorFieldRole::Status,
            (Ty::String(format), "error" | "title" | "reason") if format.is_text() => ErrorFieldRole::Reason,
            (Ty::String(format), "message" | "detail" | "description" | "msg" | "errormessage") if format.is_text() => {
                ErrorFieldRole::Message
            }
            _ if !field.required => ErrorFieldRole::Absent,
            _ => return None,
        };
        roles.push(role);
    }
    roles.contains(&ErrorFieldRole::Message).then_some(roles)
}
