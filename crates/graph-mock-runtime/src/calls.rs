//! Actions and functions: their arguments are checked against the documented parameters, and
//! they answer with the documented status and, where the doc shows one, a body of the documented
//! shape (the doc's own example).
//!
//! A download (a usage report) answers `302 Found` to its file, served by [`download_file`], or
//! its content as JSON for `$format=application/json`.
//!
//! Function calls carry their arguments in the URL, `.../getX(name='value',n=3)`; the
//! [`split_function_call`] layer moves them out of the path before routing, so the route is
//! plain `.../getX`.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use graph_odata::{Schema, value_check};
use graph_spec::{Operation, OperationKind, Property, ResponseBody};
use serde_json::{Map, Value};

use crate::AppState;
use crate::error::ApiError;
use crate::operation::{Api, Kind, OperationMeta};
use crate::resource::MAX_KEY_LEN;

/// The raw argument list of a function call, `name='value',n=3`, taken from the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionArguments(pub String);

/// Rewrites `.../getX(args)` to `.../getX`, keeping `args` as a [`FunctionArguments`] extension.
pub fn split_function_call(mut request: Request) -> Request {
    let path = request.uri().path();
    // Nearly every request is no call: told by the last byte, before any search.
    if !(path.ends_with(')') || path.ends_with("%29")) {
        return request;
    }
    let Some((head, last)) = path.rsplit_once('/') else {
        return request;
    };
    let Some(open) = last
        .find("%28")
        .map(|i| (i, 3))
        .or_else(|| last.find('(').map(|i| (i, 1)))
    else {
        return request;
    };
    let (index, width) = open;
    let name = &last[..index];
    let rest = &last[index + width..];
    let Some(arguments) = rest.strip_suffix("%29").or_else(|| rest.strip_suffix(')')) else {
        return request;
    };
    let decoded = percent_decode(arguments);
    let new_path = format!("{head}/{name}");
    let new_uri = match request.uri().query() {
        Some(query) => format!("{new_path}?{query}"),
        None => new_path,
    };
    if let Ok(uri) = new_uri.parse::<Uri>() {
        *request.uri_mut() = uri;
        request.extensions_mut().insert(FunctionArguments(decoded));
    }
    request
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which of a function's overloads (`first` and `others`) a call means: the first whose
/// parameter names are the call's argument names, else (for a call, `.../f(x=1)`) the first
/// function, else `first` (whose argument check then reports the difference).
pub fn overload(
    api: &Api,
    first: &'static OperationMeta,
    others: &[&'static OperationMeta],
    request: &Request,
) -> &'static OperationMeta {
    let call = request.extensions().get::<FunctionArguments>();
    let arguments = (call.and_then(|a| parse_arguments(&a.0).ok())).unwrap_or_default();
    let spec = api.spec();
    let fits = |operation: &&OperationMeta| {
        spec.operations.get(operation.operation).is_some_and(|op| {
            op.parameters.len() == arguments.len()
                && op
                    .parameters
                    .iter()
                    .all(|p| arguments.contains_key(&p.name))
        })
    };
    let mut overloads = std::iter::once(&first).chain(others).copied();
    let function = |o: &&OperationMeta| call.is_some() && o.kind == Kind::Function;
    (overloads.clone().find(fits))
        .or_else(|| overloads.find(function))
        .unwrap_or(first)
}

/// The answer to a call (`.../name(args)`) that reached an operation that is no function:
/// `PATCH .../range(address='A1')` reaches the route of `PATCH .../range` once its arguments
/// leave the path. Where a function has that route, Graph's 405 (functions are called with
/// `GET`); else the segment (`name`, the call's) is not found.
pub fn not_a_function(api: &Api, route: &str, name: &str) -> ApiError {
    let functions = (api.operations().iter()).any(|o| o.route == route && o.kind == Kind::Function);
    if functions {
        let mut error = ApiError::for_status(StatusCode::METHOD_NOT_ALLOWED);
        error.allow = Some("GET,HEAD".to_owned());
        return error;
    }
    ApiError::not_found(format!("Resource not found for the segment '{name}'."))
}

/// Parses a function's argument list (see [`graph_odata::literals::parse_function_arguments`]).
pub fn parse_arguments(text: &str) -> Result<Map<String, Value>, ApiError> {
    graph_odata::literals::parse_function_arguments(text).map_err(ApiError::bad_request)
}

/// Checks the arguments of an action or function against its documented parameters. A
/// function's arguments in the URL are never `null`: Graph declares its function parameters
/// `Nullable=false`.
pub fn check_arguments(
    schema: &Schema,
    operation: &Operation,
    arguments: &Map<String, Value>,
) -> Result<(), ApiError> {
    // A function's arguments are in its path, where no part may be longer than a key.
    if operation.kind == OperationKind::Function
        && let Some((name, _)) = (arguments.iter()).find(|(_, value)| {
            value
                .as_str()
                .is_some_and(|v| v.chars().count() > MAX_KEY_LEN)
        })
    {
        return Err(ApiError::bad_request(format!(
            "The value of the argument '{name}' is longer than {MAX_KEY_LEN} characters."
        )));
    }
    if operation.kind == OperationKind::Function
        && let Some((name, _)) = arguments.iter().find(|(_, value)| value.is_null())
        && let Some(parameter) = operation.parameters.iter().find(|p| &p.name == name)
    {
        let message = value_check::null_message(schema, &parameter.type_ref);
        return Err(ApiError::bad_request(message));
    }
    let parameters: Vec<_> = operation.parameters.iter().map(Property::shape).collect();
    let violations = value_check::check_parameters(
        schema,
        &operation.name,
        &parameters,
        &Value::Object(arguments.clone()),
    );
    match violations.into_iter().next() {
        Some(first) => Err(ApiError::bad_request(first.message)),
        None => Ok(()),
    }
}

/// The documented answer: the status, and the doc example's body where the doc shows one.
pub fn documented_response(operation: &Operation, status: u16, context_url: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    match operation
        .response
        .body
        .as_ref()
        .filter(|_| status != StatusCode::NO_CONTENT)
    {
        Some(shape) => documented_body(operation, shape, status, context_url),
        None => status.into_response(),
    }
}

/// `status` with a body of `shape`: the doc example's body answered with that status (else the
/// first example body), or an empty one. An example the importer found breaking its own schema
/// (a doc defect, `"siteId": "siteId-value"` for a GUID) is not repeated.
pub fn documented_body(
    operation: &Operation,
    shape: &ResponseBody,
    status: StatusCode,
    context_url: String,
) -> Response {
    let bodies = || {
        operation
            .examples
            .iter()
            .filter_map(|e| e.response.as_ref())
            .filter(|r| r.violations.is_empty())
    };
    let example = bodies()
        .filter(|r| r.status == status.as_u16())
        .chain(bodies())
        .find_map(|r| r.body.as_ref())
        // A single structured value is answered as itself, as the service does, even where the
        // doc wraps it in {"value": {...}}.
        .map(|body| {
            if shape.collection {
                body
            } else {
                value_check::unwrap_entity(body)
            }
        });
    let body = match example {
        Some(Value::Object(documented)) => {
            let mut body = Map::new();
            body.insert("@odata.context".to_owned(), Value::String(context_url));
            body.extend(
                documented
                    .iter()
                    .filter(|(k, _)| *k != "@odata.context")
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            Value::Object(body)
        }
        Some(other) => other.clone(),
        None if shape.collection => serde_json::json!({ "value": [] }),
        None => Value::Object(Map::new()),
    };
    (status, axum::Json(body)).into_response()
}

/// Where a download's file is served, under the base path: `<base>/$download/<operation>`.
/// `$download` can never be a Graph path segment.
pub const DOWNLOADS: &str = "/$download";

/// `302 Found` to `location`.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "The download URL is not a valid header value.",
        )
        .into_response(),
    }
}

