//! An OpenAPI 3.1 document for a spec: what `cargo xtask openapi` writes and the mock serves at
//! `GET <base>/$openapi`, for tools such as Prism, Swagger UI and schemathesis.
//!
//! - every type is a schema; a derived type is `allOf` its base plus its own properties;
//! - a type with derived types also gets `<name>.polymorphic`, an `anyOf` of itself and its
//!   derived types with a discriminator on `@odata.type`, used wherever a value of it appears;
//! - enums are string enums; the Graph error body is the answer to every 4xx and 5xx;
//! - bearer security, the doc examples, and `links` from each create to the get, update and
//!   delete of the created entity, so that stateful fuzzers can chain calls.

use std::collections::{BTreeMap, BTreeSet};

/// The server the mock's document names until it is served with the request's own URL.
pub const PLACEHOLDER_SERVER: &str = "http://localhost/beta";

use serde_json::{Map, Value, json};

use graph_spec::path::Argument;
use graph_spec::{
    Example, Hierarchy, HttpMethod, Operation, OperationKind, PathTemplate, PermissionSet,
    Primitive, Property, Segment, Spec, TypeRef,
};

/// The error statuses every operation documents.
const ERRORS: &[(&str, &str)] = &[
    ("400", "The request is malformed or breaks the schema."),
    ("401", "No or an invalid bearer token."),
    ("403", "The token lacks the permission."),
    ("404", "The resource does not exist."),
    ("405", "The method is not allowed on this resource."),
    ("409", "The entity already exists."),
    ("413", "The body is too large."),
    ("415", "The body is not application/json."),
    ("429", "Throttled; see Retry-After."),
    ("500", "An internal error."),
    ("503", "Unavailable; see Retry-After."),
];

/// The spec being written, with its type hierarchy built once.
struct Writer<'a> {
    spec: &'a Spec,
    hierarchy: Hierarchy<'a>,
}

/// Builds the document; `server_url` is the base URL, e.g. `http://127.0.0.1:8080/beta`.
pub fn document(spec: &Spec, server_url: &str) -> Value {
    let w = &Writer {
        spec,
        hierarchy: Hierarchy::new(spec),
    };
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    // The first template of each shape: OpenAPI forbids two paths that differ only in their
    // placeholders' names, so later templates of a shape take the first one's names.
    let mut shapes: BTreeMap<String, PathTemplate> = BTreeMap::new();
    let ids = operation_ids(spec);
    let path_ids = other_path_ids(spec, &ids);
    // The read of each collection and single-valued property, by shape, for `GET .../$ref`.
    let reads: BTreeMap<(String, OperationKind), usize> = (spec.operations.iter().enumerate())
        .filter(|(_, op)| matches!(op.kind, OperationKind::List | OperationKind::Get))
        .filter(|(_, op)| !op.reference)
        .flat_map(|(index, op)| op.paths.iter().map(move |p| ((p.shape(), op.kind), index)))
        .collect();
    for (index, op) in spec.operations.iter().enumerate() {
        for (n, path) in op.paths.iter().enumerate() {
            let id = match n {
                0 => ids[index].clone(),
                _ => path_ids[&(index, n)].clone(),
            };
            let links = if n == 0 {
                links(spec, op, &ids)
            } else {
                Map::new()
            };
            let method = op.method.as_str().to_ascii_lowercase();
            let template = distinct_placeholders(path);
            let first = shapes.entry(template.shape()).or_insert(template.clone());
            let mut names = first.parameters().into_iter();
            let template = template.rename_placeholders(|own| {
                names.next().map_or_else(|| own.to_owned(), str::to_owned)
            });
            let item = paths.entry(openapi_path(w, op, &template)).or_default();
            item.insert(method, operation(w, op, &template, &id, links));
            // A collection's links are listed where its `$ref` page adds one; a single-valued
            // property's link is read where its `$ref` page sets it.
            let read = match op.kind {
                OperationKind::Create => Some(OperationKind::List),
                OperationKind::Update => Some(OperationKind::Get),
                _ => None,
            };
            if op.reference
                && let Some(read) = read
                && let Some(index) = reads.get(&(template.shape(), read))
            {
                let get = reference_read(&spec.operations[*index], &template, &id);
                item.entry("get").or_insert(get);
            }
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Microsoft Graph (generated mock)",
            "version": spec.version,
            "description": "Generated from the Microsoft Graph doc pages by graph-codegen."
        },
        "servers": [{ "url": server_url }],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } },
            "schemas": schemas(w),
        }
    })
}

/// Base64 (or base64url) text: groups of four, a last group of two or three, up to two `=`.
const BASE64_PATTERN: &str = "^([A-Za-z0-9+/_-]{4})*([A-Za-z0-9+/_-]{2,3})?={0,2}$";

/// OpenAPI needs distinct parameter names; a few Graph paths repeat one
/// (`/a/{aId}/b/{bId}/a/{aId}`), so repeats become `aId2`, `aId3`, ...
fn distinct_placeholders(template: &PathTemplate) -> PathTemplate {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    template.rename_placeholders(|name| {
        let count = seen.entry(name.to_owned()).or_insert(0);
        *count += 1;
        if *count == 1 {
            name.to_owned()
        } else {
            format!("{name}{count}")
        }
    })
}

/// A function's path carries its parameters: `/a/getX(name={name})`.
/// The path of a function whose template does not write its call gets one from the declared
/// parameters: `.../getX(a={a},b={b})`.
fn openapi_path(w: &Writer, op: &Operation, template: &PathTemplate) -> String {
    if op.reference {
        return format!("{template}/$ref");
    }
    if op.kind != OperationKind::Function {
        return template.to_string();
    }
    if writes_call(template) {
        // A written call as written, but a string's placeholder quoted where the page left
        // the quotes out (`startDateTime={startDateTime}`): OData reads a bare `0` as a number.
        let quoted_call = template.map_call_arguments(|argument| {
            let bare =
                (argument.placeholder()).is_some_and(|p| argument.value == format!("{{{p}}}"));
            let parameter = op.parameters.iter().find(|p| p.name == argument.name);
            match parameter {
                Some(p) if bare && quoted(w.spec, p) => Argument {
                    name: argument.name.clone(),
                    value: format!("'{}'", argument.value),
                },
                _ => argument.clone(),
            }
        });
        return quoted_call.to_string();
    }
    let arguments: Vec<String> = op
        .parameters
        .iter()
        .map(|p| match quoted(w.spec, p) {
            true => format!("{0}='{{{0}}}'", p.name),
            false => format!("{0}={{{0}}}", p.name),
        })
        .collect();
    format!("{template}({})", arguments.join(","))
}

