//! Authentication through the generated server and client: every scheme kind, decoded basic credentials,
//! combined schemes and their principals, alternatives, anonymous access, OAuth2 scopes and the RFC 6750
//! bearer challenges.
//!
//! The server is built with `router_with_authenticator` and the `Keys` authenticator below, which accepts one
//! credential per scheme and returns the name of its owner as the principal. The implementation echoes the
//! principal it receives, so each response shows which credential the server accepted.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_security_client::{
    BasicCredentials, Client, ClientError, Credentials, GetAccountOkBody, GetAccountRequest, GetAccountResponse, GetFeedRequest,
    GetFeedResponse, GetHealthRequest, GetHealthResponse, GetProfileOkBody, GetProfileRequest, GetProfileResponse,
    GetReportsRequest, GetReportsResponse, ListDocumentsRequest, ListDocumentsResponse, Problem, SecurityApi,
    SecurityScheme, Server, TokenFuture, TokenSource,
};
use fx_security_server::{AuthError, Authenticator, Credential, ServerOptions};

/// `bob:secret` in base64, as a `Basic` header carries it.
const BOB_BASIC: &str = "Ym9iOnNlY3JldA==";

/// The challenge of the basic scheme.
const BASIC_CHALLENGE: &str = "Basic realm=\"Security schemes\", charset=\"UTF-8\"";

/// One call of the authenticator: scheme, credential and scopes. A basic credential is written
/// `user-id:password`.
type AuthCall = (SecurityScheme, String, Vec<String>);

/// Accepts one fixed credential per scheme. The OAuth2 token `reader` grants `documents:read`, and `writer`
/// grants only `documents:write`. The token `no-scopes` is valid for OAuth2 and OpenID Connect but grants no
/// scope.
#[derive(Clone, Default)]
struct Keys {
    calls: Arc<Mutex<Vec<AuthCall>>>,
}

impl Authenticator for Keys {
    type Principal = String;

    async fn authenticate(
        &self,
        scheme: SecurityScheme,
        credential: Credential<'_>,
        scopes: &[&str],
    ) -> Result<String, AuthError> {
        let scope_list = scopes.iter().map(|scope| (*scope).to_owned()).collect();
        let text = match credential {
            Credential::Bearer(value) | Credential::ApiKey(value) => value.to_owned(),
            Credential::Basic { user_id, password } => format!("{user_id}:{password}"),
        };
        lock(&self.calls).push((scheme, text, scope_list));
        let (owner, granted): (&str, &[&str]) = match (scheme, credential) {
            (SecurityScheme::BearerAuth, Credential::Bearer("good-bearer")) => ("alice", &[]),
            (SecurityScheme::BearerAuth, Credential::Bearer("panic")) => {
                panic!("the test authenticator panics on request")
            }
            (SecurityScheme::BearerAuth, Credential::Bearer("store-down")) => return Err(AuthError::Internal),
            (SecurityScheme::BasicAuth, Credential::Basic { user_id: "bob", password: "secret" }) => ("bob", &[]),
            (SecurityScheme::BasicAuth, Credential::Basic { user_id: "eve", password: "s:e:c" }) => ("eve", &[]),
            (SecurityScheme::HeaderKey, Credential::ApiKey("header-key")) => ("header-client", &[]),
            (SecurityScheme::QueryKey, Credential::ApiKey("query key")) => ("query-client", &[]),
            (SecurityScheme::CookieKey, Credential::ApiKey("session 1")) => ("carol", &[]),
            (SecurityScheme::Oauth, Credential::Bearer("reader")) => ("reader", &["documents:read"]),
            (SecurityScheme::Oauth, Credential::Bearer("writer")) => ("writer", &["documents:write"]),
            (SecurityScheme::OpenId, Credential::Bearer("oidc")) => ("dave", &["profile"]),
            (SecurityScheme::Oauth | SecurityScheme::OpenId, Credential::Bearer("no-scopes")) => ("nobody", &[]),
            _ => return Err(AuthError::Rejected),
        };
        if scopes.iter().all(|scope| granted.contains(scope)) {
            Ok(owner.to_owned())
        } else {
            Err(AuthError::Forbidden)
        }
    }
}

