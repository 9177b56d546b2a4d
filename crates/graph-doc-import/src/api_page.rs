//! Reads an API page (`doc_type: apiPageType`) into an [`Operation`].

use graph_spec::path::Argument;
use graph_spec::{
    DefectKind, Download, Example, ExampleRequest, ExampleResponse, HttpMethod, Operation,
    OperationKind, PathTemplate, Permissions, Primitive, Property, RequestBody, Response,
    ResponseBody, Segment, TypeRef,
};

use crate::http::{self, split_message};
use crate::includes::{self, Includes};
use crate::markdown::{Block, Document, Inline, Link, Section};
use crate::properties::Mentions;
use crate::report::{PageError, Report};
use crate::tables::{self, PropertyRow};

/// What an API page contributes.
#[derive(Debug)]
pub struct ApiPage {
    /// The operation, with named types not yet checked against other pages.
    pub operation: Operation,
    /// The request body's type and the properties of its table, so that a type no resource page
    /// documents can be built from them (the seed is such a page).
    pub body_table: Option<(String, Vec<Property>)>,
    /// Named types and inferred enums.
    pub mentions: Mentions,
    /// Each example body's text and first line, by the line of its block, to place defects.
    pub example_texts: Vec<ExampleText>,
    /// The sub-namespace the page says it is in (`Namespace: microsoft.graph.termStore`), in
    /// which its bare type names resolve first.
    pub namespace: Option<String>,
}

/// The text of an example body, to find the line of a key in it.
#[derive(Debug, Clone)]
pub struct ExampleText {
    /// The line of the code block (the example's `source.line`).
    pub block_line: u32,
    /// The line the body starts on.
    pub body_line: u32,
    /// The body.
    pub text: String,
}

impl ExampleText {
    /// The line of the first `"key"` in the body, or the body's first line.
    pub fn line_of_key(&self, key: &str) -> u32 {
        let needle = format!("\"{key}\"");
        self.text
            .lines()
            .position(|l| l.contains(&needle))
            .map_or(self.body_line, |i| self.body_line + i as u32)
    }
}

/// Reads an API page.
pub fn read(
    doc: &Document,
    includes: &Includes,
    report: &mut Report,
) -> Result<ApiPage, PageError> {
    let RequestPaths {
        method,
        mut paths,
        ref_lines,
        line: request_line,
    } = request_paths(doc, report)?;

    let mut mentions = Mentions::default();
    let permissions = permissions(doc, includes, report);
    let headers = doc
        .section(&["Request headers"])
        .and_then(|s| {
            s.tables()
                .next()
                .map(|(h, rows)| tables::headers_table(h, rows, report))
        })
        .unwrap_or_default();

    let (outcome, response_section) = response(doc, &mut mentions, report)?;

    let download = (outcome.status == 302).then(|| download(&response_section, &mut mentions));

    let title = doc.title();
    // A `$ref` page links an entity, or removes a link: its operation is that of the property
    // at the path. A `POST .../$ref` that answers a created entity (the seed's `201`) creates
    // one, and its `/$ref` is a doc defect.
    let reference = !ref_lines.is_empty()
        && match method {
            HttpMethod::Delete | HttpMethod::Put => true,
            HttpMethod::Post => outcome.status == 204,
            HttpMethod::Get | HttpMethod::Patch => false,
        };
    if !reference {
        for (line, written) in &ref_lines {
            let read = written.trim_end_matches("/$ref");
            report.defect(*line, DefectKind::RefSuffixInPath, format!("the path `{written}` ends in `/$ref`, but the page does not link an entity; read as `{read}`"));
        }
    }
    let (kind, name) = match method {
        HttpMethod::Post if reference => (OperationKind::Create, String::new()),
        HttpMethod::Put if reference => (OperationKind::Update, String::new()),
        HttpMethod::Delete if reference => (OperationKind::Delete, String::new()),
        _ => classify(
            method,
            &paths,
            &title,
            outcome.verb,
            outcome.status,
            outcome.body.as_ref(),
        ),
    };
    let owner = title
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned();

    // A link's body is `{"@odata.id": ...}`, whatever type the page says it links.
    let body = match doc.section(&["Request body"]).filter(|_| !reference) {
        Some(section) => request_body(&section, kind, &owner, &mut mentions, report),
        None => {
            // A create or an update says what it takes; no section is a gap, not "no body".
            if !reference && matches!(kind, OperationKind::Create | OperationKind::Update) {
                report.defect(
                    request_line,
                    DefectKind::MissingSection,
                    "the page has no `## Request body` section; the body is not described"
                        .to_owned(),
                );
            }
            BodyRead::default()
        }
    };
    let (body_table, mut parameters, request_body) =
        (body.table, body.parameters, body.request_body);
    // Function pages of the hand-written kind list their parameters in a section of their own.
    if kind == OperationKind::Function
        && parameters.is_empty()
        && let Some(section) = doc.section(&["Function parameters", "Parameters"])
        && let Some((header, rows)) = section.tables().next()
    {
        parameters = tables::property_table(header, rows, report)
            .unwrap_or_default()
            .iter()
            .map(|r| mentions.property(r, &owner, None, report))
            .collect();
    }

    if kind == OperationKind::Function {
        let line = request_line;
        let mut read = Vec::with_capacity(paths.len());
        for template in &paths {
            let template = call_arguments(template, &mut parameters, line, report);
            // `(period='D7')` and `(period='D30')` are one template, `(period='{period}')`.
            if !read.contains(&template) {
                read.push(template);
            }
        }
        paths = read;
    }

    let (examples, example_texts) =
        read_examples(doc, method, paths.first(), outcome.status, report);

    Ok(ApiPage {
        operation: Operation {
            kind,
            name,
            method,
            paths,
            summary: title,
            description: doc
                .front_matter
                .get("description")
                .cloned()
                .unwrap_or_default(),
            parameters,
            request_body,
            reference,
            response: Response {
                status: outcome.status,
                body: outcome.body,
                download,
            },
            headers,
            query_options: query_options(doc),
            permissions,
            examples,
            source: report.source(request_line),
        },
        body_table,
        mentions,
        example_texts,
        namespace: doc.namespace(),
    })
}

