//! The current doc format beyond the seed: inheritance, polymorphic collections documented on
//! several pages, actions, functions, missing pages and pages that cannot be imported.

use graph_doc_import::{PageInput, import};
use graph_spec::{DefectKind, OperationKind, TypeKind};

fn page(file: &str, text: &str) -> PageInput {
    PageInput {
        file: file.to_owned(),
        text: text.to_owned(),
    }
}

fn resource(name: &str, base: Option<&str>, rows: &str) -> String {
    let inherits = base
        .map(|b| format!("Inherits from [{b}](../resources/{b}.md)\n\n"))
        .unwrap_or_default();
    format!(
        "---\ntitle: \"{name} resource type\"\ndescription: \"A {name}.\"\ndoc_type: resourcePageType\n---\n\n# {name} resource type\n\n{inherits}## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n{rows}\n\n## Relationships\nNone\n\n## JSON Representation\n<!-- {{\n  \"blockType\": \"resource\",\n  \"keyProperty\": \"id\",\n  \"@odata.type\": \"microsoft.graph.{name}\"\n}}\n-->\n``` json\n{{}}\n```\n"
    )
}

fn api(title: &str, request: &str, body_section: &str, response: &str, examples: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndoc_type: apiPageType\n---\n\n# {title}\n\n## Prerequisites\n|Permission type|Permissions (from least to most privileged)|\n|:---|:---|\n|Delegated (work or school account)|A.Read.All, A.ReadWrite.All|\n|Delegated (personal Microsoft account)|Not supported.|\n|Application|A.ReadWrite.All|\n\n## HTTP Request\n``` http\n{request}\n```\n\n## Request headers\n|Header|Value|\n|:---|:---|\n|Authorization|Bearer &lt;token&gt; Required.|\n\n## Request body\n{body_section}\n\n## Response\n{response}\n\n## Example\n{examples}\n"
    )
}

/// The `book` resource page most tests start from: a key and a title.
fn book() -> PageInput {
    page(
        "r/book.md",
        &resource("book", None, "|id|String|Key.|\n|title|String|Title.|"),
    )
}

fn corpus() -> Vec<PageInput> {
    vec![
        book(),
        page(
            "r/ebook.md",
            &resource(
                "ebook",
                Some("book"),
                "|id|String|Key. Inherited from [book](../resources/book.md)|\n|title|String|Title. Inherited from [book](../resources/book.md)|\n|cover|[mimeContent](../resources/mimecontent.md)|Cover.|",
            ),
        ),
        page(
            "a/book-list.md",
            &api(
                "List books",
                "GET /library/books",
                "Do not supply a request body for this method.",
                "If successful, this method returns a `200 OK` response code and a collection of [book](../resources/book.md) objects in the response body.",
                "",
            ),
        ),
        page(
            "a/ebook-list.md",
            &api(
                "List ebooks",
                "GET /library/books",
                "Do not supply a request body for this method.",
                "If successful, this method returns a `200 OK` response code and a collection of [ebook](../resources/ebook.md) objects in the response body.",
                "",
            ),
        ),
        page(
            "a/book-get.md",
            &api(
                "Get book",
                "GET /library/books/{bookId}",
                "Do not supply a request body for this method.",
                "If successful, this method returns a `200 OK` response code and [book](../resources/book.md) object in the response body.",
                "### Request\n``` http\nGET https://graph.microsoft.com/beta/library/books/{bookId}\n```\n\n### Response\n``` http\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{\n  \"value\": {\n    \"@odata.type\": \"#microsoft.graph.book\",\n    \"id\": \"1\",\n    \"title\": \"T\"\n  }\n}\n```",
            ),
        ),
        page(
            "a/book-assign.md",
            &api(
                "assign action",
                "POST /library/books/{bookId}/assign",
                "In the request body, supply JSON representation of the parameters.\n\n|Property|Type|Description|\n|:---|:---|:---|\n|groupIds|String collection|Groups.|",
                "If successful, this action returns a `204 No Content` response code.",
                "### Request\n``` http\nPOST https://graph.microsoft.com/beta/library/books/{bookId}/assign\n\nContent-type: application/json\n\n{\n  \"groupIds\": [\"g\"],\n  \"extra\": 1\n}\n```\n\n### Response\n``` http\nHTTP/1.1 204 No Content\n```",
            ),
        ),
        page(
            "a/book-count.md",
            &api(
                "countBooks function",
                "GET /library/books/countBooks",
                "In the request URL, provide the following query parameters with values.\n\n|Property|Type|Description|\n|:---|:---|:---|\n|since|DateTimeOffset|From.|",
                "If successful, this function returns a `200 OK` response code and a Int32 in the response body.",
                "",
            ),
        ),
        page(
            "r/broken.md",
            "---\ndoc_type: apiPageType\n---\n# Broken\n\nNo HTTP block.\n",
        ),
    ]
}

#[test]
fn inherited_rows_move_to_the_base_type() {
    let result = import(&corpus());
    let ebook = &result.spec.types["ebook"];
    assert_eq!(ebook.base_type.as_deref(), Some("book"));
    assert_eq!(
        ebook
            .properties
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["cover"]
    );
    assert_eq!(ebook.key_property.as_deref(), Some("id"));
    let all: Vec<&str> = result
        .spec
        .all_properties("ebook")
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(all, ["id", "title", "cover"]);
    assert!(graph_spec::validate(&result.spec, std::path::Path::new("t")).is_empty());
}

#[test]
fn a_collection_documented_for_base_and_derived_types_is_one_operation_of_the_base() {
    let result = import(&corpus());
    let lists: Vec<_> = result
        .spec
        .operations
        .iter()
        .filter(|o| o.kind == OperationKind::List)
        .collect();
    assert_eq!(lists.len(), 1);
    assert_eq!(
        lists[0].response.body.as_ref().unwrap().type_ref.named(),
        Some("book")
    );
    assert!(
        !result
            .defects
            .iter()
            .any(|d| d.kind == DefectKind::Superseded),
        "{:#?}",
        result.defects
    );
}