fn path_parameter(name: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": schema })
}

/// A key in a path: any text without a slash, backslash or control character.
fn key_parameter(name: &str) -> Value {
    path_parameter(
        name,
        json!({ "type": "string", "minLength": 1, "maxLength": 1024, "pattern": "^[^/\\\\\\x00-\\x1f\\x7f-\\x9f]+$" }),
    )
}

/// The function parameter a placeholder of the template stands for: the one its call argument
/// names (`period` for `getX(period='{period_value}')`), else the one of its own name.
fn function_parameter<'a>(
    op: &'a Operation,
    template: &PathTemplate,
    placeholder: &str,
) -> Option<&'a Property> {
    if op.kind != OperationKind::Function {
        return None;
    }
    let argument = template
        .segments()
        .iter()
        .find_map(|segment| match segment {
            Segment::Function { arguments, .. } => arguments
                .iter()
                .find(|a| a.placeholder() == Some(placeholder)),
            _ => None,
        });
    let name = argument.map_or(placeholder, |a| a.name.as_str());
    op.parameters.iter().find(|p| p.name == name)
}

/// The schema of a function argument in a path. A quoted string holds no quote (OData would
/// need it doubled), slash, backslash or control character.
fn argument_schema(w: &Writer, parameter: &Property) -> Value {
    match &parameter.type_ref {
        TypeRef::Primitive(Primitive::String) if !parameter.collection => {
            json!({ "type": "string", "pattern": "^[^'/\\\\\\x00-\\x1f\\x7f-\\x9f]*$" })
        }
        _ => value_schema(w, &parameter.type_ref, parameter.collection, true),
    }
}

/// Whether a function argument is written in quotes in a URL: OData's string literals, and the
/// members of an enum (`platform='android'`), as Graph's own OpenAPI document writes them.
fn quoted(spec: &Spec, parameter: &Property) -> bool {
    !parameter.collection
        && match &parameter.type_ref {
            TypeRef::Primitive(p) => *p == Primitive::String,
            TypeRef::Named(name) => spec.enums.contains_key(name),
        }
}

/// Whether the template's last segment is a call with its arguments written
/// (`.../cell(row={row},column={column})`): its placeholders are then the function's path
/// parameters.
fn writes_call(template: &PathTemplate) -> bool {
    matches!(template.last(), Some(Segment::Function { arguments, .. }) if !arguments.is_empty())
}

/// The ids of operations' other paths: `<id>_<n>` for the n-th, unique among all ids.
fn other_path_ids(spec: &Spec, ids: &[String]) -> BTreeMap<(usize, usize), String> {
    let mut taken: BTreeSet<String> = ids.iter().cloned().collect();
    let mut other = BTreeMap::new();
    for (index, op) in spec.operations.iter().enumerate() {
        for n in 1..op.paths.len() {
            let base = format!("{}_{n}", ids[index]);
            let mut id = base.clone();
            let mut again = 2;
            while !taken.insert(id.clone()) {
                id = format!("{base}_{again}");
                again += 1;
            }
            other.insert((index, n), id);
        }
    }
    other
}

