//! Which snapshots a report reads: a side per date (the newest snapshot of each source
//! on or before it), the report date, the snapshots a side used and their gaps, and
//! the registration of the query blocks for a set of sides.

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Config;
use crate::money::Money;
use crate::queries::{self, Band, Blocks, Rollup, Side};
use crate::store::{Source, Store};

/// How far a snapshot may be from the date it is read for before a report warns.
pub(super) const STALE_DAYS: i64 = 7;

/// The snapshot each source contributes to a side dated `as_of`.
pub(super) fn select_side(store: &Store, name: &str, as_of: NaiveDate, required: &[Source]) -> Result<Side> {
    let mut snapshots = Vec::new();
    for source in Source::ALL {
        match store.snapshot_on_or_before(source, as_of)? {
            Some(s) => snapshots.push((source, s.snapshot_id, parse_date(&s.as_of)?)),
            None if required.contains(&source) => bail!(
                "no {} snapshot on or before {as_of}; load one with `{}`",
                source.name(),
                source.load_command()
            ),
            None => {}
        }
    }
    Ok(Side {
        name: name.to_string(),
        as_of,
        snapshots,
    })
}

pub(super) fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").with_context(|| format!("bad date `{text}` in the store"))
}

/// The report date: the one asked for, else the latest flags snapshot.
pub(crate) fn report_date(store: &Store, as_of: Option<NaiveDate>) -> Result<NaiveDate> {
    if let Some(date) = as_of {
        return Ok(date);
    }
    match flags_dates(store)?.last() {
        Some(date) => Ok(*date),
        None => bail!(
            "no flags snapshot in the store yet; load one with `{}`",
            Source::Flags.load_command()
        ),
    }
}

/// Dates of every flags snapshot, oldest first.
pub(super) fn flags_dates(store: &Store) -> Result<Vec<NaiveDate>> {
    let mut dates: Vec<NaiveDate> = store
        .snapshots()?
        .into_iter()
        .filter(|s| s.source == Source::Flags.name())
        .map(|s| parse_date(&s.as_of))
        .collect::<Result<_>>()?;
    dates.sort();
    Ok(dates)
}

/// The (snapshot id, date) of `source` on `side`, if it has one.
pub(super) fn snapshot_of(side: &Side, source: Source) -> Option<(i64, NaiveDate)> {
    side.snapshots
        .iter()
        .find(|(s, _, _)| *s == source)
        .map(|(_, id, date)| (*id, *date))
}

/// The ARR bands of the config: "under $10k", "$10k-$50k", ..., "$250k and up".
fn bands(config: &Config) -> Vec<Band> {
    let label = |amount: Money| amount.compact(&config.currency.reporting);
    let mut out = Vec::with_capacity(config.arr_bands.len() + 1);
    let mut lower = Money::ZERO;
    for (i, &upper) in config.arr_bands.iter().enumerate() {
        let text = if i == 0 {
            format!("under {}", label(upper))
        } else {
            format!("{}-{}", label(lower), label(upper))
        };
        out.push(Band {
            label: text,
            lower,
            upper: Some(upper),
        });
        lower = upper;
    }
    out.push(Band {
        label: format!("{} and up", label(lower)),
        lower,
        upper: None,
    });
    out
}

/// Registers the selection for `sides`, the ARR bands and every query block.
pub(super) fn prepare<'s>(store: &'s Store, config: &Config, sides: &[Side]) -> Result<Blocks<'s>> {
    let queries = queries::load_queries(config.queries_dir.as_deref())?;
    queries::prepare(store, queries, sides, &bands(config), config.rollup)
}

/// A snapshot a report used, for its "snapshots used" section.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UsedSnapshot {
    pub source: String,
    pub as_of: String,
    pub origin: String,
    /// Where an ARR snapshot's exchange rates came from, when Salesforce gave some:
    /// `EUR 1/0.8 from Salesforce CurrencyType; GBP 1.27 from the config`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rates: Option<String>,
    /// On the ARR snapshot when customers are not single accounts
    /// (`[salesforce] rollup`): what one customer is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers: Option<&'static str>,
}

/// What one customer is under `rollup`, when it is not a single account (SPEC 3's
/// default, which reports leave unsaid).
pub(crate) fn customer_unit(rollup: Rollup) -> Option<&'static str> {
    match rollup {
        Rollup::Account => None,
        Rollup::UltimateParent => Some("account families"),
    }
}

