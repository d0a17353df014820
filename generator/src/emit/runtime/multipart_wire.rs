//! Reading and writing `multipart/form-data` (RFC 7578) and `multipart/related` (RFC 2387) bodies. The server
//! and the client crates carry the same copy of this module.
//!
//! A `multipart/form-data` part is named by the `name` parameter of its `Content-Disposition`. A
//! `multipart/related` body is written as `multipart/related; type="<root type>"; start="<root id>";
//! boundary=...`, where the root is the first part written, and each of its parts carries the part name as
//! `Content-ID: <name>` and, for a file part, `Content-Disposition: attachment; filename="..."`. The reader
//! of either subtype takes a part's name from the `name` of its `Content-Disposition`, else from its
//! `Content-ID` without the angle brackets, and skips parts with neither.

// A document may use only some of the readers and writers below.
#![allow(dead_code)]

use std::convert::Infallible;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::str::FromStr;

use futures_util::FutureExt;

use crate::{FilePart, Location, Violation};

const FORM_DATA: &str = "multipart/form-data";
const RELATED: &str = "multipart/related";

/// One part of a received multipart body.
pub(crate) struct ReceivedPart {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

/// Returns the lowercase `type/subtype` of a content type, without parameters.
pub(crate) fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Splits a multipart body of the given `Content-Type` into its named parts, in the order received.
///
/// The error is a message for the caller, such as a missing boundary or a part that does not end.
pub(crate) fn split(content_type: &str, body: Vec<u8>) -> Result<Form, String> {
    let parsed: mime::Mime = content_type.parse().map_err(|error| format!("invalid Content-Type `{content_type}`: {error}"))?;
    if parsed.type_() != mime::MULTIPART {
        return Err(format!("the Content-Type `{content_type}` is not multipart"));
    }
    let boundary = parsed
        .get_param(mime::BOUNDARY)
        .map(|value| value.as_str().to_owned())
        .ok_or_else(|| "the Content-Type header has no multipart boundary".to_owned())?;
    let stream = futures_util::stream::iter([Ok::<Vec<u8>, Infallible>(body)]);
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    // The body is one chunk in memory, so every future below is ready when first polled.
    let stalled = || "the multipart parser stalled".to_owned();
    loop {
        let field = match multipart.next_field().now_or_never().ok_or_else(stalled)? {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(format!("invalid multipart body: {error}")),
        };
        let content_id = field.headers().get("content-id").and_then(|value| value.to_str().ok());
        let content_id = content_id.map(|id| id.trim().trim_start_matches('<').trim_end_matches('>').to_owned());
        let Some(name) = field.name().map(str::to_owned).or(content_id) else { continue };
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.headers().get("content-type").and_then(|value| value.to_str().ok()).map(str::to_owned);
        match field.bytes().now_or_never().ok_or_else(stalled)? {
            Ok(bytes) => parts.push(ReceivedPart { name, file_name, content_type, bytes: bytes.into() }),
            Err(error) => return Err(format!("invalid multipart body: {error}")),
        }
    }
    Ok(Form { parts })
}

/// The parts of a received multipart body. Parts the schema does not name are ignored.
pub(crate) struct Form {
    parts: Vec<ReceivedPart>,
}

/// A decoder of one part. Its second argument is the part's JSON pointer, such as `/metadata`.
pub(crate) type PartDecoder<T> = fn(&ReceivedPart, &str) -> Result<T, Violation>;

impl Form {
    fn find(&self, name: &str) -> Vec<&ReceivedPart> {
        self.parts.iter().filter(|part| part.name == name).collect()
    }

    /// Decodes the required part `name`, which must appear once.
    pub(crate) fn one<T>(&self, name: &str, decode: PartDecoder<T>) -> Result<T, Violation> {
        self.optional(name, decode)?.ok_or_else(|| missing(name))
    }

