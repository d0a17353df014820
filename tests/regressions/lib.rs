//! Helpers shared by the behaviour tests of the regression documents.
//!
//! The harness in `tests/tests/compile_fixtures.rs` copies this file to `src/lib.rs` of the scratch crate
//! `fx-behaviour`, and every other file of this folder to its `tests/`.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Serves `router` on an ephemeral port of 127.0.0.1 in a background task and returns its base URL,
/// such as `http://127.0.0.1:40123`.
///
/// The task runs until the tokio runtime of the calling test shuts down.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("failed to bind 127.0.0.1:0");
    let address = listener.local_addr().expect("failed to read the address of the test listener");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("the test server stopped with an error");
    });
    format!("http://{address}")
}

/// One request as a recording server received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// The request target exactly as sent, such as `/documents/a%2Fb?label=x`.
    pub target: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// Returns the query string as sent, or an empty string when the target has none.
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, query)| query)
    }

    /// Returns the value of header `name` as text, or `None` when the request lacks it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().expect("a recorded header value is not visible ASCII"))
    }
}

/// The response that a recording server sends to every request.
#[derive(Debug, Clone)]
pub struct CannedResponse {
    pub status: u16,
    pub content_type: Option<&'static str>,
    /// Headers other than `Content-Type`, as name and value.
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Vec<u8>,
}

impl CannedResponse {
    pub fn new(status: u16, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> Self {
        CannedResponse { status, content_type, headers: Vec::new(), body: body.into() }
    }

    /// Adds the header `name: value`.
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Creates a response with `status` and no body.
    pub fn empty(status: u16) -> Self {
        CannedResponse::new(status, None, Vec::new())
    }

    /// Creates a response with `status` and the JSON text `body`.
    pub fn json(status: u16, body: &str) -> Self {
        CannedResponse::new(status, Some("application/json"), body)
    }

    fn to_response(&self) -> Response {
        let status = StatusCode::from_u16(self.status).expect("the canned status is not a valid HTTP status");
        let mut response = (status, Bytes::from(self.body.clone())).into_response();
        if let Some(content_type) = self.content_type {
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        for (name, value) in &self.headers {
            response.headers_mut().insert(*name, HeaderValue::from_static(value));
        }
        response
    }
}

/// The requests that a recording server received, in order.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
}

impl Recorder {
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Returns the only request received, failing the test when there was not exactly one.
    pub fn single(&self) -> RecordedRequest {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "expected exactly one request, got {requests:#?}");
        requests.into_iter().next().expect("one request is present")
    }
}

/// Serves a router on 127.0.0.1 that records every request and responds to it with `response`.
///
/// It replaces a generated server when a test checks what a generated client puts on the wire.
/// Returns the base URL and the recorder.
pub async fn serve_recorder(response: CannedResponse) -> (String, Recorder) {
    let recorder = Recorder::default();
    let requests = recorder.requests.clone();
    let handler = move |request: Request| {
        let requests = requests.clone();
        let response = response.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.expect("failed to read a recorded request body");
            let target = parts.uri.path_and_query().map(ToString::to_string).unwrap_or_default();
            requests.lock().unwrap_or_else(PoisonError::into_inner).push(RecordedRequest {
                method: parts.method.to_string(),
                target,
                headers: parts.headers,
                body: body.to_vec(),
            });
            response.to_response()
        }
    };
    let url = serve(axum::Router::new().fallback(handler)).await;
    (url, recorder)
}

/// Locks `mutex`, ignoring poisoning: a panicking handler fails its own test anyway.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One part of a `multipart/form-data` body that a test sends.
#[derive(Debug, Clone, Copy)]
pub struct FormPart<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// Boundary of the multipart bodies that [`encode_multipart`] writes; no test part contains it.
const BOUNDARY: &str = "fx-behaviour-boundary-7MA4YWxkTrZu0gW";

/// Encodes `parts` as a `multipart/form-data` body (RFC 7578) and returns its `Content-Type` and bytes.
pub fn encode_multipart(parts: &[FormPart<'_>]) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(file_name) = part.file_name {
            disposition.push_str(&format!("; filename=\"{file_name}\""));
        }
        body.extend_from_slice(format!("{disposition}\r\n").as_bytes());
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.body);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// One part of a `multipart/form-data` body that a recording server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedPart {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Splits a `multipart/form-data` body into its parts, failing the test when it is malformed.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Vec<ReceivedPart> {
    let (essence, parameters) = content_type.split_once(';').expect("the content type has no boundary parameter");
    assert_eq!(essence.trim(), "multipart/form-data", "unexpected content type {content_type}");
    let boundary = parameters
        .split(';')
        .filter_map(|parameter| parameter.trim().strip_prefix("boundary="))
        .next()
        .expect("the content type has no boundary parameter")
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    rest = &rest[find(rest, delimiter.as_bytes()).expect("the body has no first boundary") + delimiter.len()..];
    while !rest.starts_with(b"--") {
        rest = rest.strip_prefix(b"\r\n").expect("a boundary is not followed by CRLF");
        let end = find(rest, format!("\r\n{delimiter}").as_bytes()).expect("a part has no closing boundary");
        let (part, next) = rest.split_at(end);
        rest = &next[2 + delimiter.len()..];
        let header_end = find(part, b"\r\n\r\n").expect("a part has no blank line after its headers");
        let headers = std::str::from_utf8(&part[..header_end]).expect("part headers are not UTF-8");
        let mut received = ReceivedPart {
            name: String::new(),
            file_name: None,
            content_type: None,
            body: part[header_end + 4..].to_vec(),
        };
        for line in headers.split("\r\n") {
            let (name, value) = line.split_once(':').expect("a part header has no colon");
            if name.eq_ignore_ascii_case("content-type") {
                received.content_type = Some(value.trim().to_owned());
            } else if name.eq_ignore_ascii_case("content-disposition") {
                for parameter in value.split(';').map(str::trim) {
                    if let Some(part_name) = parameter.strip_prefix("name=") {
                        received.name = part_name.trim_matches('"').to_owned();
                    } else if let Some(file_name) = parameter.strip_prefix("filename=") {
                        received.file_name = Some(file_name.trim_matches('"').to_owned());
                    }
                }
            }
        }
        parts.push(received);
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}
