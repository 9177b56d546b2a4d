//! `Edm.DateTimeOffset`: a validated timestamp that keeps its exact text.
//!
//! Graph writes seven fractional digits (`2016-12-31T23:58:36.6670033-08:00`) and clients compare
//! values they read back, so the original text is what is stored and written out. Parsing into a
//! calendar value uses the `time` crate (the same parser the spec's value checker uses, so the
//! client, the mock and the importer agree on what is valid); `time` was chosen over `chrono` for
//! its smaller dependency tree and its RFC 3339 parser that takes up to nine fractional digits.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use crate::literals::DateTimeOffsetError;

/// An RFC 3339 timestamp with offset, kept as the text it was parsed from.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTimeOffset {
    text: String,
}

impl DateTimeOffset {
    /// Parses and keeps `text`.
    pub fn parse(text: &str) -> Result<DateTimeOffset, DateTimeOffsetError> {
        crate::literals::parse_date_time_offset(text)?;
        Ok(DateTimeOffset {
            text: text.to_owned(),
        })
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The calendar value.
    pub fn to_offset_date_time(&self) -> OffsetDateTime {
        // The text was validated by the same parser on construction.
        crate::literals::parse_date_time_offset(&self.text).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

impl From<OffsetDateTime> for DateTimeOffset {
    fn from(value: OffsetDateTime) -> Self {
        // RFC 3339 formatting fails only for years outside 0..=9999.
        let text = value
            .format(&Rfc3339)
            .unwrap_or_else(|_| "0001-01-01T00:00:00Z".to_owned());
        DateTimeOffset { text }
    }
}

impl FromStr for DateTimeOffset {
    type Err = DateTimeOffsetError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DateTimeOffset::parse(text)
    }
}

impl fmt::Display for DateTimeOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for DateTimeOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTimeOffset({})", self.text)
    }
}

impl Serialize for DateTimeOffset {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for DateTimeOffset {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        DateTimeOffset::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_exactly() {
        let text = "2016-12-31T23:58:36.6670033-08:00";
        let value: DateTimeOffset = serde_json::from_str(&format!("\"{text}\"")).unwrap();
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            format!("\"{text}\"")
        );
        assert_eq!(value.to_offset_date_time().nanosecond(), 667_003_300);
    }

    #[test]
    fn invalid_text_is_refused_with_the_text() {
        let err = serde_json::from_str::<DateTimeOffset>("\"2016-02-30T00:00:00Z\"").unwrap_err();
        assert!(err.to_string().contains("2016-02-30T00:00:00Z"), "{err}");
        assert!("not a date".parse::<DateTimeOffset>().is_err());
    }

    #[test]
    fn converts_from_time() {
        let value = DateTimeOffset::from(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(value.as_str(), "1970-01-01T00:00:00Z");
    }
}
