//! Batch mode for logs: JSON Lines in (`{"status":..,"headers":{..},"body":".."}` or `{"raw":".."}`), one
//! JSON [`Report`] per line out, in input order; a line that cannot be read yields a [`LineError`] in place.
//!
//! Batch reports carry only the next steps specific to each response (wait N s, fix field X); the catalog's
//! general fixes for a code are one `apiprobe lookup CODE` away.
//!
//! Memory stays flat: the input is cut into chunks of whole lines, a bounded queue feeds one worker per
//! core, and a writer puts the finished chunks back in order. At most `2 × workers` chunks are in flight.
//! A line seen a moment ago is answered from the worker's [`memo`]. The output is exactly what
//! [`explain_line`] gives for each line alone (a property test and a fuzz target hold the pipeline to it).

mod counts;
mod line;
mod memo;
mod scan;
mod write;

use crate::reading::{explain_parts, Steps};
use apiprobe_catalog::{Catalog, LineError, Report};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Read, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// Bytes per chunk of input handed to a worker.
const CHUNK: usize = 256 * 1024;
/// Longest input line read; a longer one is reported as an error and skipped.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// How to run a batch.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Worker threads; 0 means one per available core.
    pub workers: usize,
}

/// Counts over a whole batch.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Input lines seen (blank lines are skipped and not counted).
    pub lines: u64,
    /// Lines explained.
    pub explained: u64,
    /// Lines that were not readable (`{"line":N,"error":..}` in the output).
    pub errors: u64,
    /// Responses without an error (2xx, nothing in the body).
    pub ok: u64,
    /// Reports by category (`client`, `auth`, `server`, and `none` when no catalog entry fits).
    pub by_category: BTreeMap<String, u64>,
    /// Reports by catalog code (`PRB-1401`, `404`).
    pub by_code: BTreeMap<String, u64>,
    /// Reports by vendor whose own code was read (`none` when no vendor's format was recognised).
    pub by_vendor: BTreeMap<String, u64>,
}

impl Summary {
    fn count_n(&mut self, category: &str, code: &str, vendor: &str, n: u64) {
        bump(&mut self.by_category, category, n);
        bump(&mut self.by_code, code, n);
        bump(&mut self.by_vendor, vendor, n);
    }

    fn merge(&mut self, o: Summary) {
        self.lines += o.lines;
        self.explained += o.explained;
        self.errors += o.errors;
        self.ok += o.ok;
        for (map, other) in [
            (&mut self.by_category, o.by_category),
            (&mut self.by_code, o.by_code),
            (&mut self.by_vendor, o.by_vendor),
        ] {
            for (k, v) in other {
                *map.entry(k).or_insert(0) += v;
            }
        }
    }
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str, n: u64) {
    match map.get_mut(key) {
        Some(c) => *c += n,
        None => {
            map.insert(key.to_string(), n);
        }
    }
}

/// Explains one input line (without its line break) on its own; the error string for a [`LineError`]
/// otherwise. This is the reference [`run`] keeps to, line for line.
pub fn explain_line(catalog: &Catalog, line: &[u8]) -> Result<Report, String> {
    if line.len() > MAX_LINE {
        return Err(too_long(line.len()));
    }
    line::explain(catalog, line)
}

fn too_long(bytes: usize) -> String {
    format!("line is {bytes} bytes, over the {MAX_LINE} byte limit")
}

/// [`explain_line`], reading the common form with [`scan`] into the worker's buffers.
fn explain_fast(
    catalog: &Catalog,
    line: &[u8],
    scratch: &mut scan::Scratch,
) -> Result<Report, String> {
    if line.len() > MAX_LINE {
        return Err(too_long(line.len()));
    }
    match scan::scan(line, scratch) {
        Some((status, text)) => {
            scratch.decode(text);
            let (headers, body) = scratch.parts(line);
            Ok(explain_parts(
                catalog,
                status,
                headers,
                body,
                Steps::Specific,
            ))
        }
        None => line::explain(catalog, line),
    }
}

