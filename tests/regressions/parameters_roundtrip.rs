//! A property test of every parameter style: random values, with reserved and non-ASCII characters, sent
//! with the generated client reach the generated server's implementation unchanged.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{lock, serve};
use fx_parameters_client::{
    Client, DeleteShelvesByShelfIdBooksByIsbnRequest, DeleteShelvesByShelfIdBooksByIsbnResponse, Filter,
    GetAuthorBookRequest, GetAuthorBookResponse, GetCookiesRequest, GetCookiesResponse, GetHeadersRequest,
    GetHeadersResponse, GetJsonRequest, GetJsonResponse, GetLabelRequest, GetLabelResponse, GetMatrixRequest,
    GetMatrixResponse, GetSimpleRequest, GetSimpleResponse, ListBooksRequest, ListBooksResponse, ParametersApi,
    Person, Pet, SearchRequest, SearchResponse, Server,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Characters of the random values: delimiters of every style, URL syntax, spaces and non-ASCII text.
const CHARACTERS: &[char] = &[
    'a', 'Z', '0', ' ', '/', '%', ',', ';', '.', '=', '&', '+', '?', '#', '[', ']', '|', '"', '-', '~', 'é', '日', '🎉',
];

/// The last request of each operation that reached the implementation, as its `Debug` text.
#[derive(Clone, Default)]
struct Received {
    last: Arc<Mutex<Option<String>>>,
}

impl Received {
    fn record(&self, request: &impl std::fmt::Debug) {
        *lock(&self.last) = Some(format!("{request:?}"));
    }

    fn take(&self) -> Option<String> {
        lock(&self.last).take()
    }
}

impl ParametersApi for Received {
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
        self.record(&request);
        Ok(GetSimpleResponse::NoContent)
    }

    async fn get_label(&self, request: GetLabelRequest) -> Result<GetLabelResponse, Infallible> {
        self.record(&request);
        Ok(GetLabelResponse::NoContent)
    }

    async fn get_matrix(&self, request: GetMatrixRequest) -> Result<GetMatrixResponse, Infallible> {
        self.record(&request);
        Ok(GetMatrixResponse::NoContent)
    }

    async fn get_json(&self, request: GetJsonRequest) -> Result<GetJsonResponse, Infallible> {
        self.record(&request);
        Ok(GetJsonResponse::NoContent)
    }

    async fn search(&self, request: SearchRequest) -> Result<SearchResponse, Infallible> {
        self.record(&request);
        Ok(SearchResponse::NoContent)
    }

    async fn get_headers(&self, request: GetHeadersRequest) -> Result<GetHeadersResponse, Infallible> {
        self.record(&request);
        Ok(GetHeadersResponse::NoContent)
    }

    async fn get_cookies(&self, request: GetCookiesRequest) -> Result<GetCookiesResponse, Infallible> {
        self.record(&request);
        Ok(GetCookiesResponse::NoContent)
    }
}

/// Non-empty text from [`CHARACTERS`]. `.` and `..` are left out: no client can send them as a path segment.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(CHARACTERS), 1..8)
        .prop_map(|characters| characters.into_iter().collect::<String>())
        .prop_filter("dot segments cannot be sent", |text| text != "." && text != "..")
}

fn list() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(text(), 1..4)
}

fn person() -> impl Strategy<Value = Person> {
    (text(), text(), proptest::option::of(any::<i32>())).prop_map(|(role, first_name, age)| Person { role, first_name, age })
}

fn filter() -> impl Strategy<Value = Filter> {
    (person(), any::<i64>(), proptest::option::of(any::<bool>()), proptest::option::of(list()))
        .prop_map(|(person, id, admin, tags)| Filter { person, id, admin, tags })
}

