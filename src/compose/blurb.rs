//! The blurb: the facts behind review-ready sentences on one feature between two
//! dates, and the caveats that would make the claim mislead. The sentences themselves
//! are worded in templates (`reports/blurb-parts.j2`); `document` puts the rendered
//! text together with the facts for `--format json`.

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use serde::Serialize;

use super::idps::SMALL_SAMPLE;
use super::selection::{customer_unit, prepare, select_side, STALE_DAYS};
use crate::config::Config;
use crate::money::Money;
use crate::queries::rows::{FeatureChangeRow, RevenueShareRow, Totals};
use crate::queries::Side;
use crate::store::{Source, Store};

/// A customer base that changed more than this between two dates muddies a trend.
const BASE_CHANGE_LIMIT: f64 = 0.20;

/// Everything the blurb's wording may use.
#[derive(Debug, Serialize)]
pub(crate) struct Blurb {
    pub feature: String,
    pub label: String,
    pub currency: String,
    pub from: BlurbSide,
    pub to: BlurbSide,
    pub workspaces_change: i64,
    /// None when there were no workspaces with the feature at `from`.
    pub workspaces_change_pct: Option<f64>,
    /// ARR of customers who turned the feature on, between the dates, at `to`.
    pub turned_on_arr: Money,
    /// ARR at `to` of customers new since `from` who have the feature.
    pub new_arr: Money,
    /// ARR at `from` of customers who turned it off or churned.
    pub lost_arr: Money,
    /// Fewer than `small_sample_limit` customers had the feature on a side.
    pub small_sample: bool,
    pub small_sample_limit: i64,
    /// The customer base changed by more than 20% between the dates (its change).
    pub base_change: Option<f64>,
    /// Flags or ARR snapshots more than a week older than the date they are read for.
    pub stale_snapshots: Vec<StaleSnapshot>,
    /// What one customer is when not a single account (`[salesforce] rollup`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customers_are: Option<&'static str>,
}

/// The feature on one of the two dates.
#[derive(Debug, Serialize)]
pub(crate) struct BlurbSide {
    pub requested: String,
    pub snapshots: Vec<SideSnapshot>,
    pub workspaces: i64,
    pub users: i64,
    pub customers: i64,
    pub customer_share: Option<f64>,
    pub arr: Money,
    pub arr_share: Option<f64>,
    pub total_customers: i64,
    pub total_arr: Money,
}

#[derive(Debug, Serialize)]
pub(crate) struct SideSnapshot {
    pub source: &'static str,
    pub as_of: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct StaleSnapshot {
    pub requested: String,
    pub source: &'static str,
    pub as_of: String,
    pub days: i64,
}

/// The rendered wording of a blurb (from `reports/blurb-parts.j2`).
pub(crate) struct BlurbText {
    pub sentences: Vec<String>,
    pub footnote: String,
    pub warnings: Vec<String>,
}

/// `report blurb --format json`.
#[derive(Debug, Serialize)]
pub(crate) struct BlurbDocument<'a> {
    pub feature: &'a str,
    pub label: &'a str,
    pub from: &'a BlurbSide,
    pub to: &'a BlurbSide,
    pub workspaces_change: i64,
    pub workspaces_change_pct: Option<f64>,
    pub sentences: Vec<String>,
    pub text: String,
    pub footnote: String,
    pub warnings: Vec<String>,
}

impl Blurb {
    /// The JSON document: the facts and the wording rendered from them.
    pub(crate) fn document(&self, text: BlurbText) -> BlurbDocument<'_> {
        BlurbDocument {
            feature: &self.feature,
            label: &self.label,
            from: &self.from,
            to: &self.to,
            workspaces_change: self.workspaces_change,
            workspaces_change_pct: self.workspaces_change_pct,
            text: text.sentences.join(" "),
            sentences: text.sentences,
            footnote: text.footnote,
            warnings: text.warnings,
        }
    }
}

/// The facts of a blurb on feature `key` between `from` and `to`.
pub(crate) fn blurb(store: &Store, config: &Config, key: &str, from: NaiveDate, to: NaiveDate) -> Result<Blurb> {
    let Some(feature) = config.features.iter().find(|f| f.key == key) else {
        let keys: Vec<&str> = config.features.iter().map(|f| f.key.as_str()).collect();
        bail!("--feature `{key}` is not a feature; use one of {}", keys.join(", "));
    };
    if from >= to {
        bail!("--from {from} must be before --to {to}");
    }
    let required = [Source::Flags, Source::Arr];
    let start = select_side(store, "from", from, &required)?;
    let end = select_side(store, "to", to, &required)?;
    let blocks = prepare(store, config, &[start.clone(), end.clone()])?;
    let row = |side: &str| -> Result<RevenueShareRow> {
        blocks
            .rows::<RevenueShareRow>(side)?
            .into_iter()
            .find(|r| r.feature == key)
            .with_context(|| {
                format!(
                    "the flags snapshot used for `{side}` has no column for feature `{key}`; check the file's header"
                )
            })
    };
    let (a, b) = (row("from")?, row("to")?);
    let (ta, tb) = (blocks.one::<Totals>("from")?, blocks.one::<Totals>("to")?);
    let changes = blocks
        .compare::<FeatureChangeRow>("to", "from")?
        .into_iter()
        .find(|c| c.feature == key)
        .with_context(|| format!("feature_changes returned no row for feature `{key}`"))?;

    let change = b.workspaces - a.workspaces;
    let base_change = (ta.customers > 0)
        .then(|| (tb.customers - ta.customers) as f64 / ta.customers as f64)
        .filter(|change| change.abs() > BASE_CHANGE_LIMIT);
    let stale_snapshots = [(&start, from), (&end, to)]
        .into_iter()
        .flat_map(|(side, requested)| {
            side.snapshots
                .iter()
                .filter(move |(source, _, date)| {
                    matches!(source, Source::Flags | Source::Arr) && (requested - *date).num_days() > STALE_DAYS
                })
                .map(move |(source, _, date)| StaleSnapshot {
                    requested: requested.to_string(),
                    source: source.name(),
                    as_of: date.to_string(),
                    days: (requested - *date).num_days(),
                })
        })
        .collect();
    let small_sample = a.customers < SMALL_SAMPLE || b.customers < SMALL_SAMPLE;
    let workspaces_change_pct = (a.workspaces > 0).then(|| change as f64 / a.workspaces as f64);
    Ok(Blurb {
        feature: key.to_string(),
        label: feature.label.clone(),
        currency: config.currency.reporting.clone(),
        small_sample,
        small_sample_limit: SMALL_SAMPLE,
        from: blurb_side(a, &ta, &start, from),
        to: blurb_side(b, &tb, &end, to),
        workspaces_change: change,
        workspaces_change_pct,
        turned_on_arr: changes.turned_on_arr,
        new_arr: changes.new_arr,
        lost_arr: changes.turned_off_arr + changes.churned_arr,
        base_change,
        stale_snapshots,
        customers_are: customer_unit(config.rollup),
    })
}

fn blurb_side(row: RevenueShareRow, totals: &Totals, side: &Side, requested: NaiveDate) -> BlurbSide {
    BlurbSide {
        requested: requested.to_string(),
        snapshots: side
            .snapshots
            .iter()
            .map(|(source, _, date)| SideSnapshot {
                source: source.name(),
                as_of: date.to_string(),
            })
            .collect(),
        workspaces: row.workspaces,
        users: row.users,
        customers: row.customers,
        customer_share: row.customer_share,
        arr: row.arr,
        arr_share: row.arr_share,
        total_customers: totals.customers,
        total_arr: totals.arr,
    }
}