#[test]
fn actions_and_functions_keep_their_parameters_and_returns() {
    let result = import(&corpus());
    let assign = result
        .spec
        .operations
        .iter()
        .find(|o| o.name == "assign")
        .unwrap();
    assert_eq!(
        (assign.kind, assign.response.status),
        (OperationKind::Action, 204)
    );
    assert_eq!(assign.parameters[0].name, "groupIds");
    assert!(assign.parameters[0].collection);
    let count = result
        .spec
        .operations
        .iter()
        .find(|o| o.name == "countBooks")
        .unwrap();
    assert_eq!(count.kind, OperationKind::Function);
    assert_eq!(
        count.parameters[0].type_ref.to_string(),
        "Edm.DateTimeOffset"
    );
    assert_eq!(
        count.response.body.as_ref().unwrap().type_ref.to_string(),
        "Edm.Int32"
    );
}

#[test]
fn defects_cover_wrapping_unknown_parameters_missing_pages_and_skips() {
    let result = import(&corpus());
    let found: Vec<(&str, u32, DefectKind)> = result
        .defects
        .iter()
        .map(|d| (d.source.file.as_str(), d.source.line, d.kind))
        .collect();
    assert!(
        found.contains(&("a/book-get.md", 43, DefectKind::WrappedGetResponse)),
        "{found:#?}"
    );
    assert!(
        found.contains(&("a/book-assign.md", 44, DefectKind::ExampleUnknownProperty)),
        "{found:#?}"
    );
    assert!(
        found.contains(&("r/ebook.md", 16, DefectKind::MissingTypePage)),
        "{found:#?}"
    );
    assert!(
        found.contains(&("r/broken.md", 1, DefectKind::PageSkipped)),
        "{found:#?}"
    );
    assert_eq!(result.skipped.len(), 1);
    assert!(result.skipped[0].message.contains("HTTP Request"));
    assert!(result.spec.types["mimeContent"].undocumented);
    assert_eq!(result.spec.types["book"].kind, TypeKind::Entity);
}

#[test]
fn request_lines_are_read_as_paths_without_queries_or_trailing_slashes() {
    let pages = vec![
        book(),
        page(
            "a/book-get.md",
            &api(
                "Get book",
                "GET /library/books/{id}/?$select=title\nGET /library/books/{id}?$expand=x\nGET /shelves/{shelfId}/books/{id}/",
                "Do not supply a request body for this method.",
                "If successful, this method returns a `200 OK` response code and a [book](../resources/book.md) object in the response body.",
                "",
            ),
        ),
        page(
            "a/book-odd.md",
            &api(
                "Get book borders",
                "GET /library/books/{id}/borders(<side>)",
                "Do not supply a request body for this method.",
                "If successful, this method returns a `200 OK` response code and a [book](../resources/book.md) object in the response body.",
                "",
            ),
        ),
    ];
    let result = import(&pages);
    let get = result
        .spec
        .operations
        .iter()
        .find(|op| op.kind == OperationKind::Get)
        .expect("the get page imports");
    let paths: Vec<String> = get.paths.iter().map(ToString::to_string).collect();
    assert_eq!(
        paths,
        ["/library/books/{id}", "/shelves/{shelfId}/books/{id}"]
    );
    // A path the template grammar cannot hold is a defect with its line, and its page is skipped.
    assert!(
        result
            .defects
            .iter()
            .any(|d| d.kind == DefectKind::MalformedPath
                && d.source.file == "a/book-odd.md"
                && d.message.contains("borders({side})")),
        "{:#?}",
        result.defects
    );
    assert_eq!(result.skipped.len(), 1);
    assert_eq!(result.skipped[0].file, "a/book-odd.md");
}

#[test]
fn every_request_block_gives_paths_but_a_later_query_is_a_use_not_a_path() {
    // As user-get.md: "For a specific user:" `GET /users/{id}`, "For the signed-in user:"
    // `GET /me`, each in its own block; other pages add a block of `?$expand=` uses.
    let request = "GET /library/books/{id}\n```\n\nFor the featured book:\n\n``` http\nGET /beta/library/featured\n```\n\nWith its shelf:\n\n``` http\nGET /library/books/{id}?$expand=shelf\nGET /library/.../books/{id}";
    let pages = vec![
        book(),
        page(
            "a/book-get.md",
            &api(
                "Get book",
                request,
                "Do not supply a request body for this method.",
                "If successful, this method returns a `200 OK` response code and a [book](../resources/book.md) object in the response body.",
                "",
            ),
        ),
    ];
    let result = import(&pages);
    let paths: Vec<String> = result.spec.operations[0]
        .paths
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(paths, ["/library/books/{id}", "/library/featured"]);
    assert!(
        result
            .defects
            .iter()
            .any(|d| d.kind == DefectKind::MalformedPath
                && d.source.line > 20
                && d.message
                    .contains("`/library/.../books/{id}`: a `...` segment")),
        "{:#?}",
        result.defects
    );
}

#[test]
fn a_segment_spelt_in_two_cases_is_one_path() {
    // As `/me/calendarGroups/...` and `/me/calendargroups/...`: Graph matches either, so the
    // spec keeps one spelling (the most common here) and reports the others.
    let get = |file: &str, title: &str, request: &str| {
        page(
            file,
            &api(
                title,
                request,
                "Do not supply a request body for this method.",
                "If successful, this method returns a `200 OK` response code and a [book](../resources/book.md) object in the response body.",
                "",
            ),
        )
    };
    let pages = vec![
        book(),
        get("a/book-get.md", "Get book", "GET /library/books/{id}"),
        get("a/book-list.md", "List books", "GET /library/books"),
        get(
            "a/book-get-again.md",
            "Get book",
            "GET /Library/books/{bookId}\nGET /library/books/{id}/cover",
        ),
    ];
    let result = import(&pages);
    let mut paths: Vec<String> = (result.spec.operations.iter())
        .flat_map(|o| o.paths.iter().map(ToString::to_string))
        .collect();
    paths.sort();
    // The two pages of `GET /library/books/{id}` are one operation (the last page's).
    assert_eq!(
        paths,
        [
            "/library/books",
            "/library/books/{bookId}",
            "/library/books/{id}/cover"
        ]
    );
    let respelt: Vec<_> = (result.defects.iter())
        .filter(|d| d.kind == DefectKind::NameCase)
        .collect();
    assert_eq!(respelt.len(), 1, "{respelt:#?}");
    assert_eq!(respelt[0].source.file, "a/book-get-again.md");
    assert!(
        (respelt[0].message)
            .contains("`/Library/books/{bookId}` is read as `/library/books/{bookId}`"),
        "{}",
        respelt[0].message
    );
}

