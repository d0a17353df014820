//! Distinct operationIds that collide after case conversion (`board___card_read` and `board_card_read`,
//! `fetchWidget` and `fetch_widget`) stay four operations, each routed to its own path, and a path segment
//! with two parameters (`{lane}-{slot}`) is split into both.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{CannedResponse, lock, serve, serve_recorder};
use fx_g15_client::{
    BoardCardRead2Request, BoardCardRead2Response, BoardCardReadRequest, BoardCardReadResponse, Client,
    FetchWidget2Request, FetchWidget2Response, FetchWidgetRequest, FetchWidgetResponse, G15Api, Server,
};

/// One call as the implementation received it.
#[derive(Debug, Clone, PartialEq)]
enum Call {
    BoardCardRead(BoardCardReadRequest),
    BoardCardRead2(BoardCardRead2Request),
    FetchWidget,
    FetchWidget2,
}

#[derive(Clone, Default)]
struct Boards {
    calls: Arc<Mutex<Vec<Call>>>,
}

impl G15Api for Boards {
    type Error = Infallible;

    async fn board_card_read(&self, request: BoardCardReadRequest) -> Result<BoardCardReadResponse, Infallible> {
        lock(&self.calls).push(Call::BoardCardRead(request));
        Ok(BoardCardReadResponse::Ok)
    }

    async fn board_card_read2(&self, request: BoardCardRead2Request) -> Result<BoardCardRead2Response, Infallible> {
        lock(&self.calls).push(Call::BoardCardRead2(request));
        Ok(BoardCardRead2Response::Ok)
    }

    async fn fetch_widget(&self, _request: FetchWidgetRequest) -> Result<FetchWidgetResponse, Infallible> {
        lock(&self.calls).push(Call::FetchWidget);
        Ok(FetchWidgetResponse::Ok)
    }

    async fn fetch_widget2(&self, _request: FetchWidget2Request) -> Result<FetchWidget2Response, Infallible> {
        lock(&self.calls).push(Call::FetchWidget2);
        Ok(FetchWidget2Response::Ok)
    }
}

async fn serve_boards() -> (String, Boards) {
    let boards = Boards::default();
    let url = serve(fx_g15_server::router(boards.clone())).await;
    (url, boards)
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

/// Sends `GET <path>` and returns the status and the calls that reached the implementation.
async fn server_receives(path: &str) -> (u16, Vec<Call>) {
    let (url, boards) = serve_boards().await;
    let response = reqwest::get(format!("{url}{path}")).await.expect("the request failed");
    let calls = lock(&boards.calls).clone();
    (response.status().as_u16(), calls)
}

fn card_read(board: &str, lane: &str, slot: &str) -> BoardCardReadRequest {
    BoardCardReadRequest { board: board.to_owned(), lane: lane.to_owned(), slot: slot.to_owned() }
}

#[test]
fn operation_ids_map_to_distinct_types() {
    assert_eq!(BoardCardReadRequest::OPERATION_ID, "board___card_read");
    assert_eq!(BoardCardRead2Request::OPERATION_ID, "board_card_read");
    assert_eq!(FetchWidgetRequest::OPERATION_ID, "fetchWidget");
    assert_eq!(FetchWidget2Request::OPERATION_ID, "fetch_widget");
}

#[tokio::test]
async fn two_parameter_segment_routes() {
    let (status, calls) = server_receives("/boards/b1/l1-s1/card").await;

    assert_eq!(status, 200);
    assert_eq!(calls, vec![Call::BoardCardRead(card_read("b1", "l1", "s1"))]);
}

#[tokio::test]
async fn one_parameter_path_routes() {
    let (status, calls) = server_receives("/boards/b1/card").await;

    assert_eq!(status, 200);
    assert_eq!(calls, vec![Call::BoardCardRead2(BoardCardRead2Request { board: "b1".to_owned() })]);
}

#[tokio::test]
async fn client_joins_segment_parameters() {
    let (url, recorder) = serve_recorder(CannedResponse::empty(200)).await;

    client(&url).board_card_read(card_read("b1", "l1", "s1")).await.expect("the call failed");

    assert_eq!(recorder.single().target, "/boards/b1/l1-s1/card");
}

#[tokio::test]
async fn each_method_reaches_own_operation() {
    let (url, boards) = serve_boards().await;
    let client = client(&url);

    let first = client.board_card_read(card_read("b1", "l1", "s1")).await.expect("board_card_read failed");
    let second = client
        .board_card_read2(BoardCardRead2Request { board: "b2".to_owned() })
        .await
        .expect("board_card_read2 failed");
    let third = client.fetch_widget(FetchWidgetRequest::default()).await.expect("fetch_widget failed");
    let fourth = client.fetch_widget2(FetchWidget2Request::default()).await.expect("fetch_widget2 failed");

    assert_eq!(first, BoardCardReadResponse::Ok);
    assert_eq!(second, BoardCardRead2Response::Ok);
    assert_eq!(third, FetchWidgetResponse::Ok);
    assert_eq!(fourth, FetchWidget2Response::Ok);
    let expected = vec![
        Call::BoardCardRead(card_read("b1", "l1", "s1")),
        Call::BoardCardRead2(BoardCardRead2Request { board: "b2".to_owned() }),
        Call::FetchWidget,
        Call::FetchWidget2,
    ];
    assert_eq!(*lock(&boards.calls), expected);
}

#[tokio::test]
async fn widget_paths_reach_own_operations() {
    let (status_a, calls_a) = server_receives("/widgets/a").await;
    let (status_b, calls_b) = server_receives("/widgets/b").await;

    assert_eq!(status_a, 200);
    assert_eq!(calls_a, vec![Call::FetchWidget]);
    assert_eq!(status_b, 200);
    assert_eq!(calls_b, vec![Call::FetchWidget2]);
}
