//! Request bodies that are not valid JSON, or JSON that breaks the schema, get the documented 400 with a
//! JSON body, and a body that is not JSON by its content type gets 415. None of them gets a 500.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{lock, serve};
use fx_g29_client::{CreateMemberBody, CreateMemberRequest, CreateMemberResponse, G29Api};

/// Records each member and responds with 201.
#[derive(Clone, Default)]
struct Members {
    received: Arc<Mutex<Vec<CreateMemberBody>>>,
}

impl G29Api for Members {
    type Error = Infallible;

    async fn create_member(&self, request: CreateMemberRequest) -> Result<CreateMemberResponse, Infallible> {
        lock(&self.received).push(request.body);
        Ok(CreateMemberResponse::Created)
    }
}

/// The result of one raw `POST /members`.
struct Outcome {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
    received: Vec<CreateMemberBody>,
}

async fn post_member(content_type: Option<&str>, body: &[u8]) -> Outcome {
    let members = Members::default();
    let url = serve(fx_g29_server::router(members.clone())).await;
    let mut request = reqwest::Client::new().post(format!("{url}/members")).body(body.to_vec());
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.expect("the request failed");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().expect("the content type is not visible ASCII").to_owned());
    let body = response.bytes().await.expect("failed to read the body").to_vec();
    let received = lock(&members.received).clone();
    Outcome { status, content_type, body, received }
}

/// Asserts that a JSON request with `body` gets the documented 400: a JSON object whose `detail` is a string.
async fn assert_documented_400(case: &str, body: &[u8]) {
    let outcome = post_member(Some("application/json"), body).await;

    assert_eq!(outcome.status, 400, "{case}");
    assert_eq!(outcome.content_type.as_deref(), Some("application/json"), "{case}");
    let error: serde_json::Value = serde_json::from_slice(&outcome.body).expect("the 400 body is not JSON");
    assert!(error["detail"].is_string(), "{case}: the 400 body {error} has no string `detail`");
    assert!(outcome.received.is_empty(), "{case}: the implementation received {:?}", outcome.received);
}

#[tokio::test]
async fn valid_member_created() {
    let outcome = post_member(Some("application/json"), br#"{"name":"Ada","age":36}"#).await;

    assert_eq!(outcome.status, 201);
    assert_eq!(outcome.received, vec![CreateMemberBody { name: "Ada".to_owned(), age: 36 }]);
}

#[tokio::test]
async fn truncated_json_rejected() {
    assert_documented_400("truncated object", br#"{"name":"Ada","age":"#).await;
}

#[tokio::test]
async fn invalid_utf8_rejected() {
    assert_documented_400("invalid UTF-8 in a string", b"{\"name\":\"\xff\xfe\",\"age\":1}").await;
}

#[tokio::test]
async fn trailing_garbage_rejected() {
    assert_documented_400("text after the object", br#"{"name":"Ada","age":1} x"#).await;
}

#[tokio::test]
async fn wrong_top_level_types_rejected() {
    assert_documented_400("a string", br#""abc""#).await;
    assert_documented_400("an array", b"[]").await;
    assert_documented_400("null", b"null").await;
}

#[tokio::test]
async fn wrong_field_types_rejected() {
    assert_documented_400("a number as the name", br#"{"name":1,"age":1}"#).await;
    assert_documented_400("a string as the age", br#"{"name":"Ada","age":"1"}"#).await;
    assert_documented_400("a fraction as the age", br#"{"name":"Ada","age":1.5}"#).await;
}

#[tokio::test]
async fn missing_field_rejected() {
    assert_documented_400("no age", br#"{"name":"Ada"}"#).await;
}

#[tokio::test]
async fn age_above_maximum_rejected() {
    assert_documented_400("age 151", br#"{"name":"Ada","age":151}"#).await;
}

#[tokio::test]
async fn empty_name_rejected() {
    assert_documented_400("empty name", br#"{"name":"","age":1}"#).await;
}

#[tokio::test]
async fn non_json_content_type_rejected() {
    let outcome = post_member(Some("text/plain"), br#"{"name":"Ada","age":1}"#).await;

    assert_eq!(outcome.status, 415);
    assert!(outcome.received.is_empty(), "the implementation received {:?}", outcome.received);
}

#[tokio::test]
async fn missing_content_type_rejected() {
    let outcome = post_member(None, br#"{"name":"Ada","age":1}"#).await;

    assert_eq!(outcome.status, 415);
    assert!(outcome.received.is_empty(), "the implementation received {:?}", outcome.received);
}