/// A request line's path with what stands for a parameter written as one, each reported: a
/// concrete id where a key goes (`/education/classes/acdefc6b-2dc6-4e71-b1e9-6d9810ab1793/...`
/// is `/education/classes/{classesId}/...`) and a placeholder name with spaces (`{tenant id}` is
/// `{tenantId}`). `None`, reported, for a path no template can hold (a `$` segment).
fn written_values_as_placeholders(path: &str, line: u32, report: &mut Report) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut read = Vec::with_capacity(segments.len());
    for (at, &segment) in segments.iter().enumerate() {
        let previous = at.checked_sub(1).map(|p| segments[p]).unwrap_or_default();
        if segment == "$" {
            report.defect(
                line,
                DefectKind::MalformedPath,
                format!("`{path}`: `$` is no path segment; skipped"),
            );
            return None;
        }
        let rewritten = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) if name.contains(char::is_whitespace) && !name.contains('|') => Some(
                format!("{{{}}}", heck::ToLowerCamelCase::to_lower_camel_case(name)),
            ),
            Some(_) => None,
            None if is_written_id(segment) && is_plain_name(previous) => {
                Some(format!("{{{previous}Id}}"))
            }
            None => None,
        };
        match rewritten {
            Some(placeholder) => {
                report.defect(
                    line,
                    DefectKind::MalformedPath,
                    format!("`{path}` writes `{segment}` where a parameter goes; read as `{placeholder}`"),
                );
                read.push(placeholder);
            }
            None => read.push(segment.to_owned()),
        }
    }
    Some(read.join("/"))
}

/// Whether a path segment is an id written out (a GUID, or 32 hex digits) rather than a name.
fn is_written_id(segment: &str) -> bool {
    let hex = |s: &str| s.chars().all(|c| c.is_ascii_hexdigit());
    let groups: Vec<&str> = segment.split('-').collect();
    match groups.as_slice() {
        [a, b, c, d, e] => {
            [a.len(), b.len(), c.len(), d.len(), e.len()] == [8, 4, 4, 4, 12]
                && groups.iter().all(|g| hex(g))
        }
        [whole] => whole.len() == 32 && hex(whole),
        _ => false,
    }
}

/// Whether a segment is a plain name (a collection a key can follow).
fn is_plain_name(segment: &str) -> bool {
    !segment.is_empty() && segment.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The OData query options the `Optional query parameters` section names as supported
/// (`This method supports the $count, $filter and $search OData query parameters`), lower case
/// with their `$`, in order. A sentence that says an option is not supported names none.
fn query_options(doc: &Document) -> Vec<String> {
    const KNOWN: [&str; 10] = [
        "$count",
        "$expand",
        "$filter",
        "$format",
        "$orderby",
        "$search",
        "$select",
        "$skip",
        "$skiptoken",
        "$top",
    ];
    let Some(section) = doc.section(&["Optional query parameters"]) else {
        return Vec::new();
    };
    let mut options: Vec<String> = Vec::new();
    let texts = (section.paragraphs().map(|(inline, _)| inline.text.as_str())).chain(
        section
            .tables()
            .flat_map(|(_, rows)| rows)
            .filter_map(|row| row.cells.first().map(|cell| cell.text.as_str())),
    );
    for text in texts {
        for sentence in text.split(". ") {
            let lower = sentence.to_ascii_lowercase();
            if lower.contains("not support") || lower.contains("n't support") {
                continue;
            }
            let words = lower.split(|c: char| !(c == '$' || c.is_ascii_alphanumeric()));
            for word in words.filter(|w| KNOWN.contains(w)) {
                if !options.iter().any(|o| o == word) {
                    options.push(word.to_owned());
                }
            }
        }
    }
    options
}

/// A function call's arguments as placeholders of its parameters. Hand-written pages often
/// write an example value (`filterByCurrentUser(on='reviewer')`, `rowsAbove(count=n)`), which
/// becomes `'{on}'` or `{count}`; an argument the parameters table does not list becomes a
/// parameter typed by how it is written (a quoted value is a string). Each is reported.
fn call_arguments(
    template: &PathTemplate,
    parameters: &mut Vec<Property>,
    line: u32,
    report: &mut Report,
) -> PathTemplate {
    template.map_call_arguments(|argument| {
        let name = argument.name.trim();
        let written = argument.value.trim();
        if !parameters.iter().any(|p| p.name == name) {
            let type_ref = match written {
                "true" | "false" => TypeRef::Primitive(Primitive::Boolean),
                _ if written.parse::<i64>().is_ok() => TypeRef::Primitive(Primitive::Int32),
                _ => TypeRef::Primitive(Primitive::String),
            };
            report.defect(
                line,
                DefectKind::PathArgument,
                format!("the path passes `{name}`, which the parameters table does not list; read as a parameter of type {type_ref}"),
            );
            parameters.push(Property {
                name: name.to_owned(),
                type_ref,
                collection: false,
                nullable: false,
                read_only: false,
                select_only: false,
                write_only: None,
                description: "Written in the request path; the parameters table does not list it."
                    .to_owned(),
            });
        }
        let value = match argument.placeholder() {
            Some(_) => written.to_owned(),
            None => {
                let placeholder = match written.starts_with('\'') {
                    true => format!("'{{{name}}}'"),
                    false => format!("{{{name}}}"),
                };
                report.defect(
                    line,
                    DefectKind::PathArgument,
                    format!("the path writes the example value `{written}` for `{name}`; read as `{placeholder}`"),
                );
                placeholder
            }
        };
        Argument {
            name: name.to_owned(),
            value,
        }
    })
}

/// What a `302 Found` answer's Response section says of the download: the CSV columns listed
/// after "The CSV file has the following headers for columns", and the JSON answer of a
/// "### JSON" part ("returns a `200 OK` response code and an [x](...) object").
fn download(section: &Section, mentions: &mut Mentions) -> Download {
    let mut download = Download::default();
    let mut blocks = section.blocks.iter();
    while let Some(block) = blocks.next() {
        let Block::Paragraph { inline, line } = block else {
            continue;
        };
        if inline.text.contains("following headers") || inline.text.contains("following columns") {
            // The list items that follow, up to the next heading, block of another kind or
            // sentence ("The following columns are not supported in ...:").
            download.csv_columns = blocks
                .by_ref()
                .map_while(|b| match b {
                    Block::Paragraph { inline, .. }
                        if !inline.text.trim_end().ends_with([':', '.']) =>
                    {
                        Some(inline.text.trim().to_owned())
                    }
                    _ => None,
                })
                .collect();
        } else if download.json.is_none()
            && let Some(read) = response_sentence(inline).filter(|r| r.status == 200)
            && let Some(body) = read.body
        {
            if let Some((name, link)) = read.named_type {
                mentions.types.push(crate::properties::TypeMention {
                    name,
                    link,
                    line: *line,
                });
            }
            // A report's JSON is its rows, `{"value": [...]}`, though the sentence names "an
            // emailActivitySummary object".
            download.json = Some(ResponseBody {
                collection: true,
                ..body
            });
        }
    }
    download
}

/// The status and body type of the page's first example response (`HTTP/1.1 200 OK`, with
/// the type from its annotation's `@odata.type`), and its line.
fn example_response(doc: &Document) -> Option<(ResponseSentence, u32)> {
    doc.blocks.iter().find_map(|block| {
        let Block::Code {
            text,
            line,
            annotation,
        } = block
        else {
            return None;
        };
        let message = split_message(text, *line)?;
        let status: u16 = message
            .start_line
            .trim()
            .strip_prefix("HTTP/")?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        let annotated = annotation.as_ref();
        let written = annotated
            .and_then(|a| a.get("@odata.type").or_else(|| a.get("@type")))
            .and_then(|t| t.as_str())
            .unwrap_or_default();
        let (element, wrapped) = match written.strip_prefix("Collection(") {
            Some(inner) => (inner.trim_end_matches(')'), true),
            None => (written, false),
        };
        let collection = wrapped
            || annotated
                .and_then(|a| a.get("isCollection"))
                .and_then(|c| c.as_bool())
                .unwrap_or(false);
        let body = (status != 204)
            .then(|| type_name(element.trim_start_matches("microsoft.graph.")))
            .flatten()
            .map(|type_ref| ResponseBody {
                type_ref,
                collection,
            });
        // The type named is a mention like a link's, so that a type without a page gets its
        // placeholder.
        let named_type = body
            .as_ref()
            .and_then(|b| b.type_ref.named())
            .map(|name| (name.to_owned(), None));
        Some((
            ResponseSentence {
                status,
                verb: Verb::Method,
                body,
                named_type,
                inconsistency: None,
                unreadable_type: None,
            },
            *line,
        ))
    })
}

/// Rows whose description says "Required" — the Intune template lists every property in a
/// "required when you create" table, so the table itself means nothing.
fn required_rows(rows: &[PropertyRow]) -> Vec<String> {
    rows.iter()
        .filter(|r| {
            r.description
                .split_whitespace()
                .any(|w| w.trim_matches('.') == "Required")
        })
        .map(|r| r.name.clone())
        .collect()
}

/// Whether the response sentence says "this method", "this action" or "this function".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// CRUD.
    Method,
    /// A bound action.
    Action,
    /// A bound function.
    Function,
}

