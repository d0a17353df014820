//! Authentication of a request against its operation's security requirement, before any handler runs.

// A document without security schemes uses none of the functions below.
#![allow(dead_code)]

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::parameters::Wire;
use crate::runtime::{Rejection, authorization};
use crate::{BasicCredentials, CredentialLocation, Credentials, SchemeRequirement, SecurityScheme};

/// The reason an [`Authenticator`] did not accept a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// The credential is unknown, expired or malformed; the server responds with 401.
    Rejected,
    /// The credential is valid but lacks a required scope or permission; the server responds with 403.
    Forbidden,
    /// The authenticator failed to check the credential, such as when its store is unavailable. The server
    /// logs this and responds with 500.
    Internal,
}

/// A credential as the server read it from the request, passed to [`Authenticator::authenticate`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    /// A token of an HTTP bearer, OAuth2 or OpenID Connect scheme, without the `Bearer ` prefix.
    Bearer(&'a str),
    /// The decoded user id and password of an HTTP basic scheme.
    Basic { user_id: &'a str, password: &'a str },
    /// An API key from a header, query parameter or cookie.
    ApiKey(&'a str),
}

/// Shows the kind of credential and a basic user id, but never a token, password or key.
impl fmt::Debug for Credential<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Credential::Basic { user_id, .. } => {
                f.debug_struct("Basic").field("user_id", user_id).field("password", &"<redacted>").finish()
            }
            Credential::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
        }
    }
}

/// Checks the credentials of every request before the implementation receives it. A router built with
/// `router_with_authenticator` calls it once per scheme of the alternative it tries.
pub trait Authenticator: Send + Sync + 'static {
    /// The identity an accepted credential proves, such as a user. The handler reads it with
    /// `Credentials::principal`, or per scheme with `Credentials::principal_for`.
    type Principal: Send + Sync + 'static;

    /// Checks `credential`, sent for `scheme`, and that it grants every one of `scopes`. A `Basic` header
    /// whose value does not decode to `user-id:password`, and a bearer token outside the `b64token` syntax of
    /// RFC 6750, are rejected before this method runs.
    fn authenticate(
        &self,
        scheme: SecurityScheme,
        credential: Credential<'_>,
        scopes: &[&str],
    ) -> impl Future<Output = Result<Self::Principal, AuthError>> + Send;
}

type PrincipalFuture<'a> = Pin<Box<dyn Future<Output = Result<Arc<dyn Any + Send + Sync>, AuthError>> + Send + 'a>>;

/// An [`Authenticator`] with its principal type erased, so that the router's state needs no type parameter
/// for it.
pub(crate) trait ErasedAuthenticator: Send + Sync {
    fn authenticate_erased<'a>(&'a self, scheme: SecurityScheme, credential: Credential<'a>, scopes: &'a [&'static str]) -> PrincipalFuture<'a>;
}

impl<T: Authenticator> ErasedAuthenticator for T {
    fn authenticate_erased<'a>(&'a self, scheme: SecurityScheme, credential: Credential<'a>, scopes: &'a [&'static str]) -> PrincipalFuture<'a> {
        Box::pin(async move {
            let principal = Authenticator::authenticate(self, scheme, credential, scopes).await?;
            Ok(Arc::new(principal) as Arc<dyn Any + Send + Sync>)
        })
    }
}

/// A failed authentication: the rejection that chooses the status and error body, and the
/// `WWW-Authenticate` challenges of the response.
pub(crate) struct AuthFailure {
    rejection: Rejection,
    challenges: Vec<String>,
}

impl AuthFailure {
    pub(crate) fn rejection(&self) -> Rejection {
        self.rejection.clone()
    }

