//! Binary bodies streamed both ways. The client hands a binary response over while the server is still
//! writing it. The server hands the binary variant of a body of several media types to the implementation
//! before the client has sent all of it. The concrete content type of a media range such as `image/*`
//! travels with the body, and the retry policy does not send a streamed request body twice.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_streaming_client::{
    BinaryBody, Busy, Client, ClientError, ConvertRequest, ConvertResponse, DownloadFileRequest, DownloadFileResponse,
    Error, GetPreviewMediaType, GetPreviewOkBody, GetPreviewRequest, GetPreviewResponse, Link, MultipleMediaBody,
    MultipleMediaMediaType, MultipleMediaOkBody, MultipleMediaRequest, MultipleMediaResponse, RetryPolicy, Server,
    StoreAnythingBody, StoreAnythingMediaType, StoreAnythingOkBody, StoreAnythingRequest, StoreAnythingResponse,
    Stored, StreamingApi, UnknownMediaRequest, UnknownMediaResponse, UploadFileBody, UploadFileRequest,
    UploadFileResponse,
};
use fx_streaming_server::ServerOptions;
use tokio::sync::oneshot;

/// The size of each of the two chunks of a download: large enough that the client cannot get the whole
/// body in one read.
const CHUNK: usize = 256 * 1024;
/// The first bytes of every PNG file.
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// The time limit of a test that waits on the other side of a stream, which a side that buffers exceeds.
const WAIT: Duration = Duration::from_secs(10);

/// One upload as the implementation received it.
#[derive(Debug, Clone, PartialEq)]
struct Upload {
    streamed: bool,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

#[derive(Clone, Default)]
struct Store {
    /// Awaited by the download stream between its two chunks.
    download_gate: Arc<Mutex<Option<oneshot::Receiver<()>>>>,
    /// Fired by `uploadFile` once it has read the first chunk of a PNG.
    first_chunk_read: Arc<Mutex<Option<oneshot::Sender<()>>>>,
    /// How many more uploads get a 503 before one succeeds.
    busy: Arc<AtomicUsize>,
    uploads: Arc<Mutex<Vec<Upload>>>,
    /// The content type of each body `convert` received.
    converted: Arc<Mutex<Vec<Option<String>>>>,
}

impl Store {
    /// Reads a PNG body chunk by chunk and fires `first_chunk_read` after the first one.
    async fn read_png(&self, body: BinaryBody) -> Result<Upload, String> {
        let streamed = body.as_bytes().is_none();
        let content_type = body.content_type().map(str::to_owned);
        let mut stream = body.into_stream();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            bytes.extend_from_slice(&chunk.map_err(|error| format!("failed to read the upload: {error}"))?);
            if let Some(signal) = lock(&self.first_chunk_read).take() {
                let _ = signal.send(());
            }
        }
        Ok(Upload { streamed, content_type, bytes })
    }
}

impl StreamingApi for Store {
    type Error = String;

    async fn download_file(&self, request: DownloadFileRequest) -> Result<DownloadFileResponse, String> {
        if request.name == "missing" {
            return Ok(DownloadFileResponse::NotFound(Error { code: 404, message: "no such file".to_owned() }));
        }
        let gate = lock(&self.download_gate).take();
        let first = futures_util::stream::once(async { Ok::<_, std::io::Error>(vec![1u8; CHUNK]) });
        let second = futures_util::stream::once(async move {
            if let Some(gate) = gate {
                let _ = gate.await;
            }
            Ok(vec![2u8; CHUNK])
        });
        Ok(DownloadFileResponse::Ok(BinaryBody::from_stream(first.chain(second).map(|chunk| chunk.map(Into::into)))))
    }

