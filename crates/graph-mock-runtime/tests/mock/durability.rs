//! `--data FILE`: every acknowledged write survives `kill -9`, and an unacknowledged one is
//! either wholly there or wholly absent. Runs the binary, loads it from 16 tasks, kills it
//! mid-load, restarts it and checks, 20 times.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{self, CONNECTORS};

/// Starts the mock binary on a free port with `--data`, returning it and its base URL.
fn start(data: &std::path::Path) -> (std::process::Child, String) {
    let args = [
        "--port",
        "0",
        "--auth",
        "none",
        "--page-size",
        "1000000",
        "--data",
    ];
    let mut args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    args.push(data.as_os_str());
    common::start_binary(&args)
}

/// What the writers know: the last acknowledged and the last attempted version of each entity,
/// and the answers that were neither a success nor a lost connection (the kill).
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    acked: BTreeMap<String, i64>,
    attempted: BTreeMap<String, i64>,
    refused: Vec<String>,
}

impl Ledger {
    /// Notes `id`'s answer: whether it is the success `expected`, else why not.
    fn answered(&mut self, id: &str, status: u16, expected: u16) -> bool {
        if status != expected {
            self.refused.push(format!("{id}: {status}"));
        }
        status == expected
    }
}

/// Creates connectors under `url` (a base path serving the seed's connectors) and updates each
/// twice, noting every attempt and acknowledgement, until `stop` or the first failed request.
pub(crate) async fn writer(url: String, task: usize, ledger: Arc<Mutex<Ledger>>, stop: Instant) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let mut n = 0;
    while Instant::now() < stop {
        let id = format!("t{task}-{n}");
        n += 1;
        ledger.lock().unwrap().attempted.insert(id.clone(), 0);
        let body = json!({"id": id, "displayName": format!("{id} v0"), "version": "0"});
        let Ok(response) = http
            .post(format!("{url}{CONNECTORS}"))
            .json(&body)
            .send()
            .await
        else {
            return;
        };
        if !(ledger.lock().unwrap()).answered(&id, response.status().as_u16(), 201) {
            return;
        }
        ledger.lock().unwrap().acked.insert(id.clone(), 0);
        for version in 1..3 {
            ledger.lock().unwrap().attempted.insert(id.clone(), version);
            let patch =
                json!({"displayName": format!("{id} v{version}"), "version": version.to_string()});
            let Ok(response) = http
                .patch(format!("{url}{CONNECTORS}/{id}"))
                .json(&patch)
                .send()
                .await
            else {
                return;
            };
            if !(ledger.lock().unwrap()).answered(&id, response.status().as_u16(), 200) {
                return;
            }
            ledger.lock().unwrap().acked.insert(id.clone(), version);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9_twenty_times() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mock.db");
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let started = Instant::now();
    for round in 0..20 {
        let (mut child, url) = start(&data);
        let stop = Instant::now() + Duration::from_secs(5);
        let tasks: Vec<_> = (0..16)
            .map(|t| {
                tokio::spawn(writer(
                    url.clone(),
                    round * 100 + t,
                    Arc::clone(&ledger),
                    stop,
                ))
            })
            .collect();
        // Kill at a different moment each round, mid-load.
        tokio::time::sleep(Duration::from_millis(150 + 37 * (round as u64 % 7))).await;
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        for task in tasks {
            let _ = task.await;
        }

        let (mut child, url) = start(&data);
        let stored = read_all(&url).await;
        let ledger = ledger.lock().unwrap();
        assert_kept(&ledger, &stored, round);
        drop(ledger);
        child.kill().unwrap();
        child.wait().unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "bounded: {:?}",
        started.elapsed()
    );
}

/// Every connector under `url` (a base path), page by page.
pub(crate) async fn read_all(url: &str) -> Vec<Value> {
    let mut stored = Vec::new();
    let mut next = format!("{url}{CONNECTORS}?$top=999");
    loop {
        let page = reqwest::get(&next)
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        stored.extend(page["value"].as_array().unwrap().iter().cloned());
        match page["@odata.nextLink"].as_str() {
            Some(link) => next = link.to_owned(),
            None => break,
        }
    }
    stored
}

/// Checks what is stored against what `round`'s writers know: every acknowledged write is
/// there, no write is there half, and nothing is there that was never written.
pub(crate) fn assert_kept(ledger: &Ledger, stored: &[Value], round: usize) {
    let mut versions = BTreeMap::new();
    for entity in stored {
        let id = entity["id"].as_str().unwrap().to_owned();
        let version: i64 = entity["version"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            entity["displayName"],
            format!("{id} v{version}"),
            "a write is wholly there: {entity}"
        );
        versions.insert(id, version);
    }
    assert!(
        ledger.refused.is_empty(),
        "round {round}: writes refused while the mock was up: {:?}",
        ledger.refused
    );
    // This round's writers are tasks round * 100 + t: each round must have been loaded.
    let this_round = (ledger.acked.keys())
        .filter(|id| {
            let task: usize = id[1..].split('-').next().unwrap().parse().unwrap();
            task / 100 == round
        })
        .count();
    assert!(
        this_round > 0,
        "round {round}: no write was acknowledged before the kill"
    );
    for (id, acked) in &ledger.acked {
        let found = versions
            .get(id)
            .unwrap_or_else(|| panic!("round {round}: acknowledged create of {id} is lost"));
        assert!(
            found >= acked,
            "round {round}: {id} is at v{found}, but v{acked} was acknowledged"
        );
        assert!(
            found <= &ledger.attempted[id],
            "round {round}: {id} is at v{found}, never written"
        );
    }
    for id in versions.keys() {
        assert!(
            ledger.attempted.contains_key(id),
            "round {round}: {id} was never written"
        );
    }
}
