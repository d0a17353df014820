//! A `multipart/form-data` body with a file part, a JSON object part and a repeated text part. The client
//! sends each part with its content type, and the file part with its file name. The server decodes the parts
//! into the typed body, or rejects a missing or malformed part with 400.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, FormPart, encode_multipart, lock, parse_multipart, serve, serve_recorder};
use fx_g22_client::{
    Client, FilePart, G22Api, Server, UploadMetadata, UploadReportBody, UploadReportRequest, UploadReportResponse,
};

/// Bytes that are not valid UTF-8, as in a binary file.
const NOT_UTF8: [u8; 5] = [0x00, 0xFF, 0xFE, 0x80, 0x0A];

/// Records each body and responds with 201.
#[derive(Clone, Default)]
struct Uploads {
    received: Arc<Mutex<Vec<UploadReportBody>>>,
}

impl G22Api for Uploads {
    type Error = Infallible;

    async fn upload_report(&self, request: UploadReportRequest) -> Result<UploadReportResponse, Infallible> {
        lock(&self.received).push(request.body);
        Ok(UploadReportResponse::Created)
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

fn report(labels: Option<Vec<&str>>) -> UploadReportBody {
    UploadReportBody {
        document: FilePart::new(NOT_UTF8.to_vec(), "q3.pdf", "application/pdf"),
        metadata: UploadMetadata { title: "Q3".to_owned(), pages: Some(12) },
        labels: labels.map(|labels| labels.into_iter().map(str::to_owned).collect()),
    }
}

/// Posts a multipart body of `parts` to the generated server and returns the status, the response body
/// and the bodies that reached the implementation.
async fn post_parts(parts: &[FormPart<'_>]) -> (u16, String, Vec<UploadReportBody>) {
    let (content_type, body) = encode_multipart(parts);
    post(&content_type, body).await
}

async fn post(content_type: &str, body: Vec<u8>) -> (u16, String, Vec<UploadReportBody>) {
    let uploads = Uploads::default();
    let url = serve(fx_g22_server::router(uploads.clone())).await;
    let response = reqwest::Client::new()
        .post(format!("{url}/uploads"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the request failed");
    let status = response.status().as_u16();
    let text = response.text().await.expect("failed to read the response body");
    let received = lock(&uploads.received).clone();
    (status, text, received)
}

const DOCUMENT: FormPart<'static> =
    FormPart { name: "document", file_name: Some("q3.pdf"), content_type: Some("application/pdf"), body: &NOT_UTF8 };
const METADATA: FormPart<'static> = FormPart {
    name: "metadata",
    file_name: None,
    content_type: Some("application/json"),
    body: br#"{"title":"Q3","pages":12}"#,
};

fn label(text: &'static str) -> FormPart<'static> {
    FormPart { name: "labels", file_name: None, content_type: None, body: text.as_bytes() }
}

#[tokio::test]
async fn client_sends_typed_parts() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(201)).await;

    let response = client(&url)
        .upload_report(UploadReportRequest { body: report(Some(vec!["finance", "draft"])) })
        .await
        .expect("the call failed");

    assert_eq!(response, UploadReportResponse::Created);
    let sent = recorder.single();
    let content_type = sent.header("content-type").expect("the request has no content type");
    let parts = parse_multipart(content_type, &sent.body);
    let names: Vec<&str> = parts.iter().map(|part| part.name.as_str()).collect();
    assert_eq!(names, ["document", "metadata", "labels", "labels"]);

    assert_eq!(parts[0].body, NOT_UTF8);
    assert_eq!(parts[0].content_type.as_deref(), Some("application/pdf"));
    assert_eq!(parts[0].file_name.as_deref(), Some("q3.pdf"));

    assert_eq!(parts[1].content_type.as_deref(), Some("application/json"));
    let metadata: serde_json::Value = serde_json::from_slice(&parts[1].body).expect("the metadata part is not JSON");
    assert_eq!(metadata, serde_json::json!({"title": "Q3", "pages": 12}));

    assert_eq!(parts[2].body, b"finance");
    assert_eq!(parts[3].body, b"draft");
}

#[tokio::test]
async fn client_leaves_out_absent_optional_part() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(201)).await;

    client(&url).upload_report(UploadReportRequest { body: report(None) }).await.expect("the call failed");

    let sent = recorder.single();
    let parts = parse_multipart(sent.header("content-type").expect("no content type"), &sent.body);
    let names: Vec<&str> = parts.iter().map(|part| part.name.as_str()).collect();
    assert_eq!(names, ["document", "metadata"]);
}

#[tokio::test]
async fn server_decodes_parts() {
    let (status, text, received) = post_parts(&[DOCUMENT, METADATA, label("finance"), label("draft")]).await;

    assert_eq!(status, 201, "response body: {text}");
    assert_eq!(received, vec![report(Some(vec!["finance", "draft"]))]);
}

#[tokio::test]
async fn server_accepts_json_part_without_content_type() {
    let metadata = FormPart { content_type: None, ..METADATA };

    let (status, text, received) = post_parts(&[DOCUMENT, metadata]).await;

    assert_eq!(status, 201, "response body: {text}");
    assert_eq!(received, vec![report(None)]);
}

#[tokio::test]
async fn parts_round_trip_through_client() {
    let uploads = Uploads::default();
    let url = serve(fx_g22_server::router(uploads.clone())).await;
    let body = report(Some(vec!["a \"quoted\" label", "é"]));

    let response =
        client(&url).upload_report(UploadReportRequest { body: body.clone() }).await.expect("the call failed");

    assert_eq!(response, UploadReportResponse::Created);
    assert_eq!(*lock(&uploads.received), vec![body]);
}

#[tokio::test]
async fn missing_document_rejected() {
    let (status, text, received) = post_parts(&[METADATA]).await;

    assert_eq!(status, 400);
    assert!(text.contains("/document"), "the error body does not name the part: {text}");
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn missing_metadata_rejected() {
    let (status, text, received) = post_parts(&[DOCUMENT, label("finance")]).await;

    assert_eq!(status, 400);
    assert!(text.contains("/metadata"), "the error body does not name the part: {text}");
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn invalid_metadata_json_rejected() {
    let metadata = FormPart { body: br#"{"title": "Q3""#, ..METADATA };

    let (status, text, received) = post_parts(&[DOCUMENT, metadata]).await;

    assert_eq!(status, 400);
    assert!(text.contains("/metadata"), "the error body does not name the part: {text}");
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn metadata_without_title_rejected() {
    let metadata = FormPart { body: br#"{"pages": 3}"#, ..METADATA };

    let (status, text, received) = post_parts(&[DOCUMENT, metadata]).await;

    assert_eq!(status, 400);
    let error: serde_json::Value = serde_json::from_str(&text).expect("the error body is not JSON");
    let detail = error["detail"].as_str().expect("the error body has no detail");
    assert!(detail.contains("/metadata"), "the detail does not name the part: {detail}");
    assert!(detail.contains("title"), "the detail does not name the missing property: {detail}");
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn repeated_document_rejected() {
    let (status, _text, received) = post_parts(&[DOCUMENT, DOCUMENT, METADATA]).await;

    assert_eq!(status, 400);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn malformed_multipart_rejected() {
    let (status, _text, received) = post("multipart/form-data; boundary=xyz", b"--xyz\r\nno end".to_vec()).await;

    assert_eq!(status, 400);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn json_body_rejected() {
    let (status, _text, received) = post("application/json", br#"{"document":"x"}"#.to_vec()).await;

    assert_eq!(status, 415);
    assert!(received.is_empty(), "the implementation received {received:?}");
}