/// What the Response sentence says.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseSentence {
    /// The status code.
    pub status: u16,
    /// "this method/action/function returns".
    pub verb: Verb,
    /// The body shape.
    pub body: Option<ResponseBody>,
    /// The linked type, for the missing-page check.
    pub named_type: Option<(String, Option<String>)>,
    /// A contradiction such as `200 Created`.
    pub inconsistency: Option<String>,
    /// Link text that names no type (`teamsApp properties`): the body is read without a type.
    pub unreadable_type: Option<String>,
}

/// Reads the Response section: the status and body its sentence gives (or, without one, the
/// example response), and the section itself.
fn response<'d>(
    doc: &'d Document,
    mentions: &mut Mentions,
    report: &mut Report,
) -> Result<(ResponseSentence, Section<'d>), PageError> {
    let response_section = doc
        .section_at_any_level(&["Response"])
        .ok_or_else(|| page_error(report.file(), 1, "the page has no `## Response` section"))?;
    let sentence = response_section
        .paragraphs()
        .find(|(p, _)| p.text.contains("returns"))
        .ok_or_else(|| {
            page_error(
                report.file(),
                response_section.line,
                "the Response section has no \"returns a `NNN ...` response code\" sentence",
            )
        })
        .and_then(|(sentence, line)| {
            response_sentence(sentence)
                .map(|outcome| (outcome, line))
                .ok_or_else(|| {
                    page_error(
                        report.file(),
                        line,
                        "the Response sentence names no status code",
                    )
                })
        });
    // Hand-written pages often leave the status to the example: it is read from there.
    let (outcome, sentence_line) = match sentence {
        Ok(read) => read,
        Err(unread) => {
            let (outcome, line) = example_response(doc).ok_or(unread.clone())?;
            report.defect(
                unread.line,
                DefectKind::MissingSection,
                format!(
                    "{}; the status ({}) and body type are read from the example response at line {line}",
                    unread.message, outcome.status
                ),
            );
            (outcome, unread.line)
        }
    };
    if let Some(reason) = &outcome.inconsistency {
        report.defect(
            sentence_line,
            DefectKind::InconsistentStatus,
            reason.clone(),
        );
    }
    if let Some(text) = &outcome.unreadable_type {
        report.defect(
            sentence_line,
            DefectKind::UnknownType,
            format!(
                "the response body names `{text}`, which is not a type name; read without a type"
            ),
        );
    }
    if let Some((name, link)) = &outcome.named_type {
        mentions.types.push(crate::properties::TypeMention {
            name: name.clone(),
            link: link.clone(),
            line: sentence_line,
        });
    }
    Ok((outcome, response_section))
}

/// A page that cannot be read, at `line` of `file`.
fn page_error(file: &str, line: u32, message: &str) -> PageError {
    PageError {
        file: file.to_owned(),
        line,
        message: message.to_owned(),
    }
}

/// What the HTTP request section says: the method, the paths as templates, and the lines
/// that wrote a path with `/$ref` (read without it: see `reference` in [`read`]).
struct RequestPaths {
    method: HttpMethod,
    paths: Vec<PathTemplate>,
    ref_lines: Vec<(u32, String)>,
    /// The line of the first request line: where the operation is documented.
    line: u32,
}

