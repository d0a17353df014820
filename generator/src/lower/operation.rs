//! Paths and operations: parameters, bodies, responses and security.

use indexmap::IndexMap;
use openapiv3::{OpenAPI, ParameterSchemaOrContent, PathItem, ReferenceOr};
use serde_json::Value;

use super::body::Direction;
use super::schema::TypeBuilder;
use super::security;
use crate::diagnostics::{Class, Diagnostics, child};
use crate::load::Loaded;
use crate::model::{
    ContentKind, Method, Operation, ParamLocation, Parameter, RequestBody, Response, SecurityScheme, Server, Shape,
    StatusMatch, Style, Ty,
};
use crate::naming::{Case, Namespace, to_ident};

/// Lowers every operation of every path, in document order.
pub fn operations(
    loaded: &Loaded,
    types: &mut TypeBuilder,
    schemes: &[SecurityScheme],
    servers: &mut Vec<Server>,
    diagnostics: &mut Diagnostics,
) -> Vec<Operation> {
    let document = &loaded.document;
    let mut server_names = Namespace::new();
    for server in servers.iter() {
        server_names.reserve([server.name.rust.as_str()]);
    }
    let mut method_names = Namespace::new();
    let mut routes: Vec<(String, Method, String)> = Vec::new();
    let mut out: Vec<Operation> = Vec::new();
    for (path, item) in &document.paths.paths {
        let path_pointer = child("/paths", path);
        if !path.starts_with('/') {
            diagnostics.invalid(
                &path_pointer,
                format!("path `{path}` does not start with `/`"),
                "write the path as `/` followed by its segments",
            );
            continue;
        }
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                diagnostics.unsupported(
                    &child(&path_pointer, "$ref"),
                    format!("a path item `$ref` ({reference}) is not supported yet"),
                    "write the path item inline",
                );
                continue;
            }
        };
        let path_server = item
            .servers
            .first()
            .map(|server| super::add_server(servers, &mut server_names, &server.url, server.description.as_deref()));
        for (method, operation) in methods(item) {
            let context = OperationContext {
                document,
                raw: &loaded.raw,
                path,
                item,
                method,
                pointer: child(&path_pointer, method.as_str().to_ascii_lowercase()),
            };
            let server = match operation.servers.first() {
                Some(server) => {
                    super::add_server(servers, &mut server_names, &server.url, server.description.as_deref())
                }
                None => path_server.unwrap_or(0),
            };
            let mut lowered =
                lower_operation(&context, operation, server, &mut method_names, types, schemes, diagnostics);
            let route = crate::model::route(path);
            if let Some(problem) = route_problem(path) {
                diagnostics.warn(
                    &lowered.pointer,
                    Class::NotSupported,
                    format!("{problem}; the server does not route `{path}`"),
                );
                lowered.served = false;
            } else if let Some((_, _, first)) =
                routes.iter().find(|(known, method, _)| *known == route && *method == lowered.method)
            {
                diagnostics.warn(
                    &lowered.pointer,
                    Class::Invalid,
                    format!(
                        "`{} {path}` matches the same requests as `{first}`; the server routes them to the first",
                        lowered.method.as_str()
                    ),
                );
                lowered.served = false;
            } else {
                routes.push((route, lowered.method, format!("{} {path}", lowered.method.as_str())));
            }
            out.push(lowered);
        }
    }
    out
}

struct OperationContext<'a> {
    document: &'a OpenAPI,
    raw: &'a Value,
    path: &'a str,
    item: &'a PathItem,
    method: Method,
    pointer: String,
}

fn methods(item: &PathItem) -> Vec<(Method, &openapiv3::Operation)> {
    let all = [
        (Method::Get, &item.get),
        (Method::Put, &item.put),
        (Method::Post, &item.post),
        (Method::Delete, &item.delete),
        (Method::Options, &item.options),
        (Method::Head, &item.head),
        (Method::Patch, &item.patch),
        (Method::Trace, &item.trace),
    ];
    all.into_iter().filter_map(|(method, operation)| operation.as_ref().map(|o| (method, o))).collect()
}