/// Responds with the principal that the server passed in `credentials`, or `anonymous`.
#[derive(Clone)]
struct Echo;

fn principal_of(credentials: &Option<Credentials>) -> String {
    let principal = credentials.as_ref().and_then(|credentials| credentials.principal::<String>());
    principal.cloned().unwrap_or_else(|| "anonymous".to_owned())
}

impl SecurityApi for Echo {
    type Error = Infallible;

    async fn get_health(&self, _request: GetHealthRequest) -> Result<GetHealthResponse, Infallible> {
        Ok(GetHealthResponse::Ok("up".to_owned()))
    }

    async fn get_profile(&self, request: GetProfileRequest) -> Result<GetProfileResponse, Infallible> {
        Ok(GetProfileResponse::Ok(GetProfileOkBody { name: principal_of(&request.credentials) }))
    }

    /// Responds with the request's principal, then `Scheme=principal` for each scheme that has one.
    async fn get_reports(&self, request: GetReportsRequest) -> Result<GetReportsResponse, Infallible> {
        let mut principals = vec![principal_of(&request.credentials)];
        let schemes = [SecurityScheme::HeaderKey, SecurityScheme::QueryKey, SecurityScheme::BasicAuth];
        if let Some(credentials) = &request.credentials {
            for scheme in schemes {
                if let Some(principal) = credentials.principal_for::<String>(scheme) {
                    principals.push(format!("{scheme:?}={principal}"));
                }
            }
        }
        Ok(GetReportsResponse::Ok(principals))
    }

    /// Responds with the user id that `Credentials::basic` decodes, or `none`.
    async fn get_account(&self, request: GetAccountRequest) -> Result<GetAccountResponse, Infallible> {
        let basic = request.credentials.as_ref().and_then(|credentials| credentials.basic(SecurityScheme::BasicAuth));
        let user_id = basic.map_or_else(|| "none".to_owned(), |basic| basic.user_id);
        Ok(GetAccountResponse::Ok(GetAccountOkBody { user_id }))
    }

    async fn get_feed(&self, request: GetFeedRequest) -> Result<GetFeedResponse, Infallible> {
        Ok(GetFeedResponse::Ok(vec![principal_of(&request.credentials)]))
    }

    async fn list_documents(&self, request: ListDocumentsRequest) -> Result<ListDocumentsResponse, Infallible> {
        Ok(ListDocumentsResponse::Ok(vec![principal_of(&request.credentials)]))
    }
}

/// Serves `Echo` behind `keys` and returns the base URL.
async fn serve_with(keys: Keys) -> String {
    serve(fx_security_server::router_with_authenticator(Echo, keys, ServerOptions::default())).await
}

fn raw_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().expect("failed to build the raw reqwest client")
}

/// Starts a client builder for `url` with proxies switched off, so requests stay on 127.0.0.1.
fn builder(url: &str) -> fx_security_client::ClientBuilder {
    Client::builder().http_client(raw_client()).server_url(Server::Default, url)
}

/// Returns the `WWW-Authenticate` values of a response.
fn challenges(response: &reqwest::Response) -> Vec<String> {
    let values = response.headers().get_all("www-authenticate").iter();
    values.map(|value| value.to_str().expect("a challenge is not visible ASCII").to_owned()).collect()
}

#[tokio::test]
async fn missing_bearer_gets_401_and_challenge() {
    let url = serve_with(Keys::default()).await;

    let response = raw_client().get(format!("{url}/profile")).send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(challenges(&response), vec!["Bearer".to_owned()]);
    let bytes = response.bytes().await.expect("failed to read the 401 body");
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("the 401 body is not JSON");
    assert_eq!(body["status"], 401);
    assert_eq!(body["message"], "missing or malformed credentials");
}

