//! A downstream app: it starts Graph in a box in-process (all of v1.0), then drives its users
//! with the client generated for the part of v1.0 it calls (create, list with paging,
//! `$search`, a read by user principal name, update, delete) and checks every answer. It exits non-zero, naming the step, when one is wrong.

use graph_client::model::{PasswordProfile, User, UserUpdate};
use graph_client::{Client, StatusCode};
use graph_mock::{Config, MockServer};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Fails with `step` unless `ok`.
fn check(ok: bool, step: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("wrong result: {step}").into())
    }
}

/// A user to create, named `name`.
fn new_user(name: &str) -> User {
    User {
        account_enabled: Some(true),
        display_name: Some(name.to_owned()),
        mail_nickname: Some(name.to_lowercase().replace(' ', "")),
        user_principal_name: Some(format!("{}@contoso.com", name.replace(' ', "."))),
        password_profile: Some(PasswordProfile {
            password: Some("xWwvJ]6NMw+bWH-d".to_owned()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    // Pages of two, so listing five users takes three pages.
    let config = Config {
        page_size: 2,
        ..Config::default()
    };
    let server = MockServer::try_start(&graph_mock::V1_0, config).await?;
    check(server.base_url().ends_with("/v1.0"), "the mock serves v1.0")?;
    let client = Client::new(server.base_url(), "any-token")?;
    let users = client.users();

    let mut ids = Vec::new();
    for n in 0..5 {
        let name = format!("User {n}");
        let created = users.create(&new_user(&name)).await?;
        check(
            created.display_name.as_deref() == Some(name.as_str()),
            "create echoes the name",
        )?;
        ids.push(created.id.ok_or("create returns an id")?);
    }

    let first = users.list().send().await?;
    check(
        first.value.len() == 2 && first.next_link.is_some(),
        "the first page holds two and links on",
    )?;
    let all = users.list().collect_all().await?;
    let listed: Vec<_> = all.iter().filter_map(|u| u.id.clone()).collect();
    check(listed == ids, "paging visits every user once, in order")?;

    // `$search` with the header directory objects need, and a user read by its principal name.
    let found = (users.list())
        .search("\"displayName:user 3\"")
        .eventual()
        .count(true)
        .send()
        .await?;
    check(
        found.count == Some(1) && found.value[0].id.as_ref() == Some(&ids[3]),
        "$search finds the one user named so",
    )?;
    let by_name = users.by_id("User.3@contoso.com").get().await?;
    check(
        by_name.id.as_ref() == Some(&ids[3]),
        "a user is read by its user principal name",
    )?;

    let update = UserUpdate {
        job_title: graph_client::model::Patch::Set("Buyer".into()),
        ..Default::default()
    };
    users.by_id(&ids[0]).update(&update).await?;
    let updated = users.by_id(&ids[0]).get().await?;
    check(
        updated.job_title.as_deref() == Some("Buyer"),
        "update sets the job title",
    )?;
    check(
        updated.display_name.as_deref() == Some("User 0"),
        "update keeps what it did not name",
    )?;

    users.by_id(&ids[0]).delete().await?;
    match users.by_id(&ids[0]).get().await {
        Err(error) => check(
            error.status() == Some(StatusCode::NOT_FOUND),
            "a deleted user is a 404",
        )?,
        Ok(_) => check(false, "a deleted user is gone")?,
    }
    check(
        users.list().collect_all().await?.len() == 4,
        "four users remain",
    )?;

    println!(
        "downstream-app: create, list with paging, search, read by name, update and delete all behaved"
    );
    Ok(())
}
