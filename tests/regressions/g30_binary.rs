//! Raw `application/octet-stream` bodies: bytes that are not UTF-8 travel unchanged in requests and
//! responses, with that content type. A streamed request body reaches the implementation as a stream,
//! within the server's body size limit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_g30_client::{
    BinaryBody, Client, ClientError, G30Api, GetBlobRequest, GetBlobResponse, PutBlobRequest, PutBlobResponse, Server,
};
use fx_g30_server::ServerOptions;

/// Bytes that are not valid UTF-8 and end with a newline.
const NOT_UTF8: [u8; 5] = [0x00, 0xFF, 0xFE, 0x80, 0x0A];

/// Stores blobs by id and records whether each arrived as a stream. `getBlob` of an unknown id panics,
/// because the document has no 404 and no test reads an unknown id.
#[derive(Clone, Default)]
struct Blobs {
    stored: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    streamed: Arc<Mutex<Vec<bool>>>,
}

impl G30Api for Blobs {
    type Error = String;

    async fn put_blob(&self, request: PutBlobRequest) -> Result<PutBlobResponse, String> {
        lock(&self.streamed).push(request.body.as_bytes().is_none());
        let bytes = request.body.collect().await.map_err(|error| format!("failed to read the blob: {error}"))?;
        lock(&self.stored).insert(request.id, bytes.to_vec());
        Ok(PutBlobResponse::NoContent)
    }

    async fn get_blob(&self, request: GetBlobRequest) -> Result<GetBlobResponse, String> {
        let body = lock(&self.stored).get(&request.id).cloned().expect("the test reads a blob it did not store");
        Ok(GetBlobResponse::Ok(body.into()))
    }
}

async fn serve_blobs() -> (String, Blobs) {
    let blobs = Blobs::default();
    let url = serve(fx_g30_server::router(blobs.clone())).await;
    (url, blobs)
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

#[tokio::test]
async fn client_sends_raw_octet_stream() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(204)).await;

    let request = PutBlobRequest { id: "b1".to_owned(), body: NOT_UTF8.to_vec().into() };
    let response = client(&url).put_blob(request).await.expect("the call failed");

    assert_eq!(response, PutBlobResponse::NoContent);
    let sent = recorder.single();
    assert_eq!(sent.body, NOT_UTF8);
    assert_eq!(sent.header("content-type"), Some("application/octet-stream"));
}

#[tokio::test]
async fn server_passes_raw_bytes() {
    let (url, blobs) = serve_blobs().await;

    let response = reqwest::Client::new()
        .put(format!("{url}/blobs/b1"))
        .header("content-type", "application/octet-stream")
        .body(NOT_UTF8.to_vec())
        .send()
        .await
        .expect("the request failed");

    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(lock(&blobs.stored).get("b1"), Some(&NOT_UTF8.to_vec()));
}

#[tokio::test]
async fn server_returns_raw_bytes() {
    let (url, blobs) = serve_blobs().await;
    lock(&blobs.stored).insert("b1".to_owned(), NOT_UTF8.to_vec());

    let response = reqwest::get(format!("{url}/blobs/b1")).await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers().get("content-type").map(|value| value.as_bytes().to_vec());
    assert_eq!(content_type.as_deref(), Some(&b"application/octet-stream"[..]));
    assert_eq!(response.bytes().await.expect("failed to read the body").to_vec(), NOT_UTF8);
}

#[tokio::test]
async fn client_reads_raw_bytes() {
    let (url, _recorder) = serve_recorder(CannedResponse::new(200, Some("application/octet-stream"), NOT_UTF8)).await;

    let response = client(&url).get_blob(GetBlobRequest { id: "b1".to_owned() }).await.expect("the call failed");

    let GetBlobResponse::Ok(body) = response;
    assert_eq!(body.content_type(), Some("application/octet-stream"));
    assert_eq!(body.collect().await.expect("failed to read the body").to_vec(), NOT_UTF8);
}

