//! An app's real sign-in flow against the mock: the client credentials grant at the mock's
//! token endpoint, and the roles of the token it issues enforced with `--auth scopes`.

use graph_e2e::Mock;
use graph_mock_runtime::token::AppRegistration;
use graph_mock_runtime::{AuthMode, Config};
use seed_client::{Client, ClientCredentials, StatusCode};
use seed_model::DeviceManagementDomainJoinConnector as Connector;

async fn mock() -> Mock {
    Mock::with(Config {
        auth: AuthMode::Scopes,
        apps: vec![
            "writer:s3cret:DeviceManagementConfiguration.ReadWrite.All"
                .parse()
                .unwrap(),
            "reader:r3ad:DeviceManagementConfiguration.Read.All"
                .parse()
                .unwrap(),
        ],
        ..Config::default()
    })
    .await
}

fn signed_in(h: &Mock, client_id: &str, secret: &str) -> Client {
    let authority = h.server.uri();
    Client::builder()
        .base_url(h.server.base_url())
        .token_provider(
            ClientCredentials::new("contoso", client_id, secret).authority_host(authority),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_app_signs_in_and_its_roles_decide_what_it_may_do() {
    let h = mock().await;
    let writer = signed_in(&h, "writer", "s3cret");
    let connectors = writer.device_management().domain_join_connectors();
    for n in 0..3 {
        connectors
            .create(&Connector {
                display_name: Some(format!("signed in {n}")),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    // The token is asked for once and reused.
    let token_requests = h
        .server
        .received_requests()
        .iter()
        .filter(|r| r.path == "/contoso/oauth2/v2.0/token")
        .count();
    assert_eq!(token_requests, 1);

    let reader = signed_in(&h, "reader", "r3ad");
    let readable = reader.device_management().domain_join_connectors();
    assert_eq!(readable.list().collect_all().await.unwrap().len(), 3);
    let refused = readable.create(&Connector::default()).await.unwrap_err();
    assert_eq!(refused.status(), Some(StatusCode::FORBIDDEN), "{refused:?}");
}

#[tokio::test]
async fn a_wrong_secret_or_an_unknown_app_is_refused_in_the_identity_platforms_words() {
    let h = mock().await;
    let list_as = |client_id: &str, secret: &str| {
        let client = signed_in(&h, client_id, secret);
        async move {
            client
                .device_management()
                .domain_join_connectors()
                .list()
                .await
                .unwrap_err()
        }
    };
    let error = list_as("writer", "guess").await;
    assert!(
        error
            .graph()
            .is_some_and(|e| e.status == StatusCode::UNAUTHORIZED
                && e.code == "invalid_client"
                && e.message.contains("AADSTS7000215")),
        "{error:?}"
    );
    let error = list_as("nobody", "x").await;
    assert_eq!(
        (error.status(), error.code()),
        (Some(StatusCode::BAD_REQUEST), Some("unauthorized_client"))
    );
    assert!(
        h.server
            .received_requests()
            .iter()
            .all(|r| r.path.ends_with("/oauth2/v2.0/token")),
        "no Graph call went out without a token"
    );
}

#[test]
fn app_registrations_parse_from_the_command_line_form() {
    let app: AppRegistration = "id:secret:A.Read,B.Write".parse().unwrap();
    assert_eq!(app.roles, ["A.Read", "B.Write"]);
    let bare: AppRegistration = "id:secret".parse().unwrap();
    assert!(bare.roles.is_empty());
    assert!("id".parse::<AppRegistration>().is_err());
    assert!(":secret:A".parse::<AppRegistration>().is_err());
}
