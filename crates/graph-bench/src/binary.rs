//! The real `graph-mock` binary, started as its own process: what the throughput cells measure
//! (in its default configuration: all of Graph, v1.0 and beta, access log on), whose start the
//! start section times, and whose memory holding connectors the memory section reads from
//! `/proc` (serving this repository's spec alone, so that it counts the store). `cargo xtask
//! bench` builds the binary beside this one.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use graph_bench::{COLLECTION, connector};

use crate::report::{Row, checked, error};
use crate::sections::memory_of;

/// Concurrent connections that fill the store.
const CONNECTIONS: usize = 64;

/// How the binary logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logging {
    /// As users run it: one access log line per request.
    Default,
    /// The access log off (`RUST_LOG=info,graph_mock::request=off`).
    Quiet,
}

/// What the binary serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serving {
    /// All of Graph, v1.0 and beta over one store: its default.
    AllOfGraph,
    /// This repository's spec alone (`--spec spec`), the connectors' family.
    Seed,
}

/// A running `graph-mock` binary; killed on drop.
pub struct Binary {
    child: Child,
    /// Its base URL, `http://127.0.0.1:port/beta` (the connectors are beta's).
    pub url: String,
    /// When it was started.
    pub started: Instant,
}

impl Binary {
    /// Its process id.
    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `graph-mock` binary in the same target directory as this one.
fn binary() -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("graph-mock");
    path.exists().then_some(path)
}

/// Starts the binary on a free port and waits until it accepts connections. Its output goes
/// to `/dev/null`: the bench measures what producing the log costs the mock, not the disk
/// writeback of a log file growing by gigabytes over a run (which depends on the user's disk).
pub fn start(logging: Logging, serving: Serving) -> Result<Binary, String> {
    let binary = binary().ok_or("graph-mock is not built beside the bench")?;
    // A free port: taken and let go (nothing else on this machine races for it).
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let mut command = Command::new(&binary);
    command
        .args(["--port", &port.to_string(), "--auth", "none"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if serving == Serving::Seed {
        let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec");
        command.args(["--spec", spec]);
    }
    if logging == Logging::Quiet {
        command.env("RUST_LOG", "info,graph_mock::request=off");
    }
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let mut started = Binary {
        child,
        url: format!("http://127.0.0.1:{port}/beta"),
        started,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(started);
        }
        if let Ok(Some(status)) = started.child.try_wait() {
            return Err(format!("the mock exited ({status}) before it listened"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Err("the mock did not listen within 20 s".to_owned())
}

/// The size of the binary, in bytes.
pub fn size() -> Option<u64> {
    Some(std::fs::metadata(binary()?).ok()?.len())
}

/// POSTs `count` connectors from [`CONNECTIONS`] connections: with their ids
/// ([`graph_bench::id_of`]) when `keep_ids`, else with ids the mock assigns.
pub async fn fill(collection: &str, count: usize, keep_ids: bool) -> usize {
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
                    // The connectors the in-process measurements hold.
                    let mut connector = connector(n);
                    if !keep_ids {
                        connector.remove("id");
                    }
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
    let what = format!(
        "peak resident memory of the graph-mock binary (--spec spec) holding {count} connectors"
    );
    let mock = match start(Logging::Quiet, Serving::Seed) {
        Ok(mock) => mock,
        Err(reason) => {
            rows.push(error(what, reason));
            return;
        }
    };
    let pid = mock.pid();
    let at_start = memory_of(&pid, "VmRSS:").unwrap_or(0);
    let created = fill(&format!("{}{COLLECTION}", mock.url), count, false).await;
    let peak = memory_of(&pid, "VmHWM:").unwrap_or(0);
    drop(mock);
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
