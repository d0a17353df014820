//! Binary request bodies streamed to the implementation within the size limit, and binary responses.

// A document may use only some of the functions below.
#![allow(dead_code)]

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::{Body, BodyDataStream, Bytes, HttpBody};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;

use crate::runtime::{Rejection, missing};
use crate::{BinaryBody, BodyError, Location, Violation};

/// Records whether a streamed request body went over the size limit, so the handler responds with 413
/// whatever the implementation returned after reading it.
#[derive(Clone, Default)]
pub(crate) struct LimitFlag(Arc<AtomicBool>);

impl LimitFlag {
    pub(crate) fn exceeded(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Returns whether the request body is known to be empty, from its `Content-Length` or its end of stream.
pub(crate) fn is_empty(headers: &HeaderMap, body: &Body) -> bool {
    body.is_end_stream() || content_length(headers) == Some(0)
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH).and_then(|value| value.to_str().ok()).and_then(|text| text.trim().parse::<u64>().ok())
}

/// Hands the request body to the implementation as a stream of at most `limit` bytes, with the request's
/// `Content-Type` as its content type.
///
/// A `Content-Length` over the limit is rejected at once. A body without a length that grows past it ends
/// with an error and sets `flag`. A body known to be empty is `None`, and a missing required body is a
/// violation. When `media_type` is a range such as `image/*`, a `Content-Type` outside it, or none, is 415.
pub(crate) fn stream_body(headers: &HeaderMap, body: Body, limit: usize, required: bool, flag: &LimitFlag, media_type: &'static str) -> Result<Result<Option<BinaryBody>, Violation>, Rejection> {
    let length = content_length(headers);
    if length.is_some_and(|length| length > limit as u64) {
        return Err(Rejection::PayloadTooLarge { limit });
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).map(str::trim);
    // An empty body with a `Content-Type` is a zero-byte file, not a missing body.
    if is_empty(headers, &body) && content_type.is_none() {
        return Ok(if required { Err(missing(Location::Body(String::new()))) } else { Ok(None) });
    }
    if crate::is_media_range(media_type) && !content_type.is_some_and(|content_type| crate::media_type_fits(content_type, media_type)) {
        return Err(Rejection::UnsupportedMediaType { expected: media_type });
    }
    let stream = LimitedStream { inner: body.into_data_stream(), remaining: limit, limit, flag: flag.clone(), finished: false };
    let body = BinaryBody::from_stream(stream);
    Ok(Ok(Some(match content_type {
        Some(content_type) => body.with_content_type(content_type),
        None => body,
    })))
}

/// Takes a body already read into memory as a binary body, with the request's `Content-Type`.
pub(crate) fn bytes_body(headers: &HeaderMap, bytes: &Bytes, required: bool) -> Result<Result<Option<BinaryBody>, Violation>, Rejection> {
    if bytes.is_empty() && !headers.contains_key(header::CONTENT_TYPE) {
        return Ok(if required { Err(missing(Location::Body(String::new()))) } else { Ok(None) });
    }
    let body = BinaryBody::from_bytes(bytes.clone());
    Ok(Ok(Some(match headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()) {
        Some(content_type) => body.with_content_type(content_type.trim()),
        None => body,
    })))
}

/// Writes a binary response. A body in memory gets a `Content-Length`, and a stream is sent as it is read.
///
/// The `Content-Type` is the body's content type when it fits `media_type`, else `media_type` when that is
/// one concrete type. A body for a range such as `video/*` without a fitting content type is sent without
/// a `Content-Type`, as RFC 9110 section 8.3 allows when the media type is unknown, and the client then
/// reports no content type. A content type that does not fit is logged and not sent.
pub(crate) fn binary_response(status: StatusCode, body: BinaryBody, media_type: &'static str) -> Response {
    let fitting = body.content_type().filter(|content_type| crate::media_type_fits(content_type, media_type)).and_then(|content_type| HeaderValue::from_str(content_type).ok());
    if fitting.is_none() && let Some(content_type) = body.content_type() {
        tracing::error!(content_type, documented = media_type, "the implementation returned a binary body whose content type does not fit the documented media type");
    }
    let content_type = fitting.or_else(|| (!crate::is_media_range(media_type)).then(|| HeaderValue::from_static(media_type)));
    let data = match body.as_bytes() {
        Some(bytes) => Body::from(bytes.clone()),
        None => Body::from_stream(body.into_stream()),
    };
    let mut response = (status, data).into_response();
    if let Some(content_type) = content_type {
        response.headers_mut().insert(header::CONTENT_TYPE, content_type);
    }
    response
}

/// The request body's chunks, ending with an error once they total more than the limit.
struct LimitedStream {
    inner: BodyDataStream,
    remaining: usize,
    limit: usize,
    flag: LimitFlag,
    finished: bool,
}

impl Stream for LimitedStream {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.finished {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) if chunk.len() > self.remaining => {
                self.finished = true;
                self.flag.0.store(true, Ordering::Relaxed);
                let message = format!("request body is larger than {} bytes", self.limit);
                Poll::Ready(Some(Err(message.into())))
            }
            Poll::Ready(Some(Ok(chunk))) => {
                self.remaining -= chunk.len();
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(error))) => {
                self.finished = true;
                Poll::Ready(Some(Err(Box::new(error))))
            }
            Poll::Ready(None) => {
                self.finished = true;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
