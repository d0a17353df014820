//! Parameter extraction in every OpenAPI style: finds a parameter's text in the path, query, headers or
//! cookies, splits it as its style defines, percent-decodes the pieces and parses them.
//!
//! Splitting happens before decoding, so a delimiter that a client percent-encoded inside a value (`%2C` for
//! `,`, `%2E` for `.` in the label style) stays part of the value.

// A document may use only some of the styles below.
#![allow(dead_code)]

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use axum::http::{HeaderMap, header};
use serde::de::value::{Error as DeError, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

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

/// The part of the request a parameter travels in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum In {
    /// A path parameter: the index of its segment in the path, and that segment's template, such as `{id}`.
    Path(usize, &'static str),
    Query,
    Header,
    Cookie,
}

/// The description of one parameter, a constant in the generated handlers.
#[derive(Debug)]
pub(crate) struct Param {
    pub name: &'static str,
    pub location: In,
    pub style: Style,
    pub explode: bool,
    /// Property names of an object parameter. With the `form` style and `explode: true`, each property is a
    /// query key or cookie of its own.
    pub properties: &'static [&'static str],
}

impl Param {
    fn location(&self) -> Location {
        match self.location {
            In::Path(..) => Location::Path(self.name.to_owned()),
            In::Query => Location::Query(self.name.to_owned()),
            In::Header => Location::Header(self.name.to_owned()),
            In::Cookie => Location::Cookie(self.name.to_owned()),
        }
    }

    fn violation(&self, message: impl Into<String>) -> Violation {
        Violation::new(self.location(), message)
    }
}

/// The parts of a request that parameters are read from, still percent-encoded.
pub(crate) struct Wire<'a> {
    /// The raw path; path parameters split it when they read their segment, so requests without them skip that.
    path: &'a str,
    /// Query pairs with decoded keys and encoded values, in order.
    query: Vec<(String, &'a str)>,
    headers: &'a HeaderMap,
    /// Cookie names and encoded values, in order.
    cookies: Vec<(&'a str, &'a str)>,
}

impl<'a> Wire<'a> {
    /// Splits the path, query and cookies of a request; a query key that is not UTF-8 once decoded is a violation.
    pub(crate) fn new(uri: &'a axum::http::Uri, headers: &'a HeaderMap) -> Result<Self, Violation> {
        let mut query = Vec::new();
        for piece in uri.query().unwrap_or_default().split('&').filter(|piece| !piece.is_empty()) {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            let decoded = decode_query(key).ok_or_else(|| Violation::new(Location::Query(key.to_owned()), "name is not UTF-8 text"))?;
            query.push((decoded, value));
        }
        let cookies = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .collect();
        Ok(Wire { path: uri.path(), query, headers, cookies })
    }

    /// Returns the decoded value of the query key `name`, for API keys; the first one wins.
    pub(crate) fn query_value(&self, name: &str) -> Option<String> {
        self.query.iter().find(|(key, _)| key == name).and_then(|(_, value)| decode_query(value))
    }

    /// Returns the decoded value of the cookie `name`, for API keys; the first one wins.
    pub(crate) fn cookie_value(&self, name: &str) -> Option<String> {
        self.cookies.iter().find(|(key, _)| *key == name).and_then(|(_, value)| decode(value))
    }
}

