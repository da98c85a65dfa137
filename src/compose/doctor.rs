//! The doctor report: data-quality findings on one date, each counted and weighted in
//! ARR where ARR applies, with examples, and the `--fail-on` thresholds a scheduled job
//! checks against them.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Serialize;

use super::auth0::decide_idps;
use super::selection::{prepare, select_side, snapshot_gaps, snapshot_of, used_snapshots, SnapshotGap, UsedSnapshot};
use crate::cli::FailOn;
use crate::config::Config;
use crate::money::Money;
use crate::queries::rows::{
    AccountWithoutWorkspaceRow, ConflictingLinkRow, DoubleCountedParentRow, EmptyFlagsRow, MissingAccountRow,
    MissingParentRow, PrerequisiteBreakRow, Totals, UnlinkedWorkspaceRow, UnmappedConnectionRow,
};
use crate::queries::{Block, Blocks, Total};
use crate::store::{Source, Store};

/// How many examples a finding lists.
const FINDING_ITEMS: usize = 25;

#[derive(Debug, Serialize)]
pub(crate) struct Doctor {
    pub as_of: String,
    pub currency: String,
    pub all_arr: Money,
    pub attributable_arr: Money,
    pub unattributed_arr: Money,
    pub unattributed_arr_share: Option<f64>,
    pub findings: Vec<Finding>,
    pub snapshots: Vec<UsedSnapshot>,
    /// Auth0 snapshots whose vendors and name mappings were decided when they were
    /// loaded (by a featurearr before schema version 4); absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classified_at_load: Vec<String>,
}

/// One data-quality finding: how many things, how much ARR they carry, and examples.
#[derive(Debug, Serialize)]
pub(crate) struct Finding {
    pub key: &'static str,
    pub title: &'static str,
    pub count: i64,
    /// Exact sum of the ARR the finding's rows carry; None where ARR does not apply.
    pub arr: Option<Money>,
    pub hint: &'static str,
    pub items: FindingItems,
}

/// The first rows of a finding, of the block it comes from.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum FindingItems {
    AccountsWithoutWorkspace(Vec<AccountWithoutWorkspaceRow>),
    UnlinkedWorkspaces(Vec<UnlinkedWorkspaceRow>),
    UnmappedConnections(Vec<UnmappedConnectionRow>),
    MissingAccounts(Vec<MissingAccountRow>),
    PrerequisiteBreaks(Vec<PrerequisiteBreakRow>),
    EmptyFlags(Vec<EmptyFlagsRow>),
    ConflictingLinks(Vec<ConflictingLinkRow>),
    MissingParents(Vec<MissingParentRow>),
    DoubleCountedParents(Vec<DoubleCountedParentRow>),
    SnapshotGaps(Vec<SnapshotGap>),
}

/// What a finding is called and what to do about it.
struct About {
    key: &'static str,
    title: &'static str,
    hint: &'static str,
}

/// A finding from block `T`: its rows counted and their ARR (`arr`) summed in SQL.
fn finding<T: Block>(
    blocks: &Blocks,
    about: About,
    arr: Option<&'static str>,
    items: fn(Vec<T>) -> FindingItems,
) -> Result<Finding> {
    let total = arr.map_or(Total::Nothing, Total::Money);
    let summary = blocks.summary::<T>("cur", total, FINDING_ITEMS)?;
    Ok(Finding {
        key: about.key,
        title: about.title,
        count: summary.count,
        arr: summary.money,
        hint: about.hint,
        items: items(summary.first),
    })
}

