//! Several JSON media types on one body. Those with the same schema decode into one type, and the server
//! writes the response in the one the request's `Accept` prefers. Those with different schemas become one
//! variant each: the server picks a request's variant by `Content-Type`, the caller picks the response's
//! with `accept`, and the response check looks into the variant the implementation returned.

use std::convert::Infallible;

use fx_alternatives_client::{
    AlternativesApi, Area, Circle, Client, GetNoteRequest, GetNoteResponse, MeasureShapeBody, MeasureShapeMediaType,
    MeasureShapeOkBody, MeasureShapeOkBodyJson, MeasureShapeRequest, MeasureShapeResponse, Note, Problem, Server,
    Square,
};
use fx_behaviour::serve;

/// Returns every note but 0, and the area of a shape in the requested media type. A negative side gives a
/// negative area, which breaks `Area`'s `minimum: 0`.
#[derive(Clone)]
struct Shapes;

impl AlternativesApi for Shapes {
    type Error = Infallible;

    async fn get_note(&self, request: GetNoteRequest) -> Result<GetNoteResponse, Infallible> {
        if request.id == 0 {
            return Ok(GetNoteResponse::NotFound(Problem { status: 404, title: "no such note".to_owned() }));
        }
        Ok(GetNoteResponse::Ok(Note { id: request.id, text: "buy milk".to_owned() }))
    }

    async fn measure_shape(&self, request: MeasureShapeRequest) -> Result<MeasureShapeResponse, Infallible> {
        let (label, value) = match request.body {
            MeasureShapeBody::VndCircleJson(circle) => ("circle", std::f64::consts::PI * circle.radius * circle.radius),
            MeasureShapeBody::VndSquareJson(square) => ("square", square.side * square.side.abs()),
        };
        let area = Area { label: label.to_owned(), value };
        let body = match request.accept {
            MeasureShapeMediaType::Json if label == "circle" => MeasureShapeOkBody::Json(MeasureShapeOkBodyJson::Number(value)),
            MeasureShapeMediaType::Json => MeasureShapeOkBody::Json(MeasureShapeOkBodyJson::Area(area)),
            MeasureShapeMediaType::VndAreaJson => MeasureShapeOkBody::VndAreaJson(area),
        };
        Ok(MeasureShapeResponse::Ok { body, x_unit: "cm2".to_owned() })
    }
}

async fn start() -> String {
    serve(fx_alternatives_server::router(Shapes)).await
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

/// Gets a note with `accept` as the `Accept` header and returns the status and the content type.
async fn note_content_type(url: &str, id: i32, accept: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("{url}/notes/{id}"));
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("the request failed");
    let content_type = response.headers().get("content-type").and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
    (response.status().as_u16(), content_type)
}

#[tokio::test]
async fn same_schema_follows_accept() {
    let url = start().await;
    let cases = [
        (1, None, 200, "application/json"),
        (1, Some("application/vnd.notes.v2+json"), 200, "application/vnd.notes.v2+json"),
        (1, Some("application/json;q=0.2, application/vnd.notes.v2+json"), 200, "application/vnd.notes.v2+json"),
        (1, Some("text/html"), 200, "application/json"),
        (0, Some("application/problem+json"), 404, "application/problem+json"),
        (0, Some("*/*"), 404, "application/json"),
    ];
    for (id, accept, status, content_type) in cases {
        assert_eq!(note_content_type(&url, id, accept).await, (status, content_type.to_owned()), "Accept: {accept:?}");
    }
}

#[tokio::test]
async fn same_schema_decodes_one_type() {
    let url = start().await;
    let client = client(&url);
    let found = client.get_note(GetNoteRequest { id: 7 }).await.expect("the call failed");
    assert_eq!(found, GetNoteResponse::Ok(Note { id: 7, text: "buy milk".to_owned() }));
    let missing = client.get_note(GetNoteRequest { id: 0 }).await.expect("the call failed");
    assert_eq!(missing, GetNoteResponse::NotFound(Problem { status: 404, title: "no such note".to_owned() }));
}

#[tokio::test]
async fn different_schemas_round_trip() {
    let url = start().await;
    let client = client(&url);
    let circle = MeasureShapeRequest {
        body: MeasureShapeBody::VndCircleJson(Circle { radius: 1.0 }),
        accept: MeasureShapeMediaType::Json,
    };
    let number = MeasureShapeOkBody::Json(MeasureShapeOkBodyJson::Number(std::f64::consts::PI));
    let expected = MeasureShapeResponse::Ok { body: number, x_unit: "cm2".to_owned() };
    assert_eq!(client.measure_shape(circle).await.expect("the call failed"), expected);

    let square = MeasureShapeRequest {
        body: MeasureShapeBody::VndSquareJson(Square { side: 3.0 }),
        accept: MeasureShapeMediaType::VndAreaJson,
    };
    let area = MeasureShapeOkBody::VndAreaJson(Area { label: "square".to_owned(), value: 9.0 });
    let expected = MeasureShapeResponse::Ok { body: area, x_unit: "cm2".to_owned() };
    assert_eq!(client.measure_shape(square).await.expect("the call failed"), expected);
}

/// Posts `body` as `content_type` and returns the status and the body.
async fn post_shape(url: &str, content_type: &str, body: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{url}/shapes"))
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("the request failed");
    (response.status().as_u16(), response.text().await.expect("failed to read the body"))
}

#[tokio::test]
async fn request_variant_follows_content_type() {
    let url = start().await;
    let (status, body) = post_shape(&url, "application/vnd.square+json", r#"{"side":2}"#).await;
    assert_eq!((status, body.as_str()), (200, r#"{"label":"square","value":4.0}"#));
    // A circle sent as a square breaks `Square`, which forbids other properties.
    let (status, body) = post_shape(&url, "application/vnd.square+json", r#"{"radius":2}"#).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("radius"), "{body}");
    let (status, _) = post_shape(&url, "application/json", r#"{"side":2}"#).await;
    assert_eq!(status, 415);
}

#[tokio::test]
async fn response_check_reads_variant() {
    let url = start().await;
    // The client skips its own check, so the server receives the negative side.
    let client = Client::builder().server_url(Server::Default, &url).validate_requests(false).build();
    for accept in [MeasureShapeMediaType::Json, MeasureShapeMediaType::VndAreaJson] {
        let square = MeasureShapeRequest { body: MeasureShapeBody::VndSquareJson(Square { side: -2.0 }), accept };
        match client.measure_shape(square).await {
            Err(fx_alternatives_client::ClientError::UnexpectedStatus { status, .. }) => assert_eq!(status, 500),
            other => panic!("the response check let a negative area through as {accept:?}: {other:?}"),
        }
    }
}