/// Appends one output line (its line break included) for input line number `this`.
fn write_line(out: &mut Vec<u8>, this: u64, res: Result<&Report, String>) {
    let start = out.len();
    let error = match res {
        Ok(r) if write::write_report(out, r) => None,
        Ok(r) => serde_json::to_writer(&mut *out, r)
            .err()
            .map(|e| format!("report not written: {e}")),
        Err(e) => Some(e),
    };
    if let Some(error) = error {
        out.truncate(start);
        // A line error is two plain fields: serde_json cannot fail on it.
        let _ = serde_json::to_writer(&mut *out, &LineError { line: this, error });
    }
    out.push(b'\n');
}

struct Job {
    seq: u64,
    first_line: u64,
    /// The buffer; only `data[..len]` is this chunk's (the rest is left from earlier use).
    data: Vec<u8>,
    len: usize,
    /// The chunk is one line longer than [`MAX_LINE`], of this many bytes, which was not kept.
    too_long: Option<usize>,
}

struct Done {
    seq: u64,
    out: Vec<u8>,
    summary: Summary,
}

/// What a worker keeps from chunk to chunk.
#[derive(Default)]
struct Worker {
    memo: memo::Memo,
    counts: counts::Counts,
    scratch: scan::Scratch,
}

fn work(catalog: &Catalog, job: &Job, mut out: Vec<u8>, w: &mut Worker) -> Done {
    out.clear();
    let mut summary = Summary::default();
    if let Some(bytes) = job.too_long {
        summary.lines += 1;
        summary.errors += 1;
        write_line(&mut out, job.first_line, Err(too_long(bytes)));
    }
    let data = job.data.get(..job.len).unwrap_or_default();
    let ends = memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len()));
    let mut start = 0;
    for (this, end) in (job.first_line..).zip(ends) {
        let line = data.get(start..end).unwrap_or_default();
        start = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        summary.lines += 1;
        let hash = w.memo.hash(line);
        if let Some(key) = w.memo.replay(hash, line, &mut out) {
            w.counts.add_key(key);
            out.push(b'\n');
            continue;
        }
        let at = out.len();
        match explain_fast(catalog, line, &mut w.scratch) {
            Ok(r) => {
                let key = w.counts.add(&r);
                write_line(&mut out, this, Ok(&r));
                // Kept without its line break, which the replay adds.
                w.memo.keep(hash, line, &out[at..out.len() - 1], key);
            }
            Err(e) => {
                summary.errors += 1;
                write_line(&mut out, this, Err(e));
            }
        }
    }
    // Each chunk's summary carries its own counts, so totals never depend on how chunks were shared.
    w.counts.drain_into(&mut summary);
    Done {
        seq: job.seq,
        out,
        summary,
    }
}

/// Reads JSON Lines from `input`, writes one JSON line per input line to `out`, in order; returns the
/// counts. A write error stops everything at once (a reader gone, as with `| head`): it is returned, and
/// the rest of the input is not read.
pub fn run<R: Read, W: Write + Send>(
    catalog: &Catalog,
    mut input: R,
    out: W,
    opts: &Options,
) -> io::Result<Summary> {
    let workers = if opts.workers == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.workers
    };
    let (job_tx, job_rx) = sync_channel::<Job>(workers * 2);
    let (done_tx, done_rx) = sync_channel::<Done>(workers * 2);
    // Used buffers go back to be filled again: fresh large buffers cost page faults on every chunk.
    let (free_in_tx, free_in_rx) = channel::<Vec<u8>>();
    let (free_out_tx, free_out_rx) = channel::<Vec<u8>>();
    // Only the workers hold the queue's end: when the writer stops, they stop, the queue closes, and
    // the reader stops at its next chunk.
    let job_rx = Arc::new(Mutex::new(job_rx));
    let free_out_rx = Mutex::new(free_out_rx);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let free_in_tx = free_in_tx.clone();
            let job_rx = Arc::clone(&job_rx);
            let free_out_rx = &free_out_rx;
            scope.spawn(move || {
                let mut worker = Worker::default();
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    let out = free_out_rx
                        .lock()
                        .ok()
                        .and_then(|rx| rx.try_recv().ok())
                        .unwrap_or_else(|| Vec::with_capacity(job.len * 3));
                    let done = work(catalog, &job, out, &mut worker);
                    let _ = free_in_tx.send(job.data);
                    if done_tx.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        drop((done_tx, free_in_tx, job_rx));
        let writer = scope.spawn(move || write_in_order(done_rx, out, free_out_tx));
        let read = feed(&mut input, &job_tx, &free_in_rx);
        drop(job_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread failed")));
        // A write error is the cause when both failed: the reader only saw the queue close.
        let summary = written?;
        read?;
        Ok(summary)
    })
}

