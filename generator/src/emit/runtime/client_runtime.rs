//! Client configuration, errors and encoding helpers used by the generated methods.

// A document may use only some of the helpers below.
#![allow(dead_code)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use crate::{CredentialLocation, SchemeRequirement, SecurityScheme, Server};

/// A failure on the client side of a call. Documented statuses are not errors.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL and path do not form a valid URL.
    #[error("invalid request URL `{url}`: {message}")]
    InvalidUrl { url: String, message: String },
    /// The request body or a credential could not be encoded, so the request was not sent.
    #[error("failed to encode the request: {0}")]
    Encode(String),
    /// The request could not be sent or the response could not be read.
    #[error("request failed: {0}")]
    Transport(#[source] reqwest::Error),
    /// A documented status came with a body that does not match its schema.
    #[error("failed to decode the body of a {status} response: {message}")]
    Decode { status: u16, message: String, body: Vec<u8> },
    /// The request breaks the schema; it was not sent. Switch the check off with
    /// [`ClientBuilder::validate_requests`].
    #[error("invalid request: {}", crate::describe(.0))]
    InvalidRequest(Vec<crate::Violation>),
    /// The server responded with a status the operation does not document.
    #[error("unexpected response status {status}")]
    UnexpectedStatus { status: u16, headers: reqwest::header::HeaderMap, body: Vec<u8> },
    /// The request's binary body is a stream that was already read, by an earlier call or attempt, so it
    /// cannot be sent. Pass a fresh stream, or bytes in memory, which can be sent again.
    #[error("the streamed request body was already read, so the request cannot be sent")]
    StreamConsumed,
}

/// A boxed future returned by [`TokenSource`].
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Option<String>> + Send + 'a>>;

/// Supplies credentials for calls that carry none of their own, and may refresh them.
pub trait TokenSource: Send + Sync {
    /// Returns a credential that fits any of `schemes`, or `None` to send none.
    fn token<'a>(&'a self, schemes: &'a [SecurityScheme]) -> TokenFuture<'a>;

    /// Returns the credential for `scheme` that grants `scopes` (OAuth2 and OpenID Connect only, else empty),
    /// or `None` when the source has none, so that the client tries the next alternative of the requirement.
    /// The client calls this method; unless a source overrides it, it calls [`TokenSource::token`] with `scheme`.
    fn credential<'a>(&'a self, scheme: SecurityScheme, scopes: &'a [&'static str]) -> TokenFuture<'a> {
        let _ = scopes;
        Box::pin(async move {
            let schemes = [scheme];
            self.token(&schemes).await
        })
    }
}

/// A token source that hands out one fixed token.
#[derive(Clone)]
pub struct StaticToken(pub String);

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenSource for StaticToken {
    fn token<'a>(&'a self, _schemes: &'a [SecurityScheme]) -> TokenFuture<'a> {
        Box::pin(async move { Some(self.0.clone()) })
    }
}

/// The generated client: one method per operation, through the API trait.
#[derive(Clone)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    base_urls: Vec<String>,
    token_source: Option<Arc<dyn TokenSource>>,
    /// Fixed credentials per scheme, which take precedence over the token source.
    credentials: Vec<(SecurityScheme, String)>,
    /// Schemes whose fixed credential came from `basic_auth` with a user id that contains `:`.
    invalid_user_ids: Vec<SecurityScheme>,
    validate_requests: bool,
    retry: Option<RetryPolicy>,
}

/// Lists the schemes of the fixed credentials but never their values.
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let schemes: Vec<SecurityScheme> = self.credentials.iter().map(|(scheme, _)| *scheme).collect();
        f.debug_struct("Client")
            .field("base_urls", &self.base_urls)
            .field("token_source", &self.token_source.is_some())
            .field("credentials", &schemes)
            .field("validate_requests", &self.validate_requests)
            .field("retry", &self.retry)
            .finish()
    }
}

