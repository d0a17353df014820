//! Headers and required bodies. Request and response headers are required, optional or nullable, and a 204
//! response leaves its unset headers out. A response component carries headers. JSON and text bodies are
//! required, and path parameters share their names with a body property or a Rust keyword.

use std::convert::Infallible;

use fx_behaviour::{CannedResponse, serve, serve_recorder};
use fx_echo_client::{
    Client, CopyItemRequest, FilePart, CopyItemResponse, EchoApi, GetKindRequest, GetKindResponse, GetVersionRequest, GetVersionResponse, Item, PingRequest,
    PingResponse, RenameItemRequest, RenameItemResponse, Server, StoreAttachmentBody, StoreAttachmentRequest,
    StoreAttachmentResponse, StoreNoteRequest, StoreNoteResponse, StoreScribbleRequest, StoreScribbleResponse,
};

/// Echoes what each request carries, so the tests see exactly what the server extracted.
#[derive(Clone)]
struct Echo;

impl EchoApi for Echo {
    type Error = Infallible;

    async fn rename_item(&self, request: RenameItemRequest) -> Result<RenameItemResponse, Infallible> {
        Ok(RenameItemResponse::Ok {
            body: Item { name: format!("{} -> {}", request.name, request.body.name) },
            x_trace: request.x_trace,
            x_count: request.x_count.unwrap_or(-1),
            x_note: request.x_count.map(|count| format!("count {count}")),
            x_nullable: None,
        })
    }

    async fn ping(&self, request: PingRequest) -> Result<PingResponse, Infallible> {
        let set = request.mode.as_deref() == Some("set");
        Ok(PingResponse::NoContent {
            x_note: set.then(|| "noted".to_owned()),
            x_nullable: set.then(|| "present".to_owned()),
        })
    }

    async fn copy_item(&self, request: CopyItemRequest) -> Result<CopyItemResponse, Infallible> {
        Ok(CopyItemResponse::Ok { body: request.body, x_revision: 9_007_199_254_740_993 })
    }

    async fn store_note(&self, request: StoreNoteRequest) -> Result<StoreNoteResponse, Infallible> {
        Ok(StoreNoteResponse::Ok(request.body.to_uppercase()))
    }

    async fn get_version(&self, request: GetVersionRequest) -> Result<GetVersionResponse, Infallible> {
        let second = request.n2nd_choice.map(|value| value.to_string()).unwrap_or_default();
        Ok(GetVersionResponse::Ok(format!("{}+{second}", request.n1st)))
    }

    async fn store_scribble(&self, request: StoreScribbleRequest) -> Result<StoreScribbleResponse, Infallible> {
        Ok(StoreScribbleResponse::Ok(request.body.chars().rev().collect()))
    }

    async fn store_attachment(&self, request: StoreAttachmentRequest) -> Result<StoreAttachmentResponse, Infallible> {
        Ok(StoreAttachmentResponse::Ok(request.body.file.content_type.unwrap_or_default()))
    }

