//! The generated model against real doc examples: every example body of the checked-in spec,
//! and the seed page's, decodes into the generated type and encodes back to the same JSON.

use graph_spec::Spec;
use seed_model::{
    DeviceManagementDomainJoinConnector, DeviceManagementDomainJoinConnectorState,
    DeviceManagementDomainJoinConnectorUpdate, OpenEnum, Patch, ViolationKind, from_json, schema,
};
use serde_json::{Value, json};

const CONNECTOR: &str = "deviceManagementDomainJoinConnector";

fn workspace_file(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn checked_in_spec() -> Spec {
    graph_spec::load(&workspace_file("spec/api.json")).unwrap()
}

fn seed_spec() -> Spec {
    let file = "spec/docs/000_e327c56b548b55ea.txt";
    let text = std::fs::read_to_string(workspace_file(file)).unwrap();
    graph_doc_import::import(&[graph_doc_import::PageInput {
        file: file.to_owned(),
        text,
    }])
    .spec
}

/// Every example body about a connector: request bodies, and response bodies with the Intune
/// `{"value": {...}}` wrapping of get examples removed.
fn connector_bodies(spec: &Spec) -> Vec<Value> {
    let mut bodies = Vec::new();
    for op in &spec.operations {
        for example in &op.examples {
            bodies.extend(example.request.body.clone());
            let Some(body) = example.response.as_ref().and_then(|r| r.body.clone()) else {
                continue;
            };
            match body.get("value") {
                Some(Value::Array(items)) => bodies.extend(items.iter().cloned()),
                Some(inner @ Value::Object(_)) => bodies.push(inner.clone()),
                _ => bodies.push(body),
            }
        }
    }
    bodies
}

fn assert_round_trips(body: &Value) {
    let text = serde_json::to_vec(body).unwrap();
    let decoded: DeviceManagementDomainJoinConnector =
        from_json(&text).unwrap_or_else(|e| panic!("{body}: {e}"));
    assert_eq!(&serde_json::to_value(&decoded).unwrap(), body);
    // Every property the type declares lands in its typed field: a misnamed field would leave
    // it in the catch-all for unknown properties, and the round trip above would still hold.
    let declared: Vec<&str> = (schema().all_properties(CONNECTOR).iter())
        .map(|p| p.name.as_str())
        .collect();
    let untyped: Vec<&String> = (decoded.additional_data.keys())
        .filter(|key| declared.contains(&key.as_str()))
        .collect();
    assert!(
        untyped.is_empty(),
        "{untyped:?} not read into their fields: {body}"
    );
    if let Some(when) = body.get("lastConnectionDateTime") {
        assert_eq!(
            decoded
                .last_connection_date_time
                .as_ref()
                .map(|d| d.as_str()),
            when.as_str(),
            "exact text"
        );
    }
}

#[test]
fn current_doc_examples_round_trip() {
    let bodies = connector_bodies(&checked_in_spec());
    assert!(
        bodies.len() >= 6,
        "create, get, list and update examples: {}",
        bodies.len()
    );
    for body in &bodies {
        assert_round_trips(body);
    }
}

#[test]
fn seed_examples_round_trip_including_the_bad_enum_value() {
    let bodies = connector_bodies(&seed_spec());
    assert_eq!(bodies.len(), 2);
    for body in &bodies {
        assert_round_trips(body);
        let decoded: DeviceManagementDomainJoinConnector =
            serde_json::from_value(body.clone()).unwrap();
        assert_eq!(
            decoded.state,
            Some(DeviceManagementDomainJoinConnectorState::Unrecognized(
                "String".into()
            ))
        );
        assert_eq!(
            decoded.last_connection_date_time.unwrap().as_str(),
            "2016-12-31T23:56:55.9168968+03:00"
        );
    }
}

#[test]
fn unknown_enum_members_and_properties_are_kept() {
    let body = json!({"state": "hibernating", "futureProperty": {"a": 1}, "@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector"});
    let decoded: DeviceManagementDomainJoinConnector =
        serde_json::from_value(body.clone()).unwrap();
    let state = decoded.state.clone().unwrap();
    assert!(!state.is_known());
    assert_eq!(state.as_str(), "hibernating");
    assert_eq!(decoded.additional_data["futureProperty"], json!({"a": 1}));
    assert_eq!(
        decoded.odata_type.as_deref(),
        Some("#microsoft.graph.deviceManagementDomainJoinConnector")
    );
    assert_eq!(serde_json::to_value(&decoded).unwrap(), body);
    let known: DeviceManagementDomainJoinConnectorState =
        serde_json::from_value(json!("inactive")).unwrap();
    assert_eq!(known, DeviceManagementDomainJoinConnectorState::Inactive);
}

#[test]
fn update_bodies_keep_absent_null_and_value_apart() {
    let update: DeviceManagementDomainJoinConnectorUpdate =
        serde_json::from_value(json!({"displayName": "n", "version": null})).unwrap();
    assert_eq!(update.display_name, Patch::Set("n".to_owned()));
    assert_eq!(update.version, Patch::Null);
    assert_eq!(update.state, Patch::Absent);
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"displayName": "n", "version": null})
    );
    let built = DeviceManagementDomainJoinConnectorUpdate {
        version: Patch::Null,
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&built).unwrap(),
        r#"{"version":null}"#
    );
}

