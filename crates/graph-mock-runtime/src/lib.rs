//! The engine of the Microsoft Graph mock: everything a generated mock crate runs on.
//!
//! What the mock serves is an [`Api`], built from a spec when the mock starts: a generated mock
//! crate (`seed-mock` for this repository's spec) embeds its spec and builds one, `graph-mock`
//! embeds all of Graph, and `graph-mock --spec DIR` loads one from a file. This crate holds the behaviour behind it, for
//! any spec:
//!
//! - [`store`]: the entity stores (memory, SQLite, PostgreSQL) behind one trait; they know no
//!   HTTP;
//! - the query engine (paging, `$filter`, `$orderby`) over any store, and the query options;
//! - the handlers: create, list, get, update and delete, actions and functions, Graph-style,
//!   and delta queries over the store's change log;
//! - [`auth`]: bearer, none, or scope checks against the documented permissions;
//! - the HTTP layer: Graph error bodies, request ids and request logging;
//! - [`faults`] and [`journal`]: injected faults and the record of received requests;
//! - [`MockServer`]: the mock in-process on `127.0.0.1:0`, for tests; [`app`]: the bare service;
//!   `cli`: the binary.
//!
//! Cargo features: `cli` (the binaries' command line, with `sqlite` and `tls`; on by default),
//! `sqlite` (`--data FILE`), `tls` (HTTPS), `postgres` (`--data postgres://...`). A mock started
//! in process needs none of them, so a test build that turns the defaults off compiles neither
//! SQLite nor the command line.
//!
//! Bodies are validated with the spec's runtime schema ([`Api::schema`]), the same one the
//! generated model crate embeds, so the mock and the client agree on every type.

mod admin;
pub mod auth;
mod batch;
mod calls;
#[cfg(feature = "cli")]
pub mod cli;
mod config;
mod count;
mod delta;
mod error;
pub mod faults;
mod handlers;
pub mod journal;
mod listing;
#[cfg(feature = "cli")]
mod log_writer;
mod middleware;
mod mock_server;
pub mod operation;
mod path_case;
mod references;
mod resource;
mod schema_view;
mod search;
mod seed;
pub mod store;
pub mod tenant;
pub mod tls;
pub mod token;

// What generated code calls, and what the fuzz targets and benchmarks drive directly; not an
// API for hand-written code.
#[doc(hidden)]
pub mod filter;
#[doc(hidden)]
pub mod json;
#[doc(hidden)]
pub mod query;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::extract::{RawPathParams, Request, State};
use axum::http::Uri;
use axum::routing::{MethodFilter, MethodRouter};

pub use config::{AuthMode, Config};
use error::ApiError;
use graph_odata::WriteOnlyProperty;
pub use graph_spec::{HttpMethod, Spec};
pub use mock_server::MockServer;
pub use operation::Api;
use operation::OperationMeta;
pub use resource::SINGLETON_KEY;
#[cfg(feature = "sqlite")]
pub use store::SqliteStore;
pub use store::{DataLocation, MemoryStore, Store, StoreError};

/// What every handler shares. axum clones it for every request, so it is one `Arc`: one
/// reference count to bump, not one per part.
#[derive(Debug, Clone)]
pub struct AppState(Arc<SharedState>);

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

