//! Merges what the pages say into one spec, then checks the doc examples against it.
//!
//! Precedence, so that the result does not depend on luck:
//! - a resource or enum page beats a type built from a request-body table or an inferred enum;
//! - between two pages that define the same type or operation, the later one in import order
//!   wins and the earlier is reported as superseded (the manifest lists the seed first, so the
//!   current pages win over the draft).

use std::collections::{BTreeMap, BTreeSet};

use graph_odata::{Schema, TypeRef};
use graph_spec::value_check::{self, ViolationKind};
use graph_spec::{
    Defect, DefectKind, EnumDef, Example, Operation, OperationKind, Source, Spec, TypeDef, TypeKind,
};
use serde_json::Value;

use crate::api_page::{ApiPage, ExampleText};
use crate::properties::lower_first;
use crate::resource_page::ResourcePage;

/// A page that was read, by kind.
pub enum PageContent {
    /// An API page.
    Api(Box<ApiPage>),
    /// A resource page.
    Resource(Box<ResourcePage>),
    /// An enum page: its enums (one, or several for a page that lists them), with their names.
    Enums(Vec<(String, EnumDef)>),
}

/// Builds the spec from the pages, in import order, adding to `defects`.
pub fn assemble(pages: Vec<(String, PageContent)>, defects: &mut Vec<Defect>) -> Spec {
    let mut spec = Spec::new();
    let mut mentions = Vec::new();
    let mut built_types = Vec::new();
    let mut inferred_enums = Vec::new();
    let mut listed_strings = Vec::new();
    let mut unlisted_keys = Vec::new();
    // Enums a resource page lists for its properties.
    let mut page_enums = Vec::new();
    // Every page's operation, in import order.
    let mut every_operation: Vec<Operation> = Vec::new();
    let mut example_texts: BTreeMap<(String, u32), ExampleText> = BTreeMap::new();
    // The sub-namespace each API page says it is in.
    let mut api_namespaces: BTreeMap<String, String> = BTreeMap::new();

    for (file, page) in pages {
        match page {
            PageContent::Resource(r) => {
                mentions.extend(r.mentions.types.into_iter().map(|m| (file.clone(), m)));
                inferred_enums.extend(r.mentions.inferred_enums);
                listed_strings.extend(r.mentions.listed_strings);
                page_enums.extend(r.enums);
                if let Some(key) = r.unlisted_key {
                    unlisted_keys.push((r.name.clone(), key));
                }
                if let Some(old) = spec.types.insert(r.name.clone(), r.def) {
                    superseded(defects, &old.source, &format!("type `{}`", r.name), &file);
                }
            }
            PageContent::Enums(enums) => {
                for (name, def) in enums {
                    if let Some(old) = spec.enums.insert(name.clone(), def) {
                        superseded(defects, &old.source, &format!("enum `{name}`"), &file);
                    }
                }
            }
            PageContent::Api(api) => {
                let api = *api;
                mentions.extend(api.mentions.types.into_iter().map(|m| (file.clone(), m)));
                inferred_enums.extend(api.mentions.inferred_enums);
                if let Some((name, properties)) = api.body_table {
                    built_types.push((name, properties, api.operation.source.clone()));
                }
                if let Some(namespace) = api.namespace {
                    api_namespaces.insert(file.clone(), namespace);
                }
                for text in api.example_texts {
                    example_texts.insert((file.clone(), text.block_line), text);
                }
                every_operation.push(api.operation);
            }
        }
    }

    for (name, properties, source) in built_types {
        spec.types.entry(name).or_insert_with(|| {
            let has_id = properties.iter().any(|p| p.name == "id");
            TypeDef {
                kind: if has_id {
                    TypeKind::Entity
                } else {
                    TypeKind::Complex
                },
                base_type: None,
                is_abstract: false,
                key_property: has_id.then(|| "id".to_owned()),
                description: String::new(),
                properties,
                navigation_properties: Vec::new(),
                undocumented: false,
                source,
            }
        });
    }
    for (name, def) in page_enums.into_iter().chain(inferred_enums) {
        if !spec.types.contains_key(&name) {
            spec.enums.entry(name).or_insert(def);
        }
    }
    let respelt = unify_spellings(&mut spec, defects);
    resolve_type_names(
        &mut spec,
        &mut every_operation,
        &mut mentions,
        &api_namespaces,
        &respelt,
    );
    drop_redeclared_members(&mut spec);
    add_missing_types(&mut spec, &mentions, defects);
    type_listed_strings(&mut spec, &listed_strings, &respelt, defects);
    let unlisted_keys: BTreeMap<String, String> = (unlisted_keys.into_iter())
        .map(|(name, key)| (respelt.respell(&name).unwrap_or(name), key))
        .collect();
    infer_entities(&mut spec, &every_operation, &unlisted_keys);

    unify_path_spellings(&spec, &mut every_operation, defects);
    let mut operations = merge_operations(&spec, &every_operation, defects);
    infer_write_types(&spec, &mut operations, defects);
    infer_example_types(&mut spec, &operations, defects);
    let schema = spec.schema();
    for op in &mut operations {
        check_examples(&schema, op, &example_texts, defects);
    }
    spec.operations = operations;
    if let Some(version) = documented_version(&spec.operations) {
        spec.version = version;
    }
    spec
}

