//! The CSV reader of every CSV input: records with the line they really start
//! on, any field count, read on two threads when the text is large, with the
//! delimiter given or detected from the header line (comma, semicolon, tab, pipe).

use anyhow::{bail, Context};

use super::lines::LineIndex;

/// Whether the raw text of one CSV record leaves a quoted field open: in
/// valid CSV a record always holds an even number of `"` (open, close and
/// doubled quotes inside values).
fn has_open_quote(record: &[u8]) -> bool {
    record.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

/// A field delimiter: Salesforce's Bulk API 2.0 writes any of these (`columnDelimiter`),
/// and Data Loader and spreadsheets in some locales write semicolons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delimiter {
    Comma,
    Semicolon,
    Tab,
    Pipe,
}

impl Delimiter {
    /// Every delimiter, in the order detection prefers on a tie.
    pub(crate) const ALL: [Delimiter; 4] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab, Delimiter::Pipe];

    pub(crate) fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
            Delimiter::Pipe => b'|',
        }
    }

    /// Its name, as `--delimiter` and the config take it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Tab => "tab",
            Delimiter::Pipe => "pipe",
        }
    }

    /// A name (`comma`, `semicolon`, `tab`, `pipe`, any case) or the character itself
    /// (`,` `;` `|`, a tab or `\t`); None for anything else.
    pub(crate) fn parse(text: &str) -> Option<Delimiter> {
        let text = if text == "\t" || text == "\\t" {
            "tab"
        } else {
            text.trim()
        };
        Delimiter::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(text) || text.as_bytes() == [d.byte()])
    }

    /// The delimiter of a CSV text: of the four, the one found most often outside
    /// quotes on the first line that holds any (title rows above a report's header
    /// hold none); a comma on a tie or when no line has any.
    pub(crate) fn detect(text: &str) -> Delimiter {
        let mut counts = [0usize; 4];
        let mut quoted = false;
        for b in text.bytes() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' | b'\r' if !quoted && counts.iter().any(|&c| c > 0) => break,
                _ if !quoted => {
                    if let Some(i) = Delimiter::ALL.iter().position(|d| d.byte() == b) {
                        counts[i] += 1;
                    }
                }
                _ => {}
            }
        }
        let most = counts.iter().copied().max().unwrap_or(0);
        let at = counts.iter().position(|&c| c == most && c > 0).unwrap_or(0);
        Delimiter::ALL[at]
    }
}

/// The delimiter a text is read with, and whether it was detected or given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DelimiterChoice {
    pub delimiter: Delimiter,
    pub detected: bool,
}

impl DelimiterChoice {
    /// What header errors say about it: `split at \`;\`, the delimiter detected from
    /// the header line; --delimiter sets another`.
    pub(crate) fn describe(self) -> String {
        let at = match self.delimiter {
            Delimiter::Tab => "tabs".to_string(),
            d => format!("`{}`", d.byte() as char),
        };
        if self.detected {
            format!("split at {at}, the delimiter detected from the header line; --delimiter sets another")
        } else {
            format!("split at {at}, the delimiter given by --delimiter or the config")
        }
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
    let parts = CsvText::new(text, origin, Some(Delimiter::Comma)).fold_rows(
        None,
        |_| Vec::new(),
        |rows, row| {
            rows.push(row.clone());
            Ok(())
        },
    )?;
    Ok(concat(parts))
}

/// The parts' items in order, in one vector.
pub(crate) fn concat<T>(parts: Vec<Vec<T>>) -> Vec<T> {
    // The first part has room for the others when `fold_rows` sized it (see there).
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_default();
    for part in parts {
        all.extend(part);
    }
    all
}

/// Texts with fewer bytes of records than this are read on one thread: the second
/// thread pays off on megabytes, not on the kilobytes most exports hold. On the 1M
/// inputs (best of 3, quiet 2-core machine) two threads took `load flags` from 1.15 to
/// 1.07 s and `load workspace-accounts` from 0.51 to 0.48 s: under the 10% issue 12 asked
/// of a second path, but every reader already had one, and issue 18's ratio to a lean
/// DuckDB script needs the time.
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
    delimiter: DelimiterChoice,
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
    /// A text read with `delimiter`, or the one detected from its header line when None.
    pub(crate) fn new(text: &'t str, origin: &'t str, delimiter: Option<Delimiter>) -> Self {
        let delimiter = match delimiter {
            Some(delimiter) => DelimiterChoice {
                delimiter,
                detected: false,
            },
            None => DelimiterChoice {
                delimiter: Delimiter::detect(text),
                detected: true,
            },
        };
        CsvText {
            text,
            origin,
            lines: LineIndex::new(text),
            delimiter,
        }
    }

