//! A `default` response carries the real status and a `Failure` body in both directions, and a request
//! body offered under several JSON media types is decoded from each of them.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_g19_client::{Client, Failure, G19Api, ListFolderRequest, ListFolderResponse, ListingQuery, Server};

/// Records each request and responds with a fixed response.
#[derive(Clone)]
struct Folders {
    response: ListFolderResponse,
    calls: Arc<Mutex<Vec<ListFolderRequest>>>,
}

impl Folders {
    fn new(response: ListFolderResponse) -> Self {
        Folders { response, calls: Arc::default() }
    }
}

impl G19Api for Folders {
    type Error = Infallible;

    async fn list_folder(&self, request: ListFolderRequest) -> Result<ListFolderResponse, Infallible> {
        lock(&self.calls).push(request);
        Ok(self.response.clone())
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

fn listing_request() -> ListFolderRequest {
    ListFolderRequest { id: "f1".to_owned(), body: ListingQuery { prefix: Some("re".to_owned()) } }
}

fn failure(message: &str) -> Failure {
    Failure { message: message.to_owned() }
}

/// Posts `body` with the content type `media_type` and returns the status and the requests that reached the implementation.
async fn post_listing(media_type: &str, body: &str) -> (u16, Vec<ListFolderRequest>) {
    let folders = Folders::new(ListFolderResponse::Created(Vec::new()));
    let url = serve(fx_g19_server::router(folders.clone())).await;
    let response = reqwest::Client::new()
        .post(format!("{url}/folders/f1/listing"))
        .header("content-type", media_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("the request failed");
    let calls = lock(&folders.calls).clone();
    (response.status().as_u16(), calls)
}

#[tokio::test]
async fn client_maps_conflict_to_default() {
    let (url, _recorder) = serve_recorder(CannedResponse::json(409, r#"{"message":"taken"}"#)).await;

    let response = client(&url).list_folder(listing_request()).await.expect("the call failed");

    assert_eq!(response, ListFolderResponse::Default { status: 409, body: failure("taken") });
}

#[tokio::test]
async fn server_emits_default_status() {
    for status in [400, 409, 503] {
        let folders = Folders::new(ListFolderResponse::Default { status, body: failure("no") });
        let url = serve(fx_g19_server::router(folders)).await;

        let response = reqwest::Client::new()
            .post(format!("{url}/folders/f1/listing"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("the request failed");

        assert_eq!(response.status().as_u16(), status);
        let body: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.expect("failed to read the body")).expect("not JSON");
        assert_eq!(body, serde_json::json!({ "message": "no" }), "status {status}");
    }
}

#[tokio::test]
async fn default_response_round_trips() {
    let response = ListFolderResponse::Default { status: 422, body: failure("bad prefix") };
    let url = serve(fx_g19_server::router(Folders::new(response.clone()))).await;

    let received = client(&url).list_folder(listing_request()).await.expect("the call failed");

    assert_eq!(received, response);
}

#[tokio::test]
async fn client_sends_application_json() {
    let (url, recorder) = serve_recorder(CannedResponse::json(201, "[]")).await;

    client(&url).list_folder(listing_request()).await.expect("the call failed");

    let request = recorder.single();
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.body, br#"{"prefix":"re"}"#);
}

#[tokio::test]
async fn json_media_types_accepted() {
    let media_types = ["application/json", "application/json-patch+json", "text/json", "application/vnd.folder+json"];

    for media_type in media_types {
        let (status, calls) = post_listing(media_type, r#"{"prefix":"re"}"#).await;

        assert_eq!(status, 201, "{media_type} was not accepted");
        assert_eq!(calls.len(), 1, "{media_type} did not reach the implementation");
        assert_eq!(calls[0].body, listing_request().body, "{media_type} was decoded differently");
    }
}

#[tokio::test]
async fn text_plain_body_rejected() {
    let (status, calls) = post_listing("text/plain", r#"{"prefix":"re"}"#).await;

    assert_eq!(status, 415);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}
