//! A response of several media types. The server picks the media type by the request's `Accept` header and
//! passes it to the implementation, or responds with 406 when nothing matches. The client lists every media
//! type it decodes in `Accept`, with the caller's choice first, and decodes the body by its `Content-Type`.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_negotiation_client::{
    Client, ClientError, CreatePetRequest, CreatePetResponse, Error, GetReportMediaType, GetReportOkBody,
    GetReportRequest, GetReportResponse, NegotiationApi, Pet, ReplaceNotesRequest, ReplaceNotesResponse, Report,
    Server,
};

/// Writes the report of every pet but `ghost` in the media type the server picked, and records each pick.
#[derive(Clone, Default)]
struct Reports {
    picked: Arc<Mutex<Vec<GetReportMediaType>>>,
}

impl NegotiationApi for Reports {
    type Error = Infallible;

    async fn create_pet(&self, request: CreatePetRequest) -> Result<CreatePetResponse, Infallible> {
        let _ = request;
        Ok(CreatePetResponse::Created(Pet { name: "Rex".to_owned(), tag: None }))
    }

    async fn replace_notes(&self, request: ReplaceNotesRequest) -> Result<ReplaceNotesResponse, Infallible> {
        let _ = request;
        Ok(ReplaceNotesResponse::NoContent)
    }

    async fn get_report(&self, request: GetReportRequest) -> Result<GetReportResponse, Infallible> {
        lock(&self.picked).push(request.accept);
        if request.name == "ghost" {
            let error = Error { code: 404, message: "no such pet".to_owned() };
            return Ok(GetReportResponse::NotFound(error));
        }
        let body = match request.accept {
            GetReportMediaType::Json => GetReportOkBody::Json(report(&request.name)),
            GetReportMediaType::Csv => GetReportOkBody::Csv(format!("name,visits\n{},3\n", request.name)),
        };
        Ok(GetReportResponse::Ok(body))
    }
}

fn report(name: &str) -> Report {
    Report { name: name.to_owned(), visits: 3 }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

/// Gets the report of Rex from the generated server with `accept` as the `Accept` header. Returns the status,
/// the content type, the body and the media types the implementation was asked for.
async fn get_report(accept: Option<&str>) -> (u16, String, String, Vec<GetReportMediaType>) {
    let reports = Reports::default();
    let url = serve(fx_negotiation_server::router(reports.clone())).await;
    let mut request = reqwest::Client::new().get(format!("{url}/pets/Rex/report"));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("the request failed");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().expect("the content type is not text").to_owned())
        .unwrap_or_default();
    let body = response.text().await.expect("failed to read the response body");
    let picked = lock(&reports.picked).clone();
    (status, content_type, body, picked)
}

#[tokio::test]
async fn server_picks_by_accept() {
    let cases = [
        (None, GetReportMediaType::Json, "application/json"),
        (Some("text/csv"), GetReportMediaType::Csv, "text/csv"),
        (Some("text/*;q=0.9, application/json;q=0.5"), GetReportMediaType::Csv, "text/csv"),
        (Some("*/*"), GetReportMediaType::Json, "application/json"),
        (Some("application/json;q=0, */*"), GetReportMediaType::Csv, "text/csv"),
    ];

    for (accept, expected, content_type) in cases {
        let (status, received_type, body, picked) = get_report(accept).await;

        assert_eq!(status, 200, "{accept:?}: {body}");
        assert_eq!(picked, vec![expected], "{accept:?}");
        assert_eq!(received_type, content_type, "{accept:?}");
    }
}

#[tokio::test]
async fn server_writes_picked_media_type() {
    let (_, _, csv, _) = get_report(Some("text/csv")).await;
    let (_, _, json, _) = get_report(Some("application/json")).await;

    assert_eq!(csv, "name,visits\nRex,3\n");
    let json: serde_json::Value = serde_json::from_str(&json).expect("the JSON report is not JSON");
    assert_eq!(json, serde_json::json!({"name": "Rex", "visits": 3}));
}

#[tokio::test]
async fn unacceptable_accept_rejected() {
    let (status, content_type, body, picked) = get_report(Some("application/xml, text/html")).await;

    assert_eq!(status, 406);
    assert_eq!(content_type, "application/json");
    let error: serde_json::Value = serde_json::from_str(&body).expect("the error body is not JSON");
    assert_eq!(error["code"], 406, "unexpected error body {error}");
    assert!(picked.is_empty(), "the implementation was called for {picked:?}");
}

#[tokio::test]
async fn client_lists_decodable_media_types() {
    let (url, recorder) = serve_recorder(CannedResponse::new(200, Some("text/csv"), "name,visits\n")).await;
    let client = client(&url);

    for accept in [GetReportMediaType::Json, GetReportMediaType::Csv] {
        client.get_report(GetReportRequest { name: "Rex".to_owned(), accept }).await.expect("the call failed");
    }

    let sent = recorder.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("accept"), Some("application/json, text/csv;q=0.5"));
    assert_eq!(sent[1].header("accept"), Some("text/csv, application/json;q=0.5"));
}

#[tokio::test]
async fn client_decodes_by_content_type() {
    let cases = [
        (CannedResponse::json(200, r#"{"name":"Rex","visits":3}"#), GetReportOkBody::Json(report("Rex"))),
        (
            CannedResponse::new(200, Some("text/csv; charset=utf-8"), "name,visits\n"),
            GetReportOkBody::Csv("name,visits\n".to_owned()),
        ),
    ];

    for (canned, expected) in cases {
        let (url, _recorder) = serve_recorder(canned).await;
        // The caller's preference does not bind the server: the body is decoded as what it is.
        let request = GetReportRequest { name: "Rex".to_owned(), accept: GetReportMediaType::Csv };

        let response = client(&url).get_report(request).await.expect("the call failed");

        assert_eq!(response, GetReportResponse::Ok(expected));
    }
}

#[tokio::test]
async fn client_rejects_unlisted_content_type() {
    let (url, _recorder) = serve_recorder(CannedResponse::new(200, Some("application/xml"), "<report/>")).await;

    let request = GetReportRequest { name: "Rex".to_owned(), accept: GetReportMediaType::Json };

    let outcome = client(&url).get_report(request).await;

    match outcome {
        Err(ClientError::Decode { status, message, .. }) => {
            assert_eq!(status, 200);
            assert!(message.contains("application/xml"), "unexpected message: {message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn each_media_type_round_trips() {
    let url = serve(fx_negotiation_server::router(Reports::default())).await;
    let client = client(&url);

    let json = client.get_report(GetReportRequest { name: "Rex".to_owned(), accept: GetReportMediaType::Json }).await;
    let csv = client.get_report(GetReportRequest { name: "Rex".to_owned(), accept: GetReportMediaType::Csv }).await;
    let missing =
        client.get_report(GetReportRequest { name: "ghost".to_owned(), accept: GetReportMediaType::Csv }).await;

    assert_eq!(json.expect("the JSON call failed"), GetReportResponse::Ok(GetReportOkBody::Json(report("Rex"))));
    let csv = csv.expect("the CSV call failed");
    assert_eq!(csv, GetReportResponse::Ok(GetReportOkBody::Csv("name,visits\nRex,3\n".to_owned())));
    let missing = missing.expect("the call for a missing pet failed");
    assert_eq!(missing, GetReportResponse::NotFound(Error { code: 404, message: "no such pet".to_owned() }));
}
