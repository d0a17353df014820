//! Server extraction of a required array query parameter of enum items from repeated keys, with its
//! `minItems`, and of a bounded integer next to it.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{lock, serve};
use fx_g05_client::{Client, FindPaintColorItem, FindPaintRequest, FindPaintResponse, G05Api, Server};

/// Records each request and responds with the colours it understood.
#[derive(Clone, Default)]
struct Paint {
    calls: Arc<Mutex<Vec<FindPaintRequest>>>,
}

impl G05Api for Paint {
    type Error = Infallible;

    async fn find_paint(&self, request: FindPaintRequest) -> Result<FindPaintResponse, Infallible> {
        let names = request.color.iter().map(ToString::to_string).collect();
        lock(&self.calls).push(request);
        Ok(FindPaintResponse::Ok(names))
    }
}

/// Sends `GET /paint?<query>` and returns the status and the requests that reached the implementation.
async fn server_receives(query: &str) -> (u16, Vec<FindPaintRequest>) {
    let paint = Paint::default();
    let url = serve(fx_g05_server::router(paint.clone())).await;
    let response = reqwest::get(format!("{url}/paint?{query}")).await.expect("the request failed");
    let calls = lock(&paint.calls).clone();
    (response.status().as_u16(), calls)
}

/// Returns the colours of the only request, failing the test unless exactly one request with status 200 arrived.
fn single_colors(status: u16, calls: &[FindPaintRequest]) -> Vec<FindPaintColorItem> {
    assert_eq!(status, 200);
    assert_eq!(calls.len(), 1, "expected one call, got {calls:?}");
    calls[0].color.clone()
}

#[tokio::test]
async fn repeated_keys_collected() {
    let (status, calls) = server_receives("color=red&color=blue").await;

    assert_eq!(single_colors(status, &calls), vec![FindPaintColorItem::Red, FindPaintColorItem::Blue]);
}

#[tokio::test]
async fn repeated_keys_keep_order() {
    let (status, calls) = server_receives("color=blue&color=green&color=red").await;

    let expected = vec![FindPaintColorItem::Blue, FindPaintColorItem::Green, FindPaintColorItem::Red];
    assert_eq!(single_colors(status, &calls), expected);
}

#[tokio::test]
async fn single_value_becomes_list() {
    let (status, calls) = server_receives("color=red").await;

    assert_eq!(single_colors(status, &calls), vec![FindPaintColorItem::Red]);
}

#[tokio::test]
async fn unknown_color_rejected() {
    let (status, calls) = server_receives("color=purple").await;

    assert_eq!(status, 400);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}

#[tokio::test]
async fn missing_color_rejected() {
    let (status, calls) = server_receives("page=2").await;

    assert_eq!(status, 400);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}

#[tokio::test]
async fn page_below_minimum_rejected() {
    let (status, calls) = server_receives("color=red&page=0").await;

    assert_eq!(status, 400);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}

#[tokio::test]
async fn colors_round_trip_through_client() {
    let paint = Paint::default();
    let url = serve(fx_g05_server::router(paint.clone())).await;
    let client = Client::builder().server_url(Server::Default, url).build();
    let request = FindPaintRequest { color: vec![FindPaintColorItem::Green, FindPaintColorItem::Red], page: Some(1) };

    let response = client.find_paint(request.clone()).await.expect("the call failed");

    assert_eq!(response, FindPaintResponse::Ok(vec!["green".to_owned(), "red".to_owned()]));
    assert_eq!(*lock(&paint.calls), vec![request]);
}
