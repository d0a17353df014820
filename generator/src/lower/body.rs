//! Request and response bodies: the media type generated for each, and the parts of multipart bodies.

use indexmap::IndexMap;
use serde_json::Value;

use super::schema::TypeBuilder;
use crate::diagnostics::{Class, Diagnostics, child};
use crate::model::{BodyChoice, Content, ContentKind, MediaChoice, Multipart, Part, PartKind, Response, Shape, Ty};
use crate::naming::{Case, Namespace, to_ident};

/// Whether a body is sent by the client or by the server.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";
const RELATED: &str = "multipart/related";

/// Lowers a body of one media type, or of several JSON media types with the same schema, which decode the
/// same way: the first one is generated, the server accepts any JSON type and the client sends the first.
fn content(
    content: &IndexMap<String, openapiv3::MediaType>,
    pointer: &str,
    hint: &str,
    direction: Direction,
    types: &mut TypeBuilder,
    diagnostics: &mut Diagnostics,
) -> Option<Content> {
    let content_pointer = child(pointer, "content");
    let (media_type, media) = content.iter().next()?;
    let media_pointer = child(&content_pointer, media_type);
    let kind = lower_media(media_type, media, &media_pointer, hint, direction, types, diagnostics);
    let also = content.keys().skip(1).cloned().collect();
    Some(Content { media_type: media_type.clone(), kind, also })
}

/// Lowers the body of one media type.
fn lower_media(
    media_type: &str,
    media: &openapiv3::MediaType,
    media_pointer: &str,
    hint: &str,
    direction: Direction,
    types: &mut TypeBuilder,
    diagnostics: &mut Diagnostics,
) -> ContentKind {
    if is_json(media_type) {
        match &media.schema {
            Some(_) => ContentKind::Json(types.shape_at(&child(media_pointer, "schema"), hint, diagnostics)),
            None => ContentKind::Json(Shape::new(Ty::Any)),
        }
    } else if media_type.starts_with("text/") {
        ContentKind::Text
    } else if let Some(multipart) =
        is_typed_multipart(media_type).then(|| multipart(media, media_pointer, hint, types, diagnostics)).flatten()
    {
        ContentKind::Multipart(multipart)
    } else if let Some(shape) = (essence(media_type) == FORM && media.schema.is_some())
        .then(|| types.shape_at(&child(media_pointer, "schema"), hint, diagnostics))
        .filter(|shape| types.is_flat_struct(shape))
    {
        ContentKind::Form(shape)
    } else {
        if media_type.starts_with("multipart/") || essence(media_type) == FORM {
            diagnostics.warn(
                media_pointer,
                Class::NotSupported,
                format!(
                    "only forms of flat objects, and `{MULTIPART}` and `{RELATED}` bodies of object schemas with properties, are typed, so this `{media_type}` {} is passed as raw bytes",
                    match direction {
                        Direction::Request => "request body",
                        Direction::Response => "response body",
                    }
                ),
            );
        }
        ContentKind::Bytes
    }
}

/// Lowers the media types of a body: one content when there is one media type or all are JSON with the same
/// schema, else an enum with one variant per media type. The server picks a request's variant by
/// `Content-Type`, and the client a response's variant the same way.
pub fn contents(
    content: &IndexMap<String, openapiv3::MediaType>,
    pointer: &str,
    hint: &str,
    direction: Direction,
    types: &mut TypeBuilder,
    diagnostics: &mut Diagnostics,
) -> Option<(Content, Option<BodyChoice>)> {
    let content_pointer = child(pointer, "content");
    if content.len() < 2 || same_json_schema(types.raw(), &content_pointer, content) {
        return self::content(content, pointer, hint, direction, types, diagnostics).map(|c| (c, None));
    }
    let type_name = types.names.derived(hint, hint);
    let mut labels = Namespace::new();
    let mut variants = Vec::new();
    for (media_type, media) in content {
        let variant = labels.name(&media_label(media_type), Case::Pascal);
        let hint = format!("{hint}{}", variant.rust);
        let media_pointer = child(&content_pointer, media_type);
        let kind = lower_media(media_type, media, &media_pointer, &hint, direction, types, diagnostics);
        variants.push((variant, Content { media_type: media_type.clone(), kind, also: Vec::new() }));
    }
    let first = variants.first()?.1.clone();
    Some((first, Some(BodyChoice { type_name, variants })))
}

