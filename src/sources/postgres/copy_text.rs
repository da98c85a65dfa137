//! One row of PostgreSQL's COPY text format: values separated by tabs, `\N` for
//! NULL, and a backslash before each tab, newline, carriage return or backslash
//! inside a value. Every raw newline ends a row, so rows can be read one line at a
//! time as the server sends them.

/// The values of the last row read, decoded, and where each lies in `text`.
#[derive(Default)]
pub(super) struct CopyRow {
    text: String,
    /// (start, end) in `text` of each value; None for NULL.
    values: Vec<Option<(usize, usize)>>,
}

impl CopyRow {
    /// Decodes one row (its line without the newline). Errors are short phrases.
    pub(super) fn read(&mut self, line: &[u8]) -> Result<(), String> {
        self.values.clear();
        // The text's buffer is reused from row to row.
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        bytes.clear();
        for value in line.split(|&b| b == b'\t') {
            if value == b"\\N" {
                self.values.push(None);
                continue;
            }
            let start = bytes.len();
            unescape(value, &mut bytes);
            self.values.push(Some((start, bytes.len())));
        }
        // The connection asks for UTF-8 (client_encoding), so this only fails on a
        // value whose escapes spell invalid bytes.
        match String::from_utf8(bytes) {
            Ok(text) => {
                self.text = text;
                Ok(())
            }
            Err(_) => Err("a value is not valid UTF-8".to_string()),
        }
    }

    /// The values of the row read last, in `out` (cleared first).
    pub(super) fn values<'r>(&'r self, out: &mut Vec<Option<&'r str>>) {
        out.clear();
        out.extend(self.values.iter().map(|v| v.map(|(start, end)| &self.text[start..end])));
    }
}

/// Appends `value` with its backslash escapes decoded.
fn unescape(value: &[u8], out: &mut Vec<u8>) {
    if !value.contains(&b'\\') {
        out.extend_from_slice(value);
        return;
    }
    let mut at = 0;
    while at < value.len() {
        let byte = value[at];
        at += 1;
        if byte != b'\\' || at == value.len() {
            out.push(byte);
            continue;
        }
        let next = value[at];
        at += 1;
        match next {
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                let mut code = u32::from(next - b'0');
                for _ in 0..2 {
                    match value.get(at) {
                        Some(&d @ b'0'..=b'7') => {
                            code = code * 8 + u32::from(d - b'0');
                            at += 1;
                        }
                        _ => break,
                    }
                }
                out.push(code as u8);
            }
            b'x' if value.get(at).is_some_and(u8::is_ascii_hexdigit) => {
                let digits = value[at..].iter().take(2).take_while(|d| d.is_ascii_hexdigit()).count();
                let hex = std::str::from_utf8(&value[at..at + digits]).unwrap_or("0");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                at += digits;
            }
            // Any other character stands for itself (`\\` is a backslash).
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &[u8]) -> Vec<Option<String>> {
        let mut row = CopyRow::default();
        row.read(line).unwrap();
        let mut values = Vec::new();
        row.values(&mut values);
        values.into_iter().map(|v| v.map(str::to_string)).collect()
    }

    #[test]
    fn values_nulls_and_escapes() {
        assert_eq!(
            read(b"ws_1\tAcme\\tEU\\\\x\t\\N\tt\t"),
            [
                Some("ws_1".into()),
                Some("Acme\tEU\\x".into()),
                None,
                Some("t".into()),
                Some(String::new())
            ]
        );
        assert_eq!(
            read(b"two\\nlines\\r\tcaf\\303\\251\t\\x41\\b"),
            [Some("two\nlines\r".into()), Some("café".into()), Some("A\u{8}".into())]
        );
        // `\N` is NULL only as a whole value; `\\N` is the text `\N`.
        assert_eq!(read(b"\\\\N\ta\\N"), [Some("\\N".into()), Some("aN".into())]);
        let mut row = CopyRow::default();
        assert!(row.read(b"\\377").is_err());
    }
}
