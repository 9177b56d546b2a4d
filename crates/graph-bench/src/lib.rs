//! The pieces of the benchmarks shared by `cargo xtask bench` (the `graph-bench` binary) and the
//! criterion micro-benchmarks: the floor server, what the load sends, and the bench's data.

pub mod floor;
pub mod load;

use std::collections::HashMap;

use graph_mock_runtime::{AppState, AuthMode, Config};
use serde_json::{Map, Value, json};

/// The collection every measurement uses.
pub const COLLECTION: &str = "/deviceManagement/domainJoinConnectors";

/// The `n`th connector, as stored and served.
pub fn connector(n: usize) -> Map<String, Value> {
    let value = json!({
        "@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector",
        "id": id_of(n),
        "displayName": format!("Connector {n}"),
        "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00",
        "state": if n.is_multiple_of(3) { "active" } else { "error" },
        "version": "1.0"
    });
    value.as_object().cloned().unwrap_or_default()
}

/// The `n`th connector's id.
pub fn id_of(n: usize) -> String {
    format!("{n:08}-0000-0000-0000-000000000000")
}

/// The body every POST sends.
pub const CREATE_BODY: &str = r#"{"displayName":"bench","state":"active","version":"1.0"}"#;

/// The body every PATCH sends.
pub const UPDATE_BODY: &str = r#"{"version":"2.0"}"#;

/// A mock (no authentication) holding one connector per id, in order.
pub fn mock_state(ids: &[String]) -> AppState {
    let state = AppState::new(
        &seed_mock::API,
        Config {
            auth: AuthMode::None,
            ..Config::default()
        },
    );
    for (n, id) in ids.iter().enumerate() {
        // A memory write is made when called: its future is ready at once.
        let inserted = state.store.insert(COLLECTION, id, connector(n));
        futures::executor::block_on(inserted).expect("fresh ids");
    }
    state
}

/// The floor's entities: `count` connectors by id.
pub fn floor_entities(count: usize) -> HashMap<String, Value> {
    (0..count)
        .map(|n| (id_of(n), Value::Object(connector(n))))
        .collect()
}
