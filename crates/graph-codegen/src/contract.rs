//! The contract-test generator: one test per doc example, sent through the generated client to
//! the generated mock, expecting the documented status and body.
//!
//! - An example whose request the importer found invalid (the seed's `"state": "String"`) is
//!   checked the other way round: the mock must refuse it with a 400 naming the field.
//! - An example whose response breaks its own schema cannot be reproduced by a faithful server;
//!   its test is `#[ignore]`d with the defect as the reason, so it is counted as skipped.
//! - Values the server generates (`id` on create, `@odata.context`) are not compared.
//!
//! Whatever a path needs is seeded first: parents as `{"id": "p<n>"}`, and for get, update and
//! delete the entity itself, taken from the documented response.

use graph_spec::{Example, OperationKind, PathTemplate, Segment};
use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

mod skip;

pub use skip::{Skip, SkipKind};

use crate::CodegenError;
use crate::areas::Features;
use crate::builders::{self, Edge, Unit};
use crate::client::answered_as_value;
use crate::ir::{Ir, RouteIr};
use crate::layout;
use crate::model::rust_type;
use crate::names::{Scope, ident};

/// The runner's `src/lib.rs`: the crate's docs (its test target, `src/cases.rs`, runs).
pub fn lib_rs(spec_label: &str) -> TokenStream {
    let doc = format!(
        " The doc examples of `{spec_label}` as contract tests: each sends the documented \
         request through the generated client to the generated mock and expects the documented \
         answer. Run them with `cargo test`."
    );
    quote! {
        #![doc = #doc]
        //!
        //! Each area's cases are a crate of their own (`areas/<feature>`), which depends on the
        //! area's client crate and not on the mock; the test target `cases` runs them all
        //! against the mock, with graph-contract's runner.
    }
}

