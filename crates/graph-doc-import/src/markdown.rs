//! Turns a Markdown page into a flat list of blocks with line numbers, using pulldown-cmark.
//!
//! The page readers never see Markdown syntax: they walk [`Document::sections`] and read tables,
//! code blocks, paragraphs and the JSON annotations (`<!-- { "blockType": ... } -->`) that older
//! pages put before blocks. Every block keeps its 1-based line so defects can point at it.

use std::collections::BTreeMap;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// A parsed page.
#[derive(Debug, Default)]
pub struct Document {
    /// `key: value` pairs of the YAML front matter, quotes removed.
    pub front_matter: BTreeMap<String, String>,
    /// The blocks, in page order.
    pub blocks: Vec<Block>,
}

/// A link inside a paragraph or table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The link text.
    pub text: String,
    /// The target, as written.
    pub target: String,
}

/// Inline content flattened to text, with its links kept aside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inline {
    /// The text, with inline code kept and emphasis markers dropped.
    pub text: String,
    /// The links, in order.
    pub links: Vec<Link>,
    /// The text of each bold span, in order: hand-written pages name types in bold
    /// (`a **currencies** object`) where generated ones link them.
    pub strong: Vec<String>,
}

/// A table row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The cells.
    pub cells: Vec<Inline>,
    /// The row's line.
    pub line: u32,
}

/// One block of the page.
#[derive(Debug, Clone)]
pub enum Block {
    /// `#`..`######`.
    Heading {
        /// 1 to 6.
        level: u8,
        /// The heading text.
        text: String,
        /// Its line.
        line: u32,
    },
    /// A paragraph or list item.
    Paragraph {
        /// Its content.
        inline: Inline,
        /// Its first line.
        line: u32,
    },
    /// A table.
    Table {
        /// The header row.
        header: Row,
        /// The body rows.
        rows: Vec<Row>,
    },
    /// A fenced or indented code block.
    Code {
        /// The content.
        text: String,
        /// The line of the first content line.
        line: u32,
        /// The JSON annotation comment right before the block, if any.
        annotation: Option<serde_json::Value>,
    },
}

/// A `##` section: its heading and the blocks up to the next `##` (or `#`).
#[derive(Debug)]
pub struct Section<'a> {
    /// The heading text.
    pub title: &'a str,
    /// The heading's line.
    pub line: u32,
    /// The blocks inside, including any `###` headings.
    pub blocks: &'a [Block],
}

impl Block {
    /// The header and body rows, for a table.
    pub fn table(&self) -> Option<(&Row, &[Row])> {
        match self {
            Block::Table { header, rows } => Some((header, rows.as_slice())),
            _ => None,
        }
    }
}

impl Section<'_> {
    /// The tables of the section.
    pub fn tables(&self) -> impl Iterator<Item = (&Row, &[Row])> {
        self.blocks.iter().filter_map(Block::table)
    }

    /// The paragraphs of the section with their lines.
    pub fn paragraphs(&self) -> impl Iterator<Item = (&Inline, u32)> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Paragraph { inline, line } => Some((inline, *line)),
            _ => None,
        })
    }
}

impl Document {
    /// Parses Markdown text. Never fails: any text is some Markdown.
    pub fn parse(text: &str) -> Document {
        Builder::new(text).run()
    }

