//! `multipart/form-data` and `multipart/related` bodies on the client: writing requests and reading responses.

// A document may use only some of the helpers below.
#![allow(dead_code)]

use crate::multipart_wire::{Form, Writer, essence, split};
use crate::runtime::ClientError;

/// Sets the written body as the request body, with its content type and boundary.
pub(crate) fn send(builder: reqwest::RequestBuilder, writer: Writer) -> reqwest::RequestBuilder {
    let (content_type, body) = writer.finish();
    builder.header(reqwest::header::CONTENT_TYPE, content_type).body(body)
}

/// Splits a multipart response body, which must be of `media_type`.
pub(crate) fn response_form(status: u16, headers: &reqwest::header::HeaderMap, body: &[u8], media_type: &str) -> Result<Form, ClientError> {
    let decode_error = |message: String| ClientError::Decode { status, message, body: body.to_vec() };
    let content_type = headers.get(reqwest::header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    if essence(content_type) != essence(media_type) {
        return Err(decode_error(format!("the response content type `{content_type}` is not `{media_type}`")));
    }
    split(content_type, body.to_vec()).map_err(decode_error)
}

/// Turns a part that breaks the schema into a decode error naming the part.
pub(crate) fn part_error(status: u16, body: &[u8], violation: crate::Violation) -> ClientError {
    ClientError::Decode { status, message: format!("invalid multipart part: {violation}"), body: body.to_vec() }
}