impl Client {
    /// Creates a client that sends operations of the default server to `base_url` and the others to their documented URLs.
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder::new().server_url(Server::Default, base_url).build()
    }

    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    pub fn base_url(&self, server: Server) -> &str {
        &self.base_urls[server as usize]
    }

    pub(crate) fn url(&self, server: Server, path: &str) -> Result<reqwest::Url, ClientError> {
        let text = format!("{}{path}", self.base_url(server).trim_end_matches('/'));
        reqwest::Url::parse(&text).map_err(|error| ClientError::InvalidUrl { url: text, message: error.to_string() })
    }

    /// Returns the fixed credential of `scheme`, else the token source's.
    async fn credential(&self, requirement: &SchemeRequirement) -> Option<ChosenCredential> {
        let scheme = requirement.scheme;
        if let Some((_, value)) = self.credentials.iter().find(|(known, _)| *known == scheme) {
            let invalid_user_id = self.invalid_user_ids.contains(&scheme);
            return Some(ChosenCredential { scheme, value: value.clone(), invalid_user_id });
        }
        let value = self.token_source.as_ref()?.credential(scheme, requirement.scopes).await?;
        Some(ChosenCredential { scheme, value, invalid_user_id: false })
    }

    /// Picks the value to send for each scheme of one alternative of `security`.
    ///
    /// Credentials of the request win: the first alternative whose schemes all have a value of their own, else
    /// the first alternative that needs credentials, with the request's token for each scheme without a value
    /// of its own. Without them,
    /// the client takes the first alternative whose schemes all have a fixed credential or one from the token
    /// source. When no alternative can be met, it sends no credentials, which an anonymous alternative allows.
    async fn choose_credentials(
        &self,
        own: Option<&crate::Credentials>,
        security: &[&[SchemeRequirement]],
    ) -> Vec<ChosenCredential> {
        let secured = security.iter().filter(|alternative| !alternative.is_empty());
        if let Some(own) = own {
            let own_value = |scheme: SecurityScheme| {
                let value = own.value(scheme)?.to_owned();
                Some(ChosenCredential { scheme, value, invalid_user_id: own.has_invalid_user_id(scheme) })
            };
            for alternative in secured.clone() {
                let values: Option<Vec<ChosenCredential>> =
                    alternative.iter().map(|requirement| own_value(requirement.scheme)).collect();
                if let Some(values) = values {
                    return values;
                }
            }
            return match secured.clone().next() {
                Some(alternative) if !own.token.is_empty() => alternative
                    .iter()
                    .map(|requirement| {
                        let token = ChosenCredential { scheme: requirement.scheme, value: own.token.clone(), invalid_user_id: false };
                        own_value(requirement.scheme).unwrap_or(token)
                    })
                    .collect(),
                _ => Vec::new(),
            };
        }
        for alternative in secured {
            let mut values = Vec::new();
            for requirement in alternative.iter() {
                match self.credential(requirement).await {
                    Some(chosen) => values.push(chosen),
                    None => break,
                }
            }
            if values.len() == alternative.len() {
                return values;
            }
        }
        Vec::new()
    }

    /// Performs one operation: validates the request, picks its credentials, sends it (again, as the retry
    /// policy allows) and decodes the response, inside a `request` span named after the operation.
    pub(crate) async fn call<Q: Sync, R>(&self, request: Q, operation: Operation<Q, R>) -> Result<R, ClientError> {
        if self.validate_requests {
            let violations = (operation.violations)(&request);
            if !violations.is_empty() {
                return Err(ClientError::InvalidRequest(violations));
            }
        }
        let span = tracing::debug_span!("request", operation = operation.id);
        self.send_with_retries(&request, &operation).instrument(span).await
    }

    /// Sends the request, and again while the retry policy allows it and the request can be built again.
    ///
    /// The request is built again before each retry. A streamed body that the previous attempt already read
    /// cannot be sent again, so the caller then receives the previous attempt's outcome.
    async fn send_with_retries<Q: Sync, R>(&self, request: &Q, operation: &Operation<Q, R>) -> Result<R, ClientError> {
        let credentials = self.choose_credentials((operation.credentials)(request), operation.security).await;
        let mut builder = (operation.encode)(self, request)?;
        let mut retries = 0;
        loop {
            let mut http_request = builder.build().map_err(ClientError::Transport)?;
            add_credentials(&mut http_request, &credentials)?;
            let outcome = send(&self.http, http_request, operation.streams).await;
            if let Some(policy) = &self.retry
                && let Some(delay) = policy.delay(retries, operation.idempotent, &outcome)
            {
                match (operation.encode)(self, request) {
                    Ok(next) => {
                        builder = next;
                        retries += 1;
                        tracing::debug!(operation = operation.id, retry = retries, delay_ms = delay.as_millis() as u64, "retrying the request");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    Err(ClientError::StreamConsumed) => {
                        tracing::debug!(operation = operation.id, "not retrying the request, because its streamed body was already sent");
                    }
                    Err(error) => return Err(error),
                }
            }
            let (status, headers, body) = outcome?;
            return (operation.decode)(status, headers, body);
        }
    }
}

