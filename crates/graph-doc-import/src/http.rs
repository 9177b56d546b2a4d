//! Reads the `http` code blocks of API pages: the path templates of `## HTTP Request` and the
//! example request and response exchanges.

use graph_spec::HttpMethod;

/// A `METHOD /path` line of the HTTP Request block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    /// The method.
    pub method: HttpMethod,
    /// The path as written.
    pub path: String,
    /// The line.
    pub line: u32,
}

/// Reads every `METHOD /path` line of a block; other lines are returned as errors to report.
pub fn request_lines(text: &str, first_line: u32) -> (Vec<RequestLine>, Vec<(u32, String)>) {
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = first_line + i as u32;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        // `GET /path`, or with the space missing, `DELETE/path`.
        let parts = trimmed
            .split_once(char::is_whitespace)
            .filter(|(method, _)| HttpMethod::parse(method).is_some())
            .or_else(|| trimmed.find('/').map(|at| trimmed.split_at(at)));
        let parsed = parts
            .and_then(|(method, path)| Some((HttpMethod::parse(method)?, relative_path(path)?)));
        match parsed {
            Some((method, path)) => found.push(RequestLine { method, path, line }),
            None => unreadable.push((line, trimmed.to_owned())),
        }
    }
    (found, unreadable)
}

/// The path of a request line, `/users/{id}`. Hand-written pages also write it without the
/// leading slash (`users/{id}`), from a `~` root (`~/users/{id}`), as a whole URL
/// (`https://graph.microsoft.com/beta/users`) or with `<id>` for `{id}`; all are read as the
/// same path.
fn relative_path(written: &str) -> Option<String> {
    let path = written.trim();
    let path = path.strip_prefix('~').unwrap_or(path);
    let path = match path.split_once("://") {
        Some((_, rest)) => without_version(&rest[rest.find('/')?..]),
        None if path.starts_with('/') => without_version(path),
        None if path.starts_with(|c: char| c.is_ascii_alphabetic() || c == '{') => {
            format!("/{path}")
        }
        None => return None,
    };
    Some(angle_placeholders(&path))
}

/// The path without a leading version segment (`/beta/teams/{id}` is `/teams/{id}`): the version
/// is the base URL's, not the path's.
fn without_version(path: &str) -> String {
    let mut segments = path.splitn(3, '/');
    match (segments.next(), segments.next(), segments.next()) {
        (Some(""), Some("beta" | "v1.0"), Some(rest)) => format!("/{rest}"),
        _ => path.to_owned(),
    }
}

/// Placeholders written in angle brackets read as the usual braces: a segment
/// (`/resources/<resourceId>/roleSettings`) or a function argument
/// (`range(address='<address>')`, `cell(row=<row>,column=<column>)`).
fn angle_placeholders(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('>') {
            out.push('{');
            out.push_str(&after[..name_len]);
            out.push('}');
            rest = &after[name_len + 1..];
        } else {
            out.push('<');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// An example message split into its first line, headers and body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The request or status line.
    pub start_line: String,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body text, trimmed; empty if none.
    pub body: String,
    /// The line where the body starts.
    pub body_line: u32,
}

/// Splits an example block. Headers are `Name: value` lines after the start line; blank lines
/// between the start line and the headers are tolerated (some pages have them). The body is
/// everything from the first line that is not a header.
pub fn split_message(text: &str, first_line: u32) -> Option<Message> {
    let mut lines = text
        .lines()
        .enumerate()
        .skip_while(|(_, l)| l.trim().is_empty());
    let (_, start_line) = lines.next()?;
    let mut headers = Vec::new();
    let mut body_start = None;
    for (i, line) in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        match header(trimmed) {
            Some(h) if body_start.is_none() => headers.push(h),
            _ => {
                body_start = Some(i);
                break;
            }
        }
    }
    let all: Vec<&str> = text.lines().collect();
    let (body, body_line) = match body_start {
        Some(i) => (all[i..].join("\n").trim().to_owned(), first_line + i as u32),
        None => (String::new(), first_line + all.len() as u32),
    };
    Some(Message {
        start_line: start_line.trim().to_owned(),
        headers,
        body,
        body_line,
    })
}

fn header(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    let is_token = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    is_token.then(|| (name.to_owned(), value.trim().to_owned()))
}

/// The result of normalising an example URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalisedUrl {
    /// The path and query after the version segment, e.g. `/deviceManagement/x?$top=1`.
    pub path: String,
    /// Why the URL is malformed, when it is.
    pub defect: Option<String>,
}

