//! JSON text, shared by the flags JSON reader and the Auth0 dump reader: the one
//! scanner that finds where the elements of an array begin and end without
//! parsing them, and the one whole-text reader whose errors name `FILE:LINE:COL`.
//!
//! serde_json reports neither where an array's elements are nor, when a value is
//! parsed apart from its file, where in the file an error is; these fill that gap.

use anyhow::anyhow;

/// A string-aware scan of bracket depth through JSON text, which may be read in
/// pieces: the state between pieces.
#[derive(Debug)]
pub(crate) struct Scan {
    depth: usize,
    /// The scan gives up when arrays and objects nest deeper than this.
    max_depth: usize,
    in_string: bool,
    /// The last byte was a backslash in a string.
    escaped: bool,
}

/// A [`Scan`] met arrays and objects nested deeper than its limit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TooDeep;

impl Scan {
    /// A scan that starts outside any string and bracket.
    pub(crate) fn new(max_depth: usize) -> Self {
        Scan {
            depth: 0,
            max_depth,
            in_string: false,
            escaped: false,
        }
    }

    /// The index in `bytes` of the first `,` or `]` outside strings and brackets:
    /// where the array element the scan started at ends. `None` when `bytes` holds
    /// none (the scan then goes on in the next piece). Only a well-formed element is
    /// sure to end there; the caller parses it to know.
    ///
    /// Takes 64 bytes at a time where it can: which are quotes and which are brackets
    /// or commas is found for all 64 at once, and whether each is in a string from the
    /// quotes before it. The Auth0 reading thread, which its parsers wait for, so
    /// scanned the 1M dump's logs in 60 ms, against 190 ms byte by byte with memchr
    /// through strings.
    ///
    /// # Errors
    /// [`TooDeep`] past the scan's depth limit.
    pub(crate) fn delimiter(&mut self, bytes: &[u8]) -> Result<Option<usize>, TooDeep> {
        let mut blocks = bytes.chunks_exact(64);
        for (k, block) in blocks.by_ref().enumerate() {
            let block: &[u8; 64] = block.try_into().expect("chunks_exact gives 64 bytes");
            let (quotes, backslashes, structure) = masks(block);
            if backslashes != 0 || self.escaped {
                // An escape can hide a quote; escapes are rare, so such a block goes byte by byte.
                if let Some(j) = self.bytes(block)? {
                    return Ok(Some(64 * k + j));
                }
                continue;
            }
            // Bit j: byte j is in a string (an opening quote counts as in, a closing one as out).
            let mut in_string = quotes;
            for shift in [1, 2, 4, 8, 16, 32] {
                in_string ^= in_string << shift;
            }
            if self.in_string {
                in_string = !in_string;
            }
            self.in_string = in_string >> 63 == 1;
            let mut outside = structure & !in_string;
            while outside != 0 {
                let j = outside.trailing_zeros() as usize;
                outside &= outside - 1;
                if self.structure(block[j])? {
                    return Ok(Some(64 * k + j));
                }
            }
        }
        let rest = blocks.remainder();
        Ok(self.bytes(rest)?.map(|j| bytes.len() - rest.len() + j))
    }

