//! Properties the docs say are "Returned only on `$select`" (as Graph does for many `user` and
//! `group` properties): the generated mock leaves them out of a read unless `$select` names
//! them, and the generated client reads them when it asks. On the `navigation` fixture, whose
//! `reader.nickname` is marked so.

use crate::navigation::start;
use snapshot_navigation_client::model::Reader;

#[tokio::test]
async fn a_select_only_property_is_read_only_when_selected() {
    let (server, client) = start().await;
    let created = client
        .readers()
        .create(&Reader {
            display_name: Some("Ada".into()),
            nickname: Some("Countess".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    // A write's answer echoes what was written.
    assert_eq!(created.nickname.as_deref(), Some("Countess"));
    let id = created.id.unwrap();
    let reader = client.readers().by_id(&id);

    let read = reader.get().await.unwrap();
    assert_eq!(
        (read.display_name.as_deref(), read.nickname.as_deref()),
        (Some("Ada"), None)
    );
    let selected = reader.get().select(&["nickname"]).send().await.unwrap();
    assert_eq!(
        (
            selected.display_name.as_deref(),
            selected.nickname.as_deref()
        ),
        (None, Some("Countess"))
    );
    let listed = client.readers().list().send().await.unwrap().value;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].nickname, None);
    let listed = (client
        .readers()
        .list()
        .select(&["id", "nickname"])
        .send()
        .await)
        .unwrap()
        .value;
    assert_eq!(listed[0].nickname.as_deref(), Some("Countess"));

    // On the wire: the property is absent, not null.
    let url = format!("{}/readers/{id}", server.base_url());
    let body: serde_json::Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    assert!(body.get("nickname").is_none(), "{body}");
    assert_eq!(body["displayName"], "Ada");
}
