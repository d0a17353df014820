//! Parameter styles: what the generated client puts on the wire for each style, with `explode` on and off,
//! and that the generated server reads the same values back, reserved characters included.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_parameters_client::{
    Client, ClientError, DeleteShelvesByShelfIdBooksByIsbnRequest, DeleteShelvesByShelfIdBooksByIsbnResponse, Filter,
    GetAuthorBookRequest, GetAuthorBookResponse, GetCookiesRequest, GetCookiesResponse, GetHeadersRequest,
    GetHeadersResponse, GetJsonRequest, GetJsonResponse, GetLabelRequest, GetLabelResponse, GetMatrixRequest,
    GetMatrixResponse, GetSimpleRequest, GetSimpleResponse, ListBooksRequest, ListBooksResponse, ParametersApi,
    Person, Pet, SearchRequest, SearchResponse, Server,
};

/// A request that reached the implementation.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    Simple(GetSimpleRequest),
    Label(GetLabelRequest),
    Matrix(GetMatrixRequest),
    Json(GetJsonRequest),
    Search(SearchRequest),
    Headers(GetHeadersRequest),
    Cookies(GetCookiesRequest),
}

/// Records every request and responds with 204.
#[derive(Clone, Default)]
struct Recording {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Recording {
    fn record(&self, call: Call) {
        lock(&self.calls).push(call);
    }
}

impl ParametersApi for Recording {
    type Error = Infallible;

    async fn list_books(&self, _request: ListBooksRequest) -> Result<ListBooksResponse, Infallible> {
        Ok(ListBooksResponse::Ok(Vec::new()))
    }

    async fn get_author_book(&self, _request: GetAuthorBookRequest) -> Result<GetAuthorBookResponse, Infallible> {
        Ok(GetAuthorBookResponse::NotFound)
    }

    async fn delete_shelves_by_shelf_id_books_by_isbn(
        &self,
        _request: DeleteShelvesByShelfIdBooksByIsbnRequest,
    ) -> Result<DeleteShelvesByShelfIdBooksByIsbnResponse, Infallible> {
        Ok(DeleteShelvesByShelfIdBooksByIsbnResponse::NotFound)
    }

    async fn get_simple(&self, request: GetSimpleRequest) -> Result<GetSimpleResponse, Infallible> {
        self.record(Call::Simple(request));
        Ok(GetSimpleResponse::NoContent)
    }

    async fn get_label(&self, request: GetLabelRequest) -> Result<GetLabelResponse, Infallible> {
        self.record(Call::Label(request));
        Ok(GetLabelResponse::NoContent)
    }

    async fn get_matrix(&self, request: GetMatrixRequest) -> Result<GetMatrixResponse, Infallible> {
        self.record(Call::Matrix(request));
        Ok(GetMatrixResponse::NoContent)
    }

    async fn get_json(&self, request: GetJsonRequest) -> Result<GetJsonResponse, Infallible> {
        self.record(Call::Json(request));
        Ok(GetJsonResponse::NoContent)
    }

    async fn search(&self, request: SearchRequest) -> Result<SearchResponse, Infallible> {
        self.record(Call::Search(request));
        Ok(SearchResponse::NoContent)
    }

    async fn get_headers(&self, request: GetHeadersRequest) -> Result<GetHeadersResponse, Infallible> {
        self.record(Call::Headers(request));
        Ok(GetHeadersResponse::NoContent)
    }

