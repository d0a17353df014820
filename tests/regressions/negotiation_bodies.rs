//! Request bodies of several media types. The caller picks the variant of the body enum, and the client
//! sends it with that variant's content type. The server decodes it by `Content-Type`, or rejects a media
//! type the operation does not list with 415 and the document's error body.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, FormPart, encode_multipart, lock, parse_multipart, serve, serve_recorder};
use fx_negotiation_client::{
    Client, CreatePetBody, CreatePetBodyMultipart, CreatePetRequest, CreatePetResponse, Error, FilePart, GetReportRequest,
    GetReportResponse, NegotiationApi, Pet, ReplaceNotesBody, ReplaceNotesRequest, ReplaceNotesResponse, Server,
};

/// Records each body and responds with a fixed pet.
#[derive(Clone, Default)]
struct Pets {
    created: Arc<Mutex<Vec<CreatePetBody>>>,
    notes: Arc<Mutex<Vec<Option<ReplaceNotesBody>>>>,
}

impl NegotiationApi for Pets {
    type Error = Infallible;

    async fn create_pet(&self, request: CreatePetRequest) -> Result<CreatePetResponse, Infallible> {
        lock(&self.created).push(request.body);
        Ok(CreatePetResponse::Created(pet("Rex", None)))
    }

    async fn replace_notes(&self, request: ReplaceNotesRequest) -> Result<ReplaceNotesResponse, Infallible> {
        lock(&self.notes).push(request.body);
        Ok(ReplaceNotesResponse::NoContent)
    }

