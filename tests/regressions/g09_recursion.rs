//! Direct recursion (`Node.parent`, `Node.children`) and mutual recursion (`Problem` and `ProblemDetail`):
//! nested values round-trip through the generated server and client.

use std::convert::Infallible;

use fx_behaviour::serve;
use fx_g09_client::{Client, G09Api, GetTreeRequest, GetTreeResponse, Node, Problem, ProblemDetail, Server};

/// Returns one fixed response to every request.
#[derive(Clone)]
struct Trees {
    response: GetTreeResponse,
}

impl G09Api for Trees {
    type Error = Infallible;

    async fn get_tree(&self, _request: GetTreeRequest) -> Result<GetTreeResponse, Infallible> {
        Ok(self.response.clone())
    }
}

fn leaf(label: &str) -> Node {
    Node { label: label.to_owned(), parent: None, children: None }
}

/// Builds a tree three levels deep whose root also has a parent.
fn three_level_tree() -> Node {
    let middle =
        Node { label: "middle".to_owned(), parent: None, children: Some(vec![leaf("leaf-1"), leaf("leaf-2")]) };
    Node {
        label: "root".to_owned(),
        parent: Some(Box::new(leaf("above-root"))),
        children: Some(vec![middle, leaf("sibling")]),
    }
}

/// Builds a problem whose cause chain is three problems deep.
fn three_deep_problem() -> Problem {
    let innermost = Problem { message: "disk full".to_owned(), detail: None };
    let middle = Problem {
        message: "write failed".to_owned(),
        detail: Some(Box::new(ProblemDetail { cause: Some(Box::new(innermost)) })),
    };
    Problem {
        message: "save failed".to_owned(),
        detail: Some(Box::new(ProblemDetail { cause: Some(Box::new(middle)) })),
    }
}

/// Serves `response` and returns what the generated client decodes from it.
async fn round_trip(response: GetTreeResponse) -> GetTreeResponse {
    let url = serve(fx_g09_server::router(Trees { response })).await;
    let client = Client::builder().server_url(Server::Default, url).build();
    client.get_tree(GetTreeRequest::default()).await.expect("the call failed")
}

#[tokio::test]
async fn nested_tree_round_trips() {
    let response = GetTreeResponse::Ok(three_level_tree());

    assert_eq!(round_trip(response.clone()).await, response);
}

#[tokio::test]
async fn problem_chain_round_trips() {
    let response = GetTreeResponse::Default { status: 500, body: three_deep_problem() };

    assert_eq!(round_trip(response.clone()).await, response);
}
