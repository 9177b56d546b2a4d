//! The hand-written transport every generated method goes through: base URL, bearer tokens,
//! request ids, timeouts, retries and error mapping.
//!
//! Retries follow the Graph SDKs: 429, 503 and 504 are retried (a POST only on 429 and 503, since
//! a 504 may hide a create that happened), honouring `Retry-After` in seconds or as an HTTP date,
//! else backing off exponentially with jitter, within a maximum number of attempts and a total
//! time budget. Other errors are never retried.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER,
};
use reqwest::{Method, StatusCode};

use crate::error::{Error, GraphError, snippet};

/// The default base URL.
pub const DEFAULT_BASE_URL: &str = "https://graph.microsoft.com/beta";

/// A source of bearer tokens, asked before every request (so it can refresh them).
pub trait TokenProvider: Send + Sync {
    /// The token to send, without the `Bearer ` prefix.
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<String, Error>> + Send + '_>>;
}

/// Called with the method, URL and status of every response the client receives (retried
/// attempts included), e.g. for logging or metrics.
pub type ResponseObserver = Arc<dyn Fn(&Method, &str, u16) + Send + Sync>;

/// Where the `Authorization` header comes from: a fixed token becomes its header value once,
/// not per request.
enum Authorization {
    None,
    Static(HeaderValue),
    Provider(Arc<dyn TokenProvider>),
}

fn bearer(token: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(&["Bearer ", token].concat()).map_err(|_| {
        Error::InvalidInput("the token has characters a header cannot carry".to_owned())
    })?;
    value.set_sensitive(true);
    Ok(value)
}

const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// How failed requests are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The most time to spend on one call, waits included; a retry that would end later is not made.
    pub max_total: Duration,
    /// The first backoff delay when the service sends no `Retry-After`; it doubles per attempt.
    pub base_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_total: Duration::from_secs(60),
            base_delay: Duration::from_millis(500),
        }
    }
}

/// The HTTP side of a generated Graph client: base URL, token, retries, timeouts, errors. Cheap
/// to clone: clones share one connection pool. A generated `Client` wraps one.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    authorization: Authorization,
    retry: RetryPolicy,
    timeout: Duration,
    observer: Option<ResponseObserver>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.inner.base_url)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Builds a client: a generated `Client` (`Client::builder()`), or a bare [`Transport`].
pub struct ClientBuilder<C = Transport> {
    base_url: String,
    /// A token a header cannot carry is an error, reported by `build`.
    authorization: Result<Authorization, Error>,
    retry: RetryPolicy,
    timeout: Duration,
    observer: Option<ResponseObserver>,
    root_certificates: Vec<Vec<u8>>,
    client: PhantomData<fn() -> C>,
}

impl<C: From<Transport>> ClientBuilder<C> {
    /// A builder with the defaults: `default_base_url`, no token, 4 attempts, 30 s timeout.
    pub fn new(default_base_url: &str) -> Self {
        ClientBuilder {
            base_url: default_base_url.to_owned(),
            authorization: Ok(Authorization::None),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            observer: None,
            root_certificates: Vec::new(),
            client: PhantomData,
        }
    }

    /// The base URL, e.g. `http://127.0.0.1:8080/beta` (default: the real service's beta).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// A fixed bearer token.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.authorization = bearer(&token.into()).map(Authorization::Static);
        self
    }

    /// A token provider, asked before every request.
    pub fn token_provider(mut self, provider: impl TokenProvider + 'static) -> Self {
        self.authorization = Ok(Authorization::Provider(Arc::new(provider)));
        self
    }

    /// The retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The timeout of one attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Trusts this certificate (PEM) besides the usual roots: a mock served over HTTPS with a
    /// certificate of its own (`graph-mock --tls --tls-cert-out FILE`, or
    /// `MockServer::certificate_pem`).
    pub fn root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// A function told the status of every response.
    pub fn on_response(
        mut self,
        observer: impl Fn(&Method, &str, u16) + Send + Sync + 'static,
    ) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<C, Error> {
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(Error::InvalidInput(format!(
                "the base URL `{base_url}` is not an http(s) URL"
            )));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::InvalidInput(
                "max_attempts must be at least 1".to_owned(),
            ));
        }
        let user_agent = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
        let http = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(self.timeout);
        let http = trust(http, &self.root_certificates)?
            .build()
            .map_err(|e| Error::InvalidInput(format!("cannot build the HTTP client: {e}")))?;
        Ok(C::from(Transport {
            inner: Arc::new(Inner {
                http,
                base_url,
                authorization: self.authorization?,
                retry: self.retry,
                timeout: self.timeout,
                observer: self.observer,
            }),
        }))
    }
}

/// The body of a response that succeeded.
pub(crate) struct Success {
    pub body: bytes::Bytes,
}

impl Transport {
    /// A builder with the defaults: the real service's beta URL, no token, 4 attempts, 30 s timeout.
    pub fn builder() -> ClientBuilder<Transport> {
        ClientBuilder::new(DEFAULT_BASE_URL)
    }

    /// A transport for `base_url` with a fixed token.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Transport, Error> {
        Transport::builder().base_url(base_url).token(token).build()
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The absolute URL of `path` (relative to the base URL) with `query`.
    pub(crate) fn url(&self, path: &str, query: &[(String, String)]) -> String {
        let mut url = [self.inner.base_url.as_str(), path].concat();
        push_query(&mut url, query);
        url
    }