/// Unique, readable operation ids of operations' first paths:
/// `create_deviceManagement_domainJoinConnectors`.
fn operation_ids(spec: &Spec) -> Vec<String> {
    let mut taken = BTreeSet::new();
    spec.operations
        .iter()
        .map(|op| {
            let words: Vec<String> = op
                .primary_path()
                .segments()
                .iter()
                .filter(|s| !matches!(s, Segment::Key(_)))
                .map(ToString::to_string)
                .collect();
            let kind = match op.kind {
                OperationKind::Create => "create",
                OperationKind::List => "list",
                OperationKind::Get => "get",
                OperationKind::Update => "update",
                OperationKind::Delete => "delete",
                OperationKind::Action => "call",
                OperationKind::Function => "call",
            };
            let base = format!("{kind}_{}", words.join("_").replace('.', "_"));
            let mut id = base.clone();
            let mut n = 2;
            while !taken.insert(id.clone()) {
                id = format!("{base}_{n}");
                n += 1;
            }
            id
        })
        .collect()
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The schema of a value of `type_ref`: polymorphic types go through their `anyOf` (read) or
/// `oneOf` (write); `write` picks the strict schemas of request bodies.
fn value_schema(w: &Writer, type_ref: &TypeRef, collection: bool, write: bool) -> Value {
    let spec = w.spec;
    let suffix = if write { ".write" } else { "" };
    let documented = |name: &str| spec.types.get(name).is_some_and(|t| !t.undocumented);
    let element = match type_ref {
        TypeRef::Primitive(p) => primitive(*p),
        TypeRef::Named(name) if spec.enums.contains_key(name) => reference(name),
        TypeRef::Named(name)
            if documented(name) && !w.hierarchy.documented_derived(name).is_empty() =>
        {
            reference(&format!("{name}{suffix}.polymorphic"))
        }
        TypeRef::Named(name) if documented(name) => reference(&format!("{name}{suffix}")),
        TypeRef::Named(name) => reference(name),
    };
    if collection {
        json!({ "type": "array", "items": element })
    } else {
        element
    }
}

/// Whether a structured type has no page: its schema is any JSON.
fn is_undocumented(spec: &Spec, type_ref: &TypeRef) -> bool {
    (type_ref.named())
        .and_then(|name| spec.types.get(name))
        .is_some_and(|t| t.undocumented)
}

fn primitive(p: Primitive) -> Value {
    match p {
        Primitive::String => json!({ "type": "string" }),
        Primitive::Boolean => json!({ "type": "boolean" }),
        Primitive::Byte => json!({ "type": "integer", "minimum": 0, "maximum": 255 }),
        Primitive::Int16 => json!({ "type": "integer", "minimum": -32768, "maximum": 32767 }),
        Primitive::Int32 => {
            json!({ "type": "integer", "format": "int32", "minimum": -2147483648_i64, "maximum": 2147483647_i64 })
        }
        Primitive::Int64 => json!({ "type": "integer", "format": "int64" }),
        Primitive::Single | Primitive::Double | Primitive::Decimal => json!({ "type": "number" }),
        Primitive::DateTimeOffset => json!({ "type": "string", "format": "date-time" }),
        Primitive::Duration => json!({ "type": "string", "format": "duration" }),
        Primitive::Guid => json!({ "type": "string", "format": "uuid" }),
        // What the mock accepts (`graph_odata::literals::is_base64`): base64 or base64url,
        // padded or not, so a generated value is one the mock takes.
        Primitive::Binary | Primitive::Stream => json!({
            "type": "string",
            "contentEncoding": "base64",
            "pattern": BASE64_PATTERN
        }),
        Primitive::Date => json!({ "type": "string", "format": "date" }),
        Primitive::TimeOfDay => {
            json!({ "type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,12})?$" })
        }
    }
}

fn properties_schema(w: &Writer, properties: &[&Property], write: bool) -> Map<String, Value> {
    properties
        .iter()
        .map(|p| {
            let mut schema = value_schema(w, &p.type_ref, p.collection, write);
            if !p.description.is_empty()
                && let Value::Object(object) = &mut schema
                && !object.contains_key("$ref")
            {
                object.insert(
                    "description".to_owned(),
                    Value::String(p.description.clone()),
                );
            }
            // Every property may be null (PATCH clears with null) or left out (Graph's partial objects).
            let mut property = json!({ "anyOf": [schema, { "type": "null" }] });
            // A secret answers leave out is `writeOnly`; one they mask (`****`) is answered, as
            // its mask (see `graph_odata::WriteOnly`).
            if p.write_only.as_ref().is_some_and(|w| w.mask.is_none()) {
                property["writeOnly"] = Value::Bool(true);
            }
            (p.name.clone(), property)
        })
        .collect()
}

fn schemas(w: &Writer) -> Map<String, Value> {
    let spec = w.spec;
    let mut schemas = Map::new();
    for (name, def) in &spec.types {
        if def.undocumented {
            schemas.insert(
                name.clone(),
                json!({ "description": format!("`{name}` is not documented; any JSON.") }),
            );
            continue;
        }
        let own_properties: Vec<&Property> = def.properties.iter().collect();
        let mut own = properties_schema(w, &own_properties, false);
        own.insert("@odata.type".to_owned(), json!({ "type": "string" }));
        let object = json!({ "type": "object", "properties": own });
        let schema = match &def.base_type {
            Some(base) => json!({ "allOf": [reference(base), object] }),
            None => object,
        };
        schemas.insert(name.clone(), schema);
        let derived = w.hierarchy.documented_derived(name);
        if !derived.is_empty() {
            let variants: Vec<&str> = std::iter::once(name.as_str())
                .chain(derived.iter().copied())
                .collect();
            let mapping: Map<String, Value> = variants
                .iter()
                .map(|t| {
                    (
                        format!("#{}.{t}", spec.namespace),
                        Value::String(format!("#/components/schemas/{t}")),
                    )
                })
                .collect();
            schemas.insert(
                format!("{name}.polymorphic"),
                // `anyOf`: a derived value is also a value of its base (read schemas are
                // open), so with `oneOf` it would match more than one variant.
                json!({
                    "anyOf": variants.iter().map(|t| reference(t)).collect::<Vec<_>>(),
                    "discriminator": { "propertyName": "@odata.type", "mapping": mapping }
                }),
            );
        }
    }
    for (name, _) in spec.types.iter().filter(|(_, d)| !d.undocumented) {
        schemas.insert(format!("{name}.write"), write_schema(w, name, false));
        let derived = w.hierarchy.documented_derived(name);
        if !derived.is_empty() {
            let variants: Vec<Value> = std::iter::once(name.as_str())
                .chain(derived.iter().copied())
                // A body without `@odata.type` is of the declared type, as in Graph.
                .map(|t| write_schema(w, t, t != name))
                .collect();
            schemas.insert(
                format!("{name}.write.polymorphic"),
                json!({ "oneOf": variants }),
            );
        }
    }
    for (name, def) in &spec.enums {
        let members: Vec<&str> = def.members.iter().map(|m| m.name.as_str()).collect();
        let schema = if def.is_flags {
            json!({ "type": "string", "description": format!("Comma-separated members of: {}", members.join(", ")) })
        } else {
            json!({ "type": "string", "enum": members })
        };
        schemas.insert(name.clone(), schema);
    }
    schemas.insert(
        "ODataError".to_owned(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": { "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string" },
                    "message": { "type": "string" },
                    "innerError": { "type": "object", "properties": {
                        "date": { "type": "string" },
                        "request-id": { "type": "string" },
                        "client-request-id": { "type": "string" }
                    } }
                }
            } }
        }),
    );
    schemas
}