    async fn upload_file(&self, request: UploadFileRequest) -> Result<UploadFileResponse, String> {
        let upload = match request.body {
            UploadFileBody::Png(body) => self.read_png(body).await?,
            UploadFileBody::Json(link) => Upload { streamed: false, content_type: None, bytes: link.url.into_bytes() },
            UploadFileBody::Text(text) => Upload { streamed: false, content_type: None, bytes: text.into_bytes() },
        };
        let stored = Stored {
            size: upload.bytes.len() as i64,
            streamed: upload.streamed,
            content_type: upload.content_type.clone(),
        };
        lock(&self.uploads).push(upload);
        let busy = self.busy.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1)).is_ok();
        if busy {
            return Ok(UploadFileResponse::ServiceUnavailable(Busy { retry_after: 0 }));
        }
        Ok(UploadFileResponse::Ok(stored))
    }

    async fn get_preview(&self, request: GetPreviewRequest) -> Result<GetPreviewResponse, String> {
        let body = match request.accept {
            GetPreviewMediaType::Png => GetPreviewOkBody::Png(BinaryBody::from_chunks(vec![PNG_SIGNATURE.to_vec()])),
            GetPreviewMediaType::Json => {
                GetPreviewOkBody::Json(Stored { size: 8, streamed: false, content_type: None })
            }
        };
        Ok(GetPreviewResponse::Ok(body))
    }

    /// Responds to `image/png` with `video/mp4`, `image/gif` with no content type, and anything else with
    /// `text/plain`, which does not fit `video/*`.
    async fn convert(&self, request: ConvertRequest) -> Result<ConvertResponse, String> {
        let content_type = request.body.content_type().map(str::to_owned);
        lock(&self.converted).push(content_type.clone());
        let bytes = request.body.collect().await.map_err(|error| format!("failed to read the image: {error}"))?;
        let video = BinaryBody::from_bytes(bytes);
        let video = match content_type.as_deref() {
            Some("image/png") => video.with_content_type("video/mp4"),
            Some("image/gif") => video,
            _ => video.with_content_type("text/plain"),
        };
        Ok(ConvertResponse::Ok(video))
    }

    async fn unknown_media(&self, request: UnknownMediaRequest) -> Result<UnknownMediaResponse, String> {
        let bytes = match request.body {
            Some(body) => body.collect().await.map_err(|error| format!("failed to read the body: {error}"))?.to_vec(),
            None => Vec::new(),
        };
        Ok(UnknownMediaResponse::Ok(BinaryBody::from_bytes(bytes)))
    }

    async fn multiple_media(&self, request: MultipleMediaRequest) -> Result<MultipleMediaResponse, String> {
        let body = match (request.body, request.accept) {
            (Some(MultipleMediaBody::Png(body)), MultipleMediaMediaType::Png) => MultipleMediaOkBody::Png(body),
            (Some(MultipleMediaBody::Json(link)), _) => MultipleMediaOkBody::Json(link),
            _ => MultipleMediaOkBody::Text("unexpected body".to_owned()),
        };
        Ok(MultipleMediaResponse::Ok(body))
    }

    /// Echoes an image body when the request accepts an image, and otherwise names the variant that received
    /// the body, with its content type or URL.
    async fn store_anything(&self, request: StoreAnythingRequest) -> Result<StoreAnythingResponse, String> {
        let body = match (request.body, request.accept) {
            (StoreAnythingBody::Image(image), StoreAnythingMediaType::Image) => StoreAnythingOkBody::Image(image),
            (StoreAnythingBody::Image(image), StoreAnythingMediaType::Text) => {
                StoreAnythingOkBody::Text(format!("image {}", image.content_type().unwrap_or_default()))
            }
            (StoreAnythingBody::Any(any), _) => StoreAnythingOkBody::Text(format!("any {}", any.content_type().unwrap_or_default())),
            (StoreAnythingBody::Json(link), _) => StoreAnythingOkBody::Text(format!("json {}", link.url)),
        };
        Ok(StoreAnythingResponse::Ok(body))
    }
}

