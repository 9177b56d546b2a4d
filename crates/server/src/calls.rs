//! Actions and functions: their arguments are checked against the documented parameters, and
//! they answer with the documented status and, where the doc shows one, a body of the documented
//! shape (the doc's own example).
//!
//! Function calls carry their arguments in the URL, `.../getX(name='value',n=3)`; the
//! [`split_function_call`] layer moves them out of the path before routing, so the route is
//! plain `.../getX`.

use axum::extract::Request;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use graph_odata::spec::{Operation, value_check};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The raw argument list of a function call, `name='value',n=3`, taken from the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionArguments(pub String);

/// Rewrites `.../getX(args)` to `.../getX`, keeping `args` as a [`FunctionArguments`] extension.
pub fn split_function_call(mut request: Request) -> Request {
    let path = request.uri().path();
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

/// Parses `name='value',n=3,flag=true` into a JSON object: quoted literals are strings (with
/// `''` for a quote), `true`/`false`/`null` and numbers are themselves, anything else (a date,
/// a GUID) is a string.
pub fn parse_arguments(text: &str) -> Result<Map<String, Value>, ApiError> {
    let mut arguments = Map::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(arguments);
        }
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::bad_request(format!(
                "The function arguments '{text}' are not name=value pairs."
            )));
        }
        let value = if chars.peek() == Some(&'\'') {
            chars.next();
            let mut literal = String::new();
            loop {
                match chars.next() {
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                        literal.push('\'');
                    }
                    Some('\'') => break,
                    Some(c) => literal.push(c),
                    None => {
                        return Err(ApiError::bad_request(format!(
                            "The value of function argument '{name}' is not closed with a quote."
                        )));
                    }
                }
            }
            Value::String(literal)
        } else {
            let raw: String = chars.by_ref().take_while(|c| *c != ',').collect();
            let raw = raw.trim();
            match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => raw
                    .parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| raw.parse::<f64>().map(Value::from))
                    .unwrap_or_else(|_| Value::String(raw.to_owned())),
            }
        };
        arguments.insert(name, value);
    }
}

/// Checks the arguments of an action or function against its documented parameters.
pub fn check_arguments(
    operation: &Operation,
    arguments: &Map<String, Value>,
) -> Result<(), ApiError> {
    let spec = graph_model::schema().spec();
    let violations = value_check::check_parameters(
        spec,
        &operation.name,
        &operation.parameters,
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
    if status == StatusCode::NO_CONTENT || operation.response.body.is_none() {
        return status.into_response();
    }
    let example = operation
        .examples
        .iter()
        .find_map(|e| e.response.as_ref().and_then(|r| r.body.clone()));
    let body = match example {
        Some(Value::Object(documented)) => {
            let mut body = Map::new();
            body.insert("@odata.context".to_owned(), Value::String(context_url));
            body.extend(
                documented
                    .into_iter()
                    .filter(|(k, _)| k != "@odata.context"),
            );
            Value::Object(body)
        }
        Some(other) => other,
        None if operation
            .response
            .body
            .as_ref()
            .is_some_and(|b| b.collection) =>
        {
            serde_json::json!({ "value": [] })
        }
        None => Value::Object(Map::new()),
    };
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_arguments_parse() {
        let parsed =
            parse_arguments("category='it''s',n=3,flag=true,when=2020-01-01T00:00:00Z").unwrap();
        assert_eq!(
            Value::Object(parsed),
            serde_json::json!({"category": "it's", "n": 3, "flag": true, "when": "2020-01-01T00:00:00Z"})
        );
        assert!(parse_arguments("").unwrap().is_empty());
        assert!(parse_arguments("a='open").is_err());
        assert!(parse_arguments("='x'").is_err());
    }

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
}
