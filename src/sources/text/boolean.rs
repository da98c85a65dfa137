//! Flag cells: the spellings of true and false that exports use.

/// Parses a flag cell. `Ok(None)` is an empty cell (unknown, counted by
/// `doctor`); `Err(())` leaves the message to the caller, which knows the
/// file, line and column.
pub(crate) fn parse_bool(cell: &str) -> Result<Option<bool>, ()> {
    let value = cell.trim();
    if value.is_empty() {
        return Ok(None);
    }
    // Compared in place: a lower-cased copy of every cell was an allocation per flag.
    let is = |word: &str| value.eq_ignore_ascii_case(word);
    if ["true", "t", "yes", "y", "1"].into_iter().any(is) {
        Ok(Some(true))
    } else if ["false", "f", "no", "n", "0"].into_iter().any(is) {
        Ok(Some(false))
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