    async fn get_cookies(&self, request: GetCookiesRequest) -> Result<GetCookiesResponse, Infallible> {
        self.record(Call::Cookies(request));
        Ok(GetCookiesResponse::NoContent)
    }
}

/// Values with every character that a style uses as a delimiter or that a URL treats specially.
const AWKWARD: [&str; 8] = ["a/b", "100%", "x,y", "semi;colon", "dot.ted", "eq=ual", "é 日本", "plus+[br]&"];

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

fn words(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn person(role: &str, first_name: &str) -> Person {
    Person { role: role.to_owned(), first_name: first_name.to_owned(), age: None }
}

fn filter() -> Filter {
    Filter { person: Person { age: Some(41), ..person("admin", "Ann") }, id: 7, admin: Some(true), tags: Some(words(&["a", "b"])) }
}

/// Sends a request through the client to a recording server and returns the request target it sent.
async fn sent<F, Fut, R>(send: F) -> fx_behaviour::RecordedRequest
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = Result<R, ClientError>>,
    R: std::fmt::Debug,
{
    let (url, recorder) = serve_recorder(CannedResponse::empty(204)).await;
    send(client(&url)).await.expect("the call failed");
    recorder.single()
}

/// Serves the generated router with a recording implementation.
async fn serve_recording() -> (String, Recording) {
    let recording = Recording::default();
    let url = serve(fx_parameters_server::router(recording.clone())).await;
    (url, recording)
}

/// Sends `GET <url><target>` with `headers` and returns the status and the calls that reached the implementation.
async fn server_receives(target: &str, headers: &[(&str, &str)]) -> (u16, Vec<Call>) {
    let (url, recording) = serve_recording().await;
    let mut request = reqwest::Client::new().get(format!("{url}{target}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the request failed");
    let calls = lock(&recording.calls).clone();
    (response.status().as_u16(), calls)
}

fn simple_request(scalar: &str, list: Vec<String>) -> GetSimpleRequest {
    GetSimpleRequest {
        scalar: scalar.to_owned(),
        list: list.clone(),
        list_exploded: list,
        person: person("admin", "Ann"),
        person_exploded: person("admin", "Ann"),
    }
}

#[tokio::test]
async fn simple_path_wire_format() {
    let request = simple_request("a/b", words(&["x", "y,z"]));

    let sent = sent(|client| async move { client.get_simple(request).await }).await;

    assert_eq!(sent.target, "/simple/a%2Fb/x,y%2Cz/x,y%2Cz/firstName,Ann,role,admin/firstName=Ann,role=admin");
}

#[tokio::test]
async fn label_path_wire_format() {
    let request = GetLabelRequest {
        scalar: "a.b".to_owned(),
        list: words(&["x", "y"]),
        list_exploded: words(&["x", "y.z"]),
        person: person("admin", "Ann"),
        person_exploded: person("admin", "Ann"),
    };

    let sent = sent(|client| async move { client.get_label(request).await }).await;

    assert_eq!(sent.target, "/label/.a%2Eb/.x,y/.x.y%2Ez/.firstName,Ann,role,admin/.firstName=Ann.role=admin");
}

#[tokio::test]
async fn matrix_path_wire_format() {
    let request = GetMatrixRequest {
        scalar: "5".to_owned(),
        list: words(&["x", "y"]),
        list_exploded: words(&["x", "y;z"]),
        person: person("admin", "Ann"),
        person_exploded: person("admin", "Ann"),
    };

    let sent = sent(|client| async move { client.get_matrix(request).await }).await;

    assert_eq!(
        sent.target,
        "/matrix/;scalar=5/;list=x,y/;listExploded=x;listExploded=y%3Bz/;person=firstName,Ann,role,admin/;firstName=Ann;role=admin"
    );
}

#[tokio::test]
async fn query_styles_wire_format() {
    let request = SearchRequest {
        word: Some("a b".to_owned()),
        words: Some(words(&["x", "y,z"])),
        spaced: Some(words(&["x", "y z"])),
        piped: Some(words(&["x", "y|z"])),
        person: Some(person("admin", "Ann")),
        person_exploded: Some(Pet { pet_name: "Rex".to_owned(), pet_age: Some(3) }),
        filter: Some(filter()),
        level: Some(100),
    };

    let sent = sent(|client| async move { client.search(request).await }).await;

    assert_eq!(
        sent.query(),
        "word=a+b&words=x,y%2Cz&spaced=x%20y+z&piped=x|y%7Cz&person=firstName,Ann,role,admin&petAge=3&petName=Rex\
         &filter[admin]=true&filter[id]=7&filter[person][age]=41&filter[person][firstName]=Ann&filter[person][role]=admin\
         &filter[tags]=a&filter[tags]=b&level=100"
    );
}

#[tokio::test]
async fn header_styles_wire_format() {
    let request = GetHeadersRequest {
        x_scalar: Some("a,b".to_owned()),
        x_list: Some(words(&["x", "y,z"])),
        x_person: Some(person("admin", "Ann")),
        x_person_exploded: Some(person("admin", "Ann")),
    };

    let sent = sent(|client| async move { client.get_headers(request).await }).await;

    assert_eq!(sent.header("x-scalar"), Some("a,b"));
    assert_eq!(sent.header("x-list"), Some("x,y%2Cz"));
    assert_eq!(sent.header("x-person"), Some("firstName,Ann,role,admin"));
    assert_eq!(sent.header("x-person-exploded"), Some("firstName=Ann,role=admin"));
}

#[tokio::test]
async fn cookie_styles_wire_format() {
    let request = GetCookiesRequest {
        scalar: Some("a;b".to_owned()),
        list: Some(words(&["x", "y"])),
        list_exploded: Some(words(&["x", "y"])),
        person: Some(person("admin", "Ann")),
        person_exploded: Some(Pet { pet_name: "Rex".to_owned(), pet_age: None }),
    };

    let sent = sent(|client| async move { client.get_cookies(request).await }).await;

    assert_eq!(
        sent.header("cookie"),
        Some("scalar=a%3Bb; list=x,y; listExploded=x; listExploded=y; person=firstName,Ann,role,admin; petName=Rex")
    );
}

#[tokio::test]
async fn path_styles_round_trip() {
    let (url, recording) = serve_recording().await;
    let client = client(&url);
    let mut expected = Vec::new();

    for value in AWKWARD {
        let list = words(&[value, "plain"]);
        let simple = simple_request(value, list.clone());
        let label = GetLabelRequest {
            scalar: value.to_owned(),
            list: list.clone(),
            list_exploded: list.clone(),
            person: person(value, "Ann"),
            person_exploded: person(value, "Ann"),
        };
        let matrix = GetMatrixRequest {
            scalar: value.to_owned(),
            list: list.clone(),
            list_exploded: list,
            person: person(value, "Ann"),
            person_exploded: Person { age: Some(-3), ..person(value, "Ann") },
        };
        client.get_simple(simple.clone()).await.expect("the simple call failed");
        client.get_label(label.clone()).await.expect("the label call failed");
        client.get_matrix(matrix.clone()).await.expect("the matrix call failed");
        expected.extend([Call::Simple(simple), Call::Label(label), Call::Matrix(matrix)]);
    }

    assert_eq!(*lock(&recording.calls), expected);
}

#[tokio::test]
async fn query_header_cookie_round_trip() {
    let (url, recording) = serve_recording().await;
    let client = client(&url);
    let mut expected = Vec::new();

    for value in AWKWARD {
        let search = SearchRequest {
            word: Some(value.to_owned()),
            words: Some(words(&[value, "plain"])),
            spaced: Some(words(&[value, "plain"])),
            piped: Some(words(&[value, "plain"])),
            person: Some(person(value, value)),
            person_exploded: Some(Pet { pet_name: value.to_owned(), pet_age: Some(3) }),
            filter: Some(Filter { person: person(value, "Ann"), tags: Some(words(&[value])), ..filter() }),
            level: Some(200),
        };
        let headers = GetHeadersRequest {
            x_scalar: Some("a,b;c=d%".to_owned()),
            x_list: Some(words(&[value, "plain"])),
            x_person: Some(person(value, value)),
            x_person_exploded: Some(person(value, value)),
        };
        let cookies = GetCookiesRequest {
            scalar: Some(value.to_owned()),
            list: Some(words(&[value, "plain"])),
            list_exploded: Some(words(&[value, "plain"])),
            person: Some(person(value, value)),
            person_exploded: Some(Pet { pet_name: value.to_owned(), pet_age: Some(3) }),
        };
        let json = GetJsonRequest {
            filter: Filter { person: person(value, "Ann"), ..filter() },
            query: Some(Filter { person: person(value, "Ann"), ..filter() }),
            x_filter: Some(Filter { person: person("a,b;c=d%", "Ann"), ..filter() }),
            filter2: Some(Filter { person: person(value, "Ann"), ..filter() }),
        };
        client.search(search.clone()).await.expect("the search call failed");
        client.get_headers(headers.clone()).await.expect("the header call failed");
        client.get_cookies(cookies.clone()).await.expect("the cookie call failed");
        client.get_json(json.clone()).await.expect("the JSON call failed");
        expected.extend([Call::Search(search), Call::Headers(headers), Call::Cookies(cookies), Call::Json(json)]);
    }

    assert_eq!(*lock(&recording.calls), expected);
}

#[tokio::test]
async fn server_reads_spec_examples() {
    let target = "/label/.5/.3,4,5/.3.4.5/.role,admin,firstName,Alex/.role=admin.firstName=Alex";

    let (status, calls) = server_receives(target, &[]).await;

    assert_eq!(status, 204);
    let expected = GetLabelRequest {
        scalar: "5".to_owned(),
        list: words(&["3", "4", "5"]),
        list_exploded: words(&["3", "4", "5"]),
        person: person("admin", "Alex"),
        person_exploded: person("admin", "Alex"),
    };
    assert_eq!(calls, vec![Call::Label(expected)]);
}

#[tokio::test]
async fn server_reads_deep_object() {
    let target = "/search?filter%5Bid%5D=7&filter[person][role]=admin&filter[person][firstName]=Ann&role=x";

    let (status, calls) = server_receives(target, &[]).await;

    assert_eq!(status, 204);
    let Some(Call::Search(search)) = calls.first() else { panic!("expected one search call, got {calls:?}") };
    let expected = Filter { person: person("admin", "Ann"), id: 7, admin: None, tags: None };
    assert_eq!(search.filter, Some(expected));
}

#[tokio::test]
async fn malformed_styles_rejected() {
    let cases = [
        "/label/5/.3/.3/.role,a,firstName,b/.role=a.firstName=b",
        "/matrix/;other=5/;list=x/;listExploded=x/;person=role,a,firstName,b/;role=a;firstName=b",
        "/simple/a/b/c/role,a,firstName/role=a,firstName=b",
        "/simple/a/b/c/role,a,firstName,b/role,a",
        "/search?filter[id]=seven&filter[person][role]=a&filter[person][firstName]=b",
        "/search?filter[person]=a&filter[person][role]=a",
        "/search?words=a&words=b",
        "/search?level=300",
        "/simple/%FF/b/c/role,a,firstName,b/role=a,firstName=b",
    ];

    for target in cases {
        let (status, calls) = server_receives(target, &[]).await;
        assert_eq!(status, 400, "{target}");
        assert!(calls.is_empty(), "{target} reached the implementation: {calls:?}");
    }
}

#[tokio::test]
async fn dot_segments_never_sent() {
    let (url, recording) = serve_recording().await;
    let client = client(&url);

    for scalar in ["", "."] {
        let request = GetLabelRequest {
            scalar: scalar.to_owned(),
            list: words(&["x"]),
            list_exploded: words(&["x"]),
            person: person("a", "b"),
            person_exploded: person("a", "b"),
        };
        let result = client.get_label(request).await;
        assert!(matches!(result, Err(ClientError::InvalidRequest(_))), "label {scalar:?} returned {result:?}");
    }
    let empty_list = simple_request("a", Vec::new());
    let result = client.get_simple(empty_list).await;
    assert!(matches!(result, Err(ClientError::InvalidRequest(_))), "an empty path array returned {result:?}");

    assert!(lock(&recording.calls).is_empty());
}

#[tokio::test]
async fn non_ascii_header_scalar_rejected() {
    let (url, recording) = serve_recording().await;
    let request = GetHeadersRequest { x_scalar: Some("é".to_owned()), ..GetHeadersRequest::default() };

    let result = client(&url).get_headers(request).await;

    assert!(matches!(result, Err(ClientError::InvalidRequest(_))), "returned {result:?}");
    assert!(lock(&recording.calls).is_empty());
}
