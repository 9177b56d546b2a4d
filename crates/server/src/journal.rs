//! The request journal: the last N requests the mock served, for tests that verify what their
//! code sent (`GET <base>/$mock/requests`, or [`crate::MockServer::received_requests`]).
//!
//! It is a ring buffer: when full, the oldest entry goes, so it never grows without limit.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::Value;

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

/// The ring buffer.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<VecDeque<JournalEntry>>,
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

    /// Records a request, dropping the oldest when full.
    pub fn record(&self, entry: JournalEntry) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The recorded requests, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
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

    fn entry(n: u16) -> JournalEntry {
        JournalEntry {
            method: "GET".into(),
            path: "/x".into(),
            query: None,
            operation: None,
            headers: vec![],
            body: None,
            status: n,
            time: String::new(),
        }
    }

    #[test]
    fn the_ring_keeps_the_newest() {
        let journal = Journal::new(2);
        for n in 1..=3 {
            journal.record(entry(n));
        }
        let statuses: Vec<u16> = journal.entries().iter().map(|e| e.status).collect();
        assert_eq!(statuses, [2, 3]);
        journal.clear();
        assert!(journal.entries().is_empty());
    }
}