async fn serve_store() -> (String, Store) {
    let store = Store::default();
    let url = serve(fx_streaming_server::router(store.clone())).await;
    (url, store)
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

/// Builds a PNG body of two chunks, and sends the second only once `gate` fires.
fn gated_png(gate: oneshot::Receiver<()>) -> BinaryBody {
    let first = futures_util::stream::once(async { Ok::<_, std::io::Error>(PNG_SIGNATURE.to_vec()) });
    let second = futures_util::stream::once(async move {
        let _ = gate.await;
        Ok(b"IHDR".to_vec())
    });
    BinaryBody::from_stream(first.chain(second).map(|chunk| chunk.map(Into::into)))
}

fn upload(body: UploadFileBody) -> UploadFileRequest {
    UploadFileRequest { name: "picture".to_owned(), body }
}

#[tokio::test]
async fn download_streams_before_server_finishes() {
    let (url, store) = serve_store().await;
    let (open_gate, gate) = oneshot::channel();
    *lock(&store.download_gate) = Some(gate);

    // The server's second chunk waits for the gate, so a client that reads the whole body first never returns.
    let client = client(&url);
    let call = client.download_file(DownloadFileRequest { name: "video".to_owned() });
    let response =
        tokio::time::timeout(WAIT, call).await.expect("the client waited for the whole body").expect("the call failed");
    let DownloadFileResponse::Ok(body) = response else { panic!("expected the file, got {response:?}") };
    assert!(body.as_bytes().is_none(), "the body was read into memory");
    assert_eq!(body.content_type(), Some("application/octet-stream"));

    let mut stream = body.into_stream();
    let mut received = Vec::new();
    let mut chunks = 0;
    while received.len() < CHUNK {
        let chunk = tokio::time::timeout(WAIT, stream.next()).await.expect("the first chunk did not arrive");
        received.extend_from_slice(&chunk.expect("the body ended early").expect("failed to read a chunk"));
        chunks += 1;
    }
    open_gate.send(()).expect("the server dropped the download stream");
    while let Some(chunk) = tokio::time::timeout(WAIT, stream.next()).await.expect("the second chunk did not arrive") {
        received.extend_from_slice(&chunk.expect("failed to read a chunk"));
        chunks += 1;
    }

    assert!(chunks >= 2, "the body arrived in {chunks} chunk");
    assert_eq!(received.len(), 2 * CHUNK);
    assert!(received[..CHUNK].iter().all(|byte| *byte == 1));
    assert!(received[CHUNK..].iter().all(|byte| *byte == 2));
}

#[tokio::test]
async fn download_error_read_as_json() {
    let (url, _store) = serve_store().await;

    let response =
        client(&url).download_file(DownloadFileRequest { name: "missing".to_owned() }).await.expect("the call failed");

    assert_eq!(response, DownloadFileResponse::NotFound(Error { code: 404, message: "no such file".to_owned() }));
}

#[tokio::test]
async fn preview_png_variant_streamed() {
    let (url, _store) = serve_store().await;

    let request = GetPreviewRequest { name: "picture".to_owned(), accept: GetPreviewMediaType::Png };
    let response = client(&url).get_preview(request).await.expect("the call failed");

    let GetPreviewResponse::Ok(GetPreviewOkBody::Png(body)) = response else {
        panic!("expected a PNG, got {response:?}")
    };
    assert!(body.as_bytes().is_none(), "the body was read into memory");
    assert_eq!(body.content_type(), Some("image/png"));
    assert_eq!(body.collect().await.expect("failed to read the preview").to_vec(), PNG_SIGNATURE);
}

#[tokio::test]
async fn preview_json_variant_read() {
    let (url, _store) = serve_store().await;

    let request = GetPreviewRequest { name: "picture".to_owned(), accept: GetPreviewMediaType::Json };
    let response = client(&url).get_preview(request).await.expect("the call failed");

    let expected = Stored { size: 8, streamed: false, content_type: None };
    assert_eq!(response, GetPreviewResponse::Ok(GetPreviewOkBody::Json(expected)));
}

#[tokio::test]
async fn png_variant_streams_to_implementation() {
    let (url, store) = serve_store().await;
    let (signal, first_chunk_read) = oneshot::channel();
    *lock(&store.first_chunk_read) = Some(signal);

    // The body's second chunk waits until the implementation has read the first one, so a server that
    // reads the whole body before calling the implementation never responds.
    let client = client(&url);
    let call = client.upload_file(upload(UploadFileBody::Png(gated_png(first_chunk_read))));
    let response =
        tokio::time::timeout(WAIT, call).await.expect("the server waited for the whole body").expect("the call failed");

    let expected = Stored { size: 12, streamed: true, content_type: Some("image/png".to_owned()) };
    assert_eq!(response, UploadFileResponse::Ok(expected));
    assert_eq!(lock(&store.uploads)[0].bytes, [&PNG_SIGNATURE[..], b"IHDR"].concat());
}

#[tokio::test]
async fn json_and_text_variants_read_whole() {
    let (url, store) = serve_store().await;
    let client = client(&url);

    let json = client.upload_file(upload(UploadFileBody::Json(Link { url: "https://example.com/a".to_owned() }))).await;
    let text = client.upload_file(upload(UploadFileBody::Text("plain".to_owned()))).await;

    assert_eq!(
        json.expect("the JSON call failed"),
        UploadFileResponse::Ok(Stored { size: 21, streamed: false, content_type: None })
    );
    assert_eq!(
        text.expect("the text call failed"),
        UploadFileResponse::Ok(Stored { size: 5, streamed: false, content_type: None })
    );
    assert_eq!(lock(&store.uploads).len(), 2);
}

/// Sends `body` as `content_type` to `PUT /files/picture` and returns the status.
async fn put_raw(url: &str, content_type: &str, body: Vec<u8>) -> u16 {
    let response = reqwest::Client::new()
        .put(format!("{url}/files/picture"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the request failed");
    response.status().as_u16()
}

#[tokio::test]
async fn unlisted_upload_type_rejected() {
    let (url, store) = serve_store().await;

    let status = put_raw(&url, "application/pdf", b"%PDF".to_vec()).await;

    assert_eq!(status, 415);
    assert!(lock(&store.uploads).is_empty(), "the implementation was called");
}

#[tokio::test]
async fn upload_limit_applies_to_every_variant() {
    let store = Store::default();
    let options = ServerOptions { body_limit: 8, ..ServerOptions::default() };
    let url = serve(fx_streaming_server::router_with(store.clone(), options)).await;

    let png = put_raw(&url, "image/png", vec![0u8; 9]).await;
    let json = put_raw(&url, "application/json", br#"{"url":"https://example.com"}"#.to_vec()).await;
    let chunks = BinaryBody::from_chunks(vec![PNG_SIGNATURE.to_vec(), b"past the limit".to_vec()]);
    let streamed = client(&url).upload_file(upload(UploadFileBody::Png(chunks))).await;

    assert_eq!(png, 413);
    assert_eq!(json, 413);
    match streamed {
        Err(ClientError::UnexpectedStatus { status, .. }) => assert_eq!(status, 413),
        other => panic!("expected a 413 response, got {other:?}"),
    }
}

#[tokio::test]
async fn wildcard_types_round_trip() {
    let (url, store) = serve_store().await;

    let image = BinaryBody::from_bytes(PNG_SIGNATURE.to_vec()).with_content_type("image/png");
    let response = client(&url).convert(ConvertRequest { body: image }).await.expect("the call failed");

    assert_eq!(*lock(&store.converted), vec![Some("image/png".to_owned())]);
    let ConvertResponse::Ok(video) = response else { panic!("expected a video, got {response:?}") };
    assert_eq!(video.content_type(), Some("video/mp4"));
    assert_eq!(video.collect().await.expect("failed to read the video").to_vec(), PNG_SIGNATURE);
}

/// Posts `body` as `content_type`, if given, to `/convert` and returns the status and the response's
/// `Content-Type`.
async fn post_convert(url: &str, content_type: Option<&str>) -> (u16, Option<String>) {
    let mut request = reqwest::Client::new().post(format!("{url}/convert")).body(PNG_SIGNATURE.to_vec());
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.expect("the request failed");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().expect("the content type is not text").to_owned());
    (response.status().as_u16(), content_type)
}

#[tokio::test]
async fn wildcard_response_without_fitting_type() {
    // The response check refuses such a response, so this is what a release build sends.
    let options = ServerOptions { check_responses: false, ..ServerOptions::default() };
    let url = serve(fx_streaming_server::router_with(Store::default(), options)).await;

    let unknown = post_convert(&url, Some("image/gif")).await;
    let outside = post_convert(&url, Some("image/bmp")).await;
    let through_client = client(&url)
        .convert(ConvertRequest { body: BinaryBody::from_bytes(PNG_SIGNATURE.to_vec()).with_content_type("image/gif") })
        .await
        .expect("the call failed");

    assert_eq!(unknown, (200, None));
    assert_eq!(outside, (200, None));
    let ConvertResponse::Ok(video) = through_client else { panic!("expected a video, got {through_client:?}") };
    assert_eq!(video.content_type(), None);
}

#[tokio::test]
async fn request_outside_wildcard_rejected() {
    let (url, store) = serve_store().await;

    let text = post_convert(&url, Some("text/plain")).await;
    let missing = post_convert(&url, None).await;

    assert_eq!(text.0, 415);
    assert_eq!(missing.0, 415);
    assert!(lock(&store.converted).is_empty(), "the implementation was called");
}

#[tokio::test]
async fn client_rejects_wildcard_body_without_type() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(200)).await;
    let client = client(&url);

    let untyped = client.convert(ConvertRequest { body: BinaryBody::from_bytes(PNG_SIGNATURE.to_vec()) }).await;
    let outside = client
        .convert(ConvertRequest {
            body: BinaryBody::from_bytes(PNG_SIGNATURE.to_vec()).with_content_type("text/plain"),
        })
        .await;

    assert!(matches!(untyped, Err(ClientError::Encode(_))), "got {untyped:?}");
    assert!(matches!(outside, Err(ClientError::Encode(_))), "got {outside:?}");
    assert!(recorder.requests().is_empty(), "the client sent {:?}", recorder.requests());
}

#[tokio::test]
async fn client_sends_documented_type_when_body_type_differs() {
    let (url, recorder) = serve_recorder(CannedResponse::json(200, r#"{"size":8,"streamed":false}"#)).await;
    let client = client(&url);

    let jpeg = BinaryBody::from_bytes(PNG_SIGNATURE.to_vec()).with_content_type("image/jpeg");
    client.upload_file(upload(UploadFileBody::Png(jpeg))).await.expect("the call failed");
    let with_parameter = BinaryBody::from_bytes(PNG_SIGNATURE.to_vec()).with_content_type("image/png; name=a");
    client.upload_file(upload(UploadFileBody::Png(with_parameter))).await.expect("the call failed");

    let sent = recorder.requests();
    assert_eq!(sent[0].header("content-type"), Some("image/png"));
    assert_eq!(sent[1].header("content-type"), Some("image/png; name=a"));
}

fn retrying_client(url: &str) -> Client {
    let policy =
        RetryPolicy { max_retries: 2, initial_backoff: Duration::from_millis(1), max_delay: Duration::from_secs(1) };
    Client::builder().server_url(Server::Default, url).retry(policy).build()
}

#[tokio::test]
async fn body_in_memory_sent_again() {
    let (url, store) = serve_store().await;
    store.busy.store(1, Ordering::SeqCst);

    let body = BinaryBody::from_bytes(PNG_SIGNATURE.to_vec());
    let response = retrying_client(&url).upload_file(upload(UploadFileBody::Png(body))).await.expect("the call failed");

    assert_eq!(
        response,
        UploadFileResponse::Ok(Stored { size: 8, streamed: true, content_type: Some("image/png".to_owned()) })
    );
    let uploads = lock(&store.uploads);
    assert_eq!(uploads.len(), 2);
    assert_eq!(uploads[0].bytes, PNG_SIGNATURE);
    assert_eq!(uploads[1].bytes, PNG_SIGNATURE);
}

#[tokio::test]
async fn streamed_body_not_sent_again() {
    let (url, store) = serve_store().await;
    store.busy.store(1, Ordering::SeqCst);

    let body = BinaryBody::from_chunks(vec![PNG_SIGNATURE.to_vec(), b"IHDR".to_vec()]);
    let response = retrying_client(&url).upload_file(upload(UploadFileBody::Png(body))).await.expect("the call failed");

    assert_eq!(response, UploadFileResponse::ServiceUnavailable(Busy { retry_after: 0 }));
    assert_eq!(lock(&store.uploads).len(), 1);
}

#[tokio::test]
async fn consumed_stream_rejected_before_sending() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(200)).await;
    let body = BinaryBody::from_chunks(vec![PNG_SIGNATURE.to_vec()]);
    body.clone().collect().await.expect("failed to read the stream");

    let outcome = client(&url).upload_file(upload(UploadFileBody::Png(body))).await;

    assert!(matches!(outcome, Err(ClientError::StreamConsumed)), "got {outcome:?}");
    assert!(recorder.requests().is_empty(), "the client sent {:?}", recorder.requests());
}

#[tokio::test]
async fn every_media_kind_on_one_operation() {
    let (url, _store) = serve_store().await;
    let client = client(&url);

    let png = BinaryBody::from_chunks(vec![PNG_SIGNATURE.to_vec()]);
    let request = MultipleMediaRequest { body: Some(MultipleMediaBody::Png(png)), accept: MultipleMediaMediaType::Png };
    let response = client.multiple_media(request).await.expect("the PNG call failed");
    let link = Link { url: "https://example.com/b".to_owned() };
    let request = MultipleMediaRequest {
        body: Some(MultipleMediaBody::Json(link.clone())),
        accept: MultipleMediaMediaType::Json,
    };
    let json = client.multiple_media(request).await.expect("the JSON call failed");
    let unknown = client
        .unknown_media(UnknownMediaRequest { body: Some(BinaryBody::from_bytes(PNG_SIGNATURE.to_vec())) })
        .await
        .expect("the call of unknownMedia failed");

    let MultipleMediaResponse::Ok(MultipleMediaOkBody::Png(echo)) = response else {
        panic!("expected a PNG, got {response:?}")
    };
    assert_eq!(echo.content_type(), Some("image/png"));
    assert_eq!(echo.collect().await.expect("failed to read the echo").to_vec(), PNG_SIGNATURE);
    assert_eq!(json, MultipleMediaResponse::Ok(MultipleMediaOkBody::Json(link)));
    let UnknownMediaResponse::Ok(video) = unknown else { panic!("expected a video, got {unknown:?}") };
    assert_eq!(video.content_type(), Some("video/mp4"));
    assert_eq!(video.collect().await.expect("failed to read the video").to_vec(), PNG_SIGNATURE);
}

/// Sends `body` through the generated client, asking for a text response, and returns that text.
async fn store_anything_text(client: &Client, body: StoreAnythingBody) -> String {
    let request = StoreAnythingRequest { body, accept: StoreAnythingMediaType::Text };
    match client.store_anything(request).await.expect("the call failed") {
        StoreAnythingResponse::Ok(StoreAnythingOkBody::Text(text)) => text,
        other => panic!("expected a text response, got {other:?}"),
    }
}

#[tokio::test]
async fn listed_type_wins_over_earlier_ranges() {
    let (url, _store) = serve_store().await;
    let client = client(&url);

    let json = StoreAnythingBody::Json(Link { url: "https://example.com/a".to_owned() });
    assert_eq!(store_anything_text(&client, json).await, "json https://example.com/a");

    let png = StoreAnythingBody::Image(BinaryBody::from_bytes(PNG_SIGNATURE.to_vec()).with_content_type("image/png"));
    assert_eq!(store_anything_text(&client, png).await, "image image/png");

    let pdf = StoreAnythingBody::Any(BinaryBody::from_bytes(b"%PDF".to_vec()).with_content_type("application/pdf"));
    assert_eq!(store_anything_text(&client, pdf).await, "any application/pdf");
}

/// Posts a PNG to `/anything` with the `Accept` header `accept` and returns the status, the response's
/// `Content-Type` and its body.
async fn post_png_accepting(url: &str, accept: &str) -> (u16, Option<String>, Vec<u8>) {
    let response = reqwest::Client::new()
        .post(format!("{url}/anything"))
        .header("content-type", "image/png")
        .header("accept", accept)
        .body(PNG_SIGNATURE.to_vec())
        .send()
        .await
        .expect("the request failed");
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").map(|value| value.to_str().expect("a visible ASCII Content-Type").to_owned());
    let body = response.bytes().await.expect("failed to read the response body").to_vec();
    (status, content_type, body)
}

#[tokio::test]
async fn accept_matches_type_inside_offered_range() {
    let (url, _store) = serve_store().await;

    let (status, content_type, body) = post_png_accepting(&url, "image/png").await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("image/png"));
    assert_eq!(body, PNG_SIGNATURE);

    let (status, content_type, body) = post_png_accepting(&url, "image/png, text/plain;q=0.5").await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("image/png"));
    assert_eq!(body, PNG_SIGNATURE);

    let (status, content_type, body) = post_png_accepting(&url, "image/png;q=0.2, text/plain;q=0.5").await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("text/plain"));
    assert_eq!(body, b"image image/png");

    let (status, _, _) = post_png_accepting(&url, "video/mp4").await;
    assert_eq!(status, 406);
}

