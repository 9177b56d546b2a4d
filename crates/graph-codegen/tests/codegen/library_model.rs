//! The `library` fixture's generated model, exercised: inheritance, polymorphism by
//! `@odata.type`, sub-namespaces, keywords, clashing names, flags enums, recursion and
//! undocumented types.

use serde_json::{Value, json};
use snapshot_library_model::*;

#[test]
fn derived_types_carry_their_base_properties() {
    let ebook = Ebook {
        id: Some("1".into()),
        size_in_bytes: Some(10),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&ebook).unwrap(),
        json!({"id": "1", "sizeInBytes": 10})
    );
}

#[test]
fn polymorphic_fields_decode_by_odata_type() {
    let book: Book = serde_json::from_value(json!({
        "targets": [
            {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": "g", "filterId": "f"},
            {"@odata.type": "microsoft.graph.allDevicesAssignmentTarget"},
            {"filterId": "no discriminator"},
            {"@odata.type": "#microsoft.graph.futureTarget", "futureProperty": 1}
        ]
    }))
    .unwrap();
    let targets = book.targets.unwrap();
    assert!(
        matches!(&targets[0], AnyAssignmentTarget::GroupAssignmentTarget(t) if t.group_id.as_deref() == Some("g") && t.filter_id.as_deref() == Some("f"))
    );
    assert_eq!(targets[1].type_name(), "allDevicesAssignmentTarget");
    assert!(
        matches!(&targets[2], AnyAssignmentTarget::AssignmentTarget(t) if t.filter_id.as_deref() == Some("no discriminator"))
    );
    let AnyAssignmentTarget::AssignmentTarget(unknown) = &targets[3] else {
        panic!("{:?}", targets[3])
    };
    assert_eq!(unknown.additional_data["futureProperty"], json!(1));
    assert_eq!(
        unknown.odata_type.as_deref(),
        Some("#microsoft.graph.futureTarget")
    );
}

#[test]
fn polymorphic_entities_round_trip() {
    let body = json!({"@odata.type": "#microsoft.graph.ebook", "id": "1", "sizeInBytes": 5, "type": "novel"});
    let any: AnyBook = serde_json::from_value(body.clone()).unwrap();
    assert!(matches!(any, AnyBook::Ebook(_)));
    assert_eq!(serde_json::to_value(&any).unwrap(), body);
}

#[test]
fn sub_namespace_types_keep_their_namespace_on_the_wire() {
    let body = json!({
        "@odata.type": "#microsoft.graph.archive.rareBook",
        "id": "1",
        "provenance": "Alexandria",
        "shelfMark": {"code": "A-1"}
    });
    let any: AnyBook = serde_json::from_value(body.clone()).unwrap();
    let AnyBook::ArchiveRareBook(rare) = &any else {
        panic!("{any:?}")
    };
    assert_eq!(rare.provenance.as_deref(), Some("Alexandria"));
    assert_eq!(
        rare.shelf_mark.as_ref().and_then(|m| m.code.as_deref()),
        Some("A-1")
    );
    assert_eq!(any.type_name(), "archive.rareBook");
    assert_eq!(
        <ArchiveRareBook as GraphType>::ODATA_TYPE,
        "#microsoft.graph.archive.rareBook"
    );
    assert_eq!(serde_json::to_value(&any).unwrap(), body);
}

#[test]
fn keywords_and_clashing_names_keep_their_json_names() {
    let book = Book {
        r#type: Some("t".into()),
        r#ref: Some(1),
        self_: Some(true),
        additional_data2: Some("declared".into()),
        option: Some(Option2 {
            value: Some("v".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let body = serde_json::to_value(&book).unwrap();
    assert_eq!(
        body,
        json!({"type": "t", "ref": 1, "self": true, "additionalData": "declared", "option": {"value": "v"}})
    );
    assert_eq!(serde_json::from_value::<Book>(body).unwrap(), book);
}

#[test]
fn enums_flags_and_member_clashes() {
    let book: Book =
        serde_json::from_value(json!({"state": "unrecognized", "formats": "paper,digital"}))
            .unwrap();
    assert_eq!(book.state, Some(BookState::Unrecognized));
    assert_eq!(
        book.formats.as_ref().unwrap().0,
        [BookFormat::Paper, BookFormat::Digital]
    );
    let other: BookState = serde_json::from_value(json!("brandNew")).unwrap();
    assert_eq!(other, BookState::Unrecognized2("brandNew".into()));
    assert_eq!(
        serde_json::to_value(BookState::V2ndHand).unwrap(),
        json!("2ndHand")
    );
}

#[test]
fn recursive_and_undocumented_types() {
    let body =
        json!({"series": {"name": "b", "previous": {"name": "a"}}, "cover": {"anything": [1, 2]}});
    let book: Book = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(
        book.series
            .as_ref()
            .unwrap()
            .previous
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("a")
    );
    let cover: &MimeContent = book.cover.as_ref().unwrap();
    assert_eq!(cover, &json!({"anything": [1, 2]}) as &Value);
    assert_eq!(serde_json::to_value(&book).unwrap(), body);
}

#[test]
fn update_structs_exist_for_updated_types() {
    let update = BookUpdate {
        r#type: snapshot_library_model::Patch::Null,
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"type": null})
    );
}

#[test]
fn recursion_through_derived_types_is_boxed() {
    let body = json!({"rule": {
        "@odata.type": "#microsoft.graph.binaryExpression",
        "left": {"@odata.type": "#microsoft.graph.constantExpression", "value": "a"},
        "right": {"@odata.type": "#microsoft.graph.binaryExpression", "left": {"@odata.type": "#microsoft.graph.constantExpression", "value": "b"}}
    }});
    let book: Book = serde_json::from_value(body.clone()).unwrap();
    let Some(AnyExpression::BinaryExpression(rule)) = &book.rule else {
        panic!("{:?}", book.rule)
    };
    let Some(left) = &rule.left else { panic!() };
    assert!(
        matches!(left.as_ref(), AnyExpression::ConstantExpression(c) if c.value.as_deref() == Some("a"))
    );
    assert_eq!(serde_json::to_value(&book).unwrap(), body);
}
