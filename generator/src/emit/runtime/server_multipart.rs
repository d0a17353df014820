//! `multipart/form-data` and `multipart/related` bodies on the server: reading requests and writing responses.

// A document may use only some of the helpers below.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::multipart_wire::{Form, Writer, essence, split};
use crate::runtime::{Rejection, missing};
use crate::{Location, Violation};

/// Splits a multipart request body of `media_type`; an empty body is `None`, and a missing required body is
/// a violation.
pub(crate) fn multipart_body(headers: &HeaderMap, bytes: Bytes, required: bool, media_type: &'static str) -> Result<Result<Option<Form>, Violation>, Rejection> {
    if bytes.is_empty() {
        return Ok(if required { Err(missing(Location::Body(String::new()))) } else { Ok(None) });
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    if essence(content_type) != essence(media_type) {
        return Err(Rejection::UnsupportedMediaType { expected: media_type });
    }
    Ok(split(content_type, bytes.into()).map(Some).map_err(|message| Violation::new(Location::Body(String::new()), message)))
}

/// Writes a multipart response. A part that cannot be encoded is logged, and the response is a 500.
pub(crate) fn multipart_response(status: StatusCode, writer: Result<Writer, String>) -> Response {
    let writer = match writer {
        Ok(writer) => writer,
        Err(error) => {
            tracing::error!(%error, "failed to encode the multipart response body");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let (content_type, body) = writer.finish();
    match HeaderValue::from_str(&content_type) {
        Ok(content_type) => (status, [(header::CONTENT_TYPE, content_type)], body).into_response(),
        Err(_) => {
            tracing::error!(content_type, "the multipart response content type is not valid header text");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
