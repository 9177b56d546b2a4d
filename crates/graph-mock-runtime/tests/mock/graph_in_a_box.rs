//! The `graph-mock` binary: all of Graph, v1.0 and beta on one port over one store, from the
//! specs under `spec/graph/`, and the flags that choose otherwise.

use std::ffi::OsStr;
use std::process::Command;

use serde_json::json;

use crate::common::{self, send};

/// The URL's scheme, host and port, without the version the mock logged.
fn host_of(url: &str) -> &str {
    url.rsplit_once('/').map_or(url, |(host, _)| host)
}

/// Creates the user `name` (`<mail>@contoso.com`, with `extra` properties) by a POST to `users`
/// (a version's `/users` URL), and returns its id.
async fn create_user(users: &str, name: &str, mail: &str, extra: serde_json::Value) -> String {
    let mut user = json!({
        "accountEnabled": true,
        "displayName": name,
        "mailNickname": mail,
        "userPrincipalName": format!("{mail}@contoso.com"),
    });
    (user.as_object_mut().unwrap()).extend(extra.as_object().cloned().unwrap_or_default());
    let (status, created) = send(reqwest::Method::POST, users.to_owned(), Some(user)).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

/// By default both versions are served over one store: a user created through `/beta` is read
/// through `/v1.0`, and the seed's connector path is served under `/beta`.
#[tokio::test]
async fn both_versions_by_default_over_one_store() {
    let args: Vec<&OsStr> = ["--port", "0"].iter().map(OsStr::new).collect();
    let (mut child, url) = common::start(&common::graph_binary(), &args);
    let host = host_of(&url).to_owned();
    let id = &create_user(
        &format!("{host}/beta/users"),
        "Ada Lovelace",
        "ada",
        json!({}),
    )
    .await;
    let (status, read) = send(
        reqwest::Method::GET,
        format!("{host}/v1.0/users/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["displayName"], "Ada Lovelace");
    assert!(
        read["@odata.context"].as_str().unwrap().contains("/v1.0/"),
        "{read}"
    );
    let connector = json!({"displayName": "Connector A", "state": "active", "version": "1.0"});
    let (status, created) = send(
        reqwest::Method::POST,
        format!("{host}/beta/deviceManagement/domainJoinConnectors"),
        Some(connector),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, error) = send(reqwest::Method::GET, format!("{host}/v2.0/users"), None).await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (404, &json!("ResourceNotFound"))
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `--api v1.0` serves that version alone, under its own base path.
#[tokio::test]
async fn api_chooses_one_version() {
    let args: Vec<&OsStr> = ["--port", "0", "--api", "v1.0"]
        .iter()
        .map(OsStr::new)
        .collect();
    let (mut child, url) = common::start(&common::graph_binary(), &args);
    assert!(url.ends_with("/v1.0"), "{url}");
    let host = host_of(&url).to_owned();
    let (v1, _) = send(reqwest::Method::GET, format!("{host}/v1.0/users"), None).await;
    let (beta, _) = send(reqwest::Method::GET, format!("{host}/beta/users"), None).await;
    assert_eq!((v1, beta), (200, 404));
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Graph's query language as apps write it, on v1.0 users: `in`, and the lambda operators on a
/// collection of objects (`assignedLicenses`, a Guid written unquoted) and of strings
/// (`proxyAddresses`).
#[tokio::test]
async fn filters_with_in_and_lambdas_on_users() {
    let args: Vec<&OsStr> = ["--port", "0", "--api", "v1.0"]
        .iter()
        .map(OsStr::new)
        .collect();
    let (mut child, url) = common::start(&common::graph_binary(), &args);
    let sku = "184efa21-98c3-4e5d-95ab-d07053a96e67";
    for (name, licensed, address) in [
        ("Ada", true, "SMTP:ada@contoso.com"),
        ("Grace", false, "x500:/o=grace"),
    ] {
        let licenses = match licensed {
            true => json!([{ "skuId": sku, "disabledPlans": [] }]),
            false => json!([]),
        };
        let extra = json!({"assignedLicenses": licenses, "proxyAddresses": [address]});
        create_user(&format!("{url}/users"), name, name, extra).await;
    }
    let names = |filter: &'static str| {
        let url = format!("{url}/users?$filter={filter}");
        async move {
            let (status, page) = send(reqwest::Method::GET, url, None).await;
            assert_eq!(status, 200, "{filter}: {page}");
            let mut names: Vec<String> = (page["value"].as_array().unwrap().iter())
                .map(|u| u["displayName"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(names("displayName in ('Ada', 'Linus')").await, ["Ada"]);
    assert_eq!(
        names("assignedLicenses/any(s:s/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)").await,
        ["Ada"]
    );
    assert_eq!(
        names("proxyAddresses/any(p:startswith(p, 'smtp:'))").await,
        ["Ada"]
    );
    assert_eq!(
        names("not assignedLicenses/any() and displayName in ('Ada', 'Grace')").await,
        ["Grace"]
    );
    // A lambda on what is no collection is a 400 naming it, as Graph answers.
    let (status, error) = send(
        reqwest::Method::GET,
        format!("{url}/users?$filter=displayName/any(d:d eq 'Ada')"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a collection"),
        "{error}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A user is addressed by its id or by its user principal name (an alternate key, in any case,
/// percent-encoded or not) in both versions, and what it contains is found either way.
#[tokio::test]
async fn users_are_addressed_by_user_principal_name() {
    let args: Vec<&OsStr> = ["--port", "0"].iter().map(OsStr::new).collect();
    let (mut child, url) = common::start(&common::graph_binary(), &args);
    let host = host_of(&url).to_owned();
    let id = create_user(&format!("{host}/beta/users"), "Ada", "ada", json!({})).await;
    for key in ["ada@contoso.com", "ADA@Contoso.com", "ada%40contoso.com"] {
        let (status, read) = send(
            reqwest::Method::GET,
            format!("{host}/v1.0/users/{key}"),
            None,
        )
        .await;
        assert_eq!((status, &read["id"]), (200, &json!(id)), "{key}: {read}");
    }
    let patch = json!({"displayName": "Ada Lovelace"});
    let (status, _) = send(
        reqwest::Method::PATCH,
        format!("{host}/v1.0/users/ada@contoso.com"),
        Some(patch),
    )
    .await;
    assert_eq!(status, 204);
    let event = json!({"subject": "Analytical engine"});
    let (status, created) = send(
        reqwest::Method::POST,
        format!("{host}/v1.0/users/ada@contoso.com/events"),
        Some(event),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, events) = send(
        reqwest::Method::GET,
        format!("{host}/beta/users/{id}/events"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{events}");
    assert_eq!(
        events["value"][0]["subject"], "Analytical engine",
        "{events}"
    );
    let (status, read) = send(
        reqwest::Method::GET,
        format!("{host}/beta/users/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, &read["displayName"]),
        (200, &json!("Ada Lovelace"))
    );
    // A name no user has is still a key that names nothing.
    let (status, error) = send(
        reqwest::Method::GET,
        format!("{host}/v1.0/users/grace@contoso.com"),
        None,
    )
    .await;
    assert_eq!(status, 404, "{error}");
    let (status, _) = send(
        reqwest::Method::DELETE,
        format!("{host}/v1.0/users/ada@contoso.com"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(
        reqwest::Method::GET,
        format!("{host}/v1.0/users/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `$search` on the lists whose pages document it, with Graph's rule for directory objects:
/// `$search` and `$count` need `ConsistencyLevel: eventual`, and without it are refused
/// naming the header. A list whose page documents no `$search` refuses it.
#[tokio::test]
async fn search_and_count_on_directory_objects_need_eventual_consistency() {
    let args: Vec<&OsStr> = ["--port", "0", "--api", "v1.0"]
        .iter()
        .map(OsStr::new)
        .collect();
    let (mut child, url) = common::start(&common::graph_binary(), &args);
    for (name, mail) in [
        ("Ada Lovelace", "ada"),
        ("Grace Hopper", "grace"),
        ("Alan Turing", "alan"),
    ] {
        create_user(&format!("{url}/users"), name, mail, json!({})).await;
    }
    let get = |path: String, eventual: bool| async move {
        let mut request = reqwest::Client::new().get(path).bearer_auth("t");
        if eventual {
            request = request.header("ConsistencyLevel", "eventual");
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    };
    let names = |page: &str| -> Vec<String> {
        let page: serde_json::Value = serde_json::from_str(page).unwrap();
        let mut names: Vec<String> = (page["value"].as_array().unwrap().iter())
            .map(|u| u["displayName"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let search = |query: &str| format!("{url}/users?$search={query}");
    let (status, page) = get(search("\"displayName:a\""), true).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(names(&page), ["Ada Lovelace", "Alan Turing"]);
    let (status, page) = get(
        search("\"displayName:hop\" OR \"userPrincipalName:alan\""),
        true,
    )
    .await;
    assert_eq!(
        (status, names(&page)),
        (
            200,
            vec!["Alan Turing".to_owned(), "Grace Hopper".to_owned()]
        )
    );
    let (status, page) = get(
        format!("{url}/users/$count?$search=\"displayName:a\""),
        true,
    )
    .await;
    assert_eq!((status, page.as_str()), (200, "2"));
    // Without the header, `$search` and `$count` are refused as Graph refuses them.
    let (status, error) = get(search("\"displayName:a\""), false).await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error.contains("Request_UnsupportedQuery") && error.contains("ConsistencyLevel: eventual"),
        "{error}"
    );
    for counted in [
        format!("{url}/users/$count"),
        format!("{url}/users?$count=true"),
    ] {
        let (status, error) = get(counted.clone(), false).await;
        assert_eq!(status, 400, "{counted}: {error}");
        assert!(error.contains("ConsistencyLevel: eventual"), "{error}");
    }
    let (status, page) = get(format!("{url}/users?$count=true"), true).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("\"@odata.count\":3"), "{page}");
    // Where the page documents no `$search`, it is refused naming the option.
    let (status, error) = get(format!("{url}/identityProviders?$search=x"), true).await;
    assert_eq!(status, 400, "{error}");
    assert!(error.contains("'$search'"), "{error}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// What cannot be served is one line naming the flag, exit code 2, and nothing served.
#[test]
fn bad_choices_are_one_line_and_exit_code_2() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../spec");
    let spec = spec.to_str().unwrap();
    for (args, needle) in [
        (vec!["--api", "v2.0"], "--api: `v2.0` is not built in"),
        (
            vec!["--spec", spec, "--spec", spec],
            "two specs of version `beta`",
        ),
        (vec!["--base-path", "/graph"], "--base-path"),
    ] {
        let output = Command::new(common::graph_binary())
            .args(["--port", "0"])
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    let both = Command::new(common::graph_binary())
        .args(["--port", "0", "--api", "beta", "--spec", spec])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2), "--api and --spec conflict");
}