/// Runs `cases` random cases of one operation: each request is sent and must reach the implementation unchanged.
fn check<S, F, Fut, R>(strategy: S, send: F)
where
    S: Strategy,
    S::Value: std::fmt::Debug + Clone,
    F: Fn(Client, S::Value) -> Fut,
    Fut: std::future::Future<Output = Result<R, fx_parameters_client::ClientError>>,
    R: std::fmt::Debug,
{
    let runtime = tokio::runtime::Runtime::new().expect("failed to start a tokio runtime");
    let received = Received::default();
    let url = runtime.block_on(serve(fx_parameters_server::router(received.clone())));
    let client = Client::builder().server_url(Server::Default, url).build();
    let mut runner = TestRunner::new(Config { cases: 40, failure_persistence: None, ..Config::default() });
    let outcome = runner.run(&strategy, |request| {
        let response = runtime.block_on(send(client.clone(), request.clone()));
        prop_assert!(response.is_ok(), "the call failed: {response:?}");
        prop_assert_eq!(received.take(), Some(format!("{request:?}")));
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

#[test]
fn simple_path_values_round_trip() {
    let strategy = (text(), list(), list(), person(), person()).prop_map(|(scalar, list, list_exploded, person, person_exploded)| {
        GetSimpleRequest { scalar, list, list_exploded, person, person_exploded }
    });
    check(strategy, |client, request| async move { client.get_simple(request).await });
}

#[test]
fn label_path_values_round_trip() {
    let strategy = (text(), list(), list(), person(), person()).prop_map(|(scalar, list, list_exploded, person, person_exploded)| {
        GetLabelRequest { scalar, list, list_exploded, person, person_exploded }
    });
    check(strategy, |client, request| async move { client.get_label(request).await });
}

#[test]
fn matrix_path_values_round_trip() {
    let strategy = (text(), list(), list(), person(), person()).prop_map(|(scalar, list, list_exploded, person, person_exploded)| {
        GetMatrixRequest { scalar, list, list_exploded, person, person_exploded }
    });
    check(strategy, |client, request| async move { client.get_matrix(request).await });
}

#[test]
fn query_values_round_trip() {
    let pet = (text(), proptest::option::of(any::<i32>())).prop_map(|(pet_name, pet_age)| Pet { pet_name, pet_age });
    let strategy = (
        proptest::option::of(text()),
        proptest::option::of(list()),
        proptest::option::of(list()),
        proptest::option::of(list()),
        proptest::option::of(person()),
        proptest::option::of(pet),
        proptest::option::of(filter()),
    )
        .prop_map(|(word, words, spaced, piped, person, person_exploded, filter)| SearchRequest {
            word,
            words,
            spaced,
            piped,
            person,
            person_exploded,
            filter,
            level: None,
        });
    check(strategy, |client, request| async move { client.search(request).await });
}

#[test]
fn header_values_round_trip() {
    let strategy = (proptest::option::of(list()), proptest::option::of(person()), proptest::option::of(person()))
        .prop_map(|(x_list, x_person, x_person_exploded)| GetHeadersRequest { x_scalar: None, x_list, x_person, x_person_exploded });
    check(strategy, |client, request| async move { client.get_headers(request).await });
}

#[test]
fn cookie_values_round_trip() {
    let pet = (text(), proptest::option::of(any::<i32>())).prop_map(|(pet_name, pet_age)| Pet { pet_name, pet_age });
    let strategy = (
        proptest::option::of(text()),
        proptest::option::of(list()),
        proptest::option::of(list()),
        proptest::option::of(person()),
        proptest::option::of(pet),
    )
        .prop_map(|(scalar, list, list_exploded, person, person_exploded)| GetCookiesRequest {
            scalar,
            list,
            list_exploded,
            person,
            person_exploded,
        });
    check(strategy, |client, request| async move { client.get_cookies(request).await });
}

#[test]
fn json_values_round_trip() {
    let strategy = (filter(), proptest::option::of(filter()), proptest::option::of(filter()))
        .prop_map(|(filter, query, filter2)| GetJsonRequest { filter, query, x_filter: None, filter2 });
    check(strategy, |client, request| async move { client.get_json(request).await });
}
