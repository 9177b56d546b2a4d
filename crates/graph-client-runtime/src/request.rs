//! One request of a generated client: every builder method returns one, and `.await` sends it.
//!
//! Before it is sent, a request can take extra headers (`ConsistencyLevel: eventual`, say) and
//! query options. What its answer decodes into is fixed by the operation: a typed body, the
//! `value` of a `{"value": ...}` answer (actions and functions returning collections or
//! primitives), or nothing.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use bytes::Bytes;
use graph_odata::CollectionPage;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, snippet};
use crate::transport::Transport;

/// How a successful answer's body becomes the request's result.
pub type Decoder<T> = fn(&[u8]) -> Result<T, Error>;

/// A request under construction; `.await` (or [`Request::send`]) sends it.
pub struct Request<T> {
    pub(crate) transport: Transport,
    pub(crate) method: Method,
    path: String,
    query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    /// Why the body could not be encoded or a header could not be set: reported when the
    /// request is sent, so that building never fails.
    pub(crate) invalid: Option<String>,
    pub(crate) decode: Decoder<T>,
}

// By hand: derived impls would ask `T` to be `Clone` and `Debug`, which only `decode` mentions.
impl<T> Clone for Request<T> {
    fn clone(&self) -> Self {
        Request {
            transport: self.transport.clone(),
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
            invalid: self.invalid.clone(),
            decode: self.decode,
        }
    }
}

impl<T> std::fmt::Debug for Request<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl<T> Request<T> {
    /// A request for `path` (relative to the base URL); generated builders make these.
    #[doc(hidden)]
    pub fn new<B: Serialize + ?Sized>(
        transport: Transport,
        method: Method,
        path: String,
        body: Option<&B>,
        decode: Decoder<T>,
    ) -> Request<T> {
        let (body, invalid) = match body.map(serde_json::to_vec).transpose() {
            Ok(body) => (body.map(Bytes::from), None),
            Err(e) => (None, Some(format!("cannot encode the request body: {e}"))),
        };
        Request {
            transport,
            method,
            path,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body,
            invalid,
            decode,
        }
    }

    /// Adds a request header, e.g. `.header("ConsistencyLevel", "eventual")`. A name or value
    /// that HTTP cannot carry is reported as [`Error::InvalidInput`] when the request is sent.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            _ => {
                let problem = format!("`{name}: {value}` is not a valid HTTP header");
                self.invalid.get_or_insert(problem);
            }
        }
        self
    }

    /// Sets a query option, e.g. `.query("$select", "id,displayName")`, replacing an earlier
    /// value of the same option.
    pub fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.to_owned(), value.into()));
        self
    }

    /// The path and query relative to the base URL, as a batch names the request.
    pub(crate) fn relative_url(&self) -> String {
        let mut url = self.path.clone();
        crate::transport::push_query(&mut url, &self.query);
        url
    }

    /// Sends the request.
    pub async fn send(self) -> Result<T, Error> {
        if let Some(problem) = self.invalid {
            return Err(Error::InvalidInput(problem));
        }
        let url = self.transport.url(&self.path, &self.query);
        let success = self
            .transport
            .execute(self.method, &url, self.body, &self.headers)
            .await?;
        (self.decode)(&success.body)
    }
}

impl<T> Request<T> {
    /// GETs an absolute URL the service gave (a next page, a delta link) with this request's
    /// headers, decoding the answer as this request would.
    pub(crate) async fn follow(&self, url: &str) -> Result<T, Error> {
        if let Some(problem) = &self.invalid {
            return Err(Error::InvalidInput(problem.clone()));
        }
        let success = self
            .transport
            .execute(Method::GET, url, None, &self.headers)
            .await?;
        (self.decode)(&success.body)
    }
}

impl<T: Send + 'static> IntoFuture for Request<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Decodes a JSON body into `T`; an empty body decodes as `null`.
pub fn json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let body = if body.is_empty() {
        b"null".as_slice()
    } else {
        body
    };
    graph_odata::from_json(body)
        .map_err(|e| Error::decode(std::any::type_name::<T>(), e.to_string(), snippet(body)))
}

/// Decodes `{"value": ...}` into the value.
pub fn value<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    #[derive(serde::Deserialize)]
    struct ValueOf<T> {
        value: T,
    }
    json::<ValueOf<T>>(body).map(|wrapped| wrapped.value)
}

/// Decodes `{"value": [...]}` into its items, read as a [`CollectionPage`]: the decoding a
/// generated model compiles for each type it lists, which the client then shares.
pub fn values<T: DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, Error> {
    json::<CollectionPage<T>>(body).map(|page| page.value)
}

/// The body as it came: a download's content (the client follows the `302 Found` to the file).
pub fn bytes(body: &[u8]) -> Result<Bytes, Error> {
    Ok(Bytes::copy_from_slice(body))
}

/// Ignores the body: the operation answers with none.
pub fn no_content(_body: &[u8]) -> Result<(), Error> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Item {
        name: String,
    }

    #[test]
    fn values_reads_the_items_of_a_value_array_and_ignores_the_annotations() {
        let body = br#"{"@odata.context": "x", "value": [{"name": "a"}, {"name": "b"}]}"#;
        let items: Vec<Item> = values(body).unwrap();
        let names: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn values_names_the_item_that_does_not_decode() {
        let body = br#"{"value": [{"name": "a"}, {"name": 7}]}"#;
        match values::<Item>(body) {
            Err(Error::Decode(error)) => {
                assert!(error.reason.contains("value[1].name"), "{}", error.reason)
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        assert!(matches!(values::<Item>(b"{}"), Err(Error::Decode(_))));
    }
}