    /// Decodes the optional part `name`. A second part of that name is a violation.
    pub(crate) fn optional<T>(&self, name: &str, decode: PartDecoder<T>) -> Result<Option<T>, Violation> {
        let pointer = crate::pointer_child("", name);
        match self.find(name).as_slice() {
            [] => Ok(None),
            [part] => decode(part, &pointer).map(Some),
            _ => Err(Violation::new(Location::Body(pointer), "must appear at most once")),
        }
    }

    /// Decodes every part named `name` as one item of an array, of which there must be at least one part.
    pub(crate) fn all<T>(&self, name: &str, decode: PartDecoder<T>) -> Result<Vec<T>, Violation> {
        self.optional_all(name, decode)?.ok_or_else(|| missing(name))
    }

    /// Decodes every part named `name` as one item of an array, or returns `None` when there is no such part.
    pub(crate) fn optional_all<T>(&self, name: &str, decode: PartDecoder<T>) -> Result<Option<Vec<T>>, Violation> {
        let pointer = crate::pointer_child("", name);
        let found = self.find(name);
        if found.is_empty() {
            return Ok(None);
        }
        let decode_item = |(index, part): (usize, &&ReceivedPart)| decode(part, &crate::pointer_child(&pointer, &index.to_string()));
        found.iter().enumerate().map(decode_item).collect::<Result<Vec<T>, Violation>>().map(Some)
    }
}

fn missing(name: &str) -> Violation {
    Violation::new(Location::Body(crate::pointer_child("", name)), "is required")
}

/// Takes a file part with the file name and content type it came with, whatever that content type is.
pub(crate) fn file_part(part: &ReceivedPart, _pointer: &str) -> Result<FilePart, Violation> {
    Ok(FilePart { bytes: part.bytes.clone(), file_name: part.file_name.clone(), content_type: part.content_type.clone() })
}

/// Parses a text part.
pub(crate) fn text_part<T: FromStr>(part: &ReceivedPart, pointer: &str) -> Result<T, Violation>
where
    T::Err: fmt::Display,
{
    let location = || Location::Body(pointer.to_owned());
    let text = std::str::from_utf8(&part.bytes).map_err(|_| Violation::new(location(), "must be UTF-8 text"))?;
    text.parse::<T>().map_err(|error| Violation::new(location(), format!("invalid value `{text}`: {error}")))
}

/// Decodes a JSON part. Its content type is not checked, because clients such as `curl -F` send JSON
/// text parts without one.
pub(crate) fn json_part<T: serde::de::DeserializeOwned>(part: &ReceivedPart, pointer: &str) -> Result<T, Violation> {
    let mut deserializer = serde_json::Deserializer::from_slice(&part.bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut deserializer).map_err(|error| {
        let inner = json_pointer(error.path());
        Violation::new(Location::Body(format!("{pointer}{inner}")), without_position(error.inner()))
    })?;
    deserializer.end().map_err(|error| Violation::new(Location::Body(pointer.to_owned()), without_position(&error)))?;
    Ok(value)
}

fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer = crate::pointer_child(&pointer, &index.to_string()),
            Segment::Map { key } => pointer = crate::pointer_child(&pointer, key),
            Segment::Enum { variant } => pointer = crate::pointer_child(&pointer, variant),
            Segment::Unknown => {}
        }
    }
    pointer
}

/// Drops serde's line and column, which mean little to an API caller.
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

/// Writes a multipart body of `media_type` with the parts that `add_parts` adds.
pub(crate) fn write(media_type: &str, add_parts: impl FnOnce(&mut Writer) -> Result<(), String>) -> Result<Writer, String> {
    let mut writer = Writer::new(media_type);
    add_parts(&mut writer)?;
    Ok(writer)
}

/// A multipart body being written, one part at a time.
pub(crate) struct Writer {
    related: bool,
    parts: Vec<WrittenPart>,
}

struct WrittenPart {
    name: &'static str,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

impl Writer {
    /// Starts a body of `media_type`: `multipart/related` or else `multipart/form-data`.
    pub(crate) fn new(media_type: &str) -> Self {
        Writer { related: essence(media_type) == RELATED, parts: Vec::new() }
    }

