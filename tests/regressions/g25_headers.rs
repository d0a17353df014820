//! Header parameters are optional unless `required: true`: `X-Correlation-Id` (no `required`) and
//! `X-Retry-Count` (`required: false`, `minimum: 0`) may be absent, `X-Tenant` may not.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_g25_client::{Client, G25Api, PlaceOrderBody, PlaceOrderRequest, PlaceOrderResponse, Server};

/// Records each request and responds with 201.
#[derive(Clone, Default)]
struct Orders {
    calls: Arc<Mutex<Vec<PlaceOrderRequest>>>,
}

impl G25Api for Orders {
    type Error = Infallible;

    async fn place_order(&self, request: PlaceOrderRequest) -> Result<PlaceOrderResponse, Infallible> {
        lock(&self.calls).push(request);
        Ok(PlaceOrderResponse::Created)
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

/// Posts an order with `headers` and returns the status and the requests that reached the implementation.
async fn post_order(headers: &[(&str, &str)]) -> (u16, Vec<PlaceOrderRequest>) {
    let orders = Orders::default();
    let url = serve(fx_g25_server::router(orders.clone())).await;
    let mut request = reqwest::Client::new()
        .post(format!("{url}/orders"))
        .header("content-type", "application/json")
        .body(r#"{"item":"tea"}"#);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the request failed");
    let calls = lock(&orders.calls).clone();
    (response.status().as_u16(), calls)
}

fn order(correlation_id: Option<&str>, retry_count: Option<i32>) -> PlaceOrderRequest {
    PlaceOrderRequest {
        x_correlation_id: correlation_id.map(str::to_owned),
        x_tenant: "t1".to_owned(),
        x_retry_count: retry_count,
        body: PlaceOrderBody { item: Some("tea".to_owned()) },
    }
}

#[tokio::test]
async fn optional_headers_may_be_absent() {
    let (status, calls) = post_order(&[("X-Tenant", "t1")]).await;

    assert_eq!(status, 201);
    assert_eq!(calls, vec![order(None, None)]);
}

#[tokio::test]
async fn missing_tenant_rejected() {
    let (status, calls) = post_order(&[("X-Correlation-Id", "c-1")]).await;

    assert_eq!(status, 400);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}

#[tokio::test]
async fn header_names_ignore_case() {
    let (status, calls) = post_order(&[("x-tenant", "t1"), ("X-CORRELATION-ID", "c-1"), ("x-Retry-Count", "2")]).await;

    assert_eq!(status, 201);
    assert_eq!(calls, vec![order(Some("c-1"), Some(2))]);
}

#[tokio::test]
async fn non_integer_retry_count_rejected() {
    let (status, calls) = post_order(&[("X-Tenant", "t1"), ("X-Retry-Count", "abc")]).await;

    assert_eq!(status, 400);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}

#[tokio::test]
async fn negative_retry_count_rejected() {
    let (status, calls) = post_order(&[("X-Tenant", "t1"), ("X-Retry-Count", "-1")]).await;

    assert_eq!(status, 400);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}

#[tokio::test]
async fn client_omits_absent_headers() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(201)).await;

    let response = client(&url).place_order(order(None, None)).await.expect("the call failed");

    assert_eq!(response, PlaceOrderResponse::Created);
    let request = recorder.single();
    assert_eq!(request.header("x-correlation-id"), None);
    assert_eq!(request.header("x-retry-count"), None);
    assert_eq!(request.header("x-tenant"), Some("t1"));
}

#[tokio::test]
async fn client_sends_present_headers() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(201)).await;

    client(&url).place_order(order(Some("c-1"), Some(3))).await.expect("the call failed");

    let request = recorder.single();
    assert_eq!(request.header("x-correlation-id"), Some("c-1"));
    assert_eq!(request.header("x-retry-count"), Some("3"));
}

#[tokio::test]
async fn headers_round_trip_through_client() {
    let orders = Orders::default();
    let url = serve(fx_g25_server::router(orders.clone())).await;
    let client = client(&url);

    client.place_order(order(None, None)).await.expect("the call without optional headers failed");
    client.place_order(order(Some("c-2"), Some(0))).await.expect("the call with every header failed");

    assert_eq!(*lock(&orders.calls), vec![order(None, None), order(Some("c-2"), Some(0))]);
}