/// The value the client sends for one scheme of a request.
struct ChosenCredential {
    scheme: SecurityScheme,
    value: String,
    /// Whether `value` encodes a Basic user id that contains `:`, so [`add_credentials`] rejects it.
    invalid_user_id: bool,
}

/// The description of one operation that [`Client::call`] performs. The generated code has one per operation.
pub(crate) struct Operation<Q, R> {
    /// The operationId, recorded in the request span.
    pub id: &'static str,
    /// Whether the method may be sent again after a 503 without changing the outcome (RFC 9110 idempotent).
    pub idempotent: bool,
    /// The alternatives of the security requirement, with their scopes; empty when the operation has none.
    pub security: &'static [&'static [SchemeRequirement]],
    pub violations: fn(&Q) -> Vec<crate::Violation>,
    /// Returns the credentials the request carries itself, which take precedence over the token source.
    pub credentials: fn(&Q) -> Option<&crate::Credentials>,
    /// Builds the HTTP request without credentials. It runs again for every retry.
    pub encode: fn(&Client, &Q) -> Result<reqwest::RequestBuilder, ClientError>,
    /// Returns whether the response with this status and these headers has a binary body, which the client
    /// hands over as a stream instead of reading it whole. Operations without one use [`never_streams`].
    pub streams: fn(u16, &reqwest::header::HeaderMap) -> bool,
    /// Maps status, headers and body to the typed response.
    pub decode: fn(u16, reqwest::header::HeaderMap, ResponseBody) -> Result<R, ClientError>,
}

/// Returns `false`, so every response body of an operation without binary responses is read whole.
pub(crate) fn never_streams(_status: u16, _headers: &reqwest::header::HeaderMap) -> bool {
    false
}

/// A response body: read whole, or left on the connection for a binary body that the caller reads as a stream.
pub(crate) enum ResponseBody {
    Read(Vec<u8>),
    Unread(reqwest::Response),
}

impl ResponseBody {
    /// Returns the bytes of a body read whole, and nothing for one left unread.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            ResponseBody::Read(bytes) => bytes,
            ResponseBody::Unread(_) => &[],
        }
    }

    /// Returns the bytes of a body read whole, for an error, and nothing for one left unread.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        match self {
            ResponseBody::Read(bytes) => bytes,
            ResponseBody::Unread(_) => Vec::new(),
        }
    }
}

/// When and how long the client waits before sending a request again. Retries are off unless
/// [`ClientBuilder::retry`] sets a policy.
///
/// A request is sent again after a 429 (the server declined it, whatever the method), after a 503 when
/// the method is idempotent, and after a failure to connect (nothing reached the server). The wait is the
/// server's `Retry-After` header (seconds or an HTTP date), else a top-level `retryAfter` number of seconds
/// in a JSON body, else an exponential backoff from `initial_backoff`. A server that requests more than
/// `max_delay` gets no retry: the caller receives its response.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The wait before the first retry when the server names none; it doubles for each later retry.
    pub initial_backoff: Duration,
    /// The maximum wait, whether the server requests it or the backoff reaches it.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_retries: 3, initial_backoff: Duration::from_millis(200), max_delay: Duration::from_secs(30) }
    }
}

impl RetryPolicy {
    /// Returns how long to wait before sending the request again, or `None` to return `outcome` as it is.
    fn delay(&self, retries: u32, idempotent: bool, outcome: &Result<(u16, reqwest::header::HeaderMap, ResponseBody), ClientError>) -> Option<Duration> {
        if retries >= self.max_retries {
            return None;
        }
        let backoff = self.initial_backoff.saturating_mul(2u32.saturating_pow(retries)).min(self.max_delay);
        let (status, headers, body) = match outcome {
            Ok(response) => response,
            Err(ClientError::Transport(error)) if error.is_connect() => return Some(backoff),
            Err(_) => return None,
        };
        let retryable = *status == 429 || (*status == 503 && idempotent);
        if !retryable {
            return None;
        }
        match requested_delay(headers, body.bytes()) {
            Some(requested) if requested > self.max_delay => None,
            Some(requested) => Some(requested),
            None => Some(backoff),
        }
    }
}

