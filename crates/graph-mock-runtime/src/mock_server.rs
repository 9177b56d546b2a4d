//! `MockServer`: the mock in-process on `127.0.0.1:0`, for tests (after wiremock-rs).
//!
//! ```no_run
//! # async fn demo() {
//! let server = graph_mock_runtime::MockServer::start(&seed_mock::API).await;
//! let url = format!("{}/deviceManagement/domainJoinConnectors", server.base_url());
//! // ... point the client at `server.base_url()`; the server stops when `server` is dropped.
//! # }
//! ```

use std::net::SocketAddr;

use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::journal::JournalEntry;

#[cfg(feature = "tls")]
use crate::tls::Certificates;
use crate::{Api, AppState, Config};

/// Without the cargo feature `tls` the mock serves HTTP only: there are no certificates.
#[cfg(not(feature = "tls"))]
#[derive(Debug)]
enum Certificates {}

/// A running mock that stops when dropped.
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    base_path: String,
    /// The certificate clients should trust, when the mock serves HTTPS.
    certificate: Option<String>,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    expectations: Mutex<Vec<Expectation>>,
}

/// "`operation` is called `times` times", checked when the server is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expectation {
    operation: String,
    times: usize,
}

impl MockServer {
    /// Starts the mock of `api` (a generated mock crate's `API`) with the default settings.
    /// Panics, naming the cause, if no loopback port can be bound; use [`MockServer::try_start`]
    /// to handle that.
    pub async fn start(api: &'static Api) -> MockServer {
        match MockServer::try_start(api, Config::default()).await {
            Ok(server) => server,
            Err(e) => panic!("cannot start the Graph mock on 127.0.0.1: {e}"),
        }
    }

    /// Starts the mock of `api` with `config` on `127.0.0.1:0`.
    pub async fn try_start(api: &'static Api, config: Config) -> std::io::Result<MockServer> {
        MockServer::launch(&[api], config, None).await
    }

    /// Starts the mock of several APIs (`/v1.0` and `/beta`, say) over one store on
    /// `127.0.0.1:0`, each under `/<its version>`, as Graph serves them
    /// ([`AppState::open_versions`]); [`MockServer::base_url`] is the first one's.
    pub async fn try_start_versions(
        apis: &[&'static Api],
        config: Config,
    ) -> std::io::Result<MockServer> {
        MockServer::launch(apis, config, None).await
    }

    /// Starts the mock of `api` over HTTPS (cargo feature `tls`) with the default settings, with a certificate made
    /// for `localhost` and `127.0.0.1`; clients trust [`MockServer::certificate_pem`]. Panics,
    /// naming the cause, if it cannot start; use [`MockServer::try_start_https`] to handle that.
    #[cfg(feature = "tls")]
    pub async fn start_https(api: &'static Api) -> MockServer {
        match MockServer::try_start_https(api, Config::default()).await {
            Ok(server) => server,
            Err(e) => panic!("cannot start the Graph mock over HTTPS on 127.0.0.1: {e}"),
        }
    }

    /// Starts the mock of `api` with `config` over HTTPS on `127.0.0.1:0`.
    #[cfg(feature = "tls")]
    pub async fn try_start_https(api: &'static Api, config: Config) -> std::io::Result<MockServer> {
        let certificates = Certificates::generate().map_err(std::io::Error::other)?;
        MockServer::launch(&[api], config, Some(certificates)).await
    }

    async fn launch(
        apis: &[&'static Api],
        config: Config,
        tls: Option<Certificates>,
    ) -> std::io::Result<MockServer> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
        let address = listener.local_addr()?;
        let states = AppState::open_versions(apis, config).map_err(std::io::Error::other)?;
        let state = states[0].clone();
        let base_path = state.base_path().to_owned();
        state
            .capture_start_state()
            .map_err(|e| std::io::Error::other(format!("cannot read the store: {e}")))?;
        let app = crate::app_of(states);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let certificate = match tls {
            None => {
                listener.set_nonblocking(true)?;
                let listener = tokio::net::TcpListener::from_std(listener)?;
                tokio::spawn(async move {
                    let serve = axum::serve(listener, app.into_make_service())
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        });
                    if let Err(e) = serve.await {
                        tracing::error!("the Graph mock stopped: {e}");
                    }
                });
                None
            }
            #[cfg(feature = "tls")]
            Some(certificates) => {
                let handle = axum_server::Handle::new();
                let stopper = handle.clone();
                tokio::spawn(async move {
                    let _ = stopped.await;
                    stopper.graceful_shutdown(None);
                });
                let certificate = certificates.ca_pem().to_owned();
                tokio::spawn(async move {
                    if let Err(e) = crate::tls::serve(listener, &certificates, app, handle).await {
                        tracing::error!("the Graph mock stopped: {e}");
                    }
                });
                Some(certificate)
            }
        };
        Ok(MockServer {
            address,
            base_path,
            certificate,
            state,
            shutdown: Some(shutdown),
            expectations: Mutex::new(Vec::new()),
        })
    }

    /// `http://127.0.0.1:<port>`, or `https://...` for a mock serving HTTPS.
    pub fn uri(&self) -> String {
        let scheme = if self.certificate.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.address)
    }

    /// The certificate a client should trust (PEM), when the mock serves HTTPS.
    pub fn certificate_pem(&self) -> Option<&str> {
        self.certificate.as_deref()
    }

    /// `http://127.0.0.1:<port>/beta`: what a client takes as its base URL.
    pub fn base_url(&self) -> String {
        format!("{}{}", self.uri(), self.base_path)
    }

    /// The server's state, to inspect or seed the store directly.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The requests served so far, oldest first (bounded by the journal size).
    pub fn received_requests(&self) -> Vec<JournalEntry> {
        self.state.journal.entries(None)
    }

    /// Expects `operation` (`METHOD /path/template`, e.g.
    /// `POST /deviceManagement/domainJoinConnectors`) to be served exactly `times` times; checked
    /// when the server is dropped.
    pub fn expect(&self, operation: &str, times: usize) {
        self.expectations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Expectation {
                operation: operation.to_owned(),
                times,
            });
    }

    /// The expectations that do not hold, as readable lines; empty when all hold.
    pub fn unmet_expectations(&self) -> Vec<String> {
        let served = self.received_requests();
        let expectations = self
            .expectations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        expectations
            .into_iter()
            .filter_map(|e| {
                let count = served
                    .iter()
                    .filter(|r| r.operation.as_deref() == Some(e.operation.as_str()))
                    .count();
                (count != e.times).then(|| {
                    format!(
                        "expected `{}` {} time(s), but it was served {count} time(s)",
                        e.operation, e.times
                    )
                })
            })
            .collect()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // Like wiremock: unmet expectations fail the test, unless it is already failing.
        let unmet = self.unmet_expectations();
        if !unmet.is_empty() && !std::thread::panicking() {
            let served: Vec<String> = self
                .received_requests()
                .iter()
                .map(|r| format!("  {} {} -> {}", r.method, r.path, r.status))
                .collect();
            panic!(
                "Graph mock expectations not met:\n  {}\nrequests served:\n{}",
                unmet.join("\n  "),
                served.join("\n")
            );
        }
    }
}
