//! `MockServer`: the mock in-process on `127.0.0.1:0`, for tests (after wiremock-rs).
//!
//! ```no_run
//! # async fn demo() {
//! let server = graph_mock::MockServer::start().await;
//! let url = format!("{}/deviceManagement/domainJoinConnectors", server.base_url());
//! // ... point the client at `server.base_url()`; the server stops when `server` is dropped.
//! # }
//! ```

use std::net::SocketAddr;

use tokio::sync::oneshot;

use crate::{AppState, Config};

/// A running mock that stops when dropped.
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    base_path: String,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockServer {
    /// Starts the mock with the default settings. Panics, naming the cause, if no loopback port
    /// can be bound; use [`MockServer::try_start`] to handle that.
    pub async fn start() -> MockServer {
        match MockServer::try_start(Config::default()).await {
            Ok(server) => server,
            Err(e) => panic!("cannot start the Graph mock on 127.0.0.1: {e}"),
        }
    }

    /// Starts the mock with `config` on `127.0.0.1:0`.
    pub async fn try_start(config: Config) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let base_path = config.normalised_base_path();
        let state = AppState::new(config);
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
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