fn lower_operation(
    context: &OperationContext,
    operation: &openapiv3::Operation,
    server: usize,
    method_names: &mut Namespace,
    types: &mut TypeBuilder,
    schemes: &[SecurityScheme],
    diagnostics: &mut Diagnostics,
) -> Operation {
    let wire_id = operation.operation_id.clone().unwrap_or_else(|| synthesized_id(context.method, context.path));
    let name = method_names.name(&wire_id, Case::Snake);
    // A keyword such as `self` becomes `Self_`; derived names need the base without that underscore.
    let pascal = to_ident(name.base(), Case::Pascal).trim_end_matches('_').to_owned();
    let request_type = types.names.derived(&format!("{pascal}Request"), &wire_id);
    let response_type = types.names.derived(&format!("{pascal}Response"), &wire_id);

    let parameters = parameters(context, operation, &pascal, types, diagnostics);
    let body =
        operation.request_body.as_ref().and_then(|body| request_body(context, body, &pascal, types, diagnostics));
    let responses = responses(context, operation, &pascal, types, diagnostics);
    let accept = super::body::media_choice(&responses, &format!("{pascal}MediaType"), types);
    let security =
        security::requirement(operation.security.as_ref(), context.document, schemes, &context.pointer, diagnostics);

    Operation {
        name,
        request_type,
        response_type,
        method: context.method,
        path: context.path.to_owned(),
        summary: operation.summary.clone(),
        description: operation.description.clone(),
        tags: operation.tags.clone(),
        server,
        parameters,
        body,
        responses,
        accept,
        security,
        served: true,
        pointer: context.pointer.clone(),
    }
}

/// Finds what axum's router cannot route: unbalanced or empty `{}`, and literal segments starting with
/// `*` or `:`, which axum rejects when the router is built.
fn route_problem(path: &str) -> Option<String> {
    for segment in path.split('/') {
        let opens = segment.matches('{').count();
        let closes = segment.matches('}').count();
        let balanced = opens == closes
            && segment.split('{').skip(1).all(|piece| piece.split_once('}').is_some_and(|(name, _)| !name.is_empty()));
        if !balanced {
            return Some(format!("path segment `{segment}` has unbalanced or empty braces"));
        }
        if opens == 0 && (segment.starts_with('*') || segment.starts_with(':')) {
            return Some(format!("a path segment starting with `{}` is not supported yet", &segment[..1]));
        }
    }
    None
}

/// Builds an operation name from method and path: `GET /accounts/{id}` becomes `get_accounts_by_id`.
fn synthesized_id(method: Method, path: &str) -> String {
    let mut words = vec![method.as_str().to_ascii_lowercase()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(parameter) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            words.push(format!("by_{parameter}"));
        } else {
            words.push(segment.to_owned());
        }
    }
    if words.len() == 1 {
        words.push("root".to_owned());
    }
    words.join("_")
}