    /// [`delimiter`](Self::delimiter), one byte at a time.
    fn bytes(&mut self, bytes: &[u8]) -> Result<Option<usize>, TooDeep> {
        for (i, &b) in bytes.iter().enumerate() {
            if self.escaped {
                self.escaped = false;
            } else if self.in_string {
                match b {
                    b'"' => self.in_string = false,
                    b'\\' => self.escaped = true,
                    _ => {}
                }
            } else if b == b'"' {
                self.in_string = true;
            } else if self.structure(b)? {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// A byte outside strings: true when it ends the element.
    fn structure(&mut self, b: u8) -> Result<bool, TooDeep> {
        match b {
            b'[' | b'{' => {
                self.depth += 1;
                if self.depth > self.max_depth {
                    return Err(TooDeep);
                }
            }
            b',' | b']' if self.depth == 0 => return Ok(true),
            b']' | b'}' => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Ok(false)
    }
}

/// Whether arrays and objects nest deeper than `max_depth` in `value`, one whole
/// JSON value.
pub(crate) fn nests_deeper_than(value: &[u8], max_depth: usize) -> bool {
    // A whole value holds no `,` or `]` outside its own brackets, so the scan runs to its end.
    Scan::new(max_depth).delimiter(value).is_err()
}

/// Byte offsets where each element of the top-level JSON array of `text` starts;
/// none when `text` is not an array. `text` is valid JSON (serde_json parsed it):
/// serde_json does not report element positions, and errors must name the line of
/// the offending element.
pub(crate) fn array_element_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let skip_space = |mut at: usize| {
        while bytes.get(at).is_some_and(|b| matches!(b, b' ' | b'\n' | b'\t' | b'\r')) {
            at += 1;
        }
        at
    };
    let mut starts = Vec::new();
    let mut at = skip_space(0);
    if bytes.get(at) != Some(&b'[') {
        return starts;
    }
    at += 1;
    loop {
        at = skip_space(at);
        if matches!(bytes.get(at), None | Some(b']')) {
            return starts;
        }
        starts.push(at);
        match Scan::new(usize::MAX).delimiter(&bytes[at..]) {
            Ok(Some(end)) if bytes[at + end] == b',' => at += end + 1,
            _ => return starts,
        }
    }
}

/// Parses `text` whole with serde_json, the reader that decides whenever a faster
/// one gives up. `lines_before` is the number of lines before `text` in `origin`
/// (0 for a whole file).
///
/// # Errors
/// As [`syntax_error`] words it.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    text: &str,
    origin: &str,
    lines_before: u64,
    advice: &str,
) -> anyhow::Result<T> {
    serde_json::from_str(text).map_err(|e| syntax_error(&e, origin, lines_before, advice))
}

/// `ORIGIN:LINE:COL: not valid JSON (REASON); ADVICE` for a serde_json error in a
/// text that starts after `lines_before` lines of `origin`.
pub(crate) fn syntax_error(err: &serde_json::Error, origin: &str, lines_before: u64, advice: &str) -> anyhow::Error {
    let message = err.to_string();
    // serde_json appends " at line L column C"; the position goes in front instead.
    let reason = message.split(" at line ").next().unwrap_or(&message);
    anyhow!(
        "{origin}:{}:{}: not valid JSON ({reason}); {advice}",
        err.line() as u64 + lines_before,
        err.column()
    )
}

/// Bit masks of a block's quotes, backslashes, and brackets and commas.
///
/// SSE2 on x86_64: against the portable loop it saved 27% and 24% of a 1M `load
/// auth0` (0.725 vs 0.993 s and 0.754 vs 0.992 s, best of 5, interleaved, quiet
/// 2-core machine): the compiler does not vectorize the portable loop.
fn masks(block: &[u8; 64]) -> (u64, u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        masks_sse2(block)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        masks_portable(block)
    }
}

/// [`masks`] with SSE2 compares, 16 bytes at a time.
#[cfg(target_arch = "x86_64")]
fn masks_sse2(block: &[u8; 64]) -> (u64, u64, u64) {
    use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let (mut quotes, mut backslashes, mut structure) = (0, 0, 0);
    for (k, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: the intrinsics need SSE2, which every x86_64 CPU has (it is part of
        // the x86_64 baseline that Rust's x86_64 targets compile for, so this code is
        // never built for a CPU without it). `_mm_loadu_si128` reads 16 bytes from the
        // pointer with no alignment needed, and `part` is exactly 16 bytes long
        // (`chunks_exact(16)`), so it reads only the bytes `part` borrows. The other
        // intrinsics work on registers and touch no memory.
        let bits = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            move |c: u8| u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))) as u16) << (16 * k)
        };
        quotes |= bits(b'"');
        backslashes |= bits(b'\\');
        structure |= bits(b',') | bits(b'[') | bits(b']') | bits(b'{') | bits(b'}');
    }
    (quotes, backslashes, structure)
}

