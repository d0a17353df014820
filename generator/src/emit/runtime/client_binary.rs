//! Binary bodies: requests sent from memory or streamed, and responses handed to the caller as streams.

// A document may use only some of the functions below.
#![allow(dead_code)]

use futures_util::StreamExt;

use crate::BinaryBody;
use crate::runtime::{ClientError, ResponseBody};

/// Adds a binary body as `media_type` to the request: bytes in memory get a `Content-Length`, a stream is
/// sent as it is read.
///
/// It sends the body's content type when it fits `media_type`, else `media_type` itself. A
/// range such as `image/*` is not a valid `Content-Type`, so a body for one needs a content type within it
/// and is an encode error otherwise. A stream that was already read is [`ClientError::StreamConsumed`], which
/// stops the retries of a request whose streamed body the previous attempt sent.
pub(crate) fn add_body(builder: reqwest::RequestBuilder, body: &BinaryBody, media_type: &'static str) -> Result<reqwest::RequestBuilder, ClientError> {
    let fitting = body.content_type().filter(|content_type| crate::media_type_fits(content_type, media_type));
    let content_type = match fitting {
        Some(content_type) => content_type,
        None if crate::is_media_range(media_type) => {
            let message = match body.content_type() {
                Some(content_type) => format!("the content type `{content_type}` is not within `{media_type}`; set one within it with `BinaryBody::with_content_type`"),
                None => format!("a body for `{media_type}` needs a concrete content type; set one with `BinaryBody::with_content_type`"),
            };
            return Err(ClientError::Encode(message));
        }
        None => media_type,
    };
    Ok(builder.header(reqwest::header::CONTENT_TYPE, content_type).body(request_body(body)?))
}

/// Turns a binary body into a request body. A stream is taken from the body only when the request is sent,
/// so a request that never reached the server, such as one that failed to connect, can send it again.
fn request_body(body: &BinaryBody) -> Result<reqwest::Body, ClientError> {
    if let Some(bytes) = body.as_bytes() {
        return Ok(reqwest::Body::from(bytes.clone()));
    }
    if body.is_consumed() {
        return Err(ClientError::StreamConsumed);
    }
    let body = body.clone();
    let deferred = futures_util::stream::once(futures_util::future::lazy(move |_| body.into_stream())).flatten();
    Ok(reqwest::Body::wrap_stream(deferred))
}

/// Turns a response body into a binary body with the response's `Content-Type`: a body left unread becomes a
/// stream of the chunks as they arrive.
pub(crate) fn response_body(body: ResponseBody, headers: &reqwest::header::HeaderMap) -> BinaryBody {
    let binary = match body {
        ResponseBody::Read(bytes) => BinaryBody::from_bytes(bytes),
        ResponseBody::Unread(response) => BinaryBody::from_stream(response.bytes_stream()),
    };
    match headers.get(reqwest::header::CONTENT_TYPE).and_then(|value| value.to_str().ok()) {
        Some(content_type) => binary.with_content_type(content_type.trim()),
        None => binary,
    }
}
