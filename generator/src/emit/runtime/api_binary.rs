//! Binary bodies, held in memory or streamed.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};

/// The error a streamed body ends with, such as a broken connection or a body over the server's size limit.
pub type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// A stream of body chunks.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, BodyError>> + Send>>;

/// A binary request or response body: bytes in memory, or a stream that is read once, with an optional
/// concrete content type.
///
/// The server hands a request body to the implementation as a stream, so it is never buffered whole, and the
/// client hands a binary response to the caller as a stream too. Clones share one stream, and whichever reads
/// it first gets the chunks.
///
/// The content type is the request's or response's `Content-Type` on the receiving side. On the sending side
/// it is sent when it fits the documented media type, and it is required for a media range such as
/// `image/*`, because a range is not a valid `Content-Type`.
#[derive(Clone)]
pub struct BinaryBody {
    data: Inner,
    content_type: Option<String>,
}

#[derive(Clone)]
enum Inner {
    Bytes(Bytes),
    Stream(Arc<Mutex<Option<BodyStream>>>),
}

impl BinaryBody {
    /// Wraps bytes that are already in memory.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        BinaryBody { data: Inner::Bytes(bytes.into()), content_type: None }
    }

    /// Wraps a stream of chunks, which the client sends without buffering it.
    pub fn from_stream<S, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BodyError>,
    {
        let stream: BodyStream = Box::pin(stream.map(|chunk| chunk.map_err(Into::into)));
        BinaryBody { data: Inner::Stream(Arc::new(Mutex::new(Some(stream)))), content_type: None }
    }

    /// Wraps chunks as a stream, which the client sends without a `Content-Length`.
    pub fn from_chunks<I>(chunks: I) -> Self
    where
        I: IntoIterator<Item = Vec<u8>>,
        I::IntoIter: Send + 'static,
    {
        let chunks = chunks.into_iter().map(|chunk| Ok::<Bytes, BodyError>(Bytes::from(chunk)));
        BinaryBody::from_stream(futures_util::stream::iter(chunks))
    }

    /// Sets the concrete content type, such as `image/png` for a body documented as `image/*`.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Returns the concrete content type, with any parameters, or `None` when it is not known.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// Returns whether the body is a stream that a clone already took, so it cannot be read again.
    pub fn is_consumed(&self) -> bool {
        match &self.data {
            Inner::Bytes(_) => false,
            Inner::Stream(shared) => shared.lock().unwrap_or_else(PoisonError::into_inner).is_none(),
        }
    }

    /// Returns the bytes of a body held in memory, or `None` for a stream.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.data {
            Inner::Bytes(bytes) => Some(bytes),
            Inner::Stream(_) => None,
        }
    }

    /// Returns the body as a stream of chunks. A stream that was already taken yields one error.
    pub fn into_stream(self) -> BodyStream {
        match self.data {
            Inner::Bytes(bytes) => Box::pin(futures_util::stream::once(async move { Ok(bytes) })),
            Inner::Stream(shared) => match shared.lock().unwrap_or_else(PoisonError::into_inner).take() {
                Some(stream) => stream,
                None => {
                    let error: BodyError = "the streamed body was already read".into();
                    Box::pin(futures_util::stream::once(async move { Err(error) }))
                }
            },
        }
    }

    /// Reads the whole body into memory. A stream that fails, or that was already read, is an error.
    pub async fn collect(self) -> Result<Bytes, BodyError> {
        if let Inner::Bytes(bytes) = &self.data {
            return Ok(bytes.clone());
        }
        let mut stream = self.into_stream();
        let mut collected = Vec::new();
        while let Some(chunk) = stream.next().await {
            collected.extend_from_slice(&chunk?);
        }
        Ok(Bytes::from(collected))
    }
}

impl fmt::Debug for BinaryBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.data, &self.content_type) {
            (Inner::Bytes(bytes), None) => write!(f, "BinaryBody({} bytes)", bytes.len()),
            (Inner::Bytes(bytes), Some(content_type)) => write!(f, "BinaryBody({} bytes of {content_type})", bytes.len()),
            (Inner::Stream(_), None) => f.write_str("BinaryBody(<stream>)"),
            (Inner::Stream(_), Some(content_type)) => write!(f, "BinaryBody(<stream> of {content_type})"),
        }
    }
}

/// Bodies in memory are equal when their bytes and content types are, and a stream equals only its own
/// clones with the same content type.
impl PartialEq for BinaryBody {
    fn eq(&self, other: &Self) -> bool {
        let same_data = match (&self.data, &other.data) {
            (Inner::Bytes(left), Inner::Bytes(right)) => left == right,
            (Inner::Stream(left), Inner::Stream(right)) => Arc::ptr_eq(left, right),
            _ => false,
        };
        same_data && self.content_type == other.content_type
    }
}

impl From<Vec<u8>> for BinaryBody {
    fn from(bytes: Vec<u8>) -> Self {
        BinaryBody::from_bytes(bytes)
    }
}

impl From<Bytes> for BinaryBody {
    fn from(bytes: Bytes) -> Self {
        BinaryBody::from_bytes(bytes)
    }
}

impl From<&'static [u8]> for BinaryBody {
    fn from(bytes: &'static [u8]) -> Self {
        BinaryBody::from_bytes(bytes)
    }
}

/// Returns whether a documented media type is a range, `type/*` or `*/*`, rather than one concrete type.
pub fn is_media_range(documented: &str) -> bool {
    essence(documented).ends_with("/*")
}

/// Returns whether the concrete `content_type` is the `documented` media type or lies in its range
/// (`type/*` or `*/*`). Parameters such as `; charset=utf-8` are ignored, and case does not matter.
pub fn media_type_fits(content_type: &str, documented: &str) -> bool {
    let content_type = essence(content_type);
    let documented = essence(documented);
    let Some((top_level, subtype)) = content_type.split_once('/') else { return false };
    if top_level.is_empty() || subtype.is_empty() || top_level == "*" || subtype == "*" {
        return false;
    }
    documented == content_type || documented == "*/*" || documented.strip_suffix("/*") == Some(top_level)
}

/// Returns the media type without parameters, trimmed and in lowercase.
fn essence(media_type: &str) -> String {
    media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Records a violation when a response body for a media range such as `video/*` has no content type within
/// the range, because the server then has no valid `Content-Type` to send. The response check calls it.
// A document without binary responses of a media range does not call it.
#[allow(dead_code)]
pub(crate) fn check_media_type(body: &BinaryBody, documented: &str, violations: &mut Vec<crate::Violation>) {
    let fits = body.content_type().is_some_and(|content_type| media_type_fits(content_type, documented));
    if is_media_range(documented) && !fits {
        let message = format!("a body for `{documented}` needs a content type within that range; set it with `BinaryBody::with_content_type`");
        violations.push(crate::Violation::new(crate::Location::Body(String::new()), message));
    }
}
