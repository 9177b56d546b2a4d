//! Path templates, parsed once into typed segments.
//!
//! `/deviceManagement/windowsAutopilotDeploymentProfiles/{id}/microsoft.graph.x/assign` is a
//! literal, a literal, a key, a type cast and a literal. Every consumer (the importer's merging,
//! the code generators, the mock's route table, the OpenAPI writer) reads these segments; nothing
//! splits template text again. In `spec/api.json` a template is still written as its text and its
//! placeholder names, `{"template": "/a/{aId}", "parameters": ["aId"]}`; loading parses it and
//! refuses one that does not parse or whose names disagree, at its JSON path.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A path template: the path of an operation relative to the version segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawPathTemplate", into = "RawPathTemplate")]
pub struct PathTemplate {
    segments: Vec<Segment>,
}

/// One `/`-separated part of a template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    /// A fixed name: `deviceManagement`, `$ref`.
    Literal(String),
    /// A key placeholder, `{deviceManagementDomainJoinConnectorId}`: its name.
    Key(String),
    /// A type cast, `microsoft.graph.windows10Device`: the qualified type name.
    Cast(String),
    /// A function call with its arguments in the path, `getCounts(period='{period}')`.
    Function {
        /// The function name, `getCounts`.
        name: String,
        /// The arguments as written, in order.
        arguments: Vec<Argument>,
    },
}

/// One `name=value` argument of a function segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Argument {
    /// The parameter name.
    pub name: String,
    /// The value as written: a literal (`'D7'`, `3`) or one holding a placeholder (`'{period}'`).
    pub value: String,
}

impl Argument {
    /// The placeholder its value holds (`period` in `'{period}'`), if any.
    pub fn placeholder(&self) -> Option<&str> {
        placeholder_in(&self.value)
    }
}

/// Why a template does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the path template `{template}` {reason}")]
pub struct PathError {
    /// The template as written.
    pub template: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Segment {
    /// The segment's placeholder names: a key's own, or those in a function's arguments.
    pub fn placeholders(&self) -> Vec<&str> {
        match self {
            Segment::Key(name) => vec![name.as_str()],
            Segment::Function { arguments, .. } => {
                arguments.iter().filter_map(Argument::placeholder).collect()
            }
            Segment::Literal(_) | Segment::Cast(_) => Vec::new(),
        }
    }

    /// The properties a key placeholder names as alternate keys, `userPrincipalName` in
    /// `{id | userPrincipalName}` (or `{user-id | user-principal-name}`): the names after the
    /// first, spelt as properties are. Empty for a plain key and for any other segment.
    pub fn alternate_keys(&self) -> Vec<String> {
        let Segment::Key(name) = self else {
            return Vec::new();
        };
        (name.split('|').skip(1))
            .map(|alternate| heck::ToLowerCamelCase::to_lower_camel_case(alternate.trim()))
            .filter(|property| {
                !property.is_empty() && property.chars().all(|c| c.is_ascii_alphanumeric())
            })
            .collect()
    }

    /// Appends the segment as a [`PathTemplate::shape`] writes it: a key as `{}`, anything
    /// else as written.
    pub fn push_shape(&self, shape: &mut String) {
        match self {
            Segment::Key(_) => shape.push_str("{}"),
            other => shape.push_str(&other.to_string()),
        }
    }

    /// The unqualified type name of a cast (`windows10Device`), `None` for other segments.
    pub fn cast_type(&self) -> Option<&str> {
        match self {
            Segment::Cast(qualified) => Some(graph_odata::relative_type_name(qualified)),
            _ => None,
        }
    }

    fn parse(text: &str) -> Result<Segment, String> {
        if text.is_empty() {
            return Err("has an empty segment".to_owned());
        }
        if let Some(name) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            if name.is_empty() || name.contains(['{', '}']) {
                return Err(format!("has a malformed placeholder `{text}`"));
            }
            return Ok(Segment::Key(name.to_owned()));
        }
        if let Some(open) = text.find('(') {
            let (name, rest) = text.split_at(open);
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .filter(|_| !name.is_empty())
                .ok_or_else(|| format!("has a malformed function call `{text}`"))?;
            let arguments = inner
                .split(',')
                .filter(|a| !a.is_empty())
                .map(|argument| {
                    let (name, value) = argument
                        .split_once('=')
                        .filter(|(n, v)| !n.is_empty() && !v.is_empty())
                        .ok_or_else(|| {
                            format!("has a malformed argument `{argument}` in `{text}`")
                        })?;
                    Ok(Argument {
                        name: name.to_owned(),
                        value: value.to_owned(),
                    })
                })
                .collect::<Result<_, String>>()?;
            return Ok(Segment::Function {
                name: name.to_owned(),
                arguments,
            });
        }
        if text.contains(['{', '}', ')']) {
            return Err(format!(
                "has a placeholder that is not a whole segment: `{text}`"
            ));
        }
        if text.contains('.') {
            return Ok(Segment::Cast(text.to_owned()));
        }
        Ok(Segment::Literal(text.to_owned()))
    }
}