/// The snapshots a side used.
pub(super) fn used_snapshots(store: &Store, side: &Side, rollup: Rollup) -> Result<Vec<UsedSnapshot>> {
    let all = store.snapshots()?;
    Ok(side
        .snapshots
        .iter()
        .filter_map(|(_, id, _)| all.iter().find(|s| s.snapshot_id == *id))
        .map(|s| UsedSnapshot {
            source: s.source.clone(),
            as_of: s.as_of.clone(),
            origin: s.origin.clone(),
            rates: rates_note(&s.details),
            customers: (s.source == Source::Arr.name())
                .then(|| customer_unit(rollup))
                .flatten(),
        })
        .collect())
}

/// The `rates` of a snapshot's details (`{"EUR": {"rate": "1/0.8", "from": "conversion_rate"}}`)
/// as one line, grouped by where they came from.
fn rates_note(details: &serde_json::Value) -> Option<String> {
    let rates = details.get("rates")?.as_object()?;
    let mut salesforce = Vec::new();
    let mut config = Vec::new();
    for (code, used) in rates {
        let text = format!("{code} {}", used.get("rate")?.as_str()?);
        match used.get("from")?.as_str()? {
            "config" => config.push(text),
            _ => salesforce.push(text),
        }
    }
    let mut parts = Vec::new();
    if !salesforce.is_empty() {
        parts.push(format!("{} from Salesforce CurrencyType", salesforce.join(", ")));
    }
    if !config.is_empty() {
        parts.push(format!("{} from the config", config.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A source whose snapshot is more than `STALE_DAYS` from the flags snapshot it is
/// read with.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SnapshotGap {
    pub source: &'static str,
    pub as_of: String,
    pub flags_as_of: String,
    pub days: i64,
}

/// The snapshot gaps of a side.
pub(super) fn snapshot_gaps(side: &Side) -> Vec<SnapshotGap> {
    let Some((_, flags)) = snapshot_of(side, Source::Flags) else {
        return Vec::new();
    };
    side.snapshots
        .iter()
        .filter(|(s, _, d)| *s != Source::Flags && (flags - *d).num_days().abs() > STALE_DAYS)
        .map(|(s, _, d)| SnapshotGap {
            source: s.name(),
            as_of: d.to_string(),
            flags_as_of: flags.to_string(),
            days: (flags - *d).num_days(),
        })
        .collect()
}

/// The dates nearest to `target` among `dates`, nearest first, for error messages.
pub(super) fn nearest(dates: &[NaiveDate], target: NaiveDate) -> Vec<String> {
    let mut sorted = dates.to_vec();
    sorted.sort_by_key(|d| ((*d - target).num_days().abs(), *d));
    sorted.iter().take(3).map(NaiveDate::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn rates_note_says_where_each_rate_came_from() {
        let details = serde_json::json!({"rates": {
            "EUR": {"rate": "1/0.8", "from": "conversion_rate"},
            "GBP": {"rate": "1.27", "from": "config"},
            "JPY": {"rate": "1/110.5", "from": "conversion_rate"}}});
        assert_eq!(
            rates_note(&details).as_deref(),
            Some("EUR 1/0.8, JPY 1/110.5 from Salesforce CurrencyType; GBP 1.27 from the config")
        );
        assert_eq!(rates_note(&serde_json::json!({"warnings": []})), None);
    }

    #[test]
    fn nearest_dates_come_first() {
        let dates = [d("2026-01-31"), d("2026-06-30"), d("2026-09-30")];
        assert_eq!(
            nearest(&dates, d("2026-05-01")),
            ["2026-06-30", "2026-01-31", "2026-09-30"]
        );
    }

    #[test]
    fn gaps_are_sources_more_than_a_week_from_the_flags_snapshot() {
        let side = Side {
            name: "cur".into(),
            as_of: d("2026-09-30"),
            snapshots: vec![
                (Source::Flags, 1, d("2026-09-30")),
                (Source::Arr, 2, d("2026-09-23")),
                (Source::Auth0, 3, d("2026-09-01")),
            ],
        };
        let gaps = snapshot_gaps(&side);
        assert_eq!(gaps.len(), 1);
        assert_eq!((gaps[0].source, gaps[0].days), ("auth0", 29));
    }
}
