//! The file part of a multipart body.

/// A file part of a `multipart/form-data` or `multipart/related` body: its bytes with the file name and
/// content type it was sent with.
///
/// The server fills in the file name and content type it received. The client sends them, and falls back
/// to the part name as file name and to the content type of the document's `encoding` when they are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilePart {
    pub bytes: Vec<u8>,
    /// The `filename` parameter of the part's `Content-Disposition`.
    pub file_name: Option<String>,
    /// The part's `Content-Type`.
    pub content_type: Option<String>,
}

impl FilePart {
    /// Creates a file part with a file name and a content type.
    pub fn new(bytes: impl Into<Vec<u8>>, file_name: impl Into<String>, content_type: impl Into<String>) -> Self {
        FilePart { bytes: bytes.into(), file_name: Some(file_name.into()), content_type: Some(content_type.into()) }
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        FilePart { bytes, file_name: None, content_type: None }
    }
}

impl From<&[u8]> for FilePart {
    fn from(bytes: &[u8]) -> Self {
        FilePart::from(bytes.to_vec())
    }
}