/// The API version the examples call (`https://graph.microsoft.com/<version>/...`), the most
/// common one where pages disagree; `None` when no example names one.
fn documented_version(operations: &[Operation]) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for example in operations.iter().flat_map(|op| &op.examples) {
        let version = example
            .request
            .url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').nth(1))
            .filter(|v| *v == "beta" || (v.starts_with('v') && v[1..].contains('.')));
        if let Some(version) = version {
            *counts.entry(version).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(version, count)| (*count, std::cmp::Reverse(*version)))
        .map(|(version, _)| version.to_owned())
}

/// Hand-written pages often leave `keyProperty` out of their annotation, so a type is also an
/// entity when it is Graph's root `entity` (with its `id`), when it derives from an entity
/// (`Inherits from entity`), when a Relationships table points at it (navigation targets are
/// entities in Graph), or when a page reads one by key (`GET /security/alerts/{id}` answers an
/// `alert`) and it has an `id` to be keyed by. Its key is `id` where it has one.
///
/// A type whose annotation names a key its table leaves out (`unlisted_keys`), with no base
/// type, derives from the root `entity` when that has the key and a page reads, lists or
/// creates the type (`GET /policies/adminConsentRequestPolicy`), as Graph's entities do. Where
/// no page answers it, the annotation alone is no evidence: the docs copy it onto complex types.
fn infer_entities(
    spec: &mut Spec,
    operations: &[Operation],
    unlisted_keys: &BTreeMap<String, String>,
) {
    const ROOT: &str = "entity";
    if let Some(root) = spec.types.get_mut(ROOT)
        && root.properties.iter().any(|p| p.name == "id")
    {
        root.kind = TypeKind::Entity;
        root.key_property.get_or_insert_with(|| "id".to_owned());
    }
    let root_key = (spec.types.get(ROOT))
        .filter(|root| root.kind == TypeKind::Entity)
        .and_then(|root| root.key_property.clone());
    let answered: BTreeSet<String> = (operations.iter())
        .filter(|op| {
            matches!(
                op.kind,
                OperationKind::Get | OperationKind::List | OperationKind::Create
            )
        })
        .filter_map(|op| {
            op.response
                .body
                .as_ref()?
                .type_ref
                .named()
                .map(str::to_owned)
        })
        .collect();
    for (name, key) in unlisted_keys {
        if root_key.as_ref() != Some(key) || !answered.contains(name) {
            continue;
        }
        if let Some(def) = spec.types.get_mut(name)
            && def.kind == TypeKind::Complex
            && def.base_type.is_none()
        {
            def.base_type = Some(ROOT.to_owned());
        }
    }
    let read_by_key = operations
        .iter()
        .filter(|op| op.kind == OperationKind::Get && op.paths.iter().any(ends_in_a_key))
        .filter_map(|op| op.response.body.as_ref())
        .filter(|body| !body.collection)
        .filter_map(|body| body.type_ref.named())
        .filter(|name| spec.all_properties(name).iter().any(|p| p.name == "id"));
    // Navigation targets, and types read by key.
    let addressed: BTreeSet<String> = spec
        .types
        .values()
        .flat_map(|t| &t.navigation_properties)
        .filter_map(|n| n.type_ref.named())
        .chain(read_by_key)
        .map(str::to_owned)
        .collect();
    // Each round makes the types derived from last round's new entities entities too.
    loop {
        let found: Vec<String> = spec
            .types
            .iter()
            .filter(|(name, t)| {
                t.kind == TypeKind::Complex
                    && (addressed.contains(*name)
                        || t.base_type
                            .as_ref()
                            .and_then(|b| spec.types.get(b))
                            .is_some_and(|b| b.kind == TypeKind::Entity))
            })
            .map(|(name, _)| name.clone())
            .collect();
        if found.is_empty() {
            return;
        }
        for name in found {
            let has_id = spec.all_properties(&name).iter().any(|p| p.name == "id");
            if let Some(t) = spec.types.get_mut(&name) {
                t.kind = TypeKind::Entity;
                if t.key_property.is_none() && has_id {
                    t.key_property = Some("id".to_owned());
                }
            }
        }
    }
}

/// `/security/alerts/{id}`: a collection's member, addressed by its key.
fn ends_in_a_key(path: &graph_spec::PathTemplate) -> bool {
    use graph_spec::Segment;
    matches!(path.segments(), [.., Segment::Literal(_), Segment::Key(_)])
}

