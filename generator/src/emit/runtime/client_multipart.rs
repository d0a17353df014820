//! `multipart/form-data` and `multipart/related` bodies on the client: writing requests and reading responses.

// A document may use only some of the helpers below.
#![allow(dead_code)]

use crate::multipart_wire::{Form, PartDecoder, Writer, essence, split};
use crate::runtime::ClientError;

/// Sets the written body as the request body, with its content type and boundary.
pub(crate) fn send(builder: reqwest::RequestBuilder, writer: Writer) -> reqwest::RequestBuilder {
    let (content_type, body) = writer.finish();
    builder.header(reqwest::header::CONTENT_TYPE, content_type).body(body)
}

/// The parts of a multipart response body. Each method decodes a part as [`Form`]'s method of the same
/// name does, and turns a part that breaks the schema into a decode error naming the part.
pub(crate) struct ResponseForm<'a> {
    form: Form,
    status: u16,
    body: &'a [u8],
}

/// Splits a multipart response body, which must be of `media_type`.
pub(crate) fn response_form<'a>(status: u16, headers: &reqwest::header::HeaderMap, body: &'a [u8], media_type: &str) -> Result<ResponseForm<'a>, ClientError> {
    let decode_error = |message: String| ClientError::Decode { status, message, body: body.to_vec() };
    let content_type = headers.get(reqwest::header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or_default();
    if essence(content_type) != essence(media_type) {
        return Err(decode_error(format!("the response content type `{content_type}` is not `{media_type}`")));
    }
    let form = split(content_type, body.to_vec()).map_err(decode_error)?;
    Ok(ResponseForm { form, status, body })
}

impl ResponseForm<'_> {
    pub(crate) fn one<T>(&self, name: &str, decode: PartDecoder<T>) -> Result<T, ClientError> {
        self.form.one(name, decode).map_err(|violation| self.part_error(violation))
    }

    pub(crate) fn optional<T>(&self, name: &str, decode: PartDecoder<T>) -> Result<Option<T>, ClientError> {
        self.form.optional(name, decode).map_err(|violation| self.part_error(violation))
    }

    pub(crate) fn all<T>(&self, name: &str, decode: PartDecoder<T>) -> Result<Vec<T>, ClientError> {
        self.form.all(name, decode).map_err(|violation| self.part_error(violation))
    }

    pub(crate) fn optional_all<T>(&self, name: &str, decode: PartDecoder<T>) -> Result<Option<Vec<T>>, ClientError> {
        self.form.optional_all(name, decode).map_err(|violation| self.part_error(violation))
    }

    fn part_error(&self, violation: crate::Violation) -> ClientError {
        ClientError::Decode { status: self.status, message: format!("invalid multipart part: {violation}"), body: self.body.to_vec() }
    }
}