#[test]
fn bad_json_names_the_field() {
    let err = from_json::<DeviceManagementDomainJoinConnector>(
        br#"{"lastConnectionDateTime": "2016-13-01T00:00:00Z"}"#,
    )
    .unwrap_err();
    assert_eq!(err.path, "lastConnectionDateTime");
    assert!(err.message.contains("not a valid DateTimeOffset"), "{err}");
    let err =
        from_json::<DeviceManagementDomainJoinConnector>(br#"{"displayName": 5}"#).unwrap_err();
    assert_eq!(err.path, "displayName");
    assert!(from_json::<DeviceManagementDomainJoinConnector>(b"{").is_err());
}

#[test]
fn the_schema_refuses_what_the_service_refuses() {
    let check = |body: Value| schema().check_write(CONNECTOR, &body);
    assert_eq!(
        check(
            json!({"displayName": "x", "state": "active", "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00"})
        ),
        vec![]
    );
    let unknown = check(json!({"colour": "red"}));
    assert_eq!(unknown[0].kind, ViolationKind::UnknownProperty);
    assert_eq!(
        unknown[0].message,
        "The property 'colour' does not exist on type 'microsoft.graph.deviceManagementDomainJoinConnector'. Make sure to only use property names that are defined by the type."
    );
    assert_eq!(
        check(json!({"state": "String"}))[0].kind,
        ViolationKind::NotInEnum
    );
    assert_eq!(
        check(json!({"version": 3}))[0].kind,
        ViolationKind::WrongType
    );
    assert_eq!(
        check(json!({"lastConnectionDateTime": "soon"}))[0].path,
        "lastConnectionDateTime"
    );
}

#[test]
fn each_type_reads_and_writes_its_own_json_and_a_listed_one_its_pages() {
    let text = br#"{"id": "c1", "displayName": "first", "state": "active"}"#;
    let connector = DeviceManagementDomainJoinConnector::from_json(text).unwrap();
    assert_eq!(connector.display_name.as_deref(), Some("first"));
    let encoded: Value = serde_json::from_slice(&connector.to_json().unwrap()).unwrap();
    assert_eq!(
        encoded,
        json!({"id": "c1", "displayName": "first", "state": "active"})
    );
    let err = DeviceManagementDomainJoinConnector::from_json(br#"{"version": 2}"#).unwrap_err();
    assert_eq!(err.path, "version");

    // The connectors are listed, so their type reads pages too.
    let page = DeviceManagementDomainJoinConnector::page_from_json(
        br#"{"value": [{"id": "c1"}, {"id": "c2"}], "@odata.nextLink": "https://next"}"#,
    )
    .unwrap();
    let ids: Vec<_> = page.value.iter().map(|c| c.id.as_deref()).collect();
    assert_eq!(ids, [Some("c1"), Some("c2")]);
    assert_eq!(page.next_link.as_deref(), Some("https://next"));
    let err = DeviceManagementDomainJoinConnector::page_from_json(
        br#"{"value": [{"id": "c1"}, {"state": 3}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.path, "value[1].state");

    let update =
        DeviceManagementDomainJoinConnectorUpdate::from_json(br#"{"version": null}"#).unwrap();
    assert_eq!(update.version, Patch::Null);
    assert_eq!(update.to_json().unwrap(), br#"{"version":null}"#);
}
