//! One page of a collection response: `{"@odata.context", "@odata.count", "@odata.nextLink", "value"}`.

use serde::{Deserialize, Serialize};

/// A page of items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionPage<T> {
    /// `@odata.context`.
    #[serde(
        rename = "@odata.context",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<String>,
    /// `@odata.count`, present when `$count=true` was asked.
    #[serde(
        rename = "@odata.count",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<i64>,
    /// `@odata.nextLink`: the absolute URL of the next page, absent on the last page.
    #[serde(
        rename = "@odata.nextLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_link: Option<String>,
    /// The items.
    pub value: Vec<T>,
}
