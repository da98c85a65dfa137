//! Salesforce record IDs: the 15-character form of reports made into the
//! 18-character form of API exports (the case-safe suffix), so both join.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