/// The strict schema of a request body of type `name`: every property, inherited ones included,
/// except the key (the server assigns it, and an update cannot change it), and nothing else,
/// because the mock refuses unknown properties. In a `oneOf` of variants, a derived type's
/// `@odata.type` is required so that exactly one variant matches.
fn write_schema(w: &Writer, name: &str, discriminated: bool) -> Value {
    let spec = w.spec;
    let key = spec
        .ancestry(name)
        .iter()
        .find_map(|a| spec.types.get(*a).and_then(|t| t.key_property.clone()));
    let properties: Vec<&Property> = spec
        .all_properties(name)
        .into_iter()
        .filter(|p| Some(&p.name) != key.as_ref())
        .collect();
    let mut object = properties_schema(w, &properties, true);
    object.insert(
        "@odata.type".to_owned(),
        json!({ "enum": [format!("#{}.{name}", spec.namespace)] }),
    );
    let mut schema =
        json!({ "type": "object", "properties": object, "additionalProperties": false });
    if discriminated {
        schema["required"] = json!(["@odata.type"]);
    }
    schema
}

/// The patterns of the query options a type's reads take.
struct QueryPatterns {
    filter: String,
    orderby: String,
    select: String,
}

/// Patterns for `$filter`, `$orderby` and `$select` that only admit what the mock understands
/// for this type (or nothing), so that a generated request that fits the schema is one the mock
/// accepts.
fn query_patterns(spec: &Spec, type_name: &str) -> QueryPatterns {
    let mut comparisons = Vec::new();
    let mut names = Vec::new();
    for p in spec
        .all_properties(type_name)
        .into_iter()
        .filter(|p| !p.collection)
    {
        let literal = match &p.type_ref {
            TypeRef::Primitive(Primitive::Boolean) => "(true|false)",
            TypeRef::Primitive(
                Primitive::Int16 | Primitive::Int32 | Primitive::Int64 | Primitive::Byte,
            ) => "[0-9]{1,4}",
            TypeRef::Primitive(Primitive::DateTimeOffset) => {
                "20[0-9][0-9]-0[1-9]-[0-2][1-9]T[0-1][0-9]:[0-5][0-9]:[0-5][0-9]Z"
            }
            TypeRef::Primitive(Primitive::String | Primitive::Guid) => "'[A-Za-z0-9 ]{0,8}'",
            TypeRef::Named(n) if spec.enums.contains_key(n) => "'[A-Za-z0-9]{0,8}'",
            _ => continue,
        };
        let operators = if literal.starts_with("(true") {
            "(eq|ne)"
        } else {
            "(eq|ne|gt|ge|lt|le)"
        };
        names.push(p.name.clone());
        comparisons.push(format!("{} {operators} {literal}", p.name));
    }
    if comparisons.is_empty() {
        return QueryPatterns {
            filter: "^$".to_owned(),
            orderby: "^$".to_owned(),
            select: "^$".to_owned(),
        };
    }
    let comparison = comparisons.join("|");
    let names = names.join("|");
    // Each may be empty: an empty option is no option, as the mock and OData read it.
    QueryPatterns {
        filter: format!("^(({comparison})( (and|or) ({comparison}))?)?$"),
        orderby: format!("^(({names})( (asc|desc))?)?$"),
        select: format!("^(({names})(,({names}))*)?$"),
    }
}

fn operation(
    w: &Writer,
    op: &Operation,
    template: &PathTemplate,
    id: &str,
    links: Map<String, Value>,
) -> Value {
    let spec = w.spec;
    let mut parameters: Vec<Value> = template
        .parameters()
        .into_iter()
        .map(|name| match function_parameter(op, template, name) {
            // A function argument written in the template: typed as declared.
            Some(p) => path_parameter(name, argument_schema(w, p)),
            None => key_parameter(name),
        })
        .collect();
    if op.kind == OperationKind::Function && !writes_call(template) {
        parameters
            .extend((op.parameters.iter()).map(|p| path_parameter(&p.name, argument_schema(w, p))));
    }
    let query = |name: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "schema": schema });
    let entity = op
        .response
        .body
        .as_ref()
        .and_then(|b| b.type_ref.named())
        .filter(|n| spec.types.contains_key(*n))
        .unwrap_or_default();
    let QueryPatterns {
        filter,
        orderby,
        select,
    } = query_patterns(spec, entity);
    let pattern = |p: String| json!({ "type": "string", "pattern": p });
    match op.kind {
        // A download takes `$format` only.
        _ if op.response.download.is_some() => {
            let json = op.response.download.as_ref().and_then(|d| d.json.as_ref());
            let formats: &[&str] = match json {
                Some(_) => &["text/csv", "application/json"],
                None => &["text/csv"],
            };
            parameters.push(query(
                "$format",
                json!({ "type": "string", "enum": formats }),
            ));
        }
        OperationKind::List => parameters.extend([
            query(
                "$top",
                json!({ "type": "integer", "format": "int64", "minimum": 0, "maximum": i64::MAX }),
            ),
            query(
                "$skip",
                json!({ "type": "integer", "format": "int64", "minimum": 0, "maximum": i64::MAX }),
            ),
            query("$count", json!({ "type": "boolean" })),
            query("$filter", pattern(filter)),
            query("$orderby", pattern(orderby)),
            query("$select", pattern(select)),
        ]),
        OperationKind::Get => parameters.push(query("$select", pattern(select))),
        _ if op.delta_of().is_some() => parameters.extend([
            query("$filter", pattern(filter)),
            query("$select", pattern(select)),
            query("$skiptoken", json!({ "type": "string" })),
            query("$deltatoken", json!({ "type": "string" })),
        ]),
        _ => {}
    }

    let mut operation = Map::new();
    operation.insert("operationId".to_owned(), Value::String(id.to_owned()));
    operation.insert("summary".to_owned(), Value::String(op.summary.clone()));
    if !op.description.is_empty() {
        operation.insert(
            "description".to_owned(),
            Value::String(op.description.clone()),
        );
    }
    operation.insert("parameters".to_owned(), Value::Array(parameters));
    if let Some(body) = request_body(w, op) {
        operation.insert("requestBody".to_owned(), body);
    }
    let mut responses = Map::new();
    responses.insert(op.response.status.to_string(), success(w, op, links));
    if let Some(rows) = op.response.download.as_ref().and_then(|d| d.json.as_ref()) {
        let schema = json!({ "type": "object", "properties": { "value": value_schema(w, &rows.type_ref, rows.collection, false) } });
        responses.insert(
            "200".to_owned(),
            json!({ "description": "With `$format=application/json`: the content as JSON.", "content": { "application/json": { "schema": schema } } }),
        );
    }
    let gone = (
        "410",
        "The delta token has expired: start over from the Location header.",
    );
    let delta_errors = op.delta_of().map(|_| gone);
    for (status, description) in ERRORS.iter().chain(delta_errors.as_ref()) {
        responses.insert((*status).to_owned(), error_response(description));
    }
    operation.insert("responses".to_owned(), Value::Object(responses));
    operation.insert(
        "x-ms-permissions".to_owned(),
        json!({
            "delegated": permission(&op.permissions.delegated_work),
            "application": permission(&op.permissions.application),
        }),
    );
    Value::Object(operation)
}

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": reference("ODataError") } } })
}

