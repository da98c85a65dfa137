//! Composing reports: choose the snapshots a report uses, read the query blocks on
//! them as typed rows, and shape the facts each report shows into serializable
//! documents, printed as JSON or rendered through a template. One file per report.
//!
//! Reads the store through `queries`; knows nothing about templates or output: every
//! sentence is worded in `reports/`, and money stays `Money` (exact cents) throughout.

mod auth0;
mod blurb;
mod doctor;
mod idps;
mod quarter;
mod quarterly;
mod revenue_share;
mod run_summary;
mod selection;

pub(crate) use blurb::{blurb, Blurb, BlurbText};
pub(crate) use doctor::{doctor, exceeded_thresholds};
pub(crate) use idps::{idps, Idps};
pub(crate) use quarter::Quarter;
pub(crate) use quarterly::{quarterly, AdoptionPoint, Quarterly};
pub(crate) use revenue_share::{revenue_share, BandShare, RevenueShare};
pub(crate) use run_summary::{headline, run_summary, Headline, RunSummary};
pub(crate) use selection::report_date;