/// Groups the pages' operations by method and path. Graph documents one URL on several pages
/// when a collection holds derived types (`managedEBook` and `iosVppEBook` both document
/// `GET /deviceAppManagement/managedEBooks`): the page of the most general type is kept, and the
/// derived pages add their examples and paths. Pages about the same type supersede each other.
fn merge_operations(
    spec: &Spec,
    operations: &[Operation],
    defects: &mut Vec<Defect>,
) -> Vec<Operation> {
    let mut groups: BTreeMap<(String, graph_spec::HttpMethod), Vec<&Operation>> = BTreeMap::new();
    for op in operations {
        groups
            .entry((op.primary_path().shape(), op.method))
            .or_default()
            .push(op);
    }
    // The type a page is about: its body or response type, else the last word of its title
    // ("Delete iosVppEBookAssignment").
    let subject = |op: &Operation| -> String {
        let body = op.request_body.as_ref().map(|b| &b.type_ref);
        let response = op.response.body.as_ref().map(|b| &b.type_ref);
        body.or(response)
            .and_then(|t| t.named())
            .or_else(|| op.summary.split_whitespace().last())
            .map(lower_first)
            .unwrap_or_default()
    };
    let covers = |general: &str, specific: &str| spec.ancestry(specific).contains(&general);
    let mut merged = Vec::new();
    for ((path, method), group) in groups {
        // The last page whose type covers every other page's type; else the last page, widened
        // to the nearest common base type when the pages are about sibling types.
        let subjects: Vec<String> = group.iter().map(|o| subject(o)).collect();
        let covering = (0..group.len())
            .rev()
            .find(|&w| subjects.iter().all(|s| covers(&subjects[w], s)));
        let common = common_base(spec, &subjects);
        let winner = covering.unwrap_or(group.len() - 1);
        let mut kept = group[winner].clone();
        if let (None, Some(base)) = (covering, &common) {
            widen(&mut kept, &subjects[winner], base);
        }
        for (i, other) in group.iter().enumerate().filter(|(i, _)| *i != winner) {
            // One URL is one action or function, whichever type's page documents it.
            let same_action = matches!(kept.kind, OperationKind::Action | OperationKind::Function);
            let related = same_action
                || covering.is_some_and(|w| subjects[i] != subjects[w])
                || (covering.is_none() && common.is_some());
            if !related {
                let what = format!("operation `{} {path}`", method.as_str());
                superseded(defects, &other.source, &what, &group[winner].source.file);
            }
            // The examples of every page are kept, a superseded draft's too: they are checked,
            // and become contract tests (a defective one is expected to be refused).
            kept.examples.extend(other.examples.iter().cloned());
            if !related {
                continue;
            }
            for p in &other.paths {
                if !kept.paths.contains(p) {
                    kept.paths.push(p.clone());
                }
            }
        }
        merged.push(kept);
    }
    drop_repeated_paths(merged)
}

/// Graph matches a URL's segments in any case, and the docs spell some in two
/// (`/me/calendarGroups` and `/me/calendargroups`, `/directory/deletedItems` and
/// `/directory/deleteditems`, `.../range` and `.../Range`): two spellings would be two routes
/// holding two sets of data. Each literal takes one spelling at its place in the path (the
/// segments before it, in any case): the name of a property or navigation property where one
/// spelling is, else a camel-case one (`deletedItems` over `deleteditems`, `range` over
/// `Range`), else the most common one, else the first in sort order. Each path respelt is
/// reported.
fn unify_path_spellings(spec: &Spec, operations: &mut [Operation], defects: &mut Vec<Defect>) {
    // The place of each segment of `path`: its shape up to and with the segment, in lower case.
    let places = |path: &graph_spec::PathTemplate| -> Vec<String> {
        let mut place = String::new();
        (path.segments().iter())
            .map(|segment| {
                place.push('/');
                let start = place.len();
                segment.push_shape(&mut place);
                place[start..].make_ascii_lowercase();
                place.clone()
            })
            .collect()
    };
    let mut spellings: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for path in operations.iter().flat_map(|op| &op.paths) {
        for (segment, place) in path.segments().iter().zip(places(path)) {
            if let graph_spec::Segment::Literal(text) = segment {
                *spellings
                    .entry(place)
                    .or_default()
                    .entry(text.clone())
                    .or_default() += 1;
            }
        }
    }
    let member_names: BTreeSet<&str> = (spec.types.values())
        .flat_map(|t| {
            let properties = t.properties.iter().map(|p| p.name.as_str());
            properties.chain(t.navigation_properties.iter().map(|n| n.name.as_str()))
        })
        .collect();
    let kept: BTreeMap<String, String> = (spellings.into_iter())
        .filter(|(_, spelt)| spelt.len() > 1)
        .filter_map(|(place, spelt)| {
            let rank = |(text, count): (&String, &usize)| {
                let camel = text.starts_with(|c: char| c.is_ascii_lowercase())
                    && text.contains(|c: char| c.is_ascii_uppercase());
                (member_names.contains(text.as_str()), camel, *count)
            };
            // `max_by_key` keeps the last of equals: the reversed sort order makes it the first.
            let kept = spelt.iter().rev().max_by_key(|&s| rank(s))?.0.clone();
            Some((place, kept))
        })
        .collect();
    if kept.is_empty() {
        return;
    }
    for op in operations {
        for path in &mut op.paths {
            let places = places(path);
            let respelt = path
                .respell_literals(|i, text| kept.get(&places[i]).filter(|k| *k != text).cloned());
            if respelt != *path {
                defects.push(Defect {
                    source: op.source.clone(),
                    kind: DefectKind::NameCase,
                    message: format!(
                        "path `{path}` is read as `{respelt}`: the docs spell a segment in two cases"
                    ),
                });
                *path = respelt;
            }
        }
    }
}

/// A secondary path of one operation can be the primary path of another (the same URL
/// documented on two pages): the first operation keeps it, and an operation left with no path of
/// its own gives its examples to the operation that took its first path.
fn drop_repeated_paths(mut operations: Vec<Operation>) -> Vec<Operation> {
    let mut owner: BTreeMap<(String, graph_spec::HttpMethod), usize> = BTreeMap::new();
    let mut homeless = Vec::new();
    for (i, op) in operations.iter_mut().enumerate() {
        let method = op.method;
        let first = op.paths.first().map(|p| (p.shape(), method));
        // A path is kept by the first operation that lists it, once.
        op.paths.retain(|p| match owner.entry((p.shape(), method)) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(i);
                true
            }
            std::collections::btree_map::Entry::Occupied(_) => false,
        });
        if let (true, Some(first)) = (op.paths.is_empty(), first) {
            homeless.push((i, first));
        }
    }
    for (i, first) in homeless {
        if let Some(&target) = owner.get(&first) {
            let examples = std::mem::take(&mut operations[i].examples);
            operations[target].examples.extend(examples);
        }
    }
    operations.retain(|o| !o.paths.is_empty());
    operations
}