/// Merges path-level and operation-level parameters; the operation's win on the same name and location.
fn parameters(
    context: &OperationContext,
    operation: &openapiv3::Operation,
    pascal: &str,
    types: &mut TypeBuilder,
    diagnostics: &mut Diagnostics,
) -> Vec<Parameter> {
    let path_pointer = child("/paths", context.path);
    let mut merged: IndexMap<(String, &'static str), (openapiv3::Parameter, String)> = IndexMap::new();
    let sources = [(&context.item.parameters, path_pointer), (&operation.parameters, context.pointer.clone())];
    for (list, pointer) in sources {
        for (index, parameter) in list.iter().enumerate() {
            let pointer = child(&child(&pointer, "parameters"), index.to_string());
            let Some((resolved, resolved_pointer)) =
                resolve(context.raw, parameter, &pointer, "parameters", diagnostics)
            else {
                continue;
            };
            let key = (resolved.parameter_data_ref().name.clone(), location(&resolved).as_str());
            merged.insert(key, (resolved, resolved_pointer));
        }
    }

    let mut field_names = Namespace::new();
    field_names.reserve(["body", "credentials"]);
    let mut out = Vec::new();
    for ((wire, _), (resolved, pointer)) in merged {
        let resolved = &resolved;
        let data = resolved.parameter_data_ref();
        let location = location(resolved);
        let hint = format!("{pascal}{}", to_ident(&wire, Case::Pascal));
        let (shape, json) = match &data.format {
            ParameterSchemaOrContent::Schema(_) => {
                (types.shape_at(&child(&pointer, "schema"), &hint, diagnostics), false)
            }
            ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                Some((media, media_object)) if super::body::is_json(media) && media_object.schema.is_some() => {
                    let schema = child(&child(&child(&pointer, "content"), media), "schema");
                    (types.shape_at(&schema, &hint, diagnostics), true)
                }
                // Text content is the value itself, as a string parameter is.
                Some((media, _)) if media.to_ascii_lowercase().starts_with("text/") => {
                    (Shape::new(Ty::String(crate::model::StringFormat::Plain)), false)
                }
                _ => {
                    diagnostics.warn(
                        &child(&pointer, "content"),
                        Class::NotSupported,
                        "a parameter with non-JSON `content` is not supported yet; it is passed as text",
                    );
                    (Shape::new(Ty::String(crate::model::StringFormat::Plain)), false)
                }
            },
        };
        // A parameter is either present or absent; `nullable` adds nothing the `Option` of an optional one lacks.
        let shape = Shape { nullable: false, ..shape };
        let (shape, style, explode) = if json {
            (shape, Style::Json, false)
        } else {
            super::parameters::check_style(types, resolved, &pointer, shape, diagnostics)
        };
        let required = match location {
            ParamLocation::Path => {
                if !data.required {
                    diagnostics.warn(
                        &child(&pointer, "required"),
                        Class::Invalid,
                        "path parameters must be required; this one is treated as required",
                    );
                }
                true
            }
            _ => data.required,
        };
        out.push(Parameter {
            name: field_names.name(&wire, Case::Snake),
            location,
            required,
            description: data.description.clone(),
            shape,
            style,
            explode,
        });
    }

    for template_name in path_template_names(context.path) {
        let declared = |name: &str| out.iter().any(|p| p.location == ParamLocation::Path && p.name.wire == name);
        if declared(&template_name) {
            continue;
        }
        // RFC 6570 operators such as `{name*}` or `{.name}` are not OpenAPI syntax; match them to `name`.
        let bare = crate::model::template_variable(&template_name);
        if bare != template_name && declared(bare) {
            diagnostics.warn(
                &context.pointer,
                Class::Invalid,
                format!("path template `{{{template_name}}}` uses RFC 6570 syntax; it is read as `{{{bare}}}`"),
            );
            continue;
        }
        diagnostics.warn(
            &context.pointer,
            Class::Invalid,
            format!(
                "path parameter `{template_name}` of `{}` is not declared; it is generated as a required string",
                context.path
            ),
        );
        out.push(Parameter {
            name: field_names.name(&template_name, Case::Snake),
            location: ParamLocation::Path,
            required: true,
            description: None,
            shape: Shape::new(Ty::String(crate::model::StringFormat::Plain)),
            style: Style::Simple,
            explode: false,
        });
    }
    out
}

