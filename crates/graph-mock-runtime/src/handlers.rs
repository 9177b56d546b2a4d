//! The hand-written behaviour behind every generated route: one entry point, [`serve`], that
//! authenticates, parses the query, resolves the path against the store, validates bodies with
//! the model's schema and answers the way Graph does.

use axum::body::Bytes;
use axum::extract::{RawPathParams, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use graph_odata::Schema;
use serde_json::{Map, Value};

use crate::AppState;
use crate::calls::{self, FunctionArguments};
use crate::count::CountRequest;
use crate::error::ApiError;
use crate::json::push_string;
use crate::listing::ListRequest;
use crate::middleware::Served;
use crate::operation::{Kind, OperationMeta};
use crate::query::{self, Allowed, Expand, QueryOptions};
use crate::references::ReferenceRequest;
use crate::resource::Resource;
use crate::resource::SINGLETON_KEY;
use crate::store::{Entity, StoreError, StoredEntity};

/// Serves one request for `operation`.
pub async fn serve(
    State(state): State<AppState>,
    params: RawPathParams,
    request: Request,
    operation: &'static OperationMeta,
) -> Response {
    let fault = match state.faults.is_active() {
        true => state.faults.apply(&operation.key()).await.err(),
        false => None,
    };
    let outcome = match fault {
        Some(fault) => Err(fault),
        None => handle(&state, &params, request, operation).await,
    };
    let mut response = match outcome {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    response.extensions_mut().insert(Served(operation));
    response
}

async fn handle(
    state: &AppState,
    params: &RawPathParams,
    request: Request,
    operation: &'static OperationMeta,
) -> Result<Response, ApiError> {
    crate::auth::check(state.config.auth, request.headers(), operation)?;
    // Everything below works in the token's tenant.
    let state = &state.for_request(request.headers())?;
    let kinds = crate::schema_view::property_kinds(state.api.schema(), &operation.entity_type);
    let documented = state.api.documented(operation);
    // A download (a usage report, a file's content) answers with a redirect to its file.
    let download = documented.filter(|op| op.response.download.is_some());
    let allowed = match operation.kind {
        _ if download.is_some() => Allowed::Download,
        Kind::List => Allowed::Collection {
            search: documented.is_some_and(|op| op.query_options.iter().any(|o| o == "$search")),
        },
        Kind::Get => Allowed::Single,
        _ if state.api.is_delta(operation) => Allowed::Delta,
        _ => Allowed::None,
    };
    // The method of a request whose path ended in `/$ref`.
    let reference = (request.extensions().get::<ReferenceRequest>()).map(|r| r.method.clone());
    let linking = reference.is_some();
    if !crate::references::serves(state.api, operation, linking) {
        return Err(crate::references::method_not_allowed(
            state.api,
            &operation.route,
            linking,
        ));
    }
    // A call (`.../f(x=1)`) is a function's (or an action's, where a page writes its
    // parameters in the path): a create, read, update or delete at its route is not called.
    let calling = request.extensions().get::<FunctionArguments>().is_some();
    if calling && !matches!(operation.kind, Kind::Function | Kind::Action) {
        let path = request.uri().path();
        let name = path.rsplit('/').next().unwrap_or(path);
        return Err(calls::not_a_function(state.api, &operation.route, name));
    }
    // A path that ended in `/$count` counts a collection; nothing else has a count.
    let counting = request.extensions().get::<CountRequest>().is_some();
    if counting && operation.kind != Kind::List {
        return Err(ApiError::not_found(
            "Resource not found for the segment '$count'.",
        ));
    }
    let options = query::parse(request.uri().query(), allowed, &kinds)?;
    if let Some(documented) = documented {
        crate::search::check_consistency(documented, &options, counting, request.headers())?;
    }
    let values: Vec<&str> = params.iter().map(|(_, value)| value).collect();
    let resource = Resource::resolve(operation, &values, &state.store)?;
    let base_url = base_url(&request, &state.base_path);
    let context = Context {
        state,
        operation,
        resource,
        base_url,
    };
    // A delete of the link is the plain delete of what is stored under the path.
    if let Some(method) = reference.filter(|method| method != Method::DELETE) {
        return context.reference(&method, request).await;
    }

    if counting {
        return context.count(&options);
    }

    match operation.kind {
        Kind::Create => {
            let body = read_json_object(request, state.config.max_body).await?;
            context.create(body).await
        }
        Kind::List => context.list(&options, request.uri().query()),
        Kind::Get => match download {
            Some(documented) => {
                context.parent_exists()?;
                context.download(documented, &options)
            }
            None => context.get(&options),
        },
        Kind::Update => {
            let body = read_json_object(request, state.config.max_body).await?;
            context.update(body).await
        }
        Kind::Delete => context.delete().await,
        Kind::Function if state.api.is_delta(operation) => {
            context.delta(&options, request.uri().query(), request.headers())
        }
        Kind::Action | Kind::Function => {
            let documented = documented.ok_or_else(|| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerError",
                    "The operation table does not match the schema.",
                )
            })?;
            let arguments = match (
                operation.kind,
                request.extensions().get::<FunctionArguments>(),
            ) {
                (Kind::Function, Some(arguments)) => calls::parse_arguments(&arguments.0)?,
                (Kind::Action, _) if request_has_body(request.headers()) => {
                    read_json_object(request, state.config.max_body).await?
                }
                // An action with parameters takes them as a JSON object, if only `{}`.
                (Kind::Action, _) if !documented.parameters.is_empty() => {
                    return Err(ApiError::bad_request(
                        "Empty Payload. JSON content expected.",
                    ));
                }
                _ => Map::new(),
            };
            calls::check_arguments(state.api.schema(), documented, &arguments)?;
            context.parent_exists()?;
            match download {
                Some(documented) => context.download(documented, &options),
                None => Ok(calls::documented_response(
                    documented,
                    operation.status,
                    context.context_url(false, None),
                )),
            }
        }
    }
}

