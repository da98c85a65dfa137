//! Loading parsed source rows into a snapshot: one function per source, each
//! a single `replace_snapshot` transaction, so a load is all or nothing.

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use serde_json::json;

use super::{Cell, Loader, Repeats, Source, Store};
use crate::config::Feature;
use crate::sources::auth0::{Auth0Rows, ConnectionRow, Endpoint, LoadVerdicts};
use crate::sources::flags::FlagsSnapshot;
use crate::sources::mapping::Mapping;
use crate::sources::salesforce::{RateSource, SalesforceExport, Shape};
use crate::sources::summary::LoadSummary;

/// Features a flags snapshot can hold: one bit each in a UBIGINT.
const MAX_FEATURES: usize = 64;

/// The `flags_on` and `flags_empty` bits of one workspace: bit n for `flags[n]`.
fn flag_bits(flags: &[Option<bool>]) -> (u64, u64) {
    flags
        .iter()
        .enumerate()
        .fold((0, 0), |(on, empty), (n, value)| match value {
            Some(true) => (on | 1 << n, empty),
            Some(false) => (on, empty),
            None => (on, empty | 1 << n),
        })
}

impl Store {
    /// Stores a flags snapshot: its features, and its workspaces with every flag value
    /// as a bit (schema.sql: a feature's position is its bit).
    pub(crate) fn load_flags(
        &mut self,
        as_of: NaiveDate,
        origin: &str,
        flags: &FlagsSnapshot,
        features: &[Feature],
        summary: &LoadSummary,
    ) -> Result<i64> {
        if flags.features.len() > MAX_FEATURES {
            bail!(
                "{origin} carries {} feature columns; featurearr keeps at most {MAX_FEATURES} features \
                 per snapshot; remove features from the config's [features] tables",
                flags.features.len()
            );
        }
        // Position = index in `flags.features`, which `WorkspaceRow::flags` follows.
        let present: Vec<&Feature> = flags
            .features
            .iter()
            .map(|key| {
                features
                    .iter()
                    .find(|f| &f.key == key)
                    .with_context(|| format!("feature {key} of {origin} is not configured"))
            })
            .collect::<Result<_>>()?;
        let missing: Vec<&str> = features
            .iter()
            .filter(|f| !flags.features.contains(&f.key))
            .map(|f| f.key.as_str())
            .collect();
        let mut details = json!({ "features": flags.features, "features_missing": missing, "warnings": flags.warnings, "summary": summary });
        if let Some(query) = &flags.query {
            details["query"] = json!(query);
        }
        self.replace_snapshot(Source::Flags, as_of, origin, &details, |load| {
            load.append(
                "flag_features",
                present.iter().enumerate().map(|(i, f)| {
                    vec![
                        Cell::Str(Some(&f.key)),
                        Cell::Str(Some(&f.label)),
                        Cell::Str(Some(&f.columns[0])),
                        Cell::Str(f.requires.as_deref()),
                        Cell::Int(Some(i as i64)),
                    ]
                }),
            )?;
            // A workspace ID given twice fails the read (flags::check_unique).
            let (keys, new_keys) = load.distinct_workspace_keys(flags.rows.iter().map(|w| w.workspace_id.as_str()))?;
            let rows = load.append(
                "workspaces",
                flags.rows.iter().zip(keys).map(|(w, key)| {
                    let (on, empty) = flag_bits(&w.flags);
                    vec![
                        Cell::Str(Some(&w.workspace_id)),
                        Cell::Str(w.workspace_name.as_deref()),
                        Cell::Int(w.users),
                        Cell::Int(Some(w.line as i64)),
                        Cell::UInt(on),
                        Cell::UInt(empty),
                        Cell::Key(key),
                    ]
                }),
            )?;
            load.add_new_keys(new_keys, "workspaces")?;
            Ok(rows)
        })
    }