    /// The `##` sections; text before the first `##` is not a section.
    pub fn sections(&self) -> Vec<Section<'_>> {
        let mut sections = Vec::new();
        let starts: Vec<usize> = self
            .blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(b, Block::Heading { level: 1 | 2, .. }))
            .map(|(i, _)| i)
            .collect();
        for (n, &start) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(self.blocks.len());
            if let Block::Heading {
                level: 2,
                text,
                line,
            } = &self.blocks[start]
            {
                sections.push(Section {
                    title: text,
                    line: *line,
                    blocks: &self.blocks[start + 1..end],
                });
            }
        }
        sections
    }

    /// The first section whose title starts with one of `titles`, ignoring ASCII case.
    pub fn section(&self, titles: &[&str]) -> Option<Section<'_>> {
        self.sections().into_iter().find(|s| {
            titles.iter().any(|t| {
                s.title
                    .to_ascii_lowercase()
                    .starts_with(&t.to_ascii_lowercase())
            })
        })
    }

    /// [`Document::section`], else the first deeper heading (`###` and below) whose title starts
    /// with one of `titles`, with the blocks up to the next heading of its level or above: some
    /// hand-written pages nest `### HTTP request` or `### Response` one level down.
    pub fn section_at_any_level(&self, titles: &[&str]) -> Option<Section<'_>> {
        if let Some(section) = self.section(titles) {
            return Some(section);
        }
        let matches = |text: &str| {
            let text = text.to_ascii_lowercase();
            titles
                .iter()
                .any(|t| text.starts_with(&t.to_ascii_lowercase()))
        };
        let (start, level, title, line) =
            self.blocks.iter().enumerate().find_map(|(i, b)| match b {
                Block::Heading { level, text, line } if *level >= 3 && matches(text) => {
                    Some((i, *level, text.as_str(), *line))
                }
                _ => None,
            })?;
        let end = self.blocks[start + 1..]
            .iter()
            .position(|b| matches!(b, Block::Heading { level: l, .. } if *l <= level))
            .map_or(self.blocks.len(), |n| start + 1 + n);
        Some(Section {
            title,
            line,
            blocks: &self.blocks[start + 1..end],
        })
    }

    /// The sub-namespace a page's `Namespace: microsoft.graph.callRecords` line names, relative
    /// to `microsoft.graph` (`callRecords`); `None` for the root namespace or no such line.
    pub fn namespace(&self) -> Option<String> {
        let written = self.blocks.iter().find_map(|b| match b {
            Block::Paragraph { inline, .. } => inline.text.trim().strip_prefix("Namespace:"),
            _ => None,
        })?;
        let relative = graph_odata::relative_type_name(&format!("{}.x", written.trim())).to_owned();
        relative
            .rsplit_once('.')
            .map(|(namespace, _)| namespace.to_owned())
    }

    /// The first `#` heading, or the front matter title.
    pub fn title(&self) -> String {
        self.blocks
            .iter()
            .find_map(|b| match b {
                Block::Heading { level: 1, text, .. } => Some(text.clone()),
                _ => None,
            })
            .or_else(|| self.front_matter.get("title").cloned())
            .unwrap_or_default()
    }
}

