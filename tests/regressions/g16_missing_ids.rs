//! Operations without an operationId get names made from method and path, and the names of
//! `GET /accounts/{id}` and `GET /accounts-id` differ.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{lock, serve};
use fx_g16_client::{
    Client, G16Api, GetAccountsByIdRequest, GetAccountsByIdResponse, GetAccountsIdRequest, GetAccountsIdResponse,
    GetAccountsRequest, GetAccountsResponse, PostAccountsBody, PostAccountsRequest, PostAccountsResponse, Server,
};

/// One call as the implementation received it.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    GetAccounts,
    PostAccounts(PostAccountsBody),
    GetAccountsById(String),
    GetAccountsId,
}

#[derive(Clone, Default)]
struct Accounts {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl G16Api for Accounts {
    type Error = Infallible;

    async fn get_accounts(&self, _request: GetAccountsRequest) -> Result<GetAccountsResponse, Infallible> {
        lock(&self.calls).push(Call::GetAccounts);
        Ok(GetAccountsResponse::Ok(vec!["ada".to_owned()]))
    }

    async fn post_accounts(&self, request: PostAccountsRequest) -> Result<PostAccountsResponse, Infallible> {
        lock(&self.calls).push(Call::PostAccounts(request.body));
        Ok(PostAccountsResponse::Created)
    }

    async fn get_accounts_by_id(&self, request: GetAccountsByIdRequest) -> Result<GetAccountsByIdResponse, Infallible> {
        lock(&self.calls).push(Call::GetAccountsById(request.id));
        Ok(GetAccountsByIdResponse::Ok)
    }

    async fn get_accounts_id(&self, _request: GetAccountsIdRequest) -> Result<GetAccountsIdResponse, Infallible> {
        lock(&self.calls).push(Call::GetAccountsId);
        Ok(GetAccountsIdResponse::Ok)
    }
}

async fn serve_accounts() -> (String, Accounts) {
    let accounts = Accounts::default();
    let url = serve(fx_g16_server::router(accounts.clone())).await;
    (url, accounts)
}

/// Sends `GET <path>` and returns the status and the calls that reached the implementation.
async fn server_receives(path: &str) -> (u16, Vec<Call>) {
    let (url, accounts) = serve_accounts().await;
    let response = reqwest::get(format!("{url}{path}")).await.expect("the request failed");
    let calls = lock(&accounts.calls).clone();
    (response.status().as_u16(), calls)
}

#[test]
fn synthesised_names_are_distinct() {
    let names = [
        GetAccountsRequest::OPERATION_ID,
        PostAccountsRequest::OPERATION_ID,
        GetAccountsByIdRequest::OPERATION_ID,
        GetAccountsIdRequest::OPERATION_ID,
    ];

    assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), names.len(), "names {names:?}");
}

#[tokio::test]
async fn id_path_routes_to_own_operation() {
    let (status, calls) = server_receives("/accounts/42").await;

    assert_eq!(status, 200);
    assert_eq!(calls, vec![Call::GetAccountsById("42".to_owned())]);
}

#[tokio::test]
async fn sibling_path_routes_to_own_operation() {
    let (status, calls) = server_receives("/accounts-id").await;

    assert_eq!(status, 200);
    assert_eq!(calls, vec![Call::GetAccountsId]);
}

#[tokio::test]
async fn each_method_reaches_own_operation() {
    let (url, accounts) = serve_accounts().await;
    let client = Client::builder().server_url(Server::Default, url).build();
    let body = PostAccountsBody { name: Some("Ada".to_owned()) };

    let listed = client.get_accounts(GetAccountsRequest::default()).await.expect("get_accounts failed");
    let created = client.post_accounts(PostAccountsRequest { body: body.clone() }).await.expect("post_accounts failed");
    let read = client
        .get_accounts_by_id(GetAccountsByIdRequest { id: "42".to_owned() })
        .await
        .expect("get_accounts_by_id failed");
    let sibling = client.get_accounts_id(GetAccountsIdRequest::default()).await.expect("get_accounts_id failed");

    assert_eq!(listed, GetAccountsResponse::Ok(vec!["ada".to_owned()]));
    assert_eq!(created, PostAccountsResponse::Created);
    assert_eq!(read, GetAccountsByIdResponse::Ok);
    assert_eq!(sibling, GetAccountsIdResponse::Ok);
    let expected =
        vec![Call::GetAccounts, Call::PostAccounts(body), Call::GetAccountsById("42".to_owned()), Call::GetAccountsId];
    assert_eq!(*lock(&accounts.calls), expected);
}