#[test]
fn hand_written_pages_without_key_annotations_still_give_entities() {
    // No `keyProperty` anywhere: `entity` has an id, `chat` inherits from it without listing
    // the id, and `chat` points at `message`, whose page says nothing about being an entity.
    let plain = |name: &str, base: Option<&str>, rows: &str, relationships: &str| {
        let inherits = base
            .map(|b| format!("Inherits from [{b}](../resources/{b}.md).\n\n"))
            .unwrap_or_default();
        format!(
            "---\ntitle: \"{name} resource type\"\ndescription: \"A {name}.\"\ndoc_type: resourcePageType\n---\n\n# {name} resource type\n\n{inherits}## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n{rows}\n\n## Relationships\n|Relationship|Type|Description|\n|:---|:---|:---|\n{relationships}\n\n## JSON representation\n<!-- {{\n  \"blockType\": \"resource\",\n  \"@odata.type\": \"microsoft.graph.{name}\"\n}}\n-->\n``` json\n{{}}\n```\n"
        )
    };
    let pages = vec![
        page(
            "r/entity.md",
            &plain("entity", None, "|id|String|Key.|", ""),
        ),
        page(
            "r/chat.md",
            &plain(
                "chat",
                Some("entity"),
                "|topic|String|Topic.|",
                "|messages|[message](message.md) collection|The messages.|",
            ),
        ),
        page(
            "r/message.md",
            &plain("message", None, "|id|String|Id.|\n|body|String|Body.|", ""),
        ),
    ];
    let result = import(&pages);
    let kind = |name: &str| result.spec.types[name].kind;
    assert_eq!(kind("chat"), TypeKind::Entity);
    assert_eq!(kind("message"), TypeKind::Entity);
    assert_eq!(
        result.spec.types["message"].key_property.as_deref(),
        Some("id")
    );
    assert_eq!(
        result.spec.types["chat"].key_property.as_deref(),
        Some("id")
    );
    assert!(graph_spec::validate(&result.spec, std::path::Path::new("api.json")).is_empty());
}

#[test]
fn prose_that_names_no_type_is_a_defect_and_the_spec_still_loads() {
    let pages = vec![
        book(),
        page(
            "a/book-create.md",
            &api(
                "Create book",
                "POST /library/books",
                "In the request body, supply a JSON representation of [book properties](../resources/book.md).\n\n|Property|Type|Description|\n|:---|:---|:---|\n|title|String|Title.|",
                "If successful, this method returns a `201 Created` response code and a [book. Support varies by context](../resources/book.md) object in the response body.",
                "",
            ),
        ),
    ];
    let result = import(&pages);
    let create = &result.spec.operations[0];
    assert!(create.request_body.is_none());
    assert!(create.response.body.is_none());
    let unknown: Vec<&str> = result
        .defects
        .iter()
        .filter(|d| d.kind == DefectKind::UnknownType)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(unknown.len(), 2, "{unknown:#?}");
    assert!(unknown[0].contains("`book properties`"), "{unknown:#?}");
    assert!(
        unknown[1].contains("`book. Support varies by context`"),
        "{unknown:#?}"
    );
    assert_eq!(
        graph_spec::io::loader_problems(
            &graph_spec::to_pretty_json(&result.spec),
            std::path::Path::new("api.json")
        ),
        Vec::<String>::new()
    );
}

#[test]
fn the_version_is_the_one_the_examples_call() {
    assert_eq!(import(&corpus()).spec.version, "beta");
    let v1 = |n: usize| {
        page(
            &format!("a/book-get-{n}.md"),
            &api(
                &format!("Get book {n}"),
                &format!("GET /library/shelf{n}/books/{{bookId}}"),
                "Do not supply a request body for this method.",
                "If successful, this method returns a `200 OK` response code and a [book](../resources/book.md) object in the response body.",
                &format!(
                    "### Request\n``` http\nGET https://graph.microsoft.com/v1.0/library/shelf{n}/books/1\n```\n"
                ),
            ),
        )
    };
    let mut pages = vec![page(
        "r/book.md",
        &resource("book", None, "|id|String|Key.|\n|title|String|Title.|"),
    )];
    pages.extend((0..2).map(v1));
    assert_eq!(import(&pages).spec.version, "v1.0");
}

/// The hand-written pages' looser layouts: conceptual pages counted apart, misspelt or wrong
/// page types, request paths without the leading slash, sections a level down, and a status
/// that only the example response gives.
#[test]
fn hand_written_layouts_import_and_are_reported() {
    let loose_api = "---\ntitle: \"Get shelf\"\ndoc_type: apiPageType\n---\n\n# Get shelf\n\n### HTTP request\n``` http\nGET shelves/{id}\n```\n\n## Response\nIf successful, this method returns a [shelf](../resources/shelf.md) in the response body.\n\n## Example\n``` http\nGET https://graph.microsoft.com/beta/shelves/1\n```\n<!-- { \"blockType\": \"response\", \"@odata.type\": \"microsoft.graph.shelf\" } -->\n``` http\nHTTP/1.1 200 OK\nContent-type: application/json\n\n{\"id\": \"1\"}\n```\n";
    let mislabelled = resource("shelf", None, "|id|String|Key.|")
        .replace("doc_type: resourcePageType", "doc_type: apiPageType");
    let pages = vec![
        page("a/shelf-get.md", loose_api),
        page("r/shelf.md", &mislabelled),
        page(
            "r/shelf-overview.md",
            "---\ntitle: \"Shelves\"\ndoc_type: conceptualPageType\n---\n\n# Shelves\n",
        ),
        page("r/no-type.md", "---\ntitle: \"Notes\"\n---\n\n# Notes\n"),
    ];
    let result = import(&pages);
    assert!(result.skipped.is_empty(), "{:#?}", result.skipped);
    assert_eq!((result.pages_read, result.conceptual), (4, 2));
    assert_eq!(result.pages_imported(), 2);
    assert_eq!(result.import_rate(), 1.0);
    let get = &result.spec.operations[0];
    assert_eq!(get.kind, OperationKind::Get);
    assert_eq!(get.primary_path().to_string(), "/shelves/{id}");
    assert_eq!(get.response.status, 200);
    assert_eq!(result.spec.types["shelf"].kind, TypeKind::Entity);
    let kinds: Vec<(&str, DefectKind)> = result
        .defects
        .iter()
        .map(|d| (d.source.file.as_str(), d.kind))
        .collect();
    assert!(
        kinds.contains(&("r/shelf.md", DefectKind::WrongDocType)),
        "{kinds:#?}"
    );
    assert!(
        kinds.contains(&("a/shelf-get.md", DefectKind::MissingSection)),
        "the status came from the example: {kinds:#?}"
    );
    assert!(
        !kinds
            .iter()
            .any(|(f, _)| f.contains("overview") || f.contains("no-type"))
    );
}