/// Reads the HTTP request section's `METHOD /path` lines.
fn request_paths(doc: &Document, report: &mut Report) -> Result<RequestPaths, PageError> {
    let file = report.file().to_owned();
    let error = |line: u32, message: &str| page_error(&file, line, message);
    let http_section = doc
        .section_at_any_level(&["HTTP Request"])
        .ok_or_else(|| error(1, "the page has no `## HTTP Request` section"))?;
    // Hand-written pages often give each form its own block ("For a specific user:" then
    // `GET /users/{id}`, "For the signed-in user:" then `GET /me`): every block counts.
    let mut blocks = (http_section.blocks.iter())
        .filter_map(|b| match b {
            Block::Code { text, line, .. } => Some(http::request_lines(text, *line)),
            _ => None,
        })
        .peekable();
    if blocks.peek().is_none() {
        return Err(error(
            http_section.line,
            "the `## HTTP Request` section has no code block",
        ));
    }
    let (mut lines, mut unreadable) = (Vec::new(), Vec::new());
    for (index, (block_lines, block_unreadable)) in blocks.enumerate() {
        // A later block with a query shows a use of another operation (`GET /me?$expand=manager`
        // on the list-manager page), not a path of this one.
        let is_path = |l: &http::RequestLine| index == 0 || !l.path.contains('?');
        lines.extend(block_lines.into_iter().filter(is_path));
        unreadable.extend(block_unreadable);
    }
    for (line, text) in unreadable {
        report.defect(
            line,
            DefectKind::UnknownTableLayout,
            format!("`{text}` is not a `METHOD /path` line; skipped"),
        );
    }
    let method = lines.first().map(|l| l.method).ok_or_else(|| {
        error(
            http_section.line,
            "the HTTP Request block has no `METHOD /path` line",
        )
    })?;
    let mut paths = Vec::new();
    // Paths written with `/$ref`, read without it: see `reference` below.
    let mut ref_lines: Vec<(u32, String)> = Vec::new();
    for l in &lines {
        if l.method != method {
            report.defect(
                l.line,
                DefectKind::UnknownTableLayout,
                format!(
                    "`{} {}` differs in method from the first line; skipped",
                    l.method.as_str(),
                    l.path
                ),
            );
            continue;
        }
        // A query shows one use of the operation (`?$expand=...`), and a trailing `/` addresses
        // the same resource; the template is the path alone.
        let path = l.path.split('?').next().unwrap_or_default();
        let mut path = match path.trim_end_matches('/') {
            "" => "/".to_owned(),
            trimmed => trimmed.to_owned(),
        };
        if let Some(stripped) = path.strip_suffix("/$ref") {
            let stripped = stripped.to_owned();
            ref_lines.push((l.line, std::mem::replace(&mut path, stripped)));
        }
        if path.split('/').any(|segment| segment == "...") {
            report.defect(
                l.line,
                DefectKind::MalformedPath,
                format!("`{path}`: a `...` segment stands for any depth of folders; skipped"),
            );
            continue;
        }
        let Some(path) = written_values_as_placeholders(&path, l.line, report) else {
            continue;
        };
        match PathTemplate::parse(&path) {
            Ok(template) if paths.contains(&template) => {}
            Ok(template) => paths.push(template),
            Err(e) => report.defect(l.line, DefectKind::MalformedPath, format!("{e}; skipped")),
        }
    }
    if paths.is_empty() {
        return Err(error(
            http_section.line,
            "the HTTP Request block has no path the spec can hold",
        ));
    }
    Ok(RequestPaths {
        method,
        paths,
        ref_lines,
        line: lines.first().map_or(http_section.line, |l| l.line),
    })
}

/// What a Request body section says: an action's or function's parameters, or the type of a
/// create's or update's body with the properties its table lists.
#[derive(Debug, Default)]
struct BodyRead {
    parameters: Vec<Property>,
    request_body: Option<RequestBody>,
    /// The body's type and its table's properties (see [`ApiPage::body_table`]).
    table: Option<(String, Vec<Property>)>,
}

