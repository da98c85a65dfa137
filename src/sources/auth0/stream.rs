//! Reading a dump for `file::read_dump_for_load` as it streams past, two ways.
//!
//! [`read_chunked`] is the fast one. serde_json parses a byte slice several times
//! faster than it parses an `io::Read` (which it takes one byte at a time), but a
//! 460 MB dump read whole would more than double the memory a load needs. So the file
//! is read in chunks, and each piece of the envelope (a key, an array element, a
//! value) is parsed from the chunk that holds it; a piece cut by the chunk's end is
//! parsed again once the next chunk is in. The elements of the dump's arrays are cut
//! out and parsed on other threads, in batches (`Chunks::array_of`). It takes only a
//! well-formed dump, and gives up on anything else, leaving it to [`read`].
//!
//! [`read`] is serde visitors over the whole file. They accept exactly the documented
//! envelope; anything else is an error, and the caller then lets `read_dump` word it.

use std::fmt;
use std::io;
use std::sync::mpsc;
use std::thread;

use chrono::NaiveDate;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::elements::{ListOf, Log, Skip};
use super::facts::{ConnectionFact, OrgFact};
use super::logins::LoginTally;
use crate::sources::text::json::{nests_deeper_than, Scan, TooDeep};

/// The dump's arrays as the stream found them; `None` when absent or null.
#[derive(Default)]
pub(super) struct Parts {
    pub connections: Option<Vec<ConnectionFact>>,
    pub organizations: Option<Vec<OrgFact>>,
    pub logs: Option<LoginTally>,
}

/// Reads a whole dump with serde_json, and checks nothing follows it.
pub(super) fn read<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
) -> serde_json::Result<Parts> {
    let parts = de::Deserializer::deserialize_any(&mut de, DumpVisitor)?;
    de.end()?;
    Ok(parts)
}

pub(super) struct DumpVisitor;

impl<'de> Visitor<'de> for DumpVisitor {
    type Value = Parts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Auth0 dump object")
    }

    /// A bare array: a saved `GET /api/v2/connections` response, connections alone.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parts, A::Error> {
        let mut connections = Vec::new();
        while let Some(c) = seq.next_element()? {
            connections.push(c);
        }
        Ok(Parts {
            connections: Some(connections),
            ..Default::default()
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parts, A::Error> {
        let mut parts = Parts::default();
        let mut logs_seen = false;
        // Keys may come in any order; of a key given twice the last wins, as in a `Value`.
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Connections => parts.connections = map.next_value::<ListOf<_>>()?.0,
                Key::Organizations => parts.organizations = map.next_value::<ListOf<_>>()?.0,
                Key::Logs if logs_seen => return Err(de::Error::custom("\"logs\" appears twice")),
                Key::Logs => {
                    logs_seen = true;
                    parts.logs = map.next_value_seed(LogsSeed)?;
                }
                Key::Other => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(parts)
    }
}

/// A key of the dump's top-level object; only three are read.
#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Key {
    Connections,
    Organizations,
    Logs,
    #[serde(other)]
    Other,
}

/// `"logs"`: null (no logs) or an array of objects, counted one by one.
struct LogsSeed;

impl<'de> DeserializeSeed<'de> for LogsSeed {
    type Value = Option<LoginTally>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LogsSeed {
    type Value = Option<LoginTally>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of log objects")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut tally = LoginTally::default();
        while let Some(log) = seq.next_element::<Log>()? {
            tally.add(&log.fields());
        }
        Ok(Some(tally))
    }
}

/// A log with its day read, for a login (type `s`) only: reading the date is the costly
/// part of counting that needs no tally, so a parser thread does it.
struct ParsedLog {
    log: Log,
    day: Option<NaiveDate>,
}

impl ParsedLog {
    fn count(tally: &mut LoginTally, parsed: ParsedLog) {
        let fields = parsed.log.fields();
        if fields.is_login() {
            tally.add_login(&fields, parsed.day);
        }
    }
}

impl<'de> de::Deserialize<'de> for ParsedLog {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<ParsedLog, D::Error> {
        let log = Log::deserialize(d)?;
        let fields = log.fields();
        let day = if fields.is_login() { fields.day() } else { None };
        Ok(ParsedLog { log, day })
    }
}

// ------------------------------------------------------------ read_chunked ---

