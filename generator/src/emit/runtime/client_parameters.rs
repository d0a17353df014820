//! Parameter encoding in every OpenAPI style: turns a parameter value into the text of its path segment,
//! query pairs, header or cookies.
//!
//! Values are percent-encoded before the style's delimiters are added, so a `/`, `%`, `,`, `;`, `=` or (in
//! the label style) `.` inside a value never changes the route or splits the value.

// A document may use only some of the styles below.
#![allow(dead_code)]

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

use crate::runtime::{ClientError, query_text};
use crate::{Location, Violation};

/// The OpenAPI `style` of a parameter, or `Json` for a parameter described by JSON `content`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
    Simple,
    Label,
    Matrix,
    Json,
}

/// The description of one parameter, a constant in the generated encode functions.
#[derive(Debug)]
pub(crate) struct Param {
    pub name: &'static str,
    pub style: Style,
    pub explode: bool,
}

/// Characters left as they are in a path segment or cookie: RFC 3986 unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// The label style uses `.` as its delimiter, so a `.` inside a value is encoded too.
const LABEL: &AsciiSet = &UNRESERVED.add(b'.');
/// Characters encoded in the items of header arrays and objects: the delimiters `,` and `=`, `%`, spaces (which
/// the server trims around items) and controls.
/// Non-ASCII characters are always encoded.
const HEADER_ITEM: &AsciiSet = &CONTROLS.add(b' ').add(b',').add(b'=').add(b'%');

/// A parameter value reduced to text: absent (`None`), one value, a list or properties.
enum Flat {
    Absent,
    Text(String),
    List(Vec<String>),
    /// Properties of an object; `Value` keeps nested objects for `deepObject`.
    Map(Vec<(String, Value)>),
}

fn flatten<T: Serialize>(value: &T, param: &Param) -> Result<Flat, ClientError> {
    let value = serde_json::to_value(value).map_err(|error| ClientError::Encode(format!("parameter `{}`: {error}", param.name)))?;
    if param.style == Style::Json {
        return Ok(if value.is_null() { Flat::Absent } else { Flat::Text(value.to_string()) });
    }
    Ok(match value {
        Value::Null => Flat::Absent,
        Value::Array(items) => Flat::List(items.iter().map(text).collect()),
        Value::Object(map) => Flat::Map(sorted(&map)),
        other => Flat::Text(text(&other)),
    })
}

/// Returns the properties of an object without nulls, sorted by name: `serde_json` keeps either insertion or
/// sorted order depending on its features, and the output must not depend on them.
fn sorted(map: &serde_json::Map<String, Value>) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = map.iter().filter(|(_, value)| !value.is_null()).map(|(key, value)| (key.clone(), value.clone())).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Writes a scalar as text: strings without quotes, numbers and booleans as JSON writes them.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn invalid(location: Location, message: impl Into<String>) -> ClientError {
    ClientError::InvalidRequest(vec![Violation::new(location, message)])
}

/// Encodes the properties of an object as `key<inner>value` pieces, or as keys and values in turn.
fn pieces(map: &[(String, Value)], explode: bool, encode: impl Fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    for (key, value) in map {
        if explode {
            out.push(format!("{}={}", encode(key), encode(&text(value))));
        } else {
            out.push(encode(key));
            out.push(encode(&text(value)));
        }
    }
    out
}

