//! The client's request-builder tree, part of the IR.
//!
//! Every path prefix of an operation becomes a builder (`DeviceManagementRequest`,
//! `DeviceManagementDomainJoinConnectorsRequest`, `...ItemRequest`) reached from its parent by a
//! method named after the segment, `by_id(..)` for a key, or `as_<type>()` for a type cast. Every
//! route is claimed by the builder of its prefix under one method name (`list`, `create`, `get`,
//! `update`, `delete`, or the action's or function's name), and an action or function with
//! parameters gets a parameters struct. It is all decided here, once: the client and the
//! contract-test generators only print it.

use std::collections::BTreeMap;

use graph_spec::{OperationKind, Segment};
use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};

use crate::ir::RouteIr;
use crate::names::{self, Scope};

/// How a builder is reached from its parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    /// The root: the client itself.
    Root,
    /// A fixed segment, by its name.
    Segment(String),
    /// A key, by its placeholder's name.
    Key(String),
    /// A type cast, by its qualified type name.
    Cast(String),
}

/// One builder: a URL prefix.
#[derive(Debug)]
pub struct BuilderIr {
    /// How its parent reaches it.
    pub edge: Edge,
    /// The method that reaches it from its parent.
    pub method: String,
    /// The parent builder (the root is its own parent).
    pub parent: usize,
    /// The Rust struct, `Client` for the root.
    pub struct_name: String,
    /// The prefix it addresses, e.g. `/deviceManagement/domainJoinConnectors/{id}`.
    pub template: String,
    /// Its children, by segment (`{}` for a key).
    pub children: BTreeMap<String, usize>,
    /// The routes it claims, by index.
    pub routes: Vec<usize>,
    /// The cargo feature of its area (empty for the root): see [`crate::areas`].
    pub feature: String,
    /// The crate it is generated into ([`Unit`]): its area's, or for a large area, that of
    /// one of its largest subtrees (empty for the root).
    pub unit: String,
}

/// An area with at least this many routes is generated as several crates, so that a change to a
/// type rebuilds only the parts of the area that use it (on the whole beta, `deviceManagement`
/// holds 36% of the routes and 73% of the doc examples): each subtree of its top builder with
/// at least [`UNIT_ROUTES`] routes gets its own, the smaller subtrees share one (`<area>-rest`),
/// and the top builder keeps its own routes. The top's crate uses every other (its navigation
/// returns their builders), so it holds as little as possible.
pub const SPLIT_AREA_ROUTES: usize = 200;

/// The smallest subtree of a split area that gets a crate of its own.
pub const UNIT_ROUTES: usize = 20;

/// A crate of the client's request builders, and of the contract cases of their routes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    /// Its name: the area's feature (`device-management`), or for a subtree of a split area,
    /// the feature and the subtree's segment (`device-management-device-configurations`).
    pub name: String,
    /// The feature of its area, which compiles it.
    pub feature: String,
}

/// Every unit of the builders, sorted by name.
pub fn units(builders: &[BuilderIr]) -> Vec<Unit> {
    let units: std::collections::BTreeSet<Unit> = (builders.iter().skip(1))
        .map(|node| Unit {
            name: node.unit.clone(),
            feature: node.feature.clone(),
        })
        .collect();
    units.into_iter().collect()
}

/// Whether builder `index` is the top of its unit: its crate makes it from a transport alone
/// (its path has no keys), as `Client` or the builder above it in another unit does.
pub fn unit_top(builders: &[BuilderIr], index: usize) -> bool {
    let node = &builders[index];
    index != 0 && (node.parent == 0 || builders[node.parent].unit != node.unit)
}

/// The path of builder `index` when no key is on the way to it (`/deviceManagement/intents`).
pub fn fixed_path(builders: &[BuilderIr], index: usize) -> Option<String> {
    let mut segments = Vec::new();
    let mut node = index;
    while node != 0 {
        match &builders[node].edge {
            Edge::Segment(segment) | Edge::Cast(segment) => segments.push(segment.as_str()),
            Edge::Key(_) | Edge::Root => return None,
        }
        node = builders[node].parent;
    }
    segments.reverse();
    Some(format!("/{}", segments.join("/")))
}

