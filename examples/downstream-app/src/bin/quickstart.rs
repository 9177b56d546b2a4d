//! Creates, lists, updates and deletes a user against a running mock (or any Graph endpoint),
//! with the client generated for the part of v1.0 the app calls.
//!
//! ```sh
//! cargo run -p graph-mock &                                     # all of Graph, on 127.0.0.1:8080
//! cargo run --manifest-path examples/downstream-app/Cargo.toml --bin quickstart   # or: -- URL
//! ```
//!
//! The base URL is the first argument, else `GRAPH_BASE_URL`, else `http://127.0.0.1:8080/v1.0`.

use graph_client::Client;
use graph_client::model::{Patch, User, UserUpdate};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("GRAPH_BASE_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:8080/v1.0".to_owned());
    let client = Client::new(&base_url, "quickstart-token")?;
    let users = client.users();

    let created = users
        .create(&User {
            account_enabled: Some(true),
            display_name: Some("Quickstart user".into()),
            mail_nickname: Some("quickstart".into()),
            user_principal_name: Some("quickstart@contoso.com".into()),
            ..Default::default()
        })
        .await?;
    let id = created.id.clone().unwrap_or_default();
    println!("created {id}: {:?}", created.display_name);

    let page = users
        .list()
        .filter("startswith(displayName, 'Quickstart')")
        .top(10)
        .send()
        .await?;
    println!("listed {} quickstart user(s)", page.value.len());

    let update = UserUpdate {
        job_title: Patch::Set("Tester".into()),
        ..Default::default()
    };
    users.by_id(&id).update(&update).await?;
    let read = users.by_id(&id).get().await?;
    println!("updated: job title {:?}", read.job_title);

    users.by_id(&id).delete().await?;
    println!("deleted {id}");
    Ok(())
}
