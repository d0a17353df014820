//! Request bodies that are not required: `rebootMachine` (`required: false`) and `putMachineNote`
//! (`required` left out, and a media type without a schema, so any JSON value).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_g28_client::{
    Client, G28Api, PutMachineNoteRequest, PutMachineNoteResponse, RebootMachineBody, RebootMachineRequest,
    RebootMachineResponse, Server,
};
use serde_json::json;

/// One call as the implementation received it.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    Reboot(RebootMachineRequest),
    Note(PutMachineNoteRequest),
}

#[derive(Clone, Default)]
struct Machines {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl G28Api for Machines {
    type Error = Infallible;

    async fn reboot_machine(&self, request: RebootMachineRequest) -> Result<RebootMachineResponse, Infallible> {
        lock(&self.calls).push(Call::Reboot(request));
        Ok(RebootMachineResponse::Accepted)
    }

    async fn put_machine_note(&self, request: PutMachineNoteRequest) -> Result<PutMachineNoteResponse, Infallible> {
        lock(&self.calls).push(Call::Note(request));
        Ok(PutMachineNoteResponse::NoContent)
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

/// Sends `method <path>` with an optional JSON body and returns the status and the calls that reached the implementation.
async fn server_receives(method: reqwest::Method, path: &str, json_body: Option<&str>) -> (u16, Vec<Call>) {
    let machines = Machines::default();
    let url = serve(fx_g28_server::router(machines.clone())).await;
    let mut request = reqwest::Client::new().request(method, format!("{url}{path}"));
    if let Some(body) = json_body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    let response = request.send().await.expect("the request failed");
    let calls = lock(&machines.calls).clone();
    (response.status().as_u16(), calls)
}

fn reboot(body: Option<RebootMachineBody>) -> Call {
    Call::Reboot(RebootMachineRequest { name: "m1".to_owned(), body })
}

fn note(body: Option<serde_json::Value>) -> Call {
    Call::Note(PutMachineNoteRequest { name: "m1".to_owned(), body })
}

#[tokio::test]
async fn client_sends_nothing_for_none() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(202)).await;

    let request = RebootMachineRequest { name: "m1".to_owned(), body: None };
    let response = client(&url).reboot_machine(request).await.expect("the call failed");

    assert_eq!(response, RebootMachineResponse::Accepted);
    let sent = recorder.single();
    assert!(sent.body.is_empty(), "the client sent the body {:?}", String::from_utf8_lossy(&sent.body));
    assert_eq!(sent.header("content-type"), None);
}

#[tokio::test]
async fn empty_body_becomes_none() {
    let (status, calls) = server_receives(reqwest::Method::POST, "/machines/m1/reboot", None).await;

    assert_eq!(status, 202);
    assert_eq!(calls, vec![reboot(None)]);
}

#[tokio::test]
async fn present_body_reaches_handler() {
    let (status, calls) =
        server_receives(reqwest::Method::POST, "/machines/m1/reboot", Some(r#"{"force":true}"#)).await;

    assert_eq!(status, 202);
    assert_eq!(calls, vec![reboot(Some(RebootMachineBody { force: Some(true) }))]);
}

#[tokio::test]
async fn malformed_optional_body_rejected() {
    let (status, calls) = server_receives(reqwest::Method::POST, "/machines/m1/reboot", Some(r#"{"force":"#)).await;

    assert_eq!(status, 400);
    assert!(calls.is_empty(), "the implementation was called with {calls:?}");
}

#[tokio::test]
async fn schemaless_body_takes_any_json() {
    let body = r#"{"lines":["a",1,null],"pinned":false}"#;

    let (status, calls) = server_receives(reqwest::Method::PUT, "/machines/m1/note", Some(body)).await;

    assert_eq!(status, 204);
    assert_eq!(calls, vec![note(Some(json!({ "lines": ["a", 1, null], "pinned": false })))]);
}

#[tokio::test]
async fn schemaless_body_may_be_absent() {
    let (status, calls) = server_receives(reqwest::Method::PUT, "/machines/m1/note", None).await;

    assert_eq!(status, 204);
    assert_eq!(calls, vec![note(None)]);
}

#[tokio::test]
async fn optional_bodies_round_trip() {
    let machines = Machines::default();
    let url = serve(fx_g28_server::router(machines.clone())).await;
    let client = client(&url);
    let calls = vec![
        reboot(None),
        reboot(Some(RebootMachineBody { force: Some(false) })),
        note(None),
        note(Some(json!(["any", { "json": 1 }]))),
    ];

    for call in &calls {
        match call.clone() {
            Call::Reboot(request) => {
                let response = client.reboot_machine(request).await.expect("reboot_machine failed");
                assert_eq!(response, RebootMachineResponse::Accepted);
            }
            Call::Note(request) => {
                let response = client.put_machine_note(request).await.expect("put_machine_note failed");
                assert_eq!(response, PutMachineNoteResponse::NoContent);
            }
        }
    }

    assert_eq!(*lock(&machines.calls), calls);
}