/// Cuts the input into chunks that end on a line break and queues them. A line longer than
/// [`MAX_LINE`] is read to its end without being kept and queued as one error.
fn feed<R: Read>(input: &mut R, tx: &SyncSender<Job>, free: &Receiver<Vec<u8>>) -> io::Result<()> {
    let mut seq = 0;
    let mut line_no = 1u64;
    let mut carry: Vec<u8> = Vec::new();
    loop {
        // A buffer back from a worker keeps its length: only new room is zeroed, not every chunk.
        let mut buf = free.try_recv().unwrap_or_default();
        let start = carry.len();
        let want = start + CHUNK;
        if buf.len() < want {
            buf.resize(want, 0);
        }
        buf[..start].copy_from_slice(&carry);
        carry.clear();
        let filled = start + read_full(input, &mut buf[start..want])?;
        let eof = filled < want;
        let mut len = filled;
        let mut too_long = None;
        if !eof {
            // The carried part holds no line break: only the new bytes are searched.
            match memchr::memrchr(b'\n', &buf[start..filled]).map(|i| start + i) {
                Some(i) => {
                    carry.extend_from_slice(&buf[i + 1..filled]);
                    len = i + 1;
                }
                // No line break in the whole buffer: one long line; keep reading it.
                None if filled <= MAX_LINE + 1 => {
                    carry.extend_from_slice(&buf[..filled]);
                    continue;
                }
                // Over the limit: the rest of the line is read and dropped, and it counts as one.
                None => {
                    // The input may end here: the next read then finds nothing more.
                    let (bytes, rest) = skip_line(input, &mut buf[..filled])?;
                    too_long = Some(filled + bytes);
                    carry.extend_from_slice(rest);
                    len = 0;
                }
            }
        }
        if len > 0 || too_long.is_some() {
            let lines = memchr::memchr_iter(b'\n', &buf[..len]).count() as u64;
            let first_line = line_no;
            line_no += lines + u64::from(too_long.is_some());
            let job = Job {
                seq,
                first_line,
                data: buf,
                len,
                too_long,
            };
            seq += 1;
            if tx.send(job).is_err() {
                return Ok(());
            }
        }
        if eof {
            return Ok(());
        }
    }
}

/// Fills `buf` from `input`; fewer bytes than its length only at the end of the input.
fn read_full<R: Read>(input: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads the rest of a line into `buf`, over and over, up to its line break or the end of the input:
/// returns the bytes of the line read here (its line break excluded) and what was read after the break.
fn skip_line<'b, R: Read>(input: &mut R, buf: &'b mut [u8]) -> io::Result<(usize, &'b [u8])> {
    let mut bytes = 0;
    loop {
        let n = read_full(input, buf)?;
        match memchr::memchr(b'\n', &buf[..n]) {
            Some(i) => return Ok((bytes + i, &buf[i + 1..n])),
            None if n < buf.len() => return Ok((bytes + n, &[])),
            None => bytes += n,
        }
    }
}