/// A parameter value split into decoded text.
#[derive(Debug, Clone)]
enum Node {
    Text(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// Takes a scalar parameter and parses it with `FromStr`.
pub(crate) fn scalar<T: FromStr>(wire: &Wire, param: &Param) -> Result<Option<T>, Violation>
where
    T::Err: fmt::Display,
{
    match read(wire, param, Kind::Scalar)? {
        None => Ok(None),
        Some(Node::Text(text)) => parse(&text, param).map(Some),
        Some(_) => Err(param.violation("must be a single value")),
    }
}

/// Takes an array parameter and parses each item with `FromStr`.
pub(crate) fn array<T: FromStr>(wire: &Wire, param: &Param) -> Result<Option<Vec<T>>, Violation>
where
    T::Err: fmt::Display,
{
    let items = match read(wire, param, Kind::Array)? {
        None => return Ok(None),
        Some(Node::List(items)) => items,
        Some(node) => vec![node],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Node::Text(text) => out.push(parse(&text, param)?),
            _ => return Err(param.violation("items must be single values")),
        }
    }
    Ok(Some(out))
}

/// Takes an object parameter and reads its properties into `T`.
pub(crate) fn object<T: DeserializeOwned>(wire: &Wire, param: &Param) -> Result<Option<T>, Violation> {
    match read(wire, param, Kind::Object)? {
        None => Ok(None),
        Some(node) => T::deserialize(node).map(Some).map_err(|error| param.violation(format!("invalid value: {error}"))),
    }
}

/// Takes a parameter whose value is JSON text.
pub(crate) fn json<T: DeserializeOwned>(wire: &Wire, param: &Param) -> Result<Option<T>, Violation> {
    match read(wire, param, Kind::Scalar)? {
        None => Ok(None),
        Some(Node::Text(text)) => serde_json::from_str(&text).map(Some).map_err(|error| param.violation(format!("invalid JSON: {error}"))),
        Some(_) => Err(param.violation("must be a single value")),
    }
}

fn parse<T: FromStr>(raw: &str, param: &Param) -> Result<T, Violation>
where
    T::Err: fmt::Display,
{
    raw.parse::<T>().map_err(|error| param.violation(format!("invalid value `{raw}`: {error}")))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    Array,
    Object,
}

/// Percent-decodes a path segment, header item or cookie value; `None` when the result is not UTF-8.
fn decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(Cow::into_owned)
}

/// Decodes a query key or value as `application/x-www-form-urlencoded`: `+` means a space.
fn decode_query(text: &str) -> Option<String> {
    decode(&text.replace('+', " "))
}

fn read(wire: &Wire, param: &Param, kind: Kind) -> Result<Option<Node>, Violation> {
    match param.location {
        In::Path(position, template) => {
            let Some(raw) = wire.path.split('/').nth(position) else { return Err(param.violation("is required")) };
            let raw = if is_whole(template) {
                raw
            } else {
                segment_part(template, raw, param.name).ok_or_else(|| param.violation(format!("`{raw}` does not match `{template}`")))?
            };
            split_path(raw, param, kind).map(Some)
        }
        In::Query => read_query(wire, param, kind),
        In::Header => {
            let Some(value) = wire.headers.get(param.name) else { return Ok(None) };
            let text = value.to_str().map_err(|_| param.violation("must be visible ASCII text"))?;
            // Scalars are taken as sent; the items of arrays and objects are percent-decoded, as RFC 6570 encodes them.
            if kind == Kind::Scalar {
                return Ok(Some(Node::Text(text.to_owned())));
            }
            let pieces: Vec<&str> = text.split(',').map(str::trim).collect();
            structure(&pieces, param, kind, param.explode, decode).map(Some)
        }
        In::Cookie => {
            let values: Vec<&str> = wire.cookies.iter().filter(|(key, _)| *key == param.name).map(|(_, value)| *value).collect();
            if kind == Kind::Object && param.explode {
                let mut pairs = Vec::new();
                for (key, value) in wire.cookies.iter().filter(|(key, _)| param.properties.contains(key)) {
                    pairs.push(((*key).to_owned(), Node::Text(decoded(value, param, decode)?)));
                }
                return Ok((!pairs.is_empty()).then_some(Node::Map(pairs)));
            }
            match values.as_slice() {
                [] => Ok(None),
                [value] if kind == Kind::Scalar => Ok(Some(Node::Text(decoded(value, param, decode)?))),
                [value] if !(kind == Kind::Array && param.explode) => {
                    let pieces: Vec<&str> = value.split(',').collect();
                    structure(&pieces, param, kind, false, decode).map(Some)
                }
                _ if kind == Kind::Array && param.explode => structure(&values, param, kind, false, decode).map(Some),
                _ => Err(param.violation("must appear at most once")),
            }
        }
    }
}

fn decoded(text: &str, param: &Param, decoder: fn(&str) -> Option<String>) -> Result<String, Violation> {
    decoder(text).ok_or_else(|| param.violation("must be UTF-8 text once percent-decoded"))
}