#[tokio::test]
async fn rejected_bearer_gets_401() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;

    let request = raw_client().get(format!("{url}/profile")).bearer_auth("stolen");
    let response = request.send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(challenges(&response), vec!["Bearer error=\"invalid_token\"".to_owned()]);
    let bytes = response.bytes().await.expect("failed to read the 401 body");
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("the 401 body is not JSON");
    assert_eq!(body["message"], "invalid credentials");
    assert_eq!(*lock(&keys.calls), vec![(SecurityScheme::BearerAuth, "stolen".to_owned(), Vec::new())]);
}

#[tokio::test]
async fn missing_combined_schemes_name_every_challenge() {
    let url = serve_with(Keys::default()).await;

    let response =
        raw_client().get(format!("{url}/reports?api_key=query%20key")).send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 401);
    let expected = vec![
        "ApiKey realm=\"Security schemes\", in=\"header\", name=\"X-Api-Key\"".to_owned(),
        "ApiKey realm=\"Security schemes\", in=\"query\", name=\"api_key\"".to_owned(),
        "Basic realm=\"Security schemes\", charset=\"UTF-8\"".to_owned(),
    ];
    assert_eq!(challenges(&response), expected);
}

#[tokio::test]
async fn panicking_authenticator_gets_500() {
    let url = serve_with(Keys::default()).await;

    let response =
        raw_client().get(format!("{url}/profile")).bearer_auth("panic").send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 500);
    let bytes = response.bytes().await.expect("failed to read the 500 body");
    let body: serde_json::Value = serde_json::from_slice(&bytes).expect("the 500 body is not JSON");
    assert_eq!(body["message"], "internal server error");
}

#[tokio::test]
async fn bearer_principal_reaches_handler() {
    let url = serve_with(Keys::default()).await;
    let client = builder(&url).credential(SecurityScheme::BearerAuth, "good-bearer").build();

    let response = client.get_profile(GetProfileRequest::default()).await.expect("the call failed");

    assert_eq!(response, GetProfileResponse::Ok(GetProfileOkBody { name: "alice".to_owned() }));
}

#[tokio::test]
async fn request_credentials_reach_handler() {
    let url = serve_with(Keys::default()).await;
    let client = builder(&url).build();

    let request = GetProfileRequest { credentials: Some(Credentials::new("good-bearer")) };
    let response = client.get_profile(request).await.expect("the call failed");

    assert_eq!(response, GetProfileResponse::Ok(GetProfileOkBody { name: "alice".to_owned() }));
}

#[tokio::test]
async fn request_values_choose_alternative() {
    let url = serve_with(Keys::default()).await;
    let client = builder(&url).credential(SecurityScheme::HeaderKey, "header-key").build();

    let values = [(SecurityScheme::QueryKey, "query key".to_owned())];
    let credentials = Credentials::from_values(values).with_basic(SecurityScheme::BasicAuth, "bob", "secret");
    let request = GetReportsRequest { credentials: Some(credentials) };
    let response = client.get_reports(request).await.expect("the call failed");

    // The request's own values meet the second alternative, so the client's fixed header key stays unused.
    let expected = vec!["query-client".to_owned(), "QueryKey=query-client".to_owned(), "BasicAuth=bob".to_owned()];
    assert_eq!(response, GetReportsResponse::Ok(expected));
}

#[tokio::test]
async fn header_key_alternative_is_accepted() {
    let url = serve_with(Keys::default()).await;
    let client = builder(&url).credential(SecurityScheme::HeaderKey, "header-key").build();

    let response = client.get_reports(GetReportsRequest::default()).await.expect("the call failed");

    let expected = vec!["header-client".to_owned(), "HeaderKey=header-client".to_owned()];
    assert_eq!(response, GetReportsResponse::Ok(expected));
}