    /// One call: attempts, retries and error mapping.
    pub(crate) async fn execute(
        &self,
        method: Method,
        url: &str,
        body: Option<bytes::Bytes>,
        extra_headers: &HeaderMap,
    ) -> Result<Success, Error> {
        let started = Instant::now();
        let policy = self.inner.retry;
        let mut id_buffer = uuid::Uuid::encode_buffer();
        let client_request_id: &str = uuid::Uuid::new_v4()
            .hyphenated()
            .encode_lower(&mut id_buffer);
        let client_request_id_value = HeaderValue::from_str(client_request_id)
            .map_err(|_| Error::InvalidInput("a request id is not a header value".to_owned()))?;
        let mut attempt = 1;
        loop {
            let mut request = self
                .inner
                .http
                .request(method.clone(), url)
                .header(CLIENT_REQUEST_ID, client_request_id_value.clone())
                .header(ACCEPT, JSON);
            match &self.inner.authorization {
                Authorization::None => {}
                Authorization::Static(value) => {
                    request = request.header(AUTHORIZATION, value.clone())
                }
                Authorization::Provider(provider) => {
                    request = request.header(AUTHORIZATION, bearer(&provider.token().await?)?);
                }
            }
            if !extra_headers.is_empty() {
                request = request.headers(extra_headers.clone());
            }
            if let Some(body) = &body {
                request = request.header(CONTENT_TYPE, JSON).body(body.clone());
            }
            let response = request.send().await.map_err(|e| self.transport_error(e))?;
            let status = response.status();
            if let Some(observer) = &self.inner.observer {
                observer(&method, url, status.as_u16());
            }
            // Only a failure needs the headers (Retry-After, request-id) after the body is read.
            let headers = if status.is_success() {
                HeaderMap::new()
            } else {
                response.headers().clone()
            };
            let bytes = response
                .bytes()
                .await
                .map_err(|e| self.transport_error(e))?;
            if status.is_success() {
                return Ok(Success { body: bytes });
            }
            if attempt < policy.max_attempts && retryable(&method, status) {
                let delay =
                    retry_after(&headers).unwrap_or_else(|| backoff(policy.base_delay, attempt));
                if started.elapsed() + delay <= policy.max_total {
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
            }
            return Err(graph_error(status, &headers, &bytes, client_request_id));
        }
    }

    fn transport_error(&self, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout(self.inner.timeout)
        } else {
            Error::Transport(error)
        }
    }
}

/// `http` trusting `pems` (PEM certificates, each file possibly a bundle) besides the usual roots.
pub(crate) fn trust(
    mut http: reqwest::ClientBuilder,
    pems: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, Error> {
    for pem in pems {
        let certificates = reqwest::Certificate::from_pem_bundle(pem)
            .ok()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                Error::InvalidInput("the root certificate is not a PEM certificate".to_owned())
            })?;
        for certificate in certificates {
            http = http.add_root_certificate(certificate);
        }
    }
    Ok(http)
}

/// Appends `?a=1&b=2` (percent-encoded) to `url`, or nothing for no options.
pub(crate) fn push_query(url: &mut String, query: &[(String, String)]) {
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query_string(query));
    }
}

/// `a=1&b=2`, percent-encoded.
fn query_string(query: &[(String, String)]) -> String {
    query
        .iter()
        .map(|(key, value)| {
            format!(
                "{}={}",
                crate::codegen::encode_component(key),
                crate::codegen::encode_component(value)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn retryable(method: &Method, status: StatusCode) -> bool {
    match status.as_u16() {
        429 | 503 => true,
        504 => method != Method::POST,
        _ => false,
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// `base * 2^(attempt-1)`, plus up to 25% jitter so that clients do not retry in lockstep.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exponential = base.saturating_mul(1u32 << (attempt - 1).min(16));
    let jitter_permille = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) * 250 / 255;
    exponential + exponential.mul_f64(jitter_permille as f64 / 1000.0)
}

pub(crate) fn graph_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    client_request_id: &str,
) -> Error {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let parsed: Option<graph_odata::ODataError> = serde_json::from_slice(body).ok();
    let (code, message, inner_id) = match parsed {
        Some(e) => (
            e.error.code,
            e.error.message,
            e.error
                .inner_error
                .map(|i| i.request_id)
                .unwrap_or_default(),
        ),
        None => (String::new(), snippet(body), String::new()),
    };
    let request_id = Some(header("request-id"))
        .filter(|h| !h.is_empty())
        .unwrap_or(inner_id);
    Error::from(GraphError {
        status,
        code,
        message,
        request_id,
        client_request_id: client_request_id.to_owned(),
        raw_body: String::from_utf8_lossy(body).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_rules_follow_the_sdks() {
        assert!(retryable(&Method::GET, StatusCode::GATEWAY_TIMEOUT));
        assert!(!retryable(&Method::POST, StatusCode::GATEWAY_TIMEOUT));
        assert!(retryable(&Method::POST, StatusCode::TOO_MANY_REQUESTS));
        assert!(!retryable(&Method::GET, StatusCode::BAD_REQUEST));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(10));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(8) && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let base = Duration::from_millis(100);
        for attempt in 1..5 {
            let delay = backoff(base, attempt);
            let floor = base * (1 << (attempt - 1));
            assert!(
                delay >= floor && delay <= floor.mul_f64(1.25),
                "{attempt}: {delay:?}"
            );
        }
    }

    #[test]
    fn tokens_a_header_cannot_carry_are_refused_when_building() {
        let error = Transport::new("http://localhost", "line\nbreak").unwrap_err();
        assert!(
            matches!(&error, Error::InvalidInput(m) if m.contains("token")),
            "{error:?}"
        );
        assert!(Transport::new("http://localhost", "eyJ0.abc-_").is_ok());
    }

    #[test]
    fn bad_base_urls_are_refused() {
        assert!(matches!(
            Transport::new("ftp://x", "t"),
            Err(Error::InvalidInput(_))
        ));
    }
}