fn location(parameter: &openapiv3::Parameter) -> ParamLocation {
    match parameter {
        openapiv3::Parameter::Query { .. } => ParamLocation::Query,
        openapiv3::Parameter::Header { .. } => ParamLocation::Header,
        openapiv3::Parameter::Path { .. } => ParamLocation::Path,
        openapiv3::Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

fn path_template_names(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else { break };
        names.push(rest[start + 1..start + end].to_owned());
        rest = &rest[start + end + 1..];
    }
    names
}

/// Follows a `$ref` (and chains of them) to an object in this document and reads it as `T`.
///
/// Any local pointer is accepted, not only `#/components/<kind>/...`: real documents reference
/// objects of one kind from another place, such as a request body used as a response.
fn resolve<T: Clone + serde::de::DeserializeOwned>(
    raw: &Value,
    item: &ReferenceOr<T>,
    pointer: &str,
    kind: &str,
    diagnostics: &mut Diagnostics,
) -> Option<(T, String)> {
    let mut reference = match item {
        ReferenceOr::Item(item) => return Some((item.clone(), pointer.to_owned())),
        ReferenceOr::Reference { reference } => reference.clone(),
    };
    let ref_pointer = child(pointer, "$ref");
    for _ in 0..MAX_REFERENCE_CHAIN {
        let Some(target) = reference.strip_prefix('#') else {
            diagnostics.unsupported(
                &ref_pointer,
                format!("`$ref: {reference}` is not supported yet; only references inside this document (`#/...`) are"),
                format!("move the object under `components/{kind}` of this document and reference it there"),
            );
            return None;
        };
        let target = percent_encoding::percent_decode_str(target).decode_utf8_lossy().into_owned();
        let Some(value) = raw.pointer(&target) else {
            diagnostics.invalid(
                &ref_pointer,
                format!("`$ref: {reference}` points to nothing"),
                "define the referenced object or fix the reference",
            );
            return None;
        };
        if let Some(next) = value.get("$ref").and_then(Value::as_str) {
            reference = next.to_owned();
            continue;
        }
        let mut value = value.clone();
        if kind == "responses"
            && let Some(object) = value.as_object_mut()
            && !object.contains_key("description")
        {
            // A response needs a description; a request body or a repaired response may lack one.
            object.insert("description".to_owned(), Value::String(String::new()));
        }
        if !target.starts_with(&format!("/components/{kind}/")) {
            diagnostics.warn(
                &ref_pointer,
                Class::Invalid,
                format!("`$ref: {reference}` points outside `components/{kind}`; the object there is used as is"),
            );
        }
        return match serde_json::from_value::<T>(value) {
            Ok(resolved) => Some((resolved, target)),
            Err(error) => {
                diagnostics.invalid(
                    &target,
                    format!("the object referenced from {pointer} is not valid here: {error}"),
                    "fix the referenced object or the reference",
                );
                None
            }
        };
    }
    diagnostics.invalid(
        &ref_pointer,
        format!("`$ref: {reference}` starts a chain of more than {MAX_REFERENCE_CHAIN} references, or a cycle"),
        "reference the final object directly",
    );
    None
}

const MAX_REFERENCE_CHAIN: usize = 32;

fn request_body(
    context: &OperationContext,
    body: &ReferenceOr<openapiv3::RequestBody>,
    pascal: &str,
    types: &mut TypeBuilder,
    diagnostics: &mut Diagnostics,
) -> Option<RequestBody> {
    let (body, pointer) =
        resolve(context.raw, body, &child(&context.pointer, "requestBody"), "requestBodies", diagnostics)?;
    let (mut content, choice) = super::body::contents(
        &body.content,
        &pointer,
        &format!("{pascal}Body"),
        Direction::Request,
        types,
        diagnostics,
    )?;
    let mut required = body.required;
    // A nullable body is treated as an optional one, so the request field is a single `Option`.
    if let ContentKind::Json(shape) = &mut content.kind
        && choice.is_none()
        && shape.nullable
        && shape.ty != Ty::Null
    {
        shape.nullable = false;
        required = false;
    }
    Some(RequestBody { required, description: body.description.clone(), content, choice })
}

fn responses(
    context: &OperationContext,
    operation: &openapiv3::Operation,
    pascal: &str,
    types: &mut TypeBuilder,
    diagnostics: &mut Diagnostics,
) -> Vec<Response> {
    let mut variants = Namespace::new();
    let mut out = Vec::new();
    let responses_pointer = child(&context.pointer, "responses");
    let mut entries: Vec<(StatusMatch, String, &ReferenceOr<openapiv3::Response>)> = operation
        .responses
        .responses
        .iter()
        .map(|(status, response)| match status {
            openapiv3::StatusCode::Code(code) => (StatusMatch::Code(*code), code.to_string(), response),
            openapiv3::StatusCode::Range(digit) => (StatusMatch::Range(*digit), format!("{digit}XX"), response),
        })
        .collect();
    if let Some(default) = &operation.responses.default {
        entries.push((StatusMatch::Default, "default".to_owned(), default));
    }
    if entries.is_empty() {
        diagnostics.warn(
            &responses_pointer,
            Class::Invalid,
            "operation has no responses; it is generated with no documented response, so the client reports every status as unexpected",
        );
    }
    for (status, key, response) in entries {
        let pointer = child(&responses_pointer, &key);
        let Some((response, pointer)) = resolve(context.raw, response, &pointer, "responses", diagnostics) else {
            continue;
        };
        let variant = variants.name(&variant_label(status), Case::Pascal);
        let hint = format!("{pascal}{}Body", variant.rust);
        let (content, choice) = if response.content.is_empty() {
            (None, None)
        } else {
            match super::body::contents(&response.content, &pointer, &hint, Direction::Response, types, diagnostics) {
                Some((content, choice)) => (Some(content), choice),
                None => (None, None),
            }
        };
        let headers =
            response_headers(context, &response, &pointer, &format!("{pascal}{}", variant.rust), types, diagnostics);
        out.push(Response { status, variant, description: response.description.clone(), content, choice, headers });
    }
    out
}

/// Lowers the headers of a response; `Content-Type` is described by `content`, so it is skipped.
fn response_headers(
    context: &OperationContext,
    response: &openapiv3::Response,
    pointer: &str,
    hint: &str,
    types: &mut TypeBuilder,
    diagnostics: &mut Diagnostics,
) -> Vec<crate::model::ResponseHeader> {
    let mut names = Namespace::new();
    names.reserve(["status", "body"]);
    let mut out = Vec::new();
    for (name, header) in &response.headers {
        if name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        let header_pointer = child(&child(pointer, "headers"), name);
        let Some((header, header_pointer)) = resolve(context.raw, header, &header_pointer, "headers", diagnostics)
        else {
            continue;
        };
        let shape = match &header.format {
            ParameterSchemaOrContent::Schema(_) => {
                let hint = format!("{hint}{}", to_ident(name, Case::Pascal));
                types.shape_at(&child(&header_pointer, "schema"), &hint, diagnostics)
            }
            ParameterSchemaOrContent::Content(_) => Shape::new(Ty::String(crate::model::StringFormat::Plain)),
        };
        let scalar = match &shape.ty {
            Ty::String(_) | Ty::Integer(_) | Ty::Number | Ty::Boolean => true,
            Ty::Named(id) => types.is_enum(*id),
            _ => false,
        };
        let shape = if scalar {
            Shape { nullable: false, ..shape }
        } else {
            diagnostics.warn(
                &header_pointer,
                Class::NotSupported,
                "a response header that is not a scalar is passed as text",
            );
            Shape::new(Ty::String(crate::model::StringFormat::Plain))
        };
        out.push(crate::model::ResponseHeader {
            name: names.name(name, Case::Snake),
            required: header.required,
            description: header.description.clone(),
            shape,
        });
    }
    out
}

/// Names a response variant after the reason phrase of its status.
fn variant_label(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => match http::StatusCode::from_u16(code).ok().and_then(|s| s.canonical_reason()) {
            Some(reason) => reason.to_owned(),
            None => format!("Status {code}"),
        },
        StatusMatch::Range(1) => "Informational".to_owned(),
        StatusMatch::Range(2) => "Success".to_owned(),
        StatusMatch::Range(3) => "Redirection".to_owned(),
        StatusMatch::Range(4) => "Client Error".to_owned(),
        StatusMatch::Range(5) => "Server Error".to_owned(),
        StatusMatch::Range(digit) => format!("Status {digit}XX"),
        StatusMatch::Default => "Default".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesized_ids_keep_parameters_apart() {
        assert_eq!(synthesized_id(Method::Get, "/accounts/{id}"), "get_accounts_by_id");
        assert_eq!(synthesized_id(Method::Get, "/accounts-id"), "get_accounts-id");
        assert_eq!(synthesized_id(Method::Post, "/"), "post_root");
    }

    #[test]
    fn variant_labels_use_reason_phrases() {
        assert_eq!(variant_label(StatusMatch::Code(429)), "Too Many Requests");
        assert_eq!(variant_label(StatusMatch::Code(299)), "Status 299");
        assert_eq!(variant_label(StatusMatch::Range(4)), "Client Error");
    }
}
