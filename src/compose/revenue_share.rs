//! The revenue-share report (SPEC 3-4): customers and ARR per feature on one date, the
//! totals they divide by, adoption per ARR band, and what could not be attributed.

use anyhow::Result;
use chrono::NaiveDate;
use serde::Serialize;

use super::selection::{prepare, select_side, used_snapshots, UsedSnapshot};
use crate::config::Config;
use crate::money::Money;
use crate::queries::rows::{BandAdoptionRow, Coverage, RevenueShareRow, Totals};
use crate::store::{Source, Store};

#[derive(Debug, Serialize)]
pub(crate) struct RevenueShare {
    pub as_of: String,
    pub currency: String,
    pub totals: ShareTotals,
    /// Also the rows of `--format csv`.
    pub features: Vec<RevenueShareRow>,
    pub bands: Vec<BandShare>,
    pub coverage: Coverage,
    pub snapshots: Vec<UsedSnapshot>,
}

/// The normative totals (SPEC 4), and how many workspaces the customers have.
#[derive(Debug, Serialize)]
pub(crate) struct ShareTotals {
    pub customers: i64,
    pub arr: Money,
    pub arr_coverage: Option<f64>,
    /// Every workspace of the flags snapshot, customers' or not.
    pub workspaces: i64,
    pub customer_workspaces: i64,
}

/// One ARR band: its customers, their ARR, and each feature's adoption among them.
#[derive(Debug, Serialize)]
pub(crate) struct BandShare {
    pub band: String,
    pub customers: i64,
    pub arr: Money,
    pub features: Vec<BandFeature>,
}

#[derive(Debug, Serialize)]
pub(crate) struct BandFeature {
    pub feature: String,
    pub label: String,
    pub customers: i64,
    pub customer_share: Option<f64>,
}

/// Revenue share per feature on `as_of`.
pub(crate) fn revenue_share(store: &Store, config: &Config, as_of: NaiveDate) -> Result<RevenueShare> {
    let side = select_side(store, "cur", as_of, &[Source::Flags, Source::Arr])?;
    let blocks = prepare(store, config, std::slice::from_ref(&side))?;
    let totals = blocks.one::<Totals>("cur")?;
    let features = blocks.rows::<RevenueShareRow>("cur")?;
    let bands = group_bands(blocks.rows::<BandAdoptionRow>("cur")?);
    let coverage = blocks.one::<Coverage>("cur")?;
    Ok(RevenueShare {
        as_of: as_of.to_string(),
        currency: config.currency.reporting.clone(),
        totals: ShareTotals {
            customers: totals.customers,
            arr: totals.arr,
            arr_coverage: totals.arr_coverage,
            workspaces: totals.workspaces,
            customer_workspaces: totals.customer_workspaces,
        },
        features,
        bands,
        coverage,
        snapshots: used_snapshots(store, &side, config.rollup)?,
    })
}

/// The rows of `band_adoption` (one per band and feature, bands in order) as bands.
fn group_bands(rows: Vec<BandAdoptionRow>) -> Vec<BandShare> {
    let mut bands: Vec<(i32, BandShare)> = Vec::new();
    for row in rows {
        let feature = BandFeature {
            feature: row.feature,
            label: row.label,
            customers: row.customers,
            customer_share: row.customer_share,
        };
        match bands.last_mut() {
            Some((order, band)) if *order == row.band_order => band.features.push(feature),
            _ => bands.push((
                row.band_order,
                BandShare {
                    band: row.band,
                    customers: row.band_customers,
                    arr: row.band_arr,
                    features: vec![feature],
                },
            )),
        }
    }
    bands.into_iter().map(|(_, band)| band).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(band_order: i32, band: &str, feature: &str, customers: i64) -> BandAdoptionRow {
        BandAdoptionRow {
            band: band.into(),
            band_order,
            band_customers: 4,
            band_arr: Money::from_cents(100),
            feature: feature.into(),
            label: feature.to_uppercase(),
            customers,
            customer_share: Some(customers as f64 / 4.0),
        }
    }

    #[test]
    fn band_rows_group_into_bands_in_order() {
        let bands = group_bands(vec![
            row(1, "under $10k", "sso", 1),
            row(1, "under $10k", "scim", 0),
            row(2, "$10k and up", "sso", 3),
            row(2, "$10k and up", "scim", 2),
        ]);
        assert_eq!(bands.len(), 2);
        assert_eq!(bands[0].band, "under $10k");
        let features: Vec<_> = bands[1]
            .features
            .iter()
            .map(|f| (f.feature.as_str(), f.customers))
            .collect();
        assert_eq!(features, [("sso", 3), ("scim", 2)]);
    }
}