    /// Stores an ARR snapshot: one row per account and its workspace links. `pull` is
    /// what a `pull salesforce` read and cost, kept in the details.
    pub(crate) fn load_arr(
        &mut self,
        as_of: NaiveDate,
        origin: &str,
        export: &SalesforceExport,
        reporting: &str,
        summary: &LoadSummary,
        pull: Option<&serde_json::Value>,
    ) -> Result<i64> {
        let shape = match export.shape {
            Shape::ApiNames => "api-names",
            Shape::ReportLabels => "report-labels",
        };
        let details = json!({
            "shape": shape,
            "has_workspace_column": export.has_workspace_column,
            "footer_lines_skipped": export.footer_lines_skipped,
            "totals_rows_skipped": export.totals_rows_skipped,
            "empty_arr": export.empty_arr,
            "warnings": export.warnings,
            "summary": summary,
        });
        let mut details = details;
        // Rates are recorded when Salesforce gave some (the reports then say so); a file
        // converted by the config's rates alone keeps the details it always had.
        if export.rates_used.values().any(|r| r.from == RateSource::ConversionRate) {
            details["rates"] = json!(export.rates_used);
        }
        if let Some(pull) = pull {
            details["pull"] = pull.clone();
        }
        self.replace_snapshot(Source::Arr, as_of, origin, &details, |load| {
            // The reader merges an account's rows into one.
            let account_keys =
                load.account_keys(export.accounts.iter().map(|a| a.account_id.as_str()), Repeats::Never)?;
            // Keys after the accounts' own: a parent the export lacks gets one too.
            let with_parent = || export.accounts.iter().filter_map(|a| a.parent_id.as_deref());
            let mut parent_keys = load.account_keys(with_parent(), Repeats::Maybe)?.into_iter();
            let rows = load.append(
                "accounts",
                export.accounts.iter().zip(&account_keys).map(|(a, key)| {
                    vec![
                        Cell::Str(Some(&a.account_id)),
                        Cell::Str(a.account_name.as_deref()),
                        Cell::Str(a.parent_id.as_deref()),
                        Cell::Cents(a.arr_cents),
                        Cell::Cents(a.original_cents),
                        Cell::Str(Some(&a.currency)),
                        Cell::Str(a.rate.as_deref()),
                        Cell::Str(Some(reporting)),
                        Cell::Int(Some(a.lines.first().copied().unwrap_or(0) as i64)),
                        Cell::Key(*key),
                        Cell::OptKey(a.parent_id.as_ref().and_then(|_| parent_keys.next())),
                    ]
                }),
            )?;
            let links = || {
                export
                    .accounts
                    .iter()
                    .zip(&account_keys)
                    .flat_map(|(a, key)| a.workspace_ids.iter().map(move |w| (a, *key, w)))
            };
            let workspace_keys = load.workspace_keys(links().map(|(_, _, w)| w.as_str()), Repeats::Maybe)?;
            load.append(
                "account_workspaces",
                links().zip(workspace_keys).map(|((a, account_key, w), workspace_key)| {
                    vec![
                        Cell::Str(Some(&a.account_id)),
                        Cell::Str(Some(w)),
                        Cell::Key(account_key),
                        Cell::Key(workspace_key),
                    ]
                }),
            )?;
            Ok(rows)
        })
    }

    /// Stores a workspace-accounts snapshot.
    pub(crate) fn load_workspace_accounts(
        &mut self,
        as_of: NaiveDate,
        origin: &str,
        mapping: &Mapping,
        summary: &LoadSummary,
    ) -> Result<i64> {
        let details = json!({ "warnings": mapping.warnings, "summary": summary });
        self.replace_snapshot(Source::WorkspaceAccounts, as_of, origin, &details, |load| {
            let workspace_keys =
                load.workspace_keys(mapping.links.iter().map(|l| l.workspace_id.as_str()), Repeats::Maybe)?;
            let account_keys =
                load.account_keys(mapping.links.iter().map(|l| l.account_id.as_str()), Repeats::Maybe)?;
            load.append(
                "workspace_accounts",
                mapping
                    .links
                    .iter()
                    .zip(workspace_keys.into_iter().zip(account_keys))
                    .map(|(l, (workspace_key, account_key))| {
                        vec![
                            Cell::Str(Some(&l.workspace_id)),
                            Cell::Str(Some(&l.account_id)),
                            Cell::Int(Some(l.line as i64)),
                            Cell::Key(workspace_key),
                            Cell::Key(account_key),
                        ]
                    }),
            )
        })
    }
}