/// Types of a sub-namespace (`microsoft.graph.callRecords.session`) keep it in their name, and
/// the bare names their pages write resolve in their own namespace first.
#[test]
fn sub_namespace_types_keep_their_namespace_and_resolve_bare_names() {
    let pages = vec![
        page(
            "r/session.md",
            &resource(
                "session",
                None,
                "|id|String|A root type of the same last name.|",
            ),
        ),
        page(
            "r/callrecords-session.md",
            &resource("callRecords.session", None, "|id|String|Key.|"),
        ),
        page(
            "r/callrecords-callrecord.md",
            &resource(
                "callRecords.callRecord",
                None,
                "|id|String|Key.|\n|sessions|[session](callrecords-session.md) collection|Its sessions.|\n|modality|[modality](callrecords-modality.md)|Not defined anywhere.|",
            ),
        ),
    ];
    let result = import(&pages);
    let types = &result.spec.types;
    assert!(types.contains_key("session") && types.contains_key("callRecords.session"));
    let record = &types["callRecords.callRecord"];
    let type_of = |name: &str| {
        record
            .properties
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.type_ref.to_string())
    };
    assert_eq!(type_of("sessions").as_deref(), Some("callRecords.session"));
    // Nothing of that name anywhere: it stays as written, an undocumented placeholder.
    assert_eq!(type_of("modality").as_deref(), Some("modality"));
    assert!(types["modality"].undocumented);
}

/// A type keeps one member per name: rows its base declares (with "Inherited from" or without)
/// and rows repeated in its own table are dropped.
#[test]
fn redeclared_members_are_kept_once() {
    let pages = vec![
        page(
            "r/item.md",
            &resource("item", None, "|id|String|Key.|\n|name|String|Name.|"),
        ),
        page(
            "r/note.md",
            &resource(
                "note",
                Some("item"),
                "|id|String|Key, repeated without saying so.|\n|text|String|Text.|\n|text|String|Text again.|",
            ),
        ),
    ];
    let result = import(&pages);
    let names: Vec<&str> = result.spec.types["note"]
        .properties
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["text"]);
    assert_eq!(result.spec.types["note"].properties[0].description, "Text.");
}

/// Pages that list several enums (`enums.md`, `enums-callrecords.md`) give one enum per
/// `### <name> values` heading, in the namespace the page names, and a sub-namespace the docs
/// spell in two cases is one.
#[test]
fn multi_enum_pages_and_namespace_case() {
    let enums = "---\ntitle: \"Call records enum values\"\ndoc_type: enumPageType\n---\n\n# Call records enum values\n\nNamespace: microsoft.graph.callRecords\n\n### callType values\n\n| Member\n|:--------------\n| unknown\n| groupCall\n\n### modality values\n\n|Member|Value|Description|\n|:---|:---|:---|\n|audio|1|Sound.|\n|video|2|Pictures.|\n\n### notAnEnum\n\nProse.\n";
    let pages = vec![
        page("r/enums-callrecords.md", enums),
        page(
            "r/callrecords-callrecord.md",
            &resource(
                "callRecords.callRecord",
                None,
                "|id|String|Key.|\n|type|[callType](enums-callrecords.md#calltype-values)|Bare, resolved in the namespace.|\n|modality|[modality](enums-callrecords.md)|Bare.|\n|other|callrecords.callType|Qualified in the other case.|",
            ),
        ),
        page(
            "r/callrecords-session.md",
            &resource("callrecords.session", None, "|id|String|Key.|"),
        ),
    ];
    let result = import(&pages);
    let spec = &result.spec;
    assert_eq!(result.skipped.len(), 0, "{:?}", result.skipped);
    let call_type = &spec.enums["callRecords.callType"];
    let members: Vec<(&str, i64)> = (call_type.members.iter())
        .map(|m| (m.name.as_str(), m.value))
        .collect();
    assert_eq!(members, [("unknown", 0), ("groupCall", 1)]);
    assert_eq!(spec.enums["callRecords.modality"].members[1].value, 2);
    assert_eq!(spec.enums.len(), 2);
    let record = &spec.types["callRecords.callRecord"];
    let type_of = |name: &str| {
        let property = record.properties.iter().find(|p| p.name == name).unwrap();
        property.type_ref.to_string()
    };
    assert_eq!(type_of("type"), "callRecords.callType");
    assert_eq!(type_of("modality"), "callRecords.modality");
    assert_eq!(type_of("other"), "callRecords.callType");
    // `callrecords.session` takes the spelling most names use, and is reported.
    assert!(spec.types.contains_key("callRecords.session"));
    assert!(!spec.types.keys().any(|n| n.starts_with("callrecords.")));
    assert!(
        result
            .defects
            .iter()
            .any(|d| d.kind == DefectKind::NameCase && d.message.contains("`callrecords.session`"))
    );
}

