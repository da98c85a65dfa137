//! Money: an exact amount in cents of the reporting currency, carried as an integer
//! from the store's DECIMAL to every output, and its compact written form (`$60.0M`).
//!
//! Neutral ground: the store reads it, `compose` adds and subtracts it, `report` prints
//! it (its `Serialize` lives there, next to the template object). Depends on nothing
//! else in the crate.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The newtype name under which `Money` asks a deserializer for cents (`store::rows`
/// answers it with the exact DECIMAL, scaled to 2 places, through `visit_i128`).
pub(crate) const CENTS_NEWTYPE: &str = "$featurearr::Money";

/// Below this many cents an `i128 as f64` is exact, so one division by 100 gives the
/// double nearest the amount.
const EXACT_IN_F64: u128 = 1 << 53;

/// An amount of money in cents. Sums of DECIMAL(18,2) reach DECIMAL(38,2), hence i128.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Money(i128);

impl Money {
    pub(crate) const ZERO: Money = Money(0);

    pub(crate) const fn from_cents(cents: i128) -> Money {
        Money(cents)
    }

    pub(crate) const fn cents(self) -> i128 {
        self.0
    }

    /// A plain decimal such as `10000`, `1234.5` or `-0.25`: at most 2 decimals, no
    /// thousands separators, no currency. None for anything else.
    pub(crate) fn parse(text: &str) -> Option<Money> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
            return None;
        }
        let whole: i128 = whole.parse().ok()?;
        let fraction: i128 = format!("{fraction:0<2}").parse().ok()?;
        let cents = whole.checked_mul(100)?.checked_add(fraction)?;
        Some(Money(if negative { -cents } else { cents }))
    }

    pub(crate) fn abs(self) -> Money {
        Money(self.0.abs())
    }

    pub(crate) fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The double nearest the exact amount: what a JSON number can hold. Every amount of
    /// at most 15 significant digits (all under $10 trillion) prints back as its exact
    /// decimal; larger ones print as the double the store's DECIMAL text always parsed to.
    pub(crate) fn json_number(self) -> f64 {
        if self.0.unsigned_abs() < EXACT_IN_F64 {
            // Both operands exact, so the one rounding of the division is correct.
            return self.0 as f64 / 100.0;
        }
        // `as f64` would round once and the division again; the parser rounds once.
        self.to_string().parse().expect("a decimal parses as f64")
    }

    /// The amount rounded to `places` decimals, half to even (as `format!("{:.2$}")` rounds
    /// a double that is exactly halfway), without a thousands separator: `1234.5` at 0
    /// places is `1234`, at 3 places `1234.500`.
    pub(crate) fn rounded(self, places: usize) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        if places >= 2 {
            return format!("{sign}{}.{:02}{}", cents / 100, cents % 100, "0".repeat(places - 2));
        }
        let unit = 10u128.pow(2 - places as u32);
        let scaled = round_half_even(cents, unit);
        match places {
            0 => format!("{sign}{scaled}"),
            _ => format!("{sign}{}.{}", scaled / 10, scaled % 10),
        }
    }

    /// The amount in a compact form for prose and tables: `$60.0M`, `$850k`, `$1.2k`,
    /// `$420`, `-$3.5k`, `CHF 2.5B`. The unit is picked after rounding, so that
    /// $999,960 prints as `$1.0M` and never as `$1000k`. Halves round to even.
    pub(crate) fn compact(self, currency: &str) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}{}", symbol(currency), compact_body(self.0.unsigned_abs()))
    }

    /// `compact` with a sign on every amount: `+$20k`, `-$20k`, and `+$0` for no change
    /// (as signed counts print `+0`).
    pub(crate) fn signed_compact(self, currency: &str) -> String {
        let sign = if self.0 < 0 { "-" } else { "+" };
        format!("{sign}{}{}", symbol(currency), compact_body(self.0.unsigned_abs()))
    }
}

/// `n / unit` rounded to the nearest integer, halves to even.
fn round_half_even(n: u128, unit: u128) -> u128 {
    let (quotient, remainder) = (n / unit, n % unit);
    match (2 * remainder).cmp(&unit) {
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal if quotient % 2 == 1 => quotient + 1,
        _ => quotient,
    }
}

fn symbol(currency: &str) -> String {
    match currency {
        "USD" => "$".to_string(),
        "EUR" => "€".to_string(),
        "GBP" => "£".to_string(),
        other => format!("{other} "),
    }
}

/// The compact digits and unit of `cents` (no sign, no symbol). Each unit is used
/// while its rounded value stays below the next unit: 999.5 rounds to 1.0k, not 1000.
fn compact_body(cents: u128) -> String {
    let tenths = |value: u128, suffix: &str| format!("{}.{}{suffix}", value / 10, value % 10);
    let units = round_half_even(cents, 100);
    if units < 1_000 {
        return units.to_string();
    }
    let tenths_of_thousands = round_half_even(cents, 10_000);
    if tenths_of_thousands < 100 {
        return tenths(tenths_of_thousands, "k");
    }
    let thousands = round_half_even(cents, 100_000);
    if thousands < 1_000 {
        return format!("{thousands}k");
    }
    let tenths_of_millions = round_half_even(cents, 10_000_000);
    if tenths_of_millions < 10_000 {
        return tenths(tenths_of_millions, "M");
    }
    tenths(round_half_even(cents, 10_000_000_000), "B")
}