/// `GET .../$ref`, which the mock (like Graph) answers where a `$ref` page adds to a collection
/// that has a list (the members as `@odata.id` links) or sets a single-valued property that has
/// a get (its one link). `read` is that list or get, whose permissions it takes; `write_id` is
/// the `$ref` page's operation id, which the read's id extends.
fn reference_read(read: &Operation, template: &PathTemplate, write_id: &str) -> Value {
    let parameters: Vec<Value> = (template.parameters().into_iter())
        .map(key_parameter)
        .collect();
    let link = json!({ "type": "object", "properties": { "@odata.id": { "type": "string" } } });
    let (id, schema, description, summary) = match read.kind {
        OperationKind::List => (
            format!("{write_id}_links"),
            json!({ "type": "object", "properties": { "value": { "type": "array", "items": link } } }),
            "The members, as links.",
            "as links",
        ),
        _ => (format!("{write_id}_link"), link, "The link.", "as a link"),
    };
    let mut responses = Map::new();
    responses.insert(
        "200".to_owned(),
        json!({ "description": description, "content": { "application/json": { "schema": schema } } }),
    );
    for (status, description) in ERRORS {
        responses.insert((*status).to_owned(), error_response(description));
    }
    json!({
        "operationId": id,
        "summary": format!("{}: {summary}", read.summary),
        "parameters": parameters,
        "responses": responses,
        "x-ms-permissions": {
            "delegated": permission(&read.permissions.delegated_work),
            "application": permission(&read.permissions.application),
        },
    })
}

fn permission(set: &PermissionSet) -> Value {
    match set {
        PermissionSet::Scopes(scopes) => json!(scopes),
        PermissionSet::NotSupported => json!("not supported"),
        PermissionSet::NoneRequired => json!("none required"),
        PermissionSet::Undetermined => json!("not documented"),
    }
}

fn first_example<'a>(
    op: &'a Operation,
    pick: impl Fn(&'a Example) -> Option<&'a Value>,
) -> Option<&'a Value> {
    op.examples
        .iter()
        .filter(|e| e.request.violations.is_empty())
        .find_map(pick)
}

fn request_body(w: &Writer, op: &Operation) -> Option<Value> {
    let schema = match (&op.request_body, op.kind) {
        // A `$ref` add or set: a link to the entity.
        (_, OperationKind::Create | OperationKind::Update) if op.reference => json!({
            "type": "object",
            "properties": { "@odata.id": {
                "type": "string",
                "description": "The URL of the entity to link, e.g. `https://graph.microsoft.com/beta/directoryObjects/{id}`: its last path segment is the entity's id.",
                // A path that ends in a segment (the id), before any query or fragment.
                "pattern": "^[^?#]*[^/?#]([?#].*)?$",
            } },
            "required": ["@odata.id"],
        }),
        // The mock reads every body as a JSON object, that of an undocumented type too.
        (Some(body), _) if is_undocumented(w.spec, &body.type_ref) => json!({ "type": "object" }),
        (Some(body), _) => value_schema(w, &body.type_ref, false, true),
        (None, OperationKind::Action) if !op.parameters.is_empty() => {
            let parameters: Vec<&Property> = op.parameters.iter().collect();
            json!({ "type": "object", "properties": properties_schema(w, &parameters, true), "additionalProperties": false })
        }
        // A write whose page names no body type writes the entity it is about, as the mock
        // reads it; still a JSON object, even where that type is unknown.
        (None, OperationKind::Create | OperationKind::Update) => {
            match graph_spec::entity_type(&w.spec.types, &w.spec.operations, op)
                .map(|name| TypeRef::Named(name.to_owned()))
            {
                Some(entity) if !is_undocumented(w.spec, &entity) => {
                    value_schema(w, &entity, false, true)
                }
                _ => json!({ "type": "object" }),
            }
        }
        _ => return None,
    };
    let mut content = json!({ "schema": schema });
    if let Some(example) = first_example(op, |e| e.request.body.as_ref()) {
        content["example"] = example.clone();
    }
    Some(json!({ "required": true, "content": { "application/json": content } }))
}

fn success(w: &Writer, op: &Operation, links: Map<String, Value>) -> Value {
    let spec = w.spec;
    let mut response = json!({ "description": format!("{} {}", op.response.status, op.summary) });
    if op.response.download.is_some() {
        // The file's preauthenticated URL, which needs no `Authorization` header.
        response["headers"] = json!({ "Location": { "required": true, "schema": { "type": "string", "format": "uri" } } });
    }
    if let (Some(body), true) = (&op.response.body, op.response.status != 204) {
        let structured = body
            .type_ref
            .named()
            .is_some_and(|n| spec.types.contains_key(n));
        let schema = if body.collection || !structured {
            let mut properties =
                json!({ "value": value_schema(w, &body.type_ref, body.collection, false) });
            if op.kind == OperationKind::List {
                properties["@odata.nextLink"] = json!({ "type": "string" });
                properties["@odata.count"] = json!({ "type": "integer" });
            }
            if op.delta_of().is_some() {
                properties["@odata.nextLink"] = json!({ "type": "string" });
                properties["@odata.deltaLink"] = json!({ "type": "string" });
            }
            json!({ "type": "object", "properties": properties })
        } else {
            value_schema(w, &body.type_ref, false, false)
        };
        let mut content = json!({ "schema": schema });
        if let Some(example) = first_example(op, |e| {
            e.response
                .as_ref()
                .filter(|r| r.violations.is_empty())
                .and_then(|r| r.body.as_ref())
        }) {
            content["example"] = if body.collection || !structured {
                example.clone()
            } else {
                graph_spec::value_check::unwrap_entity(example).clone()
            };
        }
        response["content"] = json!({ "application/json": content });
    }
    if !links.is_empty() {
        response["links"] = Value::Object(links);
    }
    response
}