/// Hand-written examples show a request's body and the response as bare JSON blocks, told
/// apart by the text before them; the response then has the documented status.
#[test]
fn bare_json_example_blocks_are_the_request_body_and_the_response() {
    let examples = "### Request\n\n```http\nPOST https://graph.microsoft.com/beta/library/books\n```\n\nThe request body:\n\n```json\n{\"title\": \"Dune\"}\n```\n\n### Response\n\nHere is an example of the response.\n\n```json\n{\"id\": \"b1\", \"title\": \"Dune\"}\n```\n";
    let pages = vec![
        book(),
        page(
            "a/book-post.md",
            &api(
                "Create book",
                "POST /library/books",
                "In the request body, supply a JSON representation of a [book](../resources/book.md) object.",
                "If successful, this method returns a `201 Created` response code and a [book](../resources/book.md) object in the response body.",
                examples,
            ),
        ),
    ];
    let result = import(&pages);
    let op = &result.spec.operations[0];
    let example = &op.examples[0];
    assert_eq!(
        example.request.body,
        Some(serde_json::json!({"title": "Dune"}))
    );
    let response = example
        .response
        .as_ref()
        .expect("the bare JSON block is the response");
    assert_eq!(response.status, 201);
    assert_eq!(
        response.body,
        Some(serde_json::json!({"id": "b1", "title": "Dune"}))
    );
    assert!(
        result
            .defects
            .iter()
            .any(|d| d.kind == DefectKind::MissingSection && d.message.contains("no status line"))
    );
}

/// An API page that says `Namespace: microsoft.graph.termStore` names that namespace's types
/// bare, even where the root namespace has a type of the same name.
#[test]
fn api_pages_resolve_bare_names_in_their_namespace() {
    let api_page = api(
        "Create set",
        "POST /termStore/sets",
        "In the request body, supply a JSON representation of a [set](../resources/termstore-set.md) object.",
        "If successful, this method returns a `201 Created` response code and a [set](../resources/termstore-set.md) object in the response body.",
        "",
    )
    .replace("# Create set\n", "# Create set\n\nNamespace: microsoft.graph.termStore\n");
    let pages = vec![
        page(
            "r/set.md",
            &resource("set", None, "|id|String|A root type of that name.|"),
        ),
        page(
            "r/termstore-set.md",
            &resource("termStore.set", None, "|id|String|Key.|"),
        ),
        page("a/termstore-set-post.md", &api_page),
    ];
    let result = import(&pages);
    let op = &result.spec.operations[0];
    let body = op.request_body.as_ref().unwrap().type_ref.to_string();
    assert_eq!(body, "termStore.set");
    let response = op.response.body.as_ref().unwrap().type_ref.to_string();
    assert_eq!(response, "termStore.set");
}

/// Prose and body tables name some types with a capital (`DriveItem`); where the lower-case
/// name is defined, that is the type meant, and a definition under the capital name (a request
/// body table's) gives way to it.
#[test]
fn capitalised_type_names_are_the_defined_type() {
    // A name that differs from a defined one only in case is that type.
    let pages = vec![
        page(
            "r/driveitem.md",
            &resource("driveItem", None, "|id|String|Key.|\n|name|String|Name.|"),
        ),
        page(
            "r/folder.md",
            &resource(
                "folder",
                None,
                "|id|String|Key.|\n|cover|[DriveItem](driveitem.md)|Capitalised in the docs.|\n|back|[driveitem](driveitem.md)|In lower case.|",
            ),
        ),
    ];
    let result = import(&pages);
    let folder = &result.spec.types["folder"];
    assert_eq!(folder.properties[1].type_ref.to_string(), "driveItem");
    assert_eq!(folder.properties[2].type_ref.to_string(), "driveItem");
    assert!(!result.spec.types.contains_key("DriveItem"));
    assert!(!result.spec.types.contains_key("driveitem"));
}

/// A GET whose path ends in a call is a function, though its page says "this method", and the
/// hand-written pages list its parameters under `## Function parameters`.
#[test]
fn a_get_of_a_call_is_a_function_with_its_parameters_section() {
    let text = api(
        "reportRoot: getEmailActivityCounts",
        "GET /reports/getEmailActivityCounts(period='{period_value}')",
        "Do not supply a request body for this method.",
        "If successful, this method returns a `200 OK` response code and a [report](../resources/report.md) object in the response body.",
        "",
    )
    .replace(
        "## Request headers",
        "## Function parameters\n|Parameter|Type|Description|\n|:---|:---|:---|\n|period|string|The days.|\n\n## Request headers",
    );
    let result = import(&[page("a/reportroot-getemailactivitycounts.md", &text)]);
    let op = &result.spec.operations[0];
    assert_eq!(op.kind, OperationKind::Function);
    assert_eq!(op.name, "getEmailActivityCounts");
    let parameters: Vec<&str> = op.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(parameters, ["period"]);
}

/// A call written with example values (`period='D7'`, `rowsAbove(count=n)`) is a template of
/// its parameters; an argument the parameters table leaves out becomes a parameter, typed as it
/// is written. Each is a reported defect, and two examples of one call are one template.
#[test]
fn example_values_in_a_call_are_placeholders_of_its_parameters() {
    let text = api(
        "reportRoot: getUsage",
        "GET /reports/getUsage(period='D7')\nGET /reports/getUsage(period='D30',top=5,detailed=true)",
        "Do not supply a request body for this method.",
        "If successful, this method returns a `200 OK` response code and a [report](../resources/report.md) object in the response body.",
        "",
    )
    .replace(
        "## Request headers",
        "## Function parameters\n|Parameter|Type|Description|\n|:---|:---|:---|\n|period|string|The days.|\n\n## Request headers",
    );
    let result = import(&[page("a/reportroot-getusage.md", &text)]);
    let op = &result.spec.operations[0];
    let templates: Vec<String> = op.paths.iter().map(ToString::to_string).collect();
    assert_eq!(
        templates,
        [
            "/reports/getUsage(period='{period}')",
            "/reports/getUsage(period='{period}',top={top},detailed={detailed})"
        ]
    );
    let parameters: Vec<(&str, String)> = (op.parameters.iter())
        .map(|p| (p.name.as_str(), p.type_ref.to_string()))
        .collect();
    assert_eq!(
        parameters,
        [
            ("period", "Edm.String".to_owned()),
            ("top", "Edm.Int32".to_owned()),
            ("detailed", "Edm.Boolean".to_owned())
        ]
    );
    let reported: Vec<&str> = (result.defects.iter())
        .filter(|d| d.kind == DefectKind::PathArgument)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(reported.len(), 6, "{reported:#?}");
    assert!(
        reported.contains(
            &"the path writes the example value `'D7'` for `period`; read as `'{period}'`"
        )
    );
    assert!(reported.contains(&"the path passes `top`, which the parameters table does not list; read as a parameter of type Edm.Int32"));
}