/// Builds the enum of response media types that the request of an operation carries, when any response
/// has several: each media type of those responses once, in document order.
pub fn media_choice(responses: &[Response], hint: &str, types: &mut TypeBuilder) -> Option<MediaChoice> {
    let mut media_types: Vec<&str> = Vec::new();
    for choice in responses.iter().filter_map(|response| response.choice.as_ref()) {
        for (_, content) in &choice.variants {
            if !media_types.contains(&content.media_type.as_str()) {
                media_types.push(&content.media_type);
            }
        }
    }
    if media_types.is_empty() {
        return None;
    }
    let type_name = types.names.derived(hint, hint);
    let mut labels = Namespace::new();
    let variants = media_types
        .into_iter()
        .map(|media_type| (labels.name(&media_label(media_type), Case::Pascal), media_type.to_owned()))
        .collect();
    Some(MediaChoice { type_name, variants })
}

/// Names the enum variant of a media type: `Json`, `Form`, `Multipart` and `Text` for the common ones, else
/// the subtype, such as `Xml` for `application/xml` or `MergePatchJson` for `application/merge-patch+json`.
fn media_label(media_type: &str) -> String {
    let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => "Json".to_owned(),
        FORM => "Form".to_owned(),
        MULTIPART => "Multipart".to_owned(),
        "text/plain" => "Text".to_owned(),
        "*/*" => "Any".to_owned(),
        _ => match essence.split_once('/') {
            Some((kind, "*")) => kind.to_owned(),
            Some((_, subtype)) => subtype.replace('+', "-"),
            None => essence.clone(),
        },
    }
}

/// Returns whether every media type is JSON and all have the same schema, or none has one.
fn same_json_schema(raw: &Value, content_pointer: &str, content: &IndexMap<String, openapiv3::MediaType>) -> bool {
    let schema = |media_type: &str| raw.pointer(&child(&child(content_pointer, media_type), "schema"));
    let mut media_types = content.keys();
    let Some(first) = media_types.next() else { return true };
    is_json(first) && media_types.all(|media_type| is_json(media_type) && schema(media_type) == schema(first))
}

pub fn is_json(media_type: &str) -> bool {
    let essence = essence(media_type);
    essence == "application/json" || essence == "text/json" || essence.ends_with("+json")
}

