//! The quarterly report: revenue share at the quarter's end against the previous
//! quarter's end, where each feature's ARR change came from, adoption over every
//! snapshot, the IdPs and their change, and the data quality of the quarter's end.

use anyhow::{bail, Result};
use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use super::auth0::decide_idps;
use super::quarter::Quarter;
use super::selection::{
    flags_dates, nearest, prepare, select_side, snapshot_gaps, used_snapshots, SnapshotGap, UsedSnapshot,
};
use crate::config::Config;
use crate::money::Money;
use crate::queries::rows::{Coverage, FeatureChangeRow, IdpRow, RevenueShareRow, Totals};
use crate::queries::{Blocks, Side};
use crate::store::{Source, Store};

#[derive(Debug, Serialize)]
pub(crate) struct Quarterly {
    pub quarter: String,
    pub fiscal_year_start_month: u32,
    pub currency: String,
    pub period: Period,
    pub current: QuarterEnd,
    pub previous: Option<QuarterEnd>,
    pub features: Vec<FeatureQuarter>,
    pub changes: Vec<FeatureChangeRow>,
    pub adoption_over_time: Vec<AdoptionPoint>,
    pub idps: Option<QuarterIdps>,
    pub data_quality: DataQuality,
}

#[derive(Debug, Serialize)]
pub(crate) struct Period {
    pub start: String,
    pub end: String,
    pub previous_end: String,
}

/// The totals at a quarter's end and the snapshots they come from.
#[derive(Debug, Serialize)]
pub(crate) struct QuarterEnd {
    pub requested: String,
    pub totals: QuarterTotals,
    pub snapshots: Vec<UsedSnapshot>,
}

/// The totals the README documents for the quarterly report.
#[derive(Debug, Serialize)]
pub(crate) struct QuarterTotals {
    pub customers: i64,
    pub arr: Money,
    pub all_arr: Money,
    pub arr_coverage: Option<f64>,
    pub workspaces: i64,
}

/// One feature at the quarter's end and its change since the previous quarter's end
/// (None without a previous quarter). Count changes print as JSON floats (`2717.0`),
/// as they always have.
#[derive(Debug, Serialize)]
pub(crate) struct FeatureQuarter {
    pub feature: String,
    pub label: String,
    pub current: RevenueShareRow,
    pub previous: Option<RevenueShareRow>,
    #[serde(serialize_with = "count_as_float")]
    pub customers_change: Option<i64>,
    pub customer_share_change: Option<f64>,
    pub arr_change: Option<Money>,
    pub arr_share_change: Option<f64>,
    #[serde(serialize_with = "count_as_float")]
    pub workspaces_change: Option<i64>,
    pub workspaces_change_pct: Option<f64>,
    #[serde(serialize_with = "count_as_float")]
    pub users_change: Option<i64>,
}

/// A count written as a JSON float: `2717.0`.
fn count_as_float<S: Serializer>(count: &Option<i64>, serializer: S) -> Result<S::Ok, S::Error> {
    match count {
        Some(n) => serializer.serialize_f64(*n as f64),
        None => serializer.serialize_none(),
    }
}

