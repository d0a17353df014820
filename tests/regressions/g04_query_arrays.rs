//! Query arrays in `form` style: `label` (explode true) repeats its key, `sku` (explode false) joins its
//! items with commas, on the client and on the server.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_g04_client::{Client, G04Api, ListProductsRequest, ListProductsResponse, Server};

/// Records each request and responds with an empty list.
#[derive(Clone, Default)]
struct Products {
    calls: Arc<Mutex<Vec<ListProductsRequest>>>,
}

impl G04Api for Products {
    type Error = Infallible;

    async fn list_products(&self, request: ListProductsRequest) -> Result<ListProductsResponse, Infallible> {
        lock(&self.calls).push(request);
        Ok(ListProductsResponse::Ok(Vec::new()))
    }
}

async fn serve_products() -> (String, Products) {
    let products = Products::default();
    let url = serve(fx_g04_server::router(products.clone())).await;
    (url, products)
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

/// Sends `request` through the client to a recording server and returns the query string it sent.
async fn sent_query(request: ListProductsRequest) -> String {
    let (url, recorder) = serve_recorder(CannedResponse::json(200, "[]")).await;
    client(&url).list_products(request).await.expect("the call failed");
    recorder.single().query().to_owned()
}

/// Sends `GET /products?<query>` and returns the status and the requests that reached the implementation.
async fn server_receives(query: &str) -> (u16, Vec<ListProductsRequest>) {
    let (url, products) = serve_products().await;
    let response = reqwest::get(format!("{url}/products?{query}")).await.expect("the request failed");
    let calls = lock(&products.calls).clone();
    (response.status().as_u16(), calls)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

#[tokio::test]
async fn exploded_array_repeats_key() {
    let request = ListProductsRequest { label: Some(strings(&["a", "b"])), sku: None };

    assert_eq!(sent_query(request).await, "label=a&label=b");
}

#[tokio::test]
async fn unexploded_array_joins_commas() {
    let request = ListProductsRequest { label: None, sku: Some(vec![1, 2, 3]) };

    assert_eq!(sent_query(request).await, "sku=1,2,3");
}

#[tokio::test]
async fn empty_arrays_are_omitted() {
    let empty = ListProductsRequest { label: Some(Vec::new()), sku: Some(Vec::new()) };
    let absent = ListProductsRequest { label: None, sku: None };

    assert_eq!(sent_query(empty).await, "");
    assert_eq!(sent_query(absent).await, "");
}

#[tokio::test]
async fn reserved_characters_are_encoded() {
    let request = ListProductsRequest { label: Some(strings(&["a,b", "c&d", "e+f"])), sku: None };

    assert_eq!(sent_query(request).await, "label=a%2Cb&label=c%26d&label=e%2Bf");
}

#[tokio::test]
async fn server_collects_repeated_keys() {
    let (status, calls) = server_receives("label=a&label=b").await;

    assert_eq!(status, 200);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].label, Some(strings(&["a", "b"])));
}

#[tokio::test]
async fn server_splits_comma_list() {
    let (status, calls) = server_receives("sku=1,2,3").await;

    assert_eq!(status, 200);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].sku, Some(vec![1, 2, 3]));
}

#[tokio::test]
async fn non_integer_sku_rejected() {
    let (status, calls) = server_receives("sku=1,x").await;

    assert_eq!(status, 400);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}

#[tokio::test]
async fn repeated_sku_key_rejected() {
    let (status, calls) = server_receives("sku=1&sku=2").await;

    assert_eq!(status, 400);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}

#[tokio::test]
async fn arrays_round_trip_through_client() {
    let (url, products) = serve_products().await;
    let request =
        ListProductsRequest { label: Some(strings(&["a,b", "c&d", "e+f", "g h"])), sku: Some(vec![-1, 0, 7]) };

    client(&url).list_products(request.clone()).await.expect("the call failed");

    assert_eq!(*lock(&products.calls), vec![request]);
}
