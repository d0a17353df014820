//! Authentication of a request against its operation's security requirement, before any handler runs.

// A document without security schemes uses none of the functions below.
#![allow(dead_code)]

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::parameters::Wire;
use crate::runtime::{Rejection, authorization};
use crate::{CredentialLocation, Credentials, SchemeRequirement, SecurityScheme};

/// The reason an [`Authenticator`] did not accept a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// The credential is unknown, expired or malformed; the server responds with 401.
    Rejected,
    /// The credential is valid but lacks a required scope or permission; the server responds with 403.
    Forbidden,
}

/// Checks the credentials of every request before the implementation receives it. A router built with
/// `router_with_authenticator` calls it once per scheme of the alternative it tries.
pub trait Authenticator: Send + Sync + 'static {
    /// The identity an accepted credential proves, such as a user. The handler reads it with
    /// `Credentials::principal`.
    type Principal: Send + Sync + 'static;

    /// Checks `credential`, sent for `scheme`, and that it grants every one of `scopes`. The credential is a
    /// bearer token without the `Bearer ` prefix, the base64 part of a `Basic` header, or an API key.
    fn authenticate(
        &self,
        scheme: SecurityScheme,
        credential: &str,
        scopes: &[&str],
    ) -> impl Future<Output = Result<Self::Principal, AuthError>> + Send;
}

type PrincipalFuture<'a> = Pin<Box<dyn Future<Output = Result<Arc<dyn Any + Send + Sync>, AuthError>> + Send + 'a>>;

/// An [`Authenticator`] with its principal type erased, so that the router's state needs no type parameter
/// for it.
pub(crate) trait ErasedAuthenticator: Send + Sync {
    fn authenticate_erased<'a>(&'a self, scheme: SecurityScheme, credential: &'a str, scopes: &'a [&'static str]) -> PrincipalFuture<'a>;
}

impl<T: Authenticator> ErasedAuthenticator for T {
    fn authenticate_erased<'a>(&'a self, scheme: SecurityScheme, credential: &'a str, scopes: &'a [&'static str]) -> PrincipalFuture<'a> {
        Box::pin(async move {
            let principal = Authenticator::authenticate(self, scheme, credential, scopes).await?;
            Ok(Arc::new(principal) as Arc<dyn Any + Send + Sync>)
        })
    }
}

/// Finds the credentials of every scheme the requirement names, then picks the first alternative whose schemes
/// are all present and, with an authenticator, all accepted. Without an authenticator presence is enough.
///
/// An anonymous alternative applies only when no alternative with credentials was accepted, and a presented
/// credential that was rejected wins over it: the caller gets 401 or 403 rather than anonymous access. A
/// panicking authenticator is logged and gets a 500 response, as a panicking implementation does.
pub(crate) async fn authenticate(
    authenticator: Option<&dyn ErasedAuthenticator>,
    security: &'static [&'static [SchemeRequirement]],
    headers: &HeaderMap,
    wire: &Wire<'_>,
) -> Result<Option<Credentials>, Rejection> {
    let credentials = present_credentials(security, headers, wire);
    match authenticator {
        None => check_presence(security, credentials),
        // Boxed, so the handler's future stays small when the router has no authenticator.
        Some(authenticator) => Box::pin(verify(authenticator, security, credentials)).await,
    }
}

/// Picks the first alternative whose credentials are all present, without an authenticator.
fn check_presence(security: &[&[SchemeRequirement]], credentials: Option<Credentials>) -> Result<Option<Credentials>, Rejection> {
    let mut anonymous = false;
    for alternative in security {
        if alternative.is_empty() {
            anonymous = true;
            continue;
        }
        let Some(present) = &credentials else { continue };
        if alternative.iter().all(|requirement| present.value(requirement.scheme).is_some()) {
            return Ok(credentials);
        }
    }
    if anonymous { Ok(credentials) } else { Err(Rejection::MissingCredentials) }
}

/// Picks the first alternative whose credentials are all present and accepted by `authenticator`.
async fn verify(
    authenticator: &dyn ErasedAuthenticator,
    security: &'static [&'static [SchemeRequirement]],
    credentials: Option<Credentials>,
) -> Result<Option<Credentials>, Rejection> {
    let mut anonymous = false;
    let mut failure: Option<AuthError> = None;
    for alternative in security {
        if alternative.is_empty() {
            anonymous = true;
            continue;
        }
        let Some(present) = &credentials else { continue };
        let values: Option<Vec<&str>> = alternative.iter().map(|requirement| present.value(requirement.scheme)).collect();
        let Some(values) = values else { continue };
        let accepted = AssertUnwindSafe(accept(authenticator, alternative, &values));
        let outcome = match futures_util::FutureExt::catch_unwind(accepted).await {
            Ok(outcome) => outcome,
            Err(panic) => {
                tracing::error!(panic = %crate::runtime::panic_message(&*panic), "the authenticator panicked");
                return Err(Rejection::Internal);
            }
        };
        match outcome {
            Ok(principal) => return Ok(Some(present.clone().with_shared_principal(principal))),
            Err(AuthError::Forbidden) => failure = Some(AuthError::Forbidden),
            Err(AuthError::Rejected) => failure = failure.or(Some(AuthError::Rejected)),
        }
    }
    match failure {
        Some(AuthError::Forbidden) => Err(Rejection::Forbidden),
        Some(AuthError::Rejected) => Err(Rejection::InvalidCredentials),
        None if anonymous => Ok(credentials),
        None => Err(Rejection::MissingCredentials),
    }
}

