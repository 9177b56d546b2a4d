//! The memory of the real `graph-mock` binary: started as its own process, filled with connectors
//! over HTTP, and its peak resident memory read from `/proc`. `cargo xtask bench` builds the
//! binary beside this one.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use graph_bench::{COLLECTION, connector};

use crate::report::{Row, checked, row};
use crate::sections::memory_of;

/// Concurrent connections that fill the store.
const CONNECTIONS: usize = 64;

/// The `graph-mock` binary in the same target directory as this one.
fn binary() -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("graph-mock");
    path.exists().then_some(path)
}

/// Starts the binary on a free port; returns it and its base URL.
fn start(binary: &PathBuf) -> Result<(Child, String), String> {
    let mut child = Command::new(binary)
        .args(["--port", "0", "--auth", "none"])
        // The address line only: a log line per request would cost the mock time.
        .env("RUST_LOG", "info,graph_mock::request=off")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(at) = line.find("listening on ") {
                    break line[at + "listening on ".len()..].trim().to_owned();
                }
            }
            _ => {
                let _ = child.kill();
                return Err("the mock exited before it listened".to_owned());
            }
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok((child, url))
}

/// POSTs `count` connectors (ids assigned by the mock) from [`CONNECTIONS`] connections.
async fn fill(collection: &str, count: usize) -> usize {
    let http = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let created = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (http, next, created) = (http.clone(), next.clone(), created.clone());
            let collection = collection.to_owned();
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= count {
                        break;
                    }
                    // The connectors the in-process measurement holds; the mock assigns the ids.
                    let mut connector = connector(n);
                    connector.remove("id");
                    let body = serde_json::to_string(&connector).unwrap_or_default();
                    let response = http
                        .post(&collection)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    if response.is_ok_and(|r| r.status().is_success()) {
                        created.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    created.load(Ordering::Relaxed)
}

/// Adds the row: the binary's peak resident memory once it holds `count` connectors.
pub async fn peak_memory(count: usize, rows: &mut Vec<Row>) {
    let what = format!("peak resident memory of the graph-mock binary holding {count} connectors");
    let Some(binary) = binary() else {
        rows.push(row(
            what,
            "skipped: graph-mock is not built beside the bench",
        ));
        return;
    };
    let (mut child, url) = match start(&binary) {
        Ok(started) => started,
        Err(reason) => {
            rows.push(row(what, format!("skipped: {reason}")));
            return;
        }
    };
    let pid = child.id().to_string();
    let at_start = memory_of(&pid, "VmRSS:").unwrap_or(0);
    let created = fill(&format!("{url}{COLLECTION}"), count).await;
    let peak = memory_of(&pid, "VmHWM:").unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    rows.push(checked(
        what,
        format!(
            "{:.0} MB ({:.1} MB at start, {created} created)",
            peak as f64 / 1e6,
            at_start as f64 / 1e6
        ),
        "≤ 400 MB for 1,000,000",
        created == count && peak as f64 <= 400e6 * count as f64 / 1e6,
    ));
}
