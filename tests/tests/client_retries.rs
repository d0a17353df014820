//! Retries of the generated auth client, against a plain axum server that plays back a list of responses.
//!
//! The retry policy is opt-in: it sends a request again after a 429 whatever the method, after a 503 only
//! for idempotent methods, and waits as long as `Retry-After` or a `retryAfter` body field requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use auth_client::*;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use integration_tests::serve;

/// One response of the playback server.
#[derive(Clone)]
struct Canned {
    status: u16,
    retry_after: Option<&'static str>,
    body: &'static str,
}

impl Canned {
    fn new(status: u16, body: &'static str) -> Self {
        Canned { status, retry_after: None, body }
    }

    fn with_retry_after(mut self, value: &'static str) -> Self {
        self.retry_after = Some(value);
        self
    }

    fn to_response(&self) -> Response {
        let status = StatusCode::from_u16(self.status).expect("a canned status is a valid HTTP status");
        let mut response = (status, self.body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(value) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static(value));
        }
        response
    }
}

const TWO_FA_OFF: &str = r#"{"enabled":false}"#;
const THROTTLED: &str =
    r#"{"statusCode":429,"error":"Too many requests","message":"TOO_MANY_OTP_EMAILS","retryAfter":0}"#;
const THROTTLED_LONG: &str =
    r#"{"statusCode":429,"error":"Too many requests","message":"TOO_MANY_OTP_EMAILS","retryAfter":3600}"#;
const UNAVAILABLE: &str = r#"{"statusCode":503,"error":"Service Unavailable","message":"MAINTENANCE"}"#;

/// Serves `responses` in order to any request, repeating the last one, and returns the base URL and the
/// number of requests received so far.
async fn serve_playback(responses: Vec<Canned>) -> (String, Arc<AtomicUsize>) {
    let received = Arc::new(AtomicUsize::new(0));
    let queue = Arc::new(Mutex::new(responses));
    let counter = received.clone();
    let app = axum::Router::new().fallback(move || {
        let queue = queue.clone();
        let counter = counter.clone();
        async move {
            let index = counter.fetch_add(1, Ordering::SeqCst);
            let queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
            let canned = queue.get(index).or(queue.last()).expect("the playback list is empty");
            canned.to_response()
        }
    });
    (serve(app).await, received)
}

/// Returns a policy with waits short enough for a test.
fn quick_policy() -> RetryPolicy {
    RetryPolicy { max_retries: 2, initial_backoff: Duration::from_millis(1), max_delay: Duration::from_secs(2) }
}

fn client(base: &str, policy: Option<RetryPolicy>) -> Client {
    let builder = Client::builder().server_url(Server::Default, base).server_url(Server::MainApiServer, base);
    match policy {
        Some(policy) => builder.retry(policy).build(),
        None => builder.build(),
    }
}

fn get_two_fa() -> GetTwoFaRequest {
    GetTwoFaRequest { credentials: Some(Credentials::new("access-token")) }
}

fn challenge() -> InitiateEmailOtpAuthenticationRequest {
    InitiateEmailOtpAuthenticationRequest { credentials: Some(Credentials::new("access-token")), ..Default::default() }
}

#[tokio::test]
async fn throttled_post_is_sent_again() {
    let (base, received) = serve_playback(vec![Canned::new(429, THROTTLED), Canned::new(200, "null")]).await;

    let response = client(&base, Some(quick_policy())).initiate_email_otp_authentication(challenge()).await.unwrap();

    assert_eq!(response, InitiateEmailOtpAuthenticationResponse::Ok);
    assert_eq!(received.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn no_policy_returns_first_response() {
    let (base, received) = serve_playback(vec![Canned::new(429, THROTTLED), Canned::new(200, "null")]).await;

    let response = client(&base, None).initiate_email_otp_authentication(challenge()).await.unwrap();

    assert!(matches!(response, InitiateEmailOtpAuthenticationResponse::TooManyRequests(_)), "got {response:?}");
    assert_eq!(received.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn unavailable_get_is_sent_again() {
    let responses = vec![Canned::new(503, UNAVAILABLE).with_retry_after("0"), Canned::new(200, TWO_FA_OFF)];
    let (base, received) = serve_playback(responses).await;

    let response = client(&base, Some(quick_policy())).get_two_fa(get_two_fa()).await.unwrap();

    let GetTwoFaResponse::Ok(status) = response else { panic!("expected the Ok variant, got {response:?}") };
    assert!(!status.enabled);
    assert_eq!(received.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn unavailable_post_is_not_sent_again() {
    let responses = vec![Canned::new(503, UNAVAILABLE).with_retry_after("0"), Canned::new(200, "null")];
    let (base, received) = serve_playback(responses).await;

    let error = client(&base, Some(quick_policy())).initiate_email_otp_authentication(challenge()).await.unwrap_err();

    assert!(matches!(error, ClientError::UnexpectedStatus { status: 503, .. }), "got {error:?}");
    assert_eq!(received.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn retries_stop_at_max_retries() {
    let (base, received) = serve_playback(vec![Canned::new(503, UNAVAILABLE)]).await;

    let error = client(&base, Some(quick_policy())).get_two_fa(get_two_fa()).await.unwrap_err();

    assert!(matches!(error, ClientError::UnexpectedStatus { status: 503, .. }), "got {error:?}");
    assert_eq!(received.load(Ordering::SeqCst), 3, "one request and max_retries = 2 retries");
}

#[tokio::test]
async fn long_retry_after_body_returns_response() {
    let (base, received) = serve_playback(vec![Canned::new(429, THROTTLED_LONG), Canned::new(200, "null")]).await;

    let response = client(&base, Some(quick_policy())).initiate_email_otp_authentication(challenge()).await.unwrap();

    let InitiateEmailOtpAuthenticationResponse::TooManyRequests(body) = response else {
        panic!("expected the TooManyRequests variant, got {response:?}");
    };
    assert_eq!(body.retry_after, Some(3600));
    assert_eq!(received.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn long_retry_after_header_returns_response() {
    let responses = vec![Canned::new(503, UNAVAILABLE).with_retry_after("120"), Canned::new(200, TWO_FA_OFF)];
    let (base, received) = serve_playback(responses).await;

    let error = client(&base, Some(quick_policy())).get_two_fa(get_two_fa()).await.unwrap_err();

    assert!(matches!(error, ClientError::UnexpectedStatus { status: 503, .. }), "got {error:?}");
    assert_eq!(received.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn retry_after_header_sets_wait() {
    let responses = vec![Canned::new(503, UNAVAILABLE).with_retry_after("1"), Canned::new(200, TWO_FA_OFF)];
    let (base, received) = serve_playback(responses).await;
    let started = std::time::Instant::now();

    let response = client(&base, Some(quick_policy())).get_two_fa(get_two_fa()).await.unwrap();

    assert!(matches!(response, GetTwoFaResponse::Ok(_)), "got {response:?}");
    assert_eq!(received.load(Ordering::SeqCst), 2);
    // The backoff alone would wait 1 ms; the header requests a whole second.
    assert!(started.elapsed() >= Duration::from_secs(1), "retried after {:?}", started.elapsed());
}