/// Reads the wait a server requests: the `Retry-After` header, else a `retryAfter` field of a JSON body.
fn requested_delay(headers: &reqwest::header::HeaderMap, body: &[u8]) -> Option<Duration> {
    if let Some(value) = headers.get(reqwest::header::RETRY_AFTER).and_then(|value| value.to_str().ok()) {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(date) = httpdate::parse_http_date(value) {
            return Some(date.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO));
        }
    }
    let body: serde_json::Value = serde_json::from_slice(body).ok()?;
    let seconds = body.get("retryAfter")?.as_f64()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(u32::MAX as f64)))
}

/// Settings of a [`Client`].
pub struct ClientBuilder {
    http: Option<reqwest::Client>,
    base_urls: Vec<String>,
    token_source: Option<Arc<dyn TokenSource>>,
    credentials: Vec<(SecurityScheme, String)>,
    invalid_user_ids: Vec<SecurityScheme>,
    timeout: Duration,
    validate_requests: bool,
    retry: Option<RetryPolicy>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    pub fn new() -> Self {
        ClientBuilder {
            http: None,
            base_urls: Server::ALL.iter().map(|server| server.url().to_owned()).collect(),
            token_source: None,
            credentials: Vec::new(),
            invalid_user_ids: Vec::new(),
            timeout: Duration::from_secs(30),
            validate_requests: true,
            retry: None,
        }
    }

    /// Sends the operations of `server` to `url` instead of the documented URL.
    pub fn server_url(mut self, server: Server, url: impl Into<String>) -> Self {
        self.base_urls[server as usize] = url.into();
        self
    }

    /// Uses a ready `reqwest::Client`; the timeout setting is then ignored.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Asks `source` for a token whenever a secured call carries no credentials.
    pub fn token_source(mut self, source: impl TokenSource + 'static) -> Self {
        self.token_source = Some(Arc::new(source));
        self
    }

    /// Sends `value` for `scheme` whenever a call carries no credentials of its own, before asking the token
    /// source. A later value for the same scheme replaces an earlier one.
    pub fn credential(mut self, scheme: SecurityScheme, value: impl Into<String>) -> Self {
        self.credentials.retain(|(known, _)| *known != scheme);
        self.invalid_user_ids.retain(|known| *known != scheme);
        self.credentials.push((scheme, value.into()));
        self
    }

    /// Sends `user_id` and `password` for the HTTP basic `scheme`, as [`ClientBuilder::credential`] does with
    /// their base64 encoding. Neither appears in the client's `Debug` output. A user id that contains `:`
    /// is kept, but each call that would send it returns [`ClientError::Encode`] without sending anything.
    pub fn basic_auth(self, scheme: SecurityScheme, user_id: impl Into<String>, password: impl Into<String>) -> Self {
        let basic = crate::BasicCredentials::new(user_id, password);
        let mut builder = self.credential(scheme, basic.encode());
        if !basic.has_valid_user_id() {
            builder.invalid_user_ids.push(scheme);
        }
        builder
    }

    /// Limits each request, from connecting to reading the whole response; 30 seconds unless set.
    ///
    /// The limit also covers reading a binary response that the caller receives as a stream, because
    /// reqwest's total timeout runs until the body ends: a stream still open when it passes ends with an
    /// error. For long downloads set a larger limit, or pass a client without one to [`Self::http_client`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks each request against the schema before sending it (on unless set), and returns
    /// [`ClientError::InvalidRequest`] instead of sending one that breaks it.
    pub fn validate_requests(mut self, validate: bool) -> Self {
        self.validate_requests = validate;
        self
    }

    /// Sends a request again as `policy` allows; see [`RetryPolicy`] for which failures qualify.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    pub fn build(self) -> Client {
        let timeout = self.timeout;
        let http = self.http.unwrap_or_else(|| {
            reqwest::Client::builder().timeout(timeout).build().unwrap_or_else(|error| {
                tracing::warn!(%error, "failed to build the configured HTTP client; using reqwest's defaults");
                reqwest::Client::new()
            })
        });
        Client {
            http,
            base_urls: self.base_urls,
            token_source: self.token_source,
            credentials: self.credentials,
            invalid_user_ids: self.invalid_user_ids,
            validate_requests: self.validate_requests,
            retry: self.retry,
        }
    }
}

