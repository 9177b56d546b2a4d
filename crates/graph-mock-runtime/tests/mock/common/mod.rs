//! Helpers for driving the real mock over HTTP on 127.0.0.1.

use graph_mock_runtime::{Api, Config, DataLocation, MockServer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const CONNECTORS: &str = "/deviceManagement/domainJoinConnectors";

pub struct Harness {
    pub server: MockServer,
    pub http: reqwest::Client,
    /// Holds the SQLite file while the server runs, when the suite runs against SQLite.
    _data: Option<tempfile::TempDir>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts a Graph error body with `code` and returns its message.
    pub fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert_eq!(self.body["error"]["code"], code, "{}", self.body);
        let inner = &self.body["error"]["innerError"];
        assert_eq!(
            inner["request-id"].as_str(),
            self.headers.get("request-id").and_then(|v| v.to_str().ok())
        );
        assert!(inner["date"].is_string());
        self.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A harness is its server, for the tests that drive the mock's in-process API.
impl std::ops::Deref for Harness {
    type Target = MockServer;

    fn deref(&self) -> &MockServer {
        &self.server
    }
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::with(Config::default()).await
    }

    /// Starts a mock; with `GRAPH_MOCK_TEST_STORE=sqlite` the whole suite runs against the
    /// SQLite store (CI runs it both ways).
    /// `GRAPH_MOCK_TEST_STORE=postgres` runs it against PostgreSQL (at the URL in
    /// `GRAPH_MOCK_TEST_POSTGRES`), each mock in a schema of its own.
    pub async fn with(config: Config) -> Harness {
        Harness::on(&seed_mock::API, config).await
    }

    /// Starts the mock generated for `api` (a codegen fixture's), on the store `with` picks.
    pub async fn on(api: &'static Api, config: Config) -> Harness {
        Harness::on_versions(&[api], config).await
    }

    /// Starts a mock of several APIs over one store, each under `/<its version>`, on the store
    /// `with` picks; [`Harness::url`] is under the first one.
    pub async fn on_versions(apis: &[&'static Api], mut config: Config) -> Harness {
        let data = match std::env::var("GRAPH_MOCK_TEST_STORE").as_deref() {
            Ok("sqlite") => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                config.data = Some(DataLocation::Sqlite(dir.path().join("mock.db")));
                Some(dir)
            }
            Ok("postgres") => {
                config.data = Some(DataLocation::Postgres(fresh_postgres_schema()));
                None
            }
            Ok("memory") | Err(_) => None,
            Ok(other) => {
                panic!(
                    "GRAPH_MOCK_TEST_STORE={other}: the suite runs on memory, sqlite or postgres"
                )
            }
        };
        let database = config.data.clone();
        let server = MockServer::try_start_versions(apis, config)
            .await
            .expect("the mock starts on 127.0.0.1:0");
        // The store asked for is the one in use: SQLite made its file.
        if let Some(DataLocation::Sqlite(database)) = database {
            assert!(database.is_file(), "{} was not created", database.display());
        }
        Harness {
            server,
            http: reqwest::Client::new(),
            _data: data,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// Sends a request with a bearer token and, when given, a JSON body.
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send_url(method, &self.url(path), body).await
    }

    /// [`Harness::send`] to an absolute URL.
    pub async fn send_url(&self, method: Method, url: &str, body: Option<Value>) -> Reply {
        self.send_url_as("token", method, url, body).await
    }

    /// [`Harness::send`] with the bearer token `token`.
    pub async fn send_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        self.send_url_as(token, method, &self.url(path), body).await
    }

    /// [`Harness::send_url`] with the bearer token `token`.
    pub async fn send_url_as(
        &self,
        token: &str,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.http.request(method, url).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::from(request.send().await.expect("the mock answers")).await
    }

    pub async fn create(&self, body: Value) -> Value {
        let reply = self.send(Method::POST, CONNECTORS, Some(body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }

    /// Creates a connector with an all-powerful token (for `--auth scopes` tests) and returns its id.
    pub async fn create_with_write_scope(&self, body: Value) -> String {
        let token = graph_mock_runtime::auth::unsigned_token(
            &json!({"scp": "DeviceManagementConfiguration.ReadWrite.All"}),
        );
        let response = self
            .http
            .post(self.url(CONNECTORS))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("the mock answers");
        let reply = Reply::from(response).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body["id"].as_str().expect("an id").to_owned()
    }

    /// GETs an absolute URL (a next link) with a bearer token.
    pub async fn get_url(&self, url: &str) -> Reply {
        Reply::from(self.http.get(url).bearer_auth("t").send().await.unwrap()).await
    }

    /// Follows `@odata.nextLink` from `path` and returns every item.
    pub async fn list_all(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut url = self.url(path);
        loop {
            let reply =
                Reply::from(self.http.get(&url).bearer_auth("t").send().await.unwrap()).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            items.extend(reply.body["value"].as_array().unwrap().iter().cloned());
            match reply.body["@odata.nextLink"].as_str() {
                Some(next) => url = next.to_owned(),
                None => return items,
            }
        }
    }

    pub fn store_dump(&self) -> std::collections::BTreeMap<String, Vec<(String, Value)>> {
        self.server
            .state()
            .store
            .dump()
            .expect("the store can be read")
    }
}

impl Reply {
    pub async fn from(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&bytes)}))
        };
        Reply {
            status,
            headers,
            body,
        }
    }
}

