//! Cell-level parsing shared by the input readers: byte decoding (BOM,
//! UTF-16, Windows-1252 fallback, NUL stripping), booleans, exact money
//! amounts, Salesforce 15→18-character IDs and workspace-ID lists.
//!
//! Everything here works on one value at a time and returns short phrases as
//! errors; the readers add the `FILE:LINE: column` prefix, because only they
//! know where the value came from.

use anyhow::{bail, Context};

/// An exact money amount in cents, with the currency the text itself named
/// (ISO code or a symbol that implies one). `$` implies no currency, because
/// it is also the sign of CAD, AUD, SGD and others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Money {
    pub cents: i128,
    pub currency: Option<String>,
}

/// Largest magnitude DECIMAL(18,2) holds, in cents, plus one.
const CENTS_LIMIT: i128 = 1_000_000_000_000_000_000;

const MONEY_FORMS: &str = "expected forms like 120000.00, $120,000.00 or USD 120,000.00";

/// Turns file bytes into text. Returns the text and, when the encoding had to
/// be guessed, a warning for the user.
///
/// Salesforce lets the user pick the export encoding (UTF-8, ISO-8859-1,
/// UTF-16), and files re-saved in Excel become Windows-1252, so we sniff a
/// BOM, try UTF-8, and fall back to Windows-1252 (a superset of ISO-8859-1
/// for printable text). NUL bytes are dropped because Bulk API results can
/// contain them and they would otherwise end up inside IDs.
pub(crate) fn decode_text(bytes: &[u8], origin: &str) -> anyhow::Result<(String, Option<String>)> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return decode_utf16(rest, encoding_rs::UTF_16LE, origin);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return decode_utf16(rest, encoding_rs::UTF_16BE, origin);
    }
    let (rest, had_bom) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    if !rest.contains(&0) {
        // The common case, copied whole rather than byte by byte.
        if let Ok(text) = std::str::from_utf8(rest) {
            return Ok((text.to_string(), None));
        }
    }
    let cleaned: Vec<u8> = rest.iter().copied().filter(|&b| b != 0).collect();
    match String::from_utf8(cleaned) {
        Ok(text) => Ok((text, None)),
        Err(err) => {
            let bytes = err.into_bytes();
            if had_bom {
                // A UTF-8 BOM followed by invalid UTF-8 is a damaged file, not
                // another encoding: guessing would silently garble names.
                let at = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
                let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
                bail!(
                    "{origin}:{line}: starts with a UTF-8 byte-order mark but is not valid UTF-8; \
                     re-export it with Encoding: Unicode (UTF-8)"
                );
            }
            let at = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
            let warning = format!(
                "{origin} is not UTF-8 (first at line {line}); read it as Windows-1252 (Excel's and Salesforce's \
                 ISO-8859-1 export option). Re-export with Encoding: Unicode (UTF-8) to be sure"
            );
            Ok((text.into_owned(), Some(warning)))
        }
    }
}

fn decode_utf16(
    rest: &[u8],
    encoding: &'static encoding_rs::Encoding,
    origin: &str,
) -> anyhow::Result<(String, Option<String>)> {
    let (text, had_errors) = encoding.decode_without_bom_handling(rest);
    if had_errors {
        bail!(
            "{origin} starts with a {} byte-order mark but is not valid {}; \
             re-export it with Encoding: Unicode (UTF-8)",
            encoding.name(),
            encoding.name()
        );
    }
    Ok((text.replace('\0', ""), None))
}

/// Parses a flag cell. `Ok(None)` is an empty cell (unknown, counted by
/// `doctor`); `Err(())` leaves the message to the caller, which knows the
/// file, line and column.
pub(crate) fn parse_bool(cell: &str) -> Result<Option<bool>, ()> {
    let value = cell.trim();
    if value.is_empty() {
        return Ok(None);
    }
    match value.to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" => Ok(Some(true)),
        "false" | "f" | "no" | "n" | "0" => Ok(Some(false)),
        _ => Err(()),
    }
}

/// Parses a money cell exactly (never through f64) into cents.
///
/// `,` is always a thousands separator: European decimal commas are refused
/// rather than guessed, because `1,200` means 1200 in one locale and 1.2 in
/// another and a wrong guess is off by a factor of 1000.
pub(crate) fn parse_money(cell: &str) -> Result<Option<Money>, String> {
    let original = cell.trim();
    if original.is_empty() {
        return Ok(None);
    }
    let not_money = || format!("`{original}` is not a money amount ({MONEY_FORMS})");

    // Peel signs, parentheses, currency codes and symbols off both ends, in
    // whatever order they come (`USD (12.50)`, `($12.50)`, `-$12.50`, ...).
    let mut rest = original;
    let mut negative = false;
    let mut code: Option<String> = None;
    let mut symbol: Option<Option<&str>> = None; // Some(None) = `$`
    loop {
        let before = rest;
        if !negative {
            if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                negative = true;
                rest = inner.trim();
            } else if let Some(inner) = rest.strip_prefix('-') {
                negative = true;
                rest = inner.trim_start();
            }
        }
        if code.is_none() {
            if let Some((found, inner)) = currency_code_prefix(rest) {
                code = Some(found);
                rest = inner;
            } else if let Some((found, inner)) = currency_code_suffix(rest) {
                code = Some(found);
                rest = inner;
            }
        }
        if symbol.is_none() {
            for (sym, implied) in [("$", None), ("€", Some("EUR")), ("£", Some("GBP"))] {
                if let Some(inner) = rest.strip_prefix(sym) {
                    symbol = Some(implied);
                    rest = inner.trim_start();
                    break;
                }
                if let Some(inner) = rest.strip_suffix(sym) {
                    symbol = Some(implied);
                    rest = inner.trim_end();
                    break;
                }
            }
        }
        if rest == before {
            break;
        }
    }
    let currency = match (code, symbol.flatten()) {
        (Some(code), Some(implied)) if code != implied => {
            return Err(format!(
                "`{original}` names two currencies ({code} and {implied}); keep one"
            ))
        }
        (Some(code), _) => Some(code),
        (None, implied) => implied.map(str::to_string),
    };

    let cents = parse_decimal_cents(rest, original).map_err(|problem| match problem {
        DecimalProblem::Syntax => not_money(),
        DecimalProblem::Other(message) => message,
    })?;
    Ok(Some(Money {
        cents: if negative { -cents } else { cents },
        currency,
    }))
}

