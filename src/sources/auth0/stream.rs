//! Reading a dump for `model::read_dump_for_load` as it streams past, two ways.
//!
//! [`read_chunked`] is the fast one. serde_json parses a byte slice several times
//! faster than it parses an `io::Read` (which it takes one byte at a time), but a
//! 460 MB dump read whole would more than double the memory a load needs. So the file
//! is read in chunks, and each piece of the envelope (a key, an array element, a
//! value) is parsed from the chunk that holds it; a piece cut by the chunk's end is
//! parsed again once the next chunk is in. It takes only a well-formed dump, and gives
//! up on anything else, leaving it to [`read`].
//!
//! [`read`] is serde visitors over the whole file. They accept exactly the documented
//! envelope; anything else is an error, and the caller then lets `read_dump` word it.

use std::fmt;
use std::io;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::facts::{ConnectionFact, ListOf, OrgFact, Skip};
use super::rows::{LogFields, LoginTally};

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
    let parts = de::Deserializer::deserialize_map(&mut de, DumpVisitor)?;
    de.end()?;
    Ok(parts)
}

pub(super) struct DumpVisitor;

impl<'de> Visitor<'de> for DumpVisitor {
    type Value = Parts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an Auth0 dump object")
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

/// The fields of a log object that counting reads, each kept only when it is a string.
#[derive(Default)]
struct Log {
    log_id: Option<String>,
    kind: Option<String>,
    date: Option<String>,
    connection: Option<String>,
    connection_id: Option<String>,
}

impl Log {
    fn fields(&self) -> LogFields<'_> {
        // As `str_field`: trimmed, and an empty string counts as absent.
        fn f(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        LogFields {
            log_id: f(&self.log_id),
            kind: f(&self.kind),
            date: f(&self.date),
            connection: f(&self.connection),
            connection_id: f(&self.connection_id),
        }
    }
}

impl<'de> de::Deserialize<'de> for Log {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Log, D::Error> {
        d.deserialize_map(LogVisitor)
    }
}

struct LogVisitor;

impl<'de> Visitor<'de> for LogVisitor {
    type Value = Log;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a log object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Log, A::Error> {
        let mut log = Log::default();
        while let Some(key) = map.next_key::<LogKey>()? {
            let slot = match key {
                LogKey::LogId => &mut log.log_id,
                LogKey::Type => &mut log.kind,
                LogKey::Date => &mut log.date,
                LogKey::Connection => &mut log.connection,
                LogKey::ConnectionId => &mut log.connection_id,
                LogKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value::<MaybeString>()?.0;
        }
        Ok(log)
    }
}

/// A key of a log object; only five are read.
#[derive(serde::Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum LogKey {
    LogId,
    Type,
    Date,
    Connection,
    ConnectionId,
    #[serde(other)]
    Other,
}

/// Any JSON value; keeps the text when it is a string (as `Value::as_str` would).
struct MaybeString(Option<String>);

impl<'de> de::Deserialize<'de> for MaybeString {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<MaybeString, D::Error> {
        match <Value as de::Deserialize>::deserialize(d)? {
            Value::String(s) => Ok(MaybeString(Some(s))),
            _ => Ok(MaybeString(None)),
        }
    }
}

// ------------------------------------------------------------ read_chunked ---

/// Reads a dump from `src`, `chunk` bytes at a time, as [`read`] would read it; `None`
/// when it is not a well-formed dump, when reading fails, or when a piece nests too
/// deep to tell ([`MAX_DEPTH`]): [`read`] then decides.
pub(super) fn read_chunked(src: &mut impl io::Read, chunk: usize) -> Option<Parts> {
    let mut chunks = Chunks {
        src,
        buf: vec![0; chunk.max(1)],
        pos: 0,
        end: 0,
        eof: false,
    };
    envelope(&mut chunks).ok()
}

/// The pieces are parsed apart, each as if it were a whole document, so serde_json
/// lets each nest up to its limit of 127 arrays and objects, where inside the dump
/// the envelope takes two of those. A piece nesting deeper than this is left to
/// [`read`], which counts nesting as the whole file has it.
const MAX_DEPTH: usize = 120;

/// [`read_chunked`] gave up.
struct GiveUp;

type Step<T> = Result<T, GiveUp>;

/// The envelope: `{`, then keys and values as [`DumpVisitor`] takes them, then `}`
/// and nothing but whitespace.
fn envelope<R: io::Read>(c: &mut Chunks<'_, R>) -> Step<Parts> {
    let mut parts = Parts::default();
    let mut logs_seen = false;
    c.expect(b'{')?;
    if c.peek()? == Some(b'}') {
        c.pos += 1;
    } else {
        loop {
            match c.value::<Key>()? {
                Key::Connections => {
                    c.expect(b':')?;
                    parts.connections = c.array_of(Vec::new(), Vec::push)?;
                }
                Key::Organizations => {
                    c.expect(b':')?;
                    parts.organizations = c.array_of(Vec::new(), Vec::push)?;
                }
                Key::Logs if logs_seen => return Err(GiveUp),
                Key::Logs => {
                    logs_seen = true;
                    c.expect(b':')?;
                    parts.logs = c.array_of(LoginTally::default(), |tally, log: Log| tally.add(&log.fields()))?;
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
                        && nesting(piece) > MAX_DEPTH
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

    /// `null` (`None`), or an array whose elements, each parsed as a `T`, are folded into `acc`.
    fn array_of<A, T: serde::de::DeserializeOwned>(&mut self, mut acc: A, add: impl Fn(&mut A, T)) -> Step<Option<A>> {
        if self.peek()? != Some(b'[') {
            self.value::<()>()?;
            return Ok(None);
        }
        self.pos += 1;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(Some(acc));
        }
        loop {
            let item = self.value::<T>()?;
            add(&mut acc, item);
            match self.peek()? {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Some(acc));
                }
                _ => return Err(GiveUp),
            }
        }
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

/// How deep arrays and objects nest in `piece`, one JSON value.
fn nesting(piece: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in piece {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    deepest
}
