//! Building `multipart/form-data` request bodies.

// A document may use only some of the part kinds below.
#![allow(dead_code)]

use reqwest::multipart::Part;

use crate::runtime::{ClientError, encode_json};

/// A multipart body being built, one part at a time.
pub(crate) struct Form(reqwest::multipart::Form);

impl Form {
    pub(crate) fn new() -> Self {
        Form(reqwest::multipart::Form::new())
    }

    /// Adds a text part without a content type.
    pub(crate) fn text(self, name: &'static str, value: String) -> Self {
        Form(self.0.text(name, value))
    }

    /// Adds a file part named after the part, because the schema names no file.
    pub(crate) fn file(self, name: &'static str, bytes: &[u8], content_type: &str) -> Result<Self, ClientError> {
        let part = Part::bytes(bytes.to_vec()).file_name(name);
        self.add(name, part, content_type)
    }

    /// Adds a part with the JSON encoding of `value`.
    pub(crate) fn json<T: serde::Serialize>(self, name: &'static str, value: &T, content_type: &str) -> Result<Self, ClientError> {
        let part = Part::bytes(encode_json(value)?);
        self.add(name, part, content_type)
    }

    fn add(self, name: &'static str, part: Part, content_type: &str) -> Result<Self, ClientError> {
        let part = part.mime_str(content_type).map_err(|error| ClientError::Encode(format!("part `{name}`: {error}")))?;
        Ok(Form(self.0.part(name, part)))
    }

    /// Sets the form as the request body, with its `multipart/form-data` content type and boundary.
    pub(crate) fn send(self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        builder.multipart(self.0)
    }
}
