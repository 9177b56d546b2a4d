//! The generated client's delta requests against the generated mock, on the `navigation`
//! fixture (its `/library/shelves` has a documented `delta` function): a full round, a change
//! round resumed from a saved link, and an expired link as a typed error.

use crate::navigation::{shelf, start};
use snapshot_navigation_client::model::AnyShelf;
use snapshot_navigation_client::{DeltaItem, DeltaRound, StatusCode};

fn label(item: &DeltaItem<AnyShelf>) -> Option<(&str, &str)> {
    match item {
        DeltaItem::Changed(AnyShelf::Shelf(s)) => Some((s.id.as_deref()?, s.label.as_deref()?)),
        _ => None,
    }
}

#[tokio::test]
async fn a_round_then_the_changes_since_from_a_saved_link() {
    let (server, client) = start().await;
    let shelves = client.library().shelves();
    for n in 0..5 {
        shelves
            .create(&shelf(&format!("s{n}"), &format!("Shelf {n}")))
            .await
            .unwrap();
    }

    let first_page = shelves.delta().max_page_size(2).await.unwrap();
    assert_eq!(first_page.items.len(), 2);
    assert!(first_page.next_link.is_some() && first_page.delta_link.is_none());

    let DeltaRound { items, delta_link } = shelves
        .delta()
        .select(&["label"])
        .max_page_size(2)
        .round()
        .await
        .unwrap();
    let mut seen: Vec<(&str, &str)> = items.iter().filter_map(label).collect();
    seen.sort();
    assert_eq!(seen.len(), 5, "{items:?}");
    assert_eq!(seen[0], ("s0", "Shelf 0"));

    shelves.create(&shelf("s5", "New")).await.unwrap();
    shelves.by_id("s1").delete().await.unwrap();

    // A later process would keep only the link.
    let changes = shelves.delta().resume(&delta_link).round().await.unwrap();
    assert_eq!(changes.items.len(), 2, "{:?}", changes.items);
    assert_eq!(label(&changes.items[0]), Some(("s5", "New")));
    assert_eq!(
        changes.items[1],
        DeltaItem::Removed {
            id: "s1".into(),
            reason: "deleted".into()
        }
    );
    let quiet = shelves
        .delta()
        .resume(&changes.delta_link)
        .round()
        .await
        .unwrap();
    assert!(quiet.items.is_empty());

    server.state().reset().await.unwrap();
    let expired = shelves.delta().resume(&changes.delta_link).round().await;
    let expired = expired.unwrap_err();
    assert_eq!(
        (expired.status(), expired.code()),
        (Some(StatusCode::GONE), Some("resyncRequired"))
    );
}