/// Returns the text that replaces a path parameter's template variable, with the style's prefix.
pub(crate) fn path<T: Serialize>(value: &T, param: &Param) -> Result<String, ClientError> {
    let set = if param.style == Style::Label { LABEL } else { UNRESERVED };
    let encode = |text: &str| utf8_percent_encode(text, set).to_string();
    let location = || Location::Path(param.name.to_owned());
    let flat = flatten(value, param)?;
    if matches!(&flat, Flat::List(items) if items.is_empty()) || matches!(&flat, Flat::Map(map) if map.is_empty()) {
        return Err(invalid(location(), "an empty array or object cannot be sent in the path"));
    }
    let (explode, name) = (param.explode, param.name);
    Ok(match (param.style, flat) {
        (_, Flat::Absent) => return Err(invalid(location(), "is required")),
        (Style::Label, Flat::Text(text)) => format!(".{}", encode(&text)),
        (Style::Label, Flat::List(items)) => {
            let items: Vec<String> = items.iter().map(|item| encode(item)).collect();
            format!(".{}", items.join(if explode { "." } else { "," }))
        }
        (Style::Label, Flat::Map(map)) => format!(".{}", pieces(&map, explode, encode).join(if explode { "." } else { "," })),
        (Style::Matrix, Flat::Text(text)) => format!(";{}={}", encode(name), encode(&text)),
        (Style::Matrix, Flat::List(items)) if explode => items.iter().map(|item| format!(";{}={}", encode(name), encode(item))).collect(),
        (Style::Matrix, Flat::List(items)) => {
            let items: Vec<String> = items.iter().map(|item| encode(item)).collect();
            format!(";{}={}", encode(name), items.join(","))
        }
        (Style::Matrix, Flat::Map(map)) if explode => pieces(&map, true, encode).iter().map(|piece| format!(";{piece}")).collect(),
        (Style::Matrix, Flat::Map(map)) => format!(";{}={}", encode(name), pieces(&map, false, encode).join(",")),
        (_, Flat::Text(text)) => encode(&text),
        (_, Flat::List(items)) => items.iter().map(|item| encode(item)).collect::<Vec<_>>().join(","),
        (_, Flat::Map(map)) => pieces(&map, explode, encode).join(","),
    })
}

/// Fills a path template with the texts from [`path`], in the order of the template's variables.
///
/// A segment that would be empty, `.` or `..` is rejected: the server would not route it, and URL parsers
/// remove dot segments even when they are percent-encoded, so the request would reach another path.
pub(crate) fn fill_path(template: &str, values: &[String]) -> Result<String, ClientError> {
    let mut out = String::with_capacity(template.len());
    let mut values = values.iter();
    for (index, segment) in template.split('/').enumerate() {
        if index > 0 {
            out.push('/');
        }
        if !segment.contains('{') {
            out.push_str(segment);
            continue;
        }
        let start = out.len();
        let mut rest = segment;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |close| open + close + 1);
            out.push_str(values.next().map_or("", String::as_str));
            rest = &rest[close..];
        }
        out.push_str(rest);
        let filled = out[start..].to_ascii_lowercase();
        if ["", ".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"].contains(&filled.as_str()) {
            let segment_text = out[start..].to_owned();
            return Err(invalid(Location::Path(segment.to_owned()), format!("`{segment_text}` cannot be sent as a path segment")));
        }
    }
    Ok(out)
}

/// Appends a query parameter's encoded pairs; an absent value or an empty array adds none.
pub(crate) fn query<T: Serialize>(query: &mut Vec<(String, String)>, value: &T, param: &Param) -> Result<(), ClientError> {
    let name = query_text(param.name);
    let delimiter = match param.style {
        Style::SpaceDelimited => "%20",
        Style::PipeDelimited => "|",
        _ => ",",
    };
    match flatten(value, param)? {
        Flat::Absent => {}
        Flat::Text(text) => query.push((name, query_text(&text))),
        Flat::List(items) if param.explode => query.extend(items.iter().map(|item| (name.clone(), query_text(item)))),
        Flat::List(items) if items.is_empty() => {}
        Flat::List(items) => {
            let items: Vec<String> = items.iter().map(|item| query_text(item)).collect();
            query.push((name, items.join(delimiter)));
        }
        Flat::Map(map) if param.style == Style::DeepObject => deep_object(query, &name, &map),
        Flat::Map(map) if param.explode => query.extend(map.iter().map(|(key, value)| (query_text(key), query_text(&text(value))))),
        Flat::Map(map) => query.push((name, pieces(&map, false, query_text).join(delimiter))),
    }
    Ok(())
}

