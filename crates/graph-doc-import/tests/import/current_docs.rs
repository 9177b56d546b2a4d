//! Today's doc format, on the sample of current pages under `../shared/graph-docs-current`
//! (each at its commit of `microsoftgraph/microsoft-graph-docs-contrib`, listed in its
//! `INDEX.md`): permissions tables in include files, "Don't supply a request body", and the
//! older pages of the same sample still read as they were.

use std::path::{Path, PathBuf};

use graph_doc_import::manifest::folder_pages;
use graph_doc_import::{Import, PageInput, import, import_files};
use graph_spec::{DefectKind, PermissionSet, Permissions};

fn current(version: &str) -> PathBuf {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/graph-docs-current/api-reference")
        .join(version);
    assert!(
        folder.is_dir(),
        "{} is missing: these tests read the sample of current doc pages there",
        folder.display()
    );
    folder
}

fn permissions_of(import: &Import, template: &str) -> Permissions {
    let op = (import.spec.operations.iter())
        .find(|op| op.paths.iter().any(|p| p.to_string() == template))
        .unwrap_or_else(|| panic!("no operation at {template}"));
    op.permissions.clone()
}

fn scopes(names: &[&str]) -> PermissionSet {
    PermissionSet::Scopes(names.iter().map(|s| s.to_string()).collect())
}

fn defects_of<'a>(import: &'a Import, page: &str) -> Vec<&'a graph_spec::Defect> {
    (import.defects.iter())
        .filter(|d| d.source.file.ends_with(page))
        .collect()
}

/// Every API page of the sample whose include is in the sample has its permissions read from
/// it, least privileged first, whether the version folder or only its `api/` folder is given.
#[test]
fn permissions_are_read_from_the_include_beside_the_page() {
    let beta = current("beta");
    // The version folder gives all 7 include files; its `api/` folder alone reads the 4 that
    // its pages name and that exist beside them, each once.
    for (given, includes) in [(beta.clone(), 7), (beta.join("api"), 4)] {
        let import = import_files(&folder_pages(std::slice::from_ref(&given)).unwrap());
        assert!(
            !(import.defects.iter()).any(|d| d.message.contains("no permissions table")),
            "{}: {:#?}",
            given.display(),
            import.defects
        );
        let user = permissions_of(&import, "/users/{id | userPrincipalName}");
        assert_eq!(
            user.application,
            scopes(&[
                "User.Read.All",
                "User.ReadWrite.All",
                "Directory.Read.All",
                "Directory.ReadWrite.All"
            ])
        );
        assert_eq!(
            user.delegated_personal,
            scopes(&["User.Read", "User.ReadWrite"])
        );
        let recordings = permissions_of(&import, "/users/{usersId}/adhocCalls/getAllRecordings");
        assert_eq!(
            recordings.delegated_work,
            scopes(&["CallRecordings.Read.All"])
        );
        assert_eq!(recordings.delegated_personal, PermissionSet::NotSupported);
        let add_key = permissions_of(
            &import,
            "/applications/{id}/microsoft.graph.agentIdentityBlueprint/addKey",
        );
        assert_eq!(
            add_key.application,
            scopes(&[
                "AgentIdentityBlueprint.AddRemoveCreds.All",
                "AgentIdentityBlueprint.ReadWrite.All",
                "Directory.ReadWrite.All"
            ])
        );
        // The older pages of the sample keep their inline tables.
        let group = permissions_of(&import, "/groups/{id}");
        assert!(matches!(group.delegated_work, PermissionSet::Scopes(_)));
        // The include files are no pages: nothing is skipped or counted as conceptual.
        assert_eq!((import.conceptual, import.skipped.len()), (0, 0));
        assert_eq!(import.includes, includes, "{}", given.display());
    }
    let v1 = import_files(&folder_pages(&[current("v1.0").join("api")]).unwrap());
    assert_eq!(v1.includes, 1);
    let agent_user = &v1.spec.operations[0].permissions;
    assert_eq!(
        agent_user.delegated_work,
        scopes(&[
            "User.ReadBasic.All",
            "User.Read.All",
            "AgentIdUser.ReadWrite.IdentityParentedBy",
            "AgentIdUser.ReadWrite.All",
            "User.ReadWrite.All"
        ])
    );
}

