//! An `application/x-www-form-urlencoded` request body: the client sends the form with that content type
//! and nothing in the query string, and the server decodes it into the typed body.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_g21_client::{
    Client, G21Api, IssueTokenBody, IssueTokenBodyGrantType, IssueTokenOkBody, IssueTokenRequest, IssueTokenResponse,
    Server,
};

/// Records each form and responds with a fixed token.
#[derive(Clone, Default)]
struct Tokens {
    received: Arc<Mutex<Vec<IssueTokenBody>>>,
}

impl G21Api for Tokens {
    type Error = Infallible;

    async fn issue_token(&self, request: IssueTokenRequest) -> Result<IssueTokenResponse, Infallible> {
        lock(&self.received).push(request.body);
        Ok(IssueTokenResponse::Ok(IssueTokenOkBody { access_token: "token-1".to_owned() }))
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

fn form(client_id: &str, scope: Option<&str>) -> IssueTokenBody {
    IssueTokenBody {
        grant_type: IssueTokenBodyGrantType::ClientCredentials,
        client_id: client_id.to_owned(),
        scope: scope.map(str::to_owned),
    }
}

/// Posts `body` with the content type `media_type` and returns the status and the forms that reached the implementation.
async fn post_token(media_type: &str, body: &str) -> (u16, Vec<IssueTokenBody>) {
    let tokens = Tokens::default();
    let url = serve(fx_g21_server::router(tokens.clone())).await;
    let response = reqwest::Client::new()
        .post(format!("{url}/token"))
        .header("content-type", media_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("the request failed");
    let received = lock(&tokens.received).clone();
    (response.status().as_u16(), received)
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn client_sends_urlencoded_form() {
    let (url, recorder) = serve_recorder(CannedResponse::json(200, r#"{"access_token":"t"}"#)).await;

    let response = client(&url)
        .issue_token(IssueTokenRequest { body: form("Ada Lovelace", None) })
        .await
        .expect("the call failed");

    assert_eq!(response, IssueTokenResponse::Ok(IssueTokenOkBody { access_token: "t".to_owned() }));
    let sent = recorder.single();
    assert_eq!(sent.header("content-type"), Some(FORM));
    let body = String::from_utf8(sent.body.clone()).expect("the form is not UTF-8");
    let expected = [
        "grant_type=client_credentials&client_id=Ada%20Lovelace",
        "grant_type=client_credentials&client_id=Ada+Lovelace",
    ];
    assert!(expected.contains(&body.as_str()), "the client sent the form {body:?}");
    assert_eq!(sent.target, "/token");
}

#[tokio::test]
async fn server_decodes_form() {
    let (status, received) =
        post_token(FORM, "grant_type=client_credentials&client_id=Ada+Lovelace&scope=read%20write").await;

    assert_eq!(status, 200);
    assert_eq!(received, vec![form("Ada Lovelace", Some("read write"))]);
}

#[tokio::test]
async fn missing_client_id_rejected() {
    let (status, received) = post_token(FORM, "grant_type=client_credentials").await;

    assert_eq!(status, 400);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn unknown_grant_type_rejected() {
    let (status, received) = post_token(FORM, "grant_type=password&client_id=ada").await;

    assert_eq!(status, 400);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn json_body_rejected() {
    let (status, received) =
        post_token("application/json", r#"{"grant_type":"client_credentials","client_id":"ada"}"#).await;

    assert_eq!(status, 415);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn form_round_trips_through_client() {
    let tokens = Tokens::default();
    let url = serve(fx_g21_server::router(tokens.clone())).await;
    let body = form("a&b=c+d %25 é", Some("x,y;z"));

    let response = client(&url).issue_token(IssueTokenRequest { body: body.clone() }).await.expect("the call failed");

    assert_eq!(response, IssueTokenResponse::Ok(IssueTokenOkBody { access_token: "token-1".to_owned() }));
    assert_eq!(*lock(&tokens.received), vec![body]);
}