impl Store {
    /// Stores an Auth0 snapshot. `log_window` is the (first, last) day whose
    /// logins count, or None when the dump carried no logs.
    pub(crate) fn load_auth0(
        &mut self,
        as_of: NaiveDate,
        origin: &str,
        rows: &Auth0Rows,
        log_window: Option<(NaiveDate, NaiveDate)>,
        summary: &LoadSummary,
    ) -> Result<i64> {
        let details = json!({
            "connections": rows.connections.len(),
            "unmapped_connections": rows.unmapped.len(),
            "organizations": rows.organizations.len(),
            "has_logs": rows.logins.is_some(),
            "log_window": log_window.map(|(a, b)| json!([a.to_string(), b.to_string()])),
            "warnings": rows.warnings,
            "summary": summary,
        });
        self.replace_snapshot(Source::Auth0, as_of, origin, &details, |load| {
            let endpoints: Vec<String> = rows
                .connections
                .iter()
                .map(|c| endpoints_json(&c.idp.endpoints))
                .collect();
            let count = load.append(
                "auth0_connections",
                rows.connections.iter().zip(&endpoints).map(|(c, endpoints)| {
                    let subject = &c.idp.subject;
                    vec![
                        Cell::Str(Some(&c.connection_id)),
                        Cell::Str(Some(&c.idp.name)),
                        Cell::Str(Some(&c.idp.strategy)),
                        Cell::Str(None),
                        Cell::Str(None),
                        Cell::Bool(Some(c.idp.has_options)),
                        Cell::Str(c.workspace_id.as_deref()),
                        Cell::Bool(Some(c.metadata_mapped)),
                        Cell::Str(subject.common_name.as_deref()),
                        Cell::Str(subject.organization.as_deref()),
                        Cell::Str(subject.organizational_unit.as_deref()),
                        Cell::Str(subject.email.as_deref()),
                        Cell::Str(Some(endpoints)),
                        Cell::Str(c.idp.endpoints.first().map(|e| e.host.as_str())),
                    ]
                }),
            )?;
            let keys = load.workspace_keys(
                rows.connection_workspaces.iter().map(|m| m.workspace_id.as_str()),
                Repeats::Maybe,
            )?;
            load.append(
                "auth0_connection_workspaces",
                rows.connection_workspaces.iter().zip(keys).map(|(m, key)| {
                    vec![
                        Cell::Str(Some(&m.connection_id)),
                        Cell::Str(Some(&m.workspace_id)),
                        Cell::Str(Some(&m.mapped_by)),
                        Cell::Key(key),
                    ]
                }),
            )?;
            load.append(
                "auth0_organizations",
                rows.organizations.iter().map(|o| {
                    vec![
                        Cell::Str(Some(&o.org_id)),
                        Cell::Str(Some(&o.name)),
                        Cell::Str(o.workspace_id.as_deref()),
                    ]
                }),
            )?;
            load.append(
                "auth0_org_connections",
                rows.org_connections
                    .iter()
                    .map(|o| vec![Cell::Str(Some(&o.org_id)), Cell::Str(Some(&o.connection_id))]),
            )?;
            if let Some(logins) = &rows.logins {
                load.append(
                    "auth0_logins",
                    logins.iter().map(|l| {
                        vec![
                            Cell::Str(Some(&l.connection_id)),
                            Cell::Date(Some(l.day)),
                            Cell::Int(Some(l.logins)),
                        ]
                    }),
                )?;
            }
            if let Some((first, last)) = log_window {
                load.append(
                    "auth0_log_window",
                    [vec![Cell::Date(Some(first)), Cell::Date(Some(last))]],
                )?;
            }
            if let Some(verdicts) = &rows.verdicts {
                store_verdicts(load, &rows.connections, verdicts)?;
            }
            Ok(count)
        })
    }
}

/// Stores the verdicts a load decided (`verdicts.verdicts[i]` is that of `connections[i]`)
/// with their fingerprint and the config rules that decided them.
fn store_verdicts(load: &mut Loader, connections: &[ConnectionRow], verdicts: &LoadVerdicts) -> Result<()> {
    if verdicts.verdicts.len() != connections.len() {
        bail!(
            "{} Auth0 verdicts for {} connections; this is a bug, please report it",
            verdicts.verdicts.len(),
            connections.len()
        );
    }
    load.append(
        "auth0_load_verdicts",
        connections.iter().zip(&verdicts.verdicts).map(|(c, v)| {
            vec![
                Cell::Str(Some(&c.connection_id)),
                Cell::Str(Some(&v.vendor)),
                Cell::Str(Some(&v.rule)),
                Cell::Bool(Some(v.ignored)),
                Cell::Int(v.config_rule.map(|i| i as i64 + 1)),
                Cell::Str(v.by_name.as_deref()),
            ]
        }),
    )?;
    load.append(
        "auth0_load_verdict_basis",
        [vec![Cell::Str(Some(&verdicts.fingerprint))]],
    )?;
    load.append(
        "auth0_load_rules",
        verdicts
            .rule_labels
            .iter()
            .enumerate()
            .map(|(i, label)| vec![Cell::Int(Some(i as i64 + 1)), Cell::Str(Some(label))]),
    )?;
    Ok(())
}

/// A connection's endpoints as the store keeps them: `[["signInEndpoint", "host", "/path"], ...]`
/// (`sources::auth0::endpoints_of_json` reads them back).
fn endpoints_json(endpoints: &[Endpoint]) -> String {
    let triples: Vec<[&str; 3]> = endpoints.iter().map(|e| [e.field, &e.host, &e.path]).collect();
    serde_json::to_string(&triples).expect("strings serialize")
}

#[cfg(test)]
mod tests {
    use super::flag_bits;

    #[test]
    fn flag_bits_put_feature_n_at_bit_n() {
        assert_eq!(flag_bits(&[]), (0, 0));
        assert_eq!(
            flag_bits(&[Some(true), Some(false), None, Some(true)]),
            (0b1001, 0b0100)
        );
        let mut all = vec![Some(false); 64];
        all[63] = Some(true);
        all[0] = None;
        assert_eq!(flag_bits(&all), (1 << 63, 1));
    }
}