#[tokio::test]
async fn combined_query_key_and_basic_are_accepted() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;
    let client = builder(&url)
        .credential(SecurityScheme::QueryKey, "query key")
        .credential(SecurityScheme::BasicAuth, BOB_BASIC)
        .build();

    let response = client.get_reports(GetReportsRequest::default()).await.expect("the call failed");

    // `principal` returns the principal of the first scheme, and `principal_for` that of each scheme.
    let expected = vec!["query-client".to_owned(), "QueryKey=query-client".to_owned(), "BasicAuth=bob".to_owned()];
    assert_eq!(response, GetReportsResponse::Ok(expected));
    let schemes: Vec<SecurityScheme> = lock(&keys.calls).iter().map(|(scheme, _, _)| *scheme).collect();
    assert_eq!(schemes, vec![SecurityScheme::QueryKey, SecurityScheme::BasicAuth]);
}

#[tokio::test]
async fn combined_schemes_need_every_credential() {
    let url = serve_with(Keys::default()).await;

    let request = raw_client().get(format!("{url}/reports?api_key=query%20key")).basic_auth("bob", Some("wrong"));
    let response = request.send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn client_sends_each_scheme_in_its_place() {
    let (url, recorder) = serve_recorder(CannedResponse::json(200, "[]")).await;
    let client = builder(&url)
        .credential(SecurityScheme::QueryKey, "query key")
        .credential(SecurityScheme::BasicAuth, BOB_BASIC)
        .build();

    client.get_reports(GetReportsRequest::default()).await.expect("the call failed");

    let request = recorder.single();
    assert_eq!(request.query(), "api_key=query+key");
    assert_eq!(request.header("authorization"), Some("Basic Ym9iOnNlY3JldA=="));
    assert_eq!(request.header("x-api-key"), None);
}

#[tokio::test]
async fn basic_auth_arrives_decoded() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;
    let client = builder(&url).basic_auth(SecurityScheme::BasicAuth, "bob", "secret").build();

    let response = client.get_account(GetAccountRequest::default()).await.expect("the call failed");

    assert_eq!(response, GetAccountResponse::Ok(GetAccountOkBody { user_id: "bob".to_owned() }));
    assert_eq!(*lock(&keys.calls), vec![(SecurityScheme::BasicAuth, "bob:secret".to_owned(), Vec::new())]);
}

#[tokio::test]
async fn basic_password_keeps_its_colons() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;
    let client = builder(&url).build();

    let credentials = Credentials::new(String::new()).with_basic(SecurityScheme::BasicAuth, "eve", "s:e:c");
    let request = GetAccountRequest { credentials: Some(credentials) };
    let response = client.get_account(request).await.expect("the call failed");

    assert_eq!(response, GetAccountResponse::Ok(GetAccountOkBody { user_id: "eve".to_owned() }));
    assert_eq!(*lock(&keys.calls), vec![(SecurityScheme::BasicAuth, "eve:s:e:c".to_owned(), Vec::new())]);
}

