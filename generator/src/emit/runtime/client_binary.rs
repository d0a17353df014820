//! Binary request bodies, sent from memory or streamed.

// A document whose binary bodies are all responses does not send one.
#![allow(dead_code)]

use crate::BinaryBody;

/// Turns a binary body into a request body: bytes in memory get a `Content-Length`, a stream is sent as
/// it is read.
///
/// NOTE: a stream can be read once, so a retry of a request with a streamed body fails with a transport
/// error. Bodies in memory are sent again.
pub(crate) fn request_body(body: &BinaryBody) -> reqwest::Body {
    match body.as_bytes() {
        Some(bytes) => reqwest::Body::from(bytes.clone()),
        None => reqwest::Body::wrap_stream(body.clone().into_stream()),
    }
}