/// Reads the Request body section of an operation of `kind` on `owner`.
fn request_body(
    section: &Section<'_>,
    kind: OperationKind,
    owner: &str,
    mentions: &mut Mentions,
    report: &mut Report,
) -> BodyRead {
    let mut read = BodyRead::default();
    let text: String = section
        .paragraphs()
        .map(|(p, _)| p.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let rows = section
        .tables()
        .next()
        .and_then(|(h, rows)| tables::property_table(h, rows, report))
        .unwrap_or_default();
    match kind {
        OperationKind::Action | OperationKind::Function => {
            read.parameters = rows
                .iter()
                .map(|r| mentions.property(r, owner, None, report))
                .collect();
        }
        _ if !says_no_body(&text) => {
            // The paragraph that says what the body is ("a JSON representation of a [x]
            // object", or just "A [x]."), not one that links elsewhere ("supports
            // [extensions](...)").
            let names_the_body = |p: &Inline| {
                p.text.contains("representation")
                    || p.text.contains(" object")
                    || p.text.contains("properties of the")
                    || p.text.split_whitespace().count() <= 3
            };
            let body_type = section
                .paragraphs()
                .filter(|(p, _)| names_the_body(p))
                .find_map(|(p, _)| p.links.first().map(|l| l.text.clone()))
                .or_else(|| section.paragraphs().find_map(|(p, _)| bold_type(p)))
                .or_else(|| {
                    text.split("create the ")
                        .nth(1)
                        .map(|t| t.trim_end_matches('.').trim().to_owned())
                })
                .filter(|t| !t.is_empty());
            match body_type.map(|ty| (type_name(&ty), ty)) {
                Some((Some(type_ref), ty)) => {
                    mentions.types.push(crate::properties::TypeMention {
                        name: ty.clone(),
                        link: None,
                        line: section.line,
                    });
                    read.request_body = Some(RequestBody {
                        type_ref,
                        required: required_rows(&rows),
                    });
                    let key = rows.iter().any(|r| r.name == "id").then_some("id");
                    let properties: Vec<Property> = rows
                        .iter()
                        .map(|r| mentions.property(r, &ty, key, report))
                        .collect();
                    // A body without a table describes no type: the name is a mention only.
                    if !properties.is_empty() {
                        read.table = Some((ty, properties));
                    }
                }
                Some((None, ty)) => report.defect(
                    section.line,
                    DefectKind::UnknownType,
                    format!("the request body names `{ty}`, which is not a type name; the body is not described"),
                ),
                None => report.defect(
                    section.line,
                    DefectKind::MissingSection,
                    "the request body names no type; the body is not described".to_owned(),
                ),
            }
        }
        _ => {}
    }
    read
}

/// Whether a Request body section's text says there is none: "Do not supply a request body"
/// on older pages, "Don't supply" on today's.
fn says_no_body(text: &str) -> bool {
    ["Do not supply", "Don't supply", "Don\u{2019}t supply"]
        .iter()
        .any(|phrase| text.contains(phrase))
}

/// The operation's permissions: the `## Permissions` section's table or, on today's pages, the
/// include that holds it (`[!INCLUDE [permissions-table](...)]`), whose defects name the include.
/// Without either, the defect says so; an include the import lacks leaves them undetermined.
fn permissions(doc: &Document, includes: &Includes, report: &mut Report) -> Permissions {
    let section = doc.section(&["Permissions", "Prerequisites"]);
    let include = section.as_ref().and_then(|s| {
        s.paragraphs().find_map(|(p, line)| {
            let link = p
                .links
                .iter()
                .find(|l| l.text == includes::PERMISSIONS_TABLE)?;
            p.text
                .contains("!INCLUDE")
                .then_some((link.target.as_str(), line))
        })
    });
    if let Some((target, line)) = include {
        let (path, text) = includes.get(report.file(), target);
        let Some(text) = text else {
            report.defect(
                line,
                DefectKind::MissingInclude,
                format!("the permissions table's include `{path}` is not among the pages' files; the operation's permissions are undetermined"),
            );
            return Permissions::undetermined();
        };
        let mut included = Report::new(path);
        let table = Document::parse(text);
        let permissions = match table.blocks.iter().find_map(Block::table) {
            Some((header, rows)) => tables::permissions_table(header, rows, &mut included),
            None => {
                included.defect(
                    1,
                    DefectKind::MissingSection,
                    "the permissions include has no table; the operation's permissions are undetermined".to_owned(),
                );
                Permissions::undetermined()
            }
        };
        report.absorb(included);
        return permissions;
    }
    match section.as_ref().and_then(|s| s.tables().next()) {
        Some((header, rows)) => tables::permissions_table(header, rows, report),
        None => {
            report.defect(
                1,
                DefectKind::MissingSection,
                "no permissions table; the operation's permissions are undetermined (any valid token may call it)".to_owned(),
            );
            Permissions::undetermined()
        }
    }
}

/// Reads "If successful, this method returns a `201 Created` response code and a [x](...) object
/// in the response body."
pub fn response_sentence(sentence: &Inline) -> Option<ResponseSentence> {
    let text = sentence.text.as_str();
    let verb = if text.contains("this action") {
        Verb::Action
    } else if text.contains("this function") {
        Verb::Function
    } else {
        Verb::Method
    };
    let after_returns = text.split_once("returns")?.1;
    let status_text = after_returns.split_whitespace().find_map(|w| {
        let digits: String = w.chars().filter(char::is_ascii_digit).collect();
        (digits.len() == 3 && w.trim_matches(|c: char| !c.is_ascii_digit()).len() == 3)
            .then_some(digits)
    })?;
    let status: u16 = status_text.parse().ok()?;
    let reason = after_returns
        .split('`')
        .nth(1)
        .unwrap_or_default()
        .trim_start_matches(&status_text)
        .trim()
        .to_owned();
    let expected_reason = match status {
        200 => Some("OK"),
        201 => Some("Created"),
        202 => Some("Accepted"),
        204 => Some("No Content"),
        _ => None,
    };
    let inconsistency = expected_reason
        .filter(|r| !reason.is_empty() && *r != reason)
        .map(|r| format!("the status `{status} {reason}` mixes up codes (`{status}` is `{r}`); read as {status}"));

    let tail = after_returns
        .split_once("response code")
        .map_or("", |(_, t)| t);
    let mut named_type = None;
    let mut unreadable_type = None;
    // Only the sentence that says what is returned: a later one may link elsewhere ("see
    // [Microsoft Graph Security API error responses](...)").
    // A link starts in it; it may end after a period ("[book. Support varies](...)").
    let sentence_end = tail.find(". ").unwrap_or(tail.len());
    let in_sentence = |link: &&Link| tail.find(&link.text).is_some_and(|at| at < sentence_end);
    let tail = &tail[..sentence_end];
    let body = if tail.trim_start().starts_with("and") {
        let collection = tail.contains("collection");
        if let Some(link) = sentence.links.iter().find(in_sentence) {
            match type_name(&link.text) {
                Some(type_ref) => {
                    named_type = Some((
                        graph_odata::relative_type_name(&link.text).to_owned(),
                        Some(link.target.clone()),
                    ));
                    Some(ResponseBody {
                        type_ref,
                        collection,
                    })
                }
                None => {
                    unreadable_type = Some(link.text.clone());
                    None
                }
            }
        } else if let Some(name) = bold_type(sentence) {
            named_type = Some((name.clone(), None));
            type_name(&name).map(|type_ref| ResponseBody {
                type_ref,
                collection,
            })
        } else {
            tail.split_whitespace()
                .find_map(Primitive::from_name)
                .map(|p| ResponseBody {
                    type_ref: TypeRef::Primitive(p),
                    collection,
                })
        }
    } else {
        None
    };
    Some(ResponseSentence {
        status,
        verb,
        body,
        named_type,
        inconsistency,
        unreadable_type,
    })
}

/// A type named in bold rather than linked, as hand-written pages do: `a **currencies** object`,
/// `a collection of **x** objects`. Only a bold span followed by a word that makes it a type
/// counts, so a bold `Note` or property name is not read as one.
fn bold_type(inline: &Inline) -> Option<String> {
    inline.strong.iter().find_map(|bold| {
        let name = graph_odata::relative_type_name(bold);
        let names_a_type = [" object", " collection", " resource", " entity"]
            .iter()
            .any(|word| inline.text.contains(&format!("{bold}{word}")));
        (names_a_type && Primitive::from_name(name).is_none() && type_name(bold).is_some())
            .then(|| name.to_owned())
    })
}

/// `name` as a reference to a named type, if it is a type name at all (prose around a link can
/// make its text `teamsApp properties` or `user. Request body property support varies`).
fn type_name(name: &str) -> Option<TypeRef> {
    match TypeRef::try_from(graph_odata::relative_type_name(name).to_owned()) {
        Ok(type_ref @ TypeRef::Named(_)) => Some(type_ref),
        _ => None,
    }
}

/// Decides the operation kind; actions and functions are named after their last path segment.
fn classify(
    method: HttpMethod,
    paths: &[PathTemplate],
    title: &str,
    verb: Verb,
    status: u16,
    body: Option<&ResponseBody>,
) -> (OperationKind, String) {
    let (last_segment, called) = match paths.first().and_then(PathTemplate::last) {
        Some(Segment::Function { name, .. }) => (name.clone(), true),
        Some(other) => (other.to_string(), false),
        None => (String::new(), false),
    };
    match (verb, method) {
        (Verb::Action, _) => (OperationKind::Action, last_segment),
        (Verb::Function, _) => (OperationKind::Function, last_segment),
        // `GET /reports/getEmailActivityCounts(period='D7')`: a function call, whatever the
        // page's wording.
        (Verb::Method, HttpMethod::Get) if called => (OperationKind::Function, last_segment),
        // `message: copy` at `POST /me/messages/{id}/copy`: an action's page is titled by its
        // type and its name, whatever its answer (a copy is a `201 Created`).
        (Verb::Method, HttpMethod::Post) if names_the_action(title, &last_segment) => {
            (OperationKind::Action, last_segment)
        }
        (Verb::Method, HttpMethod::Post)
            if status == 201 || title.starts_with("Create") || title.starts_with("Add") =>
        {
            (OperationKind::Create, String::new())
        }
        (Verb::Method, HttpMethod::Post) => (OperationKind::Action, last_segment),
        (Verb::Method, HttpMethod::Patch | HttpMethod::Put) => {
            (OperationKind::Update, String::new())
        }
        (Verb::Method, HttpMethod::Delete) => (OperationKind::Delete, String::new()),
        // `GET /users/delta`: the collection's change-tracking function, though its page says
        // "this method returns".
        (Verb::Method, HttpMethod::Get)
            if last_segment == "delta" && body.is_some_and(|b| b.collection) =>
        {
            (OperationKind::Function, last_segment)
        }
        (Verb::Method, HttpMethod::Get) if body.is_some_and(|b| b.collection) => {
            (OperationKind::List, String::new())
        }
        (Verb::Method, HttpMethod::Get) => (OperationKind::Get, String::new()),
    }
}

/// Whether a page's title is an action's, `<type>: <name>` (`message: createReply`), naming the
/// path's last segment.
fn names_the_action(title: &str, last_segment: &str) -> bool {
    title.split_once(':').is_some_and(|(owner, name)| {
        !owner.trim().contains(char::is_whitespace)
            && !last_segment.is_empty()
            && name.trim().eq_ignore_ascii_case(last_segment)
    })
}

/// Reads the example request and response blocks after the HTTP Request section. Blocks are
/// told apart by their annotation when there is one, else by their first line. A response
/// shown as a bare JSON body (no status line) has the `documented_status`.
fn read_examples(
    doc: &Document,
    method: HttpMethod,
    template: Option<&PathTemplate>,
    documented_status: u16,
    report: &mut Report,
) -> (Vec<Example>, Vec<ExampleText>) {
    let anchor = template
        .and_then(|t| t.segments().first())
        .map(ToString::to_string);
    let mut reader = ExampleReader {
        method,
        anchor: anchor.as_deref(),
        documented_status,
        examples: Vec::new(),
        texts: Vec::new(),
    };
    let example_blocks = doc
        .sections()
        .into_iter()
        .filter(|s| s.title.to_ascii_lowercase().starts_with("example"))
        .flat_map(|s| s.blocks.iter());
    // The last heading or paragraph before a block: "Response", "Request", ...
    let mut label = String::new();
    for block in example_blocks {
        match block {
            Block::Code {
                text,
                line,
                annotation,
            } => reader.block(text, *line, annotation.as_ref(), &label, report),
            Block::Heading { text, .. } => label = text.to_ascii_lowercase(),
            Block::Paragraph { inline, .. } => label = inline.text.to_ascii_lowercase(),
            Block::Table { .. } => {}
        }
    }
    (reader.examples, reader.texts)
}

/// Reads the Example sections' code blocks in order: a request opens an example, and the
/// response after it (or the request's body, shown as JSON alone) completes it.
struct ExampleReader<'a> {
    /// The operation's method, which each request example should use.
    method: HttpMethod,
    /// The first segment of the operation's path, where an example URL's path starts.
    anchor: Option<&'a str>,
    /// The status the Response section gives, for a response shown without a status line.
    documented_status: u16,
    examples: Vec<Example>,
    texts: Vec<ExampleText>,
}

