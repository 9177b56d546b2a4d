//! List requests: typed query options, one page, every page as a `Stream`, or all items.

use std::collections::VecDeque;
use std::marker::PhantomData;

use futures::Stream;
use graph_odata::CollectionPage;
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::transport::Transport;

/// A list request under construction.
#[derive(Debug, Clone)]
pub struct ListRequest<T> {
    client: Transport,
    path: String,
    query: Vec<(String, String)>,
    item: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + Send + 'static> ListRequest<T> {
    /// A request for the collection at `path` (relative to the base URL).
    pub fn new(client: Transport, path: String) -> ListRequest<T> {
        ListRequest {
            client,
            path,
            query: Vec::new(),
            item: PhantomData,
        }
    }

    fn option(mut self, name: &str, value: String) -> Self {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.to_owned(), value));
        self
    }

    /// `$top`: at most this many items in all.
    pub fn top(self, n: usize) -> Self {
        self.option("$top", n.to_string())
    }

    /// `$skip`: skip this many items first.
    pub fn skip(self, n: usize) -> Self {
        self.option("$skip", n.to_string())
    }

    /// `$filter`, e.g. `state eq 'active'`.
    pub fn filter(self, expression: &str) -> Self {
        self.option("$filter", expression.to_owned())
    }

    /// `$orderby`, e.g. `displayName desc`.
    pub fn orderby(self, expression: &str) -> Self {
        self.option("$orderby", expression.to_owned())
    }

    /// `$select`: only these properties.
    pub fn select(self, properties: &[&str]) -> Self {
        self.option("$select", properties.join(","))
    }

    /// `$count`: include `@odata.count`.
    pub fn count(self, count: bool) -> Self {
        self.option("$count", count.to_string())
    }

    /// The first page.
    pub async fn send(&self) -> Result<CollectionPage<T>, Error> {
        self.client
            .call::<(), _>(Method::GET, &self.path, &self.query, None)
            .await
    }

    /// The page after `page`, or `None` on the last page.
    pub async fn next_page(
        &self,
        page: &CollectionPage<T>,
    ) -> Option<Result<CollectionPage<T>, Error>> {
        let next = page.next_link.as_deref()?;
        Some(self.client.get_absolute(next).await)
    }

    /// Every item, following `@odata.nextLink` until it is absent.
    pub fn stream(self) -> impl Stream<Item = Result<T, Error>> + Send {
        enum Next {
            First,
            Link(String),
            Done,
        }
        let state = (self, Next::First, VecDeque::<T>::new());
        futures::stream::unfold(state, |(request, mut next, mut buffer)| async move {
            loop {
                if let Some(item) = buffer.pop_front() {
                    return Some((Ok(item), (request, next, buffer)));
                }
                let page = match std::mem::replace(&mut next, Next::Done) {
                    Next::Done => return None,
                    Next::First => request.send().await,
                    Next::Link(url) => request.client.get_absolute::<CollectionPage<T>>(&url).await,
                };
                match page {
                    Ok(page) => {
                        next = page.next_link.map_or(Next::Done, Next::Link);
                        buffer.extend(page.value);
                    }
                    Err(error) => return Some((Err(error), (request, Next::Done, buffer))),
                }
            }
        })
    }

    /// Every item, collected.
    pub async fn collect_all(self) -> Result<Vec<T>, Error> {
        use futures::TryStreamExt;
        self.stream().try_collect().await
    }
}
