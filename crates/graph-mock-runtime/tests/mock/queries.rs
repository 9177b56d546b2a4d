//! Paging, `$filter`, `$select`, `$orderby`, `$count`, `$top` and `$skip` over HTTP.

use std::collections::BTreeSet;

use crate::common::{CONNECTORS, Harness};
use graph_mock_runtime::Config;
use reqwest::Method;
use serde_json::{Value, json};

async fn fleet() -> Harness {
    let h = Harness::start().await;
    let rows = [
        ("Alpha", "active", "2020-01-01T00:00:00Z", "1.0"),
        ("Bravo", "error", "2021-06-01T12:00:00+02:00", "2.0"),
        ("charlie", "inactive", "2019-03-03T03:03:03Z", "1.5"),
        ("Delta", "active", "2022-02-02T02:02:02Z", "3.0"),
    ];
    for (name, state, when, version) in rows {
        h.create(json!({"displayName": name, "state": state, "lastConnectionDateTime": when, "version": version})).await;
    }
    h.create(json!({"displayName": "Echo"})).await;
    h
}

async fn names(h: &Harness, query: &str) -> Vec<String> {
    let reply = h
        .send(Method::GET, &format!("{CONNECTORS}?{query}"), None)
        .await;
    assert_eq!(reply.status.as_u16(), 200, "{query}: {}", reply.body);
    reply.body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["displayName"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn paging_through_250_with_page_size_100_sees_each_once() {
    let h = Harness::with(Config {
        page_size: 100,
        ..Config::default()
    })
    .await;
    for i in 0..250 {
        h.create(json!({"displayName": format!("n{i:03}")})).await;
    }
    let first = h
        .send(
            Method::GET,
            &format!("{CONNECTORS}?$count=true&$select=displayName"),
            None,
        )
        .await;
    assert_eq!(first.body["value"].as_array().unwrap().len(), 100);
    assert_eq!(first.body["@odata.count"], 250);
    assert!(
        first.body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/$metadata#deviceManagement/domainJoinConnectors(displayName)"),
        "the context names the selection: {}",
        first.body["@odata.context"]
    );
    let next = first.body["@odata.nextLink"].as_str().unwrap();
    assert!(next.starts_with(&h.url(CONNECTORS)), "absolute: {next}");
    assert!(
        next.contains("count=true")
            && next.contains("select=displayName")
            && next.contains("skiptoken="),
        "{next}"
    );

    let items = h
        .list_all(&format!("{CONNECTORS}?$select=displayName"))
        .await;
    assert_eq!(items.len(), 250);
    let unique: BTreeSet<&str> = items
        .iter()
        .map(|i| i["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(unique.len(), 250);
    assert_eq!(items[0]["displayName"], "n000", "insertion order");
    assert_eq!(items[249]["displayName"], "n249");
    assert!(
        items
            .iter()
            .all(|i| i.get("version").is_none() && i.get("@odata.type").is_some()),
        "selected fields only"
    );

    let filtered = h
        .list_all(&format!(
            "{CONNECTORS}?$filter=startswith(displayName,'n1')&$orderby=displayName desc"
        ))
        .await;
    assert_eq!(filtered.len(), 100);
    assert_eq!(filtered[0]["displayName"], "n199");
}

#[tokio::test]
async fn each_filter_operator() {
    let h = fleet().await;
    assert_eq!(
        names(&h, "$filter=state eq 'active'").await,
        ["Alpha", "Delta"]
    );
    assert_eq!(
        names(&h, "$filter=state ne 'active'").await,
        ["Bravo", "charlie", "Echo"]
    );
    assert_eq!(
        names(&h, "$filter=lastConnectionDateTime gt 2020-01-01T00:00:00Z").await,
        ["Bravo", "Delta"]
    );
    assert_eq!(
        names(&h, "$filter=lastConnectionDateTime ge 2020-01-01T00:00:00Z").await,
        ["Alpha", "Bravo", "Delta"]
    );
    assert_eq!(
        names(
            &h,
            "$filter=lastConnectionDateTime lt 2020-01-01T01:00:00%2B01:00"
        )
        .await,
        ["charlie"]
    );
    assert_eq!(
        names(&h, "$filter=lastConnectionDateTime le 2020-01-01T00:00:00Z").await,
        ["Alpha", "charlie"]
    );
    assert_eq!(
        names(&h, "$filter=state eq 'active' and version eq '3.0'").await,
        ["Delta"]
    );
    assert_eq!(
        names(&h, "$filter=state eq 'error' or displayName eq 'Echo'").await,
        ["Bravo", "Echo"]
    );
    assert_eq!(
        names(&h, "$filter=not (state eq 'active' or state eq null)").await,
        ["Bravo", "charlie"]
    );
    assert_eq!(
        names(&h, "$filter=startswith(displayName, 'c')").await,
        ["charlie"]
    );
    assert_eq!(
        names(&h, "$filter=contains(displayName, 'LT')").await,
        ["Delta"]
    );
    assert_eq!(
        names(&h, "filter=state eq null").await,
        ["Echo"],
        "no $ prefix"
    );
}

#[tokio::test]
async fn select_orderby_top_skip_and_count() {
    let h = fleet().await;
    assert_eq!(
        names(&h, "$orderby=displayName").await,
        ["Alpha", "Bravo", "Delta", "Echo", "charlie"]
    );
    assert_eq!(
        names(&h, "$orderby=state desc,displayName").await,
        ["charlie", "Bravo", "Alpha", "Delta", "Echo"]
    );
    assert_eq!(
        names(&h, "$orderby=lastConnectionDateTime desc").await,
        ["Delta", "Bravo", "Alpha", "charlie", "Echo"]
    );
    assert_eq!(names(&h, "$top=2&$skip=1").await, ["Bravo", "charlie"]);
    let counted = h
        .send(
            Method::GET,
            &format!("{CONNECTORS}?$count=true&$top=1&$filter=state eq 'active'"),
            None,
        )
        .await;
    assert_eq!(counted.body["@odata.count"], 2, "$count counts every match");
    assert_eq!(counted.body["value"].as_array().unwrap().len(), 1);
    assert!(
        counted.body["@odata.nextLink"].is_string(),
        "$top=1 is one page of two: {}",
        counted.body
    );

    let id = h.send(Method::GET, CONNECTORS, None).await.body["value"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let selected = h
        .send(
            Method::GET,
            &format!("{CONNECTORS}/{id}?$select=displayName,state"),
            None,
        )
        .await;
    let keys: BTreeSet<&str> = selected
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["@odata.context", "@odata.type", "displayName", "state"])
    );
    assert_eq!(selected.body["state"], Value::from("active"));
    assert!(
        selected.body["@odata.context"].as_str().unwrap().ends_with(
            "/$metadata#deviceManagement/domainJoinConnectors(displayName,state)/$entity"
        ),
        "{}",
        selected.body["@odata.context"]
    );
}

/// `$filter=`, `$orderby=` and `$select=` with nothing after them are no options, as OData's
/// parser reads them: the whole list, in store order, with every property.
#[tokio::test]
async fn empty_expressions_are_no_options() {
    let h = fleet().await;
    let all = names(&h, "").await;
    assert_eq!(all.len(), 5);
    assert_eq!(names(&h, "$filter=&$orderby=&$select=").await, all);
    let reply = h
        .send(Method::GET, &format!("{CONNECTORS}?$select="), None)
        .await;
    assert_eq!(reply.body["value"][0]["state"], Value::from("active"));
}

#[tokio::test]
async fn top_sizes_each_page_and_next_links_go_on_to_the_end() {
    // Graph's paging: `GET ...?$top=50` over 250 items is five pages of 50, each pointing at the
    // next, and a `$top` past the largest page is clamped to it with paging going on.
    let h = Harness::with(Config {
        max_page_size: 20,
        ..Config::default()
    })
    .await;
    for i in 0..250 {
        h.create(json!({"displayName": format!("n{i:03}")})).await;
    }
    for (query, page) in [
        ("$top=50", 20),
        ("$top=7&$count=true", 7),
        ("$top=7&$skip=240", 7),
    ] {
        let mut url = h.url(&format!("{CONNECTORS}?{query}"));
        let mut pages = Vec::new();
        let mut seen = Vec::new();
        loop {
            let reply = h.get_url(&url).await;
            assert_eq!(reply.status.as_u16(), 200, "{query}: {}", reply.body);
            let items = reply.body["value"].as_array().unwrap();
            pages.push(items.len());
            seen.extend(
                items
                    .iter()
                    .map(|i| i["displayName"].as_str().unwrap().to_owned()),
            );
            if query.contains("$count") {
                assert_eq!(
                    reply.body["@odata.count"], 250,
                    "$count counts all, on every page"
                );
            }
            match reply.body["@odata.nextLink"].as_str() {
                Some(next) => {
                    assert!(next.contains("top=7") || next.contains("top=50"), "{next}");
                    url = next.to_owned();
                }
                None => break,
            }
        }
        let expected = if query.contains("skip=240") { 10 } else { 250 };
        assert_eq!(seen.len(), expected, "{query}");
        assert_eq!(
            seen.iter().collect::<BTreeSet<_>>().len(),
            expected,
            "{query}"
        );
        assert!(
            pages[..pages.len() - 1].iter().all(|&n| n == page),
            "{query}: {pages:?}"
        );
    }
    // A page size of 50 where the mock allows it.
    let h = Harness::start().await;
    for i in 0..120 {
        h.create(json!({"displayName": format!("m{i:03}")})).await;
    }
    let first = h.get_url(&h.url(&format!("{CONNECTORS}?$top=50"))).await;
    assert_eq!(first.body["value"].as_array().unwrap().len(), 50);
}

/// `GET <collection>/$count` answers how many items match, as a plain number (the SDKs'
/// `count` request builders call it); a path that is no collection has no count.
#[tokio::test]
async fn the_count_segment_counts_what_matches_as_plain_text() {
    let h = fleet().await;
    let count = |query: &'static str| {
        let request = h.http.get(h.url(&format!("{CONNECTORS}/$count{query}")));
        async move {
            let response = request.bearer_auth("token").send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200, "{query}");
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(kind.starts_with("text/plain"), "{kind}");
            response.text().await.unwrap()
        }
    };
    assert_eq!(count("").await, "5");
    assert_eq!(count("?$filter=state eq 'active'").await, "2");
    // `$top` pages a list; a count is of everything that matches.
    assert_eq!(count("?$top=1").await, "5");
    let id = h.create(json!({"displayName": "Foxtrot"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(count("").await, "6");
    let not_a_collection = h
        .send(Method::GET, &format!("{CONNECTORS}/{id}/$count"), None)
        .await;
    let message = not_a_collection.error(404, "ResourceNotFound");
    assert!(message.contains("'$count'"), "{message}");
    // Only a GET counts: `$count` is no entity to write.
    let post = h
        .send(
            Method::POST,
            &format!("{CONNECTORS}/$count"),
            Some(json!({})),
        )
        .await;
    assert_eq!(post.status.as_u16(), 405, "{}", post.body);
}