/// `{name}` in an argument value such as `'{name}'` or `{name}`.
fn placeholder_in(value: &str) -> Option<&str> {
    let start = value.find('{')?;
    let len = value[start..].find('}')?;
    Some(&value[start + 1..start + len])
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Literal(text) | Segment::Cast(text) => f.write_str(text),
            Segment::Key(name) => write!(f, "{{{name}}}"),
            Segment::Function { name, arguments } => {
                write!(f, "{name}(")?;
                for (n, argument) in arguments.iter().enumerate() {
                    let comma = if n == 0 { "" } else { "," };
                    write!(f, "{comma}{}={}", argument.name, argument.value)?;
                }
                f.write_str(")")
            }
        }
    }
}

impl PathTemplate {
    /// The root, `/`: no segments.
    pub const ROOT: PathTemplate = PathTemplate {
        segments: Vec::new(),
    };

    /// Parses a template such as `/a/{aId}/microsoft.graph.b/c`.
    pub fn parse(template: &str) -> Result<PathTemplate, PathError> {
        let error = |reason: String| PathError {
            template: template.to_owned(),
            reason,
        };
        let rest = template
            .strip_prefix('/')
            .ok_or_else(|| error("does not start with `/`".to_owned()))?;
        if rest.is_empty() {
            return Ok(PathTemplate {
                segments: Vec::new(),
            });
        }
        let segments = rest
            .split('/')
            .map(Segment::parse)
            .collect::<Result<_, _>>()
            .map_err(error)?;
        Ok(PathTemplate { segments })
    }

    /// The segments, in order.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The placeholder names, in path order.
    pub fn parameters(&self) -> Vec<&str> {
        self.segments
            .iter()
            .flat_map(Segment::placeholders)
            .collect()
    }

    /// The template with its placeholder names erased (`/a/{aId}` → `/a/{}`): two templates with
    /// the same shape address the same resources, whatever their parameters are called.
    pub fn shape(&self) -> String {
        let mut shape = String::new();
        for segment in &self.segments {
            shape.push('/');
            segment.push_shape(&mut shape);
        }
        shape
    }

    /// The path a router serves the template at: keys become captures named by position
    /// (`{p0}`, `{p1}`), so that templates whose parameter names differ never conflict, and a
    /// function segment is its name (the mock takes a call's arguments off before routing).
    /// The mock engine routes on it and the generated code names it, from this one function.
    pub fn route(&self) -> String {
        let mut route = String::new();
        let mut position = 0;
        for segment in &self.segments {
            route.push('/');
            match segment {
                Segment::Key(_) => {
                    route.push_str(&format!("{{p{position}}}"));
                    position += 1;
                }
                Segment::Function { name, .. } => route.push_str(name),
                Segment::Literal(text) | Segment::Cast(text) => route.push_str(text),
            }
        }
        route
    }

    /// The template without its last segment, `None` for the root.
    pub fn parent(&self) -> Option<PathTemplate> {
        let (_, parent) = self.segments.split_last()?;
        Some(PathTemplate {
            segments: parent.to_vec(),
        })
    }

    /// The same template with every placeholder (keys, and function arguments' `{name}`)
    /// renamed by `rename`, in path order.
    pub fn rename_placeholders(&self, mut rename: impl FnMut(&str) -> String) -> PathTemplate {
        let segments = self
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Key(name) => Segment::Key(rename(name)),
                Segment::Function { name, arguments } => Segment::Function {
                    name: name.clone(),
                    arguments: (arguments.iter())
                        .map(|argument| {
                            let value = match placeholder_in(&argument.value) {
                                Some(old) => argument.value.replacen(
                                    &format!("{{{old}}}"),
                                    &format!("{{{}}}", rename(old)),
                                    1,
                                ),
                                None => argument.value.clone(),
                            };
                            Argument {
                                name: argument.name.clone(),
                                value,
                            }
                        })
                        .collect(),
                },
                other => other.clone(),
            })
            .collect();
        PathTemplate { segments }
    }

    /// The same template with each literal segment at index `i` respelt as `respell(i, text)`
    /// says (`None` keeps it).
    pub fn respell_literals(
        &self,
        mut respell: impl FnMut(usize, &str) -> Option<String>,
    ) -> PathTemplate {
        let segments = (self.segments.iter().enumerate())
            .map(|(i, segment)| match segment {
                Segment::Literal(text) => {
                    Segment::Literal(respell(i, text).unwrap_or_else(|| text.clone()))
                }
                other => other.clone(),
            })
            .collect();
        PathTemplate { segments }
    }

    /// The last segment, `None` for the root.
    pub fn last(&self) -> Option<&Segment> {
        self.segments.last()
    }

    /// The template with the arguments of its call (its last segment, if that is a call) each
    /// rewritten by `rewrite`; any other template as it is.
    pub fn map_call_arguments(&self, rewrite: impl FnMut(&Argument) -> Argument) -> PathTemplate {
        let mut segments = self.segments.clone();
        if let Some(Segment::Function { arguments, .. }) = segments.last_mut() {
            *arguments = arguments.iter().map(rewrite).collect();
        }
        PathTemplate { segments }
    }
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for segment in &self.segments {
            write!(f, "/{segment}")?;
        }
        Ok(())
    }
}

