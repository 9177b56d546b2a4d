//! The binary's log writer: off the request path, and cheap per line.
//!
//! A request appends its formatted log line to a shared buffer: one uncontended lock and a copy,
//! with no system call and no thread to wake. A background thread writes whatever has gathered
//! every [`FLUSH_EVERY`], with one system call. (`tracing-appender`'s channel woke its writer
//! thread for nearly every line, and the context switches cost about a fifth of GET throughput
//! under load.) Past [`MAX_PENDING`] bytes waiting, lines are dropped and counted, and the count
//! is logged, so a stalled terminal never grows the mock's memory or slows its requests.
//!
//! The access log line itself is formatted by hand ([`AccessLog`]), in the layout of the other
//! lines (`tracing-subscriber`'s default), with the timestamp's date and time made once a
//! second: through `tracing`'s formatter it cost several times more than the line is worth.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use tracing_subscriber::fmt::MakeWriter;

/// How often the gathered lines are written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(20);

/// The most bytes that may wait to be written.
pub const MAX_PENDING: usize = 8 << 20;

#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<Pending>,
    /// Wakes the writer early to finish.
    stop: Condvar,
    dropped: AtomicU64,
}

#[derive(Debug, Default)]
struct Pending {
    bytes: Vec<u8>,
    stopping: bool,
}

impl Shared {
    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What `tracing_subscriber` writes log lines to.
#[derive(Debug, Clone)]
pub struct BatchedLog {
    shared: Arc<Shared>,
}

/// Writes the last lines and stops the writer thread when dropped.
#[derive(Debug)]
pub struct FlushOnDrop {
    shared: Arc<Shared>,
    writer: Option<JoinHandle<()>>,
}

/// A log writer over `out`, and the guard that flushes it on exit.
pub fn batched(out: impl Write + Send + 'static) -> (BatchedLog, FlushOnDrop) {
    let shared = Arc::new(Shared::default());
    let writer = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("graph-mock-log".to_owned())
            .spawn(move || write_until_stopped(&shared, out))
            .ok()
    };
    (
        BatchedLog {
            shared: shared.clone(),
        },
        FlushOnDrop { shared, writer },
    )
}

fn write_until_stopped(shared: &Shared, mut out: impl Write) {
    let mut spare = Vec::new();
    loop {
        let stopping = {
            let mut pending = shared.pending();
            if !pending.stopping {
                pending = shared
                    .stop
                    .wait_timeout(pending, FLUSH_EVERY)
                    .map_or_else(|p| p.into_inner().0, |(guard, _)| guard);
            }
            std::mem::swap(&mut pending.bytes, &mut spare);
            pending.stopping
        };
        let dropped = shared.dropped.swap(0, Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(
                spare,
                "graph-mock: {dropped} log line(s) dropped: the log is written slower than requests come"
            );
        }
        if !spare.is_empty() {
            let _ = out.write_all(&spare).and_then(|()| out.flush());
            spare.clear();
        }
        if stopping {
            return;
        }
    }
}

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        self.shared.pending().stopping = true;
        self.shared.stop.notify_one();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl BatchedLog {
    /// Adds a line (or drops and counts it past [`MAX_PENDING`]).
    fn append(&self, line: &[u8]) {
        let mut pending = self.shared.pending();
        if pending.bytes.len() + line.len() > MAX_PENDING {
            drop(pending);
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        } else {
            pending.bytes.extend_from_slice(line);
        }
    }
}

