//! The request journal: the last N requests the mock served, for tests that verify what their
//! code sent (`GET <base>/$mock/requests`, or [`crate::MockServer::received_requests`]).
//!
//! It is a ring buffer: when full, the oldest entry goes, so it never grows without limit.
//! Recording keeps the raw parts (cheap clones: the body is reference-counted); they become
//! [`JournalEntry`]s only when someone reads the journal, off the request path.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri, header};
use serde::Serialize;
use serde_json::Value;

use crate::operation::OperationMeta;

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
    /// The URI.
    pub uri: Uri,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The status answered.
    pub status: u16,
    /// The operation served.
    pub operation: Option<&'static OperationMeta>,
    /// When.
    pub time: SystemTime,
}

impl Recorded {
    fn entry(&self) -> JournalEntry {
        let headers = self
            .headers
            .iter()
            .filter(|(name, _)| *name != header::AUTHORIZATION)
            .map(|(name, value)| {
                (
                    name.to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = (!self.body.is_empty()).then(|| {
            serde_json::from_slice(&self.body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into_owned()))
        });
        let time = time::OffsetDateTime::from(self.time)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        JournalEntry {
            method: self.method.to_string(),
            path: self.uri.path().to_owned(),
            query: self.uri.query().map(str::to_owned),
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

    /// The recorded requests, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        let recorded: Vec<Recorded> = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect();
        recorded.iter().map(Recorded::entry).collect()
    }

    /// Forgets every request.
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(status: u16) -> Recorded {
        Recorded {
            method: Method::GET,
            uri: Uri::from_static("/x?a=1"),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            status,
            operation: None,
            time: SystemTime::now(),
        }
    }

    #[test]
    fn the_ring_keeps_the_newest() {
        let journal = Journal::new(2);
        for n in 1..=3 {
            journal.record(recorded(n));
        }
        let entries = journal.entries();
        assert_eq!(entries.iter().map(|e| e.status).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(entries[0].query.as_deref(), Some("a=1"));
        journal.clear();
        assert!(journal.entries().is_empty());
    }
}