/// Builds an array or object from encoded pieces: items, `key=value` pieces when `pairs` is set, else keys
/// and values in turn.
fn structure(pieces: &[&str], param: &Param, kind: Kind, pairs: bool, decoder: fn(&str) -> Option<String>) -> Result<Node, Violation> {
    match kind {
        Kind::Scalar => Ok(Node::Text(decoded(&pieces.join(","), param, decoder)?)),
        Kind::Array => {
            let items = pieces.iter().map(|piece| decoded(piece, param, decoder).map(Node::Text)).collect::<Result<_, _>>()?;
            Ok(Node::List(items))
        }
        Kind::Object if pairs => {
            let mut out = Vec::new();
            for piece in pieces.iter().filter(|piece| !piece.is_empty()) {
                let (key, value) = piece.split_once('=').ok_or_else(|| param.violation(format!("`{piece}` is not a `name=value` pair")))?;
                out.push((decoded(key, param, decoder)?, Node::Text(decoded(value, param, decoder)?)));
            }
            Ok(Node::Map(out))
        }
        Kind::Object => {
            let pieces: Vec<&str> = pieces.iter().copied().filter(|piece| !piece.is_empty()).collect();
            if !pieces.len().is_multiple_of(2) {
                return Err(param.violation("must list property names and values in turn"));
            }
            let mut out = Vec::new();
            for pair in pieces.chunks(2) {
                out.push((decoded(pair[0], param, decoder)?, Node::Text(decoded(pair[1], param, decoder)?)));
            }
            Ok(Node::Map(out))
        }
    }
}

/// Splits a path segment (or the part of it that belongs to this parameter) as its style defines.
fn split_path(raw: &str, param: &Param, kind: Kind) -> Result<Node, Violation> {
    let decoder: fn(&str) -> Option<String> = decode;
    match param.style {
        Style::Label => {
            let rest = raw.strip_prefix('.').ok_or_else(|| param.violation("must start with `.` (label style)"))?;
            let pieces: Vec<&str> = if param.explode { rest.split('.').collect() } else { rest.split(',').collect() };
            structure(&pieces, param, kind, param.explode, decoder)
        }
        Style::Matrix => {
            let rest = raw.strip_prefix(';').ok_or_else(|| param.violation("must start with `;` (matrix style)"))?;
            if param.explode && kind != Kind::Scalar {
                let pieces: Vec<&str> = rest.split(';').collect();
                if kind == Kind::Object {
                    return structure(&pieces, param, kind, true, decoder);
                }
                let mut items = Vec::new();
                for piece in pieces {
                    let value = matrix_value(piece, param)?;
                    items.push(Node::Text(decoded(value, param, decoder)?));
                }
                return Ok(Node::List(items));
            }
            let value = matrix_value(rest, param)?;
            structure(&value.split(',').collect::<Vec<_>>(), param, kind, false, decoder)
        }
        Style::Json => Ok(Node::Text(decoded(raw, param, decoder)?)),
        _ => structure(&raw.split(',').collect::<Vec<_>>(), param, kind, param.explode, decoder),
    }
}

/// Strips `name=` from a matrix piece; a bare `name` is an empty value.
fn matrix_value<'r>(piece: &'r str, param: &Param) -> Result<&'r str, Violation> {
    let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
    match decode(key) {
        Some(key) if key == param.name => Ok(value),
        _ => Err(param.violation(format!("`;{piece}` does not name the parameter"))),
    }
}

fn read_query(wire: &Wire, param: &Param, kind: Kind) -> Result<Option<Node>, Violation> {
    let decoder: fn(&str) -> Option<String> = decode_query;
    if kind == Kind::Object && param.style == Style::DeepObject {
        return deep_object(wire, param);
    }
    if kind == Kind::Object && param.explode {
        let mut pairs = Vec::new();
        for (key, value) in wire.query.iter().filter(|(key, _)| param.properties.contains(&key.as_str())) {
            pairs.push((key.clone(), Node::Text(decoded(value, param, decoder)?)));
        }
        return Ok((!pairs.is_empty()).then_some(Node::Map(pairs)));
    }
    let values: Vec<&str> = wire.query.iter().filter(|(key, _)| key == param.name).map(|(_, value)| *value).collect();
    if values.is_empty() {
        return Ok(None);
    }
    if kind == Kind::Array && param.explode {
        return structure(&values, param, kind, false, decoder).map(Some);
    }
    let [value] = values.as_slice() else {
        return Err(param.violation("must appear at most once"));
    };
    if kind == Kind::Scalar {
        return Ok(Some(Node::Text(decoded(value, param, decoder)?)));
    }
    let pieces: Vec<&str> = match param.style {
        Style::SpaceDelimited => value.split("%20").collect(),
        Style::PipeDelimited => value.split('|').collect(),
        _ => value.split(',').collect(),
    };
    structure(&pieces, param, kind, false, decoder).map(Some)
}

