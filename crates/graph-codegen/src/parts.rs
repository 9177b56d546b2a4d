//! Model parts: the model's items split into small crates, so that a change to one type
//! recompiles the part that holds it and the parts that use it, not the whole model (on the
//! whole Graph beta the model is one of the largest crates of the build).
//!
//! The model crate itself is a facade that re-exports every part, so its users see one crate.
//!
//! - A part holds items of one feature set ([`crate::areas`]), so an area feature compiles
//!   whole parts or none, and nothing inside a part is gated.
//! - Items are grouped by their users: the client crates ([`crate::builders::Unit`]) whose
//!   requests reach them. A change to an item then rebuilds only the client crates (and their
//!   contract cases) that can see it: on the whole beta, a change to the `deviceManagement`
//!   type no longer rebuilds every `deviceManagement` crate because it shared a part with types
//!   they all use.
//! - Items are placed by level, dependencies first (mutually recursive items kept together),
//!   and each group is cut into parts of at most [`PART_SIZE`] items. The cut counts items, not
//!   fields, so adding a property to a type moves nothing between parts.
//! - An item's features and users include those of every item that uses it, so a part uses
//!   parts of its own group placed before it, and parts whose feature set and users include its
//!   own: parts never form a cycle.
//! - Small parts of one feature set and depth are then merged while their users together stay
//!   few ([`merge_small`]); [`split`] checks that the parts still form no cycle.

use std::collections::{BTreeMap, BTreeSet};

use crate::CodegenError;
use crate::areas::Features;
use crate::ir::Ir;

/// At most this many items (structs, polymorphic wrappers, enums) in one part, unless more
/// items than that use each other (they get a part of their own): small enough that a part
/// builds in a few seconds, large enough that the parts' own overhead (one rustc run each)
/// stays small.
pub const PART_SIZE: usize = 64;

/// One generated item of the model, by its index in its [`Ir`] list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Item {
    /// `ir.structs[i]`, with its update struct.
    Struct(usize),
    /// `ir.polymorphic[i]`.
    Polymorphic(usize),
    /// `ir.enums[i]`.
    Enum(usize),
}

/// One part of the model: a crate of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The features that compile it, shared by all its items.
    pub features: Features,
    /// Its items, dependencies first.
    pub items: Vec<Item>,
    /// The parts its items use, by index.
    pub dependencies: BTreeSet<usize>,
}

/// Splits the model's items into parts; see the module docs.
pub fn split(ir: &Ir) -> Result<Vec<Part>, CodegenError> {
    let graph = ItemGraph::new(ir);
    let components = graph.components_by_level();
    let users = graph.users(&components);
    let mut parts: Vec<Part> = Vec::new();
    // The part being filled for each feature set and set of users.
    let mut open: BTreeMap<(&[String], &BTreeSet<&str>), usize> = BTreeMap::new();
    let mut part_of = vec![usize::MAX; graph.items.len()];
    let mut part_users: Vec<&BTreeSet<&str>> = Vec::new();
    for component in components {
        let features = graph.features(component[0]);
        let key = (features.0.as_slice(), &users[component[0]]);
        let index = match open.get(&key) {
            Some(&index) if parts[index].items.len() + component.len() <= PART_SIZE => index,
            _ => {
                parts.push(Part {
                    features: features.clone(),
                    items: Vec::new(),
                    dependencies: BTreeSet::new(),
                });
                part_users.push(key.1);
                open.insert(key, parts.len() - 1);
                parts.len() - 1
            }
        };
        for &node in &component {
            part_of[node] = index;
            parts[index].items.push(graph.items[node]);
        }
    }
    for (node, edges) in graph.edges.iter().enumerate() {
        for &used in edges {
            let (from, to) = (part_of[node], part_of[used]);
            if from != to {
                parts[from].dependencies.insert(to);
            }
        }
    }
    let depths = part_depths(&parts)?;
    let parts = merge_small(parts, &depths, &part_users);
    part_depths(&parts)?;
    Ok(parts)
}

/// Parts of fewer items than this are merged with other small parts of their feature set and
/// depth (see [`merge_small`]).
pub const SMALL_PART: usize = PART_SIZE / 4;

/// Small parts are merged only while their users together are at most this many client
/// crates, so that a change to a merged item rebuilds at most a few crates it cannot reach.
pub const MERGED_USERS: usize = 8;

