//! A typed Microsoft Graph client, generated from `spec/api.json`.
//!
//! Calls follow the shape of the URL, like the Kiota-generated Graph SDKs:
//!
//! ```no_run
//! # async fn demo() -> Result<(), graph_client::Error> {
//! use graph_client::Client;
//! use graph_client::model::DeviceManagementDomainJoinConnector;
//!
//! let client = Client::new("http://127.0.0.1:8080/beta", "token")?;
//! let connectors = client.device_management().domain_join_connectors();
//! let created = connectors.create(&DeviceManagementDomainJoinConnector {
//!     display_name: Some("Connector A".into()),
//!     ..Default::default()
//! }).await?;
//! let page = connectors.list().top(10).filter("state eq 'active'").send().await?;
//! let one = connectors.by_id(created.id.as_deref().unwrap_or_default()).get().await?;
//! # let _ = (page, one);
//! # Ok(()) }
//! ```
//!
//! The request builders under `generated/` come from `cargo xtask codegen`; the transport
//! ([`Client`]: tokens, retries, timeouts, errors), [`ListRequest`] (paging) and [`GetRequest`]
//! are hand-written. The types are those of `graph-model`, re-exported as [`model`], so the client
//! and the mock server can never disagree about them.

mod error;
mod get;
mod list;
mod transport;

#[rustfmt::skip]
mod generated;

pub use error::Error;
pub use generated::*;
pub use get::GetRequest;
pub use list::ListRequest;
pub use transport::{
    Client, ClientBuilder, DEFAULT_BASE_URL, ResponseObserver, RetryPolicy, TokenProvider,
};

/// The shared model types.
pub use graph_model as model;

/// Percent-encodes a path segment or query component (everything but unreserved characters and `$`).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'$') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(super::encode_component("a b/c'd$"), "a%20b%2Fc%27d$");
        assert_eq!(super::encode_component("é"), "%C3%A9");
    }
}