/// Reads `name[a]=1&name[b][c]=2` into nested maps. A repeated key becomes a list.
fn deep_object(wire: &Wire, param: &Param) -> Result<Option<Node>, Violation> {
    let mut root: Vec<(String, Node)> = Vec::new();
    for (key, value) in &wire.query {
        let Some(rest) = key.strip_prefix(param.name) else { continue };
        if !rest.starts_with('[') {
            continue;
        }
        let mut path = Vec::new();
        let mut remaining = rest;
        while let Some(inner) = remaining.strip_prefix('[') {
            let Some((name, after)) = inner.split_once(']') else { break };
            path.push(name);
            remaining = after;
        }
        if path.is_empty() || !remaining.is_empty() || path.len() > 8 {
            return Err(param.violation(format!("`{key}` is not a `{}[property]` key", param.name)));
        }
        let value = Node::Text(decoded(value, param, decode_query)?);
        insert(&mut root, &path, value).map_err(|message| param.violation(message))?;
    }
    Ok((!root.is_empty()).then_some(Node::Map(root)))
}

fn insert(map: &mut Vec<(String, Node)>, path: &[&str], value: Node) -> Result<(), String> {
    let (first, rest) = path.split_first().ok_or_else(|| "empty property path".to_owned())?;
    let position = map.iter().position(|(key, _)| key == first);
    if rest.is_empty() {
        match position {
            None => map.push(((*first).to_owned(), value)),
            Some(index) => match &mut map[index].1 {
                Node::List(items) => items.push(value),
                Node::Text(_) => {
                    let previous = std::mem::replace(&mut map[index].1, Node::List(Vec::new()));
                    map[index].1 = Node::List(vec![previous, value]);
                }
                Node::Map(_) => return Err(format!("`{first}` is both an object and a value")),
            },
        }
        return Ok(());
    }
    let index = match position {
        Some(index) => index,
        None => {
            map.push(((*first).to_owned(), Node::Map(Vec::new())));
            map.len() - 1
        }
    };
    match &mut map[index].1 {
        Node::Map(inner) => insert(inner, rest, value),
        _ => Err(format!("`{first}` is both an object and a value")),
    }
}

/// Returns whether a segment template is one variable and nothing else, such as `{id}`.
fn is_whole(template: &str) -> bool {
    template.starts_with('{') && template.ends_with('}') && template.matches('{').count() == 1
}

/// Takes one variable's encoded text from a segment that contains several, such as `slot` of `{lane}-{slot}`.
///
/// Each variable ends where the next literal text first appears, so a value must not contain that text.
fn segment_part<'r>(template: &str, value: &'r str, name: &str) -> Option<&'r str> {
    let mut pieces = Vec::new();
    let mut rest = template;
    // The template alternates literal text and `{name}`: collect (literal before, variable) pairs.
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        let variable = rest[open + 1..close].trim_start_matches(['.', ';', '+', '#', '/', '?', '&']).trim_end_matches('*');
        pieces.push((&rest[..open], Some(variable)));
        rest = &rest[close + 1..];
    }
    pieces.push((rest, None));
    let mut found = None;
    let mut remaining = value;
    for (position, (literal, variable)) in pieces.iter().enumerate() {
        remaining = remaining.strip_prefix(literal)?;
        let Some(variable) = variable else { break };
        let next_literal = pieces.get(position + 1).map(|(literal, _)| *literal).unwrap_or_default();
        let end = if next_literal.is_empty() { remaining.len() } else { remaining.find(next_literal)? };
        if *variable == name {
            found = Some(&remaining[..end]);
        }
        remaining = &remaining[end..];
    }
    if remaining.is_empty() { found } else { None }
}

