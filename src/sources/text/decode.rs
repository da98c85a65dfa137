//! From a file to text: reading it whole, and decoding its bytes (BOM,
//! UTF-16, Windows-1252 fallback, NUL stripping) with a warning where the
//! encoding had to be guessed.

use anyhow::{bail, Context};

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

/// Reads a whole file and decodes it as `decode_text` does. A file that is UTF-8
/// already (the usual case) becomes the text without a copy: copying a 57 MB flags
/// file was 14k page faults of a 1M load, and its bytes stayed alive beside the text.
pub(crate) fn read_text(path: &std::path::Path) -> anyhow::Result<(String, Option<String>)> {
    let origin = path.display().to_string();
    match String::from_utf8(read_bytes(path)?) {
        // What `decode_text` gives back unchanged: no byte-order mark (a UTF-16 one is
        // never valid UTF-8) and no NUL to strip.
        Ok(text) if !text.starts_with('\u{FEFF}') && !text.contains('\0') => Ok((text, None)),
        Ok(text) => decode_text(text.as_bytes(), &origin),
        Err(err) => decode_text(err.as_bytes(), &origin),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_as_its_bytes_decode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.csv");
        let origin = path.display().to_string();
        for bytes in [
            &b"a,b\r\n1,2\n"[..],
            b"\xEF\xBB\xBFa,b\n",
            b"Soci\xe9t\xe9\n",
            b"a\0b,\0c\n",
            b"\xFF\xFEa\0\n\0",
            b"",
        ] {
            std::fs::write(&path, bytes).unwrap();
            assert_eq!(
                read_text(&path).unwrap(),
                decode_text(bytes, &origin).unwrap(),
                "{bytes:?}"
            );
        }
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
    fn decode_bom_then_invalid_is_an_error() {
        let err = decode_text(b"\xEF\xBB\xBFa\nb\xe9", "f.csv").unwrap_err().to_string();
        assert!(err.starts_with("f.csv:2: "), "{err}");
    }
}
