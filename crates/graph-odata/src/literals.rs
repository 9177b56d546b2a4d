//! Parsers for the OData primitive literals that JSON carries as strings.
//!
//! They are the one definition of what a valid `DateTimeOffset`, `Guid`, `Duration` and so on
//! look like; the value checker and the model crate's `DateTimeOffset` both call them.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Why a `DateTimeOffset` literal was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{text}' is not a valid DateTimeOffset (expected RFC 3339, e.g. 2016-12-31T23:58:36.6670033-08:00): {reason}"
)]
pub struct DateTimeOffsetError {
    /// The refused text (cut to 80 characters).
    pub text: String,
    /// The parser's reason.
    pub reason: String,
}

/// Parses an RFC 3339 timestamp with offset, with up to nine fractional-second digits.
pub fn parse_date_time_offset(text: &str) -> Result<OffsetDateTime, DateTimeOffsetError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|err| DateTimeOffsetError {
        text: text.chars().take(80).collect(),
        reason: err.to_string(),
    })
}

/// `YYYY-MM-DD`, a real calendar date.
pub fn is_date(text: &str) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &format).is_ok()
}

/// `hh:mm:ss` with optional fractional seconds (up to 12 digits, as OData allows).
pub fn is_time_of_day(text: &str) -> bool {
    let (clock, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let parts: Vec<&str> = clock.split(':').collect();
    let field = |s: &str, max: u32| s.len() == 2 && s.parse::<u32>().is_ok_and(|v| v <= max);
    parts.len() == 3
        && field(parts[0], 23)
        && field(parts[1], 59)
        && field(parts[2], 59)
        && (1..=12).contains(&fraction.len())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// An ISO 8601 duration as OData writes it: `[-]P[nD][T[nH][nM][n[.n]S]]`, at least one part.
pub fn is_duration(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let Some(body) = body.strip_prefix('P') else {
        return false;
    };
    let (date, time) = body
        .split_once('T')
        .map_or((body, None), |(d, t)| (d, Some(t)));
    let date_ok = parts_ok(date, &['Y', 'M', 'W', 'D'], false);
    let time_ok = time.is_none_or(|t| !t.is_empty() && parts_ok(t, &['H', 'M', 'S'], true));
    date_ok && time_ok && (!date.is_empty() || time.is_some())
}

/// Checks `12D3H`-style runs: digits then a designator, designators in order, each at most once.
fn parts_ok(text: &str, designators: &[char], last_may_be_fractional: bool) -> bool {
    let mut next = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '.' && last_may_be_fractional) {
            number.push(c);
            continue;
        }
        let Some(pos) = designators[next..].iter().position(|d| *d == c) else {
            return false;
        };
        let fractional_ok = !number.contains('.') || c == 'S';
        if number.is_empty() || number.starts_with('.') || number.ends_with('.') || !fractional_ok {
            return false;
        }
        number.clear();
        next += pos + 1;
    }
    number.is_empty()
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits of either case.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Standard or URL-safe base64, padded or not.
pub fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len() - body.len() <= 2
        && body.len() % 4 != 1
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'))
}

/// Parses a function call's argument list, `name='value',n=3,flag=true`, into a JSON object:
/// quoted literals are strings (`''` is a quote), `true`, `false`, `null` and numbers are
/// themselves, anything else (a date, a GUID) is a string. The error is a message for a 400.
pub fn parse_function_arguments(
    text: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    use serde_json::Value;
    let mut arguments = serde_json::Map::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(arguments);
        }
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(format!(
                "The function arguments '{text}' are not name=value pairs."
            ));
        }
        let value = if chars.peek() == Some(&'\'') {
            chars.next();
            let mut literal = String::new();
            loop {
                match chars.next() {
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        chars.next();
                        literal.push('\'');
                    }
                    Some('\'') => break,
                    Some(c) => literal.push(c),
                    None => {
                        return Err(format!(
                            "The value of function argument '{name}' is not closed with a quote."
                        ));
                    }
                }
            }
            Value::String(literal)
        } else {
            let raw: String = chars.by_ref().take_while(|c| *c != ',').collect();
            let raw = raw.trim();
            match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => raw
                    .parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| raw.parse::<f64>().map(Value::from))
                    .unwrap_or_else(|_| Value::String(raw.to_owned())),
            }
        };
        arguments.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_timestamps_parse_and_bad_ones_say_why() {
        assert!(parse_date_time_offset("2016-12-31T23:58:36.6670033-08:00").is_ok());
        assert!(parse_date_time_offset("2016-12-31T23:58:36Z").is_ok());
        let err = parse_date_time_offset("2016-13-31T00:00:00Z").unwrap_err();
        assert!(err.to_string().contains("2016-13-31T00:00:00Z"), "{err}");
        assert!(parse_date_time_offset("yesterday").is_err());
        assert!(parse_date_time_offset("2016-12-31").is_err());
    }

    #[test]
    fn function_arguments_parse() {
        let parsed =
            parse_function_arguments("category='it''s',n=3,flag=true,when=2020-01-01T00:00:00Z")
                .unwrap();
        assert_eq!(
            serde_json::Value::Object(parsed),
            serde_json::json!({"category": "it's", "n": 3, "flag": true, "when": "2020-01-01T00:00:00Z"})
        );
        assert!(parse_function_arguments("").unwrap().is_empty());
        assert!(parse_function_arguments("a='open").is_err());
        assert!(parse_function_arguments("='x'").is_err());
    }

    #[test]
    fn other_literals() {
        assert!(is_date("2016-12-31") && !is_date("2016-02-30"));
        assert!(
            is_time_of_day("11:59:31.3170000")
                && is_time_of_day("00:00:00")
                && !is_time_of_day("24:00:00")
        );
        for ok in ["PT1H", "-P1DT2H3M4.5S", "P3D", "PT0S", "P1Y2M"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["P", "PT", "1H", "PT1.5H", "PT1H1H", "P1.D"] {
            assert!(!is_duration(bad), "{bad}");
        }
        assert!(is_guid("77296cf7-6cf7-7729-f76c-2977f76c2977") && !is_guid("77296cf7"));
        assert!(is_base64("YmluYXJ5") && is_base64("YQ==") && !is_base64("a") && !is_base64("%%"));
    }
}
