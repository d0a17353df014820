//! Request extraction and response writing used by the generated handlers.

// A document may use only some of the extractors below.
#![allow(dead_code)]

use std::fmt;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{Location, Violation};

/// A reason the server responded without calling the implementation, or in place of its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// A secured operation was called without usable credentials (401).
    MissingCredentials,
    /// The authenticator rejected the credentials (401).
    InvalidCredentials,
    /// The authenticator accepted the credentials, but they lack a required scope or permission (403).
    Forbidden,
    /// Parameters or body break the schema (400).
    InvalidRequest(Vec<Violation>),
    /// The body has a media type the operation does not accept (415).
    UnsupportedMediaType { expected: &'static str },
    /// The `Accept` header matches none of the response media types (406).
    NotAcceptable { available: &'static str },
    /// The body is larger than the configured limit (413).
    PayloadTooLarge { limit: usize },
    /// No operation has this path (404).
    NotFound,
    /// The path exists, but not with this method (405).
    MethodNotAllowed,
    /// The implementation returned an error or panicked (500); details are only logged.
    Internal,
    /// Reading the request and running the implementation took longer than the configured limit (503).
    Timeout,
}

impl Rejection {
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::MissingCredentials | Rejection::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Rejection::Forbidden => StatusCode::FORBIDDEN,
            Rejection::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            Rejection::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Rejection::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            Rejection::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::NotFound => StatusCode::NOT_FOUND,
            Rejection::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Rejection::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Rejection::Timeout => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::MissingCredentials => f.write_str("missing or malformed credentials"),
            Rejection::InvalidCredentials => f.write_str("invalid credentials"),
            Rejection::Forbidden => f.write_str("the credentials do not grant access to this operation"),
            Rejection::InvalidRequest(violations) => f.write_str(&crate::describe(violations)),
            Rejection::UnsupportedMediaType { expected } => write!(f, "unsupported media type; expected `{expected}`"),
            Rejection::NotAcceptable { available } => write!(f, "the Accept header matches no available media type; available: `{available}`"),
            Rejection::PayloadTooLarge { limit } => write!(f, "request body is larger than {limit} bytes"),
            Rejection::NotFound => f.write_str("no operation has this path"),
            Rejection::MethodNotAllowed => f.write_str("the path does not support this method"),
            Rejection::Internal => f.write_str("internal server error"),
            Rejection::Timeout => f.write_str("the request took too long to handle"),
        }
    }
}

/// Chooses the `message` of a rejection's error body.
pub type RejectionMessage = Arc<dyn Fn(&Rejection) -> String + Send + Sync>;

/// Settings of the generated router.
#[derive(Clone)]
pub struct ServerOptions {
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub body_limit: usize,
    /// Overrides the default rejection messages, for APIs that document their own codes.
    pub rejection_message: Option<RejectionMessage>,
    /// Checks each response of the implementation against the document: a status outside its variant's
    /// range, or a body that breaks its schema, is logged as an error and replaced by a 500 response. On in
    /// debug builds, so tests catch an implementation that drifts from the document, and off in release builds.
    pub check_responses: bool,
    /// Maximum time to read a request and run the implementation; a request that takes longer gets 503 and
    /// the implementation's future is dropped. No limit unless set.
    pub request_timeout: Option<std::time::Duration>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            body_limit: 2 * 1024 * 1024,
            rejection_message: None,
            check_responses: cfg!(debug_assertions),
            request_timeout: None,
        }
    }
}

impl fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerOptions")
            .field("body_limit", &self.body_limit)
            .field("rejection_message", &self.rejection_message.as_ref().map(|_| "custom"))
            .field("check_responses", &self.check_responses)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

impl ServerOptions {
    pub(crate) fn message(&self, rejection: &Rejection) -> String {
        match &self.rejection_message {
            Some(message) => message(rejection),
            None => rejection.to_string(),
        }
    }
}

