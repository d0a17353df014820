//! Credentials and the description of security requirements, shared by the server and the client.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::SecurityScheme;

/// The place in a request that carries a scheme's credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialLocation {
    /// `Authorization: <scheme> <credential>`, such as `Bearer` for HTTP bearer, OAuth2 and OpenID Connect.
    Authorization(&'static str),
    /// An API key in the header of this name.
    Header(&'static str),
    /// An API key in the query parameter of this name.
    Query(&'static str),
    /// An API key in the cookie of this name.
    Cookie(&'static str),
}

/// One scheme of a security requirement and the OAuth2 or OpenID Connect scopes it requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SchemeRequirement {
    pub scheme: SecurityScheme,
    /// Empty for schemes without scopes.
    pub scopes: &'static [&'static str],
}

/// The credentials of a request: one value per security scheme.
///
/// On the server, `values` lists every scheme of the operation whose credential was present, in document
/// order. Several schemes can travel the same way (two bearer schemes share the `Authorization` header),
/// so one token may appear under several schemes. A router built with an authenticator also stores the
/// principal that the authenticator returned for the accepted requirement.
#[derive(Clone)]
pub struct Credentials {
    /// The first value found, or the one given to [`Credentials::new`]: a bearer token without the
    /// `Bearer ` prefix, the base64 part of a `Basic` header, or an API key.
    pub token: String,
    /// Schemes whose credential was present, in document order; empty on the client side unless set.
    pub schemes: Vec<SecurityScheme>,
    /// The value found for each entry of `schemes`, in the same order.
    pub values: Vec<String>,
    principal: Option<Arc<dyn Any + Send + Sync>>,
}

impl Credentials {
    /// Wraps a token for a client call; it is sent for every scheme of the chosen requirement that has no
    /// value of its own.
    pub fn new(token: impl Into<String>) -> Self {
        Credentials { token: token.into(), schemes: Vec::new(), values: Vec::new(), principal: None }
    }

    /// Creates credentials from scheme values, the first of which is also the `token`.
    pub fn from_values(values: impl IntoIterator<Item = (SecurityScheme, String)>) -> Self {
        let mut credentials = Credentials::new(String::new());
        for (scheme, value) in values {
            if credentials.schemes.is_empty() {
                credentials.token = value.clone();
            }
            credentials.schemes.push(scheme);
            credentials.values.push(value);
        }
        credentials
    }

    /// Sets the value sent for one scheme, for requirements that combine schemes of different kinds.
    pub fn with(mut self, scheme: SecurityScheme, value: impl Into<String>) -> Self {
        self.schemes.push(scheme);
        self.values.push(value.into());
        self
    }

    /// Returns the value presented for `scheme`, if any.
    pub fn value(&self, scheme: SecurityScheme) -> Option<&str> {
        self.schemes.iter().position(|s| *s == scheme).map(|index| self.values[index].as_str())
    }

    /// Stores the authenticated principal; the server does this before it calls the implementation.
    pub fn with_principal<P: Any + Send + Sync>(mut self, principal: P) -> Self {
        self.principal = Some(Arc::new(principal));
        self
    }

    /// Stores a principal that is already shared.
    pub fn with_shared_principal(mut self, principal: Arc<dyn Any + Send + Sync>) -> Self {
        self.principal = Some(principal);
        self
    }

    /// Returns the authenticated principal, or `None` when there is none or it is not a `P`.
    pub fn principal<P: Any>(&self) -> Option<&P> {
        self.principal.as_deref()?.downcast_ref::<P>()
    }
}

/// Compares the values; two principals are equal only when they are the same shared value.
impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        let same_principal = match (&self.principal, &other.principal) {
            (None, None) => true,
            (Some(left), Some(right)) => Arc::ptr_eq(left, right),
            _ => false,
        };
        self.token == other.token && self.schemes == other.schemes && self.values == other.values && same_principal
    }
}

impl Eq for Credentials {}

/// Leaves the token and values out, so that logs never contain a credential.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("token", &"<redacted>")
            .field("schemes", &self.schemes)
            .field("principal", &self.principal.is_some())
            .finish()
    }
}
