//! One request through the whole router, in process (no sockets, no client): the mock against
//! the floor, so that the cost the mock adds per request is measured without the network and the
//! load generator that dominate `cargo xtask bench` on a small machine.
#![allow(missing_docs)] // criterion_group! generates an undocumented function.

use std::convert::Infallible;

use axum::body::Body;
use axum::http::{Method, Request, header};
use axum::response::Response;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use graph_bench::{COLLECTION, CREATE_BODY, floor, id_of};
use tower::ServiceExt;
use tower::util::BoxCloneService;

const ENTITIES: usize = 1000;

/// A server, whichever its type.
type Server = BoxCloneService<Request<Body>, Response, Infallible>;

fn mock() -> Server {
    let ids: Vec<String> = (0..ENTITIES).map(id_of).collect();
    BoxCloneService::new(seed_mock::app(graph_bench::mock_state(&ids)))
}

fn floor() -> Server {
    BoxCloneService::new(floor::app(graph_bench::floor_entities(ENTITIES)))
}

fn request(method: Method, uri: String, body: &'static str) -> Request<Body> {
    let builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "127.0.0.1:8080");
    if body.is_empty() {
        builder.body(Body::empty())
    } else {
        builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
    }
    .expect("a valid request")
}

fn requests(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let servers = [("mock", mock()), ("floor", floor())];
    let mut group = c.benchmark_group("request in process");
    for (name, router) in &servers {
        let mut n = 0;
        group.bench_function(BenchmarkId::new("GET by id", name), |b| {
            b.iter(|| {
                n = (n + 1) % ENTITIES;
                let uri = format!("/beta{COLLECTION}/{}", id_of(n));
                let response = runtime
                    .block_on(router.clone().oneshot(request(Method::GET, uri, "")))
                    .expect("infallible");
                assert!(response.status().is_success());
            })
        });
        group.bench_function(BenchmarkId::new("POST create", name), |b| {
            b.iter(|| {
                let uri = format!("/beta{COLLECTION}");
                let response = runtime
                    .block_on(
                        router
                            .clone()
                            .oneshot(request(Method::POST, uri, CREATE_BODY)),
                    )
                    .expect("infallible");
                assert!(response.status().is_success());
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = requests
}
criterion_main!(benches);
