//! A downstream app: it starts the generated mock in-process, then drives it with the generated
//! client (create, list with paging, update, delete) and checks every answer. It exits non-zero,
//! naming the step, when one is wrong.

use graph_client::Client;
use graph_client::model::{
    DeviceManagementDomainJoinConnector, DeviceManagementDomainJoinConnectorState,
    DeviceManagementDomainJoinConnectorUpdate, Patch,
};
use graph_mock::{Config, MockServer};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Fails with `step` unless `ok`.
fn check(ok: bool, step: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("wrong result: {step}").into())
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    // Pages of two, so listing five connectors takes three pages.
    let config = Config {
        page_size: 2,
        ..Config::default()
    };
    let server = MockServer::try_start(&graph_mock::API, config).await?;
    let client = Client::new(server.base_url(), "any-token")?;
    let connectors = client.device_management().domain_join_connectors();

    let mut ids = Vec::new();
    for n in 0..5 {
        let created = connectors
            .create(&DeviceManagementDomainJoinConnector {
                display_name: Some(format!("Connector {n}")),
                state: Some(DeviceManagementDomainJoinConnectorState::Active),
                ..Default::default()
            })
            .await?;
        check(
            created.display_name.as_deref() == Some(&format!("Connector {n}")),
            "create echoes the name",
        )?;
        ids.push(created.id.ok_or("create returns an id")?);
    }

    let first = connectors.list().send().await?;
    check(
        first.value.len() == 2 && first.next_link.is_some(),
        "the first page holds two and links on",
    )?;
    let all = connectors.list().collect_all().await?;
    let listed: Vec<_> = all.iter().filter_map(|c| c.id.clone()).collect();
    check(
        listed == ids,
        "paging visits every connector once, in order",
    )?;

    let update = DeviceManagementDomainJoinConnectorUpdate {
        display_name: Patch::Set("Renamed".into()),
        version: Patch::Null,
        ..Default::default()
    };
    connectors.by_id(&ids[0]).update(&update).await?;
    let renamed = connectors.by_id(&ids[0]).get().await?;
    check(
        renamed.display_name.as_deref() == Some("Renamed"),
        "update renames",
    )?;
    check(
        renamed.state == Some(DeviceManagementDomainJoinConnectorState::Active),
        "update keeps what it did not name",
    )?;

    connectors.by_id(&ids[0]).delete().await?;
    match connectors.by_id(&ids[0]).get().await {
        Err(error) => check(error.status() == Some(404), "a deleted connector is a 404")?,
        Ok(_) => check(false, "a deleted connector is gone")?,
    }
    check(
        connectors.list().collect_all().await?.len() == 4,
        "four connectors remain",
    )?;

    println!("downstream-app: create, list with paging, update and delete all behaved");
    Ok(())
}