pub(crate) fn missing(location: Location) -> Violation {
    Violation::new(location, "is required")
}

/// Returns the token of an `Authorization: <scheme> <token>` header; the scheme name is case-insensitive.
pub(crate) fn authorization(headers: &HeaderMap, scheme: &str) -> Option<String> {
    // Read lossily: a value with bytes outside visible ASCII was still presented, so the caller rejects it as
    // malformed instead of treating it as missing.
    let value = String::from_utf8_lossy(headers.get(header::AUTHORIZATION)?.as_bytes());
    let (given, token) = value.split_once(' ')?;
    let token = token.trim();
    (given.eq_ignore_ascii_case(scheme) && !token.is_empty()).then(|| token.to_owned())
}

/// Picks the response media type for the request's `Accept` header: the entry of `all` whose media type in
/// `media_types` has the highest weight, the earlier one on a tie. A media type's weight is the `q` of the
/// most specific range that matches it (`type/subtype`, then `type/*`, then `*/*`), as RFC 9110 section
/// 12.5.1 describes. Without an `Accept` header the first is picked; `None` means no media type has a
/// weight above zero.
pub(crate) fn negotiate<T: Copy>(headers: &HeaderMap, all: &[T], media_types: &[&str]) -> Option<T> {
    let ranges: Vec<(String, f32)> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(','))
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| {
            let mut pieces = entry.split(';');
            let range = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = pieces
                .filter_map(|parameter| parameter.trim().strip_prefix("q=").or_else(|| parameter.trim().strip_prefix("Q=")))
                .find_map(|weight| weight.trim().parse::<f32>().ok())
                .map_or(1.0, |weight| if weight.is_nan() { 0.0 } else { weight.clamp(0.0, 1.0) });
            (range, weight)
        })
        // An entry that is not a `type/subtype` range is malformed, and a header of only those counts as absent.
        .filter(|(range, _)| range.split_once('/').is_some_and(|(kind, subtype)| !kind.is_empty() && !subtype.is_empty()))
        .collect();
    if ranges.is_empty() {
        return all.first().copied();
    }
    let weight_of = |media_type: &str| {
        let media_type = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        let top_level = media_type.split('/').next().unwrap_or_default().to_owned();
        let specificity = |range: &str| {
            if range == media_type || offered_range_contains(&media_type, range) {
                Some(3)
            } else if range.strip_suffix("/*") == Some(top_level.as_str()) {
                Some(2)
            } else if range == "*/*" {
                Some(1)
            } else {
                None
            }
        };
        ranges
            .iter()
            .filter_map(|(range, weight)| specificity(range).map(|rank| (rank, *weight)))
            .max_by(|(rank, weight), (other_rank, other_weight)| rank.cmp(other_rank).then(weight.total_cmp(other_weight)))
            .map_or(0.0, |(_, weight)| weight)
    };
    let mut best: Option<(T, f32)> = None;
    for (value, media_type) in all.iter().zip(media_types) {
        let weight = weight_of(media_type);
        if weight > 0.0 && best.is_none_or(|(_, known)| weight > known) {
            best = Some((*value, weight));
        }
    }
    best.map(|(value, _)| value)
}

/// Returns whether the offered media type is a range, such as `image/*`, that contains the concrete type
/// `accepted`, such as `image/png`. The implementation may respond with any type in the range, so an `Accept`
/// entry for one of them matches the offer as well as the range itself does.
fn offered_range_contains(offered: &str, accepted: &str) -> bool {
    let Some((top_level, subtype)) = accepted.split_once('/') else { return false };
    if top_level == "*" || subtype == "*" || subtype.is_empty() {
        return false;
    }
    offered == "*/*" || offered.strip_suffix("/*") == Some(top_level)
}

/// Reads the whole body, up to `limit` bytes.
pub(crate) async fn read_body(body: Body, limit: usize) -> Result<Bytes, Rejection> {
    axum::body::to_bytes(body, limit).await.map_err(|_| Rejection::PayloadTooLarge { limit })
}

fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type == "text/json" || media_type.ends_with("+json")
}

/// Picks the media type of a body that may come in several, as an index into `media_types`, from the
/// headers alone, so the body can still be streamed. It is the one named by `Content-Type`, else the first
/// `type/*` range that contains it, else `*/*`, else the JSON one for any JSON type when only one is listed,
/// else the first text one for any text type. An `empty` body without a `Content-Type` is `None`, and a
/// missing required body is a violation. An empty body with one is decoded as that media type.
pub(crate) fn choose_media(headers: &HeaderMap, empty: bool, required: bool, media_types: &[&str], expected: &'static str) -> Result<Result<Option<usize>, Violation>, Rejection> {
    let Some(media) = media_type(headers) else {
        if empty {
            return Ok(if required { Err(missing(Location::Body(String::new()))) } else { Ok(None) });
        }
        return Err(Rejection::UnsupportedMediaType { expected });
    };
    let essences: Vec<String> = media_types.iter().map(|listed| listed.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()).collect();
    let top_level = media.split('/').next().unwrap_or_default();
    // The most specific listed media type wins, whatever the document order: `image/png` over `image/*`
    // over `*/*`.
    let position = essences
        .iter()
        .position(|listed| *listed == media)
        .or_else(|| essences.iter().position(|listed| listed.strip_suffix("/*") == Some(top_level)))
        .or_else(|| essences.iter().position(|listed| listed == "*/*"))
        .or_else(|| if is_json(&media) && essences.iter().filter(|listed| is_json(listed)).count() == 1 { essences.iter().position(|listed| is_json(listed)) } else { None })
        .or_else(|| if media.starts_with("text/") { essences.iter().position(|listed| listed.starts_with("text/")) } else { None });
    match position {
        Some(index) => Ok(Ok(Some(index))),
        None => Err(Rejection::UnsupportedMediaType { expected }),
    }
}

/// Decodes a JSON body; an empty body is `None`, and a missing required body is a violation.
///
/// `object` demands a JSON object at the top: serde's derived structs would also take an array of their fields.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    bytes: &Bytes,
    required: bool,
    object: bool,
) -> Result<Result<Option<T>, Violation>, Rejection> {
    if bytes.is_empty() {
        return Ok(if required { Err(missing(Location::Body(String::new()))) } else { Ok(None) });
    }
    match media_type(headers) {
        Some(media) if is_json(&media) => {}
        _ => return Err(Rejection::UnsupportedMediaType { expected: "application/json" }),
    }
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    if object && first.is_some_and(|byte| *byte != b'{') {
        return Ok(Err(Violation::new(Location::Body(String::new()), "must be a JSON object")));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(value) => value,
        Err(error) => {
            let pointer = error_pointer(error.path());
            return Ok(Err(Violation::new(Location::Body(pointer), json_message(error.inner()))));
        }
    };
    if let Err(error) = deserializer.end() {
        return Ok(Err(Violation::new(Location::Body(String::new()), json_message(&error))));
    }
    Ok(Ok(Some(value)))
}

/// Decodes an `application/x-www-form-urlencoded` body; repeated keys fill arrays.
pub(crate) fn form_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, bytes: &Bytes, required: bool) -> Result<Result<Option<T>, Violation>, Rejection> {
    const FORM: &str = "application/x-www-form-urlencoded";
    if bytes.is_empty() {
        return Ok(if required { Err(missing(Location::Body(String::new()))) } else { Ok(None) });
    }
    match media_type(headers) {
        Some(media) if media == FORM => {}
        _ => return Err(Rejection::UnsupportedMediaType { expected: FORM }),
    }
    Ok(serde_html_form::from_bytes::<T>(bytes).map(Some).map_err(|error| Violation::new(Location::Body(String::new()), error.to_string())))
}

