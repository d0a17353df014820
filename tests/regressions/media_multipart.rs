//! `multipart/form-data` responses: the server writes the typed parts (text, JSON, file and repeated parts),
//! the client reads them back, and file parts keep their file name and content type in both directions.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, parse_multipart, serve, serve_recorder};
use fx_media_client::{
    AlbumDetails, Client, ClientError, CopyAlbumBody, CopyAlbumOkBody, CopyAlbumRequest, CopyAlbumResponse,
    FilePart, MediaApi, Server,
};

/// Bytes that are not valid UTF-8, as in an image file.
const PNG: [u8; 6] = [0x89, b'P', b'N', b'G', 0x00, 0xFF];

/// Records each album and returns it as stored, with the cover renamed.
#[derive(Clone, Default)]
struct Albums {
    received: Arc<Mutex<Vec<CopyAlbumBody>>>,
}

impl MediaApi for Albums {
    type Error = Infallible;

    async fn copy_album(&self, request: CopyAlbumRequest) -> Result<CopyAlbumResponse, Infallible> {
        let body = request.body;
        lock(&self.received).push(body.clone());
        Ok(CopyAlbumResponse::Ok(CopyAlbumOkBody {
            title: body.title,
            details: body.details,
            cover: FilePart { file_name: Some("stored-cover.png".to_owned()), ..body.cover },
            tags: body.tags,
            pages: body.pages,
            rating: body.rating,
        }))
    }

    async fn get_album_profile(
        &self,
        _request: fx_media_client::GetAlbumProfileRequest,
    ) -> Result<fx_media_client::GetAlbumProfileResponse, Infallible> {
        unimplemented!("not called by these tests")
    }

    async fn store_package(
        &self,
        _request: fx_media_client::StorePackageRequest,
    ) -> Result<fx_media_client::StorePackageResponse, Infallible> {
        unimplemented!("not called by these tests")
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

fn album() -> CopyAlbumBody {
    CopyAlbumBody {
        title: "Harbour, 1998".to_owned(),
        details: AlbumDetails { year: 1998, photographers: Some(vec!["Ana".to_owned(), "Bo".to_owned()]) },
        cover: FilePart::new(PNG.to_vec(), "cover.png", "image/png"),
        tags: Some(vec!["sea".to_owned(), "boats & nets".to_owned()]),
        pages: Some(vec![
            FilePart::new(b"page one".to_vec(), "p1.txt", "text/plain"),
            FilePart::from(vec![0x00, 0x01]),
        ]),
        rating: Some(4),
    }
}

#[tokio::test]
async fn multipart_response_round_trip() {
    let albums = Albums::default();
    let url = serve(fx_media_server::router(albums.clone())).await;

    let response =
        client(&url).copy_album(CopyAlbumRequest { body: album() }).await.expect("the call failed");

    let CopyAlbumResponse::Ok(stored) = response else { panic!("unexpected response {response:?}") };
    let sent = album();
    assert_eq!(stored.title, sent.title);
    assert_eq!(stored.details, sent.details);
    assert_eq!(stored.tags, sent.tags);
    assert_eq!(stored.rating, Some(4));
    assert_eq!(stored.cover.bytes, PNG);
    assert_eq!(stored.cover.file_name.as_deref(), Some("stored-cover.png"));
    assert_eq!(stored.cover.content_type.as_deref(), Some("image/png"));
    let pages = stored.pages.expect("the pages are missing");
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0], FilePart::new(b"page one".to_vec(), "p1.txt", "text/plain"));
    assert_eq!(pages[1].bytes, [0x00, 0x01]);
}

#[tokio::test]
async fn server_receives_file_metadata() {
    let albums = Albums::default();
    let url = serve(fx_media_server::router(albums.clone())).await;

    client(&url).copy_album(CopyAlbumRequest { body: album() }).await.expect("the call failed");

    let received = lock(&albums.received).clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].cover, FilePart::new(PNG.to_vec(), "cover.png", "image/png"));
    let pages = received[0].pages.clone().expect("the pages are missing");
    assert_eq!(pages[0], FilePart::new(b"page one".to_vec(), "p1.txt", "text/plain"));
}

#[tokio::test]
async fn file_part_without_metadata_gets_defaults() {
    let albums = Albums::default();
    let url = serve(fx_media_server::router(albums.clone())).await;

    client(&url).copy_album(CopyAlbumRequest { body: album() }).await.expect("the call failed");

    let received = lock(&albums.received).clone();
    let pages = received[0].pages.clone().expect("the pages are missing");
    // The part name is the file name, and the schema's binary default is the content type.
    assert_eq!(pages[1].file_name.as_deref(), Some("pages"));
    assert_eq!(pages[1].content_type.as_deref(), Some("application/octet-stream"));
}

