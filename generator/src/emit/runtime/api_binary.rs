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

/// A binary request or response body: bytes in memory, or a stream that is read once.
///
/// The server hands a request body to the implementation as a stream, so it is never buffered whole. Clones
/// share one stream, and whichever reads it first gets the chunks.
#[derive(Clone)]
pub struct BinaryBody(Inner);

#[derive(Clone)]
enum Inner {
    Bytes(Bytes),
    Stream(Arc<Mutex<Option<BodyStream>>>),
}

impl BinaryBody {
    /// Wraps bytes that are already in memory.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        BinaryBody(Inner::Bytes(bytes.into()))
    }

    /// Wraps a stream of chunks, which the client sends without buffering it.
    pub fn from_stream<S, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BodyError>,
    {
        let stream: BodyStream = Box::pin(stream.map(|chunk| chunk.map_err(Into::into)));
        BinaryBody(Inner::Stream(Arc::new(Mutex::new(Some(stream)))))
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

    /// Returns the bytes of a body held in memory, or `None` for a stream.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.0 {
            Inner::Bytes(bytes) => Some(bytes),
            Inner::Stream(_) => None,
        }
    }

    /// Returns the body as a stream of chunks. A stream that was already taken yields one error.
    pub fn into_stream(self) -> BodyStream {
        match self.0 {
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
        if let Inner::Bytes(bytes) = &self.0 {
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
        match &self.0 {
            Inner::Bytes(bytes) => write!(f, "BinaryBody({} bytes)", bytes.len()),
            Inner::Stream(_) => f.write_str("BinaryBody(<stream>)"),
        }
    }
}

/// Bodies in memory are equal when their bytes are, and a stream equals only its own clones.
impl PartialEq for BinaryBody {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Inner::Bytes(left), Inner::Bytes(right)) => left == right,
            (Inner::Stream(left), Inner::Stream(right)) => Arc::ptr_eq(left, right),
            _ => false,
        }
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
