//! Rust keywords as wire names: the query parameter `type` and the properties `type`, `ref` and `self`
//! keep their names on the wire, while the Rust code uses escaped identifiers.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_g01_client::{Animal, Client, G01Api, SearchAnimalsRequest, SearchAnimalsResponse, Server};

/// Records each request and responds with one animal whose properties are all set.
#[derive(Clone, Default)]
struct Zoo {
    calls: Arc<Mutex<Vec<SearchAnimalsRequest>>>,
}

fn cat() -> Animal {
    Animal { r#type: "cat".to_owned(), r#ref: Some("r-1".to_owned()), self_: Some(true) }
}

impl G01Api for Zoo {
    type Error = Infallible;

    async fn search_animals(&self, request: SearchAnimalsRequest) -> Result<SearchAnimalsResponse, Infallible> {
        lock(&self.calls).push(request);
        Ok(SearchAnimalsResponse::Ok(vec![cat()]))
    }
}

async fn serve_zoo() -> (String, Zoo) {
    let zoo = Zoo::default();
    let url = serve(fx_g01_server::router(zoo.clone())).await;
    (url, zoo)
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

#[tokio::test]
async fn type_query_reaches_handler() {
    let (url, zoo) = serve_zoo().await;

    let response = reqwest::get(format!("{url}/animals?type=cat")).await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 200);
    let calls = lock(&zoo.calls).clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].r#type.as_deref(), Some("cat"));
}

#[tokio::test]
async fn client_sends_type_query() {
    let (url, recorder) = serve_recorder(CannedResponse::json(200, "[]")).await;

    let request = SearchAnimalsRequest { r#type: Some("cat".to_owned()) };
    let response = client(&url).search_animals(request).await.expect("the call failed");

    assert_eq!(response, SearchAnimalsResponse::Ok(Vec::new()));
    assert_eq!(recorder.single().target, "/animals?type=cat");
}

#[tokio::test]
async fn properties_keep_keyword_names() {
    let (url, _zoo) = serve_zoo().await;

    let response = reqwest::get(format!("{url}/animals")).await.expect("the request failed");
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.expect("failed to read the body"))
        .expect("the body is not JSON");

    assert_eq!(body, serde_json::json!([{ "type": "cat", "ref": "r-1", "self": true }]));
}

#[tokio::test]
async fn keyword_properties_round_trip() {
    let (url, _zoo) = serve_zoo().await;

    let response = client(&url).search_animals(SearchAnimalsRequest::default()).await.expect("the call failed");

    assert_eq!(response, SearchAnimalsResponse::Ok(vec![cat()]));
}