/// Gives every builder its unit: its area's, unless it is in a large subtree of a large area.
fn assign_units(nodes: &mut [BuilderIr]) {
    // Children come after their parents, so one pass from the end sums each subtree.
    let mut routes: Vec<usize> = nodes.iter().map(|n| n.routes.len()).collect();
    for index in (1..nodes.len()).rev() {
        routes[nodes[index].parent] += routes[index];
    }
    for index in 1..nodes.len() {
        let parent = nodes[index].parent;
        nodes[index].unit = if parent == 0 {
            nodes[index].feature.clone()
        } else {
            nodes[parent].unit.clone()
        };
    }
    let features: std::collections::BTreeSet<String> =
        nodes.iter().map(|n| n.feature.clone()).collect();
    let tops: Vec<usize> = nodes[0].children.values().copied().collect();
    for top in tops {
        // Only a keyless top is split, so that every unit's top has a fixed path.
        if routes[top] < SPLIT_AREA_ROUTES || !matches!(nodes[top].edge, Edge::Segment(_)) {
            continue;
        }
        let feature = nodes[top].feature.clone();
        let rest = format!("{feature}-rest");
        if features.contains(&rest) {
            continue;
        }
        let children: Vec<usize> = nodes[top].children.values().copied().collect();
        for child in children {
            let own = match &nodes[child].edge {
                Edge::Segment(segment) => format!("{feature}-{}", segment.to_kebab_case()),
                _ => rest.clone(),
            };
            let taken = features.contains(&own) || own == rest;
            let unit = match routes[child] >= UNIT_ROUTES && !taken {
                true => own,
                false => rest.clone(),
            };
            // The rest's tops need fixed paths too: a key below the area's top stays with it.
            if unit == rest && !matches!(nodes[child].edge, Edge::Segment(_) | Edge::Cast(_)) {
                continue;
            }
            let mut pending = vec![child];
            while let Some(node) = pending.pop() {
                nodes[node].unit = unit.clone();
                pending.extend(nodes[node].children.values().copied());
            }
        }
    }
}

/// Where a route lives in the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientMethodIr {
    /// The builder that has the method.
    pub builder: usize,
    /// The method's name.
    pub method: String,
    /// The parameters struct of an action or function that has parameters.
    pub parameters_struct: Option<String>,
}

/// The builders of `routes` (the root first) and, for each route, its method.
pub fn build(routes_ir: &[RouteIr]) -> (Vec<BuilderIr>, Vec<ClientMethodIr>) {
    let mut nodes = tree(routes_ir);
    let mut routes = vec![(0, String::new()); routes_ir.len()];
    for index in 0..nodes.len() {
        let mut scope = Scope::with_reserved(&["batch", "builder", "new", "path", "transport"]);
        for &r in &nodes[index].routes {
            routes[r] = (index, scope.claim(&wanted_method(&routes_ir[r])));
        }
        let children: Vec<usize> = nodes[index].children.values().copied().collect();
        for child in children {
            let wanted = match &nodes[child].edge {
                Edge::Segment(segment) => names::field_name(segment),
                Edge::Key(_) => "by_id".to_owned(),
                Edge::Cast(cast) => format!(
                    "as_{}",
                    graph_spec::relative_type_name(cast).to_snake_case()
                ),
                Edge::Root => unreachable!("the root is nobody's child"),
            };
            nodes[child].method = scope.claim(&wanted);
        }
    }
    let reserved: Vec<&str> = nodes.iter().map(|n| n.struct_name.as_str()).collect();
    let mut struct_names = Scope::with_reserved(&reserved);
    let parameter_structs: Vec<Option<String>> = routes_ir
        .iter()
        .zip(&routes)
        .map(|(route, (node, _))| {
            let callable = matches!(route.kind, OperationKind::Action | OperationKind::Function);
            (callable && !route.parameters.is_empty()).then(|| {
                let owner = nodes[*node].struct_name.trim_end_matches("Request");
                let action = route
                    .name
                    .rsplit('.')
                    .next()
                    .unwrap_or(&route.name)
                    .to_upper_camel_case();
                struct_names.claim(&format!("{owner}{action}Parameters"))
            })
        })
        .collect();
    assign_units(&mut nodes);
    let methods = routes
        .into_iter()
        .zip(parameter_structs)
        .map(|((builder, method), parameters_struct)| ClientMethodIr {
            builder,
            method,
            parameters_struct,
        })
        .collect();
    (nodes, methods)
}