/// Adoption of each feature at one snapshot date.
#[derive(Debug, Serialize)]
pub(crate) struct AdoptionPoint {
    pub as_of: String,
    pub features: Vec<Adoption>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Adoption {
    pub feature: String,
    pub label: String,
    pub customer_share: Option<f64>,
    pub arr_share: Option<f64>,
    pub workspaces: i64,
}

/// The IdPs at the quarter's end with their change since the previous quarter's end.
#[derive(Debug, Serialize)]
pub(crate) struct QuarterIdps {
    pub rows: Vec<QuarterIdp>,
    /// Vendors without a row at the previous quarter's end (when it had any).
    pub new_vendors: Vec<String>,
    /// The vendor whose ARR changed most, either way.
    pub biggest_mover: Option<QuarterIdp>,
    /// Auth0 snapshots whose vendors were decided when they were loaded (by a featurearr
    /// before schema version 4); absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classified_at_load: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct QuarterIdp {
    pub idp: String,
    pub customers: i64,
    pub arr: Money,
    pub arr_share: Option<f64>,
    pub customers_change: Option<i64>,
    pub arr_change: Option<Money>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DataQuality {
    pub arr_coverage: Option<f64>,
    pub workspaces_without_account: i64,
    pub accounts_without_workspace: i64,
    pub arr_without_workspace: Money,
    pub accounts_empty_arr: i64,
    pub snapshot_gaps: Vec<SnapshotGap>,
}

/// The quarterly report of `quarter`.
pub(crate) fn quarterly(store: &Store, config: &Config, quarter: Quarter) -> Result<Quarterly> {
    let (first, last) = quarter.bounds(config.fiscal_year_start_month);
    let (_, prev_last) = quarter.previous().bounds(config.fiscal_year_start_month);
    let dates = flags_dates(store)?;
    if !dates.iter().any(|d| *d <= last) {
        let near = nearest(&dates, last);
        if near.is_empty() {
            bail!(
                "no flags snapshot on or before {last} (end of {quarter}); the store has none; load one with `{}`",
                Source::Flags.load_command()
            );
        }
        bail!(
            "no flags snapshot on or before {last} (end of {quarter}); the nearest are {}; pick a later quarter or load older data",
            near.join(", ")
        );
    }
    let required = [Source::Flags, Source::Arr];
    let cur = select_side(store, "cur", last, &required)?;
    let prev = select_side(store, "prev", prev_last, &required).ok();
    let mut sides = vec![cur.clone()];
    sides.extend(prev.clone());
    // Adoption over time: one side per flags snapshot up to the quarter's end that has ARR too.
    let series: Vec<Side> = dates
        .iter()
        .filter(|d| **d <= last)
        .enumerate()
        .filter_map(|(i, date)| select_side(store, &format!("t{i}"), *date, &required).ok())
        .collect();
    sides.extend(series.iter().cloned());
    let blocks = prepare(store, config, &sides)?;

    let current = blocks.rows::<RevenueShareRow>("cur")?;
    let before = match &prev {
        Some(_) => blocks.rows::<RevenueShareRow>("prev")?,
        None => Vec::new(),
    };
    let features = current
        .into_iter()
        .map(|c| {
            let p = before.iter().find(|p| p.feature == c.feature).cloned();
            feature_quarter(c, p)
        })
        .collect();
    let changes = match &prev {
        Some(_) => blocks.compare::<FeatureChangeRow>("cur", "prev")?,
        None => Vec::new(),
    };
    let mut adoption_over_time = Vec::with_capacity(series.len());
    for side in &series {
        let rows = blocks.rows::<RevenueShareRow>(&side.name)?;
        adoption_over_time.push(AdoptionPoint {
            as_of: side.as_of.to_string(),
            features: rows
                .into_iter()
                .map(|r| Adoption {
                    feature: r.feature,
                    label: r.label,
                    customer_share: r.customer_share,
                    arr_share: r.arr_share,
                    workspaces: r.workspaces,
                })
                .collect(),
        });
    }
    let quarter_end = |side: &Side, requested: NaiveDate| -> Result<QuarterEnd> {
        let t = blocks.one::<Totals>(&side.name)?;
        Ok(QuarterEnd {
            requested: requested.to_string(),
            totals: QuarterTotals {
                customers: t.customers,
                arr: t.arr,
                all_arr: t.all_arr,
                arr_coverage: t.arr_coverage,
                workspaces: t.workspaces,
            },
            snapshots: used_snapshots(store, side, config.rollup)?,
        })
    };
    let current = quarter_end(&cur, last)?;
    let coverage = blocks.one::<Coverage>("cur")?;
    let data_quality = DataQuality {
        arr_coverage: current.totals.arr_coverage,
        workspaces_without_account: coverage.workspaces_without_account,
        accounts_without_workspace: coverage.accounts_without_workspace,
        arr_without_workspace: coverage.arr_without_workspace,
        accounts_empty_arr: coverage.accounts_empty_arr,
        snapshot_gaps: snapshot_gaps(&cur),
    };
    Ok(Quarterly {
        quarter: quarter.to_string(),
        fiscal_year_start_month: config.fiscal_year_start_month,
        currency: config.currency.reporting.clone(),
        period: Period {
            start: first.to_string(),
            end: last.to_string(),
            previous_end: prev_last.to_string(),
        },
        current,
        previous: prev.as_ref().map(|p| quarter_end(p, prev_last)).transpose()?,
        features,
        changes,
        adoption_over_time,
        idps: quarter_idps(config, &blocks, prev.is_some())?,
        data_quality,
    })
}

/// A feature now against the previous quarter's end. A share change is None when
/// either side has no share (no customers, or no ARR).
fn feature_quarter(c: RevenueShareRow, p: Option<RevenueShareRow>) -> FeatureQuarter {
    let share_change = |now: Option<f64>, then: Option<f64>| Some(now? - then?);
    FeatureQuarter {
        feature: c.feature.clone(),
        label: c.label.clone(),
        customers_change: p.as_ref().map(|p| c.customers - p.customers),
        customer_share_change: p
            .as_ref()
            .and_then(|p| share_change(c.customer_share, p.customer_share)),
        arr_change: p.as_ref().map(|p| c.arr - p.arr),
        arr_share_change: p.as_ref().and_then(|p| share_change(c.arr_share, p.arr_share)),
        workspaces_change: p.as_ref().map(|p| c.workspaces - p.workspaces),
        workspaces_change_pct: p
            .as_ref()
            .filter(|p| p.workspaces > 0)
            .map(|p| (c.workspaces - p.workspaces) as f64 / p.workspaces as f64),
        users_change: p.as_ref().map(|p| c.users - p.users),
        current: c,
        previous: p,
    }
}

/// The IdP section: vendors at the quarter's end with their change since the previous
/// quarter's end; None when the quarter's end has no mapped connection.
fn quarter_idps(config: &Config, blocks: &Blocks, has_prev: bool) -> Result<Option<QuarterIdps>> {
    let sides: &[&str] = if has_prev { &["cur", "prev"] } else { &["cur"] };
    let rules = decide_idps(config, blocks, sides)?;
    let current = blocks.rows::<IdpRow>("cur")?;
    if current.is_empty() {
        return Ok(None);
    }
    let before = match has_prev {
        true => blocks.rows::<IdpRow>("prev")?,
        false => Vec::new(),
    };
    let rows: Vec<QuarterIdp> = current
        .into_iter()
        .map(|r| {
            let b = before.iter().find(|b| b.idp == r.idp);
            QuarterIdp {
                customers_change: b.map(|b| r.customers - b.customers),
                arr_change: b.map(|b| r.arr - b.arr),
                idp: r.idp,
                customers: r.customers,
                arr: r.arr,
                arr_share: r.arr_share,
            }
        })
        .collect();
    let new_vendors = match has_prev && !before.is_empty() {
        true => rows
            .iter()
            .filter(|r| r.customers_change.is_none())
            .map(|r| r.idp.clone())
            .collect(),
        false => Vec::new(),
    };
    let biggest_mover = rows
        .iter()
        .filter_map(|r| Some((r.arr_change?.abs(), r)))
        .max_by_key(|(change, _)| *change)
        .map(|(_, r)| r.clone());
    Ok(Some(QuarterIdps {
        rows,
        new_vendors,
        biggest_mover,
        classified_at_load: rules.classified_at_load,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(customers: i64, customer_share: Option<f64>, cents: i128, workspaces: i64) -> RevenueShareRow {
        RevenueShareRow {
            feature: "sso".into(),
            label: "SSO".into(),
            customers,
            customer_share,
            arr: Money::from_cents(cents),
            arr_share: customer_share,
            concentration: None,
            workspaces,
            users: 10 * workspaces,
        }
    }

    #[test]
    fn feature_changes_are_exact_and_none_without_a_share() {
        let f = feature_quarter(
            share(20_026, Some(0.2), 12_000_010, 5),
            Some(share(17_309, None, 10_000_020, 4)),
        );
        assert_eq!(f.customers_change, Some(2_717));
        assert_eq!(f.arr_change, Some(Money::from_cents(1_999_990)));
        assert_eq!(f.customer_share_change, None);
        assert_eq!(f.workspaces_change_pct, Some(0.25));
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["customers_change"].to_string(), "2717.0");
        assert_eq!(json["arr_change"].to_string(), "19999.9");

        let first = feature_quarter(share(1, Some(1.0), 100, 0), None);
        assert_eq!((first.arr_change, first.workspaces_change_pct), (None, None));
    }
}