/// Takes a text body as a string.
pub(crate) fn text_body(headers: &HeaderMap, bytes: &Bytes, required: bool, expected: &'static str) -> Result<Result<Option<String>, Violation>, Rejection> {
    if bytes.is_empty() {
        return Ok(if required { Err(missing(Location::Body(String::new()))) } else { Ok(None) });
    }
    match media_type(headers) {
        Some(media) if media.starts_with("text/") => {}
        _ => return Err(Rejection::UnsupportedMediaType { expected }),
    }
    Ok(String::from_utf8(bytes.to_vec()).map(Some).map_err(|_| Violation::new(Location::Body(String::new()), "must be UTF-8 text")))
}

pub(crate) fn error_pointer(path: &serde_path_to_error::Path) -> String {
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
pub(crate) fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

pub(crate) fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

pub(crate) fn json_response<T: serde::Serialize>(status: StatusCode, body: &T) -> Response {
    json_response_as(status, body, "application/json")
}

pub(crate) fn json_response_as<T: serde::Serialize>(status: StatusCode, body: &T, media_type: &'static str) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))], bytes).into_response(),
        Err(error) => {
            tracing::error!(%error, "failed to serialize the response body");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Writes an `application/x-www-form-urlencoded` response; arrays become repeated keys.
pub(crate) fn form_response<T: serde::Serialize>(status: StatusCode, body: &T, media_type: &'static str) -> Response {
    match serde_html_form::to_string(body) {
        Ok(text) => (status, [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))], text).into_response(),
        Err(error) => {
            tracing::error!(%error, "failed to encode the form response body");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub(crate) fn text_response(status: StatusCode, body: String, media_type: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))], body).into_response()
}

/// Sets a response header; a value that is not valid header text is logged and left out.
pub(crate) fn set_header(response: &mut Response, name: &'static str, value: String) {
    match HeaderValue::from_str(&value) {
        Ok(value) => {
            response.headers_mut().insert(name, value);
        }
        Err(_) => tracing::error!(header = name, "the implementation returned a header value that is not valid header text"),
    }
}

pub(crate) fn empty_response(status: StatusCode) -> Response {
    status.into_response()
}

/// Describes a panic payload for the log.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "non-text panic payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).expect("the test header is valid"));
        headers
    }

    #[test]
    fn negotiation_follows_weights_and_specificity() {
        let offered = ["application/json", "text/csv"];
        let pick = |value: &str| negotiate(&accept(value), &[0, 1], &offered);
        assert_eq!(negotiate(&HeaderMap::new(), &[0, 1], &offered), Some(0));
        assert_eq!(pick("text/csv"), Some(1));
        assert_eq!(pick("text/*, application/json;q=0.5"), Some(1));
        assert_eq!(pick("*/*;q=0.1, application/json;q=0"), Some(1));
        assert_eq!(pick("*/*"), Some(0));
        assert_eq!(pick("application/xml"), None);
        assert_eq!(pick("text/csv;q=0"), None);
        assert_eq!(pick("text/csv;q=inf, application/json;q=1"), Some(0));
        assert_eq!(pick("text/csv;q=NaN, application/json;q=0.1"), Some(0));
    }

    #[test]
    fn negotiation_matches_types_inside_offered_ranges() {
        let offered = ["image/*", "text/plain"];
        let pick = |value: &str| negotiate(&accept(value), &[0, 1], &offered);
        assert_eq!(pick("image/png, text/plain;q=0.5"), Some(0));
        assert_eq!(pick("image/png;q=0.2, text/plain;q=0.5"), Some(1));
        assert_eq!(pick("video/mp4"), None);
    }

    #[test]
    fn malformed_accept_entries_are_ignored() {
        let offered = ["application/json", "text/csv"];
        let pick = |value: &str| negotiate(&accept(value), &[0, 1], &offered);
        assert_eq!(pick(";;;,,"), Some(0));
        assert_eq!(pick("json, /csv, text/"), Some(0));
        assert_eq!(pick("garbage, text/csv"), Some(1));
    }
}
