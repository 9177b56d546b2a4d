//! What the tests on the `navigation` fixture share: its mock started without authentication,
//! its client pointed at it, and a shelf to create.

use graph_mock_runtime::{AuthMode, Config, MockServer};
use snapshot_navigation_client::Client;
use snapshot_navigation_client::model::{AnyShelf, Shelf};

/// The fixture's mock on `127.0.0.1:0` (no authentication) and its client.
pub async fn start() -> (MockServer, Client) {
    let server = MockServer::try_start(
        &snapshot_navigation_mock::API,
        Config {
            auth: AuthMode::None,
            ..Config::default()
        },
    )
    .await
    .unwrap();
    let client = Client::new(server.base_url(), "token").unwrap();
    (server, client)
}

/// A shelf with an id and a label.
pub fn shelf(id: &str, label: &str) -> AnyShelf {
    AnyShelf::Shelf(Shelf {
        id: Some(id.into()),
        label: Some(label.into()),
        ..Default::default()
    })
}

/// `POST url` with a JSON body, as raw HTTP (what the typed client would never send).
pub async fn post_json(url: &str, body: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}