#[tokio::test]
async fn client_encodes_basic_auth() {
    let (url, recorder) = serve_recorder(CannedResponse::json(200, r#"{"userId":"bob"}"#)).await;
    let client = builder(&url).basic_auth(SecurityScheme::BasicAuth, "bob", "secret").build();

    client.get_account(GetAccountRequest::default()).await.expect("the call failed");

    assert_eq!(recorder.single().header("authorization"), Some("Basic Ym9iOnNlY3JldA=="));
}

/// `Basic` values that are not base64 (`!!!`), lack a colon (`no-colon`), or are not UTF-8 (`ff fe 3a 78`).
const MALFORMED_BASIC: [&str; 3] = ["Basic !!!", "Basic bm8tY29sb24=", "Basic //46eA=="];

#[tokio::test]
async fn malformed_basic_skips_authenticator() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;

    for header in MALFORMED_BASIC {
        let request = raw_client().get(format!("{url}/account")).header("authorization", header);
        let response = request.send().await.expect("the request failed");

        assert_eq!(response.status().as_u16(), 401, "status for `{header}`");
        assert_eq!(challenges(&response), vec![BASIC_CHALLENGE.to_owned()], "challenges for `{header}`");
        let bytes = response.bytes().await.expect("failed to read the 401 body");
        let body: serde_json::Value = serde_json::from_slice(&bytes).expect("the 401 body is not JSON");
        assert_eq!(body["status"], 401, "body status for `{header}`");
        assert_eq!(body["message"], "invalid credentials", "body message for `{header}`");
    }
    assert!(lock(&keys.calls).is_empty(), "the authenticator ran for a malformed credential");
}

#[tokio::test]
async fn presence_router_rejects_malformed_basic() {
    let url = serve(fx_security_server::router(Echo)).await;

    for header in MALFORMED_BASIC {
        let request = raw_client().get(format!("{url}/account")).header("authorization", header);
        let response = request.send().await.expect("the request failed");

        assert_eq!(response.status().as_u16(), 401, "status for `{header}`");
        assert_eq!(challenges(&response), vec![BASIC_CHALLENGE.to_owned()], "challenges for `{header}`");
    }
}

#[tokio::test]
async fn presence_router_decodes_basic() {
    let url = serve(fx_security_server::router(Echo)).await;
    let client = builder(&url).basic_auth(SecurityScheme::BasicAuth, "anyone", "any password").build();

    let response = client.get_account(GetAccountRequest::default()).await.expect("the call failed");

    assert_eq!(response, GetAccountResponse::Ok(GetAccountOkBody { user_id: "anyone".to_owned() }));
}

#[tokio::test]
async fn client_sends_session_cookie() {
    let (url, recorder) = serve_recorder(CannedResponse::json(200, "[]")).await;
    let client = builder(&url).credential(SecurityScheme::CookieKey, "session 1").build();

    client.get_feed(GetFeedRequest::default()).await.expect("the call failed");

    assert_eq!(recorder.single().header("cookie"), Some("session_id=session%201"));
}

#[tokio::test]
async fn anonymous_alternative_needs_no_credentials() {
    let url = serve_with(Keys::default()).await;
    let client = builder(&url).build();

    let response = client.get_feed(GetFeedRequest::default()).await.expect("the call failed");

    assert_eq!(response, GetFeedResponse::Ok(vec!["anonymous".to_owned()]));
}

#[tokio::test]
async fn cookie_alternative_wins_over_anonymous() {
    let url = serve_with(Keys::default()).await;
    let client = builder(&url).credential(SecurityScheme::CookieKey, "session 1").build();

    let response = client.get_feed(GetFeedRequest::default()).await.expect("the call failed");

    assert_eq!(response, GetFeedResponse::Ok(vec!["carol".to_owned()]));
}

#[tokio::test]
async fn rejected_cookie_is_not_anonymous() {
    let url = serve_with(Keys::default()).await;

    let request = raw_client().get(format!("{url}/feed")).header("cookie", "session_id=forged");
    let response = request.send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn insufficient_scope_gets_403() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;
    let client = builder(&url).credential(SecurityScheme::Oauth, "writer").build();

    let response = client.list_documents(ListDocumentsRequest::default()).await.expect("the call failed");

    let message = "the credentials do not grant access to this operation".to_owned();
    assert_eq!(response, ListDocumentsResponse::Forbidden(Problem { status: 403, message }));
    // Both schemes read the `Authorization` header, so the server also tries the token as OpenID Connect, which
    // rejects it. A 403 wins over a 401.
    let expected = vec![
        (SecurityScheme::Oauth, "writer".to_owned(), vec!["documents:read".to_owned()]),
        (SecurityScheme::OpenId, "writer".to_owned(), vec!["profile".to_owned()]),
    ];
    assert_eq!(*lock(&keys.calls), expected);
}

#[tokio::test]
async fn insufficient_scope_names_required_scopes() {
    let url = serve_with(Keys::default()).await;

    let request = raw_client().get(format!("{url}/documents")).bearer_auth("writer");
    let response = request.send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 403);
    let expected = vec!["Bearer error=\"insufficient_scope\", scope=\"documents:read\"".to_owned()];
    assert_eq!(challenges(&response), expected);
}