pub fn connector(name: &str) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.deviceManagementDomainJoinConnector",
        "displayName": name,
        "lastConnectionDateTime": "2016-12-31T23:58:36.6670033-08:00",
        "state": "active",
        "version": "1.0"
    })
}

/// Starts the mock binary with `args`, waits for the address it logs, and returns the child and
/// its base URL. The logs keep being drained so the child never blocks on a full pipe.
pub fn start_binary(args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    start(&mock_binary(), args)
}

/// Starts `binary` with `args` (a free port among them) and returns it with the URL it logs
/// first, once it listens.
pub fn start(binary: &std::path::Path, args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(binary)
        .args(args)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the mock binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the mock logs its address")
            .expect("readable logs");
        if let Some(at) = line.find("listening on ") {
            break line[at + "listening on ".len()..].trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

/// The `seed-mock` binary generated for this repository's spec, built on first use. It lives in
/// another package (the generated one), so cargo gives this crate's tests no path to it.
pub fn mock_binary() -> std::path::PathBuf {
    static BINARY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| built("seed-mock")).clone()
}

/// The `graph-mock` binary (all of Graph, v1.0 and beta), built on first use.
pub fn graph_binary() -> std::path::PathBuf {
    static BINARY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| built("graph-mock")).clone()
}

/// The binary of the package `name` (named as the package), built by cargo with the feature
/// that builds a mock's binary.
fn built(name: &str) -> std::path::PathBuf {
    escargot::CargoBuild::new()
        .package(name)
        .bin(name)
        .features("cli")
        .run()
        .unwrap_or_else(|e| panic!("cargo builds the {name} binary: {e}"))
        .path()
        .to_owned()
}

/// A URL of the PostgreSQL server in `GRAPH_MOCK_TEST_POSTGRES` whose connections work in a new,
/// empty schema: a database of its own for one test's mock (or replicas), without the cost of
/// creating a database.
pub fn fresh_postgres_schema() -> String {
    let server = std::env::var("GRAPH_MOCK_TEST_POSTGRES")
        .expect("GRAPH_MOCK_TEST_POSTGRES: the URL of a PostgreSQL server for the tests");
    let schema = format!("test_{}", uuid::Uuid::new_v4().simple());
    let create = format!("CREATE SCHEMA {schema}");
    postgres_execute(&server, &create);
    let separator = if server.contains('?') { '&' } else { '?' };
    format!("{server}{separator}options=-csearch_path%3D{schema}")
}

/// Runs `sql` on the PostgreSQL database at `url`.
pub fn postgres_execute(url: &str, sql: &str) {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    // The synchronous client runs a runtime of its own: not on a test's runtime thread.
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
        client
            .batch_execute(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    })
    .join()
    .expect("the statement runs");
}

/// Sends a request to an absolute URL (with a bearer token, which `--auth none` ignores) and
/// returns its status and JSON body (`null` when it has none).
pub async fn send(method: Method, url: String, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url).bearer_auth("t");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}
