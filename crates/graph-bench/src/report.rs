//! The table `graph-bench` prints: one row per measurement, with its target when it has one.

use std::time::Duration;

/// One table row: what, the measured value, and the target it must meet (if any).
pub struct Row {
    pub what: String,
    pub value: String,
    pub target: String,
    /// Whether the target was met; `None` for a row without one.
    pub met: Option<bool>,
    /// The measurement could not be made (a server that did not start, `wrk` failing): a
    /// failure even of a quick run, whose missed timings are not.
    pub error: bool,
}

/// A row without a target.
pub fn row(what: impl Into<String>, value: impl Into<String>) -> Row {
    Row {
        what: what.into(),
        value: value.into(),
        target: String::new(),
        met: None,
        error: false,
    }
}

/// A row for a measurement that could not be made, saying why.
pub fn error(what: impl Into<String>, reason: impl Into<String>) -> Row {
    Row {
        what: what.into(),
        value: format!("error: {}", reason.into()),
        target: "measured".to_owned(),
        met: Some(false),
        error: true,
    }
}

/// A row with a target, and whether it was met.
pub fn checked(
    what: impl Into<String>,
    value: impl Into<String>,
    target: impl Into<String>,
    met: bool,
) -> Row {
    Row {
        what: what.into(),
        value: value.into(),
        target: target.into(),
        met: Some(met),
        error: false,
    }
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The median of some ratios.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// The table as Markdown.
pub fn table(rows: &[Row]) -> String {
    let width = rows
        .iter()
        .map(|r| r.what.chars().count())
        .max()
        .unwrap_or(0);
    let mut text = format!("| {:width$} | value | target | met |\n", "measurement");
    text += &format!("|{}|---|---|---|\n", "-".repeat(width + 2));
    for r in rows {
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        text += &format!(
            "| {:width$} | {} | {} | {met} |\n",
            r.what, r.value, r.target
        );
    }
    text
}

/// The page a full run writes (`docs/benchmarks.md`): the table, and when, where and on which
/// commit it was measured, so that the figures the docs quote are the bench's own.
pub fn page(rows: &[Row], checkout: Option<&str>) -> String {
    let date = time::OffsetDateTime::now_utc().date();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "# Benchmarks: the last full run\n\n\
         Written by `cargo xtask bench` (a full run of every section) on {date}, at commit `{}`,\n\
         on a machine with {cores} cores; do not edit it by hand. [Performance](performance.md) says\n\
         what each row measures and what the profiles showed.\n\n{}",
        checkout.unwrap_or("unknown"),
        table(rows)
    )
}