#[tokio::test]
async fn bytes_round_trip_through_client() {
    let (url, _blobs) = serve_blobs().await;
    let client = client(&url);
    let every_byte: Vec<u8> = (0..=255).collect();

    client.put_blob(PutBlobRequest { id: "b1".to_owned(), body: NOT_UTF8.to_vec().into() }).await.expect("put failed");
    client.put_blob(PutBlobRequest { id: "b2".to_owned(), body: every_byte.clone().into() }).await.expect("put failed");
    let GetBlobResponse::Ok(first) = client.get_blob(GetBlobRequest { id: "b1".to_owned() }).await.expect("get failed");
    let GetBlobResponse::Ok(second) =
        client.get_blob(GetBlobRequest { id: "b2".to_owned() }).await.expect("get failed");

    assert_eq!(first.collect().await.expect("failed to read the first blob").to_vec(), NOT_UTF8);
    assert_eq!(second.collect().await.expect("failed to read the second blob").to_vec(), every_byte);
}

/// Three chunks that make [`NOT_UTF8`] followed by `tail`.
fn chunks(tail: &[u8]) -> BinaryBody {
    BinaryBody::from_chunks(vec![NOT_UTF8[..2].to_vec(), NOT_UTF8[2..].to_vec(), tail.to_vec()])
}

#[tokio::test]
async fn client_streams_chunked_body() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(204)).await;

    let request = PutBlobRequest { id: "b1".to_owned(), body: chunks(b"end") };
    client(&url).put_blob(request).await.expect("the call failed");

    let sent = recorder.single();
    assert_eq!(sent.body, [&NOT_UTF8[..], b"end"].concat());
    assert_eq!(sent.header("transfer-encoding"), Some("chunked"));
    assert_eq!(sent.header("content-length"), None);
}

#[tokio::test]
async fn server_streams_body_to_implementation() {
    let (url, blobs) = serve_blobs().await;

    let request = PutBlobRequest { id: "b1".to_owned(), body: chunks(b"end") };
    client(&url).put_blob(request).await.expect("the call failed");

    assert_eq!(*lock(&blobs.streamed), vec![true]);
    assert_eq!(lock(&blobs.stored).get("b1"), Some(&[&NOT_UTF8[..], b"end"].concat()));
}

/// Serves blobs with a body size limit of 8 bytes.
async fn serve_small_blobs() -> (String, Blobs) {
    let blobs = Blobs::default();
    let options = ServerOptions { body_limit: 8, ..ServerOptions::default() };
    let url = serve(fx_g30_server::router_with(blobs.clone(), options)).await;
    (url, blobs)
}

#[tokio::test]
async fn oversized_length_rejected() {
    let (url, blobs) = serve_small_blobs().await;

    let response = reqwest::Client::new()
        .put(format!("{url}/blobs/b1"))
        .header("content-type", "application/octet-stream")
        .body(vec![0u8; 9])
        .send()
        .await
        .expect("the request failed");

    assert_eq!(response.status().as_u16(), 413);
    assert!(lock(&blobs.streamed).is_empty(), "the implementation was called");
}

#[tokio::test]
async fn oversized_stream_rejected() {
    let (url, blobs) = serve_small_blobs().await;

    let request = PutBlobRequest { id: "b1".to_owned(), body: chunks(b"past the limit") };
    let outcome = client(&url).put_blob(request).await;

    match outcome {
        Err(ClientError::UnexpectedStatus { status, .. }) => assert_eq!(status, 413),
        other => panic!("expected a 413 response, got {other:?}"),
    }
    assert!(lock(&blobs.stored).is_empty(), "the implementation stored {:?}", lock(&blobs.stored));
}

#[tokio::test]
async fn stream_within_limit_accepted() {
    let (url, blobs) = serve_small_blobs().await;

    let request = PutBlobRequest { id: "b1".to_owned(), body: chunks(b"ok") };
    client(&url).put_blob(request).await.expect("the call failed");

    assert_eq!(lock(&blobs.stored).get("b1"), Some(&[&NOT_UTF8[..], b"ok"].concat()));
}
