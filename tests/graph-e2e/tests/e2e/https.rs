//! The mock over HTTPS, as Graph is: the generated client trusts the mock's certificate.

use seed_client::{Client, Error};
use seed_mock::MockServer;
use seed_model::DeviceManagementDomainJoinConnector as Connector;
use serde_json::{Value, json};

#[tokio::test]
async fn the_client_talks_to_the_mock_over_https_when_it_trusts_its_certificate() {
    let server = MockServer::start_https(&seed_mock::API).await;
    assert!(
        server.base_url().starts_with("https://127.0.0.1:"),
        "{}",
        server.base_url()
    );
    let certificate = server
        .certificate_pem()
        .expect("an HTTPS mock has a certificate");
    let client: Client = Client::builder()
        .base_url(server.base_url())
        .token("t")
        .root_certificate(certificate)
        .build()
        .unwrap();
    let connectors = client.device_management().domain_join_connectors();
    let created = connectors
        .create(&Connector {
            display_name: Some("Over TLS".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let page = connectors.list().await.unwrap();
    assert_eq!(page.value[0].id, created.id);
    // Next links name the scheme the request came in on.
    for n in 0..3 {
        connectors
            .create(&Connector {
                display_name: Some(format!("page {n}")),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    let first = connectors.list().top(2).await.unwrap();
    let next = first.next_link.expect("two pages");
    assert!(next.starts_with("https://127.0.0.1:"), "{next}");
    assert_eq!(
        connectors.list().top(2).collect_all().await.unwrap().len(),
        4
    );

    // Without the certificate the connection is refused: the mock is no HTTPS-in-name-only.
    let untrusting = Client::new(server.base_url(), "t").unwrap();
    let error = untrusting
        .device_management()
        .domain_join_connectors()
        .list()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(
        server.received_requests().len(),
        8,
        "the refused call never arrived"
    );
}

#[tokio::test]
async fn a_root_certificate_that_is_not_pem_is_invalid_input() {
    let error = Client::builder()
        .base_url("https://127.0.0.1:1/beta")
        .root_certificate("not a certificate")
        .build()
        .map(|_: Client| ())
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
}

/// Graph's clients speak HTTP/2 over TLS, where a request names its host in `:authority` and has
/// no `Host` header: every link the mock writes must still name the host the client addressed
/// (they said `https://localhost/...` once, so a client following a next link went elsewhere).
#[tokio::test]
async fn over_http2_every_link_names_the_host_the_client_addressed() {
    let server = MockServer::start_https(&seed_mock::API).await;
    let certificate = server.certificate_pem().unwrap().as_bytes();
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(certificate).unwrap())
        .build()
        .unwrap();
    let base = server.base_url();
    let send = |request: reqwest::RequestBuilder| async {
        let response = request.bearer_auth("t").send().await.unwrap();
        assert_eq!(response.version(), reqwest::Version::HTTP_2);
        let location = response.headers().get("location").cloned();
        let body: Value = response.json().await.unwrap();
        (location, body)
    };
    let connectors = format!("{base}/deviceManagement/domainJoinConnectors");
    for n in 0..2 {
        let create = http
            .post(&connectors)
            .json(&json!({"displayName": n.to_string()}));
        let (location, _) = send(create).await;
        let location = location.expect("a created entity's Location");
        assert!(
            location.to_str().unwrap().starts_with(&base),
            "{location:?}"
        );
    }
    let (_, page) = send(http.get(format!("{connectors}?$top=1"))).await;
    for link in ["@odata.context", "@odata.nextLink"] {
        assert!(page[link].as_str().unwrap().starts_with(&base), "{page}");
    }
    let batch = json!({"requests": [
        {"id": "1", "method": "GET", "url": "/deviceManagement/domainJoinConnectors?$top=1"}
    ]});
    let (_, answers) = send(http.post(format!("{base}/$batch")).json(&batch)).await;
    let next = &answers["responses"][0]["body"]["@odata.nextLink"];
    assert!(next.as_str().unwrap().starts_with(&base), "{answers}");
    let (_, openapi) = send(http.get(format!("{base}/$openapi"))).await;
    assert_eq!(openapi["servers"][0]["url"], base.as_str());
}
