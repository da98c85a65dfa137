//! The chart model: what a chart shows (a title, labelled axes and exact values), the
//! table of its numbers and its description in words, written as the labels write them.

use anyhow::{bail, Result};
use serde::Serialize;

use crate::money::Money;
use crate::wording;

/// One chart of a report.
pub(crate) struct Chart {
    /// Unique within its report; the chart's files are `charts/<report>-<name>.svg|png`.
    pub name: String,
    pub title: String,
    /// The reporting currency, for money labels.
    pub currency: String,
    pub body: Body,
}

pub(crate) enum Body {
    Bars(Bars),
    Lines(Lines),
    Waterfall(Waterfall),
}

/// Horizontal bars: a group per category, a bar per series in each group.
pub(crate) struct Bars {
    pub category_axis: String,
    pub value_axis: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

/// Lines: a point per x (a date) on each series.
pub(crate) struct Lines {
    pub x_axis: String,
    pub y_axis: String,
    pub xs: Vec<String>,
    pub series: Vec<Series>,
}

/// A named series of values, one per category (or x), all of one kind.
pub(crate) struct Series {
    pub name: String,
    pub values: Vec<Amount>,
}

/// A value as a chart shows it; money stays exact until it is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Amount {
    /// A fraction (0.3 is 30%); None where there is nothing to divide by.
    Share(Option<f64>),
    Money(Money),
    Count(i64),
}

/// A waterfall: a starting total, signed steps, and the total they reach.
pub(crate) struct Waterfall {
    pub x_axis: String,
    pub y_axis: String,
    pub start: Step,
    pub steps: Vec<Step>,
    pub end: Step,
}

/// A bar of a waterfall: its label (lines separated by `\n`) and amount.
pub(crate) struct Step {
    pub label: String,
    pub amount: Money,
}

impl Waterfall {
    /// A waterfall whose steps must take `start` exactly to `end`: a drawing that does
    /// not add up would put a wrong number in front of its readers.
    pub(crate) fn new(x_axis: String, y_axis: String, start: Step, steps: Vec<Step>, end: Step) -> Result<Waterfall> {
        let reached = start.amount + steps.iter().map(|s| s.amount).sum::<Money>();
        if reached != end.amount {
            bail!(
                "the waterfall from {} to {} does not add up: the steps reach {reached}, not {}; please report it",
                one_line(&start.label),
                one_line(&end.label),
                end.amount
            );
        }
        Ok(Waterfall {
            x_axis,
            y_axis,
            start,
            steps,
            end,
        })
    }

    /// The running total after each bar: the start, each step, the end.
    pub(super) fn running(&self) -> Vec<Money> {
        let mut total = self.start.amount;
        let mut out = vec![total];
        for step in &self.steps {
            total += step.amount;
            out.push(total);
        }
        out.push(self.end.amount);
        out
    }
}