/// Hand-written pages (Dynamics 365 Business Central's) name their types in bold instead of
/// linking them, and in the plural: `a JSON representation of **vendors** object` for the
/// `vendor` type.
#[test]
fn a_type_named_in_bold_and_in_the_plural_is_the_defined_type() {
    let text = api(
        "Create vendors",
        "POST /financials/companies/{id}/vendors",
        "In the request body, supply a JSON representation of **vendors** object.",
        "If successful, this method returns ```201 Created``` response code and a **vendors** object in the response body.",
        "",
    );
    let pages = vec![
        page(
            "r/dynamics-vendor.md",
            &resource("vendor", None, "|id|String|Key.|\n|number|String|Number.|"),
        ),
        page("a/dynamics-create-vendor.md", &text),
    ];
    let result = import(&pages);
    let op = &result.spec.operations[0];
    assert_eq!(op.kind, OperationKind::Create);
    let body = op.request_body.as_ref().unwrap().type_ref.to_string();
    assert_eq!(body, "vendor");
    let response = op.response.body.as_ref().unwrap().type_ref.to_string();
    assert_eq!(response, "vendor");
    assert!(!result.spec.types.contains_key("vendors"));
}

/// A usage report answers `302 Found` to a CSV file, whose columns the page lists, or JSON rows
/// for `$format=application/json`, which a `### JSON` part of the Response section describes.
#[test]
fn a_report_is_a_download_with_its_columns_and_json_rows() {
    let response = "### CSV\n\nIf successful, this method returns a `302 Found` response that redirects to a preauthenticated download URL for the report.\n\nThe CSV file has the following headers for columns.\n\n- Report Refresh Date\n- Send\n- Report Period\n\nThe following columns are not supported in Microsoft Graph China operated by 21Vianet:\n\n- Send\n\n### JSON\n\nIf successful, this method returns a `200 OK` response code and an **[emailActivitySummary](../resources/emailactivitysummary.md)** object in the response body.";
    let text = api(
        "reportRoot: getEmailActivityCounts",
        "GET /reports/getEmailActivityCounts(period='{period_value}')",
        "Do not supply a request body for this method.",
        response,
        "",
    );
    let pages = vec![
        page(
            "r/emailactivitysummary.md",
            &resource(
                "emailActivitySummary",
                None,
                "|id|String|Key.|\n|send|Int32|Sent.|",
            ),
        ),
        page("a/reportroot-getemailactivitycounts.md", &text),
    ];
    let result = import(&pages);
    let op = &result.spec.operations[0];
    assert_eq!(op.kind, OperationKind::Function);
    assert_eq!(op.response.status, 302);
    let download = op.response.download.as_ref().expect("a download");
    assert_eq!(
        download.csv_columns,
        ["Report Refresh Date", "Send", "Report Period"]
    );
    let json = download.json.as_ref().expect("the JSON answer");
    assert_eq!(json.type_ref.to_string(), "emailActivitySummary");
    assert!(json.collection, "a report's JSON is its rows");
}

/// Write pages that leave their types unsaid: an update without a body type patches the entity
/// at its path (typed by the page's get; a paragraph linking elsewhere does not name the body),
/// and a create without a response body answers the entity it created. Both are reported.
#[test]
fn write_pages_without_types_take_the_entity_they_write() {
    let get = api(
        "Get userSettings",
        "GET /me/settings",
        "Do not supply a request body for this method.",
        "If successful, this method returns a `200 OK` response code and a [userSettings](../resources/usersettings.md) object in the response body.",
        "",
    );
    let update = api(
        "Update userSettings",
        "PATCH /me/settings",
        "In the request body, supply the values for relevant fields that should be updated.\n\nSince the resource supports [extensions](/graph/extensibility-overview), you can use `PATCH` on them too.",
        "If successful, this method returns a `204 No Content` response code.",
        "",
    );
    let create = api(
        "Add tab to channel",
        "POST /teams/{id}/channels/{id}/tabs",
        "In the request body, supply a JSON representation of a [teamsTab](../resources/teamstab.md) object.",
        "If successful, this method returns a `201 Created` response code.",
        "",
    );
    let pages = vec![
        page(
            "r/usersettings.md",
            &resource("userSettings", None, "|id|String|Key.|\n|x|Boolean|X.|"),
        ),
        page(
            "r/teamstab.md",
            &resource(
                "teamsTab",
                None,
                "|id|String|Key.|\n|displayName|String|Name.|",
            ),
        ),
        page("a/usersettings-get.md", &get),
        page("a/usersettings-update.md", &update),
        page("a/channel-post-tabs.md", &create),
    ];
    let result = import(&pages);
    let of = |kind: OperationKind| {
        (result.spec.operations.iter())
            .find(|op| op.kind == kind)
            .unwrap()
    };
    let update = of(OperationKind::Update);
    let body = update.request_body.as_ref().unwrap().type_ref.to_string();
    assert_eq!(body, "userSettings");
    let create = of(OperationKind::Create);
    let answer = create.response.body.as_ref().unwrap().type_ref.to_string();
    assert_eq!(answer, "teamsTab");
    let reported = (result.defects.iter())
        .filter(|d| d.kind == DefectKind::MissingSection && d.message.contains("read as the"))
        .count();
    let all: Vec<_> = result.defects.iter().map(|d| d.message.clone()).collect();
    assert_eq!(reported, 2, "{all:#?}");
}