impl ExampleReader<'_> {
    /// One code block at `line`, after the heading or paragraph `label`.
    fn block(
        &mut self,
        text: &str,
        line: u32,
        annotation: Option<&serde_json::Value>,
        label: &str,
        report: &mut Report,
    ) {
        let Some(mut message) = split_message(text, line) else {
            return;
        };
        let annotated = |key: &str| annotation.and_then(|a| a.get(key)).and_then(|v| v.as_str());
        let block_type = annotated("blockType");
        // Hand-written pages often show a response, or the request's body, as JSON alone.
        let bare_body = message.start_line.starts_with(['{', '[']);
        if bare_body {
            message.body = text.trim().to_owned();
            message.body_line = line;
            message.headers.clear();
            let request_body = block_type == Some("request")
                || (block_type != Some("response") && !label.contains("response"));
            if request_body {
                self.bare_request_body(&message, line, report);
                return;
            }
        }
        let name = annotated("name").map(str::to_owned);
        let (body, raw_body) = parse_body(&message.body, message.body_line, report);
        if !message.body.is_empty() {
            self.texts.push(ExampleText {
                block_line: line,
                body_line: message.body_line,
                text: message.body.clone(),
            });
        }
        let is_response =
            block_type == Some("response") || message.start_line.starts_with("HTTP/") || bare_body;
        let body = Body { body, raw_body };
        if is_response {
            self.response(message, body, bare_body, line, report);
        } else {
            self.request(message, name, body, line, report);
        }
    }

    /// A request's body shown as JSON alone, after its request line.
    fn bare_request_body(&mut self, message: &http::Message, line: u32, report: &mut Report) {
        let (body, raw_body) = parse_body(&message.body, message.body_line, report);
        match self.examples.last_mut() {
            Some(example)
                if example.response.is_none()
                    && example.request.body.is_none()
                    && example.request.raw_body.is_none() =>
            {
                example.request.body = body;
                example.request.raw_body = raw_body;
                self.texts.push(ExampleText {
                    block_line: line,
                    body_line: message.body_line,
                    text: message.body.clone(),
                });
            }
            _ => report.defect(
                line,
                DefectKind::UnknownTableLayout,
                "a JSON block that is neither a request's body nor a response; skipped".to_owned(),
            ),
        }
    }

    /// A response, which completes the example before it.
    fn response(
        &mut self,
        message: http::Message,
        body: Body,
        bare_body: bool,
        line: u32,
        report: &mut Report,
    ) {
        let status = match bare_body {
            true => {
                report.defect(
                    line,
                    DefectKind::MissingSection,
                    format!(
                        "the response example has no status line; read with the documented status {}",
                        self.documented_status
                    ),
                );
                Some(self.documented_status)
            }
            false => http::status_line(&message.start_line),
        };
        let Some(status) = status else {
            report.defect(
                line,
                DefectKind::UnknownTableLayout,
                format!(
                    "the response example starts with `{}`, not a status line; skipped",
                    message.start_line
                ),
            );
            return;
        };
        let response = ExampleResponse {
            status,
            headers: message.headers,
            body: body.body,
            raw_body: body.raw_body,
            violations: Vec::new(),
            source: report.source(line),
        };
        match self.examples.last_mut() {
            Some(example) if example.response.is_none() => example.response = Some(response),
            _ => report.defect(
                line,
                DefectKind::UnknownTableLayout,
                "a response example with no request example before it; skipped".to_owned(),
            ),
        }
    }

    /// A request, which opens an example.
    fn request(
        &mut self,
        message: http::Message,
        name: Option<String>,
        body: Body,
        line: u32,
        report: &mut Report,
    ) {
        let Some((method_text, url)) = message.start_line.split_once(char::is_whitespace) else {
            return;
        };
        let Some(example_method) = HttpMethod::parse(method_text) else {
            return;
        };
        if example_method != self.method {
            report.defect(
                line,
                DefectKind::UnknownTableLayout,
                format!(
                    "the example uses {method_text}, but the operation is {}",
                    self.method.as_str()
                ),
            );
        }
        let url = url.trim().to_owned();
        let normalised = http::normalise_url(&url, self.anchor);
        if let Some(reason) = normalised.defect {
            report.defect(
                line,
                DefectKind::MalformedExampleUrl,
                format!("{reason}; read as `{}`", normalised.path),
            );
        }
        self.examples.push(Example {
            name,
            request: ExampleRequest {
                method: example_method,
                url,
                path: normalised.path,
                headers: message.headers,
                body: body.body,
                raw_body: body.raw_body,
                violations: Vec::new(),
                source: report.source(line),
            },
            response: None,
        });
    }
}