/// The nearest type that every one of `names` derives from (or is).
fn common_base(spec: &Spec, names: &[String]) -> Option<String> {
    let first = names.first()?;
    spec.ancestry(first)
        .into_iter()
        .find(|candidate| names.iter().all(|n| spec.ancestry(n).contains(candidate)))
        .map(str::to_owned)
}

/// Retypes an operation about `from` to be about its base type `to`.
fn widen(op: &mut Operation, from: &str, to: &str) {
    let retype = |t: &mut graph_spec::TypeRef| {
        if t.named() == Some(from) {
            *t = graph_spec::TypeRef::Named(to.to_owned());
        }
    };
    if let Some(body) = &mut op.request_body {
        retype(&mut body.type_ref);
    }
    if let Some(body) = &mut op.response.body {
        retype(&mut body.type_ref);
    }
}

fn superseded(defects: &mut Vec<Defect>, old: &Source, what: &str, by: &str) {
    defects.push(Defect {
        source: old.clone(),
        kind: DefectKind::Superseded,
        message: format!("{what} is also defined by {by}, which is kept"),
    });
}

/// Resource pages repeat inherited properties (with "Inherited from [base]" or without), and
/// hand-written tables sometimes list a property twice, or as both a property and a
/// relationship. A type keeps one member per name: a row is dropped when a type in its
/// ancestry declares that name, or when the type itself declared it in an earlier row (or it is
/// the `@odata.type` annotation).
fn drop_redeclared_members(spec: &mut Spec) {
    let mut kept: BTreeMap<String, (Vec<bool>, Vec<bool>)> = BTreeMap::new();
    for (name, def) in &spec.types {
        let above: BTreeSet<&str> = spec
            .ancestry(name)
            .into_iter()
            .skip(1)
            .filter_map(|a| spec.types.get(a))
            .flat_map(|a| {
                let properties = a.properties.iter().map(|p| p.name.as_str());
                properties.chain(a.navigation_properties.iter().map(|n| n.name.as_str()))
            })
            .collect();
        // `@odata.type` is every value's annotation, which the model always carries; a table
        // row for it is not a property.
        let mut seen = BTreeSet::from(["@odata.type".to_owned()]);
        let mut keep = |member: &str| !above.contains(member) && seen.insert(member.to_owned());
        let properties: Vec<bool> = def.properties.iter().map(|p| keep(&p.name)).collect();
        let navigation: Vec<bool> = def
            .navigation_properties
            .iter()
            .map(|n| keep(&n.name))
            .collect();
        if properties.contains(&false) || navigation.contains(&false) {
            kept.insert(name.clone(), (properties, navigation));
        }
    }
    for (name, (properties, navigation)) in kept {
        if let Some(def) = spec.types.get_mut(&name) {
            let mut properties = properties.into_iter();
            def.properties.retain(|_| properties.next().unwrap_or(true));
            let mut navigation = navigation.into_iter();
            def.navigation_properties
                .retain(|_| navigation.next().unwrap_or(true));
        }
    }
}

/// Names the docs spell in another case than the spec keeps, and the spelling kept.
#[derive(Debug, Default)]
struct Respellings {
    /// Sub-namespaces spelt in more than one case (`termstore` for `termStore`).
    namespaces: BTreeMap<String, String>,
    /// Type and enum names written with a capital (`DriveItem` for `driveItem`).
    names: BTreeMap<String, String>,
}

impl Respellings {
    /// The spelling the spec keeps for `name`, when the docs spelt it otherwise.
    fn respell(&self, name: &str) -> Option<String> {
        if let Some(kept) = self.names.get(name) {
            return Some(kept.clone());
        }
        let (namespace, last) = name.rsplit_once('.')?;
        let namespace = self.namespaces.get(namespace)?;
        Some(format!("{namespace}.{last}"))
    }
}

/// Names are case-sensitive in OData, but the docs spell some in more than one case:
/// - sub-namespaces (`termStore`, `termstore`): every type and enum takes the spelling most of
///   the namespace's names use (the first in sort order on a tie);
/// - type names with a capital (`DriveItem`, `Attachment`, from prose or a request body table)
///   where the lower-case name (`driveItem`) is defined: they are that type.
///
/// Each respelt definition is reported, and superseded when the kept name is defined. Returns
/// the respellings, for the references.
fn unify_spellings(spec: &mut Spec, defects: &mut Vec<Defect>) -> Respellings {
    let mut spellings: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for name in spec.types.keys().chain(spec.enums.keys()) {
        if let Some((namespace, _)) = name.rsplit_once('.') {
            let count = spellings
                .entry(namespace.to_ascii_lowercase())
                .or_default()
                .entry(namespace.to_owned())
                .or_default();
            *count += 1;
        }
    }
    let mut respellings = Respellings::default();
    for spelt in spellings.into_values().filter(|s| s.len() > 1) {
        let most = spelt.values().copied().max().unwrap_or_default();
        let Some(canonical) = spelt
            .iter()
            .find(|(_, n)| **n == most)
            .map(|(s, _)| s.clone())
        else {
            continue;
        };
        for other in spelt.into_keys().filter(|s| *s != canonical) {
            respellings.namespaces.insert(other, canonical.clone());
        }
    }
    let rename = |name: &str| respellings.respell(name);
    respell(&mut spec.types, "type", |t| &t.source, &rename, defects);
    respell(&mut spec.enums, "enum", |e| &e.source, &rename, defects);

    let defined = |name: &str| spec.types.contains_key(name) || spec.enums.contains_key(name);
    for name in spec.types.keys().chain(spec.enums.keys()) {
        let (namespace, last) = match name.rsplit_once('.') {
            Some((namespace, last)) => (Some(namespace), last),
            None => (None, name.as_str()),
        };
        if !last.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        let lower = crate::properties::lower_first(last);
        let kept = namespace.map_or(lower.clone(), |ns| format!("{ns}.{lower}"));
        if defined(&kept) {
            respellings.names.insert(name.clone(), kept);
        }
    }
    let rename = |name: &str| respellings.names.get(name).cloned();
    respell(&mut spec.types, "type", |t| &t.source, &rename, defects);
    respell(&mut spec.enums, "enum", |e| &e.source, &rename, defects);
    respellings
}

