//! The identity-providers report (SPEC 3-4): customers, ARR and logins per IdP vendor,
//! integration candidates, the endpoints no rule recognised, the change since the
//! previous Auth0 snapshot, the connections that could not be mapped, and (with
//! `--explain`) how each connection was classified.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Serialize;

use super::auth0::{decide_idps, RuleReport};
use super::selection::{parse_date, prepare, select_side, snapshot_of, used_snapshots, UsedSnapshot};
use crate::config::Config;
use crate::money::Money;
use crate::queries::rows::{
    ExplainedConnectionRow, IdpRow, IntegrationCandidateRow, Totals, UnmappedConnectionRow, UnrecognisedEndpoints,
    UnrecognisedHostRow,
};
use crate::store::{Source, Store};

/// Fewer customers than this behind an IdP makes its share anecdotal.
pub(super) const SMALL_SAMPLE: i64 = 5;

#[derive(Debug, Serialize)]
pub(crate) struct Idps {
    pub as_of: String,
    pub currency: String,
    pub total_arr: Money,
    /// Also the rows of `--format csv`.
    pub idps: Vec<IdpRow>,
    /// Vendors with fewer than `SMALL_SAMPLE` customers.
    pub small_sample: Vec<String>,
    /// Named vendors only.
    pub integration_candidates: Vec<IntegrationCandidateRow>,
    /// Connections whose endpoint no rule recognised (`Other SAML`, `Other OIDC`).
    pub unrecognised_endpoints: Unrecognised,
    pub change: Option<IdpChanges>,
    pub unmapped_connections: Vec<UnmappedConnectionRow>,
    /// Every enterprise connection, ignored ones included: only with `--explain` (SPEC 6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections: Option<Vec<ExplainedConnectionRow>>,
    #[serde(flatten)]
    pub rules: RuleReport,
    /// The first and last day whose logins are counted; None without logs.
    pub log_window: Option<(String, String)>,
    pub snapshots: Vec<UsedSnapshot>,
}

/// The mapped connections no rule recognised, and the hosts they point at.
#[derive(Debug, Serialize)]
pub(crate) struct Unrecognised {
    #[serde(flatten)]
    pub totals: UnrecognisedEndpoints,
    /// The endpoint hosts with most such connections.
    pub top_hosts: Vec<UnrecognisedHostRow>,
}

/// Each vendor against the previous Auth0 snapshot.
#[derive(Debug, Serialize)]
pub(crate) struct IdpChanges {
    pub previous_auth0_as_of: Option<String>,
    pub rows: Vec<IdpChange>,
}

/// One vendor now and its change; a vendor gone since has 0 customers and ARR now.
#[derive(Debug, Serialize)]
pub(crate) struct IdpChange {
    pub idp: String,
    pub customers: i64,
    pub arr: Money,
    /// None for a vendor new since the previous snapshot.
    pub customers_change: Option<i64>,
    pub arr_change: Option<Money>,
    pub connections_change: Option<i64>,
    pub new: bool,
}

