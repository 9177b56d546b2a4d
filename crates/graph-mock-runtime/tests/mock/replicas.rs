//! `--data postgres://...`: mock processes that share one database are replicas of one service.
//! A write one acknowledged is read by the others at once (and a paging or delta link one gave
//! is followed at another, and after a restart), updates racing through two replicas
//! lose nothing, a replica killed under load loses no acknowledged write, and a database that
//! does not work is refused at start.
//!
//! All but the first need a PostgreSQL server: they are ignored unless asked for, and `.ci/run`
//! starts one (`.ci/postgres.sh`, which sets `GRAPH_MOCK_TEST_POSTGRES`) and runs them with
//! `--include-ignored`. They run the `graph-mock` binary (whose default features have the
//! store) on the beta, where the seed's connectors are served.

use std::ffi::OsStr;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{self, CONNECTORS, send};
use crate::durability::{Ledger, assert_kept, read_all, writer};

/// A running replica, killed when dropped (so a failing test leaves none behind).
struct Replica(Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A replica: `graph-mock --api beta` on the database at `database`, and its base URL.
fn replica(database: &str) -> (Replica, String) {
    let args = [
        "--port", "0", "--auth", "none", "--api", "beta", "--data", database,
    ];
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let (child, url) = common::start(&common::graph_binary(), &args);
    (Replica(child), url)
}

/// Kills a replica (`kill -9`).
fn stop(replica: Replica) {
    drop(replica);
}

#[test]
fn a_database_that_cannot_be_reached_is_refused_at_start_with_exit_2() {
    let output = Command::new(common::graph_binary())
        .args(["--port", "0", "--api", "beta", "--data"])
        .arg("postgres://mock:secret@127.0.0.1:1/nowhere")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("cannot connect to postgres://mock@127.0.0.1:1/nowhere"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret"),
        "the password is not shown: {stderr}"
    );
}

#[test]
fn a_malformed_database_url_is_refused_at_start_with_exit_2() {
    let output = Command::new(common::graph_binary())
        .args(["--port", "0", "--api", "beta", "--data"])
        .arg("postgres://mock@127.0.0.1:port/db")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a PostgreSQL URL"), "{stderr}");
}

/// `url` with its password replaced by `password`.
fn with_password(url: &str, password: &str) -> String {
    let (credentials, place) = url.rsplit_once('@').expect("the test URL has a user");
    let (user, _) = (credentials.rsplit_once(':'))
        .filter(|(user, _)| user.contains("//"))
        .expect("the test URL has a password");
    format!("{user}:{password}@{place}")
}

/// `url` naming the database `name` on the same server.
fn with_database(url: &str, name: &str) -> String {
    let (server, _) = url.rsplit_once('/').expect("the test URL names a database");
    format!("{server}/{name}")
}

#[test]
#[ignore = "needs a PostgreSQL server (GRAPH_MOCK_TEST_POSTGRES); .ci/run starts one"]
fn a_wrong_password_is_refused_at_start_with_exit_2() {
    let database = with_password(&common::fresh_postgres_schema(), "not-the-password");
    let output = Command::new(common::graph_binary())
        .args(["--port", "0", "--api", "beta", "--data", &database])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("password authentication failed"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-the-password"), "{stderr}");
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server (GRAPH_MOCK_TEST_POSTGRES); .ci/run starts one"]
async fn a_database_that_goes_away_is_a_503_with_retry_after_until_it_returns() {
    let server = std::env::var("GRAPH_MOCK_TEST_POSTGRES").expect("GRAPH_MOCK_TEST_POSTGRES");
    let name = format!("gone_{}", uuid::Uuid::new_v4().simple());
    common::postgres_execute(&server, &format!("CREATE DATABASE {name}"));
    let (mock, at) = replica(&with_database(&server, &name));
    let (status, created) = send(
        reqwest::Method::POST,
        format!("{at}{CONNECTORS}"),
        Some(json!({"displayName": "Kept", "version": "1"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let entity = format!("{at}{CONNECTORS}/{}", created["id"].as_str().unwrap());
    // The database goes away: no new connection is allowed, and the mock's are cut.
    common::postgres_execute(
        &server,
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
    );
    common::postgres_execute(
        &server,
        &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"),
    );
    let http = reqwest::Client::new();
    for round in 0..6 {
        let request = match round % 2 {
            0 => http.get(&entity),
            _ => http
                .post(format!("{at}{CONNECTORS}"))
                .json(&json!({"displayName": "Not kept"})),
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 503, "round {round}");
        let retry_after = response.headers().get("retry-after").cloned();
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "ServiceUnavailable", "{body}");
        assert_eq!(
            retry_after.as_ref().and_then(|v| v.to_str().ok()),
            Some("1")
        );
    }
    // It returns: the mock reconnects, without a restart, and the state is as it was.
    common::postgres_execute(
        &server,
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"),
    );
    // Each of the mock's connections that was cut fails once more (a 503) before it is made
    // again: a client that retries, as Graph's SDKs do on a 503, gets through within a few.
    let mut answers = Vec::new();
    let read = loop {
        let (status, read) = send(reqwest::Method::GET, entity.clone(), None).await;
        answers.push(status);
        if status != 503 || answers.len() == 10 {
            break read;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        (answers.last(), &read["displayName"]),
        (Some(&200), &json!("Kept")),
        "answers after the database returned: {answers:?}; {read}"
    );
    let (_, list) = send(
        reqwest::Method::GET,
        format!("{at}{CONNECTORS}?$count=true"),
        None,
    )
    .await;
    assert_eq!(list["@odata.count"], 1, "no refused write was kept: {list}");
    stop(mock);
}

#[test]
#[ignore = "needs a PostgreSQL server (GRAPH_MOCK_TEST_POSTGRES); .ci/run starts one"]
fn a_schema_newer_than_the_mock_is_refused_at_start_with_exit_2() {
    let database = common::fresh_postgres_schema();
    // A first start creates the schema; a later mock then finds it at a version it does not know.
    let (first, _) = replica(&database);
    stop(first);
    common::postgres_execute(
        &database,
        "INSERT INTO graph_mock_schema (version) VALUES (999)",
    );
    let output = Command::new(common::graph_binary())
        .args(["--port", "0", "--api", "beta", "--data", &database])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("schema is version 999, newer than this mock's"),
        "{stderr}"
    );
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server (GRAPH_MOCK_TEST_POSTGRES); .ci/run starts one"]
async fn a_write_acknowledged_by_one_replica_is_read_by_the_other_at_once() {
    let database = common::fresh_postgres_schema();
    let (a, at_a) = replica(&database);
    let (b, at_b) = replica(&database);
    for n in 0..30 {
        let (status, created) = send(
            reqwest::Method::POST,
            format!("{at_a}{CONNECTORS}"),
            Some(json!({"displayName": format!("connector {n}"), "version": "0"})),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().unwrap();
        let (status, read) = send(
            reqwest::Method::GET,
            format!("{at_b}{CONNECTORS}/{id}"),
            None,
        )
        .await;
        assert_eq!(
            (status, &read["displayName"]),
            (200, &created["displayName"])
        );
        let patch = json!({"version": format!("{n}")});
        let (status, _) = send(
            reqwest::Method::PATCH,
            format!("{at_b}{CONNECTORS}/{id}"),
            Some(patch),
        )
        .await;
        // The connector's update page documents a 200 with the entity.
        assert_eq!(status, 200);
        let (_, read) = send(
            reqwest::Method::GET,
            format!("{at_a}{CONNECTORS}/{id}"),
            None,
        )
        .await;
        assert_eq!(read["version"], format!("{n}"), "B's update is read by A");
        if n % 2 == 0 {
            let (status, _) = send(
                reqwest::Method::DELETE,
                format!("{at_a}{CONNECTORS}/{id}"),
                None,
            )
            .await;
            assert_eq!(status, 204);
            let (status, _) = send(
                reqwest::Method::GET,
                format!("{at_b}{CONNECTORS}/{id}"),
                None,
            )
            .await;
            assert_eq!(status, 404, "A's delete is seen by B");
        }
    }
    let (_, count) = send(
        reqwest::Method::GET,
        format!("{at_b}{CONNECTORS}?$count=true"),
        None,
    )
    .await;
    assert_eq!(count["@odata.count"], 15, "{count}");
    // A paging link one replica gave is followed at the other (they sign with the database's key).
    let (_, first_page) = send(
        reqwest::Method::GET,
        format!("{at_a}{CONNECTORS}?$top=10"),
        None,
    )
    .await;
    let next = first_page["@odata.nextLink"].as_str().expect("a next link");
    let (status, second_page) = send(reqwest::Method::GET, next.replace(&at_a, &at_b), None).await;
    assert_eq!(status, 200, "{second_page}");
    assert_eq!(second_page["value"].as_array().map(Vec::len), Some(5));
    stop(a);
    stop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a PostgreSQL server (GRAPH_MOCK_TEST_POSTGRES); .ci/run starts one"]
async fn updates_racing_through_two_replicas_lose_none() {
    let database = common::fresh_postgres_schema();
    let (a, at_a) = replica(&database);
    let (b, at_b) = replica(&database);
    let (status, created) = send(
        reqwest::Method::POST,
        format!("{at_a}/users"),
        Some(json!({"displayName": "Raced"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let user = format!("/users/{}", created["id"].as_str().unwrap());
    // Each writer owns one property and sets it to each round in turn, through one replica.
    let properties: [&'static str; 6] = [
        "jobTitle",
        "department",
        "city",
        "country",
        "officeLocation",
        "companyName",
    ];
    let rounds = 25;
    let writers: Vec<_> = (properties.into_iter().enumerate())
        .map(|(n, property)| {
            let url = format!("{}{user}", if n % 2 == 0 { &at_a } else { &at_b });
            tokio::spawn(async move {
                for round in 0..rounds {
                    let patch = json!({ property: format!("{round}") });
                    let (status, body) =
                        send(reqwest::Method::PATCH, url.clone(), Some(patch)).await;
                    assert_eq!(status, 204, "{property} round {round}: {body}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    for at in [&at_a, &at_b] {
        let (_, read) = send(reqwest::Method::GET, format!("{at}{user}"), None).await;
        for property in properties {
            assert_eq!(
                read[property],
                format!("{}", rounds - 1),
                "{property}'s last update is lost: {read}"
            );
        }
    }
    stop(a);
    stop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a PostgreSQL server (GRAPH_MOCK_TEST_POSTGRES); .ci/run starts one"]
async fn a_replica_killed_under_load_loses_no_acknowledged_write() {
    let database = common::fresh_postgres_schema();
    let (survivor, at_survivor) = replica(&database);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    for round in 0..3 {
        let (victim, at_victim) = replica(&database);
        let stop_at = Instant::now() + Duration::from_secs(5);
        let tasks: Vec<_> = (0..16)
            .map(|t| {
                let url = if t % 4 == 0 { &at_survivor } else { &at_victim };
                tokio::spawn(writer(
                    url.clone(),
                    round * 100 + t,
                    Arc::clone(&ledger),
                    stop_at,
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(400 + 150 * round as u64)).await;
        stop(victim);
        for task in tasks {
            let _ = task.await;
        }
        let stored = read_all(&at_survivor).await;
        assert_kept(&ledger.lock().unwrap(), &stored, round);
    }
    stop(survivor);
}

/// Follows a delta round from `url` to its end; returns its items and the `@odata.deltaLink`.
async fn delta_round(url: String) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut next = url;
    loop {
        let (status, page) = send(reqwest::Method::GET, next, None).await;
        assert_eq!(status, 200, "{page}");
        items.extend(page["value"].as_array().unwrap().iter().cloned());
        match (
            page["@odata.nextLink"].as_str(),
            page["@odata.deltaLink"].as_str(),
        ) {
            (Some(link), _) => next = link.to_owned(),
            (None, Some(link)) => return (items, link.to_owned()),
            (None, None) => panic!("a delta page without a link: {page}"),
        }
    }
}

/// The ids of a round's items, the removed ones marked.
fn ids(items: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = (items.iter())
        .map(|item| {
            let id = item["id"].as_str().unwrap();
            match item.get("@removed") {
                Some(_) => format!("{id} (removed)"),
                None => id.to_owned(),
            }
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server (GRAPH_MOCK_TEST_POSTGRES); .ci/run starts one"]
async fn a_delta_link_of_one_replica_is_followed_at_another_and_after_a_restart() {
    let database = common::fresh_postgres_schema();
    let (a, at_a) = replica(&database);
    let (b, at_b) = replica(&database);
    let create = |at: &str, name: &str| {
        send(
            reqwest::Method::POST,
            format!("{at}/users"),
            Some(json!({"displayName": name})),
        )
    };
    let (_, first) = create(&at_a, "First").await;
    let first = first["id"].as_str().unwrap().to_owned();
    let (items, link) = delta_round(format!("{at_a}/users/delta")).await;
    assert_eq!(ids(&items), std::slice::from_ref(&first));
    // Changes through B, the round's link followed at B.
    let (_, second) = create(&at_b, "Second").await;
    let second = second["id"].as_str().unwrap().to_owned();
    let (status, _) = send(
        reqwest::Method::PATCH,
        format!("{at_b}/users/{first}"),
        Some(json!({"jobTitle": "Changed"})),
    )
    .await;
    assert_eq!(status, 204);
    let (items, link) = delta_round(link.replace(&at_a, &at_b)).await;
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort();
    assert_eq!(ids(&items), expected, "both changes, once each: {items:?}");
    // Both replicas stop; a new one answers the last link with what changed since.
    stop(a);
    stop(b);
    let (c, at_c) = replica(&database);
    let (status, _) = send(
        reqwest::Method::DELETE,
        format!("{at_c}/users/{second}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (items, _) = delta_round(link.replace(&at_b, &at_c)).await;
    assert_eq!(ids(&items), [format!("{second} (removed)")]);
    stop(c);
}
