//! Graph matches the fixed segments of a URL without regard to case: `/Users`,
//! `/me/calendargroups/{id}/calendars` and `/DEVICEMANAGEMENT` name what `/users`,
//! `/me/calendarGroups/{id}/calendars` and `/deviceManagement` do. The router matches exactly, so
//! before routing each segment that names a path literal in another case is respelt as the spec
//! spells it. Keys are left as they came, and a literal wins over a key where both fit (as the
//! router prefers a literal).

// hashbrown's default hasher (foldhash), faster than std's SipHash for a walk made on every
// request; the maps are filled at start, so no request can fill them with colliding keys.
use hashbrown::HashMap;

use axum::extract::Request;

use crate::operation::{OperationMeta, PathSegment};

/// The literal segments of every route, as a tree: the spelling the routes use, found from any
/// spelling.
#[derive(Debug, Default)]
pub struct PathSpellings {
    root: Node,
}

#[derive(Debug, Default)]
struct Node {
    /// The literals (names and function names) that may come next, as the routes spell them.
    literals: Children,
    /// The casts that may come next, by their unqualified type name.
    casts: Children,
    /// What may follow a key.
    key: Option<Box<Node>>,
}

/// Named children, found by their route spelling first (no allocation for a request spelt as
/// the routes are), then by their lower-case spelling.
#[derive(Debug, Default)]
struct Children {
    nodes: Vec<(&'static str, Node)>,
    exact: HashMap<&'static str, usize>,
    folded: HashMap<String, usize>,
}

impl Children {
    fn child(&mut self, name: &'static str) -> &mut Node {
        let folded = name.to_ascii_lowercase();
        let at = match self.folded.get(&folded) {
            Some(&at) => at,
            None => {
                self.nodes.push((name, Node::default()));
                let at = self.nodes.len() - 1;
                self.exact.insert(name, at);
                self.folded.insert(folded, at);
                at
            }
        };
        &mut self.nodes[at].1
    }

    /// The route spelling of `name`, in any case, and what may follow it.
    fn find(&self, name: &str) -> Option<&(&'static str, Node)> {
        let at = match self.exact.get(name) {
            Some(&at) => at,
            // Most segments that miss are keys, often lower-case already (GUIDs): those are
            // looked up as they are, without a lower-cased copy.
            None if name.bytes().any(|b| b.is_ascii_uppercase()) => {
                *self.folded.get(&name.to_ascii_lowercase())?
            }
            None => *self.folded.get(name)?,
        };
        self.nodes.get(at)
    }
}

impl PathSpellings {
    /// The tree of `operations`' segments. Where two routes spell one literal in two cases at
    /// the same place, the first one's spelling is kept (the importer unifies such spellings).
    pub fn new(operations: &'static [OperationMeta]) -> PathSpellings {
        let mut root = Node::default();
        for operation in operations {
            let mut node = &mut root;
            for segment in &operation.segments {
                node = match segment {
                    PathSegment::Literal(name) => node.literals.child(name),
                    PathSegment::Cast(name) => node.casts.child(name),
                    PathSegment::Key(_) => node.key.get_or_insert_with(Box::default),
                };
            }
        }
        PathSpellings { root }
    }

    /// `path` (relative to the base path) with each literal in the spelling of the routes, or
    /// `None` when it is already spelt so.
    fn respell(&self, path: &str) -> Option<String> {
        let mut node = &self.root;
        let mut respelt: Option<String> = None;
        // The byte offset in `path` up to which `respelt` holds the respelt path.
        let mut copied = 0;
        let mut start = 1;
        for segment in path.get(1..)?.split('/') {
            let end = start + segment.len();
            // A cast is written qualified (`microsoft.graph.x`); the tree holds its last part.
            let found = match segment.rsplit_once('.') {
                Some((_, name)) => node.casts.find(name).map(|f| (name, f)),
                None => node.literals.find(segment).map(|f| (segment, f)),
            };
            match found {
                Some((name, (spelling, next))) => {
                    if name != *spelling {
                        let text = respelt.get_or_insert_with(|| String::with_capacity(path.len()));
                        text.push_str(&path[copied..end - name.len()]);
                        text.push_str(spelling);
                        copied = end;
                    }
                    node = next;
                }
                None => match &node.key {
                    Some(next) => node = next,
                    None => break,
                },
            }
            start = end + 1;
        }
        let mut text = respelt?;
        text.push_str(&path[copied..]);
        Some(text)
    }
}

/// Respells the literals of `request`'s path after `base_path` (see the module doc), keeping
/// its query.
pub fn respell_literals(
    spellings: &PathSpellings,
    base_path: &str,
    mut request: Request,
) -> Request {
    let Some(relative) = request.uri().path().strip_prefix(base_path) else {
        return request;
    };
    let Some(respelt) = spellings.respell(relative) else {
        return request;
    };
    let target = match request.uri().query() {
        Some(query) => format!("{base_path}{respelt}?{query}"),
        None => format!("{base_path}{respelt}"),
    };
    if let Ok(uri) = target.parse() {
        *request.uri_mut() = uri;
    }
    request
}