/// Authenticates every scheme of one alternative; the principal of its first scheme is the request's.
async fn accept(
    authenticator: &dyn ErasedAuthenticator,
    alternative: &'static [SchemeRequirement],
    values: &[&str],
) -> Result<Arc<dyn Any + Send + Sync>, AuthError> {
    let mut principal = None;
    for (requirement, value) in alternative.iter().zip(values) {
        match authenticator.authenticate_erased(requirement.scheme, value, requirement.scopes).await {
            Ok(accepted) => {
                principal.get_or_insert(accepted);
            }
            Err(error) => {
                tracing::debug!(scheme = requirement.scheme.name(), ?error, "the authenticator did not accept a credential");
                return Err(error);
            }
        }
    }
    principal.ok_or(AuthError::Rejected)
}

/// Collects the non-empty credential of each scheme the requirement names, in the order it names them.
fn present_credentials(security: &[&[SchemeRequirement]], headers: &HeaderMap, wire: &Wire<'_>) -> Option<Credentials> {
    let mut credentials: Option<Credentials> = None;
    for (index, requirement) in security.iter().flat_map(|alternative| alternative.iter()).enumerate() {
        let scheme = requirement.scheme;
        let seen = security.iter().flat_map(|alternative| alternative.iter()).take(index).any(|earlier| earlier.scheme == scheme);
        if seen {
            continue;
        }
        if let Some(value) = credential_value(scheme.location(), headers, wire) {
            credentials = Some(match credentials {
                Some(found) => found.with(scheme, value),
                None => Credentials::from_values([(scheme, value)]),
            });
        }
    }
    credentials
}

fn credential_value(location: CredentialLocation, headers: &HeaderMap, wire: &Wire<'_>) -> Option<String> {
    let value = match location {
        CredentialLocation::Authorization(scheme) => authorization(headers, scheme),
        CredentialLocation::Header(name) => headers.get(name).and_then(|value| value.to_str().ok()).map(str::to_owned),
        CredentialLocation::Query(name) => wire.query_value(name),
        CredentialLocation::Cookie(name) => wire.cookie_value(name),
    };
    value.filter(|value| !value.is_empty())
}

/// Adds one `WWW-Authenticate` challenge per scheme of the requirement to a 401 response, as RFC 9110
/// requires; other responses pass unchanged.
pub(crate) fn add_challenges(mut response: Response, security: &[&[SchemeRequirement]]) -> Response {
    if response.status() != StatusCode::UNAUTHORIZED {
        return response;
    }
    let mut sent: Vec<&'static str> = Vec::new();
    for requirement in security.iter().flat_map(|alternative| alternative.iter()) {
        let challenge = requirement.scheme.challenge();
        if sent.contains(&challenge) {
            continue;
        }
        sent.push(challenge);
        // The generator writes challenges of visible ASCII only, so this conversion does not fail.
        if let Ok(value) = HeaderValue::from_str(challenge) {
            response.headers_mut().append(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}