/// `http://host/beta` (or `https://`), from the request's scheme and host.
pub(crate) fn base_url(request: &Request, base_path: &str) -> String {
    let host = request_host(request).unwrap_or("localhost");
    concat(&[crate::tls::scheme(request.extensions()), host, base_path])
}

/// The host (and port) the client addressed: HTTP/1.1's `Host` header, or over HTTP/2 the
/// `:authority`, which hyper puts in the URI (such a request has no `Host` header).
pub(crate) fn request_host(request: &Request) -> Option<&str> {
    (request.headers().get(header::HOST))
        .and_then(|host| host.to_str().ok())
        .or_else(|| {
            request
                .uri()
                .authority()
                .map(|authority| authority.as_str())
        })
}

/// The pieces joined, in one allocation (what `format!` would make, without its machinery:
/// these run on every request).
fn concat(pieces: &[&str]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
    out
}

fn request_has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::CONTENT_TYPE)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v != "0")
}

/// Reads a JSON object body: 415 without a JSON content type, 413 past `limit`, 400 for anything
/// that is not a JSON object.
pub async fn read_json_object(
    request: Request,
    limit: usize,
) -> Result<Map<String, Value>, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!(
                "The request body must be sent with Content-Type: application/json (got '{content_type}')."
            ),
        ));
    }
    // The middleware has already refused declared or actual bodies past the limit; this
    // bound keeps the handler safe when the router is used without it.
    let bytes: Bytes = axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| ApiError::too_large(limit))?;
    crate::json::parse_object(&bytes)
}

/// One request's resolved state.
pub(crate) struct Context<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) operation: &'static OperationMeta,
    pub(crate) resource: Resource,
    pub(crate) base_url: String,
}

