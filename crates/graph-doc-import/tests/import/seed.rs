//! Imports the seed page (the draft "Add domainJoinConnectors" page in `spec/docs/`) on its own
//! and checks everything the importer should read from it, quirks included.

use graph_doc_import::{PageInput, import};
use graph_spec::{
    DefectKind, HttpMethod, OperationKind, PermissionSet, Primitive, TypeKind, TypeRef,
};
use serde_json::json;

const SEED: &str = "spec/docs/000_e327c56b548b55ea.txt";

fn seed() -> graph_doc_import::Import {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(SEED);
    let text = std::fs::read_to_string(&path).expect("the seed page is checked in");
    import(&[PageInput {
        file: SEED.to_owned(),
        text,
    }])
}

#[test]
fn the_entity_has_the_five_documented_properties() {
    let result = seed();
    let entity = &result.spec.types["deviceManagementDomainJoinConnector"];
    assert_eq!(entity.kind, TypeKind::Entity);
    assert_eq!(entity.key_property.as_deref(), Some("id"));
    let properties: Vec<(&str, TypeRef)> = entity
        .properties
        .iter()
        .map(|p| (p.name.as_str(), p.type_ref.clone()))
        .collect();
    assert_eq!(
        properties,
        [
            ("id", TypeRef::Primitive(Primitive::String)),
            ("displayName", TypeRef::Primitive(Primitive::String)),
            (
                "lastConnectionDateTime",
                TypeRef::Primitive(Primitive::DateTimeOffset)
            ),
            (
                "state",
                TypeRef::Named("deviceManagementDomainJoinConnectorState".into())
            ),
            ("version", TypeRef::Primitive(Primitive::String)),
        ]
    );
    assert!(entity.properties.iter().all(|p| !p.collection));
}

#[test]
fn the_state_enum_is_inferred_from_the_possible_values() {
    let result = seed();
    let state = &result.spec.enums["deviceManagementDomainJoinConnectorState"];
    assert!(state.inferred);
    let members: Vec<(&str, i64)> = state
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.value))
        .collect();
    assert_eq!(members, [("active", 0), ("error", 1), ("inactive", 2)]);
}

#[test]
fn the_create_operation_is_normalised() {
    let result = seed();
    assert_eq!(result.spec.operations.len(), 1);
    let create = &result.spec.operations[0];
    assert_eq!(
        (create.kind, create.method),
        (OperationKind::Create, HttpMethod::Post)
    );
    assert_eq!(
        create.primary_path().to_string(),
        "/deviceManagement/domainJoinConnectors"
    );
    assert_eq!(create.response.status, 201);
    let body = create.response.body.as_ref().unwrap();
    assert_eq!(
        (body.type_ref.named(), body.collection),
        (Some("deviceManagementDomainJoinConnector"), false)
    );
    assert_eq!(
        create.request_body.as_ref().unwrap().type_ref.named(),
        Some("deviceManagementDomainJoinConnector")
    );
    assert!(
        create.request_body.as_ref().unwrap().required.is_empty(),
        "the 'required' table is a template artefact"
    );
    let headers: Vec<(&str, &str, bool)> = create
        .headers
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str(), h.required))
        .collect();
    assert_eq!(
        headers,
        [
            ("Authorization", "Bearer {token}", false),
            ("Content-Type", "application/json", false)
        ]
    );
    assert_eq!(
        create.permissions.delegated_work,
        PermissionSet::Undetermined
    );
    assert_eq!(
        create.permissions.delegated_personal,
        PermissionSet::NotSupported
    );
    assert_eq!(create.permissions.application, PermissionSet::Undetermined);
}

#[test]
fn both_examples_are_kept_verbatim() {
    let result = seed();
    let create = &result.spec.operations[0];
    assert_eq!(create.examples.len(), 1);
    let example = &create.examples[0];
    assert_eq!(
        example.name.as_deref(),
        Some("create_devicemanagementdomainjoinconnector_from_")
    );
    let request = &example.request;
    assert_eq!(request.method, HttpMethod::Post);
    assert_eq!(
        request.url,
        r"https://graph.microsoft.com/docs\api/deviceManagement/domainJoinConnectors"
    );
    assert_eq!(request.path, "/deviceManagement/domainJoinConnectors");
    assert_eq!(
        request.headers,
        [
            ("Content-type".to_owned(), "application/json".to_owned()),
            ("Content-length".to_owned(), "236".to_owned())
        ]
    );
    assert_eq!(
        request.body,
        Some(json!({
            "@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector",
            "displayName": "Display Name value",
            "lastConnectionDateTime": "2016-12-31T23:56:55.9168968+03:00",
            "state": "String",
            "version": "Version value"
        }))
    );
    let response = example.response.as_ref().unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(
        (request.source.line, response.source.line),
        (66, 88),
        "the lines of HTTP/1.1 and POST"
    );
    let body = response.body.as_ref().unwrap();
    assert_eq!(body["id"], "6684c925-c925-6684-25c9-846625c98466");
    assert_eq!(
        body["lastConnectionDateTime"],
        "2016-12-31T23:56:55.9168968+03:00"
    );
}

#[test]
fn the_defect_list_is_exact() {
    let result = seed();
    let defects: Vec<(u32, DefectKind)> = result
        .defects
        .iter()
        .map(|d| (d.source.line, d.kind))
        .collect();
    assert_eq!(
        defects,
        [
            (19, DefectKind::TodoPermission),
            (21, DefectKind::TodoPermission),
            (29, DefectKind::RefSuffixInPath),
            (48, DefectKind::EnumerationAsType),
            (66, DefectKind::MalformedExampleUrl),
            (74, DefectKind::ExampleValueNotInEnum),
            (97, DefectKind::ExampleValueNotInEnum),
        ]
    );
    assert!(result.defects.iter().all(|d| d.source.file == SEED));
    assert!(
        result.defects[5]
            .message
            .contains("'String' is not a member"),
        "{}",
        result.defects[5].message
    );
    assert!(result.skipped.is_empty());
}
