//! Delta queries: `GET <collection>/delta`, for the collections whose docs describe a `delta`
//! function, answered the way Graph's change tracking does.
//!
//! - The first call (no token) starts a round: every current item, paged with
//!   `@odata.nextLink`; the last page carries `@odata.deltaLink`.
//! - A call with that link's `$deltatoken` answers what was created, changed or deleted since
//!   (a deleted item as `{"id": ..., "@removed": {"reason": "deleted"}}`), paged the same way,
//!   and ends with a new `@odata.deltaLink`.
//! - Page size: `Prefer: odata.maxpagesize=N` (answered with `Preference-Applied`), else the
//!   server's. `$select` and `$filter` given on the first call are carried in the links.
//!
//! The tokens carry the round's versions from the record of changes ([`Changes`](crate::store::Changes)),
//! signed for the caller's tenant ([`Tenant::sign`](crate::tenant::Tenant::sign)): a token that
//! was altered, or is another tenant's, is a 400; one from before the tenant was reset or the
//! mock restarted, or older than the changes kept, is Graph's `410 Gone` with a `Location` to
//! start over.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use crate::error::ApiError;
use crate::filter;
use crate::handlers::{Context, Withheld, json_response, state_link, write_entity};
use crate::json::push_string;
use crate::listing::ListRequest;
use crate::query::{QueryOptions, SkipToken};
use crate::store::{Entity, Unknown};

/// Where a delta round stands: what `$skiptoken` (within a round) and `$deltatoken` (the next
/// round) carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DeltaToken {
    /// The change log's epoch it was issued in.
    epoch: u64,
    /// The version changes are counted from; `None` in the initial round (every item).
    since: Option<u64>,
    /// Within a round: the version it answers up to, and where its last page ended.
    page: Option<(u64, SkipToken)>,
}

impl DeltaToken {
    fn encode(&self) -> String {
        let number = |n: Option<u64>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
        format!(
            "{:x}.{}.{}.{}.{}",
            self.epoch,
            number(self.since),
            number(self.page.map(|(round, _)| round)),
            number(self.page.map(|(_, at)| at.returned as u64)),
            number(self.page.map(|(_, at)| at.last_seq)),
        )
    }

    /// The token `encode` wrote (its tenant's signature checked by the caller).
    fn decode(fields: &str) -> Option<DeltaToken> {
        let parts: Vec<&str> = fields.split('.').collect();
        let [epoch, since, round, returned, last_seq] = parts[..] else {
            return None;
        };
        let number = |text: &str| match text {
            "-" => Some(None),
            n => n.parse::<u64>().ok().map(Some),
        };
        let page = match (number(round)?, number(returned)?, number(last_seq)?) {
            (Some(round), Some(returned), Some(last_seq)) => Some((
                round,
                SkipToken {
                    returned: usize::try_from(returned).ok()?,
                    last_seq,
                },
            )),
            (None, None, None) => None,
            _ => return None,
        };
        Some(DeltaToken {
            epoch: u64::from_str_radix(epoch, 16).ok()?,
            since: number(since)?,
            page,
        })
    }
}

/// The page size a `Prefer: odata.maxpagesize=N` header asks for.
fn preferred_page_size(headers: &HeaderMap) -> Option<usize> {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|preference| {
            let (name, value) = preference.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("odata.maxpagesize")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
                .filter(|n| *n > 0)
        })
}