/// Data-quality findings on `as_of`, weighted in ARR where ARR applies.
pub(crate) fn doctor(store: &Store, config: &Config, as_of: NaiveDate) -> Result<Doctor> {
    let cur = select_side(store, "cur", as_of, &[Source::Flags, Source::Arr])?;
    let blocks = prepare(store, config, std::slice::from_ref(&cur))?;
    let rules = decide_idps(config, &blocks, &["cur"])?;
    let mut findings = vec![
        finding(
            &blocks,
            About {
                key: "accounts-without-workspace",
                title: "Accounts with ARR but no workspace",
                hint: "their ARR is not attributable; add the workspace IDs to the export's workspace column or to the workspace-accounts file",
            },
            Some("arr"),
            FindingItems::AccountsWithoutWorkspace,
        )?,
        finding(
            &blocks,
            About {
                key: "workspaces-without-account",
                title: "Workspaces without an account",
                hint: "free workspaces are expected here; paid ones need a link in the export or the workspace-accounts file",
            },
            None,
            FindingItems::UnlinkedWorkspaces,
        )?,
    ];
    let unmapped = About {
        key: "unmapped-connections",
        title: "Enterprise connections mapped to no workspace",
        hint: "set metadata.workspace_id on the connection or its organization, or [auth0] connection_name_pattern in the config",
    };
    findings.push(match snapshot_of(&cur, Source::Auth0) {
        Some(_) => finding(&blocks, unmapped, None, FindingItems::UnmappedConnections)?,
        None => Finding {
            key: unmapped.key,
            title: unmapped.title,
            count: 0,
            arr: None,
            hint: unmapped.hint,
            items: FindingItems::UnmappedConnections(Vec::new()),
        },
    });
    findings.push(finding(
        &blocks,
        About {
            key: "missing-accounts",
            title: "Workspace links to accounts missing from the export",
            hint: "a stale mapping, or an account merged or deleted in Salesforce; fix the workspace-accounts file",
        },
        None,
        FindingItems::MissingAccounts,
    )?);
    findings.push(finding(
        &blocks,
        About {
            key: "prerequisite-breaks",
            title: "Features on without their prerequisite",
            hint: "e.g. SCIM without SSO; check the flags export or the feature's `requires` in the config",
        },
        Some("arr"),
        FindingItems::PrerequisiteBreaks,
    )?);
    // Counted in cells: the block has a row per feature with its number of empty cells.
    let empty = blocks.summary::<EmptyFlagsRow>("cur", Total::Count("workspaces"), FINDING_ITEMS)?;
    findings.push(Finding {
        key: "empty-booleans",
        title: "Empty boolean cells (counted as false)",
        count: empty.units.context("a count of empty cells")?,
        arr: None,
        hint: "fill them in the flags export so that off and unknown are not confused",
        items: FindingItems::EmptyFlags(empty.first),
    });
    findings.push(finding(
        &blocks,
        About {
            key: "conflicting-links",
            title: "Workspaces linked to more than one account",
            hint: "the same workspace ID is claimed by several accounts across the export and the workspace-accounts file; each of them counts it",
        },
        Some("arr"),
        FindingItems::ConflictingLinks,
    )?);
    findings.push(finding(
        &blocks,
        About {
            key: "missing-parents",
            title: "Accounts whose parent account is not in the export",
            hint: "under [salesforce] rollup = \"ultimate_parent\" each heads a family of its own instead of its parent's; \
                   export the parents too (or check the export's filter), or ignore this under rollup = \"account\"",
        },
        Some("arr"),
        FindingItems::MissingParents,
    )?);
    findings.push(finding(
        &blocks,
        About {
            key: "double-counted-parents",
            title: "Parents whose ARR equals the sum of their children's",
            hint: "the ARR field seems to include child accounts, so their ARR is counted twice; \
                   export an ARR field that holds each account's own ARR only",
        },
        Some("arr"),
        FindingItems::DoubleCountedParents,
    )?);
    let gaps = snapshot_gaps(&cur);
    findings.push(Finding {
        key: "snapshot-gaps",
        title: "Sources whose snapshot is more than 7 days from the flags snapshot",
        count: gaps.len() as i64,
        arr: None,
        hint: "load the sources for the same date, or pass --as-of to pick an older report date",
        items: FindingItems::SnapshotGaps(gaps.into_iter().take(FINDING_ITEMS).collect()),
    });

    let totals = blocks.one::<Totals>("cur")?;
    Ok(Doctor {
        as_of: as_of.to_string(),
        currency: config.currency.reporting.clone(),
        all_arr: totals.all_arr,
        attributable_arr: totals.arr,
        unattributed_arr: totals.unattributed_arr,
        unattributed_arr_share: totals.unattributed_arr_share,
        findings,
        snapshots: used_snapshots(store, &cur, config.rollup)?,
        classified_at_load: rules.classified_at_load,
    })
}

/// Checks `--fail-on` thresholds; returns the ones exceeded, as sentences.
pub(crate) fn exceeded_thresholds(doctor: &Doctor, fail_on: &[FailOn]) -> Result<Vec<String>> {
    let mut exceeded = Vec::new();
    for threshold in fail_on {
        match threshold {
            FailOn::UnattributedArr(limit) => {
                let share = doctor.unattributed_arr_share.unwrap_or(0.0);
                if share > *limit {
                    exceeded.push(format!(
                        "unattributed ARR is {:.1}%, above the --fail-on limit of {:.1}%",
                        share * 100.0,
                        limit * 100.0
                    ));
                }
            }
            FailOn::Count { key, limit } => {
                let finding = doctor.findings.iter().find(|f| f.key == key).with_context(|| {
                    format!(
                        "doctor has no finding `{key}` although --fail-on accepts it; this is a bug, please report it"
                    )
                })?;
                if u64::try_from(finding.count).is_ok_and(|count| count > *limit) {
                    exceeded.push(format!(
                        "{}{} ({}): {}, above the --fail-on limit of {limit}",
                        finding.title[..1].to_lowercase(),
                        &finding.title[1..],
                        finding.key,
                        crate::wording::thousands(finding.count),
                    ));
                }
            }
        }
    }
    Ok(exceeded)
}
