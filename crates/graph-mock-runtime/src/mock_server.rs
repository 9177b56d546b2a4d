//! `MockServer`: the mock in-process on `127.0.0.1:0`, for tests (after wiremock-rs).
//!
//! ```no_run
//! # async fn demo() {
//! let server = graph_mock_runtime::MockServer::start(&graph_mock::API).await;
//! let url = format!("{}/deviceManagement/domainJoinConnectors", server.base_url());
//! // ... point the client at `server.base_url()`; the server stops when `server` is dropped.
//! # }
//! ```

use std::net::SocketAddr;

use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::journal::JournalEntry;

use crate::{Api, AppState, Config};

/// A running mock that stops when dropped.
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    base_path: String,
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
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let base_path = config.normalised_base_path();
        let state = AppState::open(api, config)
            .map_err(|e| std::io::Error::other(format!("cannot open the store: {e:?}")))?;
        state
            .capture_start_state()
            .map_err(|e| std::io::Error::other(format!("cannot read the store: {e:?}")))?;
        let app = crate::app(state.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("the Graph mock stopped: {e}");
            }
        });
        Ok(MockServer {
            address,
            base_path,
            state,
            shutdown: Some(shutdown),
            expectations: Mutex::new(Vec::new()),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
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
        self.state.journal.entries()
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
