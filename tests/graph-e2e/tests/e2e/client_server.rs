//! The generated client against the generated mock over TCP on 127.0.0.1.

use std::collections::BTreeSet;

use futures::TryStreamExt;
use graph_e2e::Mock;
use graph_mock_runtime::Config;
use seed_client::{Client, Error, StatusCode};
use seed_model::{
    DateTimeOffset, DeviceManagementDomainJoinConnector as Connector,
    DeviceManagementDomainJoinConnectorState as State,
    DeviceManagementDomainJoinConnectorUpdate as ConnectorUpdate, Patch,
};

fn connector(name: &str) -> Connector {
    Connector {
        odata_type: Some("#microsoft.graph.deviceManagementDomainJoinConnector".into()),
        display_name: Some(name.into()),
        last_connection_date_time: Some(
            DateTimeOffset::parse("2016-12-31T23:58:36.6670033-08:00").unwrap(),
        ),
        state: Some(State::Active),
        version: Some("1.0".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn full_crud_with_typed_values() {
    let h = Mock::start().await;
    let connectors = h.client.device_management().domain_join_connectors();

    let sent = connector("A");
    let created = connectors.create(&sent).await.unwrap();
    let id = created.id.clone().expect("the mock assigns an id");
    assert_eq!(
        Connector {
            id: None,
            additional_data: Default::default(),
            ..created.clone()
        },
        sent,
        "typed values come back equal"
    );
    assert_eq!(
        created.last_connection_date_time.as_ref().unwrap().as_str(),
        "2016-12-31T23:58:36.6670033-08:00"
    );
    assert_eq!(
        created.odata_type.as_deref(),
        Some("#microsoft.graph.deviceManagementDomainJoinConnector")
    );
    assert!(
        created.additional_data.contains_key("@odata.context"),
        "annotations are kept"
    );

    let fetched = connectors.by_id(&id).get().await.unwrap();
    assert_eq!(
        Connector {
            additional_data: Default::default(),
            ..fetched.clone()
        },
        Connector {
            additional_data: Default::default(),
            ..created.clone()
        }
    );
    let selected = connectors
        .by_id(&id)
        .get()
        .select(&["displayName"])
        .await
        .unwrap();
    assert_eq!(
        (selected.display_name.as_deref(), selected.version),
        (Some("A"), None)
    );

    let page = connectors
        .list()
        .top(10)
        .filter("state eq 'active'")
        .send()
        .await
        .unwrap();
    assert_eq!(page.value.len(), 1);
    assert_eq!(page.value[0].id.as_deref(), Some(id.as_str()));

    let patch = ConnectorUpdate {
        display_name: Patch::Set("B".into()),
        version: Patch::Null,
        ..Default::default()
    };
    let updated = connectors.by_id(&id).update(&patch).await.unwrap();
    assert_eq!(updated.display_name.as_deref(), Some("B"));
    assert_eq!(updated.version, None);
    assert_eq!(updated.state, Some(State::Active), "absent fields are kept");

    connectors.by_id(&id).delete().await.unwrap();
    let gone = connectors.by_id(&id).get().await.unwrap_err();
    assert_eq!(
        (gone.status(), gone.code()),
        (Some(StatusCode::NOT_FOUND), Some("ResourceNotFound"))
    );
}

#[tokio::test]
async fn errors_surface_as_graph_errors_with_code_and_request_id() {
    let h = Mock::start().await;
    let connectors = h.client.device_management().domain_join_connectors();

    match connectors.by_id("missing").get().await {
        Err(Error::Graph(error)) if error.status == StatusCode::NOT_FOUND => {
            assert_eq!(error.code, "ResourceNotFound");
            assert!(!error.request_id.is_empty());
            assert!(error.raw_body.contains(&error.request_id));
        }
        other => panic!("expected a 404 Graph error, got {other:?}"),
    }

    let bad = Connector {
        state: Some(State::Unrecognized("sleeping".into())),
        ..connector("x")
    };
    match connectors.create(&bad).await {
        Err(Error::Graph(error)) if error.status == StatusCode::BAD_REQUEST => {
            assert_eq!(error.code, "BadRequest");
            assert!(error.message.contains("'state'"), "{}", error.message);
            assert!(!error.request_id.is_empty());
        }
        other => panic!("expected a 400 Graph error, got {other:?}"),
    }

    let anonymous = Client::builder()
        .base_url(h.server.base_url())
        .build()
        .unwrap();
    let error = anonymous
        .device_management()
        .domain_join_connectors()
        .list()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (
            Some(StatusCode::UNAUTHORIZED),
            Some("InvalidAuthenticationToken")
        )
    );
    assert!(error.to_string().contains("401"), "{error}");
}

#[tokio::test]
async fn the_stream_yields_each_of_250_items_once_across_pages_of_100() {
    let h = Mock::with(Config {
        page_size: 100,
        ..Config::default()
    })
    .await;
    let connectors = h.client.device_management().domain_join_connectors();
    for i in 0..250 {
        connectors
            .create(&connector(&format!("c{i:03}")))
            .await
            .unwrap();
    }
    let first = connectors.list().send().await.unwrap();
    assert_eq!(first.value.len(), 100);
    assert!(first.next_link.is_some());

    let items: Vec<Connector> = connectors.list().stream().try_collect().await.unwrap();
    assert_eq!(items.len(), 250);
    let names: BTreeSet<String> = items
        .iter()
        .map(|c| c.display_name.clone().unwrap())
        .collect();
    assert_eq!(names.len(), 250);

    let all = connectors
        .list()
        .select(&["id"])
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 250);
}

#[tokio::test]
async fn a_transport_failure_is_a_transport_error() {
    let client = Client::new("http://127.0.0.1:1/beta", "t").unwrap();
    let error = client
        .device_management()
        .domain_join_connectors()
        .list()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn every_request_awaits_and_carries_extra_headers() {
    let h = Mock::with(Config {
        page_size: 2,
        ..Config::default()
    })
    .await;
    let connectors = h.client.device_management().domain_join_connectors();
    let created = connectors
        .create(&connector("With headers"))
        .header("ConsistencyLevel", "eventual")
        .await
        .unwrap();
    let id = created.id.unwrap();
    for n in 0..3 {
        connectors
            .create(&connector(&format!("c{n}")))
            .await
            .unwrap();
    }
    // A list request awaits to its first page; its headers go with every page.
    let first = connectors.list().header("x-page-probe", "1").await.unwrap();
    assert_eq!(first.value.len(), 2);
    let all = connectors
        .list()
        .header("x-page-probe", "1")
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    connectors
        .by_id(&id)
        .update(&ConnectorUpdate {
            version: Patch::Null,
            ..Default::default()
        })
        .header("x-update-probe", "yes")
        .await
        .unwrap();
    connectors
        .by_id(&id)
        .delete()
        .header("x-delete-probe", "yes")
        .await
        .unwrap();

    let sent = h.server.received_requests();
    let with = |name: &str, value: &str| {
        sent.iter()
            .filter(|r| {
                r.headers
                    .iter()
                    .any(|(n, v)| n.eq_ignore_ascii_case(name) && v == value)
            })
            .map(|r| (r.method.as_str(), r.query.is_some()))
            .collect::<Vec<_>>()
    };
    assert_eq!(with("consistencylevel", "eventual"), [("POST", false)]);
    // The first page alone, then both pages of the whole collection (the second by next link).
    assert_eq!(
        with("x-page-probe", "1"),
        [("GET", false), ("GET", false), ("GET", true)]
    );
    assert_eq!(with("x-update-probe", "yes"), [("PATCH", false)]);
    assert_eq!(with("x-delete-probe", "yes"), [("DELETE", false)]);
}

#[tokio::test]
async fn a_header_http_cannot_carry_is_invalid_input_and_nothing_is_sent() {
    let h = Mock::start().await;
    let connectors = h.client.device_management().domain_join_connectors();
    let error = connectors
        .create(&connector("x"))
        .header("bad header", "v")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput(m) if m.contains("bad header")),
        "{error:?}"
    );
    let error = connectors
        .list()
        .header("x", "line\nbreak")
        .collect_all()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    assert!(h.server.received_requests().is_empty());
}