    /// Adds one `WWW-Authenticate` header per challenge to `response`.
    pub(crate) fn add_challenges(self, mut response: Response) -> Response {
        for challenge in self.challenges {
            // Challenges are built from visible ASCII only, so this conversion does not fail.
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.headers_mut().append(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }

    fn internal() -> Self {
        AuthFailure { rejection: Rejection::Internal, challenges: Vec::new() }
    }
}

/// The credentials that failed while the server tried the alternatives of a requirement.
#[derive(Default)]
struct Failures {
    /// Schemes whose credential was malformed or rejected by the authenticator.
    rejected: Vec<SecurityScheme>,
    /// Requirements whose credential lacked a scope or permission.
    forbidden: Vec<SchemeRequirement>,
}

/// Finds the credentials of every scheme the requirement names, then picks the first alternative whose schemes
/// are all present and, with an authenticator, all accepted. Without an authenticator presence is enough.
///
/// An anonymous alternative applies only when no alternative with credentials was accepted, and a presented
/// credential that was malformed or rejected wins over it: the caller gets 401 or 403 rather than anonymous
/// access. A `Basic` value that is not base64 of UTF-8 `user-id:password`, and a bearer token that breaks the
/// `b64token` syntax, count as rejected, with or without an authenticator. A panicking or failing authenticator is logged and gets a 500 response, as a
/// panicking implementation does.
pub(crate) async fn authenticate(
    authenticator: Option<&dyn ErasedAuthenticator>,
    security: &'static [&'static [SchemeRequirement]],
    headers: &HeaderMap,
    wire: &Wire<'_>,
) -> Result<Option<Credentials>, AuthFailure> {
    let (credentials, malformed) = present_credentials(security, headers, wire);
    let mut failures = Failures { rejected: malformed, forbidden: Vec::new() };
    let accepted = match authenticator {
        // Returned as it is, so the request path copies no credential.
        None if presence_met(security, &credentials) => return Ok(credentials),
        None => None,
        // Boxed, so the handler's future stays small when the router has no authenticator.
        Some(authenticator) => Box::pin(verify(authenticator, security, &credentials, &mut failures)).await?,
    };
    if accepted.is_some() {
        return Ok(accepted);
    }
    if !failures.forbidden.is_empty() {
        return Err(AuthFailure { rejection: Rejection::Forbidden, challenges: scope_challenges(&failures.forbidden) });
    }
    if !failures.rejected.is_empty() {
        let challenges = challenges(security, &failures.rejected);
        return Err(AuthFailure { rejection: Rejection::InvalidCredentials, challenges });
    }
    if security.iter().any(|alternative| alternative.is_empty()) {
        return Ok(credentials);
    }
    Err(AuthFailure { rejection: Rejection::MissingCredentials, challenges: challenges(security, &[]) })
}

/// Returns whether one alternative with schemes has all its credentials present, without an authenticator.
fn presence_met(security: &[&[SchemeRequirement]], credentials: &Option<Credentials>) -> bool {
    let Some(present) = credentials else { return false };
    security
        .iter()
        .filter(|alternative| !alternative.is_empty())
        .any(|alternative| alternative.iter().all(|requirement| present.value(requirement.scheme).is_some()))
}

/// Returns the credentials with the principal of each scheme of the first alternative whose credentials are
/// all present and accepted by `authenticator`, and records the failures of the alternatives it tried.
async fn verify(
    authenticator: &dyn ErasedAuthenticator,
    security: &'static [&'static [SchemeRequirement]],
    credentials: &Option<Credentials>,
    failures: &mut Failures,
) -> Result<Option<Credentials>, AuthFailure> {
    let Some(present) = credentials else { return Ok(None) };
    for alternative in security.iter().filter(|alternative| !alternative.is_empty()) {
        let values: Option<Vec<&str>> = alternative.iter().map(|requirement| present.value(requirement.scheme)).collect();
        let Some(values) = values else { continue };
        let accepted = AssertUnwindSafe(accept(authenticator, alternative, &values));
        let outcome = match futures_util::FutureExt::catch_unwind(accepted).await {
            Ok(outcome) => outcome,
            Err(panic) => {
                tracing::error!(panic = %crate::runtime::panic_message(&*panic), "the authenticator panicked");
                return Err(AuthFailure::internal());
            }
        };
        match outcome {
            Ok(principals) => {
                let mut accepted = present.clone();
                for (scheme, principal) in principals {
                    accepted = accepted.with_shared_principal_for(scheme, principal);
                }
                return Ok(Some(accepted));
            }
            Err((requirement, AuthError::Internal)) => {
                tracing::error!(scheme = requirement.scheme.name(), "the authenticator failed to check a credential");
                return Err(AuthFailure::internal());
            }
            Err((requirement, AuthError::Forbidden)) => failures.forbidden.push(requirement),
            Err((requirement, AuthError::Rejected)) => failures.rejected.push(requirement.scheme),
        }
    }
    Ok(None)
}

type Principals = Vec<(SecurityScheme, Arc<dyn Any + Send + Sync>)>;

/// Authenticates every scheme of one alternative and returns the principal of each, or the first failure.
async fn accept(
    authenticator: &dyn ErasedAuthenticator,
    alternative: &'static [SchemeRequirement],
    values: &[&str],
) -> Result<Principals, (SchemeRequirement, AuthError)> {
    let mut principals = Vec::with_capacity(alternative.len());
    for (requirement, value) in alternative.iter().zip(values) {
        match check(authenticator, requirement, value).await {
            Ok(principal) => principals.push((requirement.scheme, principal)),
            Err(error) => {
                tracing::debug!(scheme = requirement.scheme.name(), ?error, "the authenticator did not accept a credential");
                return Err((*requirement, error));
            }
        }
    }
    Ok(principals)
}

/// Passes one scheme's value to the authenticator as the credential its location carries.
async fn check(
    authenticator: &dyn ErasedAuthenticator,
    requirement: &'static SchemeRequirement,
    value: &str,
) -> Result<Arc<dyn Any + Send + Sync>, AuthError> {
    let (scheme, scopes) = (requirement.scheme, requirement.scopes);
    match scheme.location() {
        // `present_credentials` keeps only tokens of the `b64token` syntax.
        CredentialLocation::Bearer => authenticator.authenticate_erased(scheme, Credential::Bearer(value), scopes).await,
        CredentialLocation::Basic => {
            // `present_credentials` keeps only values that decode, so this rejection is a safeguard.
            let Some(basic) = BasicCredentials::decode(value) else { return Err(AuthError::Rejected) };
            let credential = Credential::Basic { user_id: &basic.user_id, password: &basic.password };
            authenticator.authenticate_erased(scheme, credential, scopes).await
        }
        CredentialLocation::Header(_) | CredentialLocation::Query(_) | CredentialLocation::Cookie(_) => {
            authenticator.authenticate_erased(scheme, Credential::ApiKey(value), scopes).await
        }
    }
}

/// Collects the non-empty credential of each scheme the requirement names, in the order it names them, and
/// the schemes whose value is malformed, which are left out of the credentials. A value is malformed when it
/// is a `Basic` value that does not decode, or a bearer token outside the `b64token` syntax of RFC 6750.
fn present_credentials(security: &[&[SchemeRequirement]], headers: &HeaderMap, wire: &Wire<'_>) -> (Option<Credentials>, Vec<SecurityScheme>) {
    let mut credentials: Option<Credentials> = None;
    let mut malformed = Vec::new();
    for (index, requirement) in security.iter().flat_map(|alternative| alternative.iter()).enumerate() {
        let scheme = requirement.scheme;
        let seen = security.iter().flat_map(|alternative| alternative.iter()).take(index).any(|earlier| earlier.scheme == scheme);
        if seen {
            continue;
        }
        let location = scheme.location();
        let Some(value) = credential_value(location, headers, wire) else { continue };
        if location == CredentialLocation::Basic && BasicCredentials::decode(&value).is_none() {
            tracing::debug!(scheme = scheme.name(), "the Basic credential is not base64 of UTF-8 `user-id:password`");
            malformed.push(scheme);
            continue;
        }
        if location == CredentialLocation::Bearer && !crate::is_bearer_token(&value) {
            tracing::debug!(scheme = scheme.name(), "the bearer token breaks the RFC 6750 `b64token` syntax");
            malformed.push(scheme);
            continue;
        }
        credentials = Some(match credentials {
            Some(found) => found.with(scheme, value),
            None => Credentials::from_values([(scheme, value)]),
        });
    }
    (credentials, malformed)
}

fn credential_value(location: CredentialLocation, headers: &HeaderMap, wire: &Wire<'_>) -> Option<String> {
    let value = match location {
        CredentialLocation::Bearer => authorization(headers, "Bearer"),
        CredentialLocation::Basic => authorization(headers, "Basic"),
        CredentialLocation::Header(name) => headers.get(name).and_then(|value| value.to_str().ok()).map(str::to_owned),
        CredentialLocation::Query(name) => wire.query_value(name),
        CredentialLocation::Cookie(name) => wire.cookie_value(name),
    };
    value.filter(|value| !value.is_empty())
}

/// Returns the 401 challenges: one per scheme of the requirement, as RFC 9110 requires, without repeats. When
/// a bearer token was rejected, the bearer challenge carries `error="invalid_token"` (RFC 6750, section 3.1).
fn challenges(security: &[&[SchemeRequirement]], rejected: &[SecurityScheme]) -> Vec<String> {
    let token_rejected = rejected.iter().any(|scheme| scheme.location() == CredentialLocation::Bearer);
    let mut sent: Vec<String> = Vec::new();
    for requirement in security.iter().flat_map(|alternative| alternative.iter()) {
        let scheme = requirement.scheme;
        let challenge = if token_rejected && scheme.location() == CredentialLocation::Bearer {
            "Bearer error=\"invalid_token\"".to_owned()
        } else {
            scheme.challenge().to_owned()
        };
        if !sent.contains(&challenge) {
            sent.push(challenge);
        }
    }
    sent
}

/// Returns the 403 challenge of RFC 6750, section 3.1, for the first forbidden bearer requirement in document
/// order: `Bearer error="insufficient_scope"` with the scopes it needs. Other schemes have no standard challenge
/// for a 403.
///
/// Two bearer schemes that both lack a scope still get one challenge, because two `Bearer` challenges leave a
/// client unsure which to follow. Merging their scopes would be wrong as well, because each requirement is an
/// alternative and the merged list would ask for more than either needs.
fn scope_challenges(forbidden: &[SchemeRequirement]) -> Vec<String> {
    let Some(requirement) = forbidden.iter().find(|requirement| requirement.scheme.location() == CredentialLocation::Bearer) else {
        return Vec::new();
    };
    // RFC 6749 scope tokens are visible ASCII without `"` and `\`, so other names cannot be quoted here.
    let scopes: Vec<&str> = requirement.scopes.iter().copied().filter(|scope| is_scope_token(scope)).collect();
    let challenge = if scopes.is_empty() {
        "Bearer error=\"insufficient_scope\"".to_owned()
    } else {
        format!("Bearer error=\"insufficient_scope\", scope=\"{}\"", scopes.join(" "))
    };
    vec![challenge]
}

fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty() && scope.bytes().all(|byte| byte.is_ascii_graphic() && byte != b'"' && byte != b'\\')
}
