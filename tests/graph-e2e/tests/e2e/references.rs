//! The generated client's `$ref` methods against the generated mock, on the `navigation`
//! fixture: its `/library/shelves/{id}/readers` is documented with `POST .../readers/$ref` (a
//! link to an existing reader) and `DELETE .../readers/{id}/$ref` (removing the link).

use crate::navigation::{post_json, shelf, start};
use snapshot_navigation_client::model::{AnyShelf, Reader};
use snapshot_navigation_client::{Error, StatusCode};

#[tokio::test]
async fn a_reader_is_linked_to_a_shelf_and_unlinked() {
    let (server, client) = start().await;
    let shelf = shelf("s1", "Shelf 1");
    client.library().shelves().create(&shelf).await.unwrap();
    let reader = Reader {
        display_name: Some("Ada".into()),
        ..Default::default()
    };
    let reader = client.readers().create(&reader).await.unwrap();
    let reader_id = reader.id.unwrap();

    let readers = client.library().shelves().by_id("s1").readers();
    let link = format!("{}/readers/{reader_id}", server.base_url());
    readers.add_ref(&link).await.unwrap();
    let listed = readers.list().send().await.unwrap().value;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].display_name.as_deref(), Some("Ada"));

    // Linking it again is Graph's 400.
    let again = readers.add_ref(&link).await.unwrap_err();
    assert!(matches!(again, Error::Graph(_)), "{again:?}");
    assert_eq!(again.status(), Some(StatusCode::BAD_REQUEST));

    readers.by_id(&reader_id).delete_ref().await.unwrap();
    assert!(readers.list().send().await.unwrap().value.is_empty());
    // The reader is still there.
    let still = client.readers().by_id(&reader_id).get().await.unwrap();
    assert_eq!(still.display_name.as_deref(), Some("Ada"));
}

#[tokio::test]
async fn the_featured_shelf_is_set_by_reference() {
    let (server, client) = start().await;
    let shelf = shelf("s2", "Shelf 2");
    client.library().shelves().create(&shelf).await.unwrap();
    let favorite = client.library().featured_shelf();
    // A link property that holds nothing is Graph's 404, not an empty entity.
    let unset = favorite.get().await.unwrap_err();
    assert_eq!(unset.status(), Some(StatusCode::NOT_FOUND), "{unset}");
    let link = format!("{}/library/shelves/s2", server.base_url());
    favorite.set_ref(&link).await.unwrap();
    match favorite.get().await.unwrap() {
        AnyShelf::Shelf(shelf) => assert_eq!(shelf.label.as_deref(), Some("Shelf 2")),
        other => panic!("expected the shelf, got {other:?}"),
    }
}

/// A path whose write only a `$ref` page documents takes no plain write: `POST .../readers`
/// without `/$ref` is Graph's 405, and `Allow` names what the path does take.
#[tokio::test]
async fn a_write_without_ref_is_not_allowed() {
    let (server, client) = start().await;
    client
        .library()
        .shelves()
        .create(&shelf("s3", "Shelf 3"))
        .await
        .unwrap();
    let url = format!("{}/library/shelves/s3/readers", server.base_url());
    let answer = post_json(&url, r#"{"displayName":"Ada"}"#).await;
    assert_eq!(answer.status().as_u16(), 405);
    assert_eq!(answer.headers()["allow"], "GET,HEAD");
    let error: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(error["error"]["code"], "MethodNotAllowed");
    // Whatever query options it carries.
    let with_options = post_json(&format!("{url}?$top=1"), "{}").await;
    assert_eq!(with_options.status().as_u16(), 405);
    let readers = client.library().shelves().by_id("s3").readers();
    assert!(readers.list().send().await.unwrap().value.is_empty());
}
