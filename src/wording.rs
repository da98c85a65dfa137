//! Counts in words: thousands separators, percentages, and a noun that agrees with its
//! count. Shared by the template filters and the charts (`report`) and the messages
//! `lib` prints; depends on nothing else in the crate.

/// An integer with thousands separators: `1,234,567`.
pub(crate) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share (a fraction) as a percentage with `places` decimals: 0.1234 at 1 place is
/// `12.3%`. The markdown's `pct` filter and the charts' labels both write it so.
pub(crate) fn percent(share: f64, places: usize) -> String {
    format!("{:.places$}%", share * 100.0)
}

/// `singular` for a count of exactly 1, else `plural` (by default `singular` + "s"):
/// 1 account, 0 accounts, 2 accounts; 1 is, 2 are.
pub(crate) fn plural<'a>(count: i64, singular: &'a str, plural: Option<&'a str>) -> std::borrow::Cow<'a, str> {
    match (count, plural) {
        (1, _) => singular.into(),
        (_, Some(plural)) => plural.into(),
        (_, None) => format!("{singular}s").into(),
    }
}

/// A count and its noun: `1 workspace`, `12,000 workspaces`.
pub(crate) fn count_of(count: impl TryInto<i64>, noun: &str) -> String {
    let count = count.try_into().unwrap_or(i64::MAX);
    format!("{} {}", thousands(count), plural(count, noun, None))
}

/// `count_of` for a noun whose plural is not `singular` + "s": `1 retry`, `2 retries`.
pub(crate) fn count_of_irregular(count: impl TryInto<i64>, singular: &str, plural_form: &str) -> String {
    let count = count.try_into().unwrap_or(i64::MAX);
    format!("{} {}", thousands(count), plural(count, singular, Some(plural_form)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(-1000), "-1,000");
        assert_eq!(thousands(0), "0");
    }

    #[test]
    fn percentages_keep_the_places_asked_for() {
        assert_eq!(percent(0.1234, 1), "12.3%");
        assert_eq!(percent(1.0, 0), "100%");
        assert_eq!(percent(0.0, 1), "0.0%");
    }

    #[test]
    fn a_noun_agrees_with_its_count() {
        assert_eq!(plural(1, "account", None), "account");
        assert_eq!(plural(0, "account", None), "accounts");
        assert_eq!(plural(2, "is", Some("are")), "are");
        assert_eq!(plural(1, "is", Some("are")), "is");
        assert_eq!(plural(-1, "day", None), "days");
        assert_eq!(count_of(1usize, "workspace"), "1 workspace");
        assert_eq!(count_of(12_000u64, "workspace"), "12,000 workspaces");
        assert_eq!(count_of_irregular(1u64, "retry", "retries"), "1 retry");
        assert_eq!(count_of_irregular(3u64, "retry", "retries"), "3 retries");
    }
}
