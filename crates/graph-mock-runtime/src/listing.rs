//! The query engine over any [`Store`]: one page of a collection, with `$filter`, `$orderby`,
//! `$skip`, `$top` and skip tokens, implemented once for both backends.

use serde_json::{Map, Value};

use crate::filter::{self, Expr};
use crate::query::{OrderBy, SkipToken};
use crate::store::{Entity, Store, StoreError};

/// What one list request asks for.
#[derive(Debug, Clone, Copy)]
pub struct ListRequest<'a> {
    /// `$filter`.
    pub filter: Option<&'a Expr>,
    /// `$orderby`.
    pub order_by: &'a [OrderBy],
    /// `$skip`.
    pub skip: usize,
    /// Where the previous page ended.
    pub token: Option<SkipToken>,
    /// The page size: `$top` where given (Graph's paging: `$top` sizes each page, and
    /// `@odata.nextLink` continues until every item has been read), else the server's.
    pub page_size: usize,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct ListPage {
    /// The items.
    pub items: Vec<Entity>,
    /// How many items match in all (for `$count`).
    pub total: usize,
    /// Where the next page starts, if there is one.
    pub next: Option<SkipToken>,
}

/// How many entities a whole-collection scan visits per [`Store::scan`] call: the backend's lock
/// is held for one chunk at a time, so a `$filter` over a million entities never stalls writers
/// for the whole scan (an entity written meanwhile is seen or not, depending on where it lands).
pub(crate) const SCAN_CHUNK: usize = 4096;

impl dyn Store + '_ {
    /// Visits every entity of a collection in order, [`SCAN_CHUNK`] at a time.
    fn scan_in_chunks(
        &self,
        collection: &str,
        visit: &mut dyn FnMut(u64, &Entity),
    ) -> Result<(), StoreError> {
        let mut after = None;
        loop {
            let mut seen = 0;
            self.scan(collection, after, &mut |seq, entity| {
                visit(seq, entity);
                after = Some(seq);
                seen += 1;
                seen < SCAN_CHUNK
            })?;
            if seen < SCAN_CHUNK {
                return Ok(());
            }
        }
    }

    /// One page of a collection. Without `$filter` and `$orderby` it reads only the page (and
    /// one item more, to know whether there is a next page); otherwise it scans once.
    pub fn list(&self, collection: &str, request: ListRequest<'_>) -> Result<ListPage, StoreError> {
        let returned = request.token.map_or(0, |t| t.returned);
        let page_len = request.page_size;
        let mut window: Vec<(u64, Entity)> = Vec::new();
        let total;
        if request.filter.is_none() && request.order_by.is_empty() {
            let mut to_skip = if request.token.is_some() {
                0
            } else {
                request.skip
            };
            self.scan(
                collection,
                request.token.map(|t| t.last_seq),
                &mut |seq, entity| {
                    if to_skip > 0 {
                        to_skip -= 1;
                        return true;
                    }
                    window.push((seq, entity.clone()));
                    window.len() <= page_len
                },
            )?;
            total = self.len(collection)?;
        } else {
            // Filtering and ordering need some properties: each entity is parsed once, and only
            // the properties they name are built.
            let mut needed: Vec<&str> = request
                .order_by
                .iter()
                .filter_map(|key| key.path.first().map(String::as_str))
                .collect();
            if let Some(filter) = request.filter {
                filter.top_level_properties(&mut needed);
            }
            let whole = request.filter.is_some_and(Expr::reads_every_property);
            let mut matching: Vec<(u64, Entity, Map<String, Value>)> = Vec::new();
            self.scan_in_chunks(collection, &mut |seq, entity| {
                let parsed = match whole {
                    true => entity.to_map(),
                    false => entity.to_partial_map(&needed),
                };
                if request.filter.is_none_or(|f| filter::matches(f, &parsed)) {
                    matching.push((seq, entity.clone(), parsed));
                }
            })?;
            if !request.order_by.is_empty() {
                matching.sort_by(|(_, _, a), (_, _, b)| {
                    request
                        .order_by
                        .iter()
                        .map(|key| {
                            let ordering = filter::compare_values(
                                filter::sort_key(a, &key.path),
                                filter::sort_key(b, &key.path),
                            );
                            if key.descending {
                                ordering.reverse()
                            } else {
                                ordering
                            }
                        })
                        .find(|o| o.is_ne())
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
            }
            total = matching.len();
            window = matching
                .into_iter()
                .skip(request.skip + returned)
                .take(page_len + 1)
                .map(|(seq, entity, _)| (seq, entity))
                .collect();
        }
        let has_more = window.len() > page_len;
        window.truncate(page_len);
        let next = match (has_more, window.last()) {
            (true, Some((seq, _))) => Some(SkipToken {
                returned: returned + window.len(),
                last_seq: *seq,
            }),
            _ => None,
        };
        Ok(ListPage {
            items: window.into_iter().map(|(_, e)| e).collect(),
            total,
            next,
        })
    }
}