/// Renames the definitions `rename` renames, reporting each; a definition whose new name is
/// taken is superseded by the one there.
fn respell<T>(
    definitions: &mut BTreeMap<String, T>,
    what: &str,
    source: impl Fn(&T) -> &Source,
    rename: &impl Fn(&str) -> Option<String>,
    defects: &mut Vec<Defect>,
) {
    let renamed: Vec<(String, String)> = definitions
        .keys()
        .filter_map(|old| Some((old.clone(), rename(old)?)))
        .collect();
    for (old, new) in renamed {
        let Some(definition) = definitions.remove(&old) else {
            continue;
        };
        defects.push(Defect {
            source: source(&definition).clone(),
            kind: DefectKind::NameCase,
            message: format!(
                "{what} `{old}` is read as `{new}`: the docs spell the name in two cases"
            ),
        });
        match definitions.get(&new) {
            Some(kept) => {
                let kept = source(kept).file.clone();
                superseded(
                    defects,
                    source(&definition),
                    &format!("{what} `{new}`"),
                    &kept,
                );
            }
            None => {
                definitions.insert(new, definition);
            }
        }
    }
}

/// Pages in a sub-namespace (`Namespace: microsoft.graph.callRecords`) name their own types
/// bare: `session` on a `callRecords` page means `callRecords.session`, as OData resolves an
/// unqualified name in the namespace it is written in. A bare name written by a type (or on the
/// page) of namespace `ns` becomes `ns.name` when that exists; a bare name that no type has,
/// but exactly one namespaced type does (`*.name`), becomes that one. Names the docs spell in
/// another case ([`Respellings`], and an unknown `DriveItem` for a known `driveItem`) take the
/// spelling the spec keeps.
fn resolve_type_names(
    spec: &mut Spec,
    operations: &mut [Operation],
    mentions: &mut [(String, crate::properties::TypeMention)],
    api_namespaces: &BTreeMap<String, String>,
    respelt: &Respellings,
) {
    let known: BTreeSet<String> = spec
        .types
        .keys()
        .chain(spec.enums.keys())
        .cloned()
        .collect();
    let mut by_lowercase: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for name in &known {
        by_lowercase
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(name);
    }
    let mut by_last: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for name in known.iter().filter(|n| n.contains('.')) {
        let last = name.rsplit('.').next().unwrap_or(name);
        by_last.entry(last).or_default().push(name);
    }
    let resolve = |name: &str, namespace: Option<&str>| -> Option<String> {
        if let Some(kept) = respelt.respell(name) {
            return Some(kept);
        }
        if name.contains('.') {
            return None;
        }
        if let Some(ns) = namespace {
            let qualified = format!("{ns}.{name}");
            if known.contains(&qualified) {
                return Some(qualified);
            }
        }
        if known.contains(name) {
            return None;
        }
        // `DriveItem` in prose for the `driveItem` type.
        let lower = crate::properties::lower_first(name);
        if lower != name && known.contains(&lower) {
            return Some(lower);
        }
        // `chatmessage` (an API page's prose or annotation) for the `chatMessage` type: the one
        // name that differs only in case.
        if let Some([only]) = by_lowercase
            .get(&name.to_ascii_lowercase())
            .map(Vec::as_slice)
        {
            return Some((*only).to_owned());
        }
        // `**vendors** object` in prose for the `vendor` type.
        if let Some(singular) = name.strip_suffix('s')
            && known.contains(singular)
        {
            return Some(singular.to_owned());
        }
        match by_last.get(name).map(Vec::as_slice) {
            Some([only]) => Some((*only).to_owned()),
            _ => None,
        }
    };
    let namespace_of = |name: &str| name.rsplit_once('.').map(|(ns, _)| ns.to_owned());
    let fix = |type_ref: &mut TypeRef, namespace: Option<&str>| {
        if let TypeRef::Named(name) = type_ref
            && let Some(resolved) = resolve(name, namespace)
        {
            *name = resolved;
        }
    };
    // Which namespace each page is in, for the bare names it mentions: that of a resource page's
    // own type, or the one an API page names (in the spelling the spec uses).
    let page_namespace: BTreeMap<String, String> = spec
        .types
        .iter()
        .filter_map(|(name, def)| Some((def.source.file.clone(), namespace_of(name)?)))
        .chain(api_namespaces.iter().map(|(file, namespace)| {
            let spelt = respelt.namespaces.get(namespace).unwrap_or(namespace);
            (file.clone(), spelt.clone())
        }))
        .collect();
    for (name, def) in spec.types.iter_mut() {
        let namespace = namespace_of(name);
        let namespace = namespace.as_deref();
        for property in &mut def.properties {
            fix(&mut property.type_ref, namespace);
        }
        for navigation in &mut def.navigation_properties {
            fix(&mut navigation.type_ref, namespace);
        }
        if let Some(base) = &mut def.base_type
            && let Some(resolved) = resolve(base, namespace)
        {
            *base = resolved;
        }
    }
    for op in operations.iter_mut() {
        let namespace = page_namespace.get(&op.source.file).map(String::as_str);
        if let Some(body) = &mut op.request_body {
            fix(&mut body.type_ref, namespace);
        }
        if let Some(body) = &mut op.response.body {
            fix(&mut body.type_ref, namespace);
        }
        for parameter in &mut op.parameters {
            fix(&mut parameter.type_ref, namespace);
        }
    }
    for (file, mention) in mentions.iter_mut() {
        let namespace = page_namespace.get(file.as_str()).map(String::as_str);
        if let Some(resolved) = resolve(&mention.name, namespace) {
            mention.name = resolved;
        }
    }
}

