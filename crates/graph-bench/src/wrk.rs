//! The load generator: `wrk` (a C program; `apt-get install wrk`). An in-process reqwest
//! generator saturated before the servers did (about 91k GET/s against `wrk`'s 147k on the same
//! floor), which pulled every ratio toward 1. Each run reports the rate, the 99th percentile
//! latency, the non-2xx answers and how much CPU `wrk` itself used, so a table can show that the
//! generator was not the bottleneck.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use graph_bench::load::Request;
use graph_bench::{CREATE_BODY, UPDATE_BODY};

/// What one `wrk` run measured.
#[derive(Debug, Clone, Copy)]
pub struct WrkRun {
    /// Requests per second.
    pub rps: f64,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Non-2xx/3xx answers and socket errors.
    pub errors: u64,
    /// The CPU `wrk` used, as a share of the whole machine (1.0 = every core busy).
    pub generator_cpu: f64,
}

/// Whether `wrk` is installed.
pub fn available() -> bool {
    Command::new("wrk")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// The Lua script that makes `wrk` send `kind`.
fn script(kind: Request) -> String {
    let body = |method: &str, body: &str| {
        format!(
            "wrk.method = \"{method}\"\nwrk.body = '{body}'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
        )
    };
    let report_errors = "done = function(summary, latency, requests)\n  io.write(string.format(\"non2xx %d\\n\", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\nend\n";
    let request = match kind {
        Request::Create => body("POST", CREATE_BODY),
        Request::Update => body("PATCH", UPDATE_BODY),
        Request::Get | Request::List => String::new(),
    };
    format!("{request}{report_errors}")
}

/// Children's CPU time so far (user + system, of the children waited for), from
/// `/proc/self/stat`, in seconds.
fn children_cpu() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start at field 3.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 (1-based), 14 and 15 after the name.
    let ticks: f64 = [13, 14]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    // Linux reports these in USER_HZ, 100 on every supported architecture.
    ticks / 100.0
}

/// `wrk`'s latency text (`1.23ms`, `850.00us`, `1.02s`) as a duration.
fn latency(text: &str) -> Option<Duration> {
    let (number, unit) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic())?);
    let value: f64 = number.parse().ok()?;
    let seconds = match unit {
        "us" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        "m" => value * 60.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(seconds))
}

/// Runs `wrk` against `url` with `connections` connections (two threads) for `duration`
/// (rounded down to whole seconds, at least one).
pub fn run(
    url: &str,
    kind: Request,
    connections: usize,
    duration: Duration,
) -> Result<WrkRun, String> {
    let script_path =
        std::env::temp_dir().join(format!("graph-bench-wrk-{}.lua", std::process::id()));
    std::fs::write(&script_path, script(kind)).map_err(|e| format!("cannot write: {e}"))?;
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}")])
        // wrk counts whole seconds.
        .arg(format!("-d{}s", duration.as_secs().max(1)))
        .arg("--latency")
        .arg("-s")
        .arg(&script_path)
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let wall = started.elapsed().as_secs_f64();
    let cpu = children_cpu() - cpu_before;
    let _ = std::fs::remove_file(&script_path);
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "wrk failed: {}{}",
            text,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let value_after = |label: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(label).map(str::trim))
    };
    let rps = value_after("Requests/sec:")
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or_else(|| format!("no rate in wrk's output: {text}"))?;
    let p99 = value_after("99%")
        .and_then(latency)
        .ok_or_else(|| format!("no 99th percentile in wrk's output: {text}"))?;
    // The script's `done` hook prints it; without it nothing says the answers were 2xx.
    let errors = value_after("non2xx")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no error count in wrk's output: {text}"))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    Ok(WrkRun {
        rps,
        p99,
        errors,
        generator_cpu: cpu / (wall * cores).max(1e-9),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_read_in_every_unit() {
        assert_eq!(latency("850.00us"), Some(Duration::from_micros(850)));
        assert_eq!(latency("1.50ms"), Some(Duration::from_micros(1500)));
        assert_eq!(latency("2.00s"), Some(Duration::from_secs(2)));
        assert_eq!(latency("fast"), None);
    }
}
