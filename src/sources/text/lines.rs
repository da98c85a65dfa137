//! Line numbers of byte offsets, for errors that name `FILE:LINE`.

/// Maps byte offsets in a text to 1-based line numbers.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Lines end at `\n`, `\r\n` or a lone `\r`: the csv crate ends records at
    /// all three, and Excel for Mac's "CSV (Macintosh)" uses the last.
    pub(crate) fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        // memchr's vectorised search: looking at every byte was 40 ms of a 57 MB file.
        let mut starts = Vec::with_capacity(line_breaks(text) + 1);
        starts.push(0);
        starts.extend(
            memchr::memchr2_iter(b'\n', b'\r', bytes)
                .filter(|&at| bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n'))
                .map(|at| at + 1),
        );
        LineIndex { starts }
    }

    pub(crate) fn line_of(&self, offset: usize) -> u64 {
        self.starts.partition_point(|&start| start <= offset) as u64
    }

    /// A `line_of` for offsets asked in increasing order, as a reader asks for each
    /// record's first and last line: a binary search of a million line starts per
    /// question was a tenth of reading a 1M flags file (perf).
    pub(crate) fn cursor(&self) -> LineCursor<'_> {
        LineCursor { index: self, at: 0 }
    }
}

/// See `LineIndex::cursor`. `at` is the index of the start of the line last found.
pub(crate) struct LineCursor<'i> {
    index: &'i LineIndex,
    at: usize,
}

impl LineCursor<'_> {
    /// The line of `offset`, as `LineIndex::line_of` gives it; fastest a few lines after
    /// the last one asked for, right anywhere.
    pub(crate) fn line_of(&mut self, offset: usize) -> u64 {
        let starts = &self.index.starts;
        if starts[self.at] > offset {
            self.at = starts.partition_point(|&start| start <= offset) - 1;
        } else {
            let mut steps = 0;
            while steps < 4 && starts.get(self.at + 1).is_some_and(|&next| next <= offset) {
                self.at += 1;
                steps += 1;
            }
            if starts.get(self.at + 1).is_some_and(|&next| next <= offset) {
                self.at += starts[self.at + 1..].partition_point(|&start| start <= offset);
            }
        }
        self.at as u64 + 1
    }
}

/// The `\n` bytes of `text`: at least its line count less one, to size row vectors.
pub(crate) fn line_breaks(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index() {
        let index = LineIndex::new("ab\ncd\n\nx");
        assert_eq!([0, 2, 3, 5, 6, 7, 8].map(|o| index.line_of(o)), [1, 1, 2, 2, 3, 4, 4]);
    }

    #[test]
    fn a_cursor_finds_the_lines_line_of_finds_in_any_order() {
        let text = "a\r\nb\rc\n\n\r\nlong line one\nx\n".repeat(7);
        let index = LineIndex::new(&text);
        let offsets: Vec<usize> = (0..=text.len())
            .chain((0..=text.len()).rev())
            .chain((0..=text.len()).step_by(17))
            .chain([3, 90, 2, 150, 0, text.len()])
            .collect();
        let mut cursor = index.cursor();
        for offset in offsets {
            assert_eq!(cursor.line_of(offset), index.line_of(offset), "offset {offset}");
        }
    }
}
