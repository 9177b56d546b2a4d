//! Get requests: `.get().await`, or `.get().select(&[...]).await`.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::transport::Transport;

/// A get request under construction; await it to send it.
#[derive(Debug, Clone)]
pub struct GetRequest<T> {
    client: Transport,
    path: String,
    query: Vec<(String, String)>,
    item: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + Send + 'static> GetRequest<T> {
    /// A request for the entity at `path`.
    pub fn new(client: Transport, path: String) -> GetRequest<T> {
        GetRequest {
            client,
            path,
            query: Vec::new(),
            item: PhantomData,
        }
    }

    /// `$select`: only these properties.
    pub fn select(mut self, properties: &[&str]) -> Self {
        self.query.retain(|(n, _)| n != "$select");
        self.query
            .push(("$select".to_owned(), properties.join(",")));
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<T, Error> {
        self.client
            .call::<(), _>(Method::GET, &self.path, &self.query, None)
            .await
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for GetRequest<T> {
    type Output = Result<T, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
