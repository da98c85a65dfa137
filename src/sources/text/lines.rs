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

/// The `\n` bytes of `text`: at least its line count less one, to size row vectors.
pub(crate) fn line_breaks(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index() {
        let index = LineIndex::new("ab\ncd\n\nx");
        assert_eq!([0, 2, 3, 5, 6, 7, 8].map(|o| index.line_of(o)), [1, 1, 2, 2, 3, 4, 4]);
    }
}