// Deserializes an object parameter from its decoded text: numbers and booleans are parsed from text, as
// serde's form decoders do, because a query or path carries no types.
impl<'de> de::Deserializer<'de> for Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Node::Text(text) => visitor.visit_string(text),
            Node::List(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Node::Map(pairs) => visitor.visit_map(MapDeserializer::new(pairs.into_iter())),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.text()?.as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            other => Err(de::Error::invalid_value(de::Unexpected::Str(other), &"`true` or `false`")),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i64(self.number()?)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i32(self.number()?)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i16(self.number()?)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i8(self.number()?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u64(self.number()?)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u32(self.number()?)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u16(self.number()?)
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_u8(self.number()?)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_f64(self.number()?)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_f32(self.number()?)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Node::List(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            node => visitor.visit_seq(SeqDeserializer::new(std::iter::once(node))),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _name: &'static str, _variants: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_enum(self.text()?.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

impl Node {
    fn text(self) -> Result<String, DeError> {
        match self {
            Node::Text(text) => Ok(text),
            _ => Err(de::Error::custom("expected a single value")),
        }
    }

    fn number<N: FromStr>(self) -> Result<N, DeError>
    where
        N::Err: fmt::Display,
    {
        let text = self.text()?;
        text.parse().map_err(|error| de::Error::custom(format!("`{text}` is not a number: {error}")))
    }
}

impl<'de> IntoDeserializer<'de, DeError> for Node {
    type Deserializer = Node;

    fn into_deserializer(self) -> Node {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_query<R>(query: &str, read: impl FnOnce(&Wire) -> R) -> R {
        let uri: axum::http::Uri = format!("/items?{query}").parse().expect("the test URI is valid");
        let headers = HeaderMap::new();
        let wire = Wire::new(&uri, &headers).expect("the test query is UTF-8");
        read(&wire)
    }

    fn query_param(name: &'static str, style: Style, explode: bool) -> Param {
        Param { name, location: In::Query, style, explode, properties: &["role", "age"] }
    }

    #[test]
    fn query_arrays_follow_their_style() {
        let exploded: Option<Vec<u32>> = with_query("id=1&id=2", |wire| array(wire, &query_param("id", Style::Form, true))).unwrap();
        assert_eq!(exploded, Some(vec![1, 2]));
        let commas: Option<Vec<u32>> = with_query("id=1,2,3", |wire| array(wire, &query_param("id", Style::Form, false))).unwrap();
        assert_eq!(commas, Some(vec![1, 2, 3]));
        let spaces: Option<Vec<String>> = with_query("tag=a%20b+c", |wire| array(wire, &query_param("tag", Style::SpaceDelimited, false))).unwrap();
        assert_eq!(spaces, Some(vec!["a".to_owned(), "b c".to_owned()]));
        let pipes: Option<Vec<String>> = with_query("tag=a|b%7Cc", |wire| array(wire, &query_param("tag", Style::PipeDelimited, false))).unwrap();
        assert_eq!(pipes, Some(vec!["a".to_owned(), "b|c".to_owned()]));
        let encoded_comma: Option<Vec<String>> = with_query("tag=a%2Cb,c", |wire| array(wire, &query_param("tag", Style::Form, false))).unwrap();
        assert_eq!(encoded_comma, Some(vec!["a,b".to_owned(), "c".to_owned()]));
    }

    #[test]
    fn query_array_rejects_repeats_and_bad_items() {
        let param = query_param("id", Style::Form, false);
        assert!(with_query("id=1,2&id=3", |wire| array::<u32>(wire, &param)).is_err());
        assert!(with_query("id=1,x", |wire| array::<u32>(wire, &param)).is_err());
        assert_eq!(with_query("other=1", |wire| array::<u32>(wire, &param)).unwrap(), None);
    }

    #[test]
    fn invalid_utf8_is_a_violation() {
        let uri: axum::http::Uri = "/items?%FF=1".parse().expect("the test URI is valid");
        assert!(Wire::new(&uri, &HeaderMap::new()).is_err());
        let value = with_query("name=%FF", |wire| scalar::<String>(wire, &query_param("name", Style::Form, true)));
        assert!(value.is_err());
    }

    #[test]
    fn deep_object_keys_nest() {
        let node = with_query("f[a][b]=1&f[c]=x&f[c]=y&g=2", |wire| deep_object(wire, &query_param("f", Style::DeepObject, true))).unwrap();
        let Some(Node::Map(map)) = node else { panic!("expected a map, got {node:?}") };
        assert_eq!(map.len(), 2);
        assert!(matches!(&map[0].1, Node::Map(inner) if inner.len() == 1));
        assert!(matches!(&map[1].1, Node::List(items) if items.len() == 2));
    }

    #[test]
    fn segment_parts_split_on_literals() {
        assert_eq!(segment_part("{lane}-{slot}", "l1-s1", "slot"), Some("s1"));
        assert_eq!(segment_part("{id}.json", "42.json", "id"), Some("42"));
        assert_eq!(segment_part("{id}.json", "42.xml", "id"), None);
    }
}