/// The numbers of a chart, formatted as its labels (and the markdown) write them.
#[derive(Debug, Serialize)]
pub(crate) struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Chart {
    /// A value as its label writes it: `12.3%`, `$1.2M`, `1,234`.
    pub(super) fn label(&self, amount: Amount) -> String {
        match amount {
            Amount::Share(Some(share)) => wording::percent(share, 1),
            Amount::Share(None) => "n/a".into(),
            Amount::Money(money) => money.compact(&self.currency),
            Amount::Count(n) => wording::thousands(n),
        }
    }

    /// The text alternative: every value the chart draws, in words.
    pub(super) fn description(&self) -> String {
        let table = self.table();
        let rows: Vec<String> = table
            .rows
            .iter()
            .map(|row| {
                let values: Vec<String> = table.columns[1..]
                    .iter()
                    .zip(&row[1..])
                    .filter(|(_, value)| !value.is_empty())
                    .map(|(column, value)| format!("{column} {value}"))
                    .collect();
                format!("{}: {}", row[0], values.join(", "))
            })
            .collect();
        format!("{}. {}.", self.title, rows.join("; "))
    }

    pub(super) fn table(&self) -> Table {
        let series_table = |first: &str, keys: &[String], series: &[Series]| Table {
            columns: std::iter::once(first.to_string())
                .chain(series.iter().map(|s| s.name.clone()))
                .collect(),
            rows: keys
                .iter()
                .enumerate()
                .map(|(i, key)| {
                    std::iter::once(key.clone())
                        .chain(series.iter().map(|s| self.label(s.values[i])))
                        .collect()
                })
                .collect(),
        };
        match &self.body {
            Body::Bars(bars) => series_table(&bars.category_axis, &bars.categories, &bars.series),
            Body::Lines(lines) => series_table(&lines.x_axis, &lines.xs, &lines.series),
            Body::Waterfall(w) => {
                let money = |m: Money| m.compact(&self.currency);
                let running = w.running();
                let mut rows = vec![vec![one_line(&w.start.label), String::new(), money(w.start.amount)]];
                for (step, total) in w.steps.iter().zip(&running[1..]) {
                    let change = match step.amount.is_zero() {
                        true => money(step.amount),
                        false => step.amount.signed_compact(&self.currency),
                    };
                    rows.push(vec![one_line(&step.label), change, money(*total)]);
                }
                rows.push(vec![one_line(&w.end.label), String::new(), money(w.end.amount)]);
                Table {
                    columns: vec!["step".into(), "change".into(), w.y_axis.clone()],
                    rows,
                }
            }
        }
    }
}

/// A multi-line label on one line.
fn one_line(label: &str) -> String {
    label.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(label: &str, cents: i128) -> Step {
        Step {
            label: label.into(),
            amount: Money::from_cents(cents),
        }
    }

    fn waterfall(end_cents: i128) -> Result<Waterfall> {
        Waterfall::new(
            "step".into(),
            "ARR".into(),
            step("ARR\n2026-06-30", 15_000_000),
            vec![step("turned\non", 5_000_000), step("turned\noff", -2_000_001)],
            step("ARR\n2026-09-30", end_cents),
        )
    }

    #[test]
    fn a_waterfall_must_add_up_to_the_cent() {
        let err = waterfall(17_999_998).err().unwrap();
        assert!(err.to_string().contains("does not add up"), "{err}");
        let w = waterfall(17_999_999).unwrap();
        assert_eq!(
            w.running(),
            [15_000_000, 20_000_000, 17_999_999, 17_999_999].map(Money::from_cents)
        );
    }

    #[test]
    fn tables_and_descriptions_write_values_as_the_labels_do() {
        let chart = Chart {
            name: "share".into(),
            title: "Share per feature".into(),
            currency: "USD".into(),
            body: Body::Bars(Bars {
                category_axis: "feature".into(),
                value_axis: "percent".into(),
                categories: vec!["SSO".into(), "SCIM".into()],
                series: vec![
                    Series {
                        name: "% of customers".into(),
                        values: vec![Amount::Share(Some(0.3)), Amount::Share(None)],
                    },
                    Series {
                        name: "ARR".into(),
                        values: vec![
                            Amount::Money(Money::from_cents(6_000_000_000)),
                            Amount::Money(Money::ZERO),
                        ],
                    },
                ],
            }),
        };
        let table = chart.table();
        assert_eq!(table.columns, ["feature", "% of customers", "ARR"]);
        assert_eq!(table.rows, [["SSO", "30.0%", "$60.0M"], ["SCIM", "n/a", "$0"]]);
        assert_eq!(
            chart.description(),
            "Share per feature. SSO: % of customers 30.0%, ARR $60.0M; SCIM: % of customers n/a, ARR $0."
        );
        let w = Chart {
            name: "waterfall-sso".into(),
            title: "SSO".into(),
            currency: "USD".into(),
            body: Body::Waterfall(waterfall(17_999_999).unwrap()),
        };
        let rows = w.table().rows;
        assert_eq!(rows[0], ["ARR 2026-06-30", "", "$150k"]);
        assert_eq!(rows[2], ["turned off", "-$20k", "$180k"]);
        assert_eq!(rows[3], ["ARR 2026-09-30", "", "$180k"]);
    }
}
