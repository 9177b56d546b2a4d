//! 10,000 creates from 64 concurrent tasks, with updates and deletes on other ids at the same
//! time; the end state must be exact.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::common::{CONNECTORS, Harness};
use graph_mock_runtime::Config;
use serde_json::{Value, json};

const TASKS: usize = 64;
const CREATES: usize = 10_000;
const TARGETS: usize = 128;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_concurrent_creates_with_updates_and_deletes_end_exact() {
    let h = Arc::new(
        Harness::with(Config {
            page_size: 100_000,
            ..Config::default()
        })
        .await,
    );
    let mut update_targets = Vec::new();
    let mut delete_targets = Vec::new();
    for i in 0..TARGETS {
        update_targets.push(
            h.create(json!({"id": format!("u{i}"), "version": "0"}))
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        delete_targets.push(
            h.create(json!({"id": format!("d{i}")})).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let update_targets = Arc::new(update_targets);
    let delete_targets = Arc::new(delete_targets);

    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (h, updates, deletes) = (
                Arc::clone(&h),
                Arc::clone(&update_targets),
                Arc::clone(&delete_targets),
            );
            tokio::spawn(async move {
                let mut created = Vec::new();
                let mut last_versions = Vec::new();
                let share = CREATES / TASKS + usize::from(task < CREATES % TASKS);
                for n in 0..share {
                    let response = h
                        .http
                        .post(h.url(CONNECTORS))
                        .bearer_auth("t")
                        .json(&json!({"displayName": format!("t{task}-{n}")}))
                        .send()
                        .await
                        .unwrap();
                    if response.status().as_u16() == 201 {
                        let body: Value = response.json().await.unwrap();
                        created.push(body["id"].as_str().unwrap().to_owned());
                    }
                    // Each task owns two update targets and one delete target; they interleave
                    // with everyone's creates.
                    if n % 10 == 0 {
                        let target = &updates[(task * 2 + n / 10 % 2) % updates.len()];
                        let version = (n / 10).to_string();
                        let url = h.url(&format!("{CONNECTORS}/{target}"));
                        let response = h
                            .http
                            .patch(url)
                            .bearer_auth("t")
                            .json(&json!({"version": version}))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(response.status().as_u16(), 200);
                        last_versions.push((target.clone(), version));
                    }
                    if n == share / 2 {
                        for target in deletes.iter().skip(task).step_by(TASKS) {
                            let url = h.url(&format!("{CONNECTORS}/{target}"));
                            assert_eq!(
                                h.http
                                    .delete(url)
                                    .bearer_auth("t")
                                    .send()
                                    .await
                                    .unwrap()
                                    .status()
                                    .as_u16(),
                                204
                            );
                        }
                    }
                }
                (created, last_versions)
            })
        })
        .collect();

    let mut created = Vec::new();
    let mut final_versions = std::collections::BTreeMap::new();
    for task in tasks {
        let (ids, versions) = task.await.unwrap();
        created.extend(ids);
        // Targets are owned by one task each, so its last write is the final one.
        for (target, version) in versions {
            final_versions.insert(target, version);
        }
    }
    assert_eq!(created.len(), CREATES, "every create got its 201");
    let unique: BTreeSet<&String> = created.iter().collect();
    assert_eq!(unique.len(), CREATES, "ids are unique");

    let listed: Value = h
        .http
        .get(h.url(&format!("{CONNECTORS}?$count=true")))
        .bearer_auth("t")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["@odata.count"],
        CREATES + TARGETS,
        "the creates and the update targets; the delete targets are gone"
    );
    let listed_ids: BTreeSet<&str> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    for id in &created {
        assert!(listed_ids.contains(id.as_str()), "created {id} is listed");
    }
    for target in delete_targets.iter() {
        assert!(
            !listed_ids.contains(target.as_str()),
            "deleted {target} is gone"
        );
    }
    for (target, version) in &final_versions {
        let entity: Value = h
            .http
            .get(h.url(&format!("{CONNECTORS}/{target}")))
            .bearer_auth("t")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            &entity["version"], version,
            "no update on {target} was lost"
        );
    }
}