/// [`masks`] one byte at a time, for any CPU.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn masks_portable(block: &[u8; 64]) -> (u64, u64, u64) {
    let (mut quotes, mut backslashes, mut structure) = (0, 0, 0);
    for (j, &b) in block.iter().enumerate() {
        quotes |= u64::from(b == b'"') << j;
        backslashes |= u64::from(b == b'\\') << j;
        structure |= u64::from(matches!(b, b',' | b'[' | b']' | b'{' | b'}')) << j;
    }
    (quotes, backslashes, structure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The first `,` or `]` outside strings and brackets, found one byte at a time
    /// with no block tricks: what [`Scan::delimiter`] must agree with.
    fn delimiter_by_hand(bytes: &[u8], max_depth: usize) -> Result<Option<usize>, TooDeep> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (i, &b) in bytes.iter().enumerate() {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' if depth == max_depth => return Err(TooDeep),
                b'[' | b'{' => depth += 1,
                b',' | b']' if depth == 0 => return Ok(Some(i)),
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(None)
    }

    /// Text made of the bytes that matter to the scan, so that long runs of them
    /// cross the 64-byte blocks in every way.
    fn jsonish() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop::sample::select(vec![
                b'"', b'\\', b',', b'[', b']', b'{', b'}', b'a', b' ', b'\n', 0xc3, 0xa9,
            ]),
            0..300,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..Default::default() })]

        /// In one piece or cut anywhere into two, the block scan finds what a byte-by-byte scan finds.
        #[test]
        fn scan_agrees_with_a_byte_by_byte_scan(bytes in jsonish(), cut in any::<prop::sample::Index>(), max_depth in 0..6usize) {
            let want = delimiter_by_hand(&bytes, max_depth);
            prop_assert_eq!(Scan::new(max_depth).delimiter(&bytes), want.clone());
            let cut = cut.index(bytes.len() + 1);
            let mut scan = Scan::new(max_depth);
            let pieces = match scan.delimiter(&bytes[..cut]) {
                Ok(None) => scan.delimiter(&bytes[cut..]).map(|found| found.map(|i| cut + i)),
                found => found,
            };
            prop_assert_eq!(pieces, want);
        }

        #[test]
        fn sse2_and_portable_masks_agree(bytes in proptest::collection::vec(any::<u8>(), 64)) {
            let block: &[u8; 64] = bytes.as_slice().try_into().unwrap();
            #[cfg(target_arch = "x86_64")]
            prop_assert_eq!(masks_sse2(block), masks_portable(block));
            let (quotes, _, _) = masks_portable(block);
            prop_assert_eq!(quotes.count_ones() as usize, bytes.iter().filter(|&&b| b == b'"').count());
        }
    }

    #[test]
    fn element_starts_ignore_strings_and_nesting() {
        let text = "[\"a,]\\\"\", {\"b\": [1, 2]},\n 3 , [4,[5]], null]";
        let starts = array_element_starts(text);
        let first: Vec<char> = starts.iter().map(|&o| text[o..].chars().next().unwrap()).collect();
        assert_eq!(first, ['"', '{', '3', '[', 'n']);
        assert!(array_element_starts("[ ]").is_empty());
        assert!(array_element_starts(" {\"a\": [1]}").is_empty());
        let long = format!("[{}]", vec!["{\"x\": \"\\\\\\\"]\"}"; 40].join(",\n"));
        assert_eq!(array_element_starts(&long).len(), 40, "{long}");
    }

    #[test]
    fn nesting_is_measured_outside_strings() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(!nests_deeper_than(deep(120).as_bytes(), 120));
        assert!(nests_deeper_than(deep(121).as_bytes(), 120));
        let quoted = format!("{{\"x\": \"{}\"}}", "[".repeat(200));
        assert!(!nests_deeper_than(quoted.as_bytes(), 1));
    }

    #[test]
    fn syntax_errors_put_file_line_and_column_first() {
        let err = parse::<serde_json::Value>("[1,\n 2,]", "f.json", 0, "fix it").unwrap_err();
        assert_eq!(err.to_string(), "f.json:2:4: not valid JSON (trailing comma); fix it");
        let err = parse::<serde_json::Value>("{", "f.ndjson", 6, "again").unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.ndjson:7:1: not valid JSON (EOF while parsing an object); again"
        );
    }
}
