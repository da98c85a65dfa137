//! What a refresh run says about itself: the headline numbers it keeps in its record
//! (`Headline`), and the facts of the message it sends (`RunSummary`): for each feature
//! its share of customers and of ARR with the change since the previous successful run,
//! the top IdPs by ARR, and the doctor's verdict.
//!
//! Shapes facts only; the wording is `reports/refresh-message.j2`'s.

use serde::{Deserialize, Serialize};

use super::doctor::Doctor;
use super::idps::Idps;
use super::revenue_share::RevenueShare;
use crate::money::Money;
use crate::queries::rows::IdpRow;

/// IdPs a message names.
const TOP_IDPS: usize = 3;

/// The numbers a run keeps so that the next one can say what changed. Money in cents:
/// the record is JSON, and a JSON number would pass through a double.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Headline {
    pub as_of: String,
    pub customers: i64,
    pub arr_cents: i128,
    pub features: Vec<HeadlineFeature>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct HeadlineFeature {
    pub feature: String,
    pub label: String,
    pub customers: i64,
    pub customer_share: Option<f64>,
    pub arr_cents: i128,
    pub arr_share: Option<f64>,
}

/// The headline of a revenue-share report.
pub(crate) fn headline(share: &RevenueShare) -> Headline {
    Headline {
        as_of: share.as_of.clone(),
        customers: share.totals.customers,
        arr_cents: share.totals.arr.cents(),
        features: share
            .features
            .iter()
            .map(|f| HeadlineFeature {
                feature: f.feature.clone(),
                label: f.label.clone(),
                customers: f.customers,
                customer_share: f.customer_share,
                arr_cents: f.arr.cents(),
                arr_share: f.arr_share,
            })
            .collect(),
    }
}

/// The facts of a successful run's message.
#[derive(Debug, Serialize)]
pub(crate) struct RunSummary {
    pub as_of: String,
    pub currency: String,
    pub customers: i64,
    pub arr: Money,
    pub features: Vec<FeatureSummary>,
    /// The previous successful run, whose headline the changes are measured from.
    pub previous: Option<PreviousRun>,
    pub top_idps: Vec<IdpRow>,
    pub doctor: Verdict,
}

#[derive(Debug, Serialize)]
pub(crate) struct PreviousRun {
    pub run_id: i64,
    pub as_of: String,
}

/// One feature's shares, and their change since the previous run (None: no previous
/// run, or it did not report the feature).
#[derive(Debug, Serialize)]
pub(crate) struct FeatureSummary {
    pub feature: String,
    pub label: String,
    pub customers: i64,
    pub customer_share: Option<f64>,
    pub arr: Money,
    pub arr_share: Option<f64>,
    pub change: Option<FeatureChange>,
}

/// Differences, current minus previous; shares as fractions (0.02 is 2 points).
#[derive(Debug, Serialize)]
pub(crate) struct FeatureChange {
    pub customers: i64,
    pub customer_share: Option<f64>,
    pub arr: Money,
    pub arr_share: Option<f64>,
}

/// The doctor's findings in brief, and the gates a run checked.
#[derive(Debug, Serialize)]
pub(crate) struct Verdict {
    /// Findings with at least one row.
    pub findings: usize,
    pub unattributed_arr: Money,
    pub unattributed_arr_share: Option<f64>,
    /// Gates configured (`[refresh] fail_on`).
    pub gates: usize,
    /// The gates exceeded, as sentences.
    pub exceeded: Vec<String>,
}

/// The facts of a successful run's message. `previous` is the previous successful
/// run's id and headline; `gates` how many gates were checked and `exceeded` the ones
/// exceeded.
pub(crate) fn run_summary(
    share: &RevenueShare,
    idps: Option<&Idps>,
    doctor: &Doctor,
    gates: usize,
    exceeded: &[String],
    previous: Option<(i64, &Headline)>,
) -> RunSummary {
    let difference = |now: Option<f64>, then: Option<f64>| Some(now? - then?);
    let features = share
        .features
        .iter()
        .map(|f| {
            let before = previous.and_then(|(_, h)| h.features.iter().find(|b| b.feature == f.feature));
            FeatureSummary {
                feature: f.feature.clone(),
                label: f.label.clone(),
                customers: f.customers,
                customer_share: f.customer_share,
                arr: f.arr,
                arr_share: f.arr_share,
                change: before.map(|b| FeatureChange {
                    customers: f.customers - b.customers,
                    customer_share: difference(f.customer_share, b.customer_share),
                    arr: f.arr - Money::from_cents(b.arr_cents),
                    arr_share: difference(f.arr_share, b.arr_share),
                }),
            }
        })
        .collect();
    RunSummary {
        as_of: share.as_of.clone(),
        currency: share.currency.clone(),
        customers: share.totals.customers,
        arr: share.totals.arr,
        features,
        previous: previous.map(|(run_id, h)| PreviousRun {
            run_id,
            as_of: h.as_of.clone(),
        }),
        // The report orders IdPs by ARR, then customers, then name.
        top_idps: idps.map_or_else(Vec::new, |i| i.idps.iter().take(TOP_IDPS).cloned().collect()),
        doctor: Verdict {
            findings: doctor.findings.iter().filter(|f| f.count > 0).count(),
            unattributed_arr: doctor.unattributed_arr,
            unattributed_arr_share: doctor.unattributed_arr_share,
            gates,
            exceeded: exceeded.to_vec(),
        },
    }
}
