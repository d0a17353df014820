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

/// Hands the request body to the implementation as a stream of at most `limit` bytes.
///
/// A `Content-Length` over the limit is rejected at once. A body without a length that grows past it ends
/// with an error and sets `flag`. A body known to be empty is `None`, and a missing required body is a
/// violation.
pub(crate) fn stream_body(headers: &HeaderMap, body: Body, limit: usize, required: bool, flag: &LimitFlag) -> Result<Result<Option<BinaryBody>, Violation>, Rejection> {
    let length = headers.get(header::CONTENT_LENGTH).and_then(|value| value.to_str().ok()).and_then(|text| text.trim().parse::<u64>().ok());
    if length.is_some_and(|length| length > limit as u64) {
        return Err(Rejection::PayloadTooLarge { limit });
    }
    if body.is_end_stream() || length == Some(0) {
        return Ok(if required { Err(missing(Location::Body(String::new()))) } else { Ok(None) });
    }
    let stream = LimitedStream { inner: body.into_data_stream(), remaining: limit, limit, flag: flag.clone(), finished: false };
    Ok(Ok(Some(BinaryBody::from_stream(stream))))
}

/// Takes a body already read into memory as a binary body.
pub(crate) fn bytes_body(bytes: &Bytes, required: bool) -> Result<Result<Option<BinaryBody>, Violation>, Rejection> {
    if bytes.is_empty() {
        return Ok(if required { Err(missing(Location::Body(String::new()))) } else { Ok(None) });
    }
    Ok(Ok(Some(BinaryBody::from_bytes(bytes.clone()))))
}

/// Writes a binary response. A body in memory gets a `Content-Length`, and a stream is sent as it is read.
pub(crate) fn binary_response(status: StatusCode, body: BinaryBody, media_type: &'static str) -> Response {
    let body = match body.as_bytes() {
        Some(bytes) => Body::from(bytes.clone()),
        None => Body::from_stream(body.into_stream()),
    };
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))], body).into_response()
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