/// An include that is not there is a defect naming it, and the operation's permissions are
/// undetermined (not "none needed"): the sample's `user-delete.md` names an include the sample
/// lacks.
#[test]
fn a_missing_include_is_named_and_leaves_the_permissions_undetermined() {
    let import = import_files(&folder_pages(&[current("beta")]).unwrap());
    let missing: Vec<_> = defects_of(&import, "user-delete.md")
        .into_iter()
        .filter(|d| d.kind == DefectKind::MissingInclude)
        .collect();
    assert_eq!(missing.len(), 1, "{:#?}", import.defects);
    assert_eq!(missing[0].source.line, 27);
    assert!(
        missing[0]
            .message
            .contains("beta/includes/permissions/user-delete-permissions.md"),
        "{}",
        missing[0].message
    );
    let delete = (import.spec.operations.iter())
        .find(|op| {
            op.method == graph_spec::HttpMethod::Delete
                && op.paths[0].to_string().starts_with("/users/")
        })
        .unwrap();
    assert_eq!(delete.permissions, Permissions::undetermined());
}

/// The same include given in memory, beside the page, is found under its resolved path; a
/// defect in the include's table names the include file and its line.
#[test]
fn an_include_in_memory_is_resolved_relative_to_the_page() {
    let page = |permissions: &str| PageInput {
        file: "docs/v1.0/api/widget-get.md".to_owned(),
        text: format!(
            "---\ntitle: \"Get widget\"\ndoc_type: apiPageType\n---\n\n# Get widget\n\n## Permissions\n\n> [!TIP]\n> Choose the least privileged.\n\n<!-- {{ \"blockType\": \"permissions\", \"name\": \"widget_get\" }} -->\n{permissions}\n\n## HTTP request\n```http\nGET /widgets/{{id}}\n```\n\n## Request body\n\nDon't supply a request body for this method.\n\n## Response\n\nIf successful, this method returns a `200 OK` response code and a [widget](../resources/widget.md) object in the response body.\n"
        ),
    };
    let include = PageInput {
        file: "docs/v1.0/includes/permissions/widget-get-permissions.md".to_owned(),
        text: "|Permission type|Least privileged permissions|Higher privileged permissions|\n|:---|:---|:---|\n|Delegated (work or school account)|Widget.Read|Widget.ReadWrite|\n|Delegated (personal Microsoft account)|Not supported.|Not supported.|\n|Application|Widget.Read.All|Not available.|\n|Robot|Widget.Read|Not available.|\n".to_owned(),
    };
    let with_include =
        page("[!INCLUDE [permissions-table](../includes/permissions/widget-get-permissions.md)]");
    let import = import(&[with_include, include.clone()]);
    assert_eq!((import.pages_read, import.includes), (1, 1));
    let permissions = &import.spec.operations[0].permissions;
    assert_eq!(
        permissions.delegated_work,
        scopes(&["Widget.Read", "Widget.ReadWrite"])
    );
    assert_eq!(permissions.application, scopes(&["Widget.Read.All"]));
    let unknown_row: Vec<_> = (import.defects.iter())
        .filter(|d| d.kind == DefectKind::UnknownTableLayout)
        .map(|d| (d.source.file.as_str(), d.source.line))
        .collect();
    assert_eq!(unknown_row, [(include.file.as_str(), 6)]);
    assert!(
        !(import.defects.iter()).any(|d| d.message.contains("request body")),
        "\"Don't supply\" says there is no body: {:#?}",
        import.defects
    );
    // Without the include, the page names what it misses.
    let alone = graph_doc_import::import(&[page(
        "[!INCLUDE [permissions-table](../includes/permissions/widget-get-permissions.md)]",
    )]);
    assert!(
        (alone.defects.iter()).any(|d| d.kind == DefectKind::MissingInclude
            && d.message
                .contains("docs/v1.0/includes/permissions/widget-get-permissions.md")),
        "{:#?}",
        alone.defects
    );
}
