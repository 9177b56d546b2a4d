//! Fault injection, off by default: latency, errors and throttling, deterministic under a seed.
//!
//! Rules come from the command line (`--latency`, `--error-rate`, `--error-statuses`,
//! `--throttle`) and, per operation, from a JSON file (`--faults FILE`):
//!
//! ```json
//! {
//!   "default": { "latency": "5..20" },
//!   "operations": {
//!     "POST /deviceManagement/domainJoinConnectors": { "errorRate": 0.5, "statuses": [503] },
//!     "GET /deviceManagement/domainJoinConnectors": { "throttle": "10/1s" }
//!   }
//! }
//! ```
//!
//! A 503 carries `Retry-After: 1`; a throttled request gets a 429 with Graph's
//! `TooManyRequests` code and a `Retry-After` until the window ends.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde::Deserialize;

use crate::error::ApiError;

/// One set of fault rules.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultRules {
    /// Added latency in ms, `MIN..MAX`.
    #[serde(default, deserialize_with = "de_range")]
    pub latency: Option<(u64, u64)>,
    /// The chance (0 to 1) that a request fails with one of `statuses`.
    #[serde(default)]
    pub error_rate: f64,
    /// The statuses injected failures use (default 500, 502, 503, 504).
    #[serde(default)]
    pub statuses: Vec<u16>,
    /// At most N requests per window, `N/WINDOW` (e.g. `10/1s`, `100/500ms`); more get a 429.
    #[serde(default, deserialize_with = "de_throttle")]
    pub throttle: Option<(u32, Duration)>,
}

/// The `--faults` file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultFile {
    /// Rules for every operation without its own.
    #[serde(default)]
    pub default: FaultRules,
    /// Rules by `METHOD /path/template`.
    #[serde(default)]
    pub operations: BTreeMap<String, FaultRules>,
}

/// Parses `MIN..MAX` (ms).
pub fn parse_range(text: &str) -> Result<(u64, u64), String> {
    let (low, high) = text
        .split_once("..")
        .ok_or_else(|| format!("`{text}` is not MIN..MAX"))?;
    let low: u64 = low
        .trim()
        .parse()
        .map_err(|_| format!("`{low}` is not a number of ms"))?;
    let high: u64 = high
        .trim()
        .parse()
        .map_err(|_| format!("`{high}` is not a number of ms"))?;
    if low > high {
        return Err(format!("`{text}`: MIN is larger than MAX"));
    }
    Ok((low, high))
}

/// Parses `N/WINDOW` with a window like `1s`, `500ms` or `1m`.
pub fn parse_throttle(text: &str) -> Result<(u32, Duration), String> {
    let (count, window) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}` is not N/WINDOW"))?;
    let count: u32 = count
        .trim()
        .parse()
        .map_err(|_| format!("`{count}` is not a count"))?;
    let window = window.trim();
    let (number, unit) = window.split_at(
        window
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(window.len()),
    );
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{window}` is not a window like 1s"))?;
    let window = match unit {
        "ms" => Duration::from_millis(number),
        "s" | "" => Duration::from_secs(number),
        "m" => Duration::from_secs(number * 60),
        other => return Err(format!("`{other}` is not a unit (ms, s, m)")),
    };
    if count == 0 || window.is_zero() {
        return Err(format!(
            "`{text}`: the count and the window must be positive"
        ));
    }
    Ok((count, window))
}

fn de_range<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<(u64, u64)>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|t| parse_range(&t))
        .transpose()
        .map_err(serde::de::Error::custom)
}

fn de_throttle<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<(u32, Duration)>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|t| parse_throttle(&t))
        .transpose()
        .map_err(serde::de::Error::custom)
}

