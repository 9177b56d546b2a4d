//! The `doc_import` fuzz target's property under stable `cargo test`, bounded: the importer on
//! mutated doc pages (the seed page, the only one in the repository, edited at random: text
//! inserted, deleted or replaced, lines repeated or dropped) reports and never panics, and what
//! it writes is a spec the validator reads without panicking.

use proptest::prelude::*;

/// An edit of a page's text at a fraction of its length.
#[derive(Debug, Clone)]
enum Edit {
    Insert(f64, String),
    Delete(f64, usize),
    Replace(f64, String),
    RepeatLine(f64),
    DropLine(f64),
}

fn edit() -> impl Strategy<Value = Edit> {
    // What a doc page is made of, so edits reach the parser's interesting paths.
    let token = prop_oneof![
        Just("|".to_owned()),
        Just("```".to_owned()),
        Just("\n## ".to_owned()),
        Just("<!-- {".to_owned()),
        Just("}".to_owned()),
        Just("[x](y.md)".to_owned()),
        Just("\"".to_owned()),
        Just("{".to_owned()),
        Just("\n".to_owned()),
        "\\PC{0,8}",
    ];
    prop_oneof![
        (0.0..1.0, token.clone()).prop_map(|(at, text)| Edit::Insert(at, text)),
        (0.0..1.0, 1usize..64).prop_map(|(at, n)| Edit::Delete(at, n)),
        (0.0..1.0, token).prop_map(|(at, text)| Edit::Replace(at, text)),
        (0.0..1.0).prop_map(Edit::RepeatLine),
        (0.0..1.0).prop_map(Edit::DropLine),
    ]
}

/// `text` with `edit` applied at a character boundary.
fn apply(text: &str, edit: &Edit) -> String {
    let at = |fraction: f64| {
        let mut index = (text.len() as f64 * fraction) as usize;
        while !text.is_char_boundary(index) {
            index -= 1;
        }
        index
    };
    let line_of = |fraction: f64| {
        let start = text[..at(fraction)].rfind('\n').map_or(0, |i| i + 1);
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |i| start + i + 1);
        (start, end)
    };
    match edit {
        Edit::Insert(f, s) => [&text[..at(*f)], s, &text[at(*f)..]].concat(),
        Edit::Delete(f, n) => {
            let start = at(*f);
            let mut end = (start + n).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            [&text[..start], &text[end..]].concat()
        }
        Edit::Replace(f, s) => {
            let start = at(*f);
            let end = text[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
            [&text[..start], s, &text[end..]].concat()
        }
        Edit::RepeatLine(f) => {
            let (start, end) = line_of(*f);
            [&text[..end], &text[start..end], &text[end..]].concat()
        }
        Edit::DropLine(f) => {
            let (start, end) = line_of(*f);
            [&text[..start], &text[end..]].concat()
        }
    }
}

fn page(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(path)).unwrap()
}

fn import(text: String) {
    let result = graph_doc_import::import(&[graph_doc_import::PageInput {
        file: "mutated.md".to_owned(),
        text,
    }]);
    let _ = graph_spec::validate(&result.spec, std::path::Path::new("mutated.json"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_importer_never_panics_on_a_mutated_page(
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let mut text = page("spec/docs/000_e327c56b548b55ea.txt");
        for edit in &edits {
            text = apply(&text, edit);
        }
        import(text);
    }
}