#[tokio::test]
async fn empty_file_is_not_missing() {
    let (url, store) = serve_store().await;

    let image = BinaryBody::from_bytes(Vec::new()).with_content_type("image/png");
    let response = client(&url).convert(ConvertRequest { body: image }).await.expect("the call failed");

    assert_eq!(*lock(&store.converted), vec![Some("image/png".to_owned())]);
    let ConvertResponse::Ok(video) = response else { panic!("expected a video, got {response:?}") };
    assert!(video.collect().await.expect("failed to read the video").is_empty());
}

#[tokio::test]
async fn empty_body_without_type_is_missing() {
    let (url, _store) = serve_store().await;
    let response = reqwest::Client::new().post(format!("{url}/convert")).send().await.expect("the request failed");
    assert_eq!(response.status().as_u16(), 400);
    let body = response.text().await.expect("failed to read the body");
    assert!(body.contains("required"), "{body}");
}

#[tokio::test]
async fn response_check_requires_range_type() {
    let (url, _store) = serve_store().await;
    let image = BinaryBody::from_bytes(PNG_SIGNATURE.to_vec()).with_content_type("image/gif");
    match client(&url).convert(ConvertRequest { body: image }).await {
        // The operation documents a `default` response, which takes the 500.
        Ok(ConvertResponse::Default { status, .. }) => assert_eq!(status, 500),
        other => panic!("the response check let a video without a content type through: {other:?}"),
    }
}
