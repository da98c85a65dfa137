//! Money cells: an amount such as `USD 120,000.00`, `$1,200.50` or `1.2E7`,
//! parsed exactly (never through f64) into cents, with the currency the text
//! names. Errors are short phrases; the reader adds `FILE:LINE: column`.

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
}