/// How a template is written in `spec/api.json`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPathTemplate {
    template: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    parameters: Vec<String>,
}

impl TryFrom<RawPathTemplate> for PathTemplate {
    type Error = PathError;

    fn try_from(raw: RawPathTemplate) -> Result<PathTemplate, PathError> {
        let parsed = PathTemplate::parse(&raw.template)?;
        let declared = parsed.parameters();
        if declared != raw.parameters {
            return Err(PathError {
                template: raw.template.clone(),
                reason: format!(
                    "has the placeholders {declared:?}, but its parameters say {:?}",
                    raw.parameters
                ),
            });
        }
        Ok(parsed)
    }
}

impl From<PathTemplate> for RawPathTemplate {
    fn from(template: PathTemplate) -> RawPathTemplate {
        RawPathTemplate {
            template: template.to_string(),
            parameters: template
                .parameters()
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> PathTemplate {
        PathTemplate::parse(text).unwrap()
    }

    #[test]
    fn alternate_keys_are_the_names_after_the_first() {
        let keys = |name: &str| Segment::Key(name.to_owned()).alternate_keys();
        assert_eq!(keys("id | userPrincipalName"), ["userPrincipalName"]);
        assert_eq!(keys("user-id | user-principal-name"), ["userPrincipalName"]);
        assert_eq!(keys("id|name"), ["name"]);
        assert!(keys("userId").is_empty());
        assert!(keys(" | ").is_empty());
        assert!(
            Segment::Literal("a|b".to_owned())
                .alternate_keys()
                .is_empty()
        );
    }

    #[test]
    fn segments_are_typed() {
        let t = parse("/a/{aId}/microsoft.graph.b/c(x='{xId}',n=3)/$ref");
        assert_eq!(
            t.segments(),
            [
                Segment::Literal("a".into()),
                Segment::Key("aId".into()),
                Segment::Cast("microsoft.graph.b".into()),
                Segment::Function {
                    name: "c".into(),
                    arguments: vec![
                        Argument {
                            name: "x".into(),
                            value: "'{xId}'".into()
                        },
                        Argument {
                            name: "n".into(),
                            value: "3".into()
                        },
                    ],
                },
                Segment::Literal("$ref".into()),
            ]
        );
        assert_eq!(t.parameters(), ["aId", "xId"]);
        assert_eq!(t.segments()[2].cast_type(), Some("b"));
        assert_eq!(t.shape(), "/a/{}/microsoft.graph.b/c(x='{xId}',n=3)/$ref");
        assert_eq!(
            t.parent().unwrap().to_string(),
            "/a/{aId}/microsoft.graph.b/c(x='{xId}',n=3)"
        );
    }

    #[test]
    fn templates_print_as_written() {
        for text in ["/", "/a", "/a/{b}/c", "/a/f()", "/a/f(p={p})"] {
            assert_eq!(parse(text).to_string(), text);
        }
    }

    #[test]
    fn malformed_templates_say_what_is_wrong() {
        for (text, reason) in [
            ("a/b", "does not start with `/`"),
            ("/a//b", "has an empty segment"),
            ("/a/{id", "not a whole segment"),
            ("/a/{}", "malformed placeholder"),
            ("/a/f(x", "malformed function call"),
            ("/a/f(x)", "malformed argument `x`"),
            ("/a/{id}:", "not a whole segment"),
        ] {
            let error = PathTemplate::parse(text).unwrap_err().to_string();
            assert!(error.contains(reason), "{text}: {error}");
            assert!(error.contains(text), "{text}: {error}");
        }
    }

    #[test]
    fn json_keeps_its_shape_and_is_checked() {
        let t = parse("/a/{aId}/b");
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"template": "/a/{aId}/b", "parameters": ["aId"]})
        );
        assert_eq!(serde_json::from_value::<PathTemplate>(json).unwrap(), t);
        let wrong = serde_json::json!({"template": "/a/{aId}", "parameters": ["id"]});
        let error = serde_json::from_value::<PathTemplate>(wrong)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("has the placeholders [\"aId\"], but its parameters say [\"id\"]"),
            "{error}"
        );
    }
}