fn wanted_method(route: &RouteIr) -> String {
    match route.kind {
        // `$ref`: a link to an existing entity, added, set or removed.
        OperationKind::Create if route.reference => "add_ref".to_owned(),
        OperationKind::Update if route.reference => "set_ref".to_owned(),
        OperationKind::Delete if route.reference => "delete_ref".to_owned(),
        OperationKind::List => "list".to_owned(),
        OperationKind::Get => "get".to_owned(),
        OperationKind::Delete => "delete".to_owned(),
        OperationKind::Create => "create".to_owned(),
        OperationKind::Update => "update".to_owned(),
        OperationKind::Action | OperationKind::Function => {
            names::field_name(route.name.rsplit('.').next().unwrap_or(&route.name))
        }
    }
}

fn tree(routes: &[RouteIr]) -> Vec<BuilderIr> {
    let root = BuilderIr {
        edge: Edge::Root,
        method: String::new(),
        parent: 0,
        struct_name: "Client".into(),
        template: String::new(),
        children: BTreeMap::new(),
        routes: Vec::new(),
        feature: String::new(),
        unit: String::new(),
    };
    let mut nodes = vec![root];
    let mut names = Scope::with_reserved(&[
        "Batch",
        "Client",
        "ClientBuilder",
        "Error",
        "GetRequest",
        "ListRequest",
        "Request",
        "Transport",
    ]);
    for (index, route) in routes.iter().enumerate() {
        let mut segments = route.path.segments();
        if matches!(route.kind, OperationKind::Action | OperationKind::Function) {
            segments = segments.split_last().map_or(segments, |(_, rest)| rest);
        }
        let mut current = 0;
        let mut words = Vec::new();
        for segment in segments {
            let (key, edge, word) = match segment {
                Segment::Key(name) => ("{}".to_owned(), Edge::Key(name.clone()), "Item".to_owned()),
                Segment::Cast(qualified) => (
                    qualified.clone(),
                    Edge::Cast(qualified.clone()),
                    format!(
                        "As{}",
                        segment
                            .cast_type()
                            .unwrap_or(qualified)
                            .to_upper_camel_case()
                    ),
                ),
                // A function call inside a path is navigated by its name; its arguments are
                // not modelled yet.
                Segment::Literal(name) | Segment::Function { name, .. } => (
                    name.clone(),
                    Edge::Segment(name.clone()),
                    name.to_upper_camel_case(),
                ),
            };
            words.push(word);
            let template = format!("{}/{segment}", nodes[current].template);
            current = match nodes[current].children.get(&key) {
                Some(&child) => child,
                None => {
                    let struct_name = names.claim(&format!("{}Request", words.concat()));
                    let parent = current;
                    nodes.push(BuilderIr {
                        edge,
                        method: String::new(),
                        parent,
                        struct_name,
                        template,
                        children: BTreeMap::new(),
                        routes: Vec::new(),
                        feature: route.feature.clone(),
                        unit: String::new(),
                    });
                    let child = nodes.len() - 1;
                    nodes[parent].children.insert(key, child);
                    child
                }
            };
        }
        nodes[current].routes.push(index);
    }
    nodes
}

/// The builders a call passes through to reach `method`, from the root's child down to the one
/// that has it.
pub fn call_path(builders: &[BuilderIr], method: &ClientMethodIr) -> Vec<usize> {
    let mut path = Vec::new();
    let mut node = method.builder;
    while node != 0 {
        path.push(node);
        node = builders[node].parent;
    }
    path.reverse();
    path
}
