//! How the generated server treats what the implementation returns and how long it takes.
//!
//! A status outside its variant's range, or a body that breaks its schema, becomes a logged 500 while
//! `ServerOptions::check_responses` is on, as it is in debug builds. `ServerOptions::request_timeout` bounds a
//! request, and a graceful shutdown lets the requests in flight finish.

use std::convert::Infallible;

use fx_behaviour::serve;
use fx_responses_client::{
    CancelJobRequest, CancelJobResponse, GetJobLogRequest, GetJobLogResponse, GetJobRequest, GetJobResponse, Job,
    JobState, Problem, ResponsesApi, SubmitJobRequest, SubmitJobResponse,
};
use fx_responses_server::ServerOptions;

/// Returns the response of `get_job` it was built with, and a fixed success for every other operation.
#[derive(Clone)]
struct Fixed(GetJobResponse);

impl ResponsesApi for Fixed {
    type Error = Infallible;

    async fn submit_job(&self, _request: SubmitJobRequest) -> Result<SubmitJobResponse, Infallible> {
        Ok(SubmitJobResponse::Accepted)
    }

    async fn get_job(&self, _request: GetJobRequest) -> Result<GetJobResponse, Infallible> {
        Ok(self.0.clone())
    }

    async fn cancel_job(&self, _request: CancelJobRequest) -> Result<CancelJobResponse, Infallible> {
        Ok(CancelJobResponse::NoContent)
    }

    async fn get_job_log(&self, _request: GetJobLogRequest) -> Result<GetJobLogResponse, Infallible> {
        Ok(GetJobLogResponse::Ok("log".to_owned()))
    }
}

fn problem() -> Problem {
    Problem { status: 500, message: "store failed".to_owned(), detail: None }
}

/// Serves `fixed` with `options` and returns the status of `GET /jobs/7`.
async fn get_status(fixed: GetJobResponse, options: ServerOptions) -> u16 {
    let url = serve(fx_responses_server::router_with(Fixed(fixed), options)).await;
    let response = reqwest::Client::new().get(format!("{url}/jobs/7")).send().await.expect("the request failed");
    response.status().as_u16()
}

#[test]
fn checks_on_in_debug_builds() {
    assert_eq!(ServerOptions::default().check_responses, cfg!(debug_assertions));
}

#[tokio::test]
async fn documented_response_passes() {
    let job = Job { id: "7".to_owned(), state: JobState::Running };

    assert_eq!(get_status(GetJobResponse::Ok(job), ServerOptions::default()).await, 200);
    assert_eq!(get_status(GetJobResponse::ServerError { status: 503, body: problem() }, ServerOptions::default()).await, 503);
}

#[tokio::test]
async fn status_outside_range_gets_500() {
    let options = ServerOptions { check_responses: true, ..ServerOptions::default() };

    let status = get_status(GetJobResponse::ServerError { status: 200, body: problem() }, options).await;

    assert_eq!(status, 500);
}

#[tokio::test]
async fn undocumented_enum_value_gets_500() {
    let options = ServerOptions { check_responses: true, ..ServerOptions::default() };
    let job = Job { id: "7".to_owned(), state: JobState::Other("paused".to_owned()) };

    let status = get_status(GetJobResponse::Ok(job), options).await;

    assert_eq!(status, 500);
}

#[tokio::test]
async fn check_off_sends_response_as_is() {
    let options = ServerOptions { check_responses: false, ..ServerOptions::default() };

    let status = get_status(GetJobResponse::ServerError { status: 200, body: problem() }, options).await;

    assert_eq!(status, 200);
}

#[test]
fn range_variant_reports_status() {
    let violations = GetJobResponse::ServerError { status: 404, body: problem() }.violations();

    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].to_string(), "status code: 404 is outside 500..=599");
}

#[test]
fn default_variant_rejects_documented_code() {
    let response = CancelJobResponse::Default { status: 409 };

    let violations = response.violations();

    assert_eq!(violations.len(), 1);
    assert!(violations[0].message.contains("documented by another variant"), "got {}", violations[0].message);
}

/// Returns the response of `get_job` after `delay`, and of every other operation at once.
#[derive(Clone)]
struct Slow {
    delay: std::time::Duration,
}

impl ResponsesApi for Slow {
    type Error = Infallible;

    async fn submit_job(&self, _request: SubmitJobRequest) -> Result<SubmitJobResponse, Infallible> {
        Ok(SubmitJobResponse::Accepted)
    }

    async fn get_job(&self, _request: GetJobRequest) -> Result<GetJobResponse, Infallible> {
        tokio::time::sleep(self.delay).await;
        Ok(GetJobResponse::Ok(Job { id: "7".to_owned(), state: JobState::Done }))
    }

    async fn cancel_job(&self, _request: CancelJobRequest) -> Result<CancelJobResponse, Infallible> {
        Ok(CancelJobResponse::NoContent)
    }

    async fn get_job_log(&self, _request: GetJobLogRequest) -> Result<GetJobLogResponse, Infallible> {
        Ok(GetJobLogResponse::Ok("log".to_owned()))
    }
}

/// Serves `Slow` with a request timeout of 200 ms and returns the status and body of `GET /jobs/7`.
async fn get_slow(delay: std::time::Duration) -> (u16, String) {
    let options = ServerOptions { request_timeout: Some(std::time::Duration::from_millis(200)), ..ServerOptions::default() };
    let url = serve(fx_responses_server::router_with(Slow { delay }, options)).await;
    let response = reqwest::Client::new().get(format!("{url}/jobs/7")).send().await.expect("the request failed");
    let status = response.status().as_u16();
    (status, response.text().await.expect("the body is not text"))
}

#[tokio::test]
async fn request_over_timeout_gets_503() {
    let (status, body) = get_slow(std::time::Duration::from_secs(30)).await;

    assert_eq!(status, 503);
    assert!(body.contains("took too long"), "the body does not explain the 503: {body}");
}

#[tokio::test]
async fn request_within_timeout_passes() {
    let (status, _) = get_slow(std::time::Duration::ZERO).await;

    assert_eq!(status, 200);
}

#[tokio::test]
async fn graceful_shutdown_finishes_request_in_flight() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("failed to bind 127.0.0.1:0");
    let url = format!("http://{}", listener.local_addr().expect("failed to read the listener address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = fx_responses_server::router(Slow { delay: std::time::Duration::from_millis(300) });
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });

    let in_flight = tokio::spawn(async move { reqwest::Client::new().get(format!("{url}/jobs/7")).send().await });
    // Let the request reach the implementation before the shutdown starts.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.send(()).expect("the server stopped before the shutdown signal");

    let response = in_flight.await.expect("the request task panicked").expect("the request in flight failed");
    assert_eq!(response.status().as_u16(), 200);
    let served = server.await.expect("the server task panicked");
    assert!(served.is_ok(), "the server ended with {served:?}");
}
