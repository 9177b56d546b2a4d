//! Criterion micro-benchmarks of the hot paths: `$filter` parse and evaluate, body validation,
//! an entity's serde round trip, and the DateTimeOffset parse.
#![allow(missing_docs)] // criterion_group! generates an undocumented function.

use criterion::{Criterion, criterion_group, criterion_main};
use graph_mock_runtime::filter::{self, PropertyKind};
use seed_model::{DateTimeOffset, DeviceManagementDomainJoinConnector};
use serde_json::json;

fn kinds(path: &[String]) -> Option<PropertyKind> {
    match path.join("/").as_str() {
        "displayName" | "version" => Some(PropertyKind::String),
        "state" => Some(PropertyKind::Enum),
        "lastConnectionDateTime" => Some(PropertyKind::DateTime),
        _ => None,
    }
}

fn hot_paths(c: &mut Criterion) {
    let text = "state eq 'active' and (startswith(displayName, 'Conn') or lastConnectionDateTime gt 2016-01-01T00:00:00Z)";
    c.bench_function("filter parse", |b| {
        b.iter(|| filter::parse(std::hint::black_box(text), &kinds).unwrap())
    });
    let expr = filter::parse(text, &kinds).unwrap();
    let entity = json!({"displayName": "Connector 1", "state": "active", "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00"});
    let entity = entity.as_object().unwrap().clone();
    c.bench_function("filter evaluate", |b| {
        b.iter(|| filter::matches(&expr, std::hint::black_box(&entity)))
    });

    let body = json!({"@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector", "displayName": "A", "state": "active",
        "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00", "version": "1.0"});
    c.bench_function("body validation", |b| {
        b.iter(|| {
            seed_model::schema().check_write(
                "deviceManagementDomainJoinConnector",
                std::hint::black_box(&body),
            )
        })
    });

    let text = body.to_string();
    c.bench_function("entity serde round trip", |b| {
        b.iter(|| {
            let typed: DeviceManagementDomainJoinConnector =
                serde_json::from_str(std::hint::black_box(&text)).unwrap();
            serde_json::to_string(&typed).unwrap()
        })
    });
    c.bench_function("DateTimeOffset parse", |b| {
        b.iter(|| {
            DateTimeOffset::parse(std::hint::black_box("2016-12-31T23:58:36.6670033-08:00"))
                .unwrap()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = hot_paths
}
criterion_main!(benches);