/// The injector: rules, a seeded generator and the throttle windows.
#[derive(Debug)]
pub struct Faults {
    rules: FaultFile,
    random: Mutex<u64>,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Faults {
    /// An injector with `rules`, deterministic for a given `seed`.
    pub fn new(rules: FaultFile, seed: u64) -> Faults {
        Faults {
            rules,
            random: Mutex::new(seed),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Whether any rule is set.
    pub fn is_active(&self) -> bool {
        self.rules != FaultFile::default()
    }

    /// The next number in [0, 1) (SplitMix64, so a seed replays the same faults).
    fn next_unit(&self) -> f64 {
        let mut state = self.random.lock().unwrap_or_else(|p| p.into_inner());
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Applies the rules of `operation` (`METHOD /template`): waits the latency, then fails the
    /// request or lets it through. No lock is held across the wait.
    pub async fn apply(&self, operation: &str) -> Result<(), ApiError> {
        let rules = self
            .rules
            .operations
            .get(operation)
            .unwrap_or(&self.rules.default);
        if let Some((low, high)) = rules.latency {
            let span = (high - low) as f64;
            let wait = low + (self.next_unit() * (span + 1.0)).floor().min(span) as u64;
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        if let Some((limit, window)) = rules.throttle {
            let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let slot = windows.entry(operation.to_owned()).or_insert((now, 0));
            if now.duration_since(slot.0) >= window {
                *slot = (now, 0);
            }
            slot.1 += 1;
            if slot.1 > limit {
                let retry_after = window
                    .saturating_sub(now.duration_since(slot.0))
                    .as_secs()
                    .max(1);
                let mut error = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Too many requests: the throttling budget of this operation is spent. Retry after the time in Retry-After.",
                );
                error.retry_after = Some(retry_after);
                return Err(error);
            }
        }
        if rules.error_rate > 0.0 && self.next_unit() < rules.error_rate {
            let statuses: &[u16] = if rules.statuses.is_empty() {
                &[500, 502, 503, 504]
            } else {
                &rules.statuses
            };
            let pick = (self.next_unit() * statuses.len() as f64) as usize;
            let status = StatusCode::from_u16(statuses[pick.min(statuses.len() - 1)])
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut error = ApiError::for_status(status);
            error.message = format!("Injected fault: {}.", error.message.trim_end_matches('.'));
            if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS
            {
                error.retry_after = Some(1);
            }
            return Err(error);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_throttles_parse() {
        assert_eq!(parse_range("5..20"), Ok((5, 20)));
        assert!(parse_range("20..5").is_err());
        assert_eq!(parse_throttle("10/1s"), Ok((10, Duration::from_secs(1))));
        assert_eq!(
            parse_throttle("3/500ms"),
            Ok((3, Duration::from_millis(500)))
        );
        assert!(parse_throttle("0/1s").is_err());
        assert!(parse_throttle("x").is_err());
    }

    #[tokio::test]
    async fn the_same_seed_gives_the_same_faults() {
        let rules = FaultFile {
            default: FaultRules {
                error_rate: 0.5,
                statuses: vec![503],
                ..Default::default()
            },
            ..Default::default()
        };
        let run = |seed| {
            let faults = Faults::new(rules.clone(), seed);
            async move {
                let mut outcomes = Vec::new();
                for _ in 0..50 {
                    outcomes.push(faults.apply("GET /x").await.is_ok());
                }
                outcomes
            }
        };
        let first = run(7).await;
        assert_eq!(first, run(7).await);
        assert_ne!(first, run(8).await);
        let failures = first.iter().filter(|ok| !**ok).count();
        assert!((10..40).contains(&failures), "{failures} of 50 at rate 0.5");
    }

    #[tokio::test]
    async fn throttling_answers_429_with_retry_after() {
        let rules = FaultFile {
            default: FaultRules {
                throttle: Some((2, Duration::from_secs(60))),
                ..Default::default()
            },
            ..Default::default()
        };
        let faults = Faults::new(rules, 0);
        assert!(faults.apply("GET /x").await.is_ok());
        assert!(faults.apply("GET /x").await.is_ok());
        let error = faults.apply("GET /x").await.unwrap_err();
        assert_eq!(
            (error.status.as_u16(), error.code.as_str()),
            (429, "TooManyRequests")
        );
        assert!(error.retry_after.unwrap() >= 59);
        assert!(
            faults.apply("GET /y").await.is_ok(),
            "windows are per operation"
        );
    }
}
