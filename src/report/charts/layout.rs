//! Value axes: the span a chart's values need, its ticks at round values, and where a
//! value falls in pixels. Money and counts are ticked in exact integers (cents, units),
//! so that every tick label is a round amount written exactly.

use super::model::Amount;
use crate::money::Money;
use crate::wording;

/// What an axis measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Share,
    Money,
    Count,
}

impl Amount {
    pub(super) fn unit(self) -> Unit {
        match self {
            Amount::Share(_) => Unit::Share,
            Amount::Money(_) => Unit::Money,
            Amount::Count(_) => Unit::Count,
        }
    }

    /// The value on its axis: a fraction, cents, or a count; None for no share.
    pub(super) fn position(self) -> Option<f64> {
        match self {
            Amount::Share(share) => share,
            Amount::Money(money) => Some(money.cents() as f64),
            Amount::Count(n) => Some(n as f64),
        }
    }
}

/// An axis from `low` to `high` (in `Amount::position` units) with labelled ticks.
#[derive(Debug)]
pub(super) struct Axis {
    pub low: f64,
    pub high: f64,
    pub ticks: Vec<(f64, String)>,
}

impl Axis {
    /// Shares always span 0% to 100%; money and counts span 0 and every value, out to
    /// round ticks (1, 2 or 5 times a power of ten, at most about 6 of them).
    pub(super) fn new(unit: Unit, values: &[Amount], currency: &str) -> Axis {
        if unit == Unit::Share {
            let ticks = (0..=4)
                .map(|i| {
                    let share = f64::from(i) / 4.0;
                    (share, wording::percent(share, 0))
                })
                .collect();
            return Axis {
                low: 0.0,
                high: 1.0,
                ticks,
            };
        }
        let integers: Vec<i128> = values
            .iter()
            .map(|v| match v {
                Amount::Money(m) => m.cents(),
                Amount::Count(n) => i128::from(*n),
                Amount::Share(_) => 0,
            })
            .collect();
        let min = integers.iter().copied().min().unwrap_or(0).min(0);
        let max = integers.iter().copied().max().unwrap_or(0).max(0);
        // Whole dollars (or the currency's units) at least, and whole counts.
        let smallest = if unit == Unit::Money { 100 } else { 1 };
        let step = round_step(max - min, smallest);
        let first = min.div_euclid(step) * step;
        let last = -((-max).div_euclid(step) * step);
        let last = if last == first { first + step } else { last };
        let label = |t: i128| match unit {
            Unit::Money => Money::from_cents(t).compact(currency),
            _ => wording::thousands(t as i64),
        };
        let ticks = (0..)
            .map(|i| first + i * step)
            .take_while(|t| *t <= last)
            .map(|t| (t as f64, label(t)))
            .collect();
        Axis {
            low: first as f64,
            high: last as f64,
            ticks,
        }
    }

    /// Where `value` falls between pixel `from` (at `low`) and `to` (at `high`).
    pub(super) fn pixel(&self, value: f64, from: f64, to: f64) -> f64 {
        from + (value - self.low) / (self.high - self.low) * (to - from)
    }
}

/// The smallest of 1, 2 or 5 times a power of ten (and at least `smallest`) that cuts
/// `span` into at most 5 steps.
fn round_step(span: i128, smallest: i128) -> i128 {
    let wanted = ((span + 4) / 5).max(smallest);
    let mut magnitude = 1i128;
    while magnitude * 10 <= wanted {
        magnitude *= 10;
    }
    [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= wanted)
        .unwrap_or(10 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(cents: &[i128]) -> Vec<Amount> {
        cents.iter().map(|c| Amount::Money(Money::from_cents(*c))).collect()
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(round_step(5, 1), 1);
        assert_eq!(round_step(6, 1), 2);
        assert_eq!(round_step(23, 1), 5);
        assert_eq!(round_step(120, 1), 50);
        assert_eq!(round_step(0, 1), 1);
        assert_eq!(round_step(26_000_000, 100), 10_000_000);
    }

    #[test]
    fn money_axes_tick_at_round_amounts_and_cover_every_value() {
        let axis = Axis::new(Unit::Money, &money(&[23_000_000, 15_000_000]), "USD");
        let labels: Vec<&str> = axis.ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["$0", "$50k", "$100k", "$150k", "$200k", "$250k"]);
        assert_eq!((axis.low, axis.high), (0.0, 25_000_000.0));
        let negative = Axis::new(Unit::Money, &money(&[-3_000_000, 12_000_000]), "USD");
        assert_eq!(negative.low, -5_000_000.0);
        assert_eq!(negative.high, 15_000_000.0);
        let zero = Axis::new(Unit::Count, &[Amount::Count(0)], "USD");
        assert_eq!((zero.low, zero.high), (0.0, 1.0));
    }

    #[test]
    fn shares_span_zero_to_a_hundred_percent() {
        let axis = Axis::new(Unit::Share, &[Amount::Share(Some(0.3))], "USD");
        assert_eq!(axis.ticks.last().unwrap().1, "100%");
        assert_eq!(axis.pixel(0.5, 100.0, 300.0), 200.0);
    }
}
