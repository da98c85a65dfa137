//! IdP vendors and name-pattern mappings, decided with the config in force when a report
//! runs, and handed to the query blocks as temp tables (`Blocks::set_auth0_verdicts`), so
//! a rule added after a load changes the next report without a reload.
//!
//! A load decides every connection's verdict with its config and stores it with the
//! fingerprint of that config and classifier (`sources::auth0::verdict`). When the
//! fingerprint of the config in force equals it, as it almost always does, the stored
//! verdicts are copied into the temp tables in DuckDB, without reading a connection into
//! Rust. Otherwise (a changed rule or pattern, a featurearr with other built-in rules, a
//! snapshot loaded before schema version 7) the raw facts of each connection
//! (`connection_facts`) are classified now by the one classifier.
//!
//! Snapshots loaded by a featurearr before schema version 4 carry the verdicts decided
//! at their load and no raw facts: they keep those verdicts, and the report says which
//! snapshot should be reloaded (`classified_at_load`).

use std::collections::HashSet;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::config::Config;
use crate::queries::rows::{ClassifiedAtLoad, ConnectionFactRow, LoadVerdictBasis, UnmatchedConfigRule};
use crate::queries::{timed, Blocks};
use crate::sources::auth0::{endpoints_of_json, CertificateSubject, Classifier, IdpFacts, Verdict};
use crate::store::Cell;

/// What reports say about how the connections were classified.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct RuleReport {
    /// The config rules (`config rule N (...)`) that matched no connection of the report
    /// date's Auth0 snapshot; empty when it has no connection decided with the rules in
    /// force (none at all, or only verdicts kept from before schema version 4).
    pub unmatched_config_rules: Vec<String>,
    /// Dates of the Auth0 snapshots read whose vendors were decided when they were
    /// loaded (by a featurearr before schema version 4): reload them to apply the
    /// current rules and name pattern.
    pub classified_at_load: Vec<String>,
}

/// One connection's verdict decided now, owned until it is written to the temp tables.
struct Decided {
    snapshot_id: i64,
    connection_id: String,
    verdict: Verdict,
}

/// Decides the vendors and name-pattern mappings of the enterprise connections of the
/// Auth0 snapshots of `sides` (the first side is the report date's), reusing the
/// verdicts stored at a snapshot's load when they were decided as they would be now,
/// and hands them to the blocks. Each snapshot is decided once, however many sides read it.
///
/// # Errors
/// When a config rule's `name_pattern` or `connection_name_pattern` is not a valid
/// regex, or a block fails.
pub(super) fn decide_idps(config: &Config, blocks: &Blocks, sides: &[&str]) -> Result<RuleReport> {
    let classifier = Classifier::new(
        &config.auth0.vendor_rules,
        config.auth0.connection_name_pattern.as_deref(),
    )?;
    let mut decided: Vec<Decided> = Vec::new();
    let mut stored_sides: Vec<&str> = Vec::new();
    let mut seen: HashSet<i64> = HashSet::new();
    let mut report = RuleReport::default();
    for (i, side) in sides.iter().enumerate() {
        for ClassifiedAtLoad { as_of } in blocks.rows::<ClassifiedAtLoad>(side)? {
            if !report.classified_at_load.contains(&as_of) {
                report.classified_at_load.push(as_of);
            }
        }
        let basis = blocks.rows::<LoadVerdictBasis>(side)?;
        if let Some(basis) = basis.first().filter(|b| b.fingerprint == classifier.fingerprint()) {
            // A side has one Auth0 snapshot; another side may read the same one.
            if seen.insert(basis.snapshot_id) {
                stored_sides.push(side);
                if i == 0 {
                    report.unmatched_config_rules = blocks
                        .rows::<UnmatchedConfigRule>(side)?
                        .into_iter()
                        .map(|r| r.rule)
                        .collect();
                }
            }
            continue;
        }
        let facts = blocks.rows::<ConnectionFactRow>(side)?;
        if facts.first().is_some_and(|r| !seen.insert(r.snapshot_id)) {
            continue;
        }
        let started = std::time::Instant::now();
        let mut hits = vec![0usize; classifier.rule_labels().len()];
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
            let verdict = classifier.decide(&facts, row.metadata_mapped);
            classified += 1;
            if let Some(r) = verdict.config_rule {
                hits[r] += 1;
            }
            decided.push(Decided {
                snapshot_id: row.snapshot_id,
                connection_id: row.connection_id,
                verdict,
            });
        }
        if std::env::var_os("FEATUREARR_TIMINGS").is_some() {
            eprintln!(
                "timing: classify {classified} connections of {side} {:.0} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        if i == 0 && classified > 0 {
            report.unmatched_config_rules = classifier
                .rule_labels()
                .into_iter()
                .zip(&hits)
                .filter(|(_, hits)| **hits == 0)
                .map(|(label, _)| label)
                .collect();
        }
    }
    let verdict_cells: Vec<Vec<Cell>> = decided
        .iter()
        .map(|d| {
            vec![
                Cell::Int(Some(d.snapshot_id)),
                Cell::Str(Some(&d.connection_id)),
                Cell::Str(Some(&d.verdict.vendor)),
                Cell::Str(Some(&d.verdict.rule)),
                Cell::Bool(Some(d.verdict.ignored)),
            ]
        })
        .collect();
    let name_cells: Vec<Vec<Cell>> = decided
        .iter()
        .filter_map(|d| {
            let workspace = d.verdict.by_name.as_deref()?;
            Some(vec![
                Cell::Int(Some(d.snapshot_id)),
                Cell::Str(Some(&d.connection_id)),
                Cell::Str(Some(workspace)),
            ])
        })
        .collect();
    timed("auth0 verdicts to temp tables", || {
        blocks.set_auth0_verdicts(&verdict_cells, &name_cells, &stored_sides)
    })?;
    Ok(report)
}
