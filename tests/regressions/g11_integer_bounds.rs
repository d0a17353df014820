//! Integers typed from their bounds: `hits` (`minimum: 0`, no format) takes values far above 127,
//! `percent` is checked against 0..=100, and `total` (`int64`) takes the smallest 64-bit value.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{lock, serve};
use fx_g11_client::{Client, Counter, G11Api, PutCounterRequest, PutCounterResponse, Server};
use serde_json::{Value, json};

/// Records each counter and responds with it.
#[derive(Clone, Default)]
struct Counters {
    received: Arc<Mutex<Vec<Counter>>>,
}

impl G11Api for Counters {
    type Error = Infallible;

    async fn put_counter(&self, request: PutCounterRequest) -> Result<PutCounterResponse, Infallible> {
        lock(&self.received).push(request.body.clone());
        Ok(PutCounterResponse::Ok(request.body))
    }
}

/// The result of one raw `PUT /counters/c1`.
struct Outcome {
    status: u16,
    /// The response body as text, so number formatting can be checked.
    body: String,
    received: Vec<Counter>,
}

async fn put_counter(body: Value) -> Outcome {
    let counters = Counters::default();
    let url = serve(fx_g11_server::router(counters.clone())).await;
    let response = reqwest::Client::new()
        .put(format!("{url}/counters/c1"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("the request failed");
    let status = response.status().as_u16();
    let body = response.text().await.expect("failed to read the body");
    let received = lock(&counters.received).clone();
    Outcome { status, body, received }
}

/// Asserts that the server accepted `body` and responded with the same JSON value.
async fn assert_accepted(body: Value) {
    let outcome = put_counter(body.clone()).await;
    assert_eq!(outcome.status, 200, "{body} was rejected: {}", outcome.body);
    assert_eq!(outcome.received.len(), 1, "{body} did not reach the implementation");
    let echoed: Value = serde_json::from_str(&outcome.body).expect("the body is not JSON");
    assert_eq!(echoed, body);
}

async fn assert_rejected(body: Value) {
    let outcome = put_counter(body.clone()).await;
    assert_eq!(outcome.status, 400, "{body} was not rejected: {}", outcome.body);
    assert!(outcome.received.is_empty(), "{body} reached the implementation");
}

#[tokio::test]
async fn hits_accepts_large_values() {
    assert_accepted(json!({ "hits": 300 })).await;
    assert_accepted(json!({ "hits": 5_000_000_000_u64 })).await;
}

#[tokio::test]
async fn negative_hits_rejected() {
    assert_rejected(json!({ "hits": -1 })).await;
}

#[tokio::test]
async fn percent_accepts_bounds() {
    assert_accepted(json!({ "hits": 0, "percent": 0 })).await;
    assert_accepted(json!({ "hits": 0, "percent": 100 })).await;
}

#[tokio::test]
async fn percent_above_maximum_rejected() {
    assert_rejected(json!({ "hits": 0, "percent": 101 })).await;
}

#[tokio::test]
async fn total_accepts_int64_minimum() {
    let outcome = put_counter(json!({ "hits": 0, "total": i64::MIN })).await;

    assert_eq!(outcome.status, 200, "rejected: {}", outcome.body);
    assert!(outcome.body.contains("\"total\":-9223372036854775808"), "the body is {}", outcome.body);
}

#[tokio::test]
async fn extreme_counter_round_trips() {
    let counters = Counters::default();
    let url = serve(fx_g11_server::router(counters.clone())).await;
    let client = Client::builder().server_url(Server::Default, url).build();
    let counter = Counter { hits: 5_000_000_000, percent: Some(100), total: Some(i64::MIN) };

    let request = PutCounterRequest { name: "c1".to_owned(), body: counter.clone() };
    let response = client.put_counter(request).await.expect("the call failed");

    assert_eq!(response, PutCounterResponse::Ok(counter));
}