/// A type known only by name (from a link or an example): open, so it keeps any JSON.
fn undocumented(kind: TypeKind, base_type: Option<String>, source: Source) -> TypeDef {
    TypeDef {
        kind,
        base_type,
        is_abstract: false,
        key_property: None,
        description: String::new(),
        properties: Vec::new(),
        navigation_properties: Vec::new(),
        undocumented: true,
        source,
    }
}

/// Every mentioned name that no page defines becomes an open, undocumented complex type, so the
/// spec stays valid and the generated code keeps whatever JSON the service sends.
fn add_missing_types(
    spec: &mut Spec,
    mentions: &[(String, crate::properties::TypeMention)],
    defects: &mut Vec<Defect>,
) {
    let mut reported = std::collections::BTreeSet::new();
    for (file, mention) in mentions {
        let name = &mention.name;
        if spec.enums.contains_key(name) || spec.types.get(name).is_some_and(|t| !t.undocumented) {
            continue;
        }
        if !reported.insert((file.clone(), name.clone())) {
            continue;
        }
        let source = Source {
            file: file.clone(),
            line: mention.line,
        };
        let target = mention
            .link
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        defects.push(Defect {
            source: source.clone(),
            kind: DefectKind::MissingTypePage,
            message: format!("`{name}`{target} is not defined by any imported page; generated as an open type that keeps any JSON"),
        });
        spec.types
            .entry(name.clone())
            .or_insert_with(|| undocumented(TypeKind::Complex, None, source));
    }
    // A base type named by "Inherits from" whose page is not among these pages (a subset of
    // the docs): a placeholder of the derived type's kind.
    let missing_bases: BTreeMap<String, (TypeKind, Source)> = spec
        .types
        .values()
        .filter_map(|def| {
            let base = def.base_type.as_ref()?;
            let known = spec.types.contains_key(base) || spec.enums.contains_key(base);
            (!known).then(|| (base.clone(), (def.kind, def.source.clone())))
        })
        .collect();
    for (name, (kind, source)) in missing_bases {
        defects.push(Defect {
            source: source.clone(),
            kind: DefectKind::MissingTypePage,
            message: format!("the base type `{name}` is not defined by any imported page; generated as an open type that keeps any JSON"),
        });
        spec.types.insert(name, undocumented(kind, None, source));
    }
}

/// A `String` property whose description lists exactly the members of one enum is that enum,
/// as Graph types it (`horizontalAlignment`: "Possible values are: `left`, `right`, `center`.").
/// The lists leave out `unknownFutureValue` as often as not, so it does not count; the case
/// does (`Public` and `Private` are a group's string `visibility`, not `teamVisibilityType`'s
/// `public` and `private`). Only enums a page defines count: one made up from another
/// property's list is no evidence. Where several enums have the members, the one in the
/// owner's namespace is meant, then the one named after the property; where that still leaves
/// several, the property stays a string.
fn type_listed_strings(
    spec: &mut Spec,
    listed: &[crate::properties::ListedString],
    respelt: &Respellings,
    defects: &mut Vec<Defect>,
) {
    fn members<'a>(values: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
        (values.into_iter())
            .filter(|v| *v != "unknownFutureValue")
            .map(str::to_owned)
            .collect()
    }
    let mut by_members: BTreeMap<BTreeSet<String>, Vec<&str>> = BTreeMap::new();
    for (name, def) in spec.enums.iter().filter(|(_, e)| !e.inferred) {
        let set = members(def.members.iter().map(|m| m.name.as_str()));
        if set.len() >= 2 {
            by_members.entry(set).or_default().push(name);
        }
    }
    let mut typed = Vec::new();
    for listing in listed {
        let owner = respelt
            .respell(&listing.owner)
            .unwrap_or_else(|| listing.owner.clone());
        let set = members(listing.values.iter().map(String::as_str));
        let Some(candidates) = by_members.get(&set) else {
            continue;
        };
        let namespace = owner.rsplit_once('.').map(|(ns, _)| ns);
        let named_after = crate::properties::upper_first(&listing.property).to_ascii_lowercase();
        let narrowings: [&dyn Fn(&str) -> bool; 2] = [
            &|e| e.rsplit_once('.').map(|(ns, _)| ns) == namespace,
            &|e| e.to_ascii_lowercase().ends_with(&named_after),
        ];
        let mut chosen: Vec<&str> = candidates.clone();
        for narrowing in narrowings {
            if chosen.len() > 1 {
                let narrowed: Vec<&str> = chosen.iter().copied().filter(|e| narrowing(e)).collect();
                if !narrowed.is_empty() {
                    chosen = narrowed;
                }
            }
        }
        if let [only] = chosen.as_slice() {
            typed.push((owner, listing, (*only).to_owned()));
        }
    }
    for (owner, listing, enum_name) in typed {
        let Some(def) = spec.types.get_mut(&owner) else {
            continue;
        };
        let file = def.source.file.clone();
        let Some(property) = (def.properties.iter_mut())
            .find(|p| p.name == listing.property)
            .filter(|p| p.type_ref == TypeRef::Primitive(graph_spec::Primitive::String))
        else {
            continue;
        };
        property.type_ref = TypeRef::Named(enum_name.clone());
        defects.push(Defect {
            source: Source {
                file,
                line: listing.line,
            },
            kind: DefectKind::StringListsEnumMembers,
            message: format!(
                "`{}` is typed `String`, but its description lists the members of the enum `{enum_name}`; read as that enum",
                listing.property
            ),
        });
    }
}