impl Context<'_> {
    /// Serves a delta function: see the module docs.
    pub(crate) fn delta(
        &self,
        options: &QueryOptions,
        raw_query: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<Response, ApiError> {
        self.parent_exists()?;
        // The collection the function is bound to: where the items are, and the context.
        let target = Context {
            resource: self.resource.function_target(),
            base_url: self.base_url.clone(),
            ..*self
        };
        let collection = target.resource.collection.as_str();
        // The change log is of the shared store: the tenant's collection is named as it is kept.
        let logged = self.state.tenant.collection(collection);
        let log = &self.state.changes;
        let token = match &options.delta_token {
            None => None,
            Some(text) => Some(
                (self.state.tenant.verify(self.state.token_key, text))
                    .and_then(DeltaToken::decode)
                    .ok_or_else(|| {
                        ApiError::bad_request(format!("The delta token '{text}' is not valid."))
                    })?,
            ),
        };
        let epoch = log.epoch();
        if token.is_some_and(|t| t.epoch != epoch) {
            return Err(self.resync_required(raw_query));
        }
        // A round's end is read before its items, so that whatever is written meanwhile is
        // in the next round (perhaps in this one too: Graph allows an item twice).
        let (since, (round, position)) = match token {
            Some(DeltaToken {
                since,
                page: Some(page),
                ..
            }) => (since, (page.0, Some(page.1))),
            Some(DeltaToken { since, .. }) => (since, (log.track(&logged)?, None)),
            None => (None, (log.track(&logged)?, None)),
        };
        let preferred = preferred_page_size(headers);
        let page_size = preferred
            .unwrap_or(self.state.config.page_size)
            .min(self.state.config.max_page_size);
        // `id` is always returned, selected or not.
        let selected = options.select.as_ref().map(|fields| {
            let mut fields = fields.clone();
            if !fields.iter().any(|f| f == "id") {
                fields.insert(0, "id".to_owned());
            }
            fields
        });
        let fields = selected.as_deref();
        let mut values = String::new();
        let next = match since {
            None => {
                let page = self.state.store.list(
                    collection,
                    ListRequest {
                        filter: options.filter.as_ref(),
                        order_by: &[],
                        skip: 0,
                        token: position,
                        page_size,
                    },
                )?;
                for item in &page.items {
                    push_item(
                        &mut values,
                        Item::Current(item),
                        fields,
                        self.withheld(item, true),
                    );
                }
                page.next
            }
            Some(since) => {
                let changed = (log.changed(&logged, since, round)).map_err(|e| match e {
                    Unknown::Expired => self.resync_required(raw_query),
                    Unknown::Store(e) => e.into(),
                })?;
                let start = position.map_or(0, |p| p.returned).min(changed.len());
                let end = (start + page_size).min(changed.len());
                for id in &changed[start..end] {
                    match self.state.store.get(collection, id)? {
                        Some(entity) if self.matches(options, &entity) => push_item(
                            &mut values,
                            Item::Current(&entity),
                            fields,
                            self.withheld(&entity, true),
                        ),
                        Some(_) => {}
                        None => {
                            push_item(&mut values, Item::Removed(id), fields, Withheld::default())
                        }
                    }
                }
                (end < changed.len()).then_some(SkipToken {
                    returned: end,
                    last_seq: 0,
                })
            }
        };
        let (link_name, link) = match next {
            Some(at) => (
                "@odata.nextLink",
                self.delta_link(
                    raw_query,
                    "$skiptoken",
                    DeltaToken {
                        epoch,
                        since,
                        page: Some((round, at)),
                    },
                ),
            ),
            None => (
                "@odata.deltaLink",
                self.delta_link(
                    raw_query,
                    "$deltatoken",
                    DeltaToken {
                        epoch,
                        since: Some(round),
                        page: None,
                    },
                ),
            ),
        };
        let mut body = String::with_capacity(values.len() + 256);
        body.push_str("{\"@odata.context\":");
        push_string(
            &mut body,
            &target.context_url(false, options.select.as_deref()),
        );
        body.push_str(",\"value\":[");
        body.push_str(&values);
        body.push_str("],\"");
        body.push_str(link_name);
        body.push_str("\":");
        push_string(&mut body, &link);
        body.push('}');
        let mut response = json_response(StatusCode::OK, body);
        if let Some(size) = preferred
            && let Ok(value) = HeaderValue::from_str(&format!("odata.maxpagesize={size}"))
        {
            response.headers_mut().insert("preference-applied", value);
        }
        Ok(response)
    }

    fn matches(&self, options: &QueryOptions, entity: &Entity) -> bool {
        let Some(expression) = &options.filter else {
            return true;
        };
        let mut needed = Vec::new();
        expression.top_level_properties(&mut needed);
        filter::matches(expression, &entity.to_partial_map(&needed))
    }

    fn delta_link(&self, raw_query: Option<&str>, name: &str, token: DeltaToken) -> String {
        state_link(
            &self.base_url,
            &self.resource.collection,
            raw_query,
            Some((
                name,
                &(self.state.tenant).sign(self.state.token_key, &token.encode()),
            )),
        )
    }

    /// Graph's answer to a token it can no longer serve: 410 Gone, with a `Location` that
    /// starts a new round (keeping the query's other options).
    fn resync_required(&self, raw_query: Option<&str>) -> ApiError {
        let mut error = ApiError::new(
            StatusCode::GONE,
            "resyncRequired",
            "The delta token has expired or belongs to an earlier state of the service; start \
             a new round of change tracking from the Location header.",
        );
        error.location = Some(state_link(
            &self.base_url,
            &self.resource.collection,
            raw_query,
            None,
        ));
        error
    }
}

/// An item of a delta page.
enum Item<'a> {
    /// Created or changed: the entity as it is now.
    Current(&'a Entity),
    /// Deleted: only its id.
    Removed(&'a str),
}

/// Appends an item to the text of the page's `value` array: the entity with `$select` applied,
/// less what is `withheld`, or `{"id": ..., "@removed": {"reason": "deleted"}}`.
fn push_item(
    values: &mut String,
    item: Item<'_>,
    fields: Option<&[String]>,
    withheld: Withheld<'_>,
) {
    if !values.is_empty() {
        values.push(',');
    }
    match item {
        Item::Current(entity) => write_entity(values, None, entity, fields, withheld),
        Item::Removed(id) => {
            values.push_str("{\"id\":");
            push_string(values, id);
            values.push_str(",\"@removed\":{\"reason\":\"deleted\"}}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let tokens = [
            DeltaToken {
                epoch: 0xfeed,
                since: None,
                page: Some((
                    7,
                    SkipToken {
                        returned: 20,
                        last_seq: 31,
                    },
                )),
            },
            DeltaToken {
                epoch: 1,
                since: Some(42),
                page: None,
            },
        ];
        for token in tokens {
            let text = token.encode();
            assert_eq!(DeltaToken::decode(&text), Some(token), "{text}");
        }
        assert_eq!(DeltaToken::decode("latest"), None);
        assert_eq!(DeltaToken::decode(""), None);
    }

    #[test]
    fn the_page_size_comes_from_prefer() {
        let mut headers = HeaderMap::new();
        assert_eq!(preferred_page_size(&headers), None);
        headers.insert(
            "prefer",
            HeaderValue::from_static("return=minimal, odata.maxpagesize=5"),
        );
        assert_eq!(preferred_page_size(&headers), Some(5));
        headers.insert("prefer", HeaderValue::from_static("odata.maxpagesize=0"));
        assert_eq!(preferred_page_size(&headers), None);
    }
}
