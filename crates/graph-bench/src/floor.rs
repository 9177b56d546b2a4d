//! The floor: the least a server could do for the same routes. A minimal axum app over an
//! `RwLock<HashMap>`, with no validation, no paging and no Graph conventions, measured in the
//! same run as the mock so that their ratio means something on a noisy machine.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Map, Value};

type Entities = Arc<RwLock<HashMap<String, Value>>>;

/// The floor's routes under `/beta/deviceManagement/domainJoinConnectors`, with `entities`.
pub fn app(entities: HashMap<String, Value>) -> Router {
    let state: Entities = Arc::new(RwLock::new(entities));
    Router::new()
        .route(
            "/beta/deviceManagement/domainJoinConnectors",
            get(list).post(create),
        )
        .route(
            "/beta/deviceManagement/domainJoinConnectors/{id}",
            get(read).patch(update),
        )
        .with_state(state)
}

fn lock_read(state: &Entities) -> std::sync::RwLockReadGuard<'_, HashMap<String, Value>> {
    state.read().unwrap_or_else(|p| p.into_inner())
}

async fn list(State(state): State<Entities>) -> axum::Json<Value> {
    let page: Vec<Value> = lock_read(&state).values().take(100).cloned().collect();
    axum::Json(serde_json::json!({ "value": page }))
}

async fn create(
    State(state): State<Entities>,
    axum::Json(mut body): axum::Json<Map<String, Value>>,
) -> (StatusCode, axum::Json<Value>) {
    let id = format!("{:032x}", rand_id());
    body.insert("id".to_owned(), Value::String(id.clone()));
    let body = Value::Object(body);
    state
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, body.clone());
    (StatusCode::CREATED, axum::Json(body))
}

async fn read(
    State(state): State<Entities>,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, StatusCode> {
    lock_read(&state)
        .get(&id)
        .cloned()
        .map(axum::Json)
        .ok_or(StatusCode::NOT_FOUND)
}

async fn update(
    State(state): State<Entities>,
    Path(id): Path<String>,
    axum::Json(body): axum::Json<Map<String, Value>>,
) -> Result<axum::Json<Value>, StatusCode> {
    let mut entities = state.write().unwrap_or_else(|p| p.into_inner());
    let entity = entities
        .get_mut(&id)
        .and_then(Value::as_object_mut)
        .ok_or(StatusCode::NOT_FOUND)?;
    entity.extend(body);
    Ok(axum::Json(Value::Object(entity.clone())))
}

fn rand_id() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    u128::from(NEXT.fetch_add(1, Ordering::Relaxed))
}