    /// Adds a text part without a content type, which means `text/plain`.
    pub(crate) fn text(&mut self, name: &'static str, value: String) {
        self.parts.push(WrittenPart { name, file_name: None, content_type: None, bytes: value.into_bytes() });
    }

    /// Adds a file part with its own file name and content type. A file part without a file name is sent
    /// with the part name as file name, and one without a content type with `default_type`.
    pub(crate) fn file(&mut self, name: &'static str, file: &FilePart, default_type: &str) -> Result<(), String> {
        let content_type = file.content_type.clone().unwrap_or_else(|| default_type.to_owned());
        check_header_text(name, "content type", &content_type)?;
        let file_name = file.file_name.clone().unwrap_or_else(|| name.to_owned());
        self.parts.push(WrittenPart { name, file_name: Some(file_name), content_type: Some(content_type), bytes: file.bytes.clone() });
        Ok(())
    }

    /// Adds a part with the JSON encoding of `value`.
    pub(crate) fn json<T: serde::Serialize>(&mut self, name: &'static str, value: &T, content_type: &'static str) -> Result<(), String> {
        let bytes = serde_json::to_vec(value).map_err(|error| format!("part `{name}`: {error}"))?;
        self.parts.push(WrittenPart { name, file_name: None, content_type: Some(content_type.to_owned()), bytes });
        Ok(())
    }

    /// Returns the body's `Content-Type`, with its boundary, and its bytes.
    pub(crate) fn finish(self) -> (String, Vec<u8>) {
        let boundary = self.boundary();
        let mut body = Vec::new();
        for part in &self.parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            body.extend_from_slice(self.part_headers(part).as_bytes());
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&part.bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type = match (self.related, self.parts.first()) {
            (true, Some(root)) => {
                let root_type = essence(root.content_type.as_deref().unwrap_or("text/plain"));
                format!("{RELATED}; type=\"{root_type}\"; start=\"<{}>\"; boundary={boundary}", one_line(root.name))
            }
            (true, None) => format!("{RELATED}; boundary={boundary}"),
            (false, _) => format!("{FORM_DATA}; boundary={boundary}"),
        };
        (content_type, body)
    }

    fn part_headers(&self, part: &WrittenPart) -> String {
        let mut headers = String::new();
        let file_name = part.file_name.as_deref().map(|file_name| format!("; filename=\"{}\"", quoted(file_name)));
        if self.related {
            headers.push_str(&format!("Content-ID: <{}>\r\n", one_line(part.name)));
            if let Some(file_name) = file_name {
                headers.push_str(&format!("Content-Disposition: attachment{file_name}\r\n"));
            }
        } else {
            let file_name = file_name.unwrap_or_default();
            headers.push_str(&format!("Content-Disposition: form-data; name=\"{}\"{file_name}\r\n", quoted(part.name)));
        }
        if let Some(content_type) = &part.content_type {
            headers.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        headers
    }

    /// Picks a random boundary that occurs in no part.
    fn boundary(&self) -> String {
        loop {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_usize(self.parts.len());
            let boundary = format!("openapi-boundary-{:016x}", hasher.finish());
            let needle = boundary.as_bytes();
            let occurs = |bytes: &[u8]| bytes.windows(needle.len()).any(|window| window == needle);
            if !self.parts.iter().any(|part| occurs(&part.bytes) || part.file_name.as_deref().is_some_and(|name| occurs(name.as_bytes()))) {
                return boundary;
            }
        }
    }
}

/// Escapes a quoted header parameter: `"` gets a backslash, which multer removes again.
///
/// NOTE: a backslash is sent as is, so a file name that ends in one does not survive the trip.
fn quoted(text: &str) -> String {
    one_line(text).replace('"', "\\\"")
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// Checks that a value is visible ASCII text, spaces or tabs, as a header value must be.
fn check_header_text(name: &str, value_kind: &str, value: &str) -> Result<(), String> {
    if value.bytes().all(|byte| byte == b'\t' || (0x20..0x7f).contains(&byte)) {
        Ok(())
    } else {
        Err(format!("part `{name}`: the {value_kind} `{value}` is not valid header text"))
    }
}
