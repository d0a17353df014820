//! Path parameters that need percent-encoding: the client sends each value as one path segment, and the
//! server decodes it without treating an encoded slash as a separator.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_g02_client::{Client, G02Api, GetDocumentRequest, GetDocumentResponse, Server};

/// A key with every character that changes the meaning of a URL when written raw.
const AWKWARD_KEY: &str = "a/b c?#%";
const AWKWARD_KEY_ENCODED: &str = "a%2Fb%20c%3F%23%25";

/// Records each key and responds with the key as the document text.
#[derive(Clone, Default)]
struct Documents {
    keys: Arc<Mutex<Vec<String>>>,
}

impl G02Api for Documents {
    type Error = Infallible;

    async fn get_document(&self, request: GetDocumentRequest) -> Result<GetDocumentResponse, Infallible> {
        lock(&self.keys).push(request.key.clone());
        Ok(GetDocumentResponse::Ok(request.key))
    }
}

async fn serve_documents() -> (String, Documents) {
    let documents = Documents::default();
    let url = serve(fx_g02_server::router(documents.clone())).await;
    (url, documents)
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

async fn sent_target(key: &str) -> String {
    let (url, recorder) = serve_recorder(CannedResponse::new(200, Some("text/plain"), "text")).await;
    client(&url).get_document(GetDocumentRequest { key: key.to_owned() }).await.expect("the call failed");
    recorder.single().target
}

#[tokio::test]
async fn client_encodes_one_segment() {
    assert_eq!(sent_target(AWKWARD_KEY).await, format!("/documents/{AWKWARD_KEY_ENCODED}"));
}

#[tokio::test]
async fn client_encodes_non_ascii() {
    assert_eq!(sent_target("é").await, "/documents/%C3%A9");
}

#[tokio::test]
async fn server_decodes_encoded_slash() {
    let (url, documents) = serve_documents().await;

    let response = reqwest::get(format!("{url}/documents/{AWKWARD_KEY_ENCODED}")).await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(*lock(&documents.keys), vec![AWKWARD_KEY.to_owned()]);
}

#[tokio::test]
async fn keys_round_trip_exactly() {
    let (url, documents) = serve_documents().await;
    let client = client(&url);
    let keys = [AWKWARD_KEY, "é", "100% sure", "a+b=c&d", "日本/語", " leading space"];

    for key in keys {
        let response = client.get_document(GetDocumentRequest { key: key.to_owned() }).await.expect("the call failed");
        assert_eq!(response, GetDocumentResponse::Ok(key.to_owned()), "key {key:?}");
    }

    assert_eq!(*lock(&documents.keys), keys.map(str::to_owned).to_vec());
}

/// Checks that a key of `.` or `..` never reaches another operation. Written into the path, such a key is a
/// dot segment, which URL parsers remove together with the segment before it. So the client must either
/// deliver the key or fail.
#[tokio::test]
async fn dot_segment_keys_never_misroute() {
    let (url, documents) = serve_documents().await;
    let client = client(&url);

    for key in [".", ".."] {
        let response = client.get_document(GetDocumentRequest { key: key.to_owned() }).await;
        let delivered = matches!(&response, Ok(GetDocumentResponse::Ok(text)) if text == key);
        assert!(delivered || response.is_err(), "key {key:?} returned {response:?}");
    }

    let received = lock(&documents.keys).clone();
    assert!(received.iter().all(|key| key == "." || key == ".."), "the implementation received {received:?}");
}