/// Appends `prefix[key]=value` pairs. Nested objects extend the key, and arrays repeat it.
fn deep_object(query: &mut Vec<(String, String)>, prefix: &str, map: &[(String, Value)]) {
    for (key, value) in map {
        let key = format!("{prefix}[{}]", query_text(key));
        match value {
            Value::Null => {}
            Value::Object(inner) => deep_object(query, &key, &sorted(inner)),
            Value::Array(items) => query.extend(items.iter().map(|item| (key.clone(), query_text(&text(item))))),
            scalar => query.push((key, query_text(&text(scalar)))),
        }
    }
}

/// Appends a header parameter. Scalars are sent as they are. The items of arrays and objects are
/// percent-encoded as RFC 6570 does for the simple style, so a `,` inside an item stays in it.
pub(crate) fn header<T: Serialize>(headers: &mut Vec<(&'static str, String)>, value: &T, param: &Param) -> Result<(), ClientError> {
    let encode = |text: &str| utf8_percent_encode(text, HEADER_ITEM).to_string();
    let value = match flatten(value, param)? {
        Flat::Absent => return Ok(()),
        Flat::Text(text) => text,
        Flat::List(items) => items.iter().map(|item| encode(item)).collect::<Vec<_>>().join(","),
        Flat::Map(map) => pieces(&map, param.explode, encode).join(","),
    };
    if is_header_text(&value) {
        headers.push((param.name, value));
        Ok(())
    } else {
        Err(invalid(Location::Header(param.name.to_owned()), "must be visible ASCII text to be sent as a header"))
    }
}

/// Returns whether `value` is valid header text: visible ASCII, spaces and tabs.
fn is_header_text(value: &str) -> bool {
    value.bytes().all(|byte| byte == b'\t' || (b' '..=b'~').contains(&byte))
}

/// Appends a cookie parameter's `name=value` pairs, percent-encoded.
pub(crate) fn cookie<T: Serialize>(cookies: &mut Vec<String>, value: &T, param: &Param) -> Result<(), ClientError> {
    let encode = |text: &str| utf8_percent_encode(text, UNRESERVED).to_string();
    let name = encode(param.name);
    match flatten(value, param)? {
        Flat::Absent => {}
        Flat::Text(text) => cookies.push(format!("{name}={}", encode(&text))),
        Flat::List(items) if param.explode => cookies.extend(items.iter().map(|item| format!("{name}={}", encode(item)))),
        Flat::List(items) => cookies.push(format!("{name}={}", items.iter().map(|item| encode(item)).collect::<Vec<_>>().join(","))),
        Flat::Map(map) if param.explode => cookies.extend(pieces(&map, true, encode)),
        Flat::Map(map) => cookies.push(format!("{name}={}", pieces(&map, false, encode).join(","))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &'static str, style: Style, explode: bool) -> Param {
        Param { name, style, explode }
    }

    #[test]
    fn path_styles_prefix_and_join() {
        let items = vec![3, 4];
        assert_eq!(path(&items, &param("id", Style::Simple, false)).unwrap(), "3,4");
        assert_eq!(path(&items, &param("id", Style::Label, true)).unwrap(), ".3.4");
        assert_eq!(path(&items, &param("id", Style::Matrix, true)).unwrap(), ";id=3;id=4");
        assert_eq!(path(&items, &param("id", Style::Matrix, false)).unwrap(), ";id=3,4");
        assert_eq!(path(&"a.b", &param("id", Style::Label, false)).unwrap(), ".a%2Eb");
    }

    #[test]
    fn dot_segments_are_rejected() {
        assert!(fill_path("/a/{id}", &[".%2E".to_owned()]).is_err());
        assert!(fill_path("/a/{id}", &[String::new()]).is_err());
        assert_eq!(fill_path("/a/{id}.json", &["x".to_owned()]).unwrap(), "/a/x.json");
    }
}