/// An example's body: the JSON, or the text where it is not JSON.
struct Body {
    body: Option<serde_json::Value>,
    raw_body: Option<String>,
}

fn parse_body(
    text: &str,
    line: u32,
    report: &mut Report,
) -> (Option<serde_json::Value>, Option<String>) {
    if text.is_empty() {
        return (None, None);
    }
    match serde_json::from_str(text) {
        Ok(value) => (Some(value), None),
        Err(err) => {
            report.defect(
                line + err.line().saturating_sub(1) as u32,
                DefectKind::MalformedExampleJson,
                format!("the example body is not valid JSON ({err}); kept as text"),
            );
            (None, Some(text.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{Block, Document, Link};

    fn sentence(text: &str, link: Option<&str>) -> ResponseSentence {
        let links = link
            .map(|l| {
                vec![Link {
                    text: l.into(),
                    target: format!("../resources/{l}.md"),
                }]
            })
            .unwrap_or_default();
        response_sentence(&Inline {
            text: text.into(),
            links,
            ..Inline::default()
        })
        .unwrap()
    }

    #[test]
    fn a_post_titled_with_its_action_is_an_action_even_when_it_creates() {
        let path = |p: &str| vec![PathTemplate::parse(p).unwrap()];
        let (kind, name) = classify(
            HttpMethod::Post,
            &path("/me/messages/{id}/createReply"),
            "message: createReply",
            Verb::Method,
            201,
            None,
        );
        assert_eq!(
            (kind, name.as_str()),
            (OperationKind::Action, "createReply")
        );
        let (kind, _) = classify(
            HttpMethod::Post,
            &path("/me/messages"),
            "Create message",
            Verb::Method,
            201,
            None,
        );
        assert_eq!(kind, OperationKind::Create);
        assert!(!names_the_action("Create message: draft", "draft"));
        assert!(!names_the_action("message: copy", "move"));
    }

    #[test]
    fn written_ids_and_spaced_names_become_placeholders() {
        let mut report = Report::new("a.md".to_owned());
        let mut read = |path: &str| written_values_as_placeholders(path, 3, &mut report);
        assert_eq!(
            read("/education/classes/acdefc6b-2dc6-4e71-b1e9-6d9810ab1793/assignments").as_deref(),
            Some("/education/classes/{classesId}/assignments")
        );
        assert_eq!(
            read("/cases/4c8f8f70-7785-4bd4-b296-c98376a2c5e1/custodians/2192ca408ea2410eba3bec8ae873be6b/sources").as_deref(),
            Some("/cases/{casesId}/custodians/{custodiansId}/sources")
        );
        assert_eq!(
            read("/organization/{tenant id}/branding/{property name}").as_deref(),
            Some("/organization/{tenantId}/branding/{propertyName}")
        );
        assert_eq!(
            read("/users/{id | userPrincipalName}/photo").as_deref(),
            Some("/users/{id | userPrincipalName}/photo")
        );
        assert_eq!(read("/me/drive/items/{id}/workbook/tables/$/add"), None);
        assert_eq!(
            read("/deviceManagement/abcdef").as_deref(),
            Some("/deviceManagement/abcdef")
        );
        let defects = report.into_defects();
        assert_eq!(defects.len(), 6, "{defects:#?}");
        assert!(
            defects
                .iter()
                .all(|d| d.kind == DefectKind::MalformedPath && d.source.line == 3)
        );
    }

    #[test]
    fn query_options_are_those_the_section_says_are_supported() {
        let doc = Document::parse(
            "# List users\n\n## Optional query parameters\n\n\
             This method supports the `$count`, `$expand`, `$filter`, `$orderBy`, `$search`, \
             `$select`, and `$top` [OData query parameters](/graph/query-parameters). \
             This method does not support `$skip`.\n\n\
             | Name | Description |\n|:---|:---|\n| `$format` | The format. |\n\n\
             ## Request headers\n\nNone. `$expand` is no option here.\n",
        );
        assert_eq!(
            query_options(&doc),
            [
                "$count", "$expand", "$filter", "$orderby", "$search", "$select", "$top", "$format"
            ]
        );
        assert!(query_options(&Document::parse("# Get x\n\n## Request headers\n")).is_empty());
    }

    #[test]
    fn response_sentences() {
        let s = sentence(
            "If successful, this method returns a `201 Created` response code and a thing object in the response body.",
            Some("thing"),
        );
        assert_eq!((s.status, s.verb), (201, Verb::Method));
        assert_eq!(
            s.body,
            Some(ResponseBody {
                type_ref: TypeRef::Named("thing".into()),
                collection: false
            })
        );
        let list = sentence(
            "If successful, this method returns a `200 OK` response code and a collection of thing objects in the response body.",
            Some("thing"),
        );
        assert!(list.body.unwrap().collection);
        let none = sentence(
            "If successful, this action returns a `204 No Content` response code.",
            None,
        );
        assert_eq!(
            (none.status, none.verb, none.body),
            (204, Verb::Action, None)
        );
        let prim = sentence(
            "If successful, this function returns a `200 OK` response code and a String collection in the response body.",
            None,
        );
        assert_eq!(
            prim.body,
            Some(ResponseBody {
                type_ref: TypeRef::Primitive(Primitive::String),
                collection: true
            })
        );
        let odd = sentence(
            "If successful, this method returns a `200 Created` response code and a thing object in the response body.",
            Some("thing"),
        );
        assert!(odd.inconsistency.unwrap().contains("200 Created"));
        // A later sentence's link is not the body: the first sentence's bold name is.
        let later = response_sentence(&Inline {
            text: "If successful, this method returns a `200 OK` response code and an alert object in the response body. For more information, see Security API error responses.".into(),
            links: vec![Link {
                text: "Security API error responses".into(),
                target: "../resources/security-error-codes.md".into(),
            }],
            strong: vec!["alert".into()],
        })
        .unwrap();
        assert_eq!(
            (later.body, later.unreadable_type),
            (
                Some(ResponseBody {
                    type_ref: TypeRef::Named("alert".into()),
                    collection: false
                }),
                None
            )
        );
    }

    #[test]
    fn a_type_named_in_bold_is_read_where_no_link_names_one() {
        let doc = Document::parse(
            "If successful, this method returns ```201 Created``` response code and a **currencies** object in the response body. **Note:** read the note.\n",
        );
        let Some(Block::Paragraph { inline, .. }) = doc.blocks.first() else {
            panic!("one paragraph");
        };
        let read = response_sentence(inline).unwrap();
        assert_eq!(read.status, 201);
        assert_eq!(
            read.body,
            Some(ResponseBody {
                type_ref: TypeRef::Named("currencies".into()),
                collection: false
            })
        );
        assert_eq!(read.named_type, Some(("currencies".into(), None)));
        // A bold word that no `object` follows names no type.
        let note = Document::parse("In the request body, supply **Note** values.\n");
        let Some(Block::Paragraph { inline, .. }) = note.blocks.first() else {
            panic!("one paragraph");
        };
        assert_eq!(bold_type(inline), None);
    }

    #[test]
    fn a_collections_delta_page_is_its_delta_function() {
        let paths = |t: &str| vec![PathTemplate::parse(t).unwrap()];
        let users = ResponseBody {
            type_ref: TypeRef::Named("user".into()),
            collection: true,
        };
        let classified = |template: &str, body: Option<&ResponseBody>| {
            let paths = paths(template);
            classify(
                HttpMethod::Get,
                &paths,
                "user: delta",
                Verb::Method,
                200,
                body,
            )
        };
        assert_eq!(
            classified("/users/delta", Some(&users)),
            (OperationKind::Function, "delta".to_owned())
        );
        assert_eq!(
            classified("/users", Some(&users)),
            (OperationKind::List, String::new())
        );
        assert_eq!(
            classified("/me/planner/all/delta", None),
            (OperationKind::Get, String::new()),
            "without a collection answer it stays what it says"
        );
    }

    #[test]
    fn a_page_without_http_block_is_an_error_with_a_line() {
        let doc = Document::parse("# Get x\n\n## HTTP Request\n\nnothing here\n");
        let mut report = Report::new("x.md");
        let err = read(&doc, &Includes::default(), &mut report).unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("x.md", 3));
        assert!(err.message.contains("no code block"), "{err}");
        let empty = Document::parse("# Get x\n");
        assert!(
            read(&empty, &Includes::default(), &mut report)
                .unwrap_err()
                .message
                .contains("HTTP Request")
        );
    }

    #[test]
    fn malformed_example_json_is_kept_as_text_and_reported() {
        let mut report = Report::new("x.md");
        let (body, raw) = parse_body("{\n  \"a\": 1,\n  oops\n}", 20, &mut report);
        assert_eq!(
            (body, raw.as_deref()),
            (None, Some("{\n  \"a\": 1,\n  oops\n}"))
        );
        let defects = report.into_defects();
        assert_eq!(
            (defects[0].kind, defects[0].source.line),
            (DefectKind::MalformedExampleJson, 22)
        );
    }
}