/// Reads a dump from `src`, `chunk` bytes at a time, as [`read`] would read it; `None`
/// when it is not a well-formed dump, when reading fails, or when a piece nests too
/// deep to tell ([`MAX_DEPTH`]): [`read`] then decides. Array elements are parsed on
/// other threads, about `batch` bytes of them at a time, once an array runs past one batch.
pub(super) fn read_chunked(src: &mut impl io::Read, chunk: usize, batch: usize) -> Option<Parts> {
    let mut chunks = Chunks {
        src,
        buf: vec![0; chunk.max(1)],
        pos: 0,
        end: 0,
        eof: false,
    };
    envelope(&mut chunks, batch).ok()
}

/// The pieces are parsed apart, each as if it were a whole document, so serde_json
/// lets each nest up to its limit of 127 arrays and objects, where inside the dump
/// the envelope takes two of those. A piece nesting deeper than this is left to
/// [`read`], which counts nesting as the whole file has it.
const MAX_DEPTH: usize = 120;

/// [`read_chunked`] gave up.
struct GiveUp;

impl From<TooDeep> for GiveUp {
    fn from(_: TooDeep) -> Self {
        GiveUp
    }
}

type Step<T> = Result<T, GiveUp>;

/// The envelope: `{`, then keys and values as [`DumpVisitor`] takes them, then `}`
/// and nothing but whitespace; or a bare array of connections.
fn envelope<R: io::Read>(c: &mut Chunks<'_, R>, batch: usize) -> Step<Parts> {
    let mut parts = Parts::default();
    let mut logs_seen = false;
    if c.peek()? == Some(b'[') {
        // A bare array of connections, as [`DumpVisitor::visit_seq`] takes it.
        parts.connections = c.array_of(Vec::new(), Vec::push, batch)?;
        return match c.peek()? {
            None => Ok(parts),
            Some(_) => Err(GiveUp),
        };
    }
    c.expect(b'{')?;
    if c.peek()? == Some(b'}') {
        c.pos += 1;
    } else {
        loop {
            match c.value::<Key>()? {
                Key::Connections => {
                    c.expect(b':')?;
                    parts.connections = c.array_of(Vec::new(), Vec::push, batch)?;
                }
                Key::Organizations => {
                    c.expect(b':')?;
                    parts.organizations = c.array_of(Vec::new(), Vec::push, batch)?;
                }
                Key::Logs if logs_seen => return Err(GiveUp),
                Key::Logs => {
                    logs_seen = true;
                    c.expect(b':')?;
                    parts.logs = c.array_of(LoginTally::default(), ParsedLog::count, batch)?;
                }
                Key::Other => {
                    c.expect(b':')?;
                    c.value::<Skip>()?;
                }
            }
            match c.peek()? {
                Some(b',') => c.pos += 1,
                Some(b'}') => {
                    c.pos += 1;
                    break;
                }
                _ => return Err(GiveUp),
            }
        }
    }
    match c.peek()? {
        None => Ok(parts),
        Some(_) => Err(GiveUp),
    }
}

/// A window on the file: `buf[pos..end]` is read and not yet parsed.
struct Chunks<'r, R> {
    src: &'r mut R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// The whole file is in (or was, up to `end`).
    eof: bool,
}

