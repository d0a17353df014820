//! `text/plain` responses, inline with the header `X-Trace-Id` (200) and through `components/responses`
//! (500): the server writes the string verbatim and sets the header, and the client reads the body as a
//! string without JSON decoding, together with the header.

use std::convert::Infallible;

use fx_behaviour::{CannedResponse, serve, serve_recorder};
use fx_g20_client::{Client, G20Api, LivenessRequest, LivenessResponse, Server};

/// Returns one fixed response to every request.
#[derive(Clone)]
struct Probe {
    response: LivenessResponse,
}

impl G20Api for Probe {
    type Error = Infallible;

    async fn liveness(&self, _request: LivenessRequest) -> Result<LivenessResponse, Infallible> {
        Ok(self.response.clone())
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

fn live(body: &str, trace_id: Option<&str>) -> LivenessResponse {
    LivenessResponse::Ok { body: body.to_owned(), x_trace_id: trace_id.map(str::to_owned) }
}

/// A raw response of the generated server.
struct RawResponse {
    status: u16,
    content_type: Option<String>,
    trace_id: Option<String>,
    body: String,
}

/// Serves `response` and sends a raw `GET /liveness`.
async fn raw_liveness(response: LivenessResponse) -> RawResponse {
    let url = serve(fx_g20_server::router(Probe { response })).await;
    let response = reqwest::get(format!("{url}/liveness")).await.expect("the request failed");
    let header = |name: &str| {
        response.headers().get(name).map(|value| value.to_str().expect("a header is not visible ASCII").to_owned())
    };
    let content_type = header("content-type");
    let trace_id = header("x-trace-id");
    let status = response.status().as_u16();
    let body = response.text().await.expect("failed to read the body");
    RawResponse { status, content_type, trace_id, body }
}

fn is_text_plain(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|value| value.split(';').next().is_some_and(|media| media.trim() == "text/plain"))
}

#[tokio::test]
async fn server_writes_text_verbatim() {
    let raw = raw_liveness(live("ok", None)).await;

    assert_eq!(raw.status, 200);
    assert!(is_text_plain(raw.content_type.as_deref()), "content type {:?}", raw.content_type);
    assert_eq!(raw.body, "ok");
}

#[tokio::test]
async fn server_sets_trace_header() {
    let raw = raw_liveness(live("ok", Some("trace-1"))).await;

    assert_eq!(raw.status, 200);
    assert_eq!(raw.trace_id.as_deref(), Some("trace-1"));
}

#[tokio::test]
async fn server_omits_absent_trace_header() {
    let raw = raw_liveness(live("ok", None)).await;

    assert_eq!(raw.trace_id, None);
}

#[tokio::test]
async fn referenced_response_writes_text() {
    let raw = raw_liveness(LivenessResponse::InternalServerError("database \"main\" is down".to_owned())).await;

    assert_eq!(raw.status, 500);
    assert!(is_text_plain(raw.content_type.as_deref()), "content type {:?}", raw.content_type);
    assert_eq!(raw.body, "database \"main\" is down");
}

#[tokio::test]
async fn client_reads_text_and_header() {
    let canned = CannedResponse::new(200, Some("text/plain"), "ok").with_header("x-trace-id", "trace-2");
    let (url, _recorder) = serve_recorder(canned).await;

    let response = client(&url).liveness(LivenessRequest::default()).await.expect("the call failed");

    assert_eq!(response, live("ok", Some("trace-2")));
}

#[tokio::test]
async fn client_reads_referenced_text_body() {
    let (url, _recorder) = serve_recorder(CannedResponse::new(500, Some("text/plain; charset=utf-8"), "down")).await;

    let response = client(&url).liveness(LivenessRequest::default()).await.expect("the call failed");

    assert_eq!(response, LivenessResponse::InternalServerError("down".to_owned()));
}

#[tokio::test]
async fn text_round_trips_through_client() {
    let response = live("{\"not\": \"json\"} é\n", Some("trace-3"));
    let url = serve(fx_g20_server::router(Probe { response: response.clone() })).await;

    let received = client(&url).liveness(LivenessRequest::default()).await.expect("the call failed");

    assert_eq!(received, response);
}