#[tokio::test]
async fn rejected_oauth_token_challenged_once() {
    let url = serve_with(Keys::default()).await;

    let request = raw_client().get(format!("{url}/documents")).bearer_auth("expired");
    let response = request.send().await.expect("the request failed");

    // OAuth2 and OpenID Connect both reject the token, and their challenges are the same, so it is sent once.
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(challenges(&response), vec!["Bearer error=\"invalid_token\"".to_owned()]);
}

#[tokio::test]
async fn missing_oauth_token_gets_plain_challenge() {
    let url = serve_with(Keys::default()).await;

    let response = raw_client().get(format!("{url}/documents")).send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(challenges(&response), vec!["Bearer".to_owned()]);
}

#[tokio::test]
async fn failing_authenticator_gets_500() {
    let url = serve_with(Keys::default()).await;

    let response =
        raw_client().get(format!("{url}/profile")).bearer_auth("store-down").send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 500);
    assert!(challenges(&response).is_empty(), "a 500 response carries a challenge");
}

#[tokio::test]
async fn oauth_scope_is_granted() {
    let url = serve_with(Keys::default()).await;
    let client = builder(&url).credential(SecurityScheme::Oauth, "reader").build();

    let response = client.list_documents(ListDocumentsRequest::default()).await.expect("the call failed");

    assert_eq!(response, ListDocumentsResponse::Ok(vec!["reader".to_owned()]));
}

/// Records the scheme and scopes of each request, and has a token for OpenID Connect only.
#[derive(Clone, Default)]
struct OpenIdOnly {
    requested: Arc<Mutex<Vec<(SecurityScheme, Vec<String>)>>>,
}

impl TokenSource for OpenIdOnly {
    fn token<'a>(&'a self, _schemes: &'a [SecurityScheme]) -> TokenFuture<'a> {
        Box::pin(async { None })
    }

    fn credential<'a>(&'a self, scheme: SecurityScheme, scopes: &'a [&'static str]) -> TokenFuture<'a> {
        let scope_list = scopes.iter().map(|scope| (*scope).to_owned()).collect();
        lock(&self.requested).push((scheme, scope_list));
        Box::pin(async move { (scheme == SecurityScheme::OpenId).then(|| "oidc".to_owned()) })
    }
}

#[tokio::test]
async fn token_source_receives_scopes() {
    let url = serve_with(Keys::default()).await;
    let source = OpenIdOnly::default();
    let client = builder(&url).token_source(source.clone()).build();

    let response = client.list_documents(ListDocumentsRequest::default()).await.expect("the call failed");

    assert_eq!(response, ListDocumentsResponse::Ok(vec!["dave".to_owned()]));
    let expected = vec![
        (SecurityScheme::Oauth, vec!["documents:read".to_owned()]),
        (SecurityScheme::OpenId, vec!["profile".to_owned()]),
    ];
    assert_eq!(*lock(&source.requested), expected);
}

#[tokio::test]
async fn router_without_authenticator_checks_presence() {
    let url = serve(fx_security_server::router(Echo)).await;
    let client = builder(&url).credential(SecurityScheme::BearerAuth, "any-token").build();

    let response = client.get_profile(GetProfileRequest::default()).await.expect("the call failed");

    assert_eq!(response, GetProfileResponse::Ok(GetProfileOkBody { name: "anonymous".to_owned() }));
}

#[tokio::test]
async fn open_operation_skips_authenticator() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;

    let response = builder(&url).build().get_health(GetHealthRequest {}).await.expect("the call failed");

    assert_eq!(response, GetHealthResponse::Ok("up".to_owned()));
    assert!(lock(&keys.calls).is_empty(), "the authenticator ran for an open operation");
}