/// `USD 120,000.00`: three ASCII letters, then whitespace. The whitespace is
/// required so that garbage like `12abc` is not read as 12 ABC.
fn currency_code_prefix(text: &str) -> Option<(String, &str)> {
    let head = text.get(..3)?;
    let tail = text.get(3..)?;
    if head.bytes().all(|b| b.is_ascii_alphabetic()) && tail.starts_with(char::is_whitespace) {
        Some((head.to_ascii_uppercase(), tail.trim_start()))
    } else {
        None
    }
}

/// `120,000.00 USD`, with the same whitespace rule as the prefix.
fn currency_code_suffix(text: &str) -> Option<(String, &str)> {
    let split = text.len().checked_sub(3)?;
    let head = text.get(..split)?;
    let tail = text.get(split..)?;
    if tail.bytes().all(|b| b.is_ascii_alphabetic()) && head.ends_with(char::is_whitespace) {
        Some((tail.to_ascii_uppercase(), head.trim_end()))
    } else {
        None
    }
}

enum DecimalProblem {
    /// Not a number at all: the caller says which forms are accepted.
    Syntax,
    /// A number with a specific problem, already phrased.
    Other(String),
}

/// Parses an unsigned decimal (`120,000.00`, `1.2E7`) into cents without
/// floating point: the digits are shifted as text, so `1.2E7` is exactly
/// 1200000000 cents.
fn parse_decimal_cents(number: &str, original: &str) -> Result<i128, DecimalProblem> {
    let (mantissa, exponent) = match number.find(['e', 'E']) {
        Some(at) => {
            let exp_text = &number[at + 1..];
            let digits = exp_text.strip_prefix(['+', '-']).unwrap_or(exp_text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DecimalProblem::Syntax);
            }
            // An exponent this large cannot give a representable amount
            // unless the digits are all zero; clamp so the arithmetic stays small.
            let exp: i64 = exp_text
                .parse()
                .unwrap_or(if exp_text.starts_with('-') { -1000 } else { 1000 });
            (&number[..at], exp.clamp(-1000, 1000))
        }
        None => (number, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        if frac_part.contains(',') && int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DecimalProblem::Other(format!(
                "`{original}` looks like it has a decimal comma; `,` is read only as a thousands \
                 separator, so use `.` for decimals (like 1200.50)"
            )));
        }
        return Err(DecimalProblem::Syntax);
    }
    let int_digits = if int_part.contains(',') {
        let groups: Vec<&str> = int_part.split(',').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        let all_digits = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if !all_digits {
            return Err(DecimalProblem::Syntax);
        }
        if !first_ok || !rest_ok {
            return Err(DecimalProblem::Other(format!(
                "`{original}` has misplaced thousands separators; `,` must separate groups of three digits \
                 (like 1,200,000.00) or be left out"
            )));
        }
        groups.concat()
    } else {
        if !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DecimalProblem::Syntax);
        }
        int_part.to_string()
    };
    if int_digits.is_empty() && frac_part.is_empty() {
        return Err(DecimalProblem::Syntax);
    }

    // digits × 10^(point - digits.len()) is the value; cents need two more places.
    let digits = format!("{int_digits}{frac_part}");
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Ok(0);
    }
    let leading_zeros = (digits.len() - significant.len()) as i64;
    let cent_places = int_digits.len() as i64 + exponent + 2 - leading_zeros;
    let too_precise = || {
        DecimalProblem::Other(format!(
            "`{original}` has more than 2 decimal places; ARR is kept to the cent"
        ))
    };
    if cent_places <= 0 {
        return Err(too_precise());
    }
    if cent_places > 18 {
        return Err(DecimalProblem::Other(format!(
            "`{original}` is too large; ARR must be below 10^16 (DECIMAL(18,2))"
        )));
    }
    let cent_places = cent_places as usize;
    let (kept, dropped) = if cent_places <= significant.len() {
        significant.split_at(cent_places)
    } else {
        (significant, "")
    };
    if dropped.bytes().any(|b| b != b'0') {
        return Err(too_precise());
    }
    let padded = format!("{kept:0<cent_places$}");
    let cents: i128 = padded.parse().map_err(|_| DecimalProblem::Syntax)?;
    debug_assert!(cents < CENTS_LIMIT);
    Ok(cents)
}