/// Merges the small parts that share a feature set and a depth, up to [`PART_SIZE`] items and
/// [`MERGED_USERS`] users each. Grouping items by their users leaves many parts of one or two
/// items, each a crate of its own (one rustc run, its own metadata to load): on the whole beta
/// 364 parts, which made one area's cold build a tenth slower; merged, 295. No part uses another
/// of its own depth, so merging them cannot make a cycle: every dependency still goes to a lower
/// depth.
fn merge_small(parts: Vec<Part>, depths: &[usize], users: &[&BTreeSet<&str>]) -> Vec<Part> {
    /// Small parts being merged into the first of them.
    struct Bin<'a> {
        first: usize,
        items: usize,
        users: BTreeSet<&'a str>,
    }
    // For each part, the part it goes into: itself, or the first small part it merges with.
    let mut into: Vec<usize> = (0..parts.len()).collect();
    let mut bins: BTreeMap<(&[String], usize), Vec<Bin>> = BTreeMap::new();
    for (index, part) in parts.iter().enumerate() {
        let (size, part_users) = (part.items.len(), users[index]);
        if size >= SMALL_PART {
            continue;
        }
        let bins = (bins.entry((part.features.0.as_slice(), depths[index]))).or_default();
        let fits = |bin: &&mut Bin| {
            bin.items + size <= PART_SIZE && bin.users.union(part_users).count() <= MERGED_USERS
        };
        match bins.iter_mut().find(fits) {
            Some(bin) => {
                into[index] = bin.first;
                bin.items += size;
                bin.users.extend(part_users.iter().copied());
            }
            None => bins.push(Bin {
                first: index,
                items: size,
                users: part_users.clone(),
            }),
        }
    }
    // The kept parts, renumbered in their order.
    let mut number = vec![usize::MAX; parts.len()];
    let mut merged: Vec<Part> = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        if into[index] == index {
            number[index] = merged.len();
            merged.push(Part {
                features: part.features.clone(),
                items: Vec::new(),
                dependencies: BTreeSet::new(),
            });
        }
    }
    for (index, part) in parts.into_iter().enumerate() {
        let target = number[into[index]];
        merged[target].items.extend(part.items);
        let dependencies = part.dependencies.iter().map(|&d| number[into[d]]);
        (merged[target].dependencies).extend(dependencies.filter(|&d| d != target));
    }
    merged
}

/// The part that holds each item, by the Rust names it defines (a struct's own and its update
/// struct's, a wrapper's, an enum's).
pub fn part_by_name<'a>(ir: &'a Ir, parts: &[Part]) -> BTreeMap<&'a str, usize> {
    let mut by_name = BTreeMap::new();
    for (index, part) in parts.iter().enumerate() {
        for &item in &part.items {
            by_name.insert(rust_name(ir, item), index);
            if let Item::Struct(i) = item {
                if let Some(update) = &ir.structs[i].update_name {
                    by_name.insert(update.as_str(), index);
                }
            }
        }
    }
    by_name
}

/// The model's items and what each one's code names.
struct ItemGraph<'a> {
    ir: &'a Ir,
    items: Vec<Item>,
    /// Each item's index in `items`, by its Rust name.
    node_of: BTreeMap<&'a str, usize>,
    /// For each item, the items it names, by index in `items`.
    edges: Vec<Vec<usize>>,
}

impl<'a> ItemGraph<'a> {
    fn new(ir: &'a Ir) -> ItemGraph<'a> {
        let items: Vec<Item> = (0..ir.structs.len())
            .map(Item::Struct)
            .chain((0..ir.polymorphic.len()).map(Item::Polymorphic))
            .chain((0..ir.enums.len()).map(Item::Enum))
            .collect();
        let node_of: BTreeMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(node, &item)| (rust_name(ir, item), node))
            .collect();
        let node = |name: &str| node_of.get(name).copied();
        let edges = items
            .iter()
            .map(|item| {
                let used: BTreeSet<usize> = match *item {
                    Item::Struct(i) => ir.structs[i]
                        .fields
                        .iter()
                        .filter_map(|f| node(f.ty.item_name()?))
                        .collect(),
                    Item::Polymorphic(i) => ir.polymorphic[i]
                        .variants
                        .iter()
                        .filter_map(|(_, rust)| node(rust))
                        .collect(),
                    Item::Enum(_) => BTreeSet::new(),
                };
                used.into_iter().collect()
            })
            .collect();
        ItemGraph {
            ir,
            items,
            node_of,
            edges,
        }
    }

