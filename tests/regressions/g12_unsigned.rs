//! The formats `uint64` and `uint32`: query parameters take their full range and nothing outside it, and
//! `Block.height` travels as an exact integer.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{lock, serve};
use fx_g12_client::{Block, Client, G12Api, GetBlocksRequest, GetBlocksResponse, Server};

/// Records each request and responds with one block of the largest height and size.
#[derive(Clone, Default)]
struct Chain {
    calls: Arc<Mutex<Vec<GetBlocksRequest>>>,
}

fn highest_block() -> Block {
    Block { height: u64::MAX, size: u32::MAX }
}

impl G12Api for Chain {
    type Error = Infallible;

    async fn get_blocks(&self, request: GetBlocksRequest) -> Result<GetBlocksResponse, Infallible> {
        lock(&self.calls).push(request);
        Ok(GetBlocksResponse::Ok(vec![highest_block()]))
    }
}

async fn serve_chain() -> (String, Chain) {
    let chain = Chain::default();
    let url = serve(fx_g12_server::router(chain.clone())).await;
    (url, chain)
}

/// Sends `GET /blocks?<query>` and returns the status and the requests that reached the implementation.
async fn server_receives(query: &str) -> (u16, Vec<GetBlocksRequest>) {
    let (url, chain) = serve_chain().await;
    let response = reqwest::get(format!("{url}/blocks?{query}")).await.expect("the request failed");
    let calls = lock(&chain.calls).clone();
    (response.status().as_u16(), calls)
}

async fn assert_rejected(query: &str) {
    let (status, calls) = server_receives(query).await;
    assert_eq!(status, 400, "`{query}` was not rejected");
    assert!(calls.is_empty(), "`{query}` reached the implementation as {calls:?}");
}

#[tokio::test]
async fn uint64_maximum_accepted() {
    let (status, calls) = server_receives("from_height=18446744073709551615").await;

    assert_eq!(status, 200);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].from_height, u64::MAX);
}

#[tokio::test]
async fn negative_height_rejected() {
    assert_rejected("from_height=-1").await;
}

#[tokio::test]
async fn fractional_height_rejected() {
    assert_rejected("from_height=1.5").await;
}

#[tokio::test]
async fn uint32_maximum_accepted() {
    let (status, calls) = server_receives("from_height=0&limit=4294967295").await;

    assert_eq!(status, 200);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].limit, Some(u32::MAX));
}

#[tokio::test]
async fn limit_above_uint32_rejected() {
    assert_rejected("from_height=0&limit=4294967296").await;
}

#[tokio::test]
async fn height_serialised_as_exact_integer() {
    let (url, _chain) = serve_chain().await;

    let response = reqwest::get(format!("{url}/blocks?from_height=0")).await.expect("the request failed");
    let body = response.text().await.expect("failed to read the body");

    assert_eq!(body, r#"[{"height":18446744073709551615,"size":4294967295}]"#);
}

#[tokio::test]
async fn client_parses_uint64_height() {
    let (url, chain) = serve_chain().await;
    let client = Client::builder().server_url(Server::Default, url).build();
    let request = GetBlocksRequest { from_height: u64::MAX, limit: Some(u32::MAX) };

    let response = client.get_blocks(request.clone()).await.expect("the call failed");

    assert_eq!(response, GetBlocksResponse::Ok(vec![highest_block()]));
    assert_eq!(*lock(&chain.calls), vec![request]);
}