/// The runner's `src/cases.rs`: a test target without libtest's harness that runs the cases
/// of every unit whose area is turned on.
pub fn runner_rs(units: &[Unit]) -> TokenStream {
    let areas = units.iter().map(|unit| {
        let cfg = Features::area(&unit.feature).cfg();
        let area = ident(&layout::contract_area_crate(&unit.name));
        quote! { #cfg #area::cases }
    });
    quote! {
        //! Runs every area's contract cases against the generated mock.

        fn main() -> std::process::ExitCode {
            let areas: &[fn() -> Vec<graph_contract::Case>] = &[#(#areas),*];
            graph_contract::run(&graph_mock::API, areas)
        }
    }
}

/// The `src/lib.rs` of the contract cases of the unit `unit`.
pub fn area_lib_rs(spec_label: &str, unit: &str) -> TokenStream {
    let doc = format!(
        " The doc examples of the `{unit}` request builders of `{spec_label}` as contract cases, \
         run by the contract tests' runner."
    );
    quote! {
        #![doc = #doc]

        #[rustfmt::skip]
        mod cases;

        pub use cases::cases;
    }
}

/// What one doc example becomes: an async function of the harness, or the reason it is
/// skipped.
enum CaseCode {
    Runs(TokenStream),
    Skipped(Skip),
}

/// The name of every doc example's case, by route and example: claimed over every route, so
/// they are unique over the units and do not depend on which units are generated.
pub fn case_names(ir: &Ir) -> Vec<Vec<String>> {
    let mut scope = Scope::default();
    (ir.routes.iter())
        .map(|route| {
            let stem = route.const_name.to_snake_case();
            (1..=route.examples.len())
                .map(|n| scope.claim(&format!("{stem}_example_{n}")))
                .collect()
        })
        .collect()
}

/// The `src/cases.rs` of the unit `unit`: one case per doc example of each of its routes, named
/// as [`case_names`] says, and `cases()`, their list.
pub fn cases_rs(ir: &Ir, unit: &str, names: &[Vec<String>]) -> Result<TokenStream, CodegenError> {
    let (mut functions, mut list) = (Vec::new(), Vec::new());
    let routes = (ir.routes.iter().enumerate())
        .filter(|(_, route)| ir.builders[route.client.builder].unit == unit);
    for (index, route) in routes {
        for (name, example) in names[index].iter().zip(&route.examples) {
            let function = ident(name);
            match case(name, ir, index, example)? {
                CaseCode::Runs(code) => {
                    functions.push(code);
                    list.push(quote! { Case::new(#name, |h| Box::pin(#function(h))) });
                }
                CaseCode::Skipped(skip) => {
                    let reason = skip.to_string().chars().take(300).collect::<String>();
                    list.push(quote! { Case::skipped(#name, #reason) });
                }
            }
        }
    }
    let area = ident(&layout::client_area_crate(unit));
    Ok(quote! {
        //! Contract cases generated from the doc examples of the unit: one per example.
        #![allow(clippy::all, unused_imports, unused_variables, unused_mut)]

        use graph_contract::*;
        use #area as area;

        /// Every case of the unit, in the spec's order.
        pub fn cases() -> Vec<Case> {
            Vec::from([#(#list),*])
        }

        #(#functions)*
    })
}

/// `area::requests::A::new(&h.transport).b().by_id(k0)` for route `index`, from the top of its
/// unit (`A`), given one expression per key in the path (outermost first). Keys and key edges
/// come from the same template, so a mismatch is a codegen bug, reported as one.
fn receiver_chain(
    ir: &Ir,
    index: usize,
    keys: &[TokenStream],
) -> Result<TokenStream, CodegenError> {
    let route = &ir.routes[index];
    let mut keys = keys.iter();
    let mut steps = Vec::new();
    let path = builders::call_path(&ir.builders, &route.client);
    // The builders above the unit's top are another crate's, and have no keys.
    let top = (path.iter())
        .rposition(|&node| builders::unit_top(&ir.builders, node))
        .unwrap_or_default();
    for &node in &path[top..] {
        let builder = &ir.builders[node];
        let key = match &builder.edge {
            Edge::Key(name) => {
                let key = keys.next().ok_or_else(|| {
                    CodegenError::Unresolved(format!(
                        "no value for the key `{name}` of `{}` in its contract case",
                        route.path
                    ))
                })?;
                Some(key)
            }
            _ => None,
        };
        steps.push(match (steps.is_empty(), key) {
            // The area's top builder, made as `Client` makes it.
            (true, key) => {
                let name = ident(&builder.struct_name);
                let key = key.map(|key| quote! { , #key });
                quote! { area::requests::#name::new(&h.transport #key) }
            }
            (false, Some(key)) => {
                let method = ident(&builder.method);
                quote! { .#method(#key) }
            }
            (false, None) => {
                let method = ident(&builder.method);
                quote! { .#method() }
            }
        });
    }
    Ok(quote! { #(#steps)* })
}

/// One key a template needs: the collection it is in, its value, and the type a cast segment
/// right after it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    collection: String,
    value: String,
    cast: Option<String>,
}

/// Where a template's entities are stored: the keys it needs (outermost first) and the whole
/// storage path with the keys filled in. Type casts are not part of storage paths.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Storage {
    keys: Vec<Key>,
    path: String,
}

impl Storage {
    /// The collection the addressed entities live in: the last key's for an item, else the
    /// whole path.
    fn collection(&self, item: bool) -> &str {
        match self.keys.last() {
            Some(key) if item => &key.collection,
            _ => &self.path,
        }
    }
}

/// The storage of `template`, the last key being `entity_id` when given.
fn storage(template: &PathTemplate, entity_id: Option<&str>) -> Storage {
    let placeholders = template
        .segments()
        .iter()
        .filter(|s| matches!(s, Segment::Key(_)))
        .count();
    let mut path = String::new();
    let mut keys: Vec<Key> = Vec::new();
    let mut after_key = false;
    for segment in template.segments() {
        let is_key = matches!(segment, Segment::Key(_));
        match segment {
            Segment::Key(_) => {
                let is_last = keys.len() + 1 == placeholders;
                let value = match (is_last, entity_id) {
                    (true, Some(id)) => id.to_owned(),
                    _ => format!("p{}", keys.len()),
                };
                keys.push(Key {
                    collection: path.clone(),
                    value: value.clone(),
                    cast: None,
                });
                path = format!("{path}/{value}");
            }
            // A cast right after a key is the keyed entity's type; one after a single-valued
            // navigation (`.../identityCertificate/microsoft.graph.x/...`) is not a key's.
            Segment::Cast(qualified) if after_key => {
                if let Some(last) = keys.last_mut() {
                    last.cast = Some(qualified.clone());
                }
            }
            Segment::Cast(_) => {}
            Segment::Literal(name) | Segment::Function { name, .. } => {
                path = format!("{path}/{name}");
            }
        }
        after_key = is_key;
    }
    Storage { keys, path }
}

/// The entity as it was before an update: the documented entity (its state after the update)
/// without the properties the update sets, so that an update which ignored its body would leave
/// them missing; `{"id": entity_id}` when the doc shows none.
fn before_update(entity: Option<&Value>, update: Option<&Value>, entity_id: &str) -> Value {
    let Some(Value::Object(entity)) = entity else {
        return serde_json::json!({ "id": entity_id });
    };
    let mut before = entity.clone();
    for name in update
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|u| u.keys())
    {
        if name != "id" {
            before.remove(name);
        }
    }
    Value::Object(before)
}

/// The request path of `template` (relative to the base URL) with `keys` filled in, outermost
/// first, as the client would build it.
fn request_path(template: &PathTemplate, keys: &[Key]) -> String {
    let mut keys = keys.iter();
    let mut path = String::new();
    for segment in template.segments() {
        path.push('/');
        match segment {
            Segment::Key(_) => path.push_str(keys.next().map_or("", |k| k.value.as_str())),
            Segment::Cast(qualified) => path.push_str(qualified),
            Segment::Literal(name) | Segment::Function { name, .. } => path.push_str(name),
        }
    }
    path
}

/// The Graph name of the structured type a get or list answers, for checking the answer
/// against the schema.
fn answer_type<'a>(ir: &'a Ir, route: &RouteIr) -> Option<&'a str> {
    let rust_name = route.response.as_ref()?.ty.item_name()?;
    let structs = (ir.structs.iter()).map(|s| (&s.rust_name, &s.graph_name));
    let wrappers = (ir.polymorphic.iter()).map(|p| (&p.rust_name, &p.base_graph_name));
    (structs.chain(wrappers))
        .find(|(rust, _)| rust.as_str() == rust_name)
        .map(|(_, graph)| graph.as_str())
}

/// Whether some documented item has no `id` (so `seed_all` gives it one the doc does not show).
fn without_ids(items: &Value) -> bool {
    items
        .as_array()
        .is_some_and(|items| items.iter().any(|i| i.get("id").is_none()))
}

/// The entity a response example shows (get examples wrap it in `{"value": {...}}`).
fn documented_entity(example: &Example) -> Option<Value> {
    let body = example.response.as_ref()?.body.as_ref()?;
    Some(graph_spec::value_check::unwrap_entity(body).clone())
}

fn json_literal(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn ignored(kind: SkipKind, detail: impl Into<String>) -> CaseCode {
    CaseCode::Skipped(skip(kind, detail))
}

fn skip(kind: SkipKind, detail: impl Into<String>) -> Skip {
    Skip {
        kind,
        detail: detail.into(),
    }
}

/// One doc example's case: what every kind needs (where the addressed entity is stored, its
/// parents, the client call), then the case of the route's kind.
fn case(name: &str, ir: &Ir, index: usize, example: &Example) -> Result<CaseCode, CodegenError> {
    let route = &ir.routes[index];
    if route.client.builder == 0 {
        return Ok(ignored(
            SkipKind::ServiceRoot,
            "an operation at the service root, which no area's builders reach",
        ));
    }
    if let Some((path, message)) = example.response.as_ref().and_then(|r| r.violations.first()) {
        if example.request.violations.is_empty() {
            return Ok(ignored(
                SkipKind::ResponseBreaksSchema,
                format!("the response example breaks its schema at `{path}`: {message}"),
            ));
        }
    }
    let Addressed {
        item,
        singleton,
        entity,
        requested_id,
        entity_id,
    } = Addressed::by(route, example);
    let storage = storage(&route.path, item.then_some(entity_id.as_str()));
    let collection = storage.collection(item).to_owned();
    let keys = storage.keys;
    let parents: Vec<TokenStream> = keys
        .iter()
        .take(if item {
            keys.len().saturating_sub(1)
        } else {
            keys.len()
        })
        .map(seed_parent)
        .collect();
    // Where the addressed entity is seeded: by its id, or under the singleton key.
    let seed_key = if singleton {
        quote!(graph_contract::SINGLETON_KEY)
    } else {
        quote!(#entity_id)
    };
    let key_exprs: Vec<TokenStream> = keys
        .iter()
        .map(|k| {
            let v = &k.value;
            quote!(#v)
        })
        .collect();
    let receiver = receiver_chain(ir, index, &key_exprs)?;
    let method = ident(&route.client.method);
    let call = quote! { #receiver.#method };
    let status = u16::try_from(
        example
            .response
            .as_ref()
            .map_or(u32::from(route.status), |r| u32::from(r.status)),
    )
    .unwrap_or(route.status);
    if (300..400).contains(&status) && route.download.is_none() {
        return Ok(ignored(
            SkipKind::Redirect,
            format!("the documented answer is a {status} redirect"),
        ));
    }
    if route.reference {
        let body = match reference_body(route, example, &collection, &seed_key, &entity_id, &call) {
            Ok(body) => body,
            Err(skip) => return Ok(CaseCode::Skipped(skip)),
        };
        return Ok(test_case(&ident(name), &parents, body, status));
    }
    if example.request.url.contains("/$ref") {
        return Ok(ignored(
            SkipKind::RefOnUnlinkedPage,
            "a `$ref` request on a page that does not link an entity (see the defects)",
        ));
    }
    let name = ident(name);
    if route.delta {
        return Ok(delta_case(
            &name,
            example,
            &parents,
            &collection,
            &call,
            status,
        ));
    }
    // Calls, and downloads (a file's content is fetched like a call's answer).
    let Some(kind) = CrudKind::of(route.kind).filter(|_| route.download.is_none()) else {
        return Ok(call_case(
            &name,
            route,
            example,
            route.client.parameters_struct.as_deref(),
            &parents,
            &receiver,
            status,
        ));
    };
    let crud = Crud {
        ir,
        route,
        example,
        entity,
        entity_id,
        requested_id,
        collection,
        seed_key,
        call,
    };
    // The other way round: the doc's request is invalid, so the mock must refuse it.
    if !example.request.violations.is_empty() {
        return Ok(match crud.rejected(&name, &parents, &keys) {
            Ok(code) => CaseCode::Runs(code),
            Err(skip) => CaseCode::Skipped(skip),
        });
    }
    let body = match kind {
        CrudKind::Create => crud.create(),
        // A property's primitive value: `{"value": ...}`, which the client unwraps.
        CrudKind::Get if route.response.as_ref().is_some_and(answered_as_value) => crud.get_value(),
        CrudKind::Get => crud.get(),
        CrudKind::List => Ok(crud.list()),
        CrudKind::Update => crud.update(),
        CrudKind::Delete => Ok(crud.delete()),
    };
    Ok(match body {
        Ok(body) => test_case(&name, &parents, body, status),
        Err(skip) => CaseCode::Skipped(skip),
    })
}

/// The entity an example addresses.
struct Addressed<'a> {
    /// A get, update or delete of a collection's member (the path ends in its key).
    item: bool,
    /// A get, update or delete of a single-valued path (a singleton or navigation).
    singleton: bool,
    /// The entity the response example shows.
    entity: Option<Value>,
    /// The id an update's request body names.
    requested_id: Option<&'a str>,
    /// The entity's id: the documented one, else the one the update's request names, else `e0`.
    entity_id: String,
}

impl<'a> Addressed<'a> {
    fn by(route: &RouteIr, example: &'a Example) -> Self {
        let addresses_one = matches!(
            route.kind,
            OperationKind::Get | OperationKind::Update | OperationKind::Delete
        );
        let last_is_key = (route.path.segments().iter())
            .rfind(|s| !matches!(s, Segment::Cast(_)))
            .is_some_and(|s| matches!(s, Segment::Key(_)));
        let entity = documented_entity(example);
        // An update's request may name the entity's id where its response shows none.
        let requested_id = (example.request.body.as_ref())
            .filter(|_| route.kind == OperationKind::Update)
            .and_then(|b| b.get("id"))
            .and_then(Value::as_str);
        let entity_id = (entity.as_ref())
            .and_then(|e| e.get("id"))
            .and_then(Value::as_str)
            .or(requested_id)
            .unwrap_or("e0")
            .to_owned();
        Self {
            item: addresses_one && last_is_key,
            singleton: addresses_one && !last_is_key,
            entity,
            requested_id,
            entity_id,
        }
    }
}

/// Seeds a parent a path goes through; one reached through a type cast must be of that type.
fn seed_parent(key: &Key) -> TokenStream {
    let (collection, value) = (&key.collection, &key.value);
    match &key.cast {
        Some(cast) => {
            let odata_type = format!("#{cast}");
            quote! { h.seed(#collection, serde_json::json!({ "@odata.type": #odata_type, "id": #value })); }
        }
        None => quote! { h.seed(#collection, serde_json::json!({ "id": #value })); },
    }
}

/// The operation kinds whose cases go through [`Crud`] (calls have [`call_case`]).
#[derive(Clone, Copy)]
enum CrudKind {
    Create,
    Get,
    List,
    Update,
    Delete,
}

impl CrudKind {
    fn of(kind: OperationKind) -> Option<Self> {
        match kind {
            OperationKind::Create => Some(Self::Create),
            OperationKind::Get => Some(Self::Get),
            OperationKind::List => Some(Self::List),
            OperationKind::Update => Some(Self::Update),
            OperationKind::Delete => Some(Self::Delete),
            OperationKind::Action | OperationKind::Function => None,
        }
    }
}

/// What a create, read, update or delete case knows of its example: the entity it addresses,
/// where that is stored, and the client call that reaches it. Each method gives the test's
/// body, or why the example cannot be one.
struct Crud<'a> {
    ir: &'a Ir,
    route: &'a RouteIr,
    example: &'a Example,
    /// The entity the response example shows.
    entity: Option<Value>,
    /// Its id: the documented one, else the one the update's request names, else `e0`.
    entity_id: String,
    /// The id an update's request body names.
    requested_id: Option<&'a str>,
    /// The storage collection it is seeded in.
    collection: String,
    /// Its key there: its id, or the singleton key.
    seed_key: TokenStream,
    /// The client's request method, ready to be called.
    call: TokenStream,
}

impl Crud<'_> {
    /// The model path the request body types are under.
    fn prefix() -> TokenStream {
        quote!(area::model::)
    }

    /// The documented entity as JSON text, `null` where there is none.
    fn expected(&self) -> String {
        (self.entity.as_ref().map(json_literal)).unwrap_or_else(|| "null".to_owned())
    }

    /// The example's request body as JSON text.
    fn request_json(&self) -> Option<String> {
        self.example.request.body.as_ref().map(json_literal)
    }

    /// A whole test for an example whose request the importer found invalid: the mock must
    /// refuse it, sent as it is and (where it decodes) through the typed client.
    fn rejected(
        &self,
        name: &proc_macro2::Ident,
        parents: &[TokenStream],
        keys: &[Key],
    ) -> Result<TokenStream, Skip> {
        let (Some(request_json), Some(body_type)) =
            (self.request_json(), body_type(self.route, &Self::prefix()))
        else {
            return Err(skip(
                SkipKind::InvalidWithoutBody,
                "an invalid example without a request body",
            ));
        };
        let fields = violated_fields(self.example);
        let method = self.route.method.as_str();
        let path = request_path(&self.route.path, keys);
        let call = &self.call;
        Ok(quote! {
            async fn #name(h: Harness) {
                #(#parents)*
                // The doc's JSON as it is, past the typed client: the mock refuses it too.
                expect_rejected(h.send_json(#method, #path, #request_json).await, #fields);
                match decode::<#body_type>(#request_json) {
                    Err(error) => assert_names_one_of(&error, #fields),
                    Ok(body) => expect_rejected(#call(&body).await, #fields),
                }
            }
        })
    }

    fn create(&self) -> Result<TokenStream, Skip> {
        let Some(body_type) = body_type(self.route, &Self::prefix()) else {
            return Err(skip(
                SkipKind::CreateWithoutBodyType,
                "a create without a request body type",
            ));
        };
        let Some(request_json) = self.request_json() else {
            return Err(skip(
                SkipKind::CreateWithoutBody,
                "a create example without a request body",
            ));
        };
        // A write-only property (a secret) is sent but never echoed: the created entity and
        // the doc's answer are compared without it, and it must not come back as sent.
        let sent = self.example.request.body.as_ref();
        let secrets = write_only_fields(self.ir, self.route, sent);
        let compared = |body: Option<&Value>| {
            let mut body = body.cloned().unwrap_or(Value::Null);
            if let Value::Object(object) = &mut body {
                object.retain(|key, _| !secrets.contains(&key.as_str()));
            }
            json_literal(&body)
        };
        let (request_compared, expected_compared) =
            (compared(sent), compared(self.entity.as_ref()));
        let withheld = secrets.iter().filter_map(|key| {
            let value = json_literal(sent?.get(*key)?);
            Some(quote! { assert_withheld(&created, #key, #value); })
        });
        let call = &self.call;
        Ok(quote! {
            let body: #body_type = decode(#request_json).expect("the example request decodes");
            let created = #call(&body).await.expect("the mock accepts the documented request");
            assert_created(&created, #request_compared, #expected_compared);
            #(#withheld)*
        })
    }

    /// A get of a property's primitive value, answered as `{"value": ...}`.
    fn get_value(&self) -> Result<TokenStream, Skip> {
        let Some(body) = (self.example.response.as_ref()).and_then(|r| r.body.as_ref()) else {
            return Err(skip(
                SkipKind::GetWithoutEntity,
                "the example shows no value to compare with",
            ));
        };
        let value = body.get("value").cloned().unwrap_or(Value::Null);
        let seeded = json_literal(&serde_json::json!({ "value": value }));
        let expected = json_literal(&value);
        let (collection, seed_key, call) = (&self.collection, &self.seed_key, &self.call);
        Ok(quote! {
            h.seed_at(#collection, #seed_key, json(#seeded));
            let fetched = #call().await.expect("the documented value is served");
            assert_same(&fetched, #expected, false);
        })
    }

    fn get(&self) -> Result<TokenStream, Skip> {
        if !self.entity.as_ref().is_some_and(Value::is_object) {
            return Err(skip(
                SkipKind::GetWithoutEntity,
                "the example shows no entity to compare with",
            ));
        }
        let conforms = answer_type(self.ir, self.route)
            .map(|ty| quote! { assert_conforms(&h, &fetched, #ty, false); });
        let (collection, seed_key, call, expected) = (
            &self.collection,
            &self.seed_key,
            &self.call,
            self.expected(),
        );
        Ok(quote! {
            h.seed_at(#collection, #seed_key, json(#expected));
            let fetched = #call().await.expect("the documented entity is served");
            assert_same(&fetched, #expected, false);
            #conforms
        })
    }

    fn list(&self) -> TokenStream {
        let items = (self.example.response.as_ref())
            .and_then(|r| r.body.as_ref())
            .and_then(|b| b.get("value"))
            .cloned()
            .unwrap_or(Value::Array(Vec::new()));
        // Items the doc shows without an id are seeded with one; the comparison ignores it.
        let ignore_id = without_ids(&items);
        let items = json_literal(&items);
        let conforms = answer_type(self.ir, self.route)
            .map(|ty| quote! { assert_conforms(&h, &page.value, #ty, #ignore_id); });
        let (collection, call) = (&self.collection, &self.call);
        quote! {
            seed_all(&h, #collection, #items);
            let page = #call().send().await.expect("the documented collection is served");
            assert_same(&page.value, #items, #ignore_id);
            #conforms
        }
    }

    fn update(&self) -> Result<TokenStream, Skip> {
        let Some(update_type) = self.route.update_type.as_ref().map(|u| ident(u)) else {
            return Err(skip(
                SkipKind::UpdateWithoutType,
                "an update without an update type",
            ));
        };
        if self.requested_id.is_some_and(|id| id != self.entity_id) {
            return Err(skip(
                SkipKind::UpdateChangesId,
                "the update example changes the entity's `id`, which the service refuses",
            ));
        }
        let request_json = self.request_json().unwrap_or_else(|| "{}".to_owned());
        let seeded = json_literal(&before_update(
            self.entity.as_ref(),
            self.example.request.body.as_ref(),
            &self.entity_id,
        ));
        let expected = self.expected();
        let check = match (&self.route.response, &self.entity) {
            (Some(_), Some(Value::Object(_))) => {
                quote! { assert_same(&updated, #expected, false); }
            }
            // The doc shows no body to compare with; the status is still checked.
            (Some(_), _) => quote! { let _ = updated; },
            (None, _) => quote! { let () = updated; },
        };
        let prefix = Self::prefix();
        let (collection, seed_key, call) = (&self.collection, &self.seed_key, &self.call);
        Ok(quote! {
            h.seed_at(#collection, #seed_key, json(#seeded));
            let patch: #prefix #update_type = decode(#request_json).expect("the example request decodes");
            let updated = #call(&patch).await.expect("the mock accepts the documented update");
            assert_updated(&h, #collection, #seed_key, #seeded, &patch);
            #check
        })
    }

    fn delete(&self) -> TokenStream {
        let (collection, seed_key, call, entity_id) = (
            &self.collection,
            &self.seed_key,
            &self.call,
            &self.entity_id,
        );
        quote! {
            h.seed_at(#collection, #seed_key, serde_json::json!({ "id": #entity_id }));
            #call().await.expect("the seeded entity is deleted");
            assert_deleted(&h, #collection, #seed_key);
        }
    }
}

/// A contract test: the harness started, the parents seeded, `body`, then the documented status.
fn test_case(
    name: &proc_macro2::Ident,
    parents: &[TokenStream],
    body: TokenStream,
    status: u16,
) -> CaseCode {
    CaseCode::Runs(quote! {
        async fn #name(h: Harness) {
            #(#parents)*
            #body
            assert_eq!(h.last_status(), Some(#status), "the documented status");
        }
    })
}

/// The body of a `$ref` example's test: the entity its `@odata.id` link names is seeded where
/// the link says (an add or a set), or the link itself is (a delete), and the client's
/// `add_ref`, `set_ref` or `delete_ref` is called. An example without a link is skipped, as
/// returned.
fn reference_body(
    route: &RouteIr,
    example: &Example,
    collection: &str,
    seed_key: &TokenStream,
    entity_id: &str,
    call: &TokenStream,
) -> Result<TokenStream, Skip> {
    if route.kind == OperationKind::Delete {
        return Ok(quote! {
            h.seed_at(#collection, #seed_key, serde_json::json!({ "id": #entity_id }));
            #call().await.expect("the seeded link is removed");
            assert_deleted(&h, #collection, #seed_key);
        });
    }
    let link = (example.request.body.as_ref())
        .and_then(|b| b.get("@odata.id"))
        .and_then(Value::as_str)
        .ok_or_else(|| Skip {
            kind: SkipKind::RefWithoutLink,
            detail: "the `$ref` example has no `@odata.id` link".to_owned(),
        })?;
    // `https://graph.microsoft.com/beta/directoryObjects/{id}`: the entity `{id}` of
    // `/directoryObjects`.
    let path = link.split(['?', '#']).next().unwrap_or_default();
    let (head, target_id) = path
        .trim_end_matches('/')
        .rsplit_once('/')
        .unwrap_or(("", path));
    let target_collection = format!("/{}", head.rsplit('/').next().unwrap_or_default());
    Ok(quote! {
        h.seed(#target_collection, serde_json::json!({ "id": #target_id }));
        #call(#link).await.expect("the mock links the documented entity");
    })
}

/// A collection's delta function: the documented items are seeded into the collection it
/// tracks, and the first round must report them as they are (removed items, which a first
/// round never has, are not seeded).
fn delta_case(
    name: &proc_macro2::Ident,
    example: &Example,
    parents: &[TokenStream],
    collection: &str,
    call: &TokenStream,
    status: u16,
) -> CaseCode {
    let tracked = collection
        .rsplit_once('/')
        .map_or(collection, |(tracked, _)| tracked);
    let items: Vec<Value> = (example.response.as_ref())
        .and_then(|r| r.body.as_ref())
        .and_then(|b| b.get("value"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|item| item.get("@removed").is_none())
        .cloned()
        .collect();
    let items = Value::Array(items);
    let ignore_id = without_ids(&items);
    let items = json_literal(&items);
    let body = quote! {
        seed_all(&h, #tracked, #items);
        let page = #call().await.expect("the mock answers the documented delta query");
        assert_same(&changed(page), #items, #ignore_id);
    };
    test_case(name, parents, body, status)
}

/// An action or function: the doc's arguments go through the typed parameters struct, and the
/// answer must be the documented one.
fn call_case(
    name: &proc_macro2::Ident,
    route: &RouteIr,
    example: &Example,
    parameter_struct: Option<&str>,
    parents: &[TokenStream],
    receiver: &TokenStream,
    status: u16,
) -> CaseCode {
    let method = ident(&route.client.method);
    let call = &quote! { #receiver.#method };
    let arguments = match route.kind {
        OperationKind::Function => {
            let last = example
                .request
                .path
                .split('?')
                .next()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or_default();
            let inside = last
                .split_once('(')
                .and_then(|(_, rest)| rest.strip_suffix(')'))
                .unwrap_or("");
            match graph_spec::literals::parse_function_arguments(inside) {
                Ok(arguments) => Value::Object(arguments),
                Err(reason) => {
                    return ignored(
                        SkipKind::UnparsableArguments,
                        format!("the example's function arguments do not parse: {reason}"),
                    );
                }
            }
        }
        _ => example
            .request
            .body
            .clone()
            .unwrap_or(Value::Object(serde_json::Map::new())),
    };
    let (setup, argument) = match parameter_struct {
        Some(parameters) => {
            let parameters = ident(parameters);
            let arguments = json_literal(&arguments);
            (
                quote! { let parameters: area::requests::#parameters = decode(#arguments).expect("the example's arguments decode"); },
                quote! { &parameters },
            )
        }
        None => (quote! {}, quote! {}),
    };
    // The other way round: the doc's arguments are invalid, so the typed parameters refuse them
    // or, when they decode, the mock must.
    if !example.request.violations.is_empty() {
        let Some(parameters) = parameter_struct else {
            return ignored(
                SkipKind::UndeclaredArguments,
                "the example passes arguments the page does not declare, which the typed client cannot send",
            );
        };
        let fields = violated_fields(example);
        let parameters = ident(parameters);
        let arguments = json_literal(&arguments);
        let refused = quote! {
            match decode::<area::requests::#parameters>(#arguments) {
                Err(error) => assert_names_one_of(&error, #fields),
                Ok(parameters) => expect_rejected(#call(&parameters).await, #fields),
            }
        };
        return CaseCode::Runs(quote! {
            async fn #name(h: Harness) {
                #(#parents)*
                #refused
            }
        });
    }
    let documented = example
        .response
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .filter(|_| route.status != 204);
    if let Some(download) = &route.download {
        let check = match (status, documented, &download.json) {
            (302, _, _) => {
                let columns = &download.csv_columns;
                quote! {
                    let content = #call(#argument).await.expect("the download is served");
                    assert_downloaded(&h, &content, &[#(#columns),*]);
                }
            }
            (200, Some(body), Some(_)) => {
                let json_method = ident(&format!("{}_json", route.client.method));
                let expected = json_literal(body.get("value").unwrap_or(body));
                quote! {
                    let answer = #receiver.#json_method(#argument).await.expect("the mock answers the report as JSON");
                    assert_same(&answer, #expected, false);
                    assert_eq!(h.last_status(), Some(200), "the documented status");
                }
            }
            _ => {
                return ignored(
                    SkipKind::UnrecognisedDownload,
                    "a download example that is neither the redirect nor a JSON answer",
                );
            }
        };
        return CaseCode::Runs(quote! {
            async fn #name(h: Harness) {
                #(#parents)*
                #setup
                #check
            }
        });
    }
    let check = match (route.response.as_ref(), documented) {
        (Some(response), Some(body)) => {
            let expected = if answered_as_value(response) {
                body.get("value").cloned().unwrap_or(Value::Null)
            } else {
                // Like get examples, some wrap a single value in {"value": {...}}.
                graph_spec::value_check::unwrap_entity(body).clone()
            };
            let expected = json_literal(&expected);
            quote! { assert_same(&answer, #expected, false); }
        }
        _ => quote! { let _ = answer; },
    };
    let body = quote! {
        #setup
        let answer = #call(#argument).await.expect("the mock answers the documented call");
        #check
    };
    test_case(name, parents, body, status)
}

/// The paths the importer found wrong in an example's request (`settings.isRemovable`), as a
/// `&[...]` literal: the mock, which stops at the first fault it meets, must name one of them.
fn violated_fields(example: &Example) -> TokenStream {
    let paths = example.request.violations.iter().map(|(path, _)| path);
    quote! { &[#(#paths),*] }
}

/// The JSON names of the write-only fields of what a create sends: of the route's entity, or
/// of the derived type the request's `@odata.type` names.
fn write_only_fields<'a>(ir: &'a Ir, route: &RouteIr, sent: Option<&Value>) -> Vec<&'a str> {
    let derived = (sent
        .and_then(|b| b.get("@odata.type"))
        .and_then(Value::as_str))
    .map(graph_spec::relative_type_name);
    (ir.structs.iter())
        .filter(|s| {
            route.entity_struct.as_deref() == Some(s.rust_name.as_str())
                || derived == Some(s.graph_name.as_str())
        })
        .flat_map(|s| &s.fields)
        .filter(|f| f.write_only)
        .map(|f| f.json_name.as_str())
        .collect()
}

fn body_type(route: &RouteIr, prefix: &TokenStream) -> Option<TokenStream> {
    match (&route.update_type, &route.request_type) {
        (Some(update), _) => {
            let update = ident(update);
            Some(quote!(#prefix #update))
        }
        (None, Some(ty)) => Some(rust_type(ty, false, false, prefix)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_collections() {
        let item = PathTemplate::parse("/a/{aId}/microsoft.graph.t/b/{bId}").unwrap();
        let k = storage(&item, Some("e1"));
        let key = |c: &str, v: &str, cast: Option<&str>| Key {
            collection: c.into(),
            value: v.into(),
            cast: cast.map(Into::into),
        };
        assert_eq!(
            k.keys,
            [
                key("/a", "p0", Some("microsoft.graph.t")),
                key("/a/p0/b", "e1", None)
            ]
        );
        assert_eq!(k.collection(true), "/a/p0/b");
        let collection = PathTemplate::parse("/a/{aId}/b").unwrap();
        let list = storage(&collection, None);
        assert_eq!(list.collection(false), "/a/p0/b");
        // A cast after a single-valued navigation is not the key's type.
        let nested =
            PathTemplate::parse("/a/{aId}/microsoft.graph.t/n/microsoft.graph.u/c").unwrap();
        let k = storage(&nested, None);
        assert_eq!(k.keys, [key("/a", "p0", Some("microsoft.graph.t"))]);
    }
}
