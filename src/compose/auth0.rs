//! IdP vendors and name-pattern mappings, decided when a report runs: the raw facts of
//! each enterprise connection (`connection_facts`) are classified by the one
//! classifier (`sources::auth0::classify`) with the config in force now, and mapped by
//! `[auth0] connection_name_pattern` where metadata maps them to nothing; the verdicts
//! reach the query blocks as temp tables (`queries::set_auth0_verdicts`), so a rule
//! added after a load changes the next report without a reload.
//!
//! Snapshots loaded by a featurearr before schema version 4 carry the verdicts decided
//! at their load and no raw facts: they keep those verdicts, and the report says which
//! snapshot should be reloaded (`classified_at_load`).

use std::collections::HashSet;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::config::Config;
use crate::queries::rows::{ClassifiedAtLoad, ConnectionFactRow};
use crate::queries::{set_auth0_verdicts, timed, Blocks};
use crate::sources::auth0::{classify, compile_rules, endpoints_of_json, map_by_name, CertificateSubject, IdpFacts};
use crate::store::{Cell, Store};

/// What reports say about how the connections were classified.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct RuleReport {
    /// The config rules (`config rule N (...)`) that matched no connection of the report
    /// date's Auth0 snapshot; empty when none of its connections was classified now.
    pub unmatched_config_rules: Vec<String>,
    /// Dates of the Auth0 snapshots read whose vendors were decided when they were
    /// loaded (by a featurearr before schema version 4): reload them to apply the
    /// current rules and name pattern.
    pub classified_at_load: Vec<String>,
}

/// One connection's verdict, owned until it is written to the temp tables.
struct Verdict {
    snapshot_id: i64,
    connection_id: String,
    vendor: String,
    rule: String,
    ignored: bool,
    /// The workspace the name pattern maps it to, where metadata maps it to none.
    by_name: Option<String>,
}

/// Classifies and maps by name the enterprise connections of the Auth0 snapshots of
/// `sides` (the first side is the report date's), and hands the verdicts to the blocks.
/// Each snapshot is classified once, however many sides read it.
///
/// # Errors
/// When a config rule's `name_pattern` or `connection_name_pattern` is not a valid
/// regex, or a block fails.
pub(super) fn decide_idps(store: &Store, config: &Config, blocks: &Blocks, sides: &[&str]) -> Result<RuleReport> {
    let rules = compile_rules(&config.auth0.vendor_rules)?;
    let pattern = match &config.auth0.connection_name_pattern {
        Some(p) => Some(
            regex::Regex::new(p)
                .with_context(|| format!("[auth0] connection_name_pattern `{p}` is not a valid regex"))?,
        ),
        None => None,
    };
    let mut verdicts: Vec<Verdict> = Vec::new();
    let mut seen: HashSet<i64> = HashSet::new();
    let mut report = RuleReport::default();
    for (i, side) in sides.iter().enumerate() {
        let facts = blocks.rows::<ConnectionFactRow>(side)?;
        // A side has one Auth0 snapshot; another side may read the same one.
        if facts.first().is_some_and(|r| !seen.insert(r.snapshot_id)) {
            continue;
        }
        let started = std::time::Instant::now();
        let mut hits = vec![0usize; rules.len()];
        let mut classified = 0usize;
        for row in facts {
            let endpoints = endpoints_of_json(&row.endpoints).with_context(|| {
                format!(
                    "the store's endpoints of Auth0 connection {} are not the JSON a load writes; load the snapshot again",
                    row.connection_id
                )
            })?;
            let facts = IdpFacts {
                name: row.name,
                strategy: row.strategy,
                has_options: row.has_options,
                endpoints,
                subject: CertificateSubject {
                    common_name: row.subject_cn,
                    organization: row.subject_o,
                    organizational_unit: row.subject_ou,
                    email: row.subject_email,
                },
            };
            let class = classify(&facts, &rules);
            classified += 1;
            if let Some(r) = class.config_rule {
                hits[r] += 1;
            }
            let by_name = (!row.metadata_mapped && !class.ignored)
                .then(|| map_by_name(&facts.name, pattern.as_ref()).map(str::to_string))
                .flatten();
            verdicts.push(Verdict {
                snapshot_id: row.snapshot_id,
                connection_id: row.connection_id,
                vendor: class.vendor,
                rule: class.rule,
                ignored: class.ignored,
                by_name,
            });
        }
        if std::env::var_os("FEATUREARR_TIMINGS").is_some() {
            eprintln!(
                "timing: classify {classified} connections of {side} {:.0} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        if i == 0 && classified > 0 {
            report.unmatched_config_rules = rules
                .iter()
                .zip(&hits)
                .filter(|(_, hits)| **hits == 0)
                .map(|(rule, _)| rule.label().to_string())
                .collect();
        }
        for ClassifiedAtLoad { as_of } in blocks.rows::<ClassifiedAtLoad>(side)? {
            if !report.classified_at_load.contains(&as_of) {
                report.classified_at_load.push(as_of);
            }
        }
    }
    let verdict_cells: Vec<Vec<Cell>> = verdicts
        .iter()
        .map(|v| {
            vec![
                Cell::Int(Some(v.snapshot_id)),
                Cell::Str(Some(&v.connection_id)),
                Cell::Str(Some(&v.vendor)),
                Cell::Str(Some(&v.rule)),
                Cell::Bool(Some(v.ignored)),
            ]
        })
        .collect();
    let name_cells: Vec<Vec<Cell>> = verdicts
        .iter()
        .filter_map(|v| {
            let workspace = v.by_name.as_deref()?;
            Some(vec![
                Cell::Int(Some(v.snapshot_id)),
                Cell::Str(Some(&v.connection_id)),
                Cell::Str(Some(workspace)),
            ])
        })
        .collect();
    timed("auth0 verdicts to temp tables", || {
        set_auth0_verdicts(store, &verdict_cells, &name_cells)
    })?;
    Ok(report)
}