#[test]
fn debug_output_redacts_credentials() {
    let client = Client::builder()
        .credential(SecurityScheme::BearerAuth, "secret-token")
        .basic_auth(SecurityScheme::BasicAuth, "bob", "secret-password")
        .build();
    let credentials = Credentials::new("secret-token")
        .with(SecurityScheme::HeaderKey, "secret-key")
        .with_basic(SecurityScheme::BasicAuth, "bob", "secret-password");
    let basic = BasicCredentials::new("bob", "secret-password");
    let credential = Credential::Basic { user_id: "bob", password: "secret-password" };

    let client_text = format!("{client:?}");
    let credentials_text = format!("{credentials:?}");
    let basic_text = format!("{basic:?}");
    let credential_text = format!("{credential:?} {:?}", Credential::Bearer("secret-token"));

    assert!(!client_text.contains("secret"), "the client's Debug output shows a credential: {client_text}");
    assert!(!client_text.contains(&basic.encode()), "the client's Debug output shows the encoded pair: {client_text}");
    assert!(client_text.contains("BearerAuth"), "the client's Debug output omits the schemes: {client_text}");
    assert!(!credentials_text.contains("secret"), "the credentials' Debug output shows one: {credentials_text}");
    assert!(!basic_text.contains("secret"), "the basic pair's Debug output shows the password: {basic_text}");
    assert!(basic_text.contains("bob"), "the basic pair's Debug output omits the user id: {basic_text}");
    assert!(!credential_text.contains("secret"), "the credential's Debug output shows a secret: {credential_text}");
}

/// Returns the message of a `ClientError::Encode`, failing the test for any other outcome.
fn encode_message<R: std::fmt::Debug>(outcome: Result<R, ClientError>) -> String {
    match outcome {
        Err(ClientError::Encode(message)) => message,
        other => panic!("expected ClientError::Encode, got {other:?}"),
    }
}

#[tokio::test]
async fn basic_user_id_colon_not_sent() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;
    let client = builder(&url).basic_auth(SecurityScheme::BasicAuth, "a:b", "pw").build();

    let message = encode_message(client.get_account(GetAccountRequest::default()).await);

    assert!(message.contains("basicAuth"), "the message does not name the scheme: {message}");
    assert!(!message.contains("a:b"), "the message shows the user id: {message}");
    assert!(!message.contains("pw"), "the message shows the password: {message}");
    assert!(lock(&keys.calls).is_empty(), "the authenticator received the credential");
}