/// Accumulates pulldown-cmark events into blocks.
struct Builder<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    doc: Document,
    /// The inline content being collected, and the line it started on.
    inline: Option<(Inline, u32)>,
    /// A link being collected: its target and the text length where it started.
    link: Option<(String, usize)>,
    /// Where the bold span being collected started in the text.
    strong: Option<usize>,
    code: Option<(String, u32)>,
    table: Option<(Option<Row>, Vec<Row>)>,
    row: Option<Row>,
    pending_annotation: Option<serde_json::Value>,
    annotation_text: String,
    in_metadata: bool,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Builder {
            text,
            line_starts,
            doc: Document::default(),
            inline: None,
            link: None,
            strong: None,
            code: None,
            table: None,
            row: None,
            pending_annotation: None,
            annotation_text: String::new(),
            in_metadata: false,
        }
    }

    fn line_of(&self, offset: usize) -> u32 {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        u32::try_from(line).unwrap_or(u32::MAX)
    }

    fn run(mut self) -> Document {
        let options = Options::ENABLE_TABLES | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
        let text = self.text;
        for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
            let line = self.line_of(range.start);
            self.event(event, line);
        }
        self.doc
    }

    fn start_inline(&mut self, line: u32) {
        self.inline = Some((Inline::default(), line));
    }

    fn push_text(&mut self, text: &str) {
        if let Some(code) = &mut self.code {
            code.0.push_str(text);
        } else if let Some((inline, _)) = &mut self.inline {
            inline.text.push_str(text);
        }
    }

    fn event(&mut self, event: Event<'_>, line: u32) {
        match event {
            Event::Start(Tag::MetadataBlock(_)) => self.in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => self.in_metadata = false,
            Event::Text(text) if self.in_metadata => self.front_matter(&text),
            Event::Start(Tag::Heading { .. }) => {
                // An annotation belongs to the block right after it, never across a heading.
                self.pending_annotation = None;
                self.start_inline(line);
            }
            Event::Start(Tag::Paragraph | Tag::Item | Tag::TableCell) => self.start_inline(line),
            Event::End(TagEnd::Heading(level)) => {
                if let Some((inline, line)) = self.inline.take() {
                    self.doc.blocks.push(Block::Heading {
                        level: level as u8,
                        text: inline.text.trim().to_owned(),
                        line,
                    });
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                if let Some((inline, line)) = self.inline.take()
                    && !inline.text.trim().is_empty()
                {
                    self.doc.blocks.push(Block::Paragraph { inline, line });
                }
            }
            Event::Start(Tag::Table(_)) => self.table = Some((None, Vec::new())),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                self.row = Some(Row {
                    cells: Vec::new(),
                    line,
                });
            }
            Event::End(TagEnd::TableCell) => {
                if let (Some(row), Some((inline, _))) = (&mut self.row, self.inline.take()) {
                    row.cells.push(Inline {
                        text: inline.text.trim().to_owned(),
                        ..inline
                    });
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let (Some(table), Some(row)) = (&mut self.table, self.row.take()) {
                    table.0 = Some(row);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let (Some(table), Some(row)) = (&mut self.table, self.row.take()) {
                    table.1.push(row);
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some((Some(header), rows)) = self.table.take() {
                    self.doc.blocks.push(Block::Table { header, rows });
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                // A fenced block's content starts on the line after the fence.
                let content_line = match kind {
                    CodeBlockKind::Fenced(_) => line + 1,
                    CodeBlockKind::Indented => line,
                };
                self.code = Some((String::new(), content_line));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((text, line)) = self.code.take() {
                    let annotation = self.pending_annotation.take();
                    self.doc.blocks.push(Block::Code {
                        text,
                        line,
                        annotation,
                    });
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let start = self.inline.as_ref().map_or(0, |(i, _)| i.text.len());
                self.link = Some((dest_url.to_string(), start));
            }
            Event::End(TagEnd::Link) => {
                if let (Some((target, start)), Some((inline, _))) =
                    (self.link.take(), &mut self.inline)
                {
                    let text = inline
                        .text
                        .get(start..)
                        .unwrap_or_default()
                        .trim()
                        .to_owned();
                    inline.links.push(Link { text, target });
                }
            }
            Event::Start(Tag::Strong) => {
                self.strong = Some(self.inline.as_ref().map_or(0, |(i, _)| i.text.len()));
            }
            Event::End(TagEnd::Strong) => {
                if let (Some(start), Some((inline, _))) = (self.strong.take(), &mut self.inline) {
                    let text = inline.text.get(start..).unwrap_or_default().trim();
                    inline.strong.push(text.to_owned());
                }
            }
            Event::Text(text) | Event::Code(text) => self.push_text(&text),
            Event::SoftBreak | Event::HardBreak => self.push_text(" "),
            Event::Html(html) | Event::InlineHtml(html) => self.html(&html),
            _ => {}
        }
    }

    /// Reads `<!-- { json } -->` annotations; other HTML is ignored. An annotation that is not
    /// valid JSON is dropped: annotations only refine what the page text already says.
    fn html(&mut self, html: &str) {
        // pulldown-cmark may deliver one comment in several pieces, one per line.
        self.annotation_text.push_str(html);
        let trimmed = self.annotation_text.trim();
        if !trimmed.starts_with("<!--") {
            self.annotation_text.clear();
            return;
        }
        if let Some(body) = trimmed
            .strip_prefix("<!--")
            .and_then(|b| b.strip_suffix("-->"))
        {
            self.pending_annotation = serde_json::from_str(body.trim()).ok();
            self.annotation_text.clear();
        }
    }

    /// Reads one `key: value` line of YAML front matter; nested YAML is not used by the docs.
    fn front_matter(&mut self, text: &str) {
        for line in text.lines() {
            if let Some((key, value)) = line.split_once(':') {
                let value = value.trim().trim_matches('"').trim_matches('\'').to_owned();
                self.doc.front_matter.insert(key.trim().to_owned(), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "---\ntitle: \"Get x\"\ndoc_type: apiPageType\n---\n\n# Get x\n\n## Permissions\n|A|B|\n|:--|:--|\n|one [link](t.md)|`two`|\n\n## HTTP Request\n<!-- {\n  \"blockType\": \"ignored\"\n}\n-->\n``` http\nGET /x\n```\n";

    #[test]
    fn front_matter_sections_tables_and_annotations_have_lines() {
        let doc = Document::parse(PAGE);
        assert_eq!(doc.front_matter["title"], "Get x");
        assert_eq!(doc.front_matter["doc_type"], "apiPageType");
        assert_eq!(doc.title(), "Get x");
        let sections = doc.sections();
        assert_eq!(
            sections
                .iter()
                .map(|s| (s.title, s.line))
                .collect::<Vec<_>>(),
            [("Permissions", 8), ("HTTP Request", 13)]
        );
        let (header, rows) = sections[0].tables().next().unwrap();
        assert_eq!(header.cells[0].text, "A");
        assert_eq!(rows[0].line, 11);
        assert_eq!(
            rows[0].cells[0].links,
            [Link {
                text: "link".into(),
                target: "t.md".into()
            }]
        );
        assert_eq!(rows[0].cells[1].text, "two");
        let Block::Code {
            text,
            line,
            annotation,
        } = &sections[1].blocks[0]
        else {
            panic!("{:?}", sections[1].blocks)
        };
        assert_eq!((text.as_str(), *line), ("GET /x\n", 19));
        assert_eq!(annotation.as_ref().unwrap()["blockType"], "ignored");
    }

    #[test]
    fn any_text_parses() {
        for text in ["", "---", "|a|\n|-|", "```", "<!-- {", "# \u{0}\n\n| x |"] {
            let _ = Document::parse(text).sections();
        }
    }
}
