//! Fiscal quarters: parsing `2026Q3`, their first and last days for a fiscal year that
//! starts in any month, and the quarter holding a date.

use anyhow::{bail, Result};
use chrono::{Datelike, NaiveDate};

/// A fiscal quarter, named by the fiscal year it ends in: with a fiscal year
/// starting in February, 2027Q1 runs from 2026-02-01 to 2026-04-30.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Quarter {
    pub year: i32,
    pub q: u32,
}

impl Quarter {
    pub(crate) fn parse(text: &str) -> Result<Quarter> {
        let upper = text.trim().to_ascii_uppercase();
        let parsed = upper
            .split_once('Q')
            .and_then(|(y, q)| Some((y.parse::<i32>().ok()?, q.parse::<u32>().ok()?)));
        match parsed {
            Some((year, q)) if (1..=4).contains(&q) && (1900..=9999).contains(&year) => Ok(Quarter { year, q }),
            _ => bail!("--quarter `{text}` is not a quarter; use YYYYQn, e.g. 2026Q3"),
        }
    }

    /// First and last day of the quarter for a fiscal year starting in `start_month`.
    pub(crate) fn bounds(self, start_month: u32) -> (NaiveDate, NaiveDate) {
        let fy_start_year = if start_month == 1 { self.year } else { self.year - 1 };
        let first = add_months(
            NaiveDate::from_ymd_opt(fy_start_year, start_month, 1).expect("valid month"),
            3 * (self.q - 1),
        );
        let last = add_months(first, 3).pred_opt().expect("date in range");
        (first, last)
    }

    pub(crate) fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    /// The quarter holding `date`.
    pub(crate) fn containing(date: NaiveDate, start_month: u32) -> Quarter {
        let months_into_fy = (date.month() + 12 - start_month) % 12;
        let fy_start_year = if date.month() >= start_month {
            date.year()
        } else {
            date.year() - 1
        };
        let year = if start_month == 1 {
            fy_start_year
        } else {
            fy_start_year + 1
        };
        Quarter {
            year,
            q: months_into_fy / 3 + 1,
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months as i32;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).expect("date in range")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn calendar_quarters() {
        let q = Quarter::parse("2026q3").unwrap();
        assert_eq!(q.bounds(1), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!(q.previous().bounds(1), (d("2026-04-01"), d("2026-06-30")));
        assert_eq!(
            Quarter::parse("2026Q1").unwrap().previous().bounds(1).1,
            d("2025-12-31")
        );
        assert_eq!(Quarter::containing(d("2026-11-27"), 1), Quarter { year: 2026, q: 4 });
    }

    #[test]
    fn fiscal_year_named_by_the_year_it_ends_in() {
        // FY2027 starting in February: Q1 = Feb-Apr 2026, Q4 = Nov 2026-Jan 2027.
        assert_eq!(
            Quarter { year: 2027, q: 1 }.bounds(2),
            (d("2026-02-01"), d("2026-04-30"))
        );
        assert_eq!(
            Quarter { year: 2027, q: 4 }.bounds(2),
            (d("2026-11-01"), d("2027-01-31"))
        );
        assert_eq!(Quarter::containing(d("2027-01-15"), 2), Quarter { year: 2027, q: 4 });
        assert_eq!(Quarter::containing(d("2026-02-01"), 2), Quarter { year: 2027, q: 1 });
    }

    #[test]
    fn bad_quarters_are_refused() {
        for bad in ["2026Q5", "2026", "Q3", "26Q0", "2026-Q3x"] {
            assert!(Quarter::parse(bad).is_err(), "{bad}");
        }
    }
}