impl Context<'_> {
    fn schema(&self) -> &'static Schema {
        self.state.api.schema()
    }

    /// A download's answer: its content as JSON for `$format=application/json` where the doc
    /// documents that, else a `302 Found` to the file on this mock (see [`calls::download_file`]).
    /// A report takes `text/csv` or `application/json` only; a file's `format` (a conversion
    /// target, `pdf`) is not checked.
    fn download(
        &self,
        documented: &graph_spec::Operation,
        options: &QueryOptions,
    ) -> Result<Response, ApiError> {
        let format = options.format.as_deref();
        let json = (documented.response.download.as_ref()).and_then(|d| d.json.as_ref());
        if let Some(shape) = json {
            match format {
                Some("application/json" | "json") => {
                    return Ok(calls::documented_body(
                        documented,
                        shape,
                        StatusCode::OK,
                        self.context_url(false, None),
                    ));
                }
                None | Some("text/csv" | "csv") => {}
                Some(other) => {
                    return Err(ApiError::bad_request(format!(
                        "The value '{other}' of '$format' is not a supported format: use text/csv or application/json."
                    )));
                }
            }
        }
        let index = self.operation.operation.to_string();
        let file = concat(&[&self.base_url, calls::DOWNLOADS, "/", &index]);
        Ok(calls::redirect(&file))
    }

    pub(crate) fn parent_exists(&self) -> Result<(), ApiError> {
        for ancestor in &self.resource.ancestors {
            let found = self.state.store.get(&ancestor.collection, &ancestor.id)?;
            let fits = found.as_ref().is_some_and(|e| {
                ancestor
                    .cast
                    .as_deref()
                    .is_none_or(|cast| is_of_type(self.schema(), e, cast))
            });
            if !fits {
                return Err(ApiError::not_found(format!(
                    "Resource not found for the segment '{}' with key '{}'.",
                    last_segment(&ancestor.collection),
                    ancestor.id
                )));
            }
        }
        Ok(())
    }

    /// The addressed entity, or for a singleton never written yet, its empty default.
    fn addressed(&self) -> Result<Entity, ApiError> {
        let found = self
            .state
            .store
            .get(&self.resource.collection, self.resource.id()?)?;
        match found {
            Some(entity)
                if self
                    .resource
                    .cast
                    .as_deref()
                    .is_none_or(|cast| is_of_type(self.schema(), &entity, cast)) =>
            {
                Ok(entity)
            }
            None if self.resource.singleton
                && crate::references::is_link_property(self.state.api, self.operation) =>
            {
                Err(crate::references::unset_link(&self.resource.collection))
            }
            None if self.resource.singleton => {
                Ok(StoredEntity::from_map(&self.singleton_default()))
            }
            _ => Err(self.not_found()),
        }
    }

    /// `#<namespace>.<type>`: the `@odata.type` of the operation's own type, in the spec's
    /// namespace.
    fn odata_type(&self) -> String {
        let namespace = &self.state.api.schema().namespace;
        concat(&["#", namespace, ".", &self.operation.entity_type])
    }

    fn singleton_default(&self) -> Map<String, Value> {
        let mut entity = Map::new();
        entity.insert("@odata.type".to_owned(), Value::String(self.odata_type()));
        entity
    }

    fn validate(&self, body: &Map<String, Value>) -> Result<(), ApiError> {
        let violations = self
            .state
            .api
            .schema()
            .check_write_object(&self.operation.entity_type, body);
        match violations.into_iter().next() {
            Some(first) => Err(ApiError::bad_request(first.message)),
            None => Ok(()),
        }
    }

    /// `<base>/$metadata#<path>[(selected,...)][/$entity]`, as OData writes it.
    pub(crate) fn context_url(&self, entity: bool, select: Option<&[String]>) -> String {
        let suffix = if entity { "/$entity" } else { "" };
        let selected = select.map(|fields| ["(", &fields.join(","), ")"].concat());
        concat(&[
            &self.base_url,
            "/$metadata#",
            &self.resource.context_path(),
            selected.as_deref().unwrap_or(""),
            suffix,
        ])
    }

    async fn create(&self, mut body: Map<String, Value>) -> Result<Response, ApiError> {
        self.validate(&body)?;
        self.parent_exists()?;
        let id = match body.remove("id") {
            Some(Value::String(id)) if !id.is_empty() => id,
            _ => uuid::Uuid::new_v4().to_string(),
        };
        // Graph writes the type and the key first.
        let odata_type = body
            .remove("@odata.type")
            .unwrap_or_else(|| Value::String(self.odata_type()));
        let mut entity = Map::with_capacity(body.len() + 2);
        entity.insert("@odata.type".to_owned(), odata_type);
        entity.insert("id".to_owned(), Value::String(id.clone()));
        entity.extend(body);
        let stored = self
            .state
            .store
            .insert(&self.resource.collection, &id, entity)
            .await
            .map_err(|error| match error {
                StoreError::Conflict => ApiError::conflict(format!(
                    "An entity with id '{id}' already exists in '{}'.",
                    last_segment(&self.resource.collection)
                )),
                other => other.into(),
            })?;
        let location = concat(&[&self.base_url, &self.resource.collection, "/", &id]);
        let mut response = self.entity_response(&stored, None, self.withheld(&stored, false));
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        Ok(response)
    }

    fn get(&self, options: &QueryOptions) -> Result<Response, ApiError> {
        self.parent_exists()?;
        let entity = self.addressed()?;
        let withheld = self.withheld(&entity, true);
        if options.expand.is_empty() {
            return Ok(self.entity_response(&entity, options.select.as_deref(), withheld));
        }
        let children = if self.resource.singleton {
            self.resource.collection.clone()
        } else {
            concat(&[&self.resource.collection, "/", self.resource.id()?])
        };
        let expanded = self.with_expanded(&entity, &children, &options.expand)?;
        Ok(self.entity_response(&expanded, selection(options).as_deref(), withheld))
    }

    /// `entity` with its `$expand`ed navigation properties embedded, each read from where its
    /// items are stored: the contained collection `children/<property>` (a single-valued one
    /// under the singleton key). What cannot be expanded is a 400 naming it, as Graph answers.
    fn with_expanded(
        &self,
        entity: &StoredEntity,
        children: &str,
        expand: &[Expand],
    ) -> Result<StoredEntity, ApiError> {
        let schema = self.schema();
        let declared = self.operation.entity_type.as_str();
        // A derived entity (by its `@odata.type`) has its own navigation properties too.
        let actual = type_name(entity)
            .filter(|t| schema.ancestry(t).contains(&declared))
            .unwrap_or_else(|| declared.to_owned());
        let qualified = concat(&[&schema.namespace, ".", &actual]);
        let mut object = entity.to_map();
        for item in expand {
            let Some(navigation) = schema
                .all_navigation(&actual)
                .into_iter()
                .find(|n| n.name == item.property)
            else {
                let structural = schema
                    .all_properties(&actual)
                    .iter()
                    .any(|p| p.name == item.property);
                return Err(ApiError::bad_request(if structural {
                    format!(
                        "Property '{}' on type '{qualified}' is not a navigation property or complex property. Only navigation properties can be expanded.",
                        item.property
                    )
                } else {
                    format!(
                        "Could not find a property named '{}' on type '{qualified}'.",
                        item.property
                    )
                }));
            };
            let target = navigation.type_ref.named().unwrap_or_default();
            if let Some(unknown) = item
                .select
                .iter()
                .flatten()
                .find(|p| !schema.all_properties(target).iter().any(|q| &q.name == *p))
            {
                return Err(ApiError::bad_request(format!(
                    "Could not find a property named '{unknown}' on type '{}.{target}'.",
                    schema.namespace
                )));
            }
            let pick = |e: &StoredEntity| -> Value {
                let map = e.to_map();
                Value::Object(match &item.select {
                    None => map,
                    Some(fields) => map
                        .into_iter()
                        .filter(|(k, _)| k.starts_with('@') || fields.contains(k))
                        .collect(),
                })
            };
            let collection = concat(&[children, "/", &navigation.name]);
            let value = if navigation.collection {
                let mut items = Vec::new();
                self.state.store.scan(&collection, None, &mut |_, e| {
                    items.push(pick(e));
                    true
                })?;
                Value::Array(items)
            } else {
                self.state
                    .store
                    .get(&collection, SINGLETON_KEY)?
                    .map_or(Value::Null, |e| pick(&e))
            };
            object.insert(navigation.name.clone(), value);
        }
        Ok(StoredEntity::from_map(&object))
    }

    async fn update(&self, mut body: Map<String, Value>) -> Result<Response, ApiError> {
        self.validate(&body)?;
        // `"id": null` (schema-valid where the docs give `id` no key annotation) changes
        // nothing; as a merge patch it would remove the stored id.
        if body.get("id").is_some_and(Value::is_null) {
            body.remove("id");
        }
        self.parent_exists()?;
        // Only a cast needs the entity read first (to check its type): the store's update
        // answers a missing entity itself.
        if self.resource.cast.is_some() {
            self.addressed()?;
        }
        let id = self.resource.id()?;
        // A singleton's key is no property of it: its `id` may be anything. A missing entity is
        // a 404 before this 400, as on Graph.
        if !self.resource.singleton && body.get("id").is_some_and(|new| new.as_str() != Some(id)) {
            self.addressed()?;
            return Err(ApiError::bad_request(
                "The property 'id' cannot be changed.",
            ));
        }
        if self.resource.singleton {
            // A singleton exists before its first write; an insert that loses a race is fine.
            let _ = self
                .state
                .store
                .insert(&self.resource.collection, id, self.singleton_default())
                .await;
        }
        let updated = match self
            .state
            .store
            .update(&self.resource.collection, id, &body)
            .await
        {
            Ok(updated) => updated,
            Err(StoreError::NotFound) => return Err(self.not_found()),
            Err(error) => return Err(error.into()),
        };
        let store = self.state.store.as_ref();
        crate::references::follow_update(store, &self.resource.collection, id, &body).await?;
        if self.operation.status == 204 {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        Ok(self.entity_response(&updated, None, self.withheld(&updated, false)))
    }

    async fn delete(&self) -> Result<Response, ApiError> {
        self.parent_exists()?;
        if self.resource.cast.is_some() {
            self.addressed()?;
        }
        let (store, id) = (self.state.store.as_ref(), self.resource.id()?);
        match store.delete(&self.resource.collection, id).await {
            // The documented status: 204 for Intune, 200 on a few pages.
            Ok(()) => {
                crate::references::follow_delete(store, &self.resource.collection, id).await?;
                Ok(StatusCode::from_u16(self.operation.status)
                    .unwrap_or(StatusCode::NO_CONTENT)
                    .into_response())
            }
            Err(StoreError::NotFound) => Err(self.not_found()),
            Err(error) => Err(error.into()),
        }
    }

    /// `GET <collection>/$count`: how many items match `$filter`, as a plain number.
    fn count(&self, options: &QueryOptions) -> Result<Response, ApiError> {
        self.parent_exists()?;
        let page = self.state.store.list(
            &self.resource.collection,
            ListRequest {
                filter: options.filter.as_ref(),
                order_by: &[],
                skip: 0,
                token: None,
                page_size: 0,
            },
        )?;
        let text_plain = HeaderValue::from_static("text/plain; charset=utf-8");
        Ok(([(header::CONTENT_TYPE, text_plain)], page.total.to_string()).into_response())
    }

    fn list(&self, options: &QueryOptions, raw_query: Option<&str>) -> Result<Response, ApiError> {
        self.parent_exists()?;
        let token = (options.skip_token.as_deref())
            .map(|text| query::SkipToken::verify(text, &self.state.tenant, self.state.token_key))
            .transpose()?;
        let page = self.state.store.list(
            &self.resource.collection,
            ListRequest {
                filter: options.filter.as_ref(),
                order_by: &options.order_by,
                skip: options.skip,
                token,
                page_size: options.top.map_or(self.state.config.page_size, |top| {
                    top.min(self.state.config.max_page_size)
                }),
            },
        )?;
        let next = page.next.map(|token| {
            state_link(
                &self.base_url,
                &self.resource.collection,
                raw_query,
                Some((
                    "$skiptoken",
                    &(self.state.tenant).sign(self.state.token_key, &token.encode()),
                )),
            )
        });
        let mut body = String::with_capacity(
            page.items.iter().map(|e| e.json().len() + 1).sum::<usize>() + 256,
        );
        body.push_str("{\"@odata.context\":");
        push_string(
            &mut body,
            &self.context_url(false, options.select.as_deref()),
        );
        if options.count {
            body.push_str(&format!(",\"@odata.count\":{}", page.total));
        }
        body.push_str(",\"value\":[");
        for (n, item) in page.items.iter().enumerate() {
            if n > 0 {
                body.push(',');
            }
            let withheld = self.withheld(item, true);
            if options.expand.is_empty() {
                write_entity(&mut body, None, item, options.select.as_deref(), withheld);
            } else {
                let id = item.get("id").and_then(|v| v.as_str().map(str::to_owned));
                let children =
                    concat(&[&self.resource.collection, "/", id.as_deref().unwrap_or("")]);
                let expanded = self.with_expanded(item, &children, &options.expand)?;
                write_entity(
                    &mut body,
                    None,
                    &expanded,
                    selection(options).as_deref(),
                    withheld,
                );
            }
        }
        body.push(']');
        if let Some(next) = &next {
            body.push_str(",\"@odata.nextLink\":");
            push_string(&mut body, next);
        }
        body.push('}');
        let status = StatusCode::from_u16(self.operation.status).unwrap_or(StatusCode::OK);
        Ok(json_response(status, body))
    }

    /// `entity` as the answer, with `fields` if `$select` named some, less what is `withheld`.
    fn entity_response(
        &self,
        entity: &StoredEntity,
        fields: Option<&[String]>,
        withheld: Withheld<'_>,
    ) -> Response {
        let status = StatusCode::from_u16(self.operation.status).unwrap_or(StatusCode::OK);
        let context = self.context_url(true, fields);
        let mut body = String::with_capacity(entity.json().len() + context.len() + 24);
        write_entity(&mut body, Some(&context), entity, fields, withheld);
        json_response(status, body)
    }

    /// What an answer holds back of `entity`, by its type (its `@odata.type`, else the
    /// operation's): its write-only properties always; on a `read`, also the properties it
    /// returns only on `$select` and those only another version served declares
    /// ([`AppState::hidden`]). A write's answer otherwise echoes what was written.
    pub(crate) fn withheld(&self, entity: &StoredEntity, read: bool) -> Withheld<'_> {
        let (hidden, write_only) = (self.state.hidden(), self.state.write_only());
        let secrets = write_only.under.contains(&self.operation.entity_type);
        if (hidden.is_empty() || !read) && !secrets {
            return Withheld::default();
        }
        let name = type_name(entity);
        let name = name.as_deref().unwrap_or(&self.operation.entity_type);
        Withheld {
            hidden: match read {
                true => hidden.get(name).map_or(&[], Vec::as_slice),
                false => &[],
            },
            write_only: (write_only.by_type.get(name)).map_or(&[], Vec::as_slice),
        }
    }

    fn not_found(&self) -> ApiError {
        let id = self.resource.id().unwrap_or_default();
        ApiError::not_found(format!(
            "The {} with id '{id}' was not found.",
            self.operation.entity_type
        ))
    }
}