/// What write pages leave unsaid. An update page that names no body type ("supply the values
/// for relevant fields") patches the entity at its path: its body is that entity's type, from
/// its own response or from another operation on the same path. A create whose Response section
/// names no body answers the entity it created. Each is reported.
fn infer_write_types(spec: &Spec, operations: &mut [Operation], defects: &mut Vec<Defect>) {
    let inferred: Vec<(usize, TypeRef)> = (operations.iter().enumerate())
        .filter(|(_, op)| {
            op.kind == OperationKind::Update && op.request_body.is_none() && !op.reference
        })
        .filter_map(|(index, op)| {
            let found = graph_spec::entity_type(&spec.types, operations, op)?;
            Some((index, TypeRef::Named(found.to_owned())))
        })
        .collect();
    for (index, type_ref) in inferred {
        let op = &mut operations[index];
        defects.push(Defect {
            source: op.source.clone(),
            kind: DefectKind::MissingSection,
            message: format!(
                "the request body names no type; read as the `{type_ref}` the update addresses"
            ),
        });
        op.request_body = Some(graph_spec::RequestBody {
            type_ref,
            required: Vec::new(),
        });
    }
    // A create answers what it created, whether or not its Response section says so.
    for op in operations.iter_mut() {
        if op.kind != OperationKind::Create
            || op.response.body.is_some()
            || op.response.status != 201
        {
            continue;
        }
        let Some(body) = &op.request_body else {
            continue;
        };
        defects.push(Defect {
            source: op.source.clone(),
            kind: DefectKind::MissingSection,
            message: format!(
                "the Response section names no body; read as the created `{}`",
                body.type_ref
            ),
        });
        op.response.body = Some(graph_spec::ResponseBody {
            type_ref: body.type_ref.clone(),
            collection: false,
        });
    }
}

/// What checking one example found: the request's violations (if it has a body or arguments),
/// and the response's (if it has a body), with whether the response wraps a single entity.
struct ExampleFindings {
    request: Option<Vec<value_check::Violation>>,
    response: Option<(Vec<value_check::Violation>, bool)>,
}

/// Checks one example against the operation's types, without reporting anything.
fn example_findings(schema: &Schema, op: &Operation, example: &Example) -> ExampleFindings {
    let request = &example.request;
    // A function's arguments are in its URL: `.../getX(name='value')`.
    let arguments = match op.kind {
        OperationKind::Function => function_arguments(&request.path),
        _ => request.body.clone(),
    };
    let request = arguments.map(|body| match (&op.request_body, op.kind) {
        (Some(rb), _) => value_check::check_value(schema, &rb.type_ref, false, &body, ""),
        (None, OperationKind::Action | OperationKind::Function) => {
            let parameters: Vec<_> = op
                .parameters
                .iter()
                .map(graph_spec::Property::shape)
                .collect();
            value_check::check_parameters(schema, &op.name, &parameters, &body)
        }
        _ => Vec::new(),
    });
    let body = example.response.as_ref().and_then(|r| r.body.as_ref());
    // A report's `200 OK` example is its JSON answer, not the redirect.
    let shape = match json_answer(op) {
        Some(rows) if example.response.as_ref().is_some_and(|r| r.status == 200) => Some(rows),
        _ => op.response.body.as_ref(),
    };
    let response = match (body, shape) {
        (Some(body), Some(shape)) => {
            let structured = shape
                .type_ref
                .named()
                .is_some_and(|n| schema.types.contains_key(n));
            Some(if shape.collection || !structured {
                let mut violations = match body.get("value") {
                    Some(value) => value_check::check_value(
                        schema,
                        &shape.type_ref,
                        shape.collection,
                        value,
                        "value",
                    ),
                    None => Vec::new(),
                };
                // An entity where a value (a photo's bytes, a count) is answered: the example
                // belongs to another request (`GET /me/photo` on the `/me/photo/$value` page).
                if body.is_object() && body.get("value").is_none() {
                    violations.push(value_check::Violation {
                        path: "(body)".to_owned(),
                        kind: ViolationKind::WrongType,
                        message: format!(
                            "the example shows an object where the operation answers {}{}",
                            if shape.collection {
                                "a collection of "
                            } else {
                                ""
                            },
                            shape.type_ref
                        ),
                    });
                }
                (violations, false)
            } else {
                let inner = value_check::unwrap_entity(body);
                (
                    value_check::check_value(schema, &shape.type_ref, false, inner, ""),
                    !std::ptr::eq(inner, body),
                )
            })
        }
        _ => None,
    };
    ExampleFindings { request, response }
}

