//! The runtime of generated Microsoft Graph clients: the transport ([`Transport`]: tokens,
//! retries, timeouts, errors), requests ([`Request`]; [`ListRequest`] with paging, [`GetRequest`]
//! with `$select`, [`DeltaRequest`] with change tracking; all of them `.await`able, with extra headers and query options) and the
//! error type. It never contains generated code: a generated client crate (`graph-client` for
//! this repository's spec) holds the request builders and a `Client` that wraps a [`Transport`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), seed_client::Error> {
//! use seed_client::Client;
//! use seed_client::model::DeviceManagementDomainJoinConnector;
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

mod batch;
mod credentials;
mod delta;
mod error;
mod get;
mod list;
mod request;
mod transport;

pub use batch::{Batch, BatchAnswers, BatchItem, MAX_BATCH_REQUESTS};
/// A download's content, as a download request answers it.
pub use bytes::Bytes;
pub use credentials::{ClientCredentials, DEFAULT_AUTHORITY_HOST};
pub use delta::{DeltaItem, DeltaPage, DeltaRequest, DeltaRound};
pub use error::{DecodeError, Error, GraphError, StatusCode};
pub use get::GetRequest;
pub use list::ListRequest;
pub use request::Request;
pub use transport::{
    ClientBuilder, DEFAULT_BASE_URL, ResponseObserver, RetryPolicy, TokenProvider, Transport,
};

/// What generated request builders call; not meant for hand-written code.
#[doc(hidden)]
pub mod codegen {
    pub use crate::request::{bytes, json, no_content, value, values};
    pub use reqwest::Method;

    /// The body of a `$ref` request: `{"@odata.id": "<url of the entity to link>"}`.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
    pub struct ReferenceLink<'a> {
        /// The URL of the entity.
        #[serde(rename = "@odata.id")]
        pub odata_id: &'a str,
    }

    impl<'a> ReferenceLink<'a> {
        /// A link to the entity at `odata_id`.
        pub fn to(odata_id: &'a str) -> ReferenceLink<'a> {
            ReferenceLink { odata_id }
        }
    }

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

    /// One function argument in OData literal syntax (`'text'` with `''` for a quote when
    /// `quoted`, else bare: numbers, booleans, dates, GUIDs), percent-encoded for a path; `None` when
    /// the argument is not set.
    pub fn odata_literal<T: serde::Serialize>(value: &Option<T>, quoted: bool) -> Option<String> {
        let literal = match serde_json::to_value(value.as_ref()?).ok()? {
            serde_json::Value::Null => return None,
            serde_json::Value::String(text) if quoted => format!("'{}'", text.replace('\'', "''")),
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        let mut out = String::with_capacity(literal.len());
        for byte in literal.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~'!$&*+,;=:@".contains(&byte) {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        Some(out)
    }

    /// `name(a='x',b=2)` from the set arguments.
    pub fn function_call(name: &str, arguments: &[(&str, Option<String>)]) -> String {
        let set: Vec<String> = arguments
            .iter()
            .filter_map(|(n, v)| v.as_ref().map(|v| format!("{n}={v}")))
            .collect();
        format!("{name}({})", set.join(","))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(
            super::codegen::encode_component("a b/c'd$"),
            "a%20b%2Fc%27d$"
        );
        assert_eq!(super::codegen::encode_component("é"), "%C3%A9");
    }

    #[test]
    fn function_calls_use_odata_literals() {
        let args = [
            (
                "category",
                super::codegen::odata_literal(&Some("it's a b"), true),
            ),
            ("n", super::codegen::odata_literal(&Some(3), false)),
            (
                "skipped",
                super::codegen::odata_literal::<String>(&None, true),
            ),
        ];
        assert_eq!(
            super::codegen::function_call("getX", &args),
            "getX(category='it''s%20a%20b',n=3)"
        );
        assert_eq!(super::codegen::function_call("getY", &[]), "getY()");
    }
}