/// A `$ref` page (adding a member: `POST .../members/$ref` answering `204`, removing one:
/// `DELETE .../members/{id}/$ref`) links an entity: a reference operation at the path without
/// `/$ref`, whose body is the link, not the type the page names. A page that creates an entity
/// (`201` and the entity) with a stray `/$ref` keeps that as a defect.
#[test]
fn ref_pages_are_reference_operations() {
    let pages = vec![
        book(),
        page(
            "a/shelf-post-books.md",
            &api(
                "Add book",
                "POST /shelves/{id}/books/$ref",
                "In the request body, supply a JSON representation of a [book](../resources/book.md) object to be added.",
                "If successful, this method returns a `204 No Content` response code.",
                "",
            ),
        ),
        page(
            "a/shelf-delete-books.md",
            &api(
                "Remove book",
                "DELETE /shelves/{id}/books/{bookId}/$ref",
                "Do not supply a request body for this method.",
                "If successful, this method returns a `204 No Content` response code.",
                "",
            ),
        ),
        page(
            "a/book-create.md",
            &api(
                "Create book",
                "POST /books/$ref",
                "In the request body, supply a JSON representation of a [book](../resources/book.md) object.",
                "If successful, this method returns a `201 Created` response code and a [book](../resources/book.md) object in the response body.",
                "",
            ),
        ),
    ];
    let result = import(&pages);
    let by_summary = |summary: &str| {
        (result.spec.operations.iter())
            .find(|op| op.summary == summary)
            .unwrap_or_else(|| panic!("{summary} imports"))
    };
    let add = by_summary("Add book");
    assert!(add.reference);
    assert_eq!(add.kind, OperationKind::Create);
    assert_eq!(add.paths[0].to_string(), "/shelves/{id}/books");
    assert_eq!(add.request_body, None);
    let remove = by_summary("Remove book");
    assert!(remove.reference);
    assert_eq!(remove.kind, OperationKind::Delete);
    let create = by_summary("Create book");
    assert!(!create.reference);
    let ref_defects: Vec<&str> = (result.defects.iter())
        .filter(|d| d.kind == DefectKind::RefSuffixInPath)
        .map(|d| d.source.file.as_str())
        .collect();
    assert_eq!(ref_defects, ["a/book-create.md"]);
}

/// The group page's way of naming a create's body: "The following table shows the properties of
/// the [group](...) resource to specify when you create a group", then the table.
#[test]
fn a_body_named_as_the_resource_whose_properties_the_table_shows() {
    let text = api(
        "Create book",
        "POST /books",
        "The following table shows the properties of the [book](../resources/book.md) resource to specify when you create a book.\n\n|Property|Type|Description|\n|:---|:---|:---|\n|title|String|The title. Required.|",
        "If successful, this method returns a `201 Created` response code and a [book](../resources/book.md) object in the response body.",
        "",
    );
    let result = import(&[book(), page("a/book-post.md", &text)]);
    let op = &result.spec.operations[0];
    assert_eq!(op.kind, OperationKind::Create);
    let body = op.request_body.as_ref().expect("the body is read");
    assert_eq!(
        (body.type_ref.to_string().as_str(), body.required.as_slice()),
        ("book", ["title".to_owned()].as_slice())
    );
    assert!(
        !(result.defects.iter()).any(|d| d.message.contains("names no type")),
        "{:#?}",
        result.defects
    );
}

/// A create whose page has no Request body section (`schedule-post-shifts.md`) is a gap the
/// import reports, and counts among the creates and updates without a body type.
#[test]
fn a_create_without_a_request_body_section_is_reported() {
    let text = api(
        "Create book",
        "POST /books",
        "",
        "If successful, this method returns a `201 Created` response code and a [book](../resources/book.md) object in the response body.",
        "",
    )
    .replace("## Request body\n", "");
    let result = import(&[book(), page("a/book-post.md", &text)]);
    assert_eq!(result.spec.operations[0].kind, OperationKind::Create);
    assert_eq!(result.without_body_type(), 1);
    let gaps: Vec<u32> = (result.defects.iter())
        .filter(|d| d.kind == DefectKind::MissingSection && d.message.contains("Request body"))
        .map(|d| d.source.line)
        .collect();
    assert_eq!(gaps.len(), 1, "{:#?}", result.defects);
}

/// A page without a permissions table leaves the operation's permissions undetermined (any
/// valid token may call it), as the defect says, rather than "not supported" for everyone.
#[test]
fn a_page_without_permissions_leaves_them_undetermined() {
    let without = api(
        "Get book",
        "GET /books/{id}",
        "Do not supply a request body for this method.",
        "If successful, this method returns a `200 OK` response code and a [book](../resources/book.md) object in the response body.",
        "",
    )
    .replace("## Prerequisites", "## Notes");
    let result = import(&[book(), page("a/book-get.md", &without)]);
    let operation = &result.spec.operations[0];
    assert_eq!(
        operation.permissions,
        graph_spec::Permissions::undetermined()
    );
    let defect = (result.defects.iter())
        .find(|d| d.kind == DefectKind::MissingSection && d.source.file == "a/book-get.md")
        .expect("the missing table is reported");
    assert!(
        defect.message.contains("undetermined"),
        "{}",
        defect.message
    );
}

/// A `String` row that lists exactly the members of one enum a page defines is that enum, and
/// is reported; a list in another case, or one that several enums share equally, stays a string.
#[test]
fn a_string_that_lists_an_enums_members_is_that_enum() {
    let enums = "---\ntitle: \"Enum values\"\ndoc_type: enumPageType\n---\n\n# Enum values\n\n### horizontalAlignment values\n\n|Member|\n|:---|\n|left|\n|right|\n|center|\n|unknownFutureValue|\n\n### visibilityType values\n\n|Member|\n|:---|\n|private|\n|public|\n\n### shade values\n\n|Member|\n|:---|\n|dark|\n|light|\n\n### tone values\n\n|Member|\n|:---|\n|dark|\n|light|\n";
    let rows = [
        "|id|String|Key.|",
        "|alignment|String|Where. Possible values are: `left`, `right`, `center`.|",
        "|visibility|String|Who sees it. Possible values are: `Private`, `Public`.|",
        "|tone|String|Named after one of two. Possible values are: `dark`, `light`.|",
        "|hue|String|Named after neither. Possible values are: `dark`, `light`.|",
        "|mood|moodKind|Made up from this list. Possible values are: `calm`, `busy`.|",
        "|feeling|String|Only a made-up enum has these. Possible values are: `calm`, `busy`.|",
    ];
    let pages = vec![
        page("r/enums.md", enums),
        page("r/panel.md", &resource("panel", None, &rows.join("\n"))),
    ];
    let result = import(&pages);
    let panel = &result.spec.types["panel"];
    let type_of = |name: &str| {
        let property = panel.properties.iter().find(|p| p.name == name).unwrap();
        property.type_ref.to_string()
    };
    assert_eq!(type_of("alignment"), "horizontalAlignment");
    assert_eq!(type_of("tone"), "tone");
    assert_eq!(type_of("mood"), "moodKind");
    for stays in ["visibility", "hue", "feeling"] {
        assert_eq!(type_of(stays), "Edm.String", "{stays}");
    }
    let reported: Vec<(u32, &str)> = (result.defects.iter())
        .filter(|d| d.kind == DefectKind::StringListsEnumMembers)
        .map(|d| (d.source.line, d.message.as_str()))
        .collect();
    assert_eq!(reported.len(), 2, "{reported:?}");
    assert!(
        reported[0].1.contains("`alignment`") && reported[0].1.contains("`horizontalAlignment`"),
        "{reported:?}"
    );
    // The line is the row's own: the table's first row (`id`) is line 12.
    assert_eq!(reported[0].0, 13, "{reported:?}");
}