/// The exact decimal with 2 places: `1234.50`, `-0.10`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let cents = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", cents / 100, cents % 100)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        self.0 += other.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// Read from a query row (`store::rows`), which hands over the exact cents; no other
/// format can give an amount without passing through a double.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        struct Cents;
        impl Visitor<'_> for Cents {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount of money in cents, from a DECIMAL column")
            }
            fn visit_i128<E: de::Error>(self, cents: i128) -> Result<Money, E> {
                Ok(Money(cents))
            }
        }
        deserializer.deserialize_newtype_struct(CENTS_NEWTYPE, Cents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(dollars: f64) -> String {
        Money::from_cents((dollars * 100.0).round() as i128).compact("USD")
    }

    #[test]
    fn sums_and_differences_are_exact_at_large_values() {
        let big = Money::parse("13977723460.31").unwrap();
        assert_eq!(big.cents(), 1_397_772_346_031);
        assert_eq!((big + Money::parse("0.01").unwrap()).to_string(), "13977723460.32");
        assert_eq!((big - big).to_string(), "0.00");
        let ten_cents: Money = std::iter::repeat_n(Money::parse("0.1").unwrap(), 300_000).sum();
        assert_eq!(
            ten_cents.to_string(),
            "30000.00",
            "0.1 added 300,000 times in f64 is not 30000"
        );
        let change = Money::parse("120000.1").unwrap() - Money::parse("100000.2").unwrap();
        assert_eq!(
            change.to_string(),
            "19999.90",
            "a plain f64 subtraction gives 19999.90000000001"
        );
        assert_eq!(change.json_number(), 19_999.9);
        // Beyond 2^63 cents: sums of DECIMAL(38,2) columns.
        let huge = Money::from_cents(i128::from(i64::MAX)) + Money::from_cents(i128::from(i64::MAX));
        assert_eq!(huge.cents(), 2 * i128::from(i64::MAX));
    }

    #[test]
    fn negative_amounts_keep_their_sign() {
        let refund = Money::parse("-0.10").unwrap();
        assert_eq!(refund.cents(), -10);
        assert_eq!(refund.to_string(), "-0.10");
        assert_eq!((-refund).to_string(), "0.10");
        assert_eq!(refund.abs(), Money::from_cents(10));
        assert!(refund < Money::ZERO && !refund.is_zero());
        assert_eq!(refund.json_number(), -0.1);
        assert_eq!(
            Money::parse("-13977723460.31").unwrap().json_number(),
            -13_977_723_460.31
        );
    }

    #[test]
    fn parse_takes_plain_decimals_of_at_most_two_places() {
        assert_eq!(Money::parse("10000"), Some(Money::from_cents(1_000_000)));
        assert_eq!(Money::parse("1234.5"), Some(Money::from_cents(123_450)));
        assert_eq!(Money::parse("0.07"), Some(Money::from_cents(7)));
        for bad in ["", "-", ".5", "1.234", "1,000", "$5", "1e3", "1.2.3", "abc", " 5"] {
            assert_eq!(Money::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn compact_money_rounds_into_the_next_unit() {
        assert_eq!(usd(60_000_000.0), "$60.0M");
        assert_eq!(usd(850_000.0), "$850k");
        assert_eq!(usd(999_950.0), "$1.0M");
        assert_eq!(usd(999_600.0), "$1.0M", "not $1000k");
        assert_eq!(usd(999_400.0), "$999k");
        assert_eq!(usd(12_400_000.0), "$12.4M");
        assert_eq!(usd(1_234.0), "$1.2k");
        assert_eq!(usd(9_960.0), "$10k", "not $10.0k");
        assert_eq!(usd(999.6), "$1.0k", "not $1000");
        assert_eq!(usd(420.0), "$420");
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(11_090_522_338.57), "$11.1B");
        assert_eq!(usd(2_500_000_000_000.0), "$2500.0B");
        assert_eq!(Money::from_cents(42_000).compact("EUR"), "€420");
        assert_eq!(Money::from_cents(250_000_000_000).compact("CHF"), "CHF 2.5B");
    }

    #[test]
    fn compact_money_rounds_halves_to_even_like_the_doubles_did() {
        // These halves are exact doubles, and `format!` rounded them to even.
        assert_eq!(usd(12_500.0), "$12k");
        assert_eq!(usd(13_500.0), "$14k");
        assert_eq!(usd(1_250_000.0), "$1.2M");
        assert_eq!(usd(1_750_000.0), "$1.8M");
        assert_eq!(usd(1_250.0), "$1.2k");
        assert_eq!(usd(0.5), "$0");
        assert_eq!(usd(1.5), "$2");
    }

    #[test]
    fn signed_compact_money_carries_a_sign_on_every_amount() {
        assert_eq!(Money::from_cents(15_000_000).signed_compact("USD"), "+$150k");
        assert_eq!(Money::from_cents(-15_000_000).signed_compact("USD"), "-$150k");
        assert_eq!(Money::ZERO.signed_compact("USD"), "+$0");
        assert_eq!(Money::from_cents(-15_000_000).compact("USD"), "-$150k");
        assert_eq!(Money::from_cents(-40).compact("USD"), "-$0");
        assert_eq!(Money::from_cents(-350_000).compact("GBP"), "-£3.5k");
    }

    #[test]
    fn rounded_matches_formatting_a_double_to_the_same_places() {
        for cents in [0, 1, 49, 50, 51, 150, 250, 123_450, 123_550, -250, -251, 99_999] {
            let amount = Money::from_cents(cents);
            for places in 0..=3 {
                assert_eq!(
                    amount.rounded(places),
                    format!("{:.*}", places, amount.json_number()),
                    "{cents} cents at {places} places"
                );
            }
        }
    }
}