    async fn get_report(&self, request: GetReportRequest) -> Result<GetReportResponse, Infallible> {
        let error = Error { code: 404, message: format!("no report for {}", request.name) };
        Ok(GetReportResponse::NotFound(error))
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

fn pet(name: &str, tag: Option<&str>) -> Pet {
    Pet { name: name.to_owned(), tag: tag.map(str::to_owned) }
}

/// Posts `body` to `/pets` of the generated server and returns the status, the response body and the bodies
/// that reached the implementation.
async fn post_pet(content_type: Option<&str>, body: Vec<u8>) -> (u16, serde_json::Value, Vec<CreatePetBody>) {
    let pets = Pets::default();
    let url = serve(fx_negotiation_server::router(pets.clone())).await;
    let mut request = reqwest::Client::new().post(format!("{url}/pets")).body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.expect("the request failed");
    let status = response.status().as_u16();
    let text = response.text().await.expect("failed to read the response body");
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    let created = lock(&pets.created).clone();
    (status, json, created)
}

#[tokio::test]
async fn client_sends_chosen_media_type() {
    let (url, recorder) = serve_recorder(CannedResponse::json(201, r#"{"name":"Rex"}"#)).await;
    let client = client(&url);
    let bodies = [
        CreatePetBody::Json(pet("Rex", Some("dog"))),
        CreatePetBody::Form(pet("Rex", Some("dog"))),
        CreatePetBody::Text("Rex the dog".to_owned()),
    ];

    for body in bodies {
        let response = client.create_pet(CreatePetRequest { body }).await.expect("the call failed");
        assert_eq!(response, CreatePetResponse::Created(pet("Rex", None)));
    }

    let sent = recorder.requests();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&sent[0].body).expect("the JSON body is not JSON");
    assert_eq!(json, serde_json::json!({"name": "Rex", "tag": "dog"}));
    assert_eq!(sent[1].header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(sent[1].body, b"name=Rex&tag=dog");
    assert_eq!(sent[2].header("content-type"), Some("text/plain"));
    assert_eq!(sent[2].body, b"Rex the dog");
}

#[tokio::test]
async fn client_sends_multipart_variant() {
    let (url, recorder) = serve_recorder(CannedResponse::json(201, r#"{"name":"Rex"}"#)).await;
    let body = CreatePetBody::Multipart(CreatePetBodyMultipart { name: "Rex".to_owned(), photo: Some(vec![1, 2, 3].into()) });

    client(&url).create_pet(CreatePetRequest { body }).await.expect("the call failed");

    let sent = recorder.single();
    let parts = parse_multipart(sent.header("content-type").expect("no content type"), &sent.body);
    assert_eq!(parts.len(), 2);
    assert_eq!((parts[0].name.as_str(), parts[0].body.as_slice()), ("name", &b"Rex"[..]));
    assert_eq!((parts[1].name.as_str(), parts[1].body.as_slice()), ("photo", &[1u8, 2, 3][..]));
}

#[tokio::test]
async fn server_decodes_by_content_type() {
    let cases: [(&str, &[u8], CreatePetBody); 4] = [
        ("application/json", br#"{"name":"Rex","tag":"dog"}"#, CreatePetBody::Json(pet("Rex", Some("dog")))),
        ("application/json; charset=utf-8", br#"{"name":"Rex"}"#, CreatePetBody::Json(pet("Rex", None))),
        ("application/x-www-form-urlencoded", b"name=Rex&tag=dog", CreatePetBody::Form(pet("Rex", Some("dog")))),
        ("text/plain", b"Rex the dog", CreatePetBody::Text("Rex the dog".to_owned())),
    ];

    for (content_type, body, expected) in cases {
        let (status, response, created) = post_pet(Some(content_type), body.to_vec()).await;

        assert_eq!(status, 201, "{content_type}: {response}");
        assert_eq!(created, vec![expected], "{content_type}");
    }
}

#[tokio::test]
async fn server_decodes_multipart_variant() {
    let (content_type, body) =
        encode_multipart(&[FormPart { name: "name", file_name: None, content_type: None, body: b"Rex" }]);

    let (status, response, created) = post_pet(Some(&content_type), body).await;

    assert_eq!(status, 201, "{response}");
    let expected = CreatePetBody::Multipart(CreatePetBodyMultipart { name: "Rex".to_owned(), photo: None });
    assert_eq!(created, vec![expected]);
}

#[tokio::test]
async fn unlisted_media_type_rejected() {
    let (status, response, created) = post_pet(Some("application/xml"), b"<pet name=\"Rex\"/>".to_vec()).await;

    assert_eq!(status, 415);
    assert_eq!(response["code"], 415, "unexpected error body {response}");
    let message = response["message"].as_str().expect("the error body has no message");
    assert!(message.contains("application/x-www-form-urlencoded"), "unexpected message: {message}");
    assert!(created.is_empty(), "the implementation received {created:?}");
}

#[tokio::test]
async fn missing_content_type_rejected() {
    let (status, response, created) = post_pet(None, br#"{"name":"Rex"}"#.to_vec()).await;

    assert_eq!(status, 415);
    assert_eq!(response["code"], 415, "unexpected error body {response}");
    assert!(created.is_empty(), "the implementation received {created:?}");
}

#[tokio::test]
async fn invalid_variant_rejected() {
    let (multipart_type, multipart_body) =
        encode_multipart(&[FormPart { name: "name", file_name: None, content_type: None, body: b"" }]);
    let cases = [
        ("application/json".to_owned(), br#"{"name":""}"#.to_vec()),
        ("application/json".to_owned(), br#"{"tag":"dog"}"#.to_vec()),
        ("application/x-www-form-urlencoded".to_owned(), b"tag=dog".to_vec()),
        (multipart_type, multipart_body),
    ];

    for (content_type, body) in cases {
        let (status, response, created) = post_pet(Some(&content_type), body).await;

        assert_eq!(status, 400, "{content_type}: {response}");
        assert_eq!(response["code"], 400, "{content_type}: unexpected error body {response}");
        assert!(created.is_empty(), "{content_type}: the implementation received {created:?}");
    }
}

#[tokio::test]
async fn optional_body_variants_round_trip() {
    let pets = Pets::default();
    let url = serve(fx_negotiation_server::router(pets.clone())).await;
    let client = client(&url);
    let bodies = [
        None,
        Some(ReplaceNotesBody::Json(vec!["friendly".to_owned(), "loud".to_owned()])),
        Some(ReplaceNotesBody::Text("friendly, loud".to_owned())),
    ];

    for body in bodies.clone() {
        let request = ReplaceNotesRequest { name: "Rex".to_owned(), body };
        let response = client.replace_notes(request).await.expect("the call failed");
        assert_eq!(response, ReplaceNotesResponse::NoContent);
    }

    assert_eq!(*lock(&pets.notes), bodies);
}

#[tokio::test]
async fn every_create_variant_round_trips() {
    let pets = Pets::default();
    let url = serve(fx_negotiation_server::router(pets.clone())).await;
    let client = client(&url);
    let bodies = vec![
        CreatePetBody::Json(pet("Rex", Some("dog"))),
        CreatePetBody::Form(pet("Rex & Co", Some("a=b"))),
        CreatePetBody::Text("Rex".to_owned()),
        CreatePetBody::Multipart(CreatePetBodyMultipart {
            name: "Rex".to_owned(),
            photo: Some(FilePart::new(vec![0, 255], "rex.bin", "application/octet-stream")),
        }),
    ];

    for body in bodies.clone() {
        client.create_pet(CreatePetRequest { body }).await.expect("the call failed");
    }

    assert_eq!(*lock(&pets.created), bodies);
}

#[tokio::test]
async fn server_checks_chosen_variant() {
    let pets = Pets::default();
    let url = serve(fx_negotiation_server::router(pets.clone())).await;

    let response = reqwest::Client::new()
        .put(format!("{url}/pets/Rex/notes"))
        .header("content-type", "application/json")
        .body(r#"["a note longer than twenty characters"]"#)
        .send()
        .await
        .expect("the request failed");

    assert_eq!(response.status().as_u16(), 400);
    assert!(lock(&pets.notes).is_empty(), "the implementation received a body");
}
