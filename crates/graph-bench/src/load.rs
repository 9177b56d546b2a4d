//! An in-process HTTP load generator: N concurrent connections for a fixed time, recording the
//! latency of every request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;

/// One kind of request to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// GET one entity by id.
    Get,
    /// POST a new entity.
    Create,
    /// PATCH one entity.
    Update,
    /// GET a page of 100.
    List,
}

impl Request {
    /// Every kind, in table order.
    pub const ALL: [Request; 4] = [
        Request::Get,
        Request::Create,
        Request::Update,
        Request::List,
    ];

    /// The table label.
    pub fn label(self) -> &'static str {
        match self {
            Request::Get => "GET by id",
            Request::Create => "POST create",
            Request::Update => "PATCH",
            Request::List => "list $top=100",
        }
    }
}

/// What one or more load runs measured.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Requests per second.
    pub rps: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Responses that were not 2xx.
    pub errors: usize,
}

/// The raw record of one load run.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Every request's latency.
    pub latencies: Vec<Duration>,
    /// The run's wall time.
    pub elapsed: Duration,
    /// Responses that were not 2xx.
    pub errors: usize,
}

impl Run {
    /// Requests per second of this run.
    pub fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl Stats {
    /// The runs taken together: all their requests over all their time.
    pub fn of(runs: &[Run]) -> Stats {
        let mut latencies: Vec<Duration> = runs
            .iter()
            .flat_map(|r| r.latencies.iter().copied())
            .collect();
        latencies.sort();
        let at = |q: f64| {
            latencies
                .get(((latencies.len() as f64 - 1.0) * q) as usize)
                .copied()
                .unwrap_or_default()
        };
        let elapsed: Duration = runs.iter().map(|r| r.elapsed).sum();
        Stats {
            rps: latencies.len() as f64 / elapsed.as_secs_f64().max(1e-9),
            p50: at(0.5),
            p99: at(0.99),
            errors: runs.iter().map(|r| r.errors).sum(),
        }
    }
}

/// The collection URL and the ids that exist in it.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://127.0.0.1:port/beta/deviceManagement/domainJoinConnectors`.
    pub collection: String,
    /// Ids to GET and PATCH.
    pub ids: Arc<Vec<String>>,
}

/// Sends `kind` requests from `connections` concurrent connections for `duration`.
pub async fn run(target: &Target, kind: Request, connections: usize, duration: Duration) -> Run {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("a client");
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|worker| {
            let (http, target) = (http.clone(), target.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut n = worker;
                while Instant::now() < deadline {
                    let id = &target.ids[n % target.ids.len()];
                    n += connections;
                    let request = match kind {
                        Request::Get => {
                            http.request(Method::GET, format!("{}/{id}", target.collection))
                        }
                        Request::Create => http
                            .post(&target.collection)
                            .header("content-type", "application/json")
                            .body(crate::CREATE_BODY),
                        Request::Update => http
                            .patch(format!("{}/{id}", target.collection))
                            .header("content-type", "application/json")
                            .body(crate::UPDATE_BODY),
                        Request::List => http.get(format!("{}?$top=100", target.collection)),
                    };
                    let sent = Instant::now();
                    match request.send().await {
                        Ok(response) => {
                            let ok = response.status().is_success();
                            let _ = response.bytes().await;
                            if !ok {
                                errors += 1;
                            }
                        }
                        Err(_) => errors += 1,
                    }
                    latencies.push(sent.elapsed());
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        if let Ok((l, e)) = worker.await {
            latencies.extend(l);
            errors += e;
        }
    }
    Run {
        latencies,
        elapsed: started.elapsed(),
        errors,
    }
}
