//! Get requests: `.get().await`, or `.get().select(&[...]).await`.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::request::{self, Request};
use crate::transport::Transport;

/// A get request under construction; await it to send it.
#[derive(Debug, Clone)]
pub struct GetRequest<T> {
    request: Request<T>,
}

impl<T: DeserializeOwned + Send + 'static> GetRequest<T> {
    /// A request for the entity (or complex value) at `path`, answered as itself.
    #[doc(hidden)]
    pub fn new(transport: Transport, path: String) -> GetRequest<T> {
        GetRequest {
            request: Request::new(transport, Method::GET, path, None::<&()>, request::json),
        }
    }

    /// A request for the primitive (or collection) value of a property at `path`, answered as
    /// `{"value": ...}`, as OData answers one.
    #[doc(hidden)]
    pub fn value(transport: Transport, path: String) -> GetRequest<T> {
        GetRequest {
            request: Request::new(transport, Method::GET, path, None::<&()>, request::value),
        }
    }

    /// `$select`: only these properties.
    pub fn select(self, properties: &[&str]) -> Self {
        self.query("$select", properties.join(","))
    }

    /// Sets another query option the service allows on a get (`$expand`, say).
    pub fn query(self, name: &str, value: impl Into<String>) -> Self {
        GetRequest {
            request: self.request.query(name, value),
        }
    }

    /// `$expand`: navigation properties to embed, e.g. `&["assignments($select=id)"]`.
    pub fn expand(self, properties: &[&str]) -> Self {
        self.query("$expand", properties.join(","))
    }

    /// Adds a request header.
    pub fn header(self, name: &str, value: &str) -> Self {
        GetRequest {
            request: self.request.header(name, value),
        }
    }

    /// Sends the request.
    pub async fn send(self) -> Result<T, Error> {
        self.request.send().await
    }
}

impl<T> From<GetRequest<T>> for Request<T> {
    fn from(get: GetRequest<T>) -> Request<T> {
        get.request
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for GetRequest<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