/// Normalises an example URL to its path relative to the version segment (`/beta`, `/v1.0`).
///
/// A malformed URL (no version segment, backslashes) is recovered by locating `anchor`, the first
/// segment of the operation's path template, and reported.
pub fn normalise_url(url: &str, anchor: Option<&str>) -> NormalisedUrl {
    let mut defect = None;
    let forward_slashed;
    let url = if url.contains('\\') {
        defect = Some(format!("the example URL `{url}` contains a backslash"));
        forward_slashed = url.replace('\\', "/");
        forward_slashed.as_str()
    } else {
        url
    };
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    for version in ["/beta", "/v1.0"] {
        if let Some(rest) = path.strip_prefix(version)
            && (rest.starts_with('/') || rest.starts_with('?'))
        {
            return NormalisedUrl {
                path: rest.to_owned(),
                defect,
            };
        }
    }
    let reason = defect.unwrap_or_else(|| {
        format!("the example URL `{url}` has no `/beta` or `/v1.0` version segment")
    });
    let recovered = anchor
        .and_then(|a| path.find(&format!("/{a}")).map(|i| &path[i..]))
        .unwrap_or(path);
    NormalisedUrl {
        path: recovered.to_owned(),
        defect: Some(reason),
    }
}

/// Parses `HTTP/1.1 201 Created` into its status code.
pub fn status_line(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    parts.next().filter(|p| p.starts_with("HTTP/"))?;
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines_are_read_and_others_returned() {
        let (lines, bad) = request_lines("POST /a/b\nGET /a/{id}\nnonsense\n", 10);
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[1],
            RequestLine {
                method: HttpMethod::Get,
                path: "/a/{id}".into(),
                line: 11
            }
        );
        assert_eq!(bad, [(12, "nonsense".to_owned())]);
    }

    #[test]
    fn request_paths_without_a_slash_or_as_urls_read_as_paths() {
        let (lines, bad) = request_lines(
            "GET policies/x\nGET https://graph.microsoft.com/beta/users/{id}\nGET {id}/y\nGET ?x\nDELETE/a/$ref\nPATCH ~/b\nGET /r/<resourceId>/s\nGET /w/range(address='<address>')/cell(row=<row>,column=<column>)\nGET /a<b/c<>\nGET /beta/teams/{id}/photo\n",
            1,
        );
        let paths: Vec<&str> = lines.iter().map(|l| l.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/policies/x",
                "/users/{id}",
                "/{id}/y",
                "/a/$ref",
                "/b",
                "/r/{resourceId}/s",
                "/w/range(address='{address}')/cell(row={row},column={column})",
                "/a<b/c<>",
                "/teams/{id}/photo"
            ]
        );
        assert_eq!(bad, [(4, "GET ?x".to_owned())]);
    }

    #[test]
    fn messages_split_with_stray_blank_lines() {
        let m = split_message(
            "POST https://x/beta/a\n\nContent-type: application/json\n\n{\n  \"a\": 1\n}\n",
            5,
        )
        .unwrap();
        assert_eq!(m.start_line, "POST https://x/beta/a");
        assert_eq!(
            m.headers,
            [("Content-type".to_owned(), "application/json".to_owned())]
        );
        assert_eq!(m.body, "{\n  \"a\": 1\n}");
        assert_eq!(m.body_line, 9);
        let get = split_message("GET https://x/beta/a\n", 1).unwrap();
        assert_eq!(get.body, "");
    }

    #[test]
    fn urls_normalise_to_the_version_segment() {
        let ok = normalise_url(
            "https://graph.microsoft.com/beta/deviceManagement/x?$top=2",
            None,
        );
        assert_eq!(
            ok,
            NormalisedUrl {
                path: "/deviceManagement/x?$top=2".into(),
                defect: None
            }
        );
        assert_eq!(
            normalise_url("https://graph.microsoft.com/v1.0/a", None).path,
            "/a"
        );
    }

    #[test]
    fn the_seed_url_is_recovered_and_reported() {
        let n = normalise_url(
            r"https://graph.microsoft.com/docs\api/deviceManagement/domainJoinConnectors",
            Some("deviceManagement"),
        );
        assert_eq!(n.path, "/deviceManagement/domainJoinConnectors");
        assert!(n.defect.unwrap().contains("backslash"));
        let no_version = normalise_url(
            "https://graph.microsoft.com/deviceManagement/a",
            Some("deviceManagement"),
        );
        assert_eq!(no_version.path, "/deviceManagement/a");
        assert!(no_version.defect.unwrap().contains("version segment"));
    }

    #[test]
    fn status_lines() {
        assert_eq!(status_line("HTTP/1.1 201 Created"), Some(201));
        assert_eq!(status_line("201 Created"), None);
    }
}