/// Characters left as they are in a path segment: RFC 3986 unreserved characters.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes a cookie value.
pub(crate) fn segment(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, SEGMENT).to_string()
}

/// Encodes a query name or value as `application/x-www-form-urlencoded` does: a space becomes `+`.
pub(crate) fn query_text(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Sets the query string from pairs whose names and values are already encoded with [`query_text`].
pub(crate) fn set_query(url: &mut reqwest::Url, pairs: &[(String, String)]) {
    if pairs.is_empty() {
        return;
    }
    let query: Vec<String> = pairs.iter().map(|(name, value)| format!("{name}={value}")).collect();
    url.set_query(Some(&query.join("&")));
}

/// Adds each chosen credential where its scheme puts it. Header values are marked sensitive, so that reqwest
/// and hyper leave them out of their logs.
///
/// Returns [`ClientError::Encode`], naming the scheme but never the value, for a credential the server would
/// misread: a Basic user id that contains `:` (RFC 7617, section 2), or a bearer token outside the `b64token`
/// syntax of RFC 6750, section 2.1.
fn add_credentials(request: &mut reqwest::Request, credentials: &[ChosenCredential]) -> Result<(), ClientError> {
    use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, HeaderValue};
    let invalid = |scheme: SecurityScheme| ClientError::Encode(format!("the credential for security scheme `{}` is not valid header text", scheme.name()));
    for ChosenCredential { scheme, value, invalid_user_id } in credentials {
        if *invalid_user_id {
            let message = format!("the user id for HTTP basic security scheme `{}` contains `:`, which RFC 7617 forbids", scheme.name());
            return Err(ClientError::Encode(message));
        }
        let (name, text) = match scheme.location() {
            CredentialLocation::Bearer if !crate::is_bearer_token(value) => {
                let message = format!(
                    "the token for security scheme `{}` is not a bearer token: RFC 6750 allows ASCII letters, digits and `-._~+/`, then `=` padding",
                    scheme.name()
                );
                return Err(ClientError::Encode(message));
            }
            CredentialLocation::Bearer => (AUTHORIZATION, format!("Bearer {value}")),
            CredentialLocation::Basic => (AUTHORIZATION, format!("Basic {value}")),
            CredentialLocation::Header(name) => (HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid(*scheme))?, value.clone()),
            CredentialLocation::Query(name) => {
                request.url_mut().query_pairs_mut().append_pair(name, value);
                continue;
            }
            CredentialLocation::Cookie(name) => {
                let cookie = format!("{name}={}", segment(value));
                let text = match request.headers().get(COOKIE).and_then(|existing| existing.to_str().ok()) {
                    Some(existing) => format!("{existing}; {cookie}"),
                    None => cookie,
                };
                (COOKIE, text)
            }
        };
        let mut header = HeaderValue::from_str(&text).map_err(|_| invalid(*scheme))?;
        header.set_sensitive(true);
        request.headers_mut().insert(name, header);
    }
    Ok(())
}

/// Sends a request and reads the whole response, unless `streams` returns `true` for its status and headers.
/// Such a binary body is left on the connection for the caller to read as it arrives.
pub(crate) async fn send(
    http: &reqwest::Client,
    request: reqwest::Request,
    streams: fn(u16, &reqwest::header::HeaderMap) -> bool,
) -> Result<(u16, reqwest::header::HeaderMap, ResponseBody), ClientError> {
    let response = http.execute(request).await.map_err(ClientError::Transport)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    if streams(status, &headers) {
        return Ok((status, headers, ResponseBody::Unread(response)));
    }
    let body = response.bytes().await.map_err(ClientError::Transport)?;
    Ok((status, headers, ResponseBody::Read(body.to_vec())))
}

pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, ClientError> {
    serde_json::from_slice(body).map_err(|error| ClientError::Decode { status, message: error.to_string(), body: body.to_vec() })
}

pub(crate) fn decode_text(status: u16, body: &[u8]) -> Result<String, ClientError> {
    String::from_utf8(body.to_vec()).map_err(|error| ClientError::Decode { status, message: error.to_string(), body: body.to_vec() })
}