/// A type with an `id` that a page reads by key is an entity. A type whose annotation names a
/// key its table leaves out derives from Graph's root `entity` when a page reads it; one no page
/// answers stays complex (the docs copy the annotation onto complex types).
#[test]
fn types_read_by_key_or_annotated_with_a_key_and_read_are_entities() {
    let annotated = |name: &str, rows: &str, key: bool| {
        let key = if key {
            "  \"keyProperty\": \"id\",\n"
        } else {
            ""
        };
        format!(
            "---\ntitle: \"{name} resource type\"\ndoc_type: resourcePageType\n---\n\n# {name} resource type\n\n## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n{rows}\n\n## JSON representation\n<!-- {{\n  \"blockType\": \"resource\",\n{key}  \"@odata.type\": \"microsoft.graph.{name}\"\n}}\n-->\n``` json\n{{}}\n```\n"
        )
    };
    let get = |title: &str, path: &str, answer: &str| {
        api(
            title,
            &format!("GET {path}"),
            "Do not supply a request body for this method.",
            &format!(
                "If successful, this method returns a `200 OK` response code and an **{answer}** object in the response body. See [error responses](../resources/errors.md)."
            ),
            "",
        )
    };
    let pages = vec![
        page(
            "r/entity.md",
            &annotated("entity", "|id|String|Key.|", false),
        ),
        page(
            "r/alert.md",
            &annotated("alert", "|id|String|Key.|\n|title|String|Title.|", false),
        ),
        page(
            "a/alert-get.md",
            &get("Get alert", "/security/alerts/{id}", "alert"),
        ),
        page(
            "r/consentpolicy.md",
            &annotated("consentPolicy", "|isEnabled|Boolean|On.|", true),
        ),
        page(
            "a/consentpolicy-get.md",
            &get(
                "Get consentPolicy",
                "/policies/consentPolicy",
                "consentPolicy",
            ),
        ),
        page(
            "r/grantsettings.md",
            &annotated("grantSettings", "|enabled|Boolean|On.|", true),
        ),
    ];
    let result = import(&pages);
    let spec = &result.spec;
    let alert = &spec.types["alert"];
    assert_eq!(
        (alert.kind, alert.key_property.as_deref()),
        (TypeKind::Entity, Some("id"))
    );
    let policy = &spec.types["consentPolicy"];
    assert_eq!(
        (
            policy.kind,
            policy.key_property.as_deref(),
            policy.base_type.as_deref()
        ),
        (TypeKind::Entity, Some("id"), Some("entity"))
    );
    let settings = &spec.types["grantSettings"];
    assert_eq!(
        (settings.kind, settings.base_type.as_deref()),
        (TypeKind::Complex, None)
    );
    assert!(graph_spec::validate(spec, std::path::Path::new("api.json")).is_empty());
}

/// A resource page lists the enums of its own properties under `### <name> values`: those are
/// enums (a `null` row is no member), an enum page of the same name wins, and a values heading
/// no property names is left alone.
#[test]
fn a_resource_page_lists_its_properties_enums() {
    let page_text = |rows: &str, sections: &str| {
        resource("printJob", None, rows).replace(
            "\n\n## Relationships",
            &format!("\n\n{sections}\n\n## Relationships"),
        )
    };
    let sections = "### printQuality values\n\n|Member|Value|Description|\n|:---|:---|:---|\n|low|0|Draft.|\n|high|1|Best.|\n\n### ageGroup values\n\n|Member|Description|\n|:---|:---|\n|null|Not set.|\n|minor|Young.|\n|adult|Grown.|\n\n### orientation values\n\n|Member|Description|\n|:---|:---|\n|portrait|Tall.|\n\n### unused values\n\nNot a table.";
    let rows = "|id|String|Key.|\n|quality|printQuality|Valid values are described in the table below.|\n|ageGroup|[ageGroup](#agegroup-values)|Allowed values: `null`, `minor`, `adult`.|\n|orientation|orientation|From the enum page.|";
    let enum_page = "---\ntitle: \"orientation enum type\"\ndoc_type: enumPageType\n---\n\n# orientation enum type\n\n## Members\n|Member|Description|\n|:---|:---|\n|landscape|Wide.|\n";
    let pages = vec![
        page("r/orientation.md", enum_page),
        page("r/printjob.md", &page_text(rows, sections)),
    ];
    let result = import(&pages);
    let spec = &result.spec;
    let members = |name: &str| -> Vec<&str> {
        (spec.enums[name].members.iter())
            .map(|m| m.name.as_str())
            .collect()
    };
    assert_eq!(members("printQuality"), ["low", "high"]);
    assert_eq!(members("ageGroup"), ["minor", "adult"]);
    assert_eq!(members("orientation"), ["landscape"]);
    assert!(!spec.enums.contains_key("unused"));
    assert!(!spec.types.contains_key("printQuality"));
    assert!(
        !(result.defects.iter())
            .any(|d| d.kind == DefectKind::MissingTypePage
                || d.kind == DefectKind::UnknownTableLayout),
        "{:#?}",
        result.defects
    );
}
