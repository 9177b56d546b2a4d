//! Delta requests (`GET .../users/delta`): change tracking, round by round.
//!
//! A round reads pages until one carries `@odata.deltaLink` instead of `@odata.nextLink`; the
//! first round gives every item, each later one (started from the previous round's delta link)
//! what was created, changed or deleted since. Keep [`DeltaRound::delta_link`] to resume later,
//! even in another process ([`DeltaRequest::resume`]).

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, snippet};
use crate::request::{self, Request};
use crate::transport::Transport;

/// One item of a delta page.
#[derive(Debug, Clone, PartialEq)]
pub enum DeltaItem<T> {
    /// Created or changed: the item as it is now (with `$select`, only those properties).
    Changed(T),
    /// Removed since the round's start (`"@removed": {"reason": ...}`).
    Removed {
        /// Its id.
        id: String,
        /// Why, as Graph says: `deleted` or `changed` (soft-deleted).
        reason: String,
    },
}

/// One page of a delta round.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaPage<T> {
    /// The items.
    pub items: Vec<DeltaItem<T>>,
    /// The next page of this round, absent on its last page.
    pub next_link: Option<String>,
    /// Where the next round starts: present on the last page only.
    pub delta_link: Option<String>,
}

/// A whole round: every page read.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaRound<T> {
    /// Every item of the round, in order (an item may appear more than once: the last wins).
    pub items: Vec<DeltaItem<T>>,
    /// Where the next round starts.
    pub delta_link: String,
}

/// A delta page as it comes over the wire.
#[derive(Debug, Deserialize)]
struct WirePage {
    value: Vec<Value>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
    #[serde(rename = "@odata.deltaLink", default)]
    delta_link: Option<String>,
}

fn decode_page<T: DeserializeOwned>(wire: WirePage) -> Result<DeltaPage<T>, Error> {
    let items = wire
        .value
        .into_iter()
        .enumerate()
        .map(|(n, item)| match item.get("@removed") {
            Some(removed) => Ok(DeltaItem::Removed {
                id: item
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                reason: removed
                    .get("reason")
                    .and_then(Value::as_str)
                    .unwrap_or("deleted")
                    .to_owned(),
            }),
            None => {
                let text = item.to_string();
                graph_odata::from_json(text.as_bytes())
                    .map(DeltaItem::Changed)
                    .map_err(|e| {
                        Error::decode(
                            std::any::type_name::<T>(),
                            format!("value[{n}]: {e}"),
                            snippet(text.as_bytes()),
                        )
                    })
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(DeltaPage {
        items,
        next_link: wire.next_link,
        delta_link: wire.delta_link,
    })
}

/// A delta request under construction: `.await` gives the first page, [`DeltaRequest::round`]
/// the whole round.
#[derive(Debug, Clone)]
pub struct DeltaRequest<T> {
    /// The request for the round's first page; later pages follow the links with its headers.
    first: Request<WirePage>,
    /// Where to start instead of the function's own URL: a saved delta link.
    start: Option<String>,
    items: std::marker::PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned + Send + 'static> DeltaRequest<T> {
    /// A request for the delta function at `path` (relative to the base URL).
    #[doc(hidden)]
    pub fn new(transport: Transport, path: String) -> DeltaRequest<T> {
        DeltaRequest {
            first: Request::new(transport, Method::GET, path, None::<&()>, request::json),
            start: None,
            items: std::marker::PhantomData,
        }
    }

    /// Starts from a delta link a previous round gave (its query options are in the link).
    pub fn resume(mut self, delta_link: impl Into<String>) -> Self {
        self.start = Some(delta_link.into());
        self
    }

    /// `$select`: only these properties (and `id`); give it on the first round only, the links
    /// carry it.
    pub fn select(self, properties: &[&str]) -> Self {
        self.query("$select", properties.join(","))
    }

    /// `$filter`; give it on the first round only, the links carry it.
    pub fn filter(self, expression: &str) -> Self {
        self.query("$filter", expression.to_owned())
    }

    /// Sets another query option the service allows on this delta function.
    pub fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.first = self.first.query(name, value);
        self
    }

    /// Adds a request header, sent with every page.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.first = self.first.header(name, value);
        self
    }

    /// At most this many items per page (`Prefer: odata.maxpagesize=N`, Graph's way for delta).
    pub fn max_page_size(self, n: usize) -> Self {
        self.header("Prefer", &format!("odata.maxpagesize={n}"))
    }

    /// The first page of the round.
    pub async fn send(&self) -> Result<DeltaPage<T>, Error> {
        match &self.start {
            Some(link) => self.page_at(link).await,
            None => decode_page(self.first.clone().send().await?),
        }
    }

    /// GETs the absolute URL of a page, with this request's headers.
    async fn page_at(&self, url: &str) -> Result<DeltaPage<T>, Error> {
        decode_page(self.first.follow(url).await?)
    }

    /// The whole round: every page, until the one with the delta link.
    pub async fn round(&self) -> Result<DeltaRound<T>, Error> {
        let mut page = self.send().await?;
        let mut items = Vec::new();
        loop {
            items.append(&mut page.items);
            match (page.next_link.take(), page.delta_link.take()) {
                (_, Some(delta_link)) => return Ok(DeltaRound { items, delta_link }),
                (Some(next), None) => page = self.page_at(&next).await?,
                (None, None) => {
                    return Err(Error::decode(
                        "a delta page",
                        "it has neither @odata.nextLink nor @odata.deltaLink".to_owned(),
                        String::new(),
                    ));
                }
            }
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> IntoFuture for DeltaRequest<T> {
    type Output = Result<DeltaPage<T>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    /// The first page, as [`DeltaRequest::send`].
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.send().await })
    }
}
