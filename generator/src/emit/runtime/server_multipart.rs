//! `multipart/form-data` request bodies: splitting the body into parts and decoding each part.

// A document may use only some of the part decoders below.
#![allow(dead_code)]

use std::fmt;
use std::str::FromStr;

use axum::body::Bytes;
use axum::http::{HeaderMap, header};

use crate::runtime::{Rejection, error_pointer, json_message, missing};
use crate::{Location, Violation};

const MULTIPART: &str = "multipart/form-data";

/// The parts of a multipart body, in the order received.
pub(crate) struct Form {
    parts: Vec<(String, Bytes)>,
}

/// Splits a multipart body into named parts; an empty body is `None`, and a missing required body is a violation.
///
/// Parts without a name are ignored, as are parts the schema does not name.
pub(crate) async fn multipart_body(headers: &HeaderMap, bytes: Bytes, required: bool) -> Result<Result<Option<Form>, Violation>, Rejection> {
    let body = || Location::Body(String::new());
    if bytes.is_empty() {
        return Ok(if required { Err(missing(body())) } else { Ok(None) });
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if essence != MULTIPART {
        return Err(Rejection::UnsupportedMediaType { expected: MULTIPART });
    }
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return Ok(Err(Violation::new(body(), "the Content-Type header has no multipart boundary")));
    };
    // The body is already read within the size limit, so multer gets it as one chunk.
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Ok(Err(Violation::new(body(), format!("invalid multipart body: {error}")))),
        };
        let Some(name) = field.name().map(str::to_owned) else { continue };
        match field.bytes().await {
            Ok(bytes) => parts.push((name, bytes)),
            Err(error) => return Ok(Err(Violation::new(body(), format!("invalid multipart body: {error}")))),
        }
    }
    Ok(Ok(Some(Form { parts })))
}

/// Decodes the bytes of one part; the second argument is the part's JSON pointer, such as `/metadata`.
pub(crate) type PartDecoder<T> = fn(&Bytes, &str) -> Result<T, Violation>;

impl Form {
    /// Decodes the part `name`, which must appear at most once.
    pub(crate) fn one<T>(&self, name: &str, required: bool, decode: PartDecoder<T>) -> Result<Option<T>, Violation> {
        let pointer = crate::pointer_child("", name);
        let mut found = self.parts.iter().filter(|(key, _)| key == name);
        match (found.next(), found.next()) {
            (Some(_), Some(_)) => Err(Violation::new(Location::Body(pointer), "must appear at most once")),
            (Some((_, bytes)), None) => decode(bytes, &pointer).map(Some),
            (None, _) if required => Err(missing(Location::Body(pointer))),
            (None, _) => Ok(None),
        }
    }

    /// Decodes every part named `name` as one item of an array; no such part is `None`.
    pub(crate) fn all<T>(&self, name: &str, required: bool, decode: PartDecoder<T>) -> Result<Option<Vec<T>>, Violation> {
        let pointer = crate::pointer_child("", name);
        let found: Vec<&Bytes> = self.parts.iter().filter(|(key, _)| key == name).map(|(_, bytes)| bytes).collect();
        if found.is_empty() {
            return if required { Err(missing(Location::Body(pointer))) } else { Ok(None) };
        }
        let decode_item = |(index, bytes): (usize, &&Bytes)| decode(bytes, &crate::pointer_child(&pointer, &index.to_string()));
        found.iter().enumerate().map(decode_item).collect::<Result<Vec<T>, Violation>>().map(Some)
    }
}

/// Takes a file part as bytes, whatever its content type.
pub(crate) fn file_part(bytes: &Bytes, _pointer: &str) -> Result<Vec<u8>, Violation> {
    Ok(bytes.to_vec())
}

/// Parses a text part.
pub(crate) fn text_part<T: FromStr>(bytes: &Bytes, pointer: &str) -> Result<T, Violation>
where
    T::Err: fmt::Display,
{
    let location = || Location::Body(pointer.to_owned());
    let text = std::str::from_utf8(bytes).map_err(|_| Violation::new(location(), "must be UTF-8 text"))?;
    text.parse::<T>().map_err(|error| Violation::new(location(), format!("invalid value `{text}`: {error}")))
}

/// Decodes a JSON part. Its content type is not checked, because clients such as `curl -F` send JSON
/// text parts without one.
pub(crate) fn json_part<T: serde::de::DeserializeOwned>(bytes: &Bytes, pointer: &str) -> Result<T, Violation> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut deserializer).map_err(|error| {
        let inner = error_pointer(error.path());
        Violation::new(Location::Body(format!("{pointer}{inner}")), json_message(error.inner()))
    })?;
    deserializer.end().map_err(|error| Violation::new(Location::Body(pointer.to_owned()), json_message(&error)))?;
    Ok(value)
}
