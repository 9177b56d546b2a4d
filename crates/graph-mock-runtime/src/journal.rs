//! The request journal: the last N requests the mock served, for tests that verify what their
//! code sent (`GET <base>/$mock/requests`, or [`crate::MockServer::received_requests`]).
//!
//! It is a ring buffer: when full, the oldest entry goes, so it never grows without limit.
//! Recording copies the request's target, headers and body into one buffer ([`RequestCopy`]);
//! they become [`JournalEntry`]s only when someone reads the journal, off the request path.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri, header};
use serde::Serialize;
use serde_json::Value;

use crate::operation::OperationMeta;
use crate::tenant::Tenant;

/// One recorded request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// The method.
    pub method: String,
    /// The path, as sent.
    pub path: String,
    /// The raw query string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The operation served, `METHOD /path/template`, if one matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The headers, without `Authorization`.
    pub headers: Vec<(String, String)>,
    /// The body: JSON when it parses, else text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The status answered.
    pub status: u16,
    /// When, RFC 3339.
    pub time: String,
}

/// A request as recorded on the request path.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The method.
    pub method: Method,
    /// The target, headers and body.
    pub request: RequestCopy,
    /// The status answered.
    pub status: u16,
    /// The operation served.
    pub operation: Option<&'static OperationMeta>,
    /// When.
    pub time: SystemTime,
    /// The tenant of the request's token.
    pub tenant: Tenant,
}

/// A request's target (path and query), headers (without `Authorization`) and body, copied
/// into one allocation: the target, then each header as `name:value\n` (a header value holds
/// no newline, a name no colon), then the body.
///
/// A copy, not clones of the request's parts: those are slices of the connection's read
/// buffer, and an entry holding them kept that buffer alive until it left the ring, so hyper
/// allocated a new buffer for nearly every request.
#[derive(Debug, Clone)]
pub struct RequestCopy {
    bytes: Bytes,
    target_end: usize,
    headers_end: usize,
}

impl RequestCopy {
    /// Copies `uri`'s target, `headers` (all but `Authorization`) and `body`.
    pub fn new(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> RequestCopy {
        let target = uri
            .path_and_query()
            .map_or(uri.path(), |target| target.as_str());
        let kept = || {
            headers
                .iter()
                .filter(|(name, _)| *name != header::AUTHORIZATION)
        };
        let headers_len: usize = kept()
            .map(|(name, value)| name.as_str().len() + value.len() + 2)
            .sum();
        let mut bytes = Vec::with_capacity(target.len() + headers_len + body.len());
        bytes.extend_from_slice(target.as_bytes());
        let target_end = bytes.len();
        for (name, value) in kept() {
            bytes.extend_from_slice(name.as_str().as_bytes());
            bytes.push(b':');
            bytes.extend_from_slice(value.as_bytes());
            bytes.push(b'\n');
        }
        let headers_end = bytes.len();
        bytes.extend_from_slice(body);
        RequestCopy {
            bytes: Bytes::from(bytes),
            target_end,
            headers_end,
        }
    }

    /// The path and query, as sent.
    fn target(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes[..self.target_end])
    }

    /// The headers, in the order they came.
    fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        (self.bytes[self.target_end..self.headers_end].split(|&b| b == b'\n')).filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            Some((&line[..colon], &line[colon + 1..]))
        })
    }

    fn body(&self) -> &[u8] {
        &self.bytes[self.headers_end..]
    }
}

impl Recorded {
    fn entry(&self) -> JournalEntry {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        let headers = (self.request.headers())
            .map(|(name, value)| (text(name), text(value)))
            .collect();
        let body = self.request.body();
        let body = (!body.is_empty())
            .then(|| serde_json::from_slice(body).unwrap_or_else(|_| Value::String(text(body))));
        let time = time::OffsetDateTime::from(self.time)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let target = self.request.target();
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (target.as_ref(), None),
        };
        JournalEntry {
            method: self.method.to_string(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
            operation: self.operation.map(OperationMeta::key),
            headers,
            body,
            status: self.status,
            time,
        }
    }
}

