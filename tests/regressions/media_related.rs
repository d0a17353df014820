//! `multipart/related` bodies: the client writes a request of typed parts with `Content-ID`s and the root
//! type, the server reads it (also with parts named by `Content-Disposition`), and the reverse for responses.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_media_client::{
    Client, FilePart, Manifest, MediaApi, Server, StorePackageBody, StorePackageCreatedBody,
    StorePackageCreatedBodyReceipt, StorePackageRequest, StorePackageResponse,
};

/// Records each package and returns it with a receipt.
#[derive(Clone, Default)]
struct Packages {
    received: Arc<Mutex<Vec<StorePackageBody>>>,
}

impl MediaApi for Packages {
    type Error = Infallible;

    async fn copy_album(
        &self,
        _request: fx_media_client::CopyAlbumRequest,
    ) -> Result<fx_media_client::CopyAlbumResponse, Infallible> {
        unimplemented!("not called by these tests")
    }

    async fn get_album_profile(
        &self,
        _request: fx_media_client::GetAlbumProfileRequest,
    ) -> Result<fx_media_client::GetAlbumProfileResponse, Infallible> {
        unimplemented!("not called by these tests")
    }

    async fn store_package(&self, request: StorePackageRequest) -> Result<StorePackageResponse, Infallible> {
        let body = request.body;
        lock(&self.received).push(body.clone());
        let size = i64::try_from(body.payload.bytes.len()).unwrap_or(i64::MAX);
        Ok(StorePackageResponse::Created(StorePackageCreatedBody {
            receipt: StorePackageCreatedBodyReceipt { id: format!("pkg-{}", body.manifest.name), size: Some(size) },
            manifest: body.manifest,
            payload: Some(body.payload),
        }))
    }

    async fn echo_entry(
        &self,
        _request: fx_media_client::EchoEntryRequest,
    ) -> Result<fx_media_client::EchoEntryResponse, Infallible> {
        unimplemented!("not called by these tests")
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

fn package() -> StorePackageBody {
    StorePackageBody {
        manifest: Manifest { name: "tools".to_owned(), files: vec!["a.txt".to_owned(), "b.bin".to_owned()] },
        payload: FilePart::new(vec![b'P', b'K', 0x03, 0x04, 0xFF], "tools.zip", "application/zip"),
        signature: Some(FilePart::from(b"sig".to_vec())),
    }
}

/// Posts a hand-written body to the generated server and returns the status and the response body.
async fn post(content_type: &str, body: &'static str) -> (u16, serde_json::Value, Vec<StorePackageBody>) {
    let packages = Packages::default();
    let url = serve(fx_media_server::router(packages.clone())).await;
    let response = reqwest::Client::new()
        .post(format!("{url}/packages"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the request failed");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("failed to read the response body");
    let value = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    let received = lock(&packages.received).clone();
    (status, value, received)
}

#[tokio::test]
async fn related_request_round_trip() {
    let packages = Packages::default();
    let url = serve(fx_media_server::router(packages.clone())).await;

    client(&url).store_package(StorePackageRequest { body: package() }).await.expect("the call failed");

    let received = lock(&packages.received).clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].manifest, package().manifest);
    assert_eq!(received[0].payload, package().payload);
    let signature = received[0].signature.clone().expect("the signature is missing");
    assert_eq!(signature.bytes, b"sig");
    assert_eq!(signature.file_name.as_deref(), Some("signature"));
    assert_eq!(signature.content_type.as_deref(), Some("application/octet-stream"));
}

#[tokio::test]
async fn related_response_round_trip() {
    let url = serve(fx_media_server::router(Packages::default())).await;

    let response =
        client(&url).store_package(StorePackageRequest { body: package() }).await.expect("the call failed");

    let StorePackageResponse::Created(stored) = response else { panic!("unexpected response {response:?}") };
    assert_eq!(stored.receipt, StorePackageCreatedBodyReceipt { id: "pkg-tools".to_owned(), size: Some(5) });
    assert_eq!(stored.manifest, package().manifest);
    assert_eq!(stored.payload, Some(package().payload));
}

#[tokio::test]
async fn client_writes_related_headers() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(500)).await;

    let _ = client(&url).store_package(StorePackageRequest { body: package() }).await;

    let sent = recorder.single();
    let content_type = sent.header("content-type").expect("the request has no content type");
    assert!(
        content_type.starts_with("multipart/related; type=\"application/json\"; start=\"<manifest>\"; boundary="),
        "unexpected content type {content_type}"
    );
    let body = String::from_utf8_lossy(&sent.body);
    let manifest = body.find("Content-ID: <manifest>").expect("the manifest part has no Content-ID");
    let payload = body.find("Content-ID: <payload>").expect("the payload part has no Content-ID");
    assert!(manifest < payload, "the root part is not first: {body}");
    assert!(body.contains("Content-Disposition: attachment; filename=\"tools.zip\""), "{body}");
    assert!(body.contains("Content-Type: application/zip"), "{body}");
}

const BOUNDARY_TYPE: &str = "multipart/related; type=\"application/json\"; boundary=rel";

#[tokio::test]
async fn server_accepts_parts_named_by_disposition() {
    let body = concat!(
        "--rel\r\nContent-Disposition: form-data; name=\"manifest\"\r\nContent-Type: application/json\r\n\r\n",
        "{\"name\":\"n\",\"files\":[]}\r\n",
        "--rel\r\nContent-Disposition: form-data; name=\"payload\"; filename=\"n.zip\"\r\n",
        "Content-Type: application/zip\r\n\r\nzip\r\n",
        "--rel--\r\n",
    );

    let (status, response, received) = post(BOUNDARY_TYPE, body).await;

    assert_eq!(status, 201, "response body: {response}");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].payload, FilePart::new(b"zip".to_vec(), "n.zip", "application/zip"));
}

#[tokio::test]
async fn missing_related_part_is_400() {
    let body = concat!(
        "--rel\r\nContent-ID: <manifest>\r\nContent-Type: application/json\r\n\r\n",
        "{\"name\":\"n\",\"files\":[]}\r\n",
        "--rel--\r\n",
    );

    let (status, response, received) = post(BOUNDARY_TYPE, body).await;

    assert_eq!(status, 400);
    let message = response["message"].as_str().expect("the error body has no message");
    assert!(message.contains("/payload"), "unexpected message: {message}");
    assert!(received.is_empty());
}

#[tokio::test]
async fn invalid_related_json_part_is_400() {
    let body = concat!(
        "--rel\r\nContent-ID: <manifest>\r\nContent-Type: application/json\r\n\r\n",
        "{\"name\":7,\"files\":[]}\r\n",
        "--rel\r\nContent-ID: <payload>\r\n\r\nzip\r\n",
        "--rel--\r\n",
    );

    let (status, response, _) = post(BOUNDARY_TYPE, body).await;

    assert_eq!(status, 400);
    let message = response["message"].as_str().expect("the error body has no message");
    assert!(message.contains("/manifest/name"), "unexpected message: {message}");
}

#[tokio::test]
async fn related_body_without_boundary_is_400() {
    let (status, response, _) = post("multipart/related; type=\"application/json\"", "--rel--\r\n").await;

    assert_eq!(status, 400);
    assert!(response["message"].is_string(), "the error body has no message: {response}");
}

#[tokio::test]
async fn form_data_sent_as_related_is_415() {
    let (status, _, received) = post("multipart/form-data; boundary=rel", "--rel--\r\n").await;

    assert_eq!(status, 415);
    assert!(received.is_empty());
}
