//! Responses without a body: 204 is sent empty and without a JSON content type, and the client returns a
//! unit variant for it while still decoding the JSON body of a 404.

use std::convert::Infallible;

use fx_behaviour::{CannedResponse, serve, serve_recorder};
use fx_g23_client::{
    Client, DeleteCartNotFoundBody, DeleteCartRequest, DeleteCartResponse, G23Api, HeartbeatRequest, HeartbeatResponse,
    Server,
};

/// Contains one cart, `c1`. Deleting any other cart returns 404.
#[derive(Clone)]
struct Carts;

fn unknown_cart() -> DeleteCartNotFoundBody {
    DeleteCartNotFoundBody { message: Some("unknown cart".to_owned()) }
}

impl G23Api for Carts {
    type Error = Infallible;

    async fn heartbeat(&self, _request: HeartbeatRequest) -> Result<HeartbeatResponse, Infallible> {
        Ok(HeartbeatResponse::NoContent)
    }

    async fn delete_cart(&self, request: DeleteCartRequest) -> Result<DeleteCartResponse, Infallible> {
        if request.id == "c1" {
            Ok(DeleteCartResponse::NoContent)
        } else {
            Ok(DeleteCartResponse::NotFound(unknown_cart()))
        }
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

fn delete(id: &str) -> DeleteCartRequest {
    DeleteCartRequest { id: id.to_owned() }
}

#[tokio::test]
async fn server_sends_empty_204() {
    let url = serve(fx_g23_server::router(Carts)).await;

    let response = reqwest::Client::new().post(format!("{url}/heartbeat")).send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 204);
    let content_type = response.headers().get("content-type").cloned();
    assert!(
        !content_type.as_ref().is_some_and(|value| value.to_str().is_ok_and(|text| text.contains("json"))),
        "content type {content_type:?}"
    );
    assert!(response.bytes().await.expect("failed to read the body").is_empty());
}

#[tokio::test]
async fn client_returns_unit_for_204() {
    let url = serve(fx_g23_server::router(Carts)).await;
    let client = client(&url);

    let heartbeat = client.heartbeat(HeartbeatRequest::default()).await.expect("heartbeat failed");
    let deleted = client.delete_cart(delete("c1")).await.expect("delete_cart failed");

    assert_eq!(heartbeat, HeartbeatResponse::NoContent);
    assert_eq!(deleted, DeleteCartResponse::NoContent);
}

/// A 204 with a JSON content type but no body must not make the client decode JSON.
#[tokio::test]
async fn client_ignores_204_content_type() {
    let (url, _recorder) = serve_recorder(CannedResponse::new(204, Some("application/json"), "")).await;

    let response = client(&url).delete_cart(delete("c1")).await.expect("the call failed");

    assert_eq!(response, DeleteCartResponse::NoContent);
}

#[tokio::test]
async fn client_decodes_404_body() {
    let url = serve(fx_g23_server::router(Carts)).await;

    let response = client(&url).delete_cart(delete("c2")).await.expect("the call failed");

    assert_eq!(response, DeleteCartResponse::NotFound(unknown_cart()));
}
