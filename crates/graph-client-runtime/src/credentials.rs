//! Signing in as an app: the client credentials grant of the Microsoft identity platform, as a
//! [`TokenProvider`].
//!
//! ```no_run
//! # fn demo() -> Result<(), seed_client::Error> {
//! use seed_client::{Client, ClientCredentials};
//!
//! let credentials = ClientCredentials::new("my-tenant-id", "my-client-id", "my-secret");
//! let client: Client = Client::builder().token_provider(credentials).build()?;
//! # Ok(()) }
//! ```
//!
//! The token is asked for once and reused until a minute before it expires. The authority is
//! the identity platform (`https://login.microsoftonline.com`) unless
//! [`ClientCredentials::authority_host`] names another, such as the mock's own address.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

use crate::error::{Error, GraphError};
use crate::transport::{TokenProvider, trust};

/// The identity platform's host.
pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com";

/// How long before its expiry a token is asked for again.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// An app's credentials, and the token they last got.
pub struct ClientCredentials {
    tenant: String,
    client_id: String,
    secret: String,
    authority_host: String,
    scope: String,
    root_certificates: Vec<Vec<u8>>,
    http: std::sync::OnceLock<Result<reqwest::Client, String>>,
    cached: Mutex<Option<(String, Instant)>>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("authority_host", &self.authority_host)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct TokenRefusal {
    error: String,
    #[serde(default)]
    error_description: String,
}

impl ClientCredentials {
    /// The credentials of `client_id` in `tenant`, with its client `secret`, for Graph
    /// (`https://graph.microsoft.com/.default`).
    pub fn new(
        tenant: impl Into<String>,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> ClientCredentials {
        ClientCredentials {
            tenant: tenant.into(),
            client_id: client_id.into(),
            secret: secret.into(),
            authority_host: DEFAULT_AUTHORITY_HOST.to_owned(),
            scope: "https://graph.microsoft.com/.default".to_owned(),
            root_certificates: Vec::new(),
            http: std::sync::OnceLock::new(),
            cached: Mutex::new(None),
        }
    }

    /// Another authority, e.g. the mock's `https://127.0.0.1:<port>`.
    pub fn authority_host(mut self, host: impl Into<String>) -> Self {
        self.authority_host = host.into().trim_end_matches('/').to_owned();
        self
    }

    /// Trusts this certificate (PEM) for the authority, e.g. the mock's.
    pub fn root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    fn http(&self) -> Result<&reqwest::Client, Error> {
        self.http
            .get_or_init(|| {
                let builder = reqwest::Client::builder().timeout(Duration::from_secs(30));
                match trust(builder, &self.root_certificates) {
                    Ok(builder) => builder
                        .build()
                        .map_err(|e| format!("cannot build the HTTP client: {e}")),
                    Err(Error::InvalidInput(message)) => Err(message),
                    Err(other) => Err(other.to_string()),
                }
            })
            .as_ref()
            .map_err(|message| Error::InvalidInput(message.clone()))
    }

    async fn fetch(&self) -> Result<(String, Instant), Error> {
        let url = format!("{}/{}/oauth2/v2.0/token", self.authority_host, self.tenant);
        let asked = Instant::now();
        let response = self
            .http()?
            .post(&url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.secret.as_str()),
                ("scope", self.scope.as_str()),
            ])
            .send()
            .await
            .map_err(Error::Transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(Error::Transport)?;
        if !status.is_success() {
            let refusal: Option<TokenRefusal> = serde_json::from_slice(&body).ok();
            let (code, message) = refusal.map_or_else(
                || (String::new(), String::from_utf8_lossy(&body).into_owned()),
                |r| (r.error, r.error_description),
            );
            return Err(Error::from(GraphError {
                status,
                code,
                message,
                request_id: String::new(),
                client_request_id: String::new(),
                raw_body: String::from_utf8_lossy(&body).into_owned(),
            }));
        }
        let answer: TokenAnswer = crate::request::json(&body)?;
        let lifetime = Duration::from_secs(answer.expires_in).saturating_sub(REFRESH_MARGIN);
        Ok((answer.access_token, asked + lifetime))
    }
}

impl TokenProvider for ClientCredentials {
    fn token(&self) -> Pin<Box<dyn Future<Output = Result<String, Error>> + Send + '_>> {
        Box::pin(async move {
            // One sign-in at a time: concurrent requests wait for it and share its token.
            let mut cached = self.cached.lock().await;
            if let Some((token, refresh_at)) = cached.as_ref()
                && Instant::now() < *refresh_at
            {
                return Ok(token.clone());
            }
            let (token, refresh_at) = self.fetch().await?;
            *cached = Some((token.clone(), refresh_at));
            Ok(token)
        })
    }
}