/// Decodes an `application/x-www-form-urlencoded` response body; repeated keys fill arrays.
pub(crate) fn decode_form<T: serde::de::DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, ClientError> {
    serde_html_form::from_bytes(body).map_err(|error| ClientError::Decode { status, message: error.to_string(), body: body.to_vec() })
}

/// Parses a response header; a value that does not parse is a decode error.
pub(crate) fn response_header<T: std::str::FromStr>(status: u16, headers: &reqwest::header::HeaderMap, name: &str) -> Result<Option<T>, ClientError>
where
    T::Err: fmt::Display,
{
    let Some(value) = headers.get(name) else { return Ok(None) };
    let decode_error = |message: String| ClientError::Decode { status, message, body: Vec::new() };
    let text = value.to_str().map_err(|_| decode_error(format!("header `{name}` is not visible ASCII text")))?;
    text.parse::<T>().map(Some).map_err(|error| decode_error(format!("header `{name}` has an invalid value `{text}`: {error}")))
}

/// Turns a missing required header into a decode error.
pub(crate) fn required_header<T>(value: Option<T>, status: u16, name: &str) -> Result<T, ClientError> {
    value.ok_or_else(|| ClientError::Decode { status, message: format!("required header `{name}` is missing"), body: Vec::new() })
}

pub(crate) fn encode_json<T: serde::Serialize>(body: &T) -> Result<Vec<u8>, ClientError> {
    serde_json::to_vec(body).map_err(|error| ClientError::Encode(error.to_string()))
}

/// Encodes a form body; arrays become repeated keys.
pub(crate) fn encode_form<T: serde::Serialize>(body: &T) -> Result<Vec<u8>, ClientError> {
    serde_html_form::to_string(body).map(String::into_bytes).map_err(|error| ClientError::Encode(error.to_string()))
}

/// Builds the `Accept` header of an operation with several response media types: `preferred` first, then
/// the others with a lower weight, so the server may still send any of them.
pub(crate) fn accept_header(preferred: &str, media_types: &[&str]) -> String {
    let mut entries = vec![preferred.to_owned()];
    entries.extend(media_types.iter().filter(|media_type| **media_type != preferred).map(|media_type| format!("{media_type};q=0.5")));
    entries.join(", ")
}

/// Returns the index into `media_types` of the response's `Content-Type`: an exact match, else the first
/// range (`type/*`, `*/*`) that contains it, else the first JSON one for any JSON type and the first text one
/// for any text type.
pub(crate) fn response_media(status: u16, headers: &reqwest::header::HeaderMap, body: &[u8], media_types: &[&str]) -> Result<usize, ClientError> {
    media_position(headers, media_types).ok_or_else(|| ClientError::Decode {
        status,
        message: format!("the response content type `{}` is none of {}", received_media(headers).unwrap_or_default(), media_types.join(", ")),
        body: body.to_vec(),
    })
}

/// Returns whether the response's `Content-Type` picks one of the media types at `binary`, indexes into
/// `media_types`, which the client then hands over as a stream.
pub(crate) fn streams_media(headers: &reqwest::header::HeaderMap, media_types: &[&str], binary: &[usize]) -> bool {
    media_position(headers, media_types).is_some_and(|index| binary.contains(&index))
}

/// Returns the `Content-Type` of a response without parameters, in lowercase.
fn received_media(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let value = headers.get(reqwest::header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
}

fn media_position(headers: &reqwest::header::HeaderMap, media_types: &[&str]) -> Option<usize> {
    let essence = |value: &str| value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let is_json = |media: &str| media == "application/json" || media == "text/json" || media.ends_with("+json");
    let media = received_media(headers)?;
    let top_level = media.split('/').next().unwrap_or_default().to_owned();
    let listed: Vec<String> = media_types.iter().map(|media_type| essence(media_type)).collect();
    let in_range = |known: &String| known == "*/*" || known.strip_suffix("/*") == Some(top_level.as_str());
    listed
        .iter()
        .position(|known| *known == media)
        .or_else(|| listed.iter().position(in_range))
        .or_else(|| if is_json(&media) { listed.iter().position(|known| is_json(known)) } else { None })
        .or_else(|| if media.starts_with("text/") { listed.iter().position(|known| known.starts_with("text/")) } else { None })
}