/// Writes the finished chunks in input order; the first write error ends it (and so the run).
fn write_in_order<W: Write>(
    rx: Receiver<Done>,
    mut out: W,
    free: std::sync::mpsc::Sender<Vec<u8>>,
) -> io::Result<Summary> {
    let mut next = 0u64;
    let mut waiting: HashMap<u64, Done> = HashMap::new();
    let mut total = Summary::default();
    for done in rx {
        waiting.insert(done.seq, done);
        while let Some(d) = waiting.remove(&next) {
            next += 1;
            out.write_all(&d.out)?;
            total.merge(d.summary);
            let _ = free.send(d.out);
        }
    }
    out.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn run_str(input: &str, workers: usize) -> (String, Summary) {
        let mut out = Vec::new();
        let s = run(
            Catalog::builtin(),
            input.as_bytes(),
            &mut out,
            &Options { workers },
        )
        .unwrap();
        (String::from_utf8(out).unwrap(), s)
    }

    /// What [`run`] must give: each line explained alone by [`explain_line`] and written by serde_json.
    fn alone(input: &[u8]) -> (Vec<u8>, u64) {
        let mut out = Vec::new();
        let mut errors = 0;
        for (i, line) in input.split(|&b| b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match explain_line(Catalog::builtin(), line) {
                Ok(r) => serde_json::to_writer(&mut out, &r).unwrap(),
                Err(error) => {
                    errors += 1;
                    let line = i as u64 + 1;
                    serde_json::to_writer(&mut out, &LineError { line, error }).unwrap()
                }
            }
            out.push(b'\n');
        }
        (out, errors)
    }

    #[test]
    fn keeps_order_and_reports_bad_lines_in_place() {
        let mut input = String::new();
        for i in 0..5000 {
            if i % 1000 == 7 {
                input.push_str("{\"status\": 4\n");
            } else {
                input.push_str(&format!(
                    "{{\"status\":{},\"headers\":{{\"retry-after\":\"{}\"}},\"body\":\"\"}}\n",
                    400 + i % 100,
                    i
                ));
            }
        }
        let (out, s) = run_str(&input, 3);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 5000);
        assert_eq!(s.lines, 5000);
        assert_eq!(s.errors, 5);
        assert!(lines[7].starts_with("{\"line\":8,"), "{}", lines[7]);
        let r: Report = serde_json::from_str(lines[4999]).unwrap();
        assert_eq!(r.retry_after_s, Some(4999.0));
        assert_eq!(r.status, Some(499));
    }

    #[test]
    fn header_values_are_strings_numbers_or_lists_of_strings() {
        let input = "{\"status\":429,\"headers\":{\"retry-after\":12,\"x-a\":[\"1\",\"2\"],\"x-b\":1.5}}\n{\"status\":429,\"headers\":{\"retry-after\":true}}\n{\"status\":429,\"headers\":{\"x\":[\"a\",{\"b\":[1]}]}}\n";
        let (out, s) = run_str(input, 1);
        let lines: Vec<&str> = out.lines().collect();
        let r: Report = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(r.retry_after_s, Some(12.0));
        assert_eq!(s.errors, 2);
        assert!(
            lines[1].contains("did not match any variant"),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains("column 45"), "{}", lines[2]);
    }

    #[test]
    fn accepts_raw_responses_and_header_lists() {
        let input = "{\"raw\":\"HTTP/1.1 429 Too Many Requests\\r\\nRetry-After: 7\\r\\n\\r\\n\"}\n{\"status\":401,\"headers\":[[\"WWW-Authenticate\",\"Bearer error=\\\"invalid_token\\\"\"]]}\n\n{\"status\":\"x\"}\n[1]\n";
        let (out, s) = run_str(input, 1);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4);
        let r: Report = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(r.retry_after_s, Some(7.0));
        let r: Report = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(r.vendor_code.as_deref(), Some("invalid_token"));
        assert!(lines[2].contains("\"line\":4"));
        assert!(lines[3].contains("\"line\":5"));
        assert_eq!((s.lines, s.errors), (4, 2));
    }
    #[test]
    fn a_line_longer_than_the_limit_gives_exactly_one_error_line() {
        let ok = "{\"status\":429,\"headers\":{\"retry-after\":\"3\"}}";
        let long = format!("{{\"status\":500,\"body\":\"{}\"}}", "x".repeat(20 << 20));
        for (input, at) in [
            (format!("{ok}\n{long}\n{ok}\r\n\n{ok}"), 2),
            (format!("{long}\n{ok}\n"), 1),
            (format!("{ok}\n{long}"), 2),
        ] {
            let (out, s) = run_str(&input, 2);
            let lines: Vec<&str> = out.lines().collect();
            let want = input.lines().filter(|l| !l.trim().is_empty()).count();
            assert_eq!(lines.len(), want, "{out:.300}");
            assert_eq!((s.lines, s.errors), (want as u64, 1));
            let bad: serde_json::Value = serde_json::from_str(lines[at - 1]).unwrap();
            assert_eq!(bad["line"], at);
            assert_eq!(
                bad["error"],
                format!(
                    "line is {} bytes, over the {MAX_LINE} byte limit",
                    long.len()
                )
            );
            // The lines after it keep their own numbers and reports.
            for l in lines.iter().filter(|l| !l.contains("\"line\"")) {
                let r: Report = serde_json::from_str(l).unwrap();
                assert_eq!(r.retry_after_s, Some(3.0));
            }
        }
    }

    /// Endless JSON Lines, counting what was read.
    struct Endless(Arc<AtomicUsize>);

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            const LINE: &[u8] = b"{\"status\":503,\"headers\":{\"retry-after\":\"9\"},\"body\":\"upstream down\"}\n";
            let done = self.0.load(Ordering::Relaxed);
            // Stops after 1 GiB, so that a pipeline that does not stop ends this test instead of hanging.
            if done >= 1 << 30 {
                return Ok(0);
            }
            for (i, b) in buf.iter_mut().enumerate() {
                *b = LINE[(done + i) % LINE.len()];
            }
            self.0.fetch_add(buf.len(), Ordering::Relaxed);
            Ok(buf.len())
        }
    }

    /// A reader that goes away after `left` bytes, as `| head` does.
    struct Closing {
        left: usize,
    }

    impl Write for Closing {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.left);
            self.left -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_error_stops_the_run_at_once() {
        let read = Arc::new(AtomicUsize::new(0));
        let err = run(
            Catalog::builtin(),
            Endless(Arc::clone(&read)),
            Closing { left: 1000 },
            &Options { workers: 2 },
        )
        .expect_err("the write error is returned");
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        // The queue holds a few chunks: once the writer stops, the reader stops at the next one.
        let read = read.load(Ordering::Relaxed);
        assert!(
            read < 16 * CHUNK,
            "read {read} bytes after the output closed"
        );
    }

    /// Lines as logs have them: the common form with ids and dates that change, repeats, the other
    /// forms (`raw`, header lists), log text, broken JSON, blank lines and CRLF.
    fn log_line() -> impl Strategy<Value = String> {
        let id = "[a-z0-9_-]{0,12}";
        let body = prop_oneof![
            Just(String::new()),
            Just("{\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"Too many requests\"}}".to_string()),
            Just("{\"ok\":false,\"error\":\"invalid_auth\"}".to_string()),
            Just("<Error><Code>NoSuchKey</Code><RequestId>4442587FB7D0A2F9</RequestId></Error>".to_string()),
            Just("<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>".to_string()),
            "(?s).{0,40}",
        ];
        let common = (
            prop::sample::select(&[200u16, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503][..]),
            id,
            prop::sample::select(
                &[
                    "application/json",
                    "application/problem+json",
                    "text/html",
                    "application/xml",
                ][..],
            ),
            prop::option::of("[0-9]{1,3}"),
            body,
        )
            .prop_map(|(status, id, ct, retry, body)| {
                let mut headers = serde_json::Map::new();
                headers.insert("x-request-id".into(), id.into());
                headers.insert("content-type".into(), ct.into());
                if let Some(r) = retry {
                    headers.insert("retry-after".into(), r.into());
                }
                serde_json::json!({"status": status, "headers": headers, "body": body}).to_string()
            });
        prop_oneof![
            6 => common,
            1 => Just("{\"raw\":\"HTTP/1.1 429 Too Many Requests\\r\\nRetry-After: 7\\r\\n\\r\\n\"}".to_string()),
            1 => Just("{\"status\":401,\"headers\":[[\"WWW-Authenticate\",\"Bearer error=\\\"invalid_token\\\"\"]]}".to_string()),
            1 => Just("curl: (7) Failed to connect to api.example.com port 443 after 3 ms: Connection refused".to_string()),
            1 => Just("{\"status\": 4".to_string()),
            1 => "(?s).{0,30}",
            1 => Just(" ".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The pipeline (fast reader, memo, fast writer, chunks, workers, in-order writer, one tally)
        /// gives exactly what explaining each line alone gives.
        #[test]
        fn run_is_each_line_explained_alone(
            lines in prop::collection::vec(log_line(), 0..40),
            repeats in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
            crlf in any::<bool>(),
            workers in 1usize..4,
        ) {
            let mut lines = lines;
            if !lines.is_empty() {
                for r in &repeats {
                    let again = lines[r.index(lines.len())].clone();
                    lines.push(again);
                }
            }
            let input = lines.join(if crlf { "\r\n" } else { "\n" });
            let mut out = Vec::new();
            let s = run(Catalog::builtin(), input.as_bytes(), &mut out, &Options { workers }).unwrap();
            let (want, errors) = alone(input.as_bytes());
            prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&want));
            prop_assert_eq!(s.errors, errors);
            prop_assert_eq!(s.lines, s.explained + s.errors);
        }
    }
}