/// Returns the lowercase `type/subtype` of a media type, without parameters.
fn essence(media_type: &str) -> String {
    media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Returns whether a media type's body is lowered into a struct of parts, when its schema allows.
fn is_typed_multipart(media_type: &str) -> bool {
    let essence = essence(media_type);
    essence == MULTIPART || essence == RELATED
}

/// Lowers a `multipart/form-data` or `multipart/related` body of an object schema with properties into a
/// struct of parts.
///
/// Returns `None` for any other schema, which is then passed as raw bytes. A part's encoding follows
/// OpenAPI's defaults unless `encoding` names a content type: `format: binary` strings are files, other
/// scalars text, and the rest JSON. An array property is sent as one part per item.
fn multipart(
    media: &openapiv3::MediaType,
    media_pointer: &str,
    hint: &str,
    types: &mut TypeBuilder,
    diagnostics: &mut Diagnostics,
) -> Option<Multipart> {
    let raw = types.raw();
    let (schema, schema_pointer) = resolve_schema(raw, &child(media_pointer, "schema"))?;
    let properties = schema.get("properties")?.as_object()?;
    if properties.is_empty() {
        return None;
    }
    for name in media.encoding.keys().filter(|name| !properties.contains_key(name.as_str())) {
        diagnostics.warn(
            &child(&child(media_pointer, "encoding"), name),
            Class::Invalid,
            format!("`{name}` is not a property of the body schema, so its encoding is ignored; rename it to a property or remove it"),
        );
    }
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let properties: Vec<(String, bool, Option<&Value>)> = properties
        .keys()
        .map(|wire| {
            let pointer = child(&child(&schema_pointer, "properties"), wire);
            let resolved = resolve_schema(raw, &pointer).map(|(schema, _)| schema);
            let is_array = resolved.and_then(|schema| schema.get("type")).and_then(Value::as_str) == Some("array");
            let item =
                if is_array { resolved.and_then(|schema| resolve_value(raw, schema.get("items")?)) } else { resolved };
            (wire.clone(), is_array, item)
        })
        .collect();

    let type_name = types.names.derived(hint, hint);
    let mut field_names = Namespace::new();
    let mut parts = Vec::new();
    for (wire, repeated, item) in properties {
        let pointer = child(&child(&schema_pointer, "properties"), &wire);
        let binary = item.is_some_and(|item| {
            item.get("type").and_then(Value::as_str) == Some("string")
                && item.get("format").and_then(Value::as_str) == Some("binary")
        });
        let declared = media.encoding.get(&wire).and_then(|encoding| encoding.content_type.as_deref());
        // A list such as `image/png, image/jpeg` names the types allowed, and the client sends the first.
        let declared = declared.and_then(|list| list.split(',').next()).map(str::trim).filter(|text| !text.is_empty());
        let shape = if binary {
            Shape::new(Ty::String(crate::model::StringFormat::Plain))
        } else {
            let hint = format!("{hint}{}", to_ident(&wire, Case::Pascal));
            Shape { nullable: false, ..types.shape_at(&pointer, &hint, diagnostics) }
        };
        let item_shape = match &shape.ty {
            Ty::Array(items) if repeated => items.as_ref(),
            _ => &shape,
        };
        let scalar = match &item_shape.ty {
            Ty::String(_) | Ty::Integer(_) | Ty::Number | Ty::Boolean => true,
            Ty::Named(id) => types.is_enum(*id),
            _ => false,
        };
        let kind = match declared {
            Some(media_type) if is_json(media_type) => PartKind::Json,
            Some(media_type) if media_type.starts_with("text/plain") && scalar => PartKind::Text,
            Some(_) if binary || scalar => PartKind::File,
            _ if binary => PartKind::File,
            _ if scalar => PartKind::Text,
            _ => PartKind::Json,
        };
        if binary && kind != PartKind::File {
            diagnostics.warn(
                &child(&child(media_pointer, "encoding"), &wire),
                Class::NotSupported,
                "a binary part with a JSON or text content type is not supported yet; it is sent as a file part",
            );
        }
        let kind = if binary { PartKind::File } else { kind };
        let content_type = match kind {
            PartKind::Text => None,
            // A range such as `image/*` is not a valid header value, so a file part without a type of its own
            // is sent as plain bytes.
            PartKind::File => {
                Some(declared.filter(|media| !media.contains('*')).unwrap_or("application/octet-stream").to_owned())
            }
            PartKind::Json => Some(declared.unwrap_or("application/json").to_owned()),
        };
        let shape = if kind == PartKind::File && repeated { Shape::new(Ty::Array(Box::new(shape))) } else { shape };
        parts.push(Part {
            name: field_names.name(&wire, Case::Snake),
            required: required.contains(&wire.as_str()),
            repeated,
            kind,
            shape,
            content_type,
        });
    }
    Some(Multipart { type_name, parts })
}

/// Follows the `$ref` chain of the schema at `pointer` and returns the schema with its pointer.
fn resolve_schema<'v>(raw: &'v Value, pointer: &str) -> Option<(&'v Value, String)> {
    let mut pointer = pointer.to_owned();
    for _ in 0..MAX_REFERENCE_CHAIN {
        let value = raw.pointer(&pointer)?;
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let target = reference.strip_prefix('#')?;
                pointer = percent_encoding::percent_decode_str(target).decode_utf8_lossy().into_owned();
            }
            None => return Some((value, pointer)),
        }
    }
    None
}

/// Follows the `$ref` chain of a schema value.
fn resolve_value<'v>(raw: &'v Value, schema: &'v Value) -> Option<&'v Value> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let target = reference.strip_prefix('#')?;
            let pointer = percent_encoding::percent_decode_str(target).decode_utf8_lossy().into_owned();
            resolve_schema(raw, &pointer).map(|(schema, _)| schema)
        }
        None => Some(schema),
    }
}

const MAX_REFERENCE_CHAIN: usize = 32;