const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The 3-character case-safe suffix of a 15-character ID: for each 5-char
/// chunk, bit j (j = 0 for the leftmost char) is set when char j is an
/// upper-case letter; the 5-bit number indexes `A..Z0..5`.
fn checksum_suffix(id15: &[u8]) -> [u8; 3] {
    let mut suffix = [0u8; 3];
    for (at, chunk) in id15.chunks(5).take(3).enumerate() {
        let bits = chunk.iter().enumerate().fold(
            0usize,
            |n, (j, c)| if c.is_ascii_uppercase() { n | (1 << j) } else { n },
        );
        suffix[at] = CHECKSUM_ALPHABET[bits];
    }
    suffix
}

/// Normalises a Salesforce record ID to its 18-character form so that
/// reports (15 chars) and API exports (18 chars) join.
///
/// Never case-folds: `...Pq7Rs` and `...Pq7RS` are different records. An
/// 18-char ID whose suffix does not match its first 15 characters is kept as
/// given; it may come from a system that rewrote it, and guessing which half
/// is right would merge or split accounts.
pub(crate) fn salesforce_id_18(id: &str) -> Result<String, String> {
    let id = id.trim();
    let bytes = id.as_bytes();
    if !bytes.iter().all(u8::is_ascii_alphanumeric) || !(bytes.len() == 15 || bytes.len() == 18) {
        return Err(format!(
            "`{id}` is not a Salesforce ID (expected 15 or 18 letters and digits)"
        ));
    }
    if bytes.len() == 18 {
        return Ok(id.to_string());
    }
    let mut id18 = String::with_capacity(18);
    id18.push_str(id);
    id18.extend(checksum_suffix(bytes).map(char::from));
    Ok(id18)
}

/// Whether an 18-character ID's suffix matches its first 15 characters.
pub(crate) fn id_18_checksum_ok(id: &str) -> bool {
    id.len() == 18 && id.is_ascii() && checksum_suffix(&id.as_bytes()[..15]) == id.as_bytes()[15..]
}

/// Splits a cell holding one or more workspace IDs (`ws_1; ws_2`, `ws_1,ws_2`,
/// `ws_1 ws_2`), dropping empties and repeats while keeping the first order.
pub(crate) fn split_workspace_ids(cell: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in cell.split(|c: char| c == ';' || c == ',' || c.is_whitespace()) {
        if !part.is_empty() && !out.iter().any(|seen| seen == part) {
            out.push(part.to_string());
        }
    }
    out
}

/// Reads a whole file for a reader, naming the file and the next step on failure.
pub(crate) fn read_bytes(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    if path.is_dir() {
        bail!(
            "{} is a folder, not a file; pass the path of the file inside it",
            path.display()
        );
    }
    std::fs::read(path).with_context(|| format!("cannot read {}; check the path and its permissions", path.display()))
}

/// Whether the raw text of one CSV record leaves a quoted field open: in
/// valid CSV a record always holds an even number of `"` (open, close and
/// doubled quotes inside values).
fn has_open_quote(record: &[u8]) -> bool {
    record.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

/// Maps byte offsets in a text to 1-based line numbers.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Lines end at `\n`, `\r\n` or a lone `\r`: the csv crate ends records at
    /// all three, and Excel for Mac's "CSV (Macintosh)" uses the last.
    pub(crate) fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let breaks = bytes
            .iter()
            .enumerate()
            .filter(|&(at, &b)| b == b'\n' || (b == b'\r' && bytes.get(at + 1) != Some(&b'\n')));
        let starts = std::iter::once(0).chain(breaks.map(|(at, _)| at + 1)).collect();
        LineIndex { starts }
    }

    pub(crate) fn line_of(&self, offset: usize) -> u64 {
        self.starts.partition_point(|&start| start <= offset) as u64
    }
}

/// One CSV record with the line it really starts on.
#[derive(Clone)]
pub(crate) struct CsvRow {
    pub line: u64,
    /// At least one empty line separates this record from the previous one
    /// (Salesforce report footers start after such a line).
    pub blank_before: bool,
    pub fields: csv::StringRecord,
}

/// The error for a data row whose field count differs from its header's.
pub(crate) fn field_count_error(
    origin: &str,
    line: u64,
    fields: usize,
    header_line: u64,
    header_fields: usize,
) -> anyhow::Error {
    anyhow::anyhow!(
        "{origin}:{line}: the row has {fields} fields but the header on line {header_line} has {header_fields}; \
         quote values that contain commas"
    )
}

/// Reads every CSV record of `text`, any field count, with true line numbers: the
/// readers' view of a text, for tests. See `CsvText`.
#[cfg(test)]
pub(crate) fn csv_rows(text: &str, origin: &str) -> anyhow::Result<Vec<CsvRow>> {
    let parts = CsvText::new(text, origin).fold_rows(
        None,
        |_| Vec::new(),
        |rows, row| {
            rows.push(row.clone());
            Ok(())
        },
    )?;
    Ok(concat(parts))
}

