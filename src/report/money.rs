//! How `Money` is written out. In JSON and CSV: a number with the same digits the store's
//! DECIMAL has always printed as (`11090522338.57`, `0.0`). In templates: an object that
//! keeps the exact cents, which the `money`, `signed_money` and `fixed` filters format
//! without a double ever holding the amount; it renders as its exact decimal, is false
//! when zero, and compares with other amounts.
//!
//! The `Serialize` impl lives here, next to the template object it hands to minijinja,
//! because only `report` names minijinja.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{DynObject, Object, ObjectRepr, Value};
use serde::{Serialize, Serializer};

use crate::money::Money;

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if minijinja::value::serializing_for_value() {
            return Value::from_object(Amount(*self)).serialize(serializer);
        }
        // A JSON number is a double: the one nearest the exact amount prints as it.
        serializer.serialize_f64(self.json_number())
    }
}

/// An amount of money as templates see it.
#[derive(Debug)]
pub(super) struct Amount(pub(super) Money);

impl Object for Amount {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.0.is_zero()
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        Some(self.0.cmp(&other.downcast_ref::<Amount>()?.0))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The amount a template value holds, if it is one.
pub(super) fn amount_of(value: &Value) -> Option<Money> {
    value.downcast_object_ref::<Amount>().map(|amount| amount.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// DECIMAL(18,2): up to 16 digits before the point.
    const DECIMAL_18_2: i128 = 10i128.pow(18) - 1;

    /// What the store printed before money was typed: DuckDB's exact decimal text,
    /// parsed to the nearest double, written by serde_json.
    fn old_json(cents: i128) -> String {
        let sign = if cents < 0 { "-" } else { "" };
        let text = format!("{sign}{}.{:02}", cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
        serde_json::to_string(&text.parse::<f64>().unwrap()).unwrap()
    }

    fn new_json(cents: i128) -> String {
        serde_json::to_string(&Money::from_cents(cents)).unwrap()
    }

    #[test]
    fn json_prints_the_digits_the_store_always_printed() {
        for (cents, json) in [
            (0, "0.0"),
            (1, "0.01"),
            (10, "0.1"),
            (-10, "-0.1"),
            (12_000_000, "120000.0"),
            (1_109_052_233_857, "11090522338.57"),
            (1_397_772_346_031, "13977723460.31"),
            (-1_397_772_346_031, "-13977723460.31"),
            (DECIMAL_18_2, "1e+16"),
        ] {
            assert_eq!(new_json(cents), json, "{cents} cents");
            assert_eq!(new_json(cents), old_json(cents), "{cents} cents");
        }
    }

    #[test]
    fn csv_prints_the_same_digits_as_json() {
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        writer
            .serialize((
                Money::from_cents(1_109_052_233_857),
                Money::ZERO,
                Money::from_cents(-10),
            ))
            .unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text, "11090522338.57,0.0,-0.1\n");
    }

    proptest! {
        /// Below 2^53 cents (about $90 trillion) the double is exact in cents, so the
        /// new serialization equals serde_json of `cents as f64 / 100.0`.
        #[test]
        fn json_equals_cents_over_100_as_a_double(cents in -(1i128 << 53)..(1i128 << 53)) {
            let expected = serde_json::to_string(&(cents as f64 / 100.0)).unwrap();
            prop_assert_eq!(new_json(cents), expected);
        }

        /// Over the whole DECIMAL(18,2) range it equals the old path, which parsed the
        /// decimal text (above 2^53, `cents as f64 / 100.0` rounds twice and can differ).
        #[test]
        fn json_equals_the_old_decimal_text_path(cents in -DECIMAL_18_2..=DECIMAL_18_2) {
            prop_assert_eq!(new_json(cents), old_json(cents));
        }

        /// Up to 15 significant digits the printed number is the exact decimal itself.
        #[test]
        fn json_is_the_exact_decimal_up_to_15_digits(cents in -999_999_999_999_999i128..=999_999_999_999_999) {
            let exact = Money::from_cents(cents).to_string();
            let trimmed = exact.trim_end_matches('0');
            let expected = if trimmed.ends_with('.') { format!("{trimmed}0") } else { trimmed.to_string() };
            prop_assert_eq!(new_json(cents), expected);
        }
    }

    #[test]
    fn templates_get_the_exact_amount() {
        let value = Value::from_serialize(Money::from_cents(1_397_772_346_031));
        assert_eq!(amount_of(&value), Some(Money::from_cents(1_397_772_346_031)));
        assert_eq!(value.to_string(), "13977723460.31");
        assert!(value.is_true());
        assert!(!Value::from_serialize(Money::ZERO).is_true());
        let (small, big) = (
            Value::from_serialize(Money::from_cents(5)),
            Value::from_serialize(Money::from_cents(7)),
        );
        assert!(small < big);
    }
}
