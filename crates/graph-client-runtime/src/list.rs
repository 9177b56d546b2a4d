//! List requests: typed query options, one page, every page as a `Stream`, or all items.

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use futures::Stream;
use graph_odata::CollectionPage;
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::request::{self, Request};
use crate::transport::Transport;

/// A list request under construction: `.await` gives the first page, [`ListRequest::stream`]
/// and [`ListRequest::collect_all`] every item.
#[derive(Debug, Clone)]
pub struct ListRequest<T> {
    /// The request for the first page; later pages follow `@odata.nextLink` with its headers.
    first: Request<CollectionPage<T>>,
}

impl<T: DeserializeOwned + Send + 'static> ListRequest<T> {
    /// A request for the collection at `path` (relative to the base URL).
    #[doc(hidden)]
    pub fn new(transport: Transport, path: String) -> ListRequest<T> {
        ListRequest {
            first: Request::new(transport, Method::GET, path, None::<&()>, request::json),
        }
    }

    fn option(self, name: &str, value: String) -> Self {
        self.query(name, value)
    }

    /// Sets another query option the service allows on a list.
    pub fn query(self, name: &str, value: impl Into<String>) -> Self {
        ListRequest {
            first: self.first.query(name, value),
        }
    }

    /// `$expand`: navigation properties to embed, e.g. `&["assignments($select=id)"]`.
    pub fn expand(self, properties: &[&str]) -> Self {
        self.query("$expand", properties.join(","))
    }

    /// Adds a request header, sent with every page (e.g. `ConsistencyLevel: eventual`).
    pub fn header(self, name: &str, value: &str) -> Self {
        ListRequest {
            first: self.first.header(name, value),
        }
    }

    /// `$top`: the page size (Graph's paging; [`ListRequest::stream`] still reads every page).
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

    /// `$count`: include `@odata.count`. Directory objects (users, groups, ...) also need
    /// [`ListRequest::eventual`].
    pub fn count(self, count: bool) -> Self {
        self.option("$count", count.to_string())
    }

    /// `$search`, on the lists whose pages document it: `"displayName:ada"` (with its quotes,
    /// as Graph wants them), free `"text"`, terms joined by `AND` and `OR`. Directory objects
    /// (users, groups, ...) also need [`ListRequest::eventual`].
    pub fn search(self, expression: &str) -> Self {
        self.option("$search", expression.to_owned())
    }

    /// `ConsistencyLevel: eventual`, which the directory's advanced queries need: `$search` and
    /// `$count` on users, groups and the other directory objects.
    pub fn eventual(self) -> Self {
        self.header("ConsistencyLevel", "eventual")
    }

    /// The first page.
    pub async fn send(&self) -> Result<CollectionPage<T>, Error> {
        self.first.clone().send().await
    }

    /// GETs the absolute URL of a next page, with this request's headers.
    async fn page_at(&self, url: &str) -> Result<CollectionPage<T>, Error> {
        self.first.follow(url).await
    }

    /// The page after `page`, or `None` on the last page.
    pub async fn next_page(
        &self,
        page: &CollectionPage<T>,
    ) -> Option<Result<CollectionPage<T>, Error>> {
        let next = page.next_link.as_deref()?;
        Some(self.page_at(next).await)
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
                    Next::Link(url) => request.page_at(&url).await,
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

/// A list request in a batch asks for its first page.
impl<T> From<ListRequest<T>> for Request<CollectionPage<T>> {
    fn from(list: ListRequest<T>) -> Request<CollectionPage<T>> {
        list.first
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for ListRequest<T> {
    type Output = Result<CollectionPage<T>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    /// The first page, as [`ListRequest::send`].
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.send().await })
    }
}