/// The `\n` bytes of `text`: at least its line count less one, to size row vectors.
pub(crate) fn line_breaks(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// The parts' items in order, in one vector.
pub(crate) fn concat<T>(parts: Vec<Vec<T>>) -> Vec<T> {
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_default();
    for part in parts {
        all.extend(part);
    }
    all
}

/// Texts with fewer bytes of records than this are read on one thread: the second
/// thread pays off on megabytes, not on the kilobytes most exports hold.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// A CSV text, read record by record: any field count, and true line numbers.
///
/// The csv crate skips empty lines and reports a record's position from before that
/// skip (and before the `\n` of a CRLF), so its line numbers drift on CRLF files and
/// after blank lines; we recompute them from byte offsets. Field counts are checked by
/// the callers, which can then name the header the row disagrees with.
pub(crate) struct CsvText<'t> {
    text: &'t str,
    origin: &'t str,
    lines: LineIndex,
}

/// Where the records after one record begin (`CsvText::first_row`).
pub(crate) struct After {
    offset: usize,
    end_line: u64,
}

/// The last record a range held: where it starts and the line it ends on.
struct LastRecord {
    start: usize,
    end_line: u64,
}

impl<'t> CsvText<'t> {
    pub(crate) fn new(text: &'t str, origin: &'t str) -> Self {
        CsvText {
            text,
            origin,
            lines: LineIndex::new(text),
        }
    }