    async fn get_kind(&self, request: GetKindRequest) -> Result<GetKindResponse, Infallible> {
        Ok(GetKindResponse::Ok(request.r#type))
    }
}

async fn start() -> (String, Client) {
    let url = serve(fx_echo_server::router(Echo)).await;
    let client = Client::builder().server_url(Server::Default, &url).build();
    (url, client)
}

#[tokio::test]
async fn headers_round_trip() {
    let (_, client) = start().await;
    let request = RenameItemRequest {
        name: "old/name".to_owned(),
        x_trace: "trace-1".to_owned(),
        x_count: Some(3),
        body: Item { name: "new".to_owned() },
    };
    let expected = RenameItemResponse::Ok {
        body: Item { name: "old/name -> new".to_owned() },
        x_trace: "trace-1".to_owned(),
        x_count: 3,
        x_note: Some("count 3".to_owned()),
        x_nullable: None,
    };
    assert_eq!(client.rename_item(request).await.expect("the call failed"), expected);
}

#[tokio::test]
async fn optional_header_absent_round_trips() {
    let (_, client) = start().await;
    let request = RenameItemRequest {
        name: "a".to_owned(),
        x_trace: "trace-2".to_owned(),
        x_count: None,
        body: Item { name: "b".to_owned() },
    };
    match client.rename_item(request).await.expect("the call failed") {
        RenameItemResponse::Ok { x_count, x_note, x_nullable, .. } => {
            assert_eq!(x_count, -1);
            assert_eq!(x_note, None);
            assert_eq!(x_nullable, None);
        }
        other => panic!("expected 200, got {other:?}"),
    }
}

#[tokio::test]
async fn missing_required_header_is_400() {
    let (url, _) = start().await;
    let response = reqwest::Client::new()
        .post(format!("{url}/items/a"))
        .header("content-type", "application/json")
        .body(r#"{"name":"b"}"#)
        .send()
        .await
        .expect("the request failed");
    assert_eq!(response.status().as_u16(), 400);
    let body = response.text().await.expect("failed to read the body");
    assert!(body.contains("X-Trace"), "{body}");
}

#[tokio::test]
async fn unset_204_headers_are_omitted() {
    let (url, client) = start().await;
    let response = reqwest::Client::new().post(format!("{url}/ping")).send().await.expect("the request failed");
    assert_eq!(response.status().as_u16(), 204);
    assert!(response.headers().get("x-note").is_none());
    assert!(response.headers().get("x-nullable").is_none());

    let unset = client.ping(PingRequest { mode: None }).await.expect("the call failed");
    assert_eq!(unset, PingResponse::NoContent { x_note: None, x_nullable: None });
    let set = client.ping(PingRequest { mode: Some("set".to_owned()) }).await.expect("the call failed");
    let expected = PingResponse::NoContent { x_note: Some("noted".to_owned()), x_nullable: Some("present".to_owned()) };
    assert_eq!(set, expected);
}

#[tokio::test]
async fn response_component_headers_round_trip() {
    let (_, client) = start().await;
    let request = CopyItemRequest { body: Item { name: "draft".to_owned() } };
    let expected = CopyItemResponse::Ok { body: Item { name: "draft".to_owned() }, x_revision: 9_007_199_254_740_993 };
    assert_eq!(client.copy_item(request).await.expect("the call failed"), expected);
}

#[tokio::test]
async fn missing_required_bodies_are_400() {
    let (url, _) = start().await;
    let http = reqwest::Client::new();
    for (path, content_type) in [("/copies", "application/json"), ("/notes", "text/plain")] {
        let response = http
            .post(format!("{url}{path}"))
            .header("content-type", content_type)
            .send()
            .await
            .expect("the request failed");
        assert_eq!(response.status().as_u16(), 400, "{path}");
        let body = response.text().await.expect("failed to read the body");
        assert!(body.contains("body"), "{path}: {body}");
    }
}

#[tokio::test]
async fn text_body_round_trips() {
    let (_, client) = start().await;
    let response = client.store_note(StoreNoteRequest { body: "ünïcode & more".to_owned() }).await;
    assert_eq!(response.expect("the call failed"), StoreNoteResponse::Ok("ÜNÏCODE & MORE".to_owned()));
}

#[tokio::test]
async fn keyword_path_parameter_round_trips() {
    let (_, client) = start().await;
    let response = client.get_kind(GetKindRequest { r#type: "a b/c".to_owned() }).await;
    assert_eq!(response.expect("the call failed"), GetKindResponse::Ok("a b/c".to_owned()));
}

#[tokio::test]
async fn digit_parameter_names_round_trip() {
    let (_, client) = start().await;
    let request = GetVersionRequest { n1st: "v1 beta/2".to_owned(), n2nd_choice: Some(7) };
    let response = client.get_version(request).await.expect("the call failed");
    assert_eq!(response, GetVersionResponse::Ok("v1 beta/2+7".to_owned()));
}

#[tokio::test]
async fn text_range_sent_as_text_plain() {
    let (url, client) = start().await;
    let response = client.store_scribble(StoreScribbleRequest { body: "abc".to_owned() }).await;
    assert_eq!(response.expect("the call failed"), StoreScribbleResponse::Ok("cba".to_owned()));

    let raw = reqwest::Client::new()
        .post(format!("{url}/scribbles"))
        .header("content-type", "text/markdown")
        .body("# hi")
        .send()
        .await
        .expect("the request failed");
    assert_eq!(raw.status().as_u16(), 200);
    let content_type = raw.headers().get("content-type").and_then(|value| value.to_str().ok()).map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some("text/plain"));
}

#[tokio::test]
async fn client_sends_text_range_as_text_plain() {
    let (url, recorder) = serve_recorder(CannedResponse::new(200, Some("text/plain"), "ok")).await;
    let client = Client::builder().server_url(Server::Default, &url).build();
    let response = client.store_scribble(StoreScribbleRequest { body: "abc".to_owned() }).await;
    assert_eq!(response.expect("the call failed"), StoreScribbleResponse::Ok("ok".to_owned()));
    assert_eq!(recorder.single().header("content-type"), Some("text/plain"));
}

#[tokio::test]
async fn file_part_of_any_type_sent_as_bytes() {
    let (_, client) = start().await;
    let unnamed = StoreAttachmentRequest { body: StoreAttachmentBody { file: FilePart::from(vec![1, 2]) } };
    let response = client.store_attachment(unnamed).await.expect("the call failed");
    assert_eq!(response, StoreAttachmentResponse::Ok("application/octet-stream".to_owned()));

    let typed = FilePart::new(vec![1, 2], "a.gif", "image/gif");
    let response = client.store_attachment(StoreAttachmentRequest { body: StoreAttachmentBody { file: typed } }).await;
    assert_eq!(response.expect("the call failed"), StoreAttachmentResponse::Ok("image/gif".to_owned()));
}
