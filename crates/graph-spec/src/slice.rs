//! A part of a spec: the operations whose paths match some globs, and the types they reach.
//!
//! `cargo xtask codegen --spec spec/graph/v1.0 --include '/users/**' --out my-graph` generates a
//! client for just the paths an app uses, as Kiota's `--include-path` and `--exclude-path` do.
//! A glob is a path template whose segments may be `*` (any one segment), `**` (any number of
//! segments, none included) or a placeholder (`{group-id}`: any key, whatever the spec calls
//! it); other segments match the spec's literally, in any case (a function segment by its
//! name). An operation is kept with those of its paths that an include matches and no exclude
//! does; the types kept are those the kept operations name (bodies, answers, parameters, the
//! entity a delta tracks or a sibling serves) and, from them, every type a structural property
//! names, every base type, and the derived types of each type a value can have (not of a type
//! reached only as a base: `entity` does not bring in all of Graph). Navigation properties are
//! not followed (the generated model has no field for them, and they reach most of Graph): one
//! is kept where its target is kept anyway.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Hierarchy, Operation, Spec};
use crate::path::{PathTemplate, Segment};

/// A path glob, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathGlob {
    text: String,
    segments: Vec<GlobSegment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum GlobSegment {
    /// `**`: any number of segments.
    Any,
    /// `*`: one segment.
    One,
    /// `{name}`: one key.
    Key,
    /// A name, lower-cased.
    Literal(String),
}

/// Why a glob does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the path glob `{glob}` {reason}")]
pub struct GlobError {
    /// The glob as written.
    pub glob: String,
    /// What is wrong with it.
    pub reason: String,
}