    fn features(&self, node: usize) -> &'a Features {
        match self.items[node] {
            Item::Struct(i) => &self.ir.structs[i].features,
            Item::Polymorphic(i) => &self.ir.polymorphic[i].features,
            Item::Enum(i) => &self.ir.enums[i].features,
        }
    }

    /// For each item, the units (client crates, see [`crate::builders::Unit`]) whose requests
    /// reach it: name it, or name an item that uses it. `components` must be by level.
    fn users(&self, components: &[Vec<usize>]) -> Vec<BTreeSet<&'a str>> {
        let mut users = vec![BTreeSet::new(); self.items.len()];
        for route in &self.ir.routes {
            let unit = self.ir.builders[route.client.builder].unit.as_str();
            for name in route.named_items() {
                if let Some(&node) = self.node_of.get(name) {
                    users[node].insert(unit);
                }
            }
        }
        // An item's users reach what it uses: users first, so every level above is complete.
        for component in components.iter().rev() {
            let all: BTreeSet<&str> = component
                .iter()
                .flat_map(|&n| users[n].iter().copied())
                .collect();
            for &node in component {
                users[node].clone_from(&all);
                for &used in &self.edges[node] {
                    users[used].extend(all.iter().copied());
                }
            }
        }
        users
    }

    /// The strongly connected components by level: those that use nothing else first (level 0),
    /// then those that use only level 0, and so on, each level in Tarjan's order. Parts filled
    /// in this order depend only on parts of lower levels, so a change rebuilds a chain of parts
    /// no longer than the type graph is deep, where Tarjan's order alone made each part of a
    /// large feature set use the one before it (on the whole beta, a chain of 14 Intune parts).
    fn components_by_level(&self) -> Vec<Vec<usize>> {
        let components = self.components();
        let mut component_of = vec![0; self.items.len()];
        for (index, component) in components.iter().enumerate() {
            for &node in component {
                component_of[node] = index;
            }
        }
        // Tarjan's order puts every component after those it uses.
        let mut level = vec![0usize; components.len()];
        for (index, component) in components.iter().enumerate() {
            let used = component.iter().flat_map(|&node| &self.edges[node]);
            level[index] = used
                .map(|&used| component_of[used])
                .filter(|&other| other != index)
                .map(|other| level[other] + 1)
                .max()
                .unwrap_or(0);
        }
        let mut order: Vec<usize> = (0..components.len()).collect();
        order.sort_by_key(|&index| level[index]);
        let mut components: Vec<Option<Vec<usize>>> = components.into_iter().map(Some).collect();
        order
            .into_iter()
            .filter_map(|index| components[index].take())
            .collect()
    }

    /// The strongly connected components, each after every component it uses (Tarjan's order),
    /// computed without recursion.
    fn components(&self) -> Vec<Vec<usize>> {
        const UNSEEN: usize = usize::MAX;
        let count = self.items.len();
        let (mut index, mut low) = (vec![UNSEEN; count], vec![0; count]);
        let mut on_stack = vec![false; count];
        let (mut stack, mut components, mut next) = (Vec::new(), Vec::new(), 0);
        for root in 0..count {
            if index[root] != UNSEEN {
                continue;
            }
            // (node, next edge to look at)
            let mut work = vec![(root, 0)];
            while let Some(top) = work.last_mut() {
                let (node, edge) = *top;
                if index[node] == UNSEEN {
                    index[node] = next;
                    low[node] = next;
                    next += 1;
                    stack.push(node);
                    on_stack[node] = true;
                }
                if let Some(&used) = self.edges[node].get(edge) {
                    top.1 += 1;
                    if index[used] == UNSEEN {
                        work.push((used, 0));
                    } else if on_stack[used] {
                        low[node] = low[node].min(index[used]);
                    }
                    continue;
                }
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if low[node] == index[node] {
                    let mut component = Vec::new();
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        component.push(member);
                        if member == node {
                            break;
                        }
                    }
                    component.sort_unstable();
                    components.push(component);
                }
            }
        }
        components
    }
}

/// The Rust name of an item (a struct by its own name, not its update struct's).
fn rust_name(ir: &Ir, item: Item) -> &str {
    match item {
        Item::Struct(i) => &ir.structs[i].rust_name,
        Item::Polymorphic(i) => &ir.polymorphic[i].rust_name,
        Item::Enum(i) => &ir.enums[i].rust_name,
    }
}

/// Each part's depth: 0 for a part that uses no other, else one more than the deepest part it
/// uses. Parts that use each other could not be crates: a bug in the feature sets, reported.
fn part_depths(parts: &[Part]) -> Result<Vec<usize>, CodegenError> {
    // Kahn's algorithm: repeatedly take the parts whose dependencies are all taken.
    let mut remaining: Vec<usize> = parts.iter().map(|p| p.dependencies.len()).collect();
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); parts.len()];
    for (index, part) in parts.iter().enumerate() {
        for &dependency in &part.dependencies {
            users[dependency].push(index);
        }
    }
    let mut depths = vec![0; parts.len()];
    let mut ready: Vec<usize> = (0..parts.len()).filter(|&i| remaining[i] == 0).collect();
    let mut done = 0;
    while let Some(part) = ready.pop() {
        done += 1;
        for &user in &users[part] {
            depths[user] = depths[user].max(depths[part] + 1);
            remaining[user] -= 1;
            if remaining[user] == 0 {
                ready.push(user);
            }
        }
    }
    if done == parts.len() {
        Ok(depths)
    } else {
        Err(CodegenError::Unresolved(format!(
            "the model's parts use each other in a cycle ({} of {} parts)",
            parts.len() - done,
            parts.len()
        )))
    }
}