/// What `$select` keeps once `$expand` has added its properties: they stay too.
fn selection(options: &QueryOptions) -> Option<Vec<String>> {
    options.select.as_ref().map(|fields| {
        fields
            .iter()
            .cloned()
            .chain(options.expand.iter().map(|e| e.property.clone()))
            .collect()
    })
}

/// Whether a stored entity's `@odata.type` is `wanted` or derived from it.
fn is_of_type(schema: &Schema, entity: &StoredEntity, wanted: &str) -> bool {
    type_name(entity).is_some_and(|actual| schema.ancestry(&actual).contains(&wanted))
}

/// The spec name of an entity's `@odata.type` (`#microsoft.graph.x` → `x`,
/// `#microsoft.graph.callRecords.session` → `callRecords.session`).
fn type_name(entity: &StoredEntity) -> Option<String> {
    match entity.get("@odata.type") {
        Some(Value::String(text)) => Some(graph_odata::relative_type_name(&text).to_owned()),
        _ => None,
    }
}

/// What an answer holds back of an entity (see `Handler::withheld`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Withheld<'a> {
    /// Left out unless `$select` names them.
    pub hidden: &'a [String],
    /// Never shown as written: replaced by their mask, or left out.
    pub write_only: &'a [graph_odata::WriteOnlyProperty],
}

