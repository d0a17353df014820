//! A hand-written axum router for the three benchmarked operations: the baseline of the server
//! benchmark.
//!
//! It does what the generated router does on these paths, written the way a person would with
//! axum's extractors. The bearer check, body limit, length and e-mail checks, status codes, media
//! types and bodies are the same, and so is the JSON decoding, because axum's `Json` also goes
//! through `serde_path_to_error`.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::service::{Store, unauthorized};

/// Same limit as the generated router's default `ServerOptions::body_limit`.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

pub fn router(store: Arc<Store>) -> axum::Router {
    axum::Router::new()
        .route("/user/2fa", get(get_two_fa))
        .route("/user/password/reset/validate", post(validate_password_reset))
        .route("/auth/refreshtoken", get(refreshtoken))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(store)
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    #[serde(rename = "statusCode")]
    status_code: u16,
    error: &'a str,
    message: &'a str,
}

fn error(status: StatusCode, message: &str) -> Response {
    let body =
        ErrorBody { status_code: status.as_u16(), error: status.canonical_reason().unwrap_or_default(), message };
    (status, Json(body)).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("Bearer") && !token.is_empty()).then_some(token)
}

async fn get_two_fa(State(store): State<Arc<Store>>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        return error(StatusCode::UNAUTHORIZED, "missing or malformed credentials");
    };
    match store.two_factor(token) {
        Some(status) => Json(status).into_response(),
        None => (StatusCode::UNAUTHORIZED, Json(unauthorized("TOKEN_INVALID"))).into_response(),
    }
}

#[derive(Deserialize)]
struct ResetCode {
    email: String,
    otp: String,
}

async fn validate_password_reset(
    State(store): State<Arc<Store>>,
    body: Result<Json<ResetCode>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) => return error(rejection.status(), &rejection.body_text()),
    };
    let mut problems = Vec::new();
    if body.email.chars().count() > 256 {
        problems.push("/email: must be at most 256 characters long");
    }
    if !is_email(&body.email) {
        problems.push("/email: must be a valid email");
    }
    if body.otp.chars().count() != 6 {
        problems.push("/otp: must be exactly 6 characters long");
    }
    if !problems.is_empty() {
        return error(StatusCode::BAD_REQUEST, &problems.join("; "));
    }
    if store.reset_code_matches(&body.email, &body.otp) {
        ([(header::CONTENT_TYPE, "application/json")], "null").into_response()
    } else {
        (StatusCode::UNAUTHORIZED, Json(unauthorized("OTP_INVALID_EXPIRED"))).into_response()
    }
}

#[derive(Deserialize)]
struct RefreshQuery {
    #[allow(dead_code)]
    cookie: Option<bool>,
}

async fn refreshtoken(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    query: Result<Query<RefreshQuery>, QueryRejection>,
) -> Response {
    let Some(token) = bearer(&headers) else {
        return error(StatusCode::UNAUTHORIZED, "missing or malformed credentials");
    };
    if let Err(rejection) = query {
        return error(StatusCode::BAD_REQUEST, &rejection.body_text());
    }
    match store.refresh(token) {
        Some(refreshed) => ([(header::CONTENT_TYPE, "text/plain")], refreshed.to_owned()).into_response(),
        None => (StatusCode::UNAUTHORIZED, Json(unauthorized("TOKEN_INVALID"))).into_response(),
    }
}

/// Checks an e-mail address as the generated `format: email` validation does. The local part must be
/// non-empty, at most 64 bytes and free of spaces and control characters, and the domain must have two
/// or more labels of letters, digits and inner hyphens.
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let local_ok =
        !local.is_empty() && local.len() <= 64 && !local.chars().any(|c| c.is_whitespace() || c.is_control());
    let mut labels = 0;
    let domain_ok = domain.split('.').all(|label| {
        labels += 1;
        !label.is_empty()
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    local_ok && domain_ok && labels >= 2
}
