//! Credentials and the description of security requirements, shared by the server and the client.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::SecurityScheme;

/// The place in a request that carries a scheme's credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialLocation {
    /// `Authorization: Bearer <token>`, for HTTP bearer, OAuth2 and OpenID Connect.
    Bearer,
    /// `Authorization: Basic <base64 of user-id:password>`, for HTTP basic.
    Basic,
    /// An API key in the header of this name.
    Header(&'static str),
    /// An API key in the query parameter of this name.
    Query(&'static str),
    /// An API key in the cookie of this name.
    Cookie(&'static str),
}

/// The user id and password of HTTP Basic authentication (RFC 7617).
#[derive(Clone, PartialEq, Eq)]
pub struct BasicCredentials {
    pub user_id: String,
    pub password: String,
}

impl BasicCredentials {
    pub fn new(user_id: impl Into<String>, password: impl Into<String>) -> Self {
        BasicCredentials { user_id: user_id.into(), password: password.into() }
    }

    /// Decodes the base64 part of an `Authorization: Basic` header. Returns `None` unless it is base64 of
    /// UTF-8 text with a `:`, which separates the user id from the password (the password may contain more).
    pub fn decode(encoded: &str) -> Option<Self> {
        let bytes = STANDARD.decode(encoded.trim()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (user_id, password) = text.split_once(':')?;
        Some(BasicCredentials::new(user_id, password))
    }

    /// Returns whether the user id is free of `:`. RFC 7617, section 2, forbids it there, because the server
    /// splits the decoded pair at the first `:`, so `a:b` with password `pw` would arrive as user `a`.
    pub fn has_valid_user_id(&self) -> bool {
        !self.user_id.contains(':')
    }

    /// Encodes `user-id:password` in base64, as the `Authorization: Basic` header carries it.
    pub fn encode(&self) -> String {
        STANDARD.encode(format!("{}:{}", self.user_id, self.password))
    }
}

/// Shows the user id but never the password.
impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials").field("user_id", &self.user_id).field("password", &"<redacted>").finish()
    }
}

/// Returns whether `token` has the `b64token` syntax of RFC 6750, section 2.1, that an `Authorization: Bearer`
/// header requires: ASCII letters, digits and `-._~+/`, then any number of `=`.
pub fn is_bearer_token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    let allowed = |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'+' | b'/');
    !body.is_empty() && body.bytes().all(allowed)
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
/// principal that the authenticator returned for each scheme of the accepted requirement.
#[derive(Clone)]
pub struct Credentials {
    /// The first value found, or the one given to [`Credentials::new`]: a bearer token without the
    /// `Bearer ` prefix, the base64 part of a `Basic` header, or an API key.
    pub token: String,
    /// Schemes whose credential was present, in document order; empty on the client side unless set.
    pub schemes: Vec<SecurityScheme>,
    /// The value found for each entry of `schemes`, in the same order.
    pub values: Vec<String>,
    /// The request's principal: the one given to `with_principal`, else that of the first scheme.
    principal: Option<Arc<dyn Any + Send + Sync>>,
    /// The principal of each accepted scheme, in the order of the requirement.
    principals: Vec<(SecurityScheme, Arc<dyn Any + Send + Sync>)>,
    /// Schemes given to `with_basic` with a user id that contains `:`. The client rejects a call that would
    /// send one of them.
    invalid_user_ids: Vec<SecurityScheme>,
}

impl Credentials {
    /// Wraps a token for a client call; it is sent for every scheme of the chosen requirement that has no
    /// value of its own.
    pub fn new(token: impl Into<String>) -> Self {
        Credentials { token: token.into(), schemes: Vec::new(), values: Vec::new(), principal: None, principals: Vec::new(), invalid_user_ids: Vec::new() }
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

    /// Sets the user id and password sent for an HTTP basic `scheme`, encoded in base64. A user id that
    /// contains `:` is kept, but the client returns `ClientError::Encode` instead of sending it.
    pub fn with_basic(mut self, scheme: SecurityScheme, user_id: impl Into<String>, password: impl Into<String>) -> Self {
        let basic = BasicCredentials::new(user_id, password);
        if !basic.has_valid_user_id() {
            self.invalid_user_ids.push(scheme);
        }
        self.with(scheme, basic.encode())
    }

    /// Returns whether the value of `scheme` came from [`Credentials::with_basic`] with a user id that
    /// contains `:`, which HTTP Basic authentication cannot carry.
    pub fn has_invalid_user_id(&self, scheme: SecurityScheme) -> bool {
        self.invalid_user_ids.contains(&scheme)
    }

    /// Returns the value presented for `scheme`, if any.
    pub fn value(&self, scheme: SecurityScheme) -> Option<&str> {
        self.schemes.iter().position(|s| *s == scheme).map(|index| self.values[index].as_str())
    }

    /// Returns the decoded user id and password presented for an HTTP basic `scheme`, or `None` when there
    /// is no value or it does not decode.
    pub fn basic(&self, scheme: SecurityScheme) -> Option<BasicCredentials> {
        BasicCredentials::decode(self.value(scheme)?)
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

    /// Stores the principal that the authenticator returned for `scheme`. The first one stored is also the
    /// request's principal unless one was set before.
    pub fn with_principal_for<P: Any + Send + Sync>(self, scheme: SecurityScheme, principal: P) -> Self {
        self.with_shared_principal_for(scheme, Arc::new(principal))
    }

    /// Stores a principal of `scheme` that is already shared.
    pub fn with_shared_principal_for(mut self, scheme: SecurityScheme, principal: Arc<dyn Any + Send + Sync>) -> Self {
        self.principal.get_or_insert_with(|| Arc::clone(&principal));
        self.principals.push((scheme, principal));
        self
    }

    /// Returns the authenticated principal, or `None` when there is none or it is not a `P`. When the
    /// accepted requirement combines schemes, this is the principal of its first scheme.
    pub fn principal<P: Any>(&self) -> Option<&P> {
        self.principal.as_deref()?.downcast_ref::<P>()
    }

    /// Returns the principal that the authenticator returned for `scheme`, or `None` when the scheme was not
    /// part of the accepted requirement or its principal is not a `P`.
    pub fn principal_for<P: Any>(&self, scheme: SecurityScheme) -> Option<&P> {
        let (_, principal) = self.principals.iter().find(|(known, _)| *known == scheme)?;
        principal.downcast_ref::<P>()
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
        let same_principals = self.principals.len() == other.principals.len()
            && self.principals.iter().zip(&other.principals).all(|((left_scheme, left), (right_scheme, right))| {
                left_scheme == right_scheme && Arc::ptr_eq(left, right)
            });
        self.token == other.token
            && self.schemes == other.schemes
            && self.values == other.values
            && self.invalid_user_ids == other.invalid_user_ids
            && same_principal
            && same_principals
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
            .field("principal_schemes", &self.principals.iter().map(|(scheme, _)| *scheme).collect::<Vec<_>>())
            .finish()
    }
}
