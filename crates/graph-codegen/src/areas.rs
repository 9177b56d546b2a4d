//! Areas: the generated crates' cargo features, so that a user who needs one part of a large API
//! compiles only that part (as aws-sdk-rust does per service).
//!
//! An area is the first segment of a route's path (`deviceManagement`, `users`, `me`, ...) and
//! its feature is that segment in kebab case (`device-management`). A route (the mock's table
//! entry) and its request builder belong to their area. A type or enum is compiled for the areas whose
//! routes use it: their request and response bodies, parameters and entity types, and whatever
//! those contain, derived types included. A type that every area or no area uses is always
//! compiled, with everything it contains.

use std::collections::{BTreeMap, BTreeSet};

use graph_spec::{Hierarchy, Segment, Spec, TypeRef};
use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::quote;

/// The features that compile an item: any of them. Empty: always compiled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features(pub Vec<String>);

impl Features {
    /// The feature of one area; none for the root, which is always compiled.
    pub fn area(feature: &str) -> Features {
        match feature {
            "" => Features::default(),
            _ => Features(vec![feature.to_owned()]),
        }
    }

    /// `#[cfg(feature = "a")]`, `#[cfg(any(feature = "a", ...))]`, or nothing for an item
    /// that is always compiled.
    pub fn cfg(&self) -> TokenStream {
        match self.0.as_slice() {
            [] => TokenStream::new(),
            [feature] => quote! { #[cfg(feature = #feature)] },
            features => quote! { #[cfg(any(#(feature = #features),*))] },
        }
    }

    /// Puts [`Features::cfg`] on every item of `items`.
    pub fn gate(&self, items: TokenStream) -> TokenStream {
        if self.0.is_empty() {
            return items;
        }
        let cfg = self.cfg();
        let file: syn::File = match syn::parse2(items.clone()) {
            Ok(file) => file,
            // Not items (a bug in a generator): left for the renderer to report.
            Err(_) => return items,
        };
        let items = file.items.iter();
        quote! { #(#cfg #items)* }
    }
}

/// The feature of a path's area: its first segment in kebab case; empty for a path with none.
pub fn feature_of(segments: &[Segment]) -> String {
    match segments.first() {
        Some(Segment::Literal(name) | Segment::Function { name, .. }) => name.to_kebab_case(),
        Some(Segment::Key(name) | Segment::Cast(name)) => name.to_kebab_case(),
        None => String::new(),
    }
}

/// For each type and enum the features that compile it, given the features of each
/// operation's routes (one per path).
pub fn type_features(
    spec: &Spec,
    hierarchy: &Hierarchy,
    operation_features: &[BTreeSet<String>],
) -> BTreeMap<String, Features> {
    let all: BTreeSet<&String> = operation_features.iter().flatten().collect();
    let mut users: BTreeMap<&str, BTreeSet<&String>> = BTreeMap::new();
    for (op, features) in spec.operations.iter().zip(operation_features) {
        let roots = op
            .request_body
            .iter()
            .map(|b| &b.type_ref)
            .chain(op.response.body.iter().map(|b| &b.type_ref))
            .chain(op.parameters.iter().map(|p| &p.type_ref))
            .filter_map(TypeRef::named)
            .chain(op.delta_of());
        for name in reached(spec, hierarchy, roots) {
            users.entry(name).or_default().extend(features);
        }
    }
    // A type no area uses is always compiled, and so is everything it contains.
    let unused = (spec.types.keys().chain(spec.enums.keys()))
        .map(String::as_str)
        .filter(|name| !users.contains_key(name));
    let always = reached(spec, hierarchy, unused);
    spec.types
        .keys()
        .chain(spec.enums.keys())
        .map(|name| {
            let used_by = users.remove(name.as_str()).unwrap_or_default();
            let features = if always.contains(name.as_str()) || used_by == all {
                Features::default()
            } else {
                Features(used_by.into_iter().cloned().collect())
            };
            (name.clone(), features)
        })
        .collect()
}

/// The types and enums `roots` name, and everything their values can contain.
fn reached<'a>(
    spec: &'a Spec,
    hierarchy: &Hierarchy<'a>,
    roots: impl Iterator<Item = &'a str>,
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut pending: Vec<&str> = roots.collect();
    while let Some(name) = pending.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(def) = spec.types.get(name) else {
            continue;
        };
        pending.extend(
            spec.all_properties(name)
                .into_iter()
                .filter_map(|p| p.type_ref.named()),
        );
        if !def.undocumented {
            pending.extend(hierarchy.documented_derived(name));
        }
    }
    seen
}