impl Write for BatchedLog {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        self.append(line);
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedLog {
    type Writer = BatchedLog;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Where the binary's access log goes, once [`install_access_log`] has run.
static ACCESS_LOG: OnceLock<AccessLog> = OnceLock::new();

/// The access log: one line per request, written straight into the binary's log.
#[derive(Debug)]
pub struct AccessLog {
    log: BatchedLog,
    colour: bool,
}

/// Sends the access log to `log` (the binary does this once; embedders keep `tracing` events).
pub fn install_access_log(log: BatchedLog, colour: bool) {
    let _ = ACCESS_LOG.set(AccessLog { log, colour });
}

/// The installed access log, if any.
pub fn access_log() -> Option<&'static AccessLog> {
    ACCESS_LOG.get()
}

thread_local! {
    /// This thread's line buffer and the second its date-and-time prefix was made for.
    static LINE: RefCell<(String, u64, String)> =
        const { RefCell::new((String::new(), u64::MAX, String::new())) };
}

impl AccessLog {
    /// Writes `2026-01-01T00:00:00.000000Z  INFO graph_mock::request: GET /path 200 0.1ms`.
    pub fn write(&self, method: &str, path: &str, status: u16, elapsed: Duration) {
        LINE.with(|cell| {
            let (line, second, prefix) = &mut *cell.borrow_mut();
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            if now.as_secs() != *second {
                *second = now.as_secs();
                *prefix = date_and_time(now.as_secs());
            }
            line.clear();
            let (dim, green, reset) = match self.colour {
                true => ("\x1b[2m", "\x1b[32m", "\x1b[0m"),
                false => ("", "", ""),
            };
            let tenths = (elapsed.as_micros() + 50) / 100;
            let _ = writeln!(
                line,
                "{dim}{prefix}.{:06}Z{reset} {green} INFO{reset} {dim}graph_mock::request{reset}{dim}:{reset} {method} {path} {status} {}.{}ms",
                now.subsec_micros(),
                tenths / 10,
                tenths % 10,
            );
            self.log.append(line.as_bytes());
        });
    }
}

/// `2026-01-01T00:00:00` for a time in seconds since the epoch, UTC.
fn date_and_time(seconds: u64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    i64::try_from(seconds)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` whose bytes the test can read.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_are_written_in_order_and_the_guard_flushes_the_rest() {
        let out = Captured::default();
        let (mut log, guard) = batched(out.clone());
        for n in 0..1000 {
            log.write_all(format!("line {n}\n").as_bytes()).unwrap();
        }
        // Written by the thread within a flush or so, without the guard's help.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while out.0.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(FLUSH_EVERY);
        }
        assert!(out.0.lock().unwrap().starts_with(b"line 0\nline 1\n"));
        log.write_all(b"last\n").unwrap();
        drop(guard);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 1001);
        assert!(text.ends_with("line 999\nlast\n"));
    }

    #[test]
    fn access_lines_have_the_default_layout() {
        let shared = Arc::new(Shared::default());
        let access = AccessLog {
            log: BatchedLog {
                shared: shared.clone(),
            },
            colour: false,
        };
        access.write("GET", "/beta/x", 200, Duration::from_micros(1_260));
        let line = String::from_utf8(shared.pending().bytes.clone()).unwrap();
        let (time, rest) = line.split_once(' ').unwrap();
        assert_eq!(rest, " INFO graph_mock::request: GET /beta/x 200 1.3ms\n");
        assert_eq!(time.len(), "2026-01-01T00:00:00.000000Z".len(), "{time}");
        assert!(time.ends_with('Z') && time.as_bytes()[10] == b'T', "{time}");
        assert_eq!(date_and_time(0), "1970-01-01T00:00:00");
    }

    #[test]
    fn past_the_limit_lines_are_dropped_and_counted() {
        // No writer thread: the buffer stays full until the writer runs below.
        let shared = Arc::new(Shared::default());
        let mut log = BatchedLog {
            shared: shared.clone(),
        };
        shared.pending().bytes.resize(MAX_PENDING - 4, b'.');
        log.write_all(b"fit\n").unwrap();
        log.write_all(b"too many\n").unwrap();
        log.write_all(b"again\n").unwrap();
        shared.pending().stopping = true;
        let out = Captured::default();
        write_until_stopped(&shared, out.clone());
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("fit\n"));
        assert!(!text.contains("too many") && !text.contains("again"));
        assert!(
            text.ends_with("2 log line(s) dropped: the log is written slower than requests come\n")
        );
    }
}