#[tokio::test]
async fn request_basic_user_id_colon_not_sent() {
    let (url, recorder) = serve_recorder(CannedResponse::json(200, r#"{"userId":"a"}"#)).await;
    let client = builder(&url).build();

    let credentials = Credentials::new(String::new()).with_basic(SecurityScheme::BasicAuth, "a:b", "pw");
    let request = GetAccountRequest { credentials: Some(credentials) };
    let message = encode_message(client.get_account(request).await);

    assert!(message.contains("basicAuth"), "the message does not name the scheme: {message}");
    assert!(recorder.requests().is_empty(), "the client sent the request: {:#?}", recorder.requests());
}

#[tokio::test]
async fn replaced_basic_user_id_is_sent() {
    let url = serve_with(Keys::default()).await;
    let client = builder(&url)
        .basic_auth(SecurityScheme::BasicAuth, "a:b", "pw")
        .basic_auth(SecurityScheme::BasicAuth, "bob", "secret")
        .build();

    let response = client.get_account(GetAccountRequest::default()).await.expect("the call failed");

    assert_eq!(response, GetAccountResponse::Ok(GetAccountOkBody { user_id: "bob".to_owned() }));
}

/// `Authorization` values whose bearer token breaks the RFC 6750 `b64token` syntax: a space, a character
/// outside the alphabet, `=` before the end, and bytes outside ASCII.
const MALFORMED_BEARER: [&[u8]; 4] = [b"Bearer a b", b"Bearer good-bearer!", b"Bearer a=b", b"Bearer t\xc3\xb6ken"];

#[tokio::test]
async fn malformed_bearer_skips_authenticator() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;

    for header in MALFORMED_BEARER {
        let header_text = String::from_utf8_lossy(header);
        let value = reqwest::header::HeaderValue::from_bytes(header).expect("the test header is not a header value");
        let request = raw_client().get(format!("{url}/profile")).header("authorization", value);
        let response = request.send().await.expect("the request failed");

        assert_eq!(response.status().as_u16(), 401, "status for `{header_text}`");
        let expected = vec!["Bearer error=\"invalid_token\"".to_owned()];
        assert_eq!(challenges(&response), expected, "challenges for `{header_text}`");
        let bytes = response.bytes().await.expect("failed to read the 401 body");
        let body: serde_json::Value = serde_json::from_slice(&bytes).expect("the 401 body is not JSON");
        assert_eq!(body["message"], "invalid credentials", "body message for `{header_text}`");
    }
    assert!(lock(&keys.calls).is_empty(), "the authenticator ran for a malformed bearer token");
}

#[tokio::test]
async fn presence_router_rejects_malformed_bearer() {
    let url = serve(fx_security_server::router(Echo)).await;

    let request = raw_client().get(format!("{url}/profile")).header("authorization", "Bearer a b");
    let response = request.send().await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(challenges(&response), vec!["Bearer error=\"invalid_token\"".to_owned()]);
}

#[tokio::test]
async fn padded_bearer_reaches_authenticator() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;
    let client = builder(&url).credential(SecurityScheme::BearerAuth, "a-._~+/Z9==").build();

    let response = client.get_profile(GetProfileRequest::default()).await.expect("the call failed");

    // `Keys` does not know the token, so it reaches the authenticator and is rejected there.
    let message = "invalid credentials".to_owned();
    assert_eq!(response, GetProfileResponse::Unauthorized(Problem { status: 401, message }));
    assert_eq!(*lock(&keys.calls), vec![(SecurityScheme::BearerAuth, "a-._~+/Z9==".to_owned(), Vec::new())]);
}

#[tokio::test]
async fn client_rejects_malformed_bearer() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;

    for token in ["secret token", "s\u{f6}cret", "=secret", ""] {
        let client = builder(&url).credential(SecurityScheme::BearerAuth, token).build();

        let message = encode_message(client.get_profile(GetProfileRequest::default()).await);

        assert!(message.contains("bearerAuth"), "the message for `{token}` does not name the scheme: {message}");
        assert!(!message.contains("secret"), "the message shows the token `{token}`: {message}");
    }
    assert!(lock(&keys.calls).is_empty(), "the authenticator received a malformed token");
}

#[tokio::test]
async fn request_malformed_bearer_not_sent() {
    let (url, recorder) = serve_recorder(CannedResponse::json(200, r#"{"name":"alice"}"#)).await;
    let client = builder(&url).build();

    let request = GetProfileRequest { credentials: Some(Credentials::new("a b")) };
    let message = encode_message(client.get_profile(request).await);

    assert!(message.contains("bearerAuth"), "the message does not name the scheme: {message}");
    assert!(recorder.requests().is_empty(), "the client sent the request: {:#?}", recorder.requests());
}

#[tokio::test]
async fn two_forbidden_bearers_one_challenge() {
    let keys = Keys::default();
    let url = serve_with(keys.clone()).await;

    let request = raw_client().get(format!("{url}/documents")).bearer_auth("no-scopes");
    let response = request.send().await.expect("the request failed");

    // OAuth2 and OpenID Connect both accept the token but lack their scope, and the one challenge names the
    // scopes of the first requirement.
    assert_eq!(response.status().as_u16(), 403);
    let expected = vec!["Bearer error=\"insufficient_scope\", scope=\"documents:read\"".to_owned()];
    assert_eq!(challenges(&response), expected);
    assert_eq!(lock(&keys.calls).len(), 2, "the authenticator did not check both schemes");
}