/// Examples name derived types whose pages were not imported (an `@odata.type` of a type the
/// spec does not have, in a slot of a documented type). The docs are generated from the real
/// schema, so each such name becomes an undocumented type derived from the slot's type: the
/// examples then check, and the mock accepts what the service accepts. Each is reported.
fn infer_example_types(spec: &mut Spec, operations: &[Operation], defects: &mut Vec<Defect>) {
    // Each round can reveal unknown types nested inside the ones just added.
    for _ in 0..8 {
        let mut found: BTreeMap<String, (String, Source)> = BTreeMap::new();
        let schema = spec.schema();
        for op in operations {
            for example in &op.examples {
                let findings = example_findings(&schema, op, example);
                let request = findings
                    .request
                    .into_iter()
                    .flatten()
                    .map(|v| (v, &example.request.source));
                let response_source = example.response.as_ref().map(|r| &r.source);
                let response = findings
                    .response
                    .into_iter()
                    .flat_map(|(v, _)| v)
                    .filter_map(|v| response_source.map(|s| (v, s)));
                for (violation, source) in request.chain(response) {
                    if let ViolationKind::UnknownODataType { name, declared } = violation.kind {
                        found.entry(name).or_insert((declared, source.clone()));
                    }
                }
            }
        }
        if found.is_empty() {
            return;
        }
        for (name, (declared, source)) in found {
            let kind = spec
                .types
                .get(&declared)
                .map_or(TypeKind::Complex, |t| t.kind);
            defects.push(Defect {
                source: source.clone(),
                kind: DefectKind::MissingTypePage,
                message: format!(
                    "an example names the type `{name}` where a `{declared}` goes, but no imported page documents `{name}`; read as an undocumented type derived from `{declared}`"
                ),
            });
            spec.types
                .insert(name, undocumented(kind, Some(declared), source));
        }
    }
}

/// Checks each example body against the operation's types, reports where they disagree, and
/// records the violations on the example.
fn check_examples(
    schema: &Schema,
    op: &mut Operation,
    texts: &BTreeMap<(String, u32), ExampleText>,
    defects: &mut Vec<Defect>,
) {
    let findings: Vec<ExampleFindings> = op
        .examples
        .iter()
        .map(|e| example_findings(schema, op, e))
        .collect();
    let status = op.response.status;
    let answers_json = json_answer(op).is_some();
    for (example, findings) in op.examples.iter_mut().zip(findings) {
        if let Some(violations) = findings.request {
            let request = &mut example.request;
            request.violations = violations
                .iter()
                .map(|v| (v.path.clone(), v.message.clone()))
                .collect();
            report(violations, &request.source, texts, defects);
        }
        let Some(response) = &mut example.response else {
            continue;
        };
        let documented_json = answers_json && response.status == 200;
        if response.status != status && !documented_json {
            let message = format!(
                "the example answers {}, but the Response section says {status}; the mock answers {status}",
                response.status
            );
            response
                .violations
                .push(("(status)".to_owned(), message.clone()));
            defects.push(Defect {
                source: response.source.clone(),
                kind: DefectKind::InconsistentStatus,
                message,
            });
        }
        let Some((violations, wrapped)) = findings.response else {
            continue;
        };
        if wrapped {
            let line = line_in(texts, &response.source, "value");
            defects.push(Defect {
                source: Source { file: response.source.file.clone(), line },
                kind: DefectKind::WrappedGetResponse,
                message: "the response example wraps the entity in `{\"value\": {...}}`; the service returns the entity itself, so the contract test compares against the unwrapped example".to_owned(),
            });
        }
        response.violations.extend(
            violations
                .iter()
                .map(|v| (v.path.clone(), v.message.clone())),
        );
        report(violations, &response.source, texts, defects);
    }
}

/// A download's answer to `$format=application/json`, where the doc documents one.
fn json_answer(op: &Operation) -> Option<&graph_spec::ResponseBody> {
    op.response.download.as_ref().and_then(|d| d.json.as_ref())
}

/// The arguments of a function call in a URL path, as a JSON object (`None` without parentheses).
fn function_arguments(path: &str) -> Option<Value> {
    let last = path.split('?').next()?.rsplit('/').next()?;
    let inside = last.split_once('(')?.1.strip_suffix(')')?;
    graph_spec::literals::parse_function_arguments(inside)
        .ok()
        .map(Value::Object)
}

fn report(
    violations: Vec<value_check::Violation>,
    source: &Source,
    texts: &BTreeMap<(String, u32), ExampleText>,
    defects: &mut Vec<Defect>,
) {
    for v in violations {
        let kind = match v.kind {
            ViolationKind::UnknownProperty => DefectKind::ExampleUnknownProperty,
            ViolationKind::NotInEnum => DefectKind::ExampleValueNotInEnum,
            ViolationKind::WrongType
            | ViolationKind::WrongODataType
            | ViolationKind::UnknownODataType { .. } => DefectKind::ExampleWrongType,
        };
        let key = v
            .path
            .rsplit('.')
            .next()
            .unwrap_or(&v.path)
            .split('[')
            .next()
            .unwrap_or_default();
        let line = line_in(texts, source, key);
        defects.push(Defect {
            source: Source {
                file: source.file.clone(),
                line,
            },
            kind,
            message: v.message,
        });
    }
}

fn line_in(texts: &BTreeMap<(String, u32), ExampleText>, source: &Source, key: &str) -> u32 {
    texts
        .get(&(source.file.clone(), source.line))
        .map_or(source.line, |t| t.line_of_key(key))
}