    /// The delimiter the text is read with.
    pub(crate) fn delimiter(&self) -> DelimiterChoice {
        self.delimiter
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
    /// `init`, and returns them in file order: one per part of the text. `init` is given
    /// the text from its part's start to the end, so that the first state can be sized
    /// for every record of the file.
    ///
    /// A text with megabytes of records is read as two parts on two threads, split at a
    /// line break in the middle. The split is kept only if reading the first part ends on
    /// it exactly, with a whole record, so no quoted value spans it; otherwise, and
    /// whenever either part fails, the text is read again on one thread. So results, and
    /// the first error, are those of one reading in order. `visit` must only change its
    /// state.
    pub(crate) fn fold_rows<S: Send>(
        &self,
        after: Option<&After>,
        init: impl Fn(&str) -> S + Sync,
        visit: impl Fn(&mut S, &CsvRow) -> anyhow::Result<()> + Sync,
    ) -> anyhow::Result<Vec<S>> {
        self.fold_rows_from(after, PARALLEL_MIN_BYTES, init, visit)
    }

    /// `fold_rows`, splitting texts from `parallel_min_bytes` of records on (tests split tiny ones).
    pub(crate) fn fold_rows_from<S: Send>(
        &self,
        after: Option<&After>,
        parallel_min_bytes: usize,
        init: impl Fn(&str) -> S + Sync,
        visit: impl Fn(&mut S, &CsvRow) -> anyhow::Result<()> + Sync,
    ) -> anyhow::Result<Vec<S>> {
        let (start, prev_end_line) = after.map_or((0, None), |a| (a.offset, Some(a.end_line)));
        let end = self.text.len();
        // `init` is given the text from the part's start to the end of the file: the first
        // part's state is sized for every row, so `concat` appends the second's rows to it
        // without moving the first's (a copy of 90 MB of flags rows at 1M, all page faults).
        let fold = |range: std::ops::Range<usize>, file_end: bool, prev_end_line: Option<u64>| {
            let mut state = init(&self.text[range.start..end]);
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
        let mut reader = csv_core::ReaderBuilder::new()
            .delimiter(self.delimiter.delimiter.byte())
            .build();
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
        let mut lines = lines.cursor();
        let base = range.start;
        let bytes = &self.text.as_bytes()[range];
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(self.delimiter.delimiter.byte())
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
        let csv = CsvText::new(text, "f.csv", Some(Delimiter::Comma));
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
    fn delimiters_are_detected_from_the_header_line_outside_quotes() {
        for (text, want) in [
            ("Id,Name,ARR__c\n1,a,2\n", Delimiter::Comma),
            ("Id;Name;ARR__c\r\n1;\"a,b\";2\r\n", Delimiter::Semicolon),
            ("Id\tName\tARR__c\n", Delimiter::Tab),
            ("\"Id\"|\"Name, Inc\"|\"ARR__c\"\n", Delimiter::Pipe),
            // A report title above the header holds no delimiter: the header decides.
            ("\"Accounts by ARR\"\n\nAccount ID;Account Name\n", Delimiter::Semicolon),
            ("\"a;b;c\",d\n", Delimiter::Comma),
            ("workspace_id\nws-1\n", Delimiter::Comma),
            ("", Delimiter::Comma),
            ("a;b,c\n", Delimiter::Comma),
        ] {
            assert_eq!(Delimiter::detect(text), want, "{text:?}");
        }
        for (text, want) in [
            (",", Some(Delimiter::Comma)),
            ("Semicolon", Some(Delimiter::Semicolon)),
            ("\t", Some(Delimiter::Tab)),
            ("\\t", Some(Delimiter::Tab)),
            ("tab", Some(Delimiter::Tab)),
            ("|", Some(Delimiter::Pipe)),
            ("^", None),
            ("", None),
        ] {
            assert_eq!(Delimiter::parse(text), want, "{text:?}");
        }
    }

    /// The same records written with each delimiter read alike, on one thread or two.
    #[test]
    fn every_delimiter_reads_the_same_records_on_two_threads() {
        let records: Vec<[String; 3]> = (0..60)
            .map(|i| {
                [
                    format!("w{i}"),
                    format!("name, {i}; \"x\" | y\tz"),
                    format!("{}", i % 7),
                ]
            })
            .collect();
        let expected: Vec<Vec<String>> = records.iter().map(|r| r.to_vec()).collect();
        for delimiter in Delimiter::ALL {
            let d = delimiter.byte() as char;
            let mut text = format!("id{d}name{d}n\r\n");
            for [id, name, n] in &records {
                text.push_str(&format!("{id}{d}\"{}\"{d}{n}\r\n", name.replace('"', "\"\"")));
            }
            let csv = CsvText::new(&text, "f.csv", None);
            assert_eq!(csv.delimiter().delimiter, delimiter);
            let read = |min_bytes| {
                let parts = csv
                    .fold_rows_from(
                        None,
                        min_bytes,
                        |_| Vec::new(),
                        |rows, row| {
                            rows.push(row.fields.iter().map(str::to_string).collect::<Vec<_>>());
                            Ok(())
                        },
                    )
                    .unwrap();
                (parts.len(), concat(parts))
            };
            let (one_parts, one) = read(usize::MAX);
            let (two_parts, two) = read(64);
            assert_eq!((one_parts, two_parts), (1, 2), "{delimiter:?}");
            assert_eq!(one, two, "{delimiter:?}");
            assert_eq!(one[1..], expected[..], "{delimiter:?}");
        }
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
                let csv = CsvText::new(text, "f.csv", Some(Delimiter::Comma));
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
        let csv = CsvText::new(text, "f.csv", Some(Delimiter::Comma));
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
        assert!(CsvText::new("\r\n\n", "f.csv", Some(Delimiter::Comma))
            .first_row()
            .unwrap()
            .is_none());
    }
}
