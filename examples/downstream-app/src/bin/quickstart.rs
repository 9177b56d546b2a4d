//! Creates, lists, updates and deletes a domain join connector against a running mock (or any
//! Graph endpoint).
//!
//! ```sh
//! cargo run -p graph-mock &                                          # the mock, on 127.0.0.1:8080
//! cargo run --manifest-path examples/downstream-app/Cargo.toml --bin quickstart   # or: -- URL
//! ```
//!
//! The base URL is the first argument, else `GRAPH_BASE_URL`, else `http://127.0.0.1:8080/beta`.

use graph_client::Client;
use graph_client::model::{
    DeviceManagementDomainJoinConnector, DeviceManagementDomainJoinConnectorState,
    DeviceManagementDomainJoinConnectorUpdate, Patch,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("GRAPH_BASE_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:8080/beta".to_owned());
    let client = Client::new(&base_url, "quickstart-token")?;
    let connectors = client.device_management().domain_join_connectors();

    let created = connectors
        .create(&DeviceManagementDomainJoinConnector {
            display_name: Some("Quickstart connector".into()),
            state: Some(DeviceManagementDomainJoinConnectorState::Active),
            version: Some("1.0".into()),
            ..Default::default()
        })
        .await?;
    let id = created.id.clone().unwrap_or_default();
    println!("created {id}: {:?}", created.display_name);

    let page = connectors
        .list()
        .filter("state eq 'active'")
        .top(10)
        .send()
        .await?;
    println!("listed {} active connector(s)", page.value.len());

    let update = DeviceManagementDomainJoinConnectorUpdate {
        display_name: Patch::Set("Renamed connector".into()),
        version: Patch::Null,
        ..Default::default()
    };
    let updated = connectors.by_id(&id).update(&update).await?;
    println!(
        "updated {id}: {:?}, version {:?}",
        updated.display_name, updated.version
    );

    connectors.by_id(&id).delete().await?;
    println!("deleted {id}");
    Ok(())
}