/// The ring buffer.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<Recorded>>,
    capacity: usize,
}

impl Journal {
    /// A journal keeping the last `capacity` requests (0 keeps none).
    pub fn new(capacity: usize) -> Journal {
        Journal {
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(4096))),
            capacity,
        }
    }

    /// Whether recording is on.
    pub fn is_enabled(&self) -> bool {
        self.capacity > 0
    }

    /// Records a request, dropping the oldest when full.
    pub fn record(&self, recorded: Recorded) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let evicted = if entries.len() == self.capacity {
            entries.pop_front()
        } else {
            None
        };
        entries.push_back(recorded);
        drop(entries);
        // Freeing the oldest entry's buffers happens after the lock is released.
        drop(evicted);
    }

    /// The recorded requests of `tenant` (of every tenant when `None`), oldest first.
    pub fn entries(&self, tenant: Option<&Tenant>) -> Vec<JournalEntry> {
        let recorded: Vec<Recorded> = (self.entries.lock().unwrap_or_else(|p| p.into_inner()))
            .iter()
            .filter(|r| tenant.is_none_or(|t| *t == r.tenant))
            .cloned()
            .collect();
        recorded.iter().map(Recorded::entry).collect()
    }

    /// Forgets the requests of `tenant`.
    pub fn clear(&self, tenant: &Tenant) {
        (self.entries.lock().unwrap_or_else(|p| p.into_inner())).retain(|r| r.tenant != *tenant);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(status: u16) -> Recorded {
        Recorded {
            method: Method::GET,
            request: RequestCopy::new(&Uri::from_static("/x?a=1"), &HeaderMap::new(), b""),
            status,
            operation: None,
            time: SystemTime::now(),
            tenant: Tenant::default(),
        }
    }

    #[test]
    fn the_ring_keeps_the_newest() {
        let journal = Journal::new(2);
        for n in 1..=3 {
            journal.record(recorded(n));
        }
        let entries = journal.entries(None);
        assert_eq!(entries.iter().map(|e| e.status).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(entries[0].query.as_deref(), Some("a=1"));
        journal.clear(&Tenant::default());
        assert!(journal.entries(None).is_empty());
    }

    #[test]
    fn a_copy_keeps_target_headers_and_body_but_not_the_token() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Bearer secret".parse().unwrap());
        headers.append("x-many", "one".parse().unwrap());
        headers.append("x-many", "two: with colon".parse().unwrap());
        headers.insert(
            "x-bytes",
            axum::http::HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        );
        let uri = Uri::from_static("http://h/beta/users?$top=2&$select=id");
        let recorded = Recorded {
            method: Method::PATCH,
            request: RequestCopy::new(&uri, &headers, br#"{"a":1}"#),
            status: 200,
            operation: None,
            time: SystemTime::now(),
            tenant: Tenant::default(),
        };
        let entry = recorded.entry();
        assert_eq!(entry.path, "/beta/users");
        assert_eq!(entry.query.as_deref(), Some("$top=2&$select=id"));
        let pair = |n: &str, v: &str| (n.to_owned(), v.to_owned());
        assert_eq!(
            entry.headers,
            [
                pair("x-many", "one"),
                pair("x-many", "two: with colon"),
                pair("x-bytes", "caf\u{fffd}"),
            ]
        );
        assert_eq!(entry.body, Some(serde_json::json!({"a": 1})));
        let empty = RequestCopy::new(&Uri::from_static("/x"), &HeaderMap::new(), b"not json");
        let entry = Recorded {
            request: empty,
            ..recorded
        }
        .entry();
        assert_eq!((entry.path.as_str(), entry.query), ("/x", None));
        assert_eq!(entry.body, Some(Value::String("not json".to_owned())));
    }
}