#[tokio::test]
async fn server_writes_named_parts() {
    let url = serve(fx_media_server::router(Albums::default())).await;
    // A hand-written request, so the test reads the raw response parts.
    let (content_type, body) = {
        let http = reqwest::Client::new();
        let (form_type, form_body) = fx_behaviour::encode_multipart(&[
            fx_behaviour::FormPart { name: "title", file_name: None, content_type: None, body: b"Dunes" },
            fx_behaviour::FormPart {
                name: "details",
                file_name: None,
                content_type: Some("application/json"),
                body: br#"{"year":2001}"#,
            },
            fx_behaviour::FormPart {
                name: "cover",
                file_name: Some("dunes.jpg"),
                content_type: Some("image/jpeg"),
                body: b"jpeg bytes",
            },
            fx_behaviour::FormPart { name: "tags", file_name: None, content_type: None, body: b"sand" },
            fx_behaviour::FormPart { name: "tags", file_name: None, content_type: None, body: b"wind" },
        ]);
        let response = http
            .post(format!("{url}/albums"))
            .header("content-type", form_type)
            .body(form_body)
            .send()
            .await
            .expect("the request failed");
        assert_eq!(response.status().as_u16(), 200);
        let content_type =
            response.headers()["content-type"].to_str().expect("the content type is not text").to_owned();
        (content_type, response.bytes().await.expect("failed to read the body").to_vec())
    };

    let parts = parse_multipart(&content_type, &body);
    let names: Vec<&str> = parts.iter().map(|part| part.name.as_str()).collect();
    assert_eq!(names, ["title", "details", "cover", "tags", "tags"]);
    assert_eq!(parts[0].body, b"Dunes");
    assert_eq!(parts[0].content_type, None);
    assert_eq!(parts[1].content_type.as_deref(), Some("application/vnd.album+json"));
    let details: serde_json::Value = serde_json::from_slice(&parts[1].body).expect("the details part is not JSON");
    assert_eq!(details, serde_json::json!({"year": 2001}));
    assert_eq!(parts[2].body, b"jpeg bytes");
    assert_eq!(parts[2].file_name.as_deref(), Some("stored-cover.png"));
    assert_eq!(parts[2].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(parts[3].body, b"sand");
    assert_eq!(parts[4].body, b"wind");
}

#[tokio::test]
async fn malformed_multipart_response_is_decode_error() {
    let body = b"--b1\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nno closing boundary".to_vec();
    let (url, _recorder) =
        serve_recorder(CannedResponse::new(200, Some("multipart/form-data; boundary=b1"), body)).await;

    let error = client(&url).copy_album(CopyAlbumRequest { body: album() }).await.expect_err("the call succeeded");

    match error {
        ClientError::Decode { status, message, .. } => {
            assert_eq!(status, 200);
            assert!(message.contains("multipart"), "unexpected message: {message}");
        }
        other => panic!("unexpected error {other:?}"),
    }
}

#[tokio::test]
async fn invalid_part_is_decode_error_naming_part() {
    let body = concat!(
        "--b2\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nDunes\r\n",
        "--b2\r\nContent-Disposition: form-data; name=\"details\"\r\nContent-Type: application/json\r\n\r\n",
        "{\"year\":\"not a number\"}\r\n",
        "--b2\r\nContent-Disposition: form-data; name=\"cover\"; filename=\"c.png\"\r\n\r\npng\r\n",
        "--b2--\r\n",
    );
    let (url, _recorder) =
        serve_recorder(CannedResponse::new(200, Some("multipart/form-data; boundary=b2"), body)).await;

    let error = client(&url).copy_album(CopyAlbumRequest { body: album() }).await.expect_err("the call succeeded");

    match error {
        ClientError::Decode { message, .. } => {
            assert!(message.contains("/details/year"), "the message does not name the part: {message}");
        }
        other => panic!("unexpected error {other:?}"),
    }
}

#[tokio::test]
async fn missing_required_part_is_decode_error() {
    let body = "--b3\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nDunes\r\n--b3--\r\n";
    let (url, _recorder) =
        serve_recorder(CannedResponse::new(200, Some("multipart/form-data; boundary=b3"), body)).await;

    let error = client(&url).copy_album(CopyAlbumRequest { body: album() }).await.expect_err("the call succeeded");

    match error {
        ClientError::Decode { message, .. } => {
            assert!(message.contains("/details"), "the message does not name the missing part: {message}");
        }
        other => panic!("unexpected error {other:?}"),
    }
}

#[tokio::test]
async fn file_name_with_quotes_and_accents() {
    let albums = Albums::default();
    let url = serve(fx_media_server::router(albums.clone())).await;
    let cover = FilePart::new(PNG.to_vec(), "résumé \"v2\".png", "image/png");

    client(&url).copy_album(CopyAlbumRequest { body: CopyAlbumBody { cover: cover.clone(), ..album() } }).await.expect("the call failed");

    let received = lock(&albums.received).clone();
    assert_eq!(received[0].cover, cover);
}