impl<R: io::Read> Chunks<'_, R> {
    /// Reads on after what is left; false at the end of the file.
    fn fill(&mut self) -> Step<bool> {
        if self.eof {
            return Ok(false);
        }
        self.buf.copy_within(self.pos..self.end, 0);
        self.end -= self.pos;
        self.pos = 0;
        if self.end == self.buf.len() {
            // One piece is longer than the buffer.
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(GiveUp),
            }
        }
    }

    /// The next byte that is not JSON whitespace, left unread; `None` at the end of the file.
    fn peek(&mut self) -> Step<Option<u8>> {
        loop {
            while let Some(&b) = self.buf[..self.end].get(self.pos) {
                match b {
                    b' ' | b'\n' | b'\t' | b'\r' => self.pos += 1,
                    _ => return Ok(Some(b)),
                }
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Step<()> {
        if self.peek()? != Some(byte) {
            return Err(GiveUp);
        }
        self.pos += 1;
        Ok(())
    }

    /// One JSON value, parsed from the buffer by serde_json.
    fn value<T: serde::de::DeserializeOwned>(&mut self) -> Step<T> {
        loop {
            let rest = &self.buf[self.pos..self.end];
            let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<T>();
            let parsed = values.next();
            let len = values.byte_offset();
            match parsed {
                // A value that ends where the buffer does may go on (a number) in the next chunk.
                Some(Ok(value)) if len < rest.len() || self.eof => {
                    // Counting brackets is cheap, and nesting needs at least as many.
                    let piece = &rest[..len];
                    if piece.iter().filter(|&&b| b == b'[' || b == b'{').count() > MAX_DEPTH
                        && nests_deeper_than(piece, MAX_DEPTH)
                    {
                        return Err(GiveUp);
                    }
                    self.pos += len;
                    return Ok(value);
                }
                Some(Ok(_)) => {}
                // serde_json places an error caused by running out of bytes at the end
                // (a cut number is "invalid", not "EOF"); one before the end stands.
                Some(Err(e)) if !self.eof && (e.is_eof() || error_index(rest, &e).is_some_and(|i| i >= rest.len())) => {
                }
                None if !self.eof => {}
                Some(Err(_)) | None => return Err(GiveUp),
            }
            // Cut short by the end of the buffer: parse it again with more of the file.
            self.fill()?;
        }
    }

    /// `null` (`None`), or an array whose elements, each parsed as a `T`, are folded
    /// into `acc` in file order.
    ///
    /// Parsing the dump was 60% of a 1M load's 1.6 s (perf), all on one core. So this
    /// thread only finds where each element ends (a bracket scan: 60 ms for the 1M
    /// dump's logs, which take 0.5 s to parse) and copies the elements out in batches of
    /// about `batch_size` bytes; [`PARSERS`] threads parse them, and one more folds the
    /// parsed batches into `acc` in the order they were cut, since the login tally keeps
    /// the first log of each `log_id`. An array that fits in one batch is parsed here,
    /// without threads.
    fn array_of<A: Send, T>(
        &mut self,
        mut acc: A,
        mut add: impl FnMut(&mut A, T) + Send,
        batch_size: usize,
    ) -> Step<Option<A>>
    where
        T: serde::de::DeserializeOwned + Send,
    {
        if self.peek()? != Some(b'[') {
            self.value::<()>()?;
            return Ok(None);
        }
        self.pos += 1;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(Some(acc));
        }
        let first = self.elements(batch_size)?;
        if first.last {
            first.parse()?.into_iter().for_each(|item| add(&mut acc, item));
            return Ok(Some(acc));
        }
        thread::scope(|scope| {
            // Bounded queues: a batch waits for a parser or for its turn to be folded, so
            // that the file is read no further ahead than a few batches.
            let mut to_parsers = Vec::with_capacity(PARSERS);
            let mut from_parsers = Vec::with_capacity(PARSERS);
            for _ in 0..PARSERS {
                let (to_parser, batches) = mpsc::sync_channel::<Elements>(1);
                let (parsed, from_parser) = mpsc::sync_channel::<Step<Vec<T>>>(1);
                scope.spawn(move || {
                    for batch in batches {
                        if parsed.send(batch.parse()).is_err() {
                            return;
                        }
                    }
                });
                to_parsers.push(to_parser);
                from_parsers.push(from_parser);
            }
            // Folding has a thread of its own: counting 1M logins was 0.18 s of the 0.4 s
            // this thread spent on them when it also folded (perf).
            let folder = scope.spawn(move || {
                // Batch k goes to parser k % PARSERS; a parser that hangs up has sent them all.
                for from_parser in from_parsers.iter().cycle() {
                    let Ok(items) = from_parser.recv() else { break };
                    items?.into_iter().for_each(|item| add(&mut acc, item));
                }
                Ok(acc)
            });
            let mut batch = first;
            for to_parser in to_parsers.iter().cycle() {
                let last = batch.last;
                to_parser.send(batch).map_err(|_| GiveUp)?;
                if last {
                    break;
                }
                batch = self.elements(batch_size)?;
            }
            drop(to_parsers);
            folder
                .join()
                .expect("the thread that folds parsed batches panicked")
                .map(Some)
        })
    }

    /// The array elements from `pos` on, as many as fit in `size` bytes (at least one),
    /// up to the array's end; `pos` is then past the `,` or `]` after the last of them.
    fn elements(&mut self, size: usize) -> Step<Elements> {
        let mut batch = Elements {
            bytes: Vec::with_capacity(size),
            ends: Vec::new(),
            last: false,
        };
        loop {
            let end = self.element_end()?;
            if batch.bytes.len() + (end - self.pos) > size && !batch.ends.is_empty() {
                // This element starts the next batch, which scans it again.
                return Ok(batch);
            }
            batch.bytes.extend_from_slice(&self.buf[self.pos..end]);
            batch.ends.push(batch.bytes.len());
            self.pos = end + 1;
            if self.buf[end] == b']' {
                batch.last = true;
                return Ok(batch);
            }
        }
    }

    /// Where the array element at `pos` ends: the index in `buf` of the `,` or `]` that
    /// follows it outside any string or bracket, reading on as needed. Only a
    /// well-formed element is sure to end there; [`Elements::parse`] checks.
    fn element_end(&mut self) -> Step<usize> {
        let mut scan = Scan::new(MAX_DEPTH);
        let mut at = self.pos;
        loop {
            if let Some(i) = scan.delimiter(&self.buf[at..self.end])? {
                return Ok(at + i);
            }
            let scanned = self.end - self.pos;
            if !self.fill()? {
                return Err(GiveUp);
            }
            at = self.pos + scanned;
        }
    }
}

/// How many threads parse array elements. Parsing is most of the work, and there are
/// 2 cores to share with the scan and the fold: with 2 parsers a 1M load read its dump
/// in 0.57 s, with 1 in 0.74 s (best of 10, against 1.08 s on one thread).
const PARSERS: usize = 2;

/// Array elements, each as the file has it, to be parsed apart from the file.
struct Elements {
    bytes: Vec<u8>,
    /// Where each element ends in `bytes` (where the next begins).
    ends: Vec<usize>,
    /// The array's `]` follows the last element.
    last: bool,
}

impl Elements {
    /// Parses each element as [`Chunks::value`] would: one value and whitespace,
    /// nesting no deeper than [`MAX_DEPTH`] (checked by the scan that cut it out).
    fn parse<T: serde::de::DeserializeOwned>(&self) -> Step<Vec<T>> {
        let mut start = 0;
        let mut items = Vec::with_capacity(self.ends.len());
        for &end in &self.ends {
            items.push(serde_json::from_slice(&self.bytes[start..end]).map_err(|_| GiveUp)?);
            start = end;
        }
        Ok(items)
    }
}

/// The byte index in `bytes` of a serde_json error's line and column (a column counts
/// bytes from the line's start); `None` for an error that has no position.
fn error_index(bytes: &[u8], e: &serde_json::Error) -> Option<usize> {
    let line_start = match e.line() {
        0 => return None,
        1 => 0,
        line => bytes.iter().enumerate().filter(|&(_, &b)| b == b'\n').nth(line - 2)?.0 + 1,
    };
    Some(line_start + e.column())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::auth0::facts::DumpFacts;
    use crate::sources::auth0::rows::to_rows_with_logins;
    use crate::sources::auth0::test_dumps;

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 512, failure_persistence: None, ..Default::default() })]

        /// The chunked reader, at any chunk and batch size (most dumps here take several
        /// batches, so their arrays go through the parser threads), reads what serde_json
        /// reads from the whole text, and gives up on exactly what serde_json rejects (or
        /// on deep nesting).
        #[test]
        fn read_chunked_agrees_with_read_at_any_chunk_size(text in test_dumps::dump(), chunk in 1..80usize, batch in 1..400usize) {
            let bytes = test_dumps::written(&text);
            let rows = |parts: Parts| {
                let facts = DumpFacts {
                    connections: parts.connections.unwrap_or_default(),
                    organizations: parts.organizations.unwrap_or_default(),
                };
                to_rows_with_logins(facts, parts.logs, None).map_err(|e| e.to_string())
            };
            let chunked = read_chunked(&mut bytes.as_slice(), chunk, batch).map(rows);
            let whole = read(serde_json::Deserializer::from_slice(&bytes)).ok().map(rows);
            let deep = bytes.windows(121).any(|w| w.iter().all(|&b| b == b'['));
            match (chunked, whole) {
                (None, Some(_)) => proptest::prop_assert!(deep, "gave up on a dump serde_json reads: {}", text),
                (chunked, whole) => proptest::prop_assert_eq!(chunked, whole, "{}", text),
            }
        }
    }

    #[test]
    fn read_chunked_reads_pieces_cut_anywhere() {
        let text = r#" { "other": [1e2, {"x": "\u00e9"}], "logs": [{"log_id": "1", "type": "s", "ip": -2.5e-3, "x": [true, null], "date": "2026-09-01T10:00:00Z", "connection_id": "con_1"}],
            "organizations": null, "connections": [{"id": "con_1", "strategy": "samlp", "options": {"signInEndpoint": "https://a.okta.com/x"}}, {"id": 12345}],
            "organizations": [{"id": "org_1", "enabled_connections": [{"connection_id": "con_1"}]}], "tail": 12345 } "#;
        let whole = read(serde_json::Deserializer::from_str(text)).unwrap();
        for chunk in 1..=text.len() + 1 {
            let parts = read_chunked(&mut text.as_bytes(), chunk, 1).expect("a well-formed dump");
            assert_eq!(parts.connections, whole.connections, "chunk {chunk}");
            assert_eq!(parts.organizations, whole.organizations, "chunk {chunk}");
            assert!(parts.logs.is_some());
        }
        // Nesting: up to the limit a piece is read here; past it the whole-file reader decides.
        let nested = |depth: usize| {
            let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            format!(r#"{{"connections": [{{"id": "con_1", "x": {deep}, "y": "[[[{{"}}], "organizations": []}}"#)
        };
        for (depth, takes) in [(60, true), (119, true), (121, false), (126, false)] {
            let text = nested(depth);
            let chunked = read_chunked(&mut text.as_bytes(), 64, 1).map(|p| p.connections);
            assert_eq!(chunked.is_some(), takes, "depth {depth}");
            if takes {
                let whole = read(serde_json::Deserializer::from_str(&text)).unwrap();
                assert_eq!(chunked.unwrap(), whole.connections, "depth {depth}");
            }
        }
        for bad in [
            &text[..text.len() - 3],
            "{\"logs\": [], \"logs\": []}",
            "{\"a\": 1,}",
            "{} x",
            "{\"a\": 012}",
            "",
        ] {
            assert!(read_chunked(&mut bad.as_bytes(), 4, 1).is_none(), "{bad}");
        }
    }

    /// Thousands of logs through the parser threads, in batches of every size from one log
    /// to all of them, read in chunks that cut logs anywhere: the counts are the ones the
    /// whole-file reader gives. A `log_id` comes twice, the second time on another day and
    /// connection and often in another batch, so counting batches out of order shows.
    #[test]
    fn read_chunked_parses_logs_in_parallel_as_read_does() {
        let logs: Vec<String> = (0..3000)
            .map(|i| {
                let kind = if i % 11 == 0 { "f" } else { "s" };
                let connection = match i % 13 {
                    0 => r#""connection": "acme-sso""#.to_string(),
                    _ => format!(r#""connection_id": "con_{}""#, i % 7),
                };
                // Brackets, commas and escaped quotes inside strings must not end a log.
                format!(
                    r#"{{"log_id": "{}", "type": "{kind}", "date": "2026-09-{:02}T10:00:00Z", {connection}, "description": "a \"],[\" b\\", "details": {{"x": [1, "}}]", {{}}]}}}}"#,
                    i % 1700,
                    1 + i / 100 % 28,
                )
            })
            .collect();
        let text = format!(
            "{{\"connections\": [{{\"id\": \"con_1\", \"name\": \"acme-sso\", \"strategy\": \"samlp\"}}], \"organizations\": [],\n\"logs\": [\n{}\n], \"tail\": [1]}}",
            logs.join(",\n  ")
        );
        let rows = |parts: Parts| {
            let facts = DumpFacts {
                connections: parts.connections.unwrap_or_default(),
                organizations: parts.organizations.unwrap_or_default(),
            };
            to_rows_with_logins(facts, parts.logs, None).unwrap()
        };
        let whole = rows(read(serde_json::Deserializer::from_str(&text)).unwrap());
        let logins: i64 = whole.logins.iter().flatten().map(|l| l.logins).sum();
        // Log ids 0..1700 each count once, when any of their (one or two) logs is type s.
        let ids_logged_in = (0..1700)
            .filter(|i| i % 11 != 0 || (i < &1300 && (i + 1700) % 11 != 0))
            .count();
        assert_eq!(logins, ids_logged_in as i64);
        for (chunk, batch) in [
            (1 << 20, 1),
            (64, 1),
            (333, 700),
            (4096, 5_000),
            (1000, 100_000),
            (77, 1 << 20),
        ] {
            let chunked = read_chunked(&mut text.as_bytes(), chunk, batch).expect("a well-formed dump");
            assert_eq!(rows(chunked), whole, "chunk {chunk}, batch {batch}");
        }
        // Broken halfway through the logs: one `}` too many, a log that is no object, cut short.
        let half = text.len() / 2 + text[text.len() / 2..].find("},\n").unwrap();
        let broken = [
            format!("{}}}{}", &text[..half], &text[half..]),
            format!("{}}},\n 1{}", &text[..half], &text[half + 1..]),
            text[..half].to_string(),
        ];
        for bad in broken {
            assert!(read(serde_json::Deserializer::from_str(&bad)).is_err());
            assert!(
                read_chunked(&mut bad.as_bytes(), 256, 300).is_none(),
                "{}",
                &bad[half - 50..]
            );
        }
    }
}
