//! What the throughput cells send (the load itself comes from `wrk`, an external generator
//! faster than the servers it measures) and where.

use std::sync::Arc;

/// One kind of request to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// GET one entity by id.
    Get,
    /// POST a new entity.
    Create,
    /// PATCH one entity.
    Update,
    /// GET a page of 100.
    List,
}

impl Request {
    /// Every kind, in table order.
    pub const ALL: [Request; 4] = [
        Request::Get,
        Request::Create,
        Request::Update,
        Request::List,
    ];

    /// The table label.
    pub fn label(self) -> &'static str {
        match self {
            Request::Get => "GET by id",
            Request::Create => "POST create",
            Request::Update => "PATCH",
            Request::List => "list $top=100",
        }
    }
}

/// The collection URL and the ids that exist in it.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://127.0.0.1:port/beta/deviceManagement/domainJoinConnectors`.
    pub collection: String,
    /// Ids to GET and PATCH.
    pub ids: Arc<Vec<String>>,
}