/// The parts of an [`AppState`].
#[derive(Debug, Clone)]
pub struct SharedState {
    /// The model of the spec this mock serves: its operations and schema.
    pub api: &'static Api,
    /// The settings.
    pub config: Arc<Config>,
    /// The entities of this state's tenant (see [`tenant`]): the default tenant's, but in the
    /// state a request is served with ([`AppState::for_tenant`]).
    pub store: Arc<dyn Store>,
    /// The tenant whose state this is.
    pub tenant: tenant::Tenant,
    /// What the paging and delta tokens given to tenants are signed with: the store's (shared
    /// by every mock of one database), else this process's.
    pub token_key: tenant::TokenKey,
    /// The store of every tenant, which each tenant's view is made of.
    shared_store: Arc<dyn Store>,
    /// What delta queries answer: the changes to the collections they track (the store
    /// records them).
    pub changes: Arc<dyn store::Changes>,
    /// The recent requests.
    pub journal: Arc<journal::Journal>,
    /// Fault injection.
    pub faults: Arc<faults::Faults>,
    /// What `POST $mock/reset` restores: the store as it was once started (fixtures loaded).
    start_state: Arc<Mutex<StartState>>,
    /// `config.normalised_base_path(api.version())`, made once rather than per request.
    base_path: Arc<str>,
    /// The API's OpenAPI document, built on its first request rather than at start.
    openapi: Arc<OnceLock<serde_json::Value>>,
    /// By type, the properties a read leaves out: those Graph returns only when `$select` names
    /// them, and those only another version served over the same store declares; made when
    /// first needed.
    hidden: Arc<OnceLock<BTreeMap<String, Vec<String>>>>,
    /// By type, the properties this version's docs call write-only, with the mask an answer
    /// shows instead (none: left out); made when first needed.
    write_only: Arc<OnceLock<WriteOnlyProperties>>,
    /// Every version served over this store, this one among them, in the order given.
    versions: Arc<[&'static Api]>,
    /// The routes' literals, to match a request's path in any case.
    spellings: Arc<path_case::PathSpellings>,
}

type StartState = BTreeMap<String, Vec<(String, serde_json::Value)>>;

/// Why [`AppState::open_versions`] cannot serve what it was given.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The store could not be opened.
    #[error("cannot open the store: {0}")]
    Store(#[from] StoreError),
    /// Two APIs of one version: each version is served once, under `/<version>`.
    #[error("two specs of version `{0}`: each version is served once")]
    SameVersion(String),
    /// No API at all.
    #[error("no API to serve")]
    NoApi,
}

/// Whether `apis` can be served side by side ([`AppState::open_versions`]): at least one, and
/// no two of one version.
pub fn servable_together(apis: &[&Api]) -> Result<(), OpenError> {
    if apis.is_empty() {
        return Err(OpenError::NoApi);
    }
    for (at, api) in apis.iter().enumerate() {
        if apis[..at]
            .iter()
            .any(|other| other.version() == api.version())
        {
            return Err(OpenError::SameVersion(api.version().to_owned()));
        }
    }
    Ok(())
}

/// A version's write-only properties, as answers withhold them.
#[derive(Debug)]
pub(crate) struct WriteOnlyProperties {
    /// By type, its write-only properties, inherited ones too.
    pub(crate) by_type: BTreeMap<String, Vec<WriteOnlyProperty>>,
    /// Every type an entity with write-only properties may be read as: those types and their
    /// bases. An operation about any other type has nothing to withhold on a write, and its
    /// answer is written without looking up the entity's type.
    pub(crate) under: BTreeSet<String>,
}

impl AppState {
    /// A fresh state for `api` with an empty in-memory store (whatever `config.data` says).
    pub fn new(api: &'static Api, config: Config) -> AppState {
        AppState::with_store(&[api], config, Arc::new(MemoryStore::default())).remove(0)
    }

    /// The state `config` asks for: SQLite at `config.data`, else memory.
    pub fn open(api: &'static Api, config: Config) -> Result<AppState, StoreError> {
        let store = store::open(config.data.as_ref())?;
        Ok(AppState::with_store(&[api], config, store).remove(0))
    }