/// `GET <base>/$download/<operation>`: the file a download redirects to. Like the service's
/// preauthenticated URLs it needs no `Authorization` header. A report's file is CSV with the
/// documented column headers and no rows (the mock has no usage data); other files are empty.
pub async fn download_file(
    State(state): State<AppState>,
    Path(operation): Path<String>,
) -> Result<Response, ApiError> {
    let download = operation
        .parse::<usize>()
        .ok()
        .and_then(|n| state.api.spec().operations.get(n))
        .and_then(|op| op.response.download.as_ref())
        .ok_or_else(|| ApiError::not_found(format!("No download '{operation}' exists.")))?;
    let mut content = download.csv_columns.join(",");
    if !content.is_empty() {
        content.push_str("\r\n");
    }
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        content,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_split_from_the_path() {
        let request = Request::get("/beta/a/getX(category='v%20w')?$top=1")
            .body(axum::body::Body::empty())
            .unwrap();
        let request = split_function_call(request);
        assert_eq!(request.uri().path(), "/beta/a/getX");
        assert_eq!(request.uri().query(), Some("$top=1"));
        assert_eq!(
            request.extensions().get::<FunctionArguments>(),
            Some(&FunctionArguments("category='v w'".into()))
        );
        let plain = split_function_call(
            Request::get("/beta/a/b")
                .body(axum::body::Body::empty())
                .unwrap(),
        );
        assert_eq!(plain.uri().path(), "/beta/a/b");
    }

    /// A call on an update's route (`PATCH .../range(address='A1')`) is Graph's 405 where a
    /// function has the route, and a 404 naming the call's segment where none has.
    #[test]
    fn a_call_that_reaches_no_function_is_a_405_or_a_404() {
        let meta = |kind: Kind, method: graph_spec::HttpMethod| OperationMeta {
            method,
            route: "/book/range".to_owned(),
            ..OperationMeta::for_test(kind, Vec::new())
        };
        let api = Api::of_operations(vec![
            meta(Kind::Function, graph_spec::HttpMethod::Get),
            meta(Kind::Update, graph_spec::HttpMethod::Patch),
        ]);
        let refused = not_a_function(&api, "/book/range", "range");
        assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(refused.allow.as_deref(), Some("GET,HEAD"));
        let unknown = not_a_function(&api, "/book", "book");
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert_eq!(unknown.allow, None);
        assert!(unknown.message.contains("'book'"), "{}", unknown.message);
    }

    /// A doc example is served only where the importer found it true to its schema.
    #[tokio::test]
    async fn examples_that_break_their_schema_are_not_served() {
        let operation = |violations: serde_json::Value| -> Operation {
            serde_json::from_value(serde_json::json!({
                "kind": "function", "method": "GET", "name": "getSites",
                "paths": [{ "template": "/reports/getSites" }],
                "summary": "", "response": { "status": 200, "body": { "type": "Edm.String", "collection": true } },
                "permissions": {
                    "delegatedWork": { "status": "notSupported" },
                    "delegatedPersonal": { "status": "notSupported" },
                    "application": { "status": "notSupported" }
                },
                "examples": [{
                    "request": { "method": "GET", "url": "/reports/getSites", "path": "/reports/getSites", "source": { "file": "f.md", "line": 9 } },
                    "response": { "status": 200, "body": { "value": ["siteId-value"] }, "violations": violations, "source": { "file": "f.md", "line": 12 } }
                }],
                "source": { "file": "f.md", "line": 1 }
            }))
            .unwrap()
        };
        async fn served(operation: &Operation) -> serde_json::Value {
            let response = documented_response(operation, 200, "context".into());
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()["value"].clone()
        }
        let fine = operation(serde_json::json!([]));
        assert_eq!(served(&fine).await, serde_json::json!(["siteId-value"]));
        let broken = operation(serde_json::json!([["value[0]", "not a GUID"]]));
        assert_eq!(served(&broken).await, serde_json::json!([]));
    }
}