/// From a create to the get, update and delete of what it created.
fn links(spec: &Spec, op: &Operation, ids: &[String]) -> Map<String, Value> {
    let mut links = Map::new();
    if op.kind != OperationKind::Create {
        return links;
    }
    for (index, other) in spec.operations.iter().enumerate() {
        let item = distinct_placeholders(other.primary_path());
        let (Some(collection), Some(Segment::Key(_))) = (item.parent(), item.last()) else {
            continue;
        };
        let same_collection = collection.shape() == op.primary_path().shape();
        if !same_collection || other.method == HttpMethod::Post {
            continue;
        }
        let parents = distinct_placeholders(op.primary_path());
        let parents = parents.parameters();
        let mut parameters = Map::new();
        for (position, name) in item.parameters().into_iter().enumerate() {
            let value = match parents.get(position) {
                Some(parent) => format!("$request.path.{parent}"),
                None => "$response.body#/id".to_owned(),
            };
            parameters.insert(name.to_owned(), Value::String(value));
        }
        let name = match other.kind {
            OperationKind::Get => "get",
            OperationKind::Update => "update",
            OperationKind::Delete => "delete",
            _ => continue,
        };
        links.insert(
            name.to_owned(),
            json!({ "operationId": ids[index], "parameters": parameters }),
        );
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An operation from its JSON `fields`, with no permissions and a source added.
    fn operation(mut fields: Value) -> Operation {
        fields["permissions"] = json!({
            "delegatedWork": { "status": "notSupported" },
            "delegatedPersonal": { "status": "notSupported" },
            "application": { "status": "notSupported" }
        });
        fields["source"] = json!({ "file": "f.md", "line": 1 });
        serde_json::from_value(fields).unwrap()
    }

    /// The document's base64 pattern accepts exactly what the mock's validator does, so a
    /// value generated from the document is one the mock takes: every string of up to six
    /// characters over letters, digits, the four base64 symbols, `=` and a stray `!`.
    #[test]
    fn the_base64_pattern_is_the_validators() {
        let pattern = regex::Regex::new(BASE64_PATTERN).unwrap();
        let alphabet = ['A', 'z', '0', '+', '/', '-', '_', '=', '!'];
        let mut strings = vec![String::new()];
        for _ in 0..6 {
            let longer: Vec<String> = (strings.iter())
                .filter(|s| s.len() + 1 > strings.last().map_or(0, String::len))
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(longer);
        }
        assert!(strings.len() > 500_000, "{}", strings.len());
        for text in &strings {
            assert_eq!(
                pattern.is_match(text),
                graph_spec::literals::is_base64(text),
                "{text:?}"
            );
        }
    }

    /// A property the docs call write-only, and that answers leave out, is `writeOnly` in every
    /// schema that has it; one that answers mask (`****`) is not: the mask is answered.
    #[test]
    fn a_write_only_property_is_marked_so() {
        let mut spec = Spec::new();
        let vault: graph_spec::TypeDef = serde_json::from_value(json!({
            "kind": "complex",
            "properties": [
                { "name": "name", "type": "Edm.String" },
                { "name": "password", "type": "Edm.String", "writeOnly": {} },
                { "name": "secret", "type": "Edm.String", "writeOnly": { "mask": "****" } }
            ],
            "source": { "file": "f.md", "line": 1 }
        }))
        .unwrap();
        spec.types.insert("vault".into(), vault);
        let doc = document(&spec, "http://localhost/beta");
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut marked: Vec<(&str, bool)> = (schemas.values())
            .filter_map(|schema| schema["properties"].as_object())
            .flat_map(|properties| properties.iter())
            .map(|(name, p)| (name.as_str(), p["writeOnly"] == json!(true)))
            .collect();
        marked.retain(|(name, _)| ["name", "password", "secret"].contains(name));
        marked.sort();
        marked.dedup();
        assert_eq!(
            marked,
            [("name", false), ("password", true), ("secret", false)]
        );
    }

    #[test]
    fn repeated_parameters_are_renamed() {
        let template = PathTemplate::parse("/a/{x}/b/{y}/c/{x}").unwrap();
        assert_eq!(
            distinct_placeholders(&template).to_string(),
            "/a/{x}/b/{y}/c/{x2}"
        );
        // Function arguments' placeholders too (the workbook's `resizedRange`).
        let template = PathTemplate::parse("/r/{n}/resized(rows={n},columns={n})").unwrap();
        assert_eq!(
            distinct_placeholders(&template).to_string(),
            "/r/{n}/resized(rows={n2},columns={n3})"
        );
    }

    /// An operation's other paths take `<id>_<n>`, which another operation's id may already
    /// be (`/me/chats` and `/me/chats/{id}` both read `list_me_chats`): every id stays unique.
    #[test]
    fn operation_ids_are_unique_across_paths() {
        let list = |paths: &[&str]| -> Operation {
            let paths: Vec<Value> = (paths.iter())
                .map(|p| match p.contains("{id}") {
                    true => json!({ "template": p, "parameters": ["id"] }),
                    false => json!({ "template": p }),
                })
                .collect();
            operation(json!({
                "kind": "list", "method": "GET", "paths": paths, "summary": "",
                "response": { "status": 200 }
            }))
        };
        let mut spec = Spec::new();
        spec.operations = vec![list(&["/me/chats", "/a", "/b"]), list(&["/me/chats/{id}"])];
        let doc = document(&spec, "http://localhost/beta");
        let mut ids: Vec<&str> = (doc["paths"].as_object().unwrap().values())
            .map(|item| item["get"]["operationId"].as_str().unwrap())
            .collect();
        ids.sort();
        assert_eq!(
            ids,
            [
                "list_me_chats",
                "list_me_chats_1",
                "list_me_chats_2",
                "list_me_chats_2_2"
            ]
        );
    }

    /// A function whose template writes its call (`cell(row={row},column={column})`) has
    /// those placeholders as its parameters, typed as declared, once.
    #[test]
    fn a_written_call_is_not_written_twice() {
        let op = operation(json!({
            "kind": "function", "method": "GET", "name": "cell",
            "paths": [{ "template": "/sheet/cell(row={row},column={column})", "parameters": ["row", "column"] }],
            "parameters": [{ "name": "row", "type": "Edm.Int32" }, { "name": "column", "type": "Edm.Int32" }],
            "summary": "", "response": { "status": 200 }
        }));
        let mut spec = Spec::new();
        spec.operations = vec![op];
        let doc = document(&spec, "http://localhost/beta");
        let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/sheet/cell(row={row},column={column})"]);
        let parameters = &doc["paths"][paths[0]]["get"]["parameters"];
        let names: Vec<&str> = (parameters.as_array().unwrap().iter())
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["row", "column"]);
        assert_eq!(parameters[0]["schema"]["format"], "int32");
    }

    /// A usage report: `302 Found` with the file's URL in `Location`, or `200 OK` and JSON rows
    /// for `$format=application/json`, and no other query option.
    #[test]
    fn a_download_documents_its_redirect_and_its_json_answer() {
        let op = operation(json!({
            "kind": "function", "method": "GET", "name": "getReport",
            "paths": [{ "template": "/reports/getReport(period='{period}')", "parameters": ["period"] }],
            "parameters": [{ "name": "period", "type": "Edm.String" }],
            "summary": "",
            "response": { "status": 302, "download": { "csvColumns": ["Day"], "json": { "type": "Edm.String", "collection": true } } }
        }));
        let mut spec = Spec::new();
        spec.operations = vec![op];
        let doc = document(&spec, "http://localhost/beta");
        let get = &doc["paths"]["/reports/getReport(period='{period}')"]["get"];
        assert!(get["responses"]["302"]["headers"]["Location"]["required"] == true);
        assert_eq!(
            get["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["value"]
                ["type"],
            "array"
        );
        let names: Vec<&str> = (get["parameters"].as_array().unwrap().iter())
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["period", "$format"]);
    }

    /// A `$ref` operation is documented at its `/$ref` path, with an `@odata.id` link for a body.
    #[test]
    fn a_reference_is_documented_at_its_ref_path() {
        let add = operation(json!({
            "kind": "create", "method": "POST", "reference": true,
            "paths": [{ "template": "/groups/{id}/members", "parameters": ["id"] }],
            "summary": "Add member", "response": { "status": 204 }
        }));
        let remove = operation(json!({
            "kind": "delete", "method": "DELETE", "reference": true,
            "paths": [{ "template": "/groups/{id}/members/{memberId}", "parameters": ["id", "memberId"] }],
            "summary": "Remove member", "response": { "status": 204 }
        }));
        let list = operation(json!({
            "kind": "list", "method": "GET",
            "paths": [{ "template": "/groups/{groupId}/members", "parameters": ["groupId"] }],
            "summary": "List members", "response": { "status": 200 }
        }));
        let mut spec = Spec::new();
        spec.operations = vec![add, remove, list];
        let doc = document(&spec, "http://localhost/beta");
        let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        assert_eq!(
            paths,
            [
                "/groups/{id}/members",
                "/groups/{id}/members/$ref",
                "/groups/{id}/members/{memberId}/$ref"
            ]
        );
        // The collection's members as links, as the mock answers `GET .../$ref`.
        let links = &doc["paths"]["/groups/{id}/members/$ref"]["get"];
        assert_eq!(links["parameters"][0]["name"], "id");
        let schema = &links["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(
            schema["properties"]["value"]["items"]["properties"]["@odata.id"]["type"],
            "string"
        );
        let body = &doc["paths"]["/groups/{id}/members/$ref"]["post"]["requestBody"];
        let schema = &body["content"]["application/json"]["schema"];
        assert_eq!(schema["required"], json!(["@odata.id"]));
        assert_eq!(schema["properties"]["@odata.id"]["type"], "string");
        assert!(doc["paths"]["/groups/{id}/members/{memberId}/$ref"]["delete"].is_object());
    }

    /// A single-valued property's `$ref` page (`PUT .../manager/$ref`) documents the `GET` of
    /// its link beside it, as the mock answers it.
    #[test]
    fn a_single_valued_reference_documents_its_read() {
        let at = |method: &str, kind: &str, reference: bool| {
            operation(json!({
                "kind": kind, "method": method, "reference": reference,
                "paths": [{ "template": "/users/{id}/manager", "parameters": ["id"] }],
                "summary": "Manager", "response": { "status": 200 }
            }))
        };
        let mut spec = Spec::new();
        spec.operations = vec![at("PUT", "update", true), at("GET", "get", false)];
        let doc = document(&spec, "http://localhost/beta");
        let item = &doc["paths"]["/users/{id}/manager/$ref"];
        assert!(item["put"].is_object());
        let get = &item["get"];
        assert_eq!(get["summary"], "Manager: as a link");
        let schema = &get["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(schema["properties"]["@odata.id"]["type"], "string");
        // Without the property's own read, no link read is documented.
        spec.operations.pop();
        let doc = document(&spec, "http://localhost/beta");
        assert!(doc["paths"]["/users/{id}/manager/$ref"]["get"].is_null());
    }

    /// OpenAPI forbids paths that differ only in their placeholders' names: the get of
    /// `/things/{thingId}` and the delete of `/things/{thingGroupId}` are one path item.
    #[test]
    fn one_resource_is_one_path_whatever_its_placeholders_are_called() {
        let at = |method: &str, kind: &str, key: &str| {
            operation(json!({
                "kind": kind, "method": method,
                "paths": [{ "template": format!("/things/{{{key}}}"), "parameters": [key] }],
                "summary": "", "response": { "status": 200 }
            }))
        };
        let mut spec = Spec::new();
        spec.operations = vec![
            at("GET", "get", "thingId"),
            at("DELETE", "delete", "thingGroupId"),
        ];
        let doc = document(&spec, "http://localhost/beta");
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.keys().collect::<Vec<_>>(), ["/things/{thingId}"]);
        let item = &paths["/things/{thingId}"];
        assert!(item["get"].is_object() && item["delete"].is_object());
        assert_eq!(item["delete"]["parameters"][0]["name"], "thingId");
    }

    /// String and enum arguments are quoted in the path, as OData writes their literals; a
    /// placeholder in a written call is typed by the parameter its argument names.
    #[test]
    fn function_arguments_are_written_and_typed_as_odata_reads_them() {
        let function = |name: &str, template: &str, placeholders: &[&str]| {
            operation(json!({
                "kind": "function", "method": "GET", "name": name,
                "paths": [{ "template": template, "parameters": placeholders }],
                "parameters": [{ "name": "platform", "type": "platformType" }, { "name": "bundleId", "type": "Edm.String" }, { "name": "top", "type": "Edm.Int32" }],
                "summary": "", "response": { "status": 200 }
            }))
        };
        let mut spec = Spec::new();
        spec.enums.insert(
            "platformType".to_owned(),
            serde_json::from_value(json!({ "members": [{ "name": "android", "value": 0 }], "source": { "file": "e.md", "line": 1 } })).unwrap(),
        );
        spec.operations = vec![
            function("forPlatform", "/apps/forPlatform", &[]),
            function(
                "counts",
                "/apps/counts(platform='{platform_value}')",
                &["platform_value"],
            ),
            function(
                "licenses",
                "/apps/licenses(bundleId={bundleId},top={top})",
                &["bundleId", "top"],
            ),
        ];
        let doc = document(&spec, "http://localhost/beta");
        let paths = doc["paths"].as_object().unwrap();
        let generated = "/apps/forPlatform(platform='{platform}',bundleId='{bundleId}',top={top})";
        let parameters = &paths[generated]["get"]["parameters"];
        assert_eq!(
            parameters[0]["schema"]["$ref"],
            "#/components/schemas/platformType"
        );
        let quoted = parameters[1]["schema"]["pattern"].as_str().unwrap();
        assert!(quoted.starts_with("^[^'/"), "{quoted}");
        assert_eq!(parameters[2]["schema"]["format"], "int32");
        let written = &paths["/apps/counts(platform='{platform_value}')"]["get"]["parameters"];
        assert_eq!(written[0]["name"], "platform_value");
        assert_eq!(
            written[0]["schema"]["$ref"],
            "#/components/schemas/platformType"
        );
        // A page that leaves a string's quotes out gets them: a bare `0` is a number in OData.
        assert!(paths.contains_key("/apps/licenses(bundleId='{bundleId}',top={top})"));
    }

    /// A body of a type with derived types: the base type's own variant needs no `@odata.type`
    /// (a body without one is of the declared type), each derived variant needs its own.
    #[test]
    fn only_derived_variants_require_their_odata_type() {
        let mut spec: Spec = serde_json::from_value(json!({
            "namespace": "microsoft.graph",
            "types": {
                "target": { "kind": "complex", "source": { "file": "t.md", "line": 1 } },
                "groupTarget": { "kind": "complex", "baseType": "target", "source": { "file": "g.md", "line": 1 } }
            }
        }))
        .unwrap();
        spec.operations.clear();
        let doc = document(&spec, "http://localhost/beta");
        let variants = &doc["components"]["schemas"]["target.write.polymorphic"]["oneOf"];
        assert!(variants[0].get("required").is_none());
        assert_eq!(variants[1]["required"], json!(["@odata.type"]));
    }

    /// A create whose page names no body type (Outlook's `message: move` reads as one) still
    /// takes a JSON body: the entity it answers, as the mock reads it; and any write's body is
    /// a JSON object.
    #[test]
    fn a_write_without_a_named_body_takes_its_entity() {
        let mut spec: Spec = serde_json::from_value(json!({
            "namespace": "microsoft.graph",
            "types": {
                "notebook": { "kind": "entity", "keyProperty": "id", "source": { "file": "n.md", "line": 1 } },
                "pageContent": { "kind": "complex", "undocumented": true, "source": { "file": "p.md", "line": 1 } }
            }
        }))
        .unwrap();
        spec.operations = vec![
            operation(json!({
                "kind": "create", "method": "POST",
                "paths": [{ "template": "/me/onenote/notebooks" }],
                "summary": "Create notebook", "response": { "status": 201, "body": { "type": "notebook" } }
            })),
            operation(json!({
                "kind": "update", "method": "PATCH",
                "paths": [{ "template": "/me/onenote/content" }],
                "requestBody": { "type": "pageContent" },
                "summary": "Update content", "response": { "status": 204 }
            })),
        ];
        let doc = document(&spec, "http://localhost/beta");
        let body = &doc["paths"]["/me/onenote/notebooks"]["post"]["requestBody"];
        assert_eq!(body["required"], true);
        assert_eq!(
            body["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/notebook.write"
        );
        // An undocumented type is any JSON, but a body is always an object.
        let body = &doc["paths"]["/me/onenote/content"]["patch"]["requestBody"];
        assert_eq!(
            body["content"]["application/json"]["schema"],
            json!({ "type": "object" })
        );
    }

    #[test]
    fn a_minimal_spec_gives_a_well_formed_document() {
        let spec = Spec::new();
        let doc = document(&spec, "http://localhost/beta");
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["components"]["schemas"]["ODataError"].is_object());
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
    }
}