    /// One state per API of `apis`, all over one store, as Graph serves its versions: an entity
    /// written through one is read through the others, each validating writes against its own
    /// schema and leaving out of its answers the properties only the others declare. With more
    /// than one API each is served under `/<its version>` (`config.base_path` is for one API
    /// alone), so no two may have the same version; [`app_of`] serves them on one port.
    pub fn open_versions(
        apis: &[&'static Api],
        config: Config,
    ) -> Result<Vec<AppState>, OpenError> {
        servable_together(apis)?;
        let store = store::open(config.data.as_ref())?;
        Ok(AppState::with_store(apis, config, store))
    }

    fn with_store(apis: &[&'static Api], config: Config, store: Arc<dyn Store>) -> Vec<AppState> {
        let journal = Arc::new(journal::Journal::new(config.journal_size));
        let faults = Arc::new(faults::Faults::new(
            config.faults.clone(),
            config.fault_seed,
        ));
        let token_key = store.token_key().unwrap_or_else(tenant::TokenKey::random);
        // A store that keeps its own record of changes (shared by every mock of a database)
        // answers delta queries from it; any other is tracked in this process.
        let (shared_store, changes): (Arc<dyn Store>, Arc<dyn store::Changes>) =
            match store.changes() {
                Some(changes) => (store, changes),
                None => {
                    let log = Arc::new(store::ChangeLog::default());
                    (Arc::new(store::Tracked::new(store, log.clone())), log)
                }
            };
        let store: Arc<dyn Store> = Arc::new(tenant::TenantStore::new(
            tenant::Tenant::default(),
            shared_store.clone(),
        ));
        let versions: Arc<[&'static Api]> = apis.into();
        let config = Arc::new(config);
        let start_state: Arc<Mutex<StartState>> = Arc::default();
        apis.iter()
            .map(|&api| {
                let base_path = match apis.len() {
                    1 => config.normalised_base_path(api.version()),
                    _ => ["/", api.version()].concat(),
                };
                AppState(Arc::new(SharedState {
                    api,
                    base_path: Arc::from(base_path),
                    openapi: Arc::default(),
                    hidden: Arc::default(),
                    write_only: Arc::default(),
                    versions: versions.clone(),
                    spellings: Arc::new(path_case::PathSpellings::new(api.operations())),
                    config: config.clone(),
                    store: store.clone(),
                    tenant: tenant::Tenant::default(),
                    token_key,
                    shared_store: shared_store.clone(),
                    changes: changes.clone(),
                    journal: journal.clone(),
                    faults: faults.clone(),
                    start_state: start_state.clone(),
                }))
            })
            .collect()
    }

    /// This state as `tenant` sees it: its store is the tenant's part of the shared one; the
    /// rest (the API, the journal, the change log) is shared.
    pub fn for_tenant(&self, tenant: tenant::Tenant) -> AppState {
        if tenant == self.tenant {
            return self.clone();
        }
        let store = Arc::new(tenant::TenantStore::new(
            tenant.clone(),
            self.shared_store.clone(),
        ));
        AppState(Arc::new(SharedState {
            store,
            tenant,
            ..SharedState::clone(self)
        }))
    }

    /// This state as the tenant of a request with `headers` sees it (see [`tenant::Tenant::of`]).
    pub fn for_request(&self, headers: &axum::http::HeaderMap) -> Result<AppState, ApiError> {
        Ok(self.for_tenant(tenant::Tenant::of(headers)?))
    }

    /// Loads fixtures, `{"<collection path>": [entity, ...]}`, into this state's tenant, and
    /// those under `"tenants": {"<tid>": {...}}` into the tenants named; ids already present are
    /// kept as they are. Returns how many entities were added.
    pub async fn load_fixtures(&self, fixtures: &serde_json::Value) -> Result<usize, String> {
        let collections = fixtures
            .as_object()
            .ok_or("fixtures must be a JSON object of collection paths")?;
        let mut added = 0;
        for (collection, entities) in collections {
            if collection == "tenants" {
                let tenants = (entities.as_object())
                    .ok_or("fixtures' `tenants` must be an object of tenant ids")?;
                for (tid, fixtures) in tenants {
                    let tenant = tenant::Tenant::named(tid)
                        .ok_or_else(|| format!("fixtures' tenant `{tid}` is not a tenant id"))?;
                    added += Box::pin(self.for_tenant(tenant).load_fixtures(fixtures)).await?;
                }
                continue;
            }
            let entities = entities
                .as_array()
                .ok_or_else(|| format!("fixtures for `{collection}` must be an array"))?;
            for (n, entity) in entities.iter().enumerate() {
                let object = entity
                    .as_object()
                    .ok_or_else(|| format!("fixture {n} of `{collection}` is not an object"))?;
                let id = object
                    .get("id")
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| format!("fixture {n} of `{collection}` has no string `id`"))?;
                match self.store.insert(collection, id, object.clone()).await {
                    Ok(_) => added += 1,
                    Err(StoreError::Conflict) => {}
                    Err(e) => return Err(format!("cannot store fixture `{id}`: {e}")),
                }
            }
        }
        Ok(added)
    }

    /// By type, the properties (inherited ones too) that a read leaves out: those the docs say
    /// are "Returned only on `$select`", and, where other versions are served over the same
    /// store, those they declare and this version's schema lacks (a `/v1.0` read of a user
    /// written through `/beta` has no beta-only property).
    pub(crate) fn hidden(&self) -> &BTreeMap<String, Vec<String>> {
        self.hidden.get_or_init(|| {
            let schema = self.api.schema();
            let mut hidden = schema.select_only_properties();
            let others = self
                .versions
                .iter()
                .filter(|api| !std::ptr::eq(**api, self.api));
            for other in others {
                for (type_name, foreign) in schema.properties_only_in(other.schema()) {
                    hidden.entry(type_name).or_default().extend(foreign);
                }
            }
            for names in hidden.values_mut() {
                names.sort_unstable();
                names.dedup();
            }
            hidden
        })
    }

    /// The write-only properties of this version's schema: no answer, read or write, shows
    /// what was written to them.
    pub(crate) fn write_only(&self) -> &WriteOnlyProperties {
        self.write_only.get_or_init(|| {
            let schema = self.api.schema();
            let by_type = schema.write_only_properties();
            let under = (by_type.keys())
                .flat_map(|name| schema.ancestry(name))
                .map(str::to_owned)
                .collect();
            WriteOnlyProperties { by_type, under }
        })
    }

    /// The OpenAPI document of the spec this mock serves, built once.
    fn openapi(&self) -> &serde_json::Value {
        self.openapi.get_or_init(|| {
            graph_openapi::document(self.api.spec(), graph_openapi::PLACEHOLDER_SERVER)
        })
    }

    /// The normalised base path (`/beta`, or empty).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// Preloads the entities of the doc examples (what `--seed-examples` does): every entity of
    /// a create or get response example whose collection needs no path parameter. Returns how
    /// many were added.
    pub async fn seed_examples(&self) -> usize {
        seed::seed_examples(self.store.as_ref(), self.api.spec(), self.api.schema()).await
    }

    /// Remembers the current store, every tenant's, as the state `reset` restores.
    pub fn capture_start_state(&self) -> Result<(), StoreError> {
        let dump = self.shared_store.dump()?;
        *self.start_state.lock().unwrap_or_else(|p| p.into_inner()) = dump;
        Ok(())
    }

    /// Restores this state's tenant as it started (its fixtures), expires its delta tokens and
    /// clears its requests from the journal. The other tenants are left as they are.
    pub async fn reset(&self) -> Result<(), StoreError> {
        let start: StartState = (self.start_state.lock().unwrap_or_else(|p| p.into_inner()))
            .iter()
            .filter_map(|(stored, entities)| {
                Some((self.tenant.own(stored)?.to_owned(), entities.clone()))
            })
            .collect();
        self.store.clear().await?;
        // The tenant's delta rounds start over, as after a restart.
        self.changes.forget(&self.tenant)?;
        for (collection, entities) in start {
            for (id, entity) in entities {
                if let serde_json::Value::Object(object) = entity {
                    self.store.insert(&collection, &id, object).await?;
                }
            }
        }
        self.journal.clear(&self.tenant);
        Ok(())
    }
}

/// The whole mock of one API: its routes under the base path, JSON batching, a Graph 404 for
/// anything else, and the request middleware around it all.
pub fn app(state: AppState) -> App {
    app_of(vec![state])
}

/// The mock of several APIs on one port, as Graph serves `/v1.0` and `/beta` on one host: the
/// states of [`AppState::open_versions`], each under its own base path. A request goes to the
/// version its path starts with, anything else to the first one (the token endpoint, and a 404
/// for an unknown version).
pub fn app_of(states: Vec<AppState>) -> App {
    let versions = states
        .into_iter()
        .map(|state| Version {
            routes: version_routes(&state),
            state,
        })
        .collect();
    App {
        versions,
        https: false,
    }
}

/// One API's routes with its state.
fn version_routes(state: &AppState) -> Router {
    let base_path = state.base_path.clone();
    let mut routes = operation_routes(state.api, &base_path)
        .route(
            &[&base_path, "/$openapi"].concat(),
            axum::routing::get(admin::openapi),
        )
        .route(
            &[&base_path, "/$batch"].concat(),
            axum::routing::post(batch::batch),
        )
        .route(
            &[&base_path, calls::DOWNLOADS, "/{operation}"].concat(),
            axum::routing::get(calls::download_file),
        )
        // The identity platform's path, on the mock's own host.
        .route(
            "/{tenant}/oauth2/v2.0/token",
            axum::routing::post(token::token),
        );
    if state.config.admin {
        routes = routes.merge(admin::router(&base_path));
    }
    routes.fallback(unknown_route).with_state(state.clone())
}

/// The mock as one tower service (what [`app`] makes): each request goes through
/// [`middleware::request_context`], which takes `/$ref` and function arguments off its path
/// before the router sees it. That is why this is not an axum `Router` with a layer: a
/// router's layers run after routing, and a router around the router (to run first) cost
/// about a tenth of a GET's instructions in its catch-all route.
#[derive(Debug, Clone)]
pub struct App {
    /// The APIs served, the first one for paths under none of their base paths.
    versions: Arc<[Version]>,
    /// Whether it is served over HTTPS (the scheme of the URLs it writes).
    https: bool,
}

/// One API of an [`App`]: its state and its routes.
#[derive(Debug)]
struct Version {
    state: AppState,
    routes: Router,
}

impl App {
    /// The same app, telling handlers that requests came over HTTPS.
    #[cfg(feature = "tls")]
    pub(crate) fn over_https(mut self) -> App {
        self.https = true;
        self
    }

    /// What `axum::serve` takes: a clone of the app per connection.
    pub fn into_make_service(self) -> axum::routing::IntoMakeService<App> {
        axum::ServiceExt::<Request>::into_make_service(self)
    }

    /// The version that serves `path`: the one whose base path it starts with, else the first.
    fn version(&self, path: &str) -> &Version {
        let serves = |version: &&Version| {
            let base = version.state.base_path();
            path.strip_prefix(base)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        match self.versions.as_ref() {
            [only] => only,
            versions => versions.iter().find(serves).unwrap_or(&versions[0]),
        }
    }
}

impl<B> tower::Service<axum::http::Request<B>> for App
where
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = axum::response::Response;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let mut request = request.map(axum::body::Body::new);
        if self.https {
            request.extensions_mut().insert(tls::Https);
        }
        // A batch runs its items through this same app, not one built for it (the routes of all
        // of Graph take a tenth of a second to build).
        if request.uri().path().ends_with("/$batch") {
            request.extensions_mut().insert(self.clone());
        }
        let version = self.version(request.uri().path());
        let (state, routes) = (version.state.clone(), version.routes.clone());
        Box::pin(async move { Ok(middleware::request_context(&state, request, routes).await) })
    }
}

/// A route per operation path under `base_path`, each method answered by [`handlers::serve`]
/// for its operation. The base path is part of each route rather than a nest: a nested router
/// rewrites every request's URI before routing it. A function overloaded on its parameters
/// (`getX(period=...)` and `getX(date=...)`) shares one route, and the call's argument names
/// pick the operation. Handlers are two closure types in all, so a spec of thousands of
/// operations costs no generic code per operation.
fn operation_routes(api: &'static Api, base_path: &str) -> Router<AppState> {
    let mut by_route: BTreeMap<&str, BTreeMap<HttpMethod, Vec<&'static OperationMeta>>> =
        BTreeMap::new();
    for operation in api.operations() {
        (by_route.entry(&operation.route).or_default())
            .entry(operation.method)
            .or_default()
            .push(operation);
    }
    let mut router = Router::new();
    for (route, methods) in by_route {
        let mut method_router = MethodRouter::new();
        for (method, operations) in methods {
            let filter = method_filter(method);
            method_router = match operations.as_slice() {
                [operation] => {
                    let operation = *operation;
                    method_router.on(
                        filter,
                        move |state: State<AppState>, params: RawPathParams, request: Request| {
                            handlers::serve(state, params, request, operation)
                        },
                    )
                }
                [first, others @ ..] => {
                    let (first, others): (_, Arc<[&'static OperationMeta]>) =
                        (*first, others.into());
                    method_router.on(
                        filter,
                        move |state: State<AppState>, params: RawPathParams, request: Request| {
                            let operation = calls::overload(api, first, &others, &request);
                            handlers::serve(state, params, request, operation)
                        },
                    )
                }
                [] => method_router,
            };
        }
        // Any other method (`OPTIONS` too) is a 405 naming those the path takes, with `/$ref`
        // or without: a `$ref` page's method is the route's, but not the plain path's.
        let method_router = method_router.fallback(move |request: Request| async move {
            let linking = request
                .extensions()
                .get::<references::ReferenceRequest>()
                .is_some();
            references::method_not_allowed(api, route, linking)
        });
        router = router.route(&[base_path, route].concat(), method_router);
    }
    router
}

/// The router's filter for an operation's method.
fn method_filter(method: HttpMethod) -> MethodFilter {
    match method {
        HttpMethod::Get => MethodFilter::GET,
        HttpMethod::Post => MethodFilter::POST,
        HttpMethod::Patch => MethodFilter::PATCH,
        HttpMethod::Put => MethodFilter::PUT,
        HttpMethod::Delete => MethodFilter::DELETE,
    }
}

async fn unknown_route(uri: Uri) -> ApiError {
    let segment = uri
        .path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    ApiError::not_found(format!("Resource not found for the segment '{segment}'."))
}