/// Writes an entity as a JSON object: `@odata.context` first (when given), then its properties.
/// With `$select`, only the selected properties (and annotations such as `@odata.type`) are
/// written; without, all but the hidden ones. Write-only properties show their mask, or
/// nothing. With nothing withheld the stored text is copied as it is, never parsed.
pub(crate) fn write_entity(
    out: &mut String,
    context: Option<&str>,
    entity: &StoredEntity,
    fields: Option<&[String]>,
    withheld: Withheld<'_>,
) {
    let keep = |key: &str| match fields {
        Some(fields) => key.starts_with('@') || fields.iter().any(|f| f == key),
        None => !withheld.hidden.iter().any(|h| h == key),
    };
    let selected;
    let json = if fields.is_none() && withheld.hidden.is_empty() && withheld.write_only.is_empty() {
        entity.json()
    } else {
        let mut kept: Map<String, Value> = entity
            .to_map()
            .into_iter()
            .filter(|(key, _)| keep(key))
            .collect();
        for property in withheld.write_only {
            match (kept.get_mut(&property.name), &property.mask) {
                (Some(Value::Null) | None, _) => {}
                (Some(value), Some(mask)) => *value = Value::String(mask.clone()),
                (Some(_), None) => {
                    kept.remove(&property.name);
                }
            }
        }
        selected = serde_json::to_string(&kept).unwrap_or_else(|_| "{}".to_owned());
        &selected
    };
    let Some(context) = context else {
        out.push_str(json);
        return;
    };
    out.push_str("{\"@odata.context\":");
    push_string(out, context);
    let rest = json.strip_prefix('{').unwrap_or("}").trim_start();
    if !rest.starts_with('}') {
        out.push(',');
    }
    out.push_str(rest);
}

/// A JSON answer, built directly: through `IntoResponse` for a tuple, the body first sets a
/// `text/plain` content type that the header then replaces.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(axum::body::Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The absolute URL of `path` with the request's query options but its old state token
/// (`$skiptoken`, `$deltatoken`), plus `token` (its name and value) if given: the next page of a
/// list, or a delta link.
pub(crate) fn state_link(
    base_url: &str,
    path: &str,
    raw_query: Option<&str>,
    token: Option<(&str, &str)>,
) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(raw_query.unwrap_or("").as_bytes()) {
        let name = key.trim_start_matches('$');
        if name.eq_ignore_ascii_case("skiptoken") || name.eq_ignore_ascii_case("deltatoken") {
            continue;
        }
        serializer.append_pair(&key, &value);
    }
    if let Some((name, value)) = token {
        serializer.append_pair(name, value);
    }
    let query = serializer.finish();
    match query.is_empty() {
        true => concat(&[base_url, path]),
        false => concat(&[base_url, path, "?", &query]),
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