    /// The file (or URL) the text came from, as errors name it.
    pub(crate) fn origin(&self) -> &'t str {
        self.origin
    }

    /// The first record (a header) and where the records after it begin; None when the
    /// text holds no record.
    pub(crate) fn first_row(&self) -> anyhow::Result<Option<(CsvRow, After)>> {
        let mut first = None;
        let after = self.find_row(|row| {
            first = Some(row.clone());
            true
        })?;
        Ok(first.zip(after))
    }

    /// Hands records to `found` from the start until it returns true; where the records
    /// after that one begin, or None when it never did.
    pub(crate) fn find_row(&self, mut found: impl FnMut(&CsvRow) -> bool) -> anyhow::Result<Option<After>> {
        let mut hit = false;
        let last = self.read_range(0..self.text.len(), true, None, |row| {
            hit = found(row);
            Ok(!hit)
        })?;
        Ok(last.filter(|_| hit).map(|last| After {
            offset: last.start + self.record_len(last.start),
            end_line: last.end_line,
        }))
    }

    /// Folds every record from `after` on (from the start when None) into states made by
    /// `init`, and returns them in file order: one per part of the text.
    ///
    /// A text with megabytes of records is read as two parts on two threads, split at a
    /// line break in the middle; a flags load spent 40% of its time here on one core
    /// (perf). The split is kept only if reading the first part ends on it exactly, with
    /// a whole record, so no quoted value spans it; otherwise, and whenever either part
    /// fails, the text is read again on one thread. So results, and the first error, are
    /// those of one reading in order. `visit` must only change its state.
    pub(crate) fn fold_rows<S: Send>(
        &self,
        after: Option<&After>,
        init: impl Fn(&str) -> S + Sync,
        visit: impl Fn(&mut S, &CsvRow) -> anyhow::Result<()> + Sync,
    ) -> anyhow::Result<Vec<S>> {
        self.fold_rows_from(after, PARALLEL_MIN_BYTES, init, visit)
    }

    /// `fold_rows`, splitting texts from `parallel_min_bytes` of records on (tests split tiny ones).
    pub(super) fn fold_rows_from<S: Send>(
        &self,
        after: Option<&After>,
        parallel_min_bytes: usize,
        init: impl Fn(&str) -> S + Sync,
        visit: impl Fn(&mut S, &CsvRow) -> anyhow::Result<()> + Sync,
    ) -> anyhow::Result<Vec<S>> {
        let (start, prev_end_line) = after.map_or((0, None), |a| (a.offset, Some(a.end_line)));
        let end = self.text.len();
        let fold = |range: std::ops::Range<usize>, file_end: bool, prev_end_line: Option<u64>| {
            let mut state = init(&self.text[range.clone()]);
            let last = self.read_range(range, file_end, prev_end_line, |row| {
                visit(&mut state, row)?;
                Ok(true)
            })?;
            anyhow::Ok((state, last))
        };
        if let Some(split) = self.split_point(start, parallel_min_bytes) {
            let (first, second) = std::thread::scope(|scope| {
                let second = scope.spawn(|| fold(split..end, true, Some(self.lines.line_of(split - 1))));
                let first = fold(start..split, false, prev_end_line);
                (
                    first,
                    second.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                )
            });
            if let (Ok((first, Some(last))), Ok((second, _))) = (first, second) {
                if last.start + self.record_len(last.start) == split {
                    return Ok(vec![first, second]);
                }
            }
        }
        Ok(vec![fold(start..end, true, prev_end_line)?.0])
    }

    /// A line break near the middle of the records from `start` that ends a line with
    /// text on it; None for a text too short to split, or with no such line break.
    fn split_point(&self, start: usize, parallel_min_bytes: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        if bytes.len().saturating_sub(start) < parallel_min_bytes.max(4) {
            return None;
        }
        let middle = start + (bytes.len() - start) / 2;
        let is_break = |b: u8| b == b'\n' || b == b'\r';
        (middle.max(start + 2)..bytes.len() - 1)
            .find(|&at| {
                let text_end = if bytes[at - 1] == b'\r' { at - 1 } else { at };
                bytes[at] == b'\n' && text_end > start && !is_break(bytes[text_end - 1])
            })
            .map(|at| at + 1)
    }

    /// The bytes from `start` (where a record begins) that one whole record takes, with
    /// the line break that ends it; the rest of the text when no line break ends it.
    fn record_len(&self, start: usize) -> usize {
        use csv_core::ReadRecordResult;
        let rest = &self.text.as_bytes()[start..];
        let mut reader = csv_core::Reader::new();
        let (mut fields, mut ends) = ([0u8; 1024], [0usize; 64]);
        let mut read = 0;
        loop {
            let (result, more, _, _) = reader.read_record(&rest[read..], &mut fields, &mut ends);
            read += more;
            match result {
                // Only where the record ends matters, not its fields: drop them and read on.
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
                // csv_core ends a CRLF record at its `\r`, and skips the `\n` as the next begins.
                ReadRecordResult::Record if rest[..read].ends_with(b"\r") && rest.get(read) == Some(&b'\n') => {
                    return read + 1
                }
                ReadRecordResult::Record => return read,
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return rest.len(),
            }
        }
    }

    /// Hands the records of `range` to `visit` in order, until it returns false; the
    /// last record handed over, if any. `file_end` says the range ends the text, where
    /// a quote left open is an error.
    fn read_range(
        &self,
        range: std::ops::Range<usize>,
        file_end: bool,
        mut prev_end_line: Option<u64>,
        mut visit: impl FnMut(&CsvRow) -> anyhow::Result<bool>,
    ) -> anyhow::Result<Option<LastRecord>> {
        let CsvText { origin, lines, .. } = self;
        let base = range.start;
        let bytes = &self.text.as_bytes()[range];
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut row = CsvRow {
            line: 0,
            blank_before: false,
            fields: csv::StringRecord::new(),
        };
        let mut last = None;
        loop {
            let before = reader.position().byte() as usize;
            let more = reader.read_record(&mut row.fields).with_context(|| {
                format!(
                    "{origin}:{}: cannot read this CSV row; check its quoting",
                    lines.line_of(base + before)
                )
            })?;
            if !more {
                break;
            }
            let after = reader.position().byte() as usize;
            if file_end && after >= bytes.len() && has_open_quote(&bytes[before.min(bytes.len())..]) {
                // The csv crate reads an unclosed quote to the end of the file
                // and returns it as one long value; that is never what was meant.
                bail!(
                    "{origin}:{}: a quoted value that starts on this row is never closed, so the rest of the file \
                     would be read as one value; close the quote, or double any quote inside a value (\"\")",
                    lines.line_of(base + before)
                );
            }
            let mut start = before.min(bytes.len());
            while start < bytes.len() && (bytes[start] == b'\n' || bytes[start] == b'\r') {
                start += 1;
            }
            row.line = lines.line_of(base + start);
            let end_line = lines.line_of(base + after.saturating_sub(1).max(start));
            row.blank_before = prev_end_line.is_some_and(|prev| row.line > prev + 1);
            prev_end_line = Some(end_line);
            last = Some(LastRecord {
                start: base + before,
                end_line,
            });
            if !visit(&row)? {
                break;
            }
        }
        Ok(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(cell: &str) -> (i128, Option<String>) {
        let m = parse_money(cell).unwrap_or_else(|e| panic!("{cell}: {e}")).unwrap();
        (m.cents, m.currency)
    }

    fn usd_less(cents: i128) -> (i128, Option<String>) {
        (cents, None)
    }

    #[test]
    fn booleans_every_spelling() {
        for t in [
            "true", "TRUE", "True", "t", "T", "yes", "YES", "Yes", "y", "Y", "1", " true ",
        ] {
            assert_eq!(parse_bool(t), Ok(Some(true)), "{t}");
        }
        for f in [
            "false", "FALSE", "False", "f", "F", "no", "NO", "No", "n", "N", "0", "\tno",
        ] {
            assert_eq!(parse_bool(f), Ok(Some(false)), "{f}");
        }
        assert_eq!(parse_bool(""), Ok(None));
        assert_eq!(parse_bool("   "), Ok(None));
        for bad in ["maybe", "2", "on", "off", "-1", "tru", "yess", "1.0", "null"] {
            assert_eq!(parse_bool(bad), Err(()), "{bad}");
        }
    }

    #[test]
    fn money_plain_forms() {
        assert_eq!(money("120000"), usd_less(12_000_000));
        assert_eq!(money("120000.0"), usd_less(12_000_000));
        assert_eq!(money("120000.00"), usd_less(12_000_000));
        assert_eq!(money("120000.5"), usd_less(12_000_050));
        assert_eq!(money(" 1500.00 "), usd_less(150_000));
        assert_eq!(money("0"), usd_less(0));
        assert_eq!(money("0.01"), usd_less(1));
        assert_eq!(money(".5"), usd_less(50));
        assert_eq!(money("120,000.00"), usd_less(12_000_000));
        assert_eq!(money("1,234,567.89"), usd_less(123_456_789));
        assert_eq!(money("999"), usd_less(99_900));
        assert_eq!(parse_money(""), Ok(None));
        assert_eq!(parse_money("  "), Ok(None));
    }

    #[test]
    fn money_scientific() {
        assert_eq!(money("1.2E7"), usd_less(1_200_000_000));
        assert_eq!(money("1.2e+7"), usd_less(1_200_000_000));
        assert_eq!(money("1.2e7"), usd_less(1_200_000_000));
        assert_eq!(money("12E-1"), usd_less(120));
        assert_eq!(money("1.5E-1"), usd_less(15));
        assert!(parse_money("1.5E-2").unwrap_err().contains("ARR is kept to the cent"));
        assert!(parse_money("1.5E-3").unwrap_err().contains("ARR is kept to the cent"));
        assert!(parse_money("1E").unwrap_err().contains("is not a money amount"));
    }

    #[test]
    fn money_symbols_and_codes() {
        assert_eq!(money("$120,000.00"), usd_less(12_000_000));
        assert_eq!(money("USD 120,000.00"), (12_000_000, Some("USD".into())));
        assert_eq!(money("120,000.00 USD"), (12_000_000, Some("USD".into())));
        assert_eq!(money("usd 5.00"), (500, Some("USD".into())));
        assert_eq!(money("JPY 10,000"), (1_000_000, Some("JPY".into())));
        assert_eq!(money("€1,200.50"), (120_050, Some("EUR".into())));
        assert_eq!(money("1200 €"), (120_000, Some("EUR".into())));
        assert_eq!(money("£99"), (9_900, Some("GBP".into())));
        assert_eq!(money("EUR €5"), (500, Some("EUR".into())));
        assert!(parse_money("USD €5").unwrap_err().contains("two currencies"));
    }

    #[test]
    fn money_negatives() {
        assert_eq!(money("(12.50)"), usd_less(-1250));
        assert_eq!(money("-12.50"), usd_less(-1250));
        assert_eq!(money("($12.50)"), usd_less(-1250));
        assert_eq!(money("-$12.50"), usd_less(-1250));
        assert_eq!(money("USD (12.50)"), (-1250, Some("USD".into())));
        assert_eq!(money("USD -12.50"), (-1250, Some("USD".into())));
        assert!(parse_money("--12.50").is_err());
        assert!(parse_money("(-12.50)").is_err());
    }

    #[test]
    fn money_bad_groups_and_decimal_commas() {
        let err = parse_money("1,20,000").unwrap_err();
        assert!(
            err.contains("`1,20,000`") && err.contains("thousands separators"),
            "{err}"
        );
        assert!(parse_money("1200,000").unwrap_err().contains("thousands"));
        assert!(parse_money(",120").is_err());
        assert!(parse_money("120,").is_err());
        let err = parse_money("€1.200,50").unwrap_err();
        assert!(err.contains("`€1.200,50`"), "{err}");
        assert!(parse_money("1200,50").unwrap_err().contains("thousands"));
    }

    #[test]
    fn money_too_many_decimals() {
        assert_eq!(money("120000.000"), usd_less(12_000_000));
        assert_eq!(money("120000.1000"), usd_less(12_000_010));
        let err = parse_money("120000.005").unwrap_err();
        assert_eq!(
            err,
            "`120000.005` has more than 2 decimal places; ARR is kept to the cent"
        );
        assert!(parse_money("0.001").unwrap_err().contains("ARR is kept to the cent"));
    }

    #[test]
    fn money_garbage() {
        let err = parse_money("12abc").unwrap_err();
        assert_eq!(
            err,
            "`12abc` is not a money amount (expected forms like 120000.00, $120,000.00 or USD 120,000.00)"
        );
        for bad in [
            "abc", "$", "USD", "1.2.3", "12 34", "1e5e5", "N/A", "-", "()", "1_000", "0x10", "+-1",
        ] {
            assert!(parse_money(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn money_overflow() {
        // 10^16 - 0.01 is the largest DECIMAL(18,2).
        assert_eq!(money("9999999999999999.99"), usd_less(999_999_999_999_999_999));
        assert!(parse_money("10000000000000000").unwrap_err().contains("too large"));
        assert!(parse_money("1E16").unwrap_err().contains("too large"));
        assert!(parse_money("1E400").unwrap_err().contains("too large"));
        assert!(parse_money("-99999999999999999999999999999999999999999")
            .unwrap_err()
            .contains("too large"));
        assert_eq!(money("0E400"), usd_less(0));
    }

    #[test]
    fn ids_documented_vectors() {
        // Pairs from reference/salesforce-exports.md §2.5.
        for (id15, id18) in [
            ("001D000000IRFma", "001D000000IRFmaIAH"),
            ("005R0000000Giwj", "005R0000000GiwjIAC"),
            ("003RO0000035WQg", "003RO0000035WQgYAM"),
            ("00558000001N0Ke", "00558000001N0KeAAK"),
            ("70130000001tcyI", "70130000001tcyIAAQ"),
            ("0015g00000Pq7Rs", "0015g00000Pq7RsAAJ"),
            ("0015g00000Pq7RS", "0015g00000Pq7RSAAZ"),
        ] {
            assert_eq!(salesforce_id_18(id15).unwrap(), id18, "{id15}");
            assert_eq!(salesforce_id_18(id18).unwrap(), id18, "{id18} unchanged");
            assert!(id_18_checksum_ok(id18), "{id18}");
        }
        // The reference fixtures pair 0015g00000XyZaB with ...AAV; by hand:
        // chunk "XyZaB" has upper-case at j = 0, 2, 4 → 0b10101 = 21 → 'V'.
        assert_eq!(salesforce_id_18("0015g00000XyZaB").unwrap(), "0015g00000XyZaBAAV");
    }

    #[test]
    fn ids_are_case_sensitive_and_checked() {
        let lower = salesforce_id_18("0015g00000Pq7Rs").unwrap();
        let upper = salesforce_id_18("0015g00000Pq7RS").unwrap();
        assert_ne!(lower, upper);
        // A mismatching suffix is kept as given (not an error, not rewritten).
        assert_eq!(salesforce_id_18("0015g00000Pq7RsAAZ").unwrap(), "0015g00000Pq7RsAAZ");
        assert!(!id_18_checksum_ok("0015g00000Pq7RsAAZ"));
        assert_eq!(salesforce_id_18(" 0015g00000Pq7Rs ").unwrap(), "0015g00000Pq7RsAAJ");
        for bad in [
            "",
            "0015g00000Pq7R",
            "0015g00000Pq7RsAA",
            "0015g00000Pq7R-",
            "0015g00000Pq7RsAAJX",
            "0015g00000Pq7Rç",
        ] {
            let err = salesforce_id_18(bad).unwrap_err();
            assert!(err.contains("is not a Salesforce ID"), "{bad}: {err}");
        }
    }

    #[test]
    fn workspace_id_lists() {
        assert_eq!(split_workspace_ids("ws_1"), ["ws_1"]);
        assert_eq!(
            split_workspace_ids("ws_1;ws_2, ws_3  ws_4\nws_5"),
            ["ws_1", "ws_2", "ws_3", "ws_4", "ws_5"]
        );
        assert_eq!(split_workspace_ids("ws_2; ws_1;ws_2;;"), ["ws_2", "ws_1"]);
        assert!(split_workspace_ids(" ; , ").is_empty());
        assert!(split_workspace_ids("").is_empty());
        // Case matters: workspace IDs are opaque.
        assert_eq!(split_workspace_ids("WS_1 ws_1"), ["WS_1", "ws_1"]);
    }

    #[test]
    fn decode_utf8_bom_nul_and_plain() {
        let (text, warning) = decode_text(b"\xEF\xBB\xBFa,b\r\n", "f.csv").unwrap();
        assert_eq!(text, "a,b\r\n");
        assert!(warning.is_none());
        let (text, _) = decode_text(b"a\0b,\0c", "f.csv").unwrap();
        assert_eq!(text, "ab,c");
        let (text, warning) = decode_text("Société".as_bytes(), "f.csv").unwrap();
        assert_eq!(text, "Société");
        assert!(warning.is_none());
    }

    #[test]
    fn decode_windows_1252_with_warning() {
        let (text, warning) = decode_text(b"Soci\xe9t\xe9 \x80", "arr.csv").unwrap();
        assert_eq!(text, "Société €");
        let warning = warning.unwrap();
        assert!(
            warning.starts_with("arr.csv is not UTF-8 (first at line 1); read it as Windows-1252"),
            "{warning}"
        );
        assert!(warning.contains("Unicode (UTF-8)"));
    }

    #[test]
    fn decode_utf16_both_orders() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in "Id,Société\n".encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(decode_text(&le, "x").unwrap().0, "Id,Société\n");
        assert_eq!(decode_text(&be, "x").unwrap().0, "Id,Société\n");
        le.push(0x41); // odd trailing byte
        assert!(decode_text(&le, "x").is_err());
    }

    #[test]
    fn csv_rows_have_true_lines_despite_crlf_and_blank_lines() {
        let text = "\"a\",\"b\"\r\n\"1\",\"x\r\ny\"\r\n\r\n\r\n\"Footer\"\r\n\"c\",\"d\"\n\n\"e\"";
        let rows = csv_rows(text, "f.csv").unwrap();
        let got: Vec<(u64, bool, usize)> = rows.iter().map(|r| (r.line, r.blank_before, r.fields.len())).collect();
        assert_eq!(
            got,
            [(1, false, 2), (2, false, 2), (6, true, 1), (7, false, 2), (9, true, 1)]
        );
        assert_eq!(&rows[1].fields[1], "x\r\ny");
    }

    /// Found by `scripts/fuzz` (issue 5 item 6): every row of a CR-only file was on line 1.
    #[test]
    fn csv_rows_lone_cr_ends_a_line() {
        let rows = csv_rows(" \ra", "f.csv").unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2]);
        let rows = csv_rows("\"a\"\r\"1\"\r\r\"Footer\"\r", "f.csv").unwrap();
        let got: Vec<(u64, bool)> = rows.iter().map(|r| (r.line, r.blank_before)).collect();
        assert_eq!(got, [(1, false), (2, false), (4, true)]);
    }

    /// A row's line, blank_before and fields.
    type Seen = (u64, bool, Vec<String>);

    /// Each row seen, and the number of parts read, of reading `text` with a split from
    /// `min_bytes` of records on.
    fn folded(text: &str, min_bytes: usize) -> anyhow::Result<(Vec<Seen>, usize)> {
        let csv = CsvText::new(text, "f.csv");
        let parts = csv.fold_rows_from(
            None,
            min_bytes,
            |_| Vec::new(),
            |rows, row| {
                rows.push((
                    row.line,
                    row.blank_before,
                    row.fields.iter().map(str::to_string).collect(),
                ));
                Ok(())
            },
        )?;
        let count = parts.len();
        Ok((concat(parts), count))
    }

    #[test]
    fn two_parts_read_what_one_reading_does() {
        let lines: Vec<String> = (0..40).map(|i| format!("w{i},\"name {i}\",{}", i % 3)).collect();
        for ending in ["\n", "\r\n"] {
            let text = format!("{}{ending}", lines.join(ending));
            let (whole, parts) = folded(&text, usize::MAX).unwrap();
            assert_eq!(parts, 1);
            let (split, parts) = folded(&text, 0).unwrap();
            assert_eq!(parts, 2, "{ending:?}");
            assert_eq!(split, whole);
        }
        let text = "a,b\n\n\n1,2\n3,4\n\n5,6\n7,8\n9,10";
        let (split, parts) = folded(text, 0).unwrap();
        assert_eq!(parts, 2);
        assert_eq!(split, folded(text, usize::MAX).unwrap().0);
    }

    #[test]
    fn a_quoted_value_across_the_middle_is_read_on_one_thread() {
        // The line break in the middle is inside the quotes, as is the next one.
        let text = "a,b\nc,\"x\ny\nz\"\nd,e\n";
        let (rows, parts) = folded(text, 0).unwrap();
        assert_eq!(parts, 1);
        assert_eq!(rows, folded(text, usize::MAX).unwrap().0);
        assert_eq!(rows[1], (2, false, vec!["c".to_string(), "x\ny\nz".to_string()]));
        // A stray quote in an unquoted value leaves the quote count even, and still the
        // split inside the quoted value that follows is found out.
        let text = "h\nab\"c,\"x\nyy\nzz\nqq\"\nd\n";
        let (rows, parts) = folded(text, 0).unwrap();
        assert_eq!(parts, 1);
        assert_eq!(rows, folded(text, usize::MAX).unwrap().0);
    }

    #[test]
    fn an_error_in_either_part_is_the_first_error_of_one_reading() {
        let fail_on = |bad: &'static str| {
            move |text: &str, min_bytes: usize| {
                let csv = CsvText::new(text, "f.csv");
                csv.fold_rows_from(
                    None,
                    min_bytes,
                    |_| (),
                    |(), row| {
                        if &row.fields[0] == bad {
                            anyhow::bail!("f.csv:{}: bad row", row.line);
                        }
                        Ok(())
                    },
                )
                .unwrap_err()
                .to_string()
            }
        };
        let text: String = (0..20).map(|i| format!("r{i}\n")).collect();
        assert_eq!(fail_on("r15")(&text, 0), "f.csv:16: bad row");
        assert_eq!(fail_on("r2")(&text, 0), "f.csv:3: bad row");
        // The second part fails too, later: the first part's error is the one reported.
        let text: String = (0..20).map(|i| format!("r{}\n", i % 10)).collect();
        assert_eq!(fail_on("r3")(&text, 0), "f.csv:4: bad row");
        // An unclosed quote in the first part only ends the file when read as a whole.
        let text = "a\n\"b\nc\nd\ne\n";
        let one = folded(text, usize::MAX).unwrap_err().to_string();
        assert!(one.starts_with("f.csv:2: a quoted value"), "{one}");
        assert_eq!(folded(text, 0).unwrap_err().to_string(), one);
    }

    #[test]
    fn reading_after_the_first_row_keeps_lines_and_blank_lines() {
        let text = "id,name\r\n\r\nw1,a\r\nw2,b\r\n\r\nw3,c\r\nw4,d\r\nw5,e\r\n";
        let csv = CsvText::new(text, "f.csv");
        let (header, after) = csv.first_row().unwrap().unwrap();
        assert_eq!((header.line, &header.fields[1]), (1, "name"));
        let got = |min_bytes| {
            let parts = csv
                .fold_rows_from(
                    Some(&after),
                    min_bytes,
                    |_| Vec::new(),
                    |rows, row| {
                        rows.push((row.line, row.blank_before, row.fields[0].to_string()));
                        Ok(())
                    },
                )
                .unwrap();
            (parts.len(), concat(parts))
        };
        let want = vec![
            (3, true, "w1".to_string()),
            (4, false, "w2".to_string()),
            (6, true, "w3".to_string()),
            (7, false, "w4".to_string()),
            (8, false, "w5".to_string()),
        ];
        assert_eq!(got(usize::MAX), (1, want.clone()));
        assert_eq!(got(0), (2, want));
        assert!(CsvText::new("\r\n\n", "f.csv").first_row().unwrap().is_none());
    }

    #[test]
    fn line_index() {
        let index = LineIndex::new("ab\ncd\n\nx");
        assert_eq!([0, 2, 3, 5, 6, 7, 8].map(|o| index.line_of(o)), [1, 1, 2, 2, 3, 4, 4]);
    }

    #[test]
    fn decode_bom_then_invalid_is_an_error() {
        let err = decode_text(b"\xEF\xBB\xBFa\nb\xe9", "f.csv").unwrap_err().to_string();
        assert!(err.starts_with("f.csv:2: "), "{err}");
    }
}