/// Top identity providers on `as_of`, integration candidates, the change against the
/// previous Auth0 snapshot, and what could not be mapped; with `explain`, every
/// connection and the rule that decided its vendor.
pub(crate) fn idps(store: &Store, config: &Config, as_of: NaiveDate, explain: bool) -> Result<Idps> {
    let required = [Source::Flags, Source::Arr, Source::Auth0];
    let cur = select_side(store, "cur", as_of, &required)?;
    let (auth0_id, auth0_date) = snapshot_of(&cur, Source::Auth0).context("an Auth0 snapshot was required")?;
    let snapshots = store.snapshots()?;
    let previous_auth0 = snapshots
        .iter()
        .filter(|s| s.source == Source::Auth0.name())
        .filter_map(|s| parse_date(&s.as_of).ok())
        .filter(|d| *d < auth0_date)
        .max();
    let prev = previous_auth0.and_then(|d| select_side(store, "prev", d, &required).ok());
    let mut sides = vec![cur.clone()];
    sides.extend(prev.clone());
    let blocks = prepare(store, config, &sides)?;
    let side_names: Vec<&str> = sides.iter().map(|s| s.name.as_str()).collect();
    let rules = decide_idps(config, &blocks, &side_names)?;

    let rows = blocks.rows::<IdpRow>("cur")?;
    let small_sample = rows
        .iter()
        .filter(|r| r.customers < SMALL_SAMPLE)
        .map(|r| r.idp.clone())
        .collect();
    let change = match &prev {
        None => None,
        Some(p) => Some(IdpChanges {
            previous_auth0_as_of: snapshot_of(p, Source::Auth0).map(|(_, d)| d.to_string()),
            rows: changes(&rows, &blocks.rows::<IdpRow>("prev")?),
        }),
    };
    let log_window = snapshots
        .iter()
        .find(|s| s.snapshot_id == auth0_id)
        .and_then(|s| serde_json::from_value(s.details["log_window"].clone()).ok())
        .flatten();
    Ok(Idps {
        as_of: as_of.to_string(),
        currency: config.currency.reporting.clone(),
        total_arr: blocks.one::<Totals>("cur")?.arr,
        idps: rows,
        small_sample,
        integration_candidates: blocks.rows("cur")?,
        unrecognised_endpoints: Unrecognised {
            totals: blocks.one("cur")?,
            top_hosts: blocks.rows("cur")?,
        },
        change,
        unmapped_connections: blocks.rows("cur")?,
        connections: explain.then(|| blocks.rows("cur")).transpose()?,
        rules,
        log_window,
        snapshots: used_snapshots(store, &cur, config.rollup)?,
    })
}

/// Each vendor of `now` against `before`, then the vendors of `before` gone since.
fn changes(now: &[IdpRow], before: &[IdpRow]) -> Vec<IdpChange> {
    let mut out: Vec<IdpChange> = now
        .iter()
        .map(|r| {
            let b = before.iter().find(|b| b.idp == r.idp);
            IdpChange {
                idp: r.idp.clone(),
                customers: r.customers,
                arr: r.arr,
                customers_change: b.map(|b| r.customers - b.customers),
                arr_change: b.map(|b| r.arr - b.arr),
                connections_change: b.map(|b| r.connections - b.connections),
                new: b.is_none(),
            }
        })
        .collect();
    for b in before.iter().filter(|b| !now.iter().any(|r| r.idp == b.idp)) {
        out.push(IdpChange {
            idp: b.idp.clone(),
            customers: 0,
            arr: Money::ZERO,
            customers_change: Some(-b.customers),
            arr_change: Some(-b.arr),
            connections_change: Some(-b.connections),
            new: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idp(name: &str, customers: i64, cents: i128, connections: i64) -> IdpRow {
        IdpRow {
            idp: name.into(),
            connections,
            workspaces: connections,
            customers,
            arr: Money::from_cents(cents),
            arr_share: None,
            logins: None,
        }
    }

    #[test]
    fn changes_cover_new_kept_and_gone_vendors_exactly() {
        let before = [idp("Okta", 3, 12_000_010, 4), idp("ADFS", 1, 500_000, 1)];
        let now = [idp("Okta", 5, 10_000_020, 6), idp("Duo", 1, 100, 1)];
        let rows = changes(&now, &before);
        let okta = &rows[0];
        assert_eq!(okta.customers_change, Some(2));
        assert_eq!(okta.arr_change, Some(Money::from_cents(-1_999_990)));
        assert_eq!(okta.connections_change, Some(2));
        assert!(rows[1].new && rows[1].arr_change.is_none());
        let gone = &rows[2];
        assert_eq!((gone.idp.as_str(), gone.customers, gone.arr), ("ADFS", 0, Money::ZERO));
        assert_eq!(gone.arr_change, Some(Money::from_cents(-500_000)));
        assert!(!gone.new);
    }
}