impl PathGlob {
    /// Parses `/users/**`, `/groups/{group-id}/members/*`, ....
    pub fn parse(text: &str) -> Result<PathGlob, GlobError> {
        let error = |reason: &str| GlobError {
            glob: text.to_owned(),
            reason: reason.to_owned(),
        };
        let rest = text
            .strip_prefix('/')
            .ok_or_else(|| error("does not start with `/`"))?;
        let segments = match rest {
            "" => Vec::new(),
            rest => rest
                .split('/')
                .map(|segment| match segment {
                    "" => Err(error("has an empty segment")),
                    "**" => Ok(GlobSegment::Any),
                    "*" => Ok(GlobSegment::One),
                    key if key.starts_with('{') && key.ends_with('}') => Ok(GlobSegment::Key),
                    name if name.contains(['*', '{', '}']) => {
                        Err(error("mixes a wildcard or a placeholder with a name"))
                    }
                    name => Ok(GlobSegment::Literal(name.to_lowercase())),
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(PathGlob {
            text: text.to_owned(),
            segments,
        })
    }

    /// Whether the glob matches `path`.
    pub fn matches(&self, path: &PathTemplate) -> bool {
        matches(&self.segments, path.segments())
    }
}

impl std::fmt::Display for PathGlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn matches(glob: &[GlobSegment], path: &[Segment]) -> bool {
    match (glob.split_first(), path.split_first()) {
        (None, None) => true,
        (Some((GlobSegment::Any, rest)), _) => {
            matches(rest, path) || (!path.is_empty() && matches(glob, &path[1..]))
        }
        (Some((first, rest)), Some((segment, others))) => {
            let fits = match (first, segment) {
                (GlobSegment::One, _) => true,
                (GlobSegment::Key, Segment::Key(_)) => true,
                (GlobSegment::Literal(name), Segment::Literal(text) | Segment::Cast(text)) => {
                    text.to_lowercase() == *name
                }
                (GlobSegment::Literal(name), Segment::Function { name: function, .. }) => {
                    function.to_lowercase() == *name || segment.to_string().to_lowercase() == *name
                }
                _ => false,
            };
            fits && matches(rest, others)
        }
        _ => false,
    }
}

/// Which paths a slice keeps.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    /// Paths kept: those any of these match (all, when there is none).
    pub include: Vec<PathGlob>,
    /// Paths left out, of those included.
    pub exclude: Vec<PathGlob>,
}

impl PathFilter {
    /// Whether the filter keeps `path`.
    pub fn keeps(&self, path: &PathTemplate) -> bool {
        (self.include.is_empty() || self.include.iter().any(|g| g.matches(path)))
            && !self.exclude.iter().any(|g| g.matches(path))
    }
}

impl Spec {
    /// The part of the spec `filter` keeps: its operations (with the paths it keeps) and the
    /// types and enums they reach (see the module docs). A slice of a valid spec is valid.
    pub fn slice(&self, filter: &PathFilter) -> Spec {
        let operations: Vec<Operation> = (self.operations.iter())
            .filter_map(|op| {
                let paths: Vec<PathTemplate> = op
                    .paths
                    .iter()
                    .filter(|p| filter.keeps(p))
                    .cloned()
                    .collect();
                (!paths.is_empty()).then(|| Operation {
                    paths,
                    ..op.clone()
                })
            })
            .collect();
        let reached = self.reached_types(&operations);
        // A navigation property stays where its target is kept: the generated model has no
        // field for one, and following them all would bring in most of Graph.
        let types = (self.types.iter())
            .filter(|(name, _)| reached.contains(name.as_str()))
            .map(|(name, def)| {
                let mut def = def.clone();
                def.navigation_properties
                    .retain(|n| n.type_ref.named().is_none_or(|t| reached.contains(t)));
                (name.clone(), def)
            })
            .collect();
        let enums = (self.enums.iter())
            .filter(|(name, _)| reached.contains(name.as_str()))
            .map(|(name, def)| (name.clone(), def.clone()))
            .collect();
        Spec {
            namespace: self.namespace.clone(),
            version: self.version.clone(),
            types,
            enums,
            operations,
        }
    }

    /// The names of the types and enums `operations` reach.
    fn reached_types<'a>(&'a self, operations: &'a [Operation]) -> BTreeSet<&'a str> {
        let hierarchy = Hierarchy::new(self);
        // A type reached as a value may hold any derived type; one reached as a base may not.
        let mut pending: Vec<(&str, bool)> = Vec::new();
        for op in operations {
            let named = (op.request_body.iter().map(|b| &b.type_ref))
                .chain(op.response.body.iter().map(|b| &b.type_ref))
                .chain(
                    (op.response.download.iter())
                        .filter_map(|d| d.json.as_ref())
                        .map(|b| &b.type_ref),
                )
                .chain(op.parameters.iter().map(|p| &p.type_ref))
                .filter_map(|t| t.named());
            pending.extend(named.map(|name| (self.name_of(name), true)));
            pending.extend(op.delta_of().map(|name| (self.name_of(name), true)));
            let entity = crate::model::entity_type(&self.types, &self.operations, op);
            pending.extend(entity.map(|name| (self.name_of(name), true)));
        }
        let mut reached: BTreeMap<&str, bool> = BTreeMap::new();
        while let Some((name, as_value)) = pending.pop() {
            let seen = reached.get(name).copied();
            if seen == Some(true) || (seen == Some(false) && !as_value) {
                continue;
            }
            reached.insert(name, as_value || seen.unwrap_or(false));
            let Some(def) = self.types.get(name) else {
                continue;
            };
            if let Some(base) = &def.base_type {
                pending.push((self.name_of(base), false));
            }
            let values = def.properties.iter().filter_map(|p| p.type_ref.named());
            pending.extend(values.map(|value| (self.name_of(value), true)));
            if as_value {
                pending.extend(hierarchy.derived(name).iter().map(|d| (*d, true)));
            }
        }
        reached.into_keys().collect()
    }

    /// `name` as a key of this spec's types or enums, borrowed from the spec when it is one.
    fn name_of<'a>(&'a self, name: &'a str) -> &'a str {
        (self.types.get_key_value(name).map(|(k, _)| k.as_str()))
            .or_else(|| self.enums.get_key_value(name).map(|(k, _)| k.as_str()))
            .unwrap_or(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> PathTemplate {
        PathTemplate::parse(text).unwrap()
    }

    fn glob(text: &str) -> PathGlob {
        PathGlob::parse(text).unwrap()
    }

    #[test]
    fn globs_match_segments_keys_and_any_depth() {
        let users = glob("/users/**");
        assert!(users.matches(&path("/users")));
        assert!(users.matches(&path("/users/{user-id}/manager")));
        assert!(!users.matches(&path("/groups")));
        let members = glob("/groups/{group-id}/members/*");
        assert!(members.matches(&path("/groups/{id}/members/{directoryObject-id}")));
        assert!(!members.matches(&path("/groups/{id}/members")));
        assert!(!members.matches(&path("/groups/{id}/owners/{x}")));
        assert!(glob("/Users").matches(&path("/users")));
        assert!(
            glob("/reports/getTeamsUserActivityUserDetail").matches(&path(
                "/reports/getTeamsUserActivityUserDetail(period='{period}')"
            ))
        );
        assert!(glob("/**/delta").matches(&path("/users/delta")));
        assert!(!glob("/users/*").matches(&path("/users")));
    }

    #[test]
    fn bad_globs_are_refused_naming_the_problem() {
        for (text, reason) in [
            ("users", "does not start"),
            ("/users//x", "empty segment"),
            ("/us*rs", "mixes"),
        ] {
            let error = PathGlob::parse(text).unwrap_err();
            assert!(error.to_string().contains(reason), "{text}: {error}");
        }
    }

    /// The `navigation` codegen fixture, sliced.
    fn navigation(include: &[&str], exclude: &[&str]) -> (Spec, Vec<String>) {
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../graph-codegen/tests/fixtures/navigation.json"
        );
        let spec = crate::load(std::path::Path::new(fixture)).unwrap();
        let filter = PathFilter {
            include: include.iter().map(|g| glob(g)).collect(),
            exclude: exclude.iter().map(|g| glob(g)).collect(),
        };
        let slice = spec.slice(&filter);
        let problems = crate::validate(&slice, std::path::Path::new("slice"));
        assert!(problems.is_empty(), "{problems:?}");
        let types = slice.types.keys().cloned().collect();
        (slice, types)
    }

    #[test]
    fn a_slice_keeps_the_paths_it_matches_and_the_types_they_reach() {
        let (slice, types) = navigation(&["/readers/**"], &[]);
        let paths: Vec<String> = (slice.operations.iter())
            .flat_map(|op| op.paths.iter().map(ToString::to_string))
            .collect();
        assert!(paths.iter().all(|p| p.starts_with("/readers")), "{paths:?}");
        assert_eq!(paths.len(), 5, "{paths:?}");
        // A reader's favourite shelf is a summary; nothing else of the library comes along.
        assert_eq!(types, ["reader", "shelfSummary"]);
    }

    #[test]
    fn a_value_brings_its_derived_types_and_what_its_properties_name() {
        // A shelf's last reader (a property) and its derived special shelf come along; its
        // books (a navigation property) do not, and its `books` navigation property goes.
        let (slice, types) = navigation(&["/library/shelves/{id}"], &[]);
        assert_eq!(types, ["reader", "shelf", "shelfSummary", "specialShelf"]);
        let kept: Vec<&str> = (slice.types["shelf"].navigation_properties.iter())
            .map(|n| n.name.as_str())
            .collect();
        assert_eq!(kept, ["summary"]);
        let (slice, _) = navigation(&["/library/**"], &["/library/shelves/**"]);
        assert!(
            (slice.operations.iter()).all(|op| op
                .paths
                .iter()
                .all(|p| !p.to_string().starts_with("/library/shelves"))),
            "excluded paths are gone"
        );
    }
}
