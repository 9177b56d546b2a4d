//! The end-to-end tests' setup: the mock generated for this repository's spec, started
//! in-process on `127.0.0.1:0`, with the generated client pointed at it.

use std::ops::Deref;

pub use graph_contract::*;
use graph_mock_runtime::Config;

/// A started mock ([`Harness`]: the server, seeding, the statuses seen) and a generated client.
pub struct Mock {
    /// The generated client, pointed at the mock.
    pub client: seed_client::Client,
    harness: Harness,
}

impl Mock {
    /// Starts the mock with the default settings.
    pub async fn start() -> Mock {
        Mock::with(Config::default()).await
    }

    /// Starts the mock with `config`.
    pub async fn with(config: Config) -> Mock {
        let harness = Harness::with(&seed_mock::API, config).await;
        Mock {
            client: harness.client(),
            harness,
        }
    }
}

impl Deref for Mock {
    type Target = Harness;

    fn deref(&self) -> &Harness {
        &self.harness
    }
}
