//! A nullable string enum that lists `null` among its values, used by a required property: `null` is a
//! valid value on the wire, and a missing key is not.
//!
//! The document uses `Lamp` only in a response, so the tests build values from JSON and compare JSON, which
//! keeps them independent of how the property is typed in Rust.

use std::convert::Infallible;

use fx_behaviour::{CannedResponse, serve, serve_recorder};
use fx_g07_client::{Client, ClientError, G07Api, GetLampRequest, GetLampResponse, Lamp, Server};
use serde_json::{Value, json};

/// Returns one lamp for every request.
#[derive(Clone)]
struct Lamps {
    lamp: Lamp,
}

impl G07Api for Lamps {
    type Error = Infallible;

    async fn get_lamp(&self, _request: GetLampRequest) -> Result<GetLampResponse, Infallible> {
        Ok(GetLampResponse::Ok(self.lamp.clone()))
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

/// Decodes `body` with the generated client and returns the lamp written back as JSON.
async fn client_decodes(body: &str) -> Result<Value, ClientError> {
    let (url, _recorder) = serve_recorder(CannedResponse::json(200, body)).await;
    let response = client(&url).get_lamp(GetLampRequest { id: "l1".to_owned() }).await?;
    let GetLampResponse::Ok(lamp) = response;
    Ok(serde_json::to_value(&lamp).expect("failed to serialise the decoded lamp"))
}

/// Serves the lamp that `body` describes and returns the response body as the server wrote it.
async fn server_writes(body: Value) -> Value {
    let lamp: Lamp = match serde_json::from_value(body.clone()) {
        Ok(lamp) => lamp,
        Err(error) => panic!("`Lamp` cannot hold {body}: {error}"),
    };
    let url = serve(fx_g07_server::router(Lamps { lamp })).await;
    let response = reqwest::get(format!("{url}/lamps/l1")).await.expect("the request failed");
    assert_eq!(response.status().as_u16(), 200);
    serde_json::from_slice(&response.bytes().await.expect("failed to read the body")).expect("the body is not JSON")
}

#[tokio::test]
async fn client_accepts_listed_color() {
    let lamp = client_decodes(r#"{"color":"warm"}"#).await.expect("the client rejected a listed color");

    assert_eq!(lamp, json!({ "color": "warm" }));
}

#[tokio::test]
async fn client_accepts_null_color() {
    let lamp = client_decodes(r#"{"color":null}"#).await.expect("the client rejected the listed null");

    assert_eq!(lamp, json!({ "color": null }));
}

#[tokio::test]
async fn client_rejects_missing_color() {
    let outcome = client_decodes("{}").await;

    assert!(matches!(outcome, Err(ClientError::Decode { status: 200, .. })), "got {outcome:?}");
}

#[tokio::test]
async fn server_writes_listed_color() {
    assert_eq!(server_writes(json!({ "color": "cold" })).await, json!({ "color": "cold" }));
}

#[tokio::test]
async fn server_writes_null_color() {
    assert_eq!(server_writes(json!({ "color": null })).await, json!({ "color": null }));
}

#[tokio::test]
async fn server_rejects_unlisted_color() {
    // The client keeps a value the document does not list, so an implementation can return one.
    // The server's response check, on in debug builds, must reject it.
    let lamp: Lamp = serde_json::from_value(json!({ "color": "hot" })).expect("`Lamp` keeps an unlisted color");
    let url = serve(fx_g07_server::router(Lamps { lamp })).await;

    let response = reqwest::get(format!("{url}/lamps/l1")).await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 500);
}
