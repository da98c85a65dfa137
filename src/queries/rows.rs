//! The rows of each query block, as named structs: the fields are the block's columns
//! (`-- columns:` in its file), in its order, so that a row serializes as the block's
//! row did. Money is `Money` (exact cents); shares are the fractions SQL divided from
//! integers. A test holds every struct to its block's header.

use serde::{Deserialize, Serialize};

use crate::money::Money;

/// A struct that reads the rows of one query block.
pub(crate) trait Block: serde::de::DeserializeOwned {
    /// The block's name: its file stem in `queries/`.
    const NAME: &'static str;
}

macro_rules! blocks {
    ($($row:ident => $name:literal),* $(,)?) => {
        $(impl Block for $row {
            const NAME: &'static str = $name;
        })*

        /// Every block read into a struct, with that struct's field names.
        #[cfg(test)]
        pub(crate) fn read_blocks() -> Vec<(&'static str, &'static [&'static str])> {
            vec![$(($name, crate::store::struct_fields::<$row>().expect("a struct"))),*]
        }
    };
}

blocks! {
    Totals => "totals",
    RevenueShareRow => "revenue_share",
    BandAdoptionRow => "band_adoption",
    Coverage => "coverage",
    FeatureChangeRow => "feature_changes",
    IdpRow => "idps",
    IntegrationCandidateRow => "integration_candidates",
    UnmappedConnectionRow => "unmapped_connections",
    ExplainedConnectionRow => "explained_connections",
    ConnectionFactRow => "connection_facts",
    ClassifiedAtLoad => "classified_at_load",
    LoadVerdictBasis => "load_verdict_basis",
    UnmatchedConfigRule => "unmatched_config_rules",
    UnrecognisedEndpoints => "unrecognised_endpoints",
    UnrecognisedHostRow => "unrecognised_hosts",
    AccountWithoutWorkspaceRow => "doctor_accounts_without_workspace",
    UnlinkedWorkspaceRow => "doctor_unlinked_workspaces",
    MissingAccountRow => "doctor_missing_accounts",
    PrerequisiteBreakRow => "doctor_prerequisite_breaks",
    EmptyFlagsRow => "doctor_empty_flags",
    ConflictingLinkRow => "doctor_conflicting_links",
    MissingParentRow => "doctor_missing_parents",
    DoubleCountedParentRow => "doctor_double_counted_parents",
}

/// `totals`: the denominators of one side.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Totals {
    pub customers: i64,
    pub arr: Money,
    pub all_arr: Money,
    pub arr_coverage: Option<f64>,
    pub unattributed_arr: Money,
    pub unattributed_arr_share: Option<f64>,
    pub workspaces: i64,
    pub customer_workspaces: i64,
}

/// `revenue_share`: one feature.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct RevenueShareRow {
    pub feature: String,
    pub label: String,
    pub customers: i64,
    pub customer_share: Option<f64>,
    pub arr: Money,
    pub arr_share: Option<f64>,
    pub concentration: Option<f64>,
    pub workspaces: i64,
    pub users: i64,
}

/// `band_adoption`: one feature in one ARR band.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct BandAdoptionRow {
    pub band: String,
    pub band_order: i32,
    pub band_customers: i64,
    pub band_arr: Money,
    pub feature: String,
    pub label: String,
    pub customers: i64,
    pub customer_share: Option<f64>,
}

/// `coverage`: what could be attributed.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Coverage {
    pub attributable_arr: Money,
    pub all_arr: Money,
    pub workspaces_without_account: i64,
    pub accounts_without_workspace: i64,
    pub arr_without_workspace: Money,
    pub accounts_empty_arr: i64,
    pub churned_accounts: i64,
}

/// `feature_changes`: where one feature's ARR change between two sides came from.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct FeatureChangeRow {
    pub feature: String,
    pub label: String,
    pub base_customers: i64,
    pub customers: i64,
    pub base_arr: Money,
    pub arr: Money,
    pub turned_on: i64,
    pub turned_on_arr: Money,
    pub turned_off: i64,
    pub turned_off_arr: Money,
    pub new_customers: i64,
    pub new_arr: Money,
    pub churned_customers: i64,
    pub churned_arr: Money,
    pub retained_change: Money,
}

/// `idps`: one IdP vendor.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct IdpRow {
    pub idp: String,
    pub connections: i64,
    pub workspaces: i64,
    pub customers: i64,
    pub arr: Money,
    pub arr_share: Option<f64>,
    pub logins: Option<i64>,
}

/// `integration_candidates`: customers on a vendor through generic connections only.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct IntegrationCandidateRow {
    pub idp: String,
    pub customers: i64,
    pub arr: Money,
    pub arr_share: Option<f64>,
    pub connections: i64,
    pub native_customers: i64,
}

/// `unmapped_connections`: an enterprise connection mapped to no workspace.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct UnmappedConnectionRow {
    pub connection_id: String,
    pub name: String,
    pub strategy: String,
    pub vendor: String,
}

/// `explained_connections`: one connection and how it was classified and mapped.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct ExplainedConnectionRow {
    pub connection_id: String,
    pub name: String,
    pub strategy: String,
    pub vendor: String,
    pub vendor_rule: String,
    pub ignored: bool,
    pub workspace_id: Option<String>,
    pub mapped_by: Option<String>,
}

/// `connection_facts`: one connection's raw facts.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ConnectionFactRow {
    pub snapshot_id: i64,
    pub connection_id: String,
    pub name: String,
    pub strategy: String,
    pub has_options: bool,
    pub subject_cn: Option<String>,
    pub subject_o: Option<String>,
    pub subject_ou: Option<String>,
    pub subject_email: Option<String>,
    pub metadata_mapped: bool,
    pub endpoints: String,
}

/// `classified_at_load`: an Auth0 snapshot whose vendors were decided when it was loaded.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct ClassifiedAtLoad {
    pub as_of: String,
}

/// `load_verdict_basis`: the fingerprint of the verdicts stored with an Auth0 snapshot.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LoadVerdictBasis {
    pub snapshot_id: i64,
    pub fingerprint: String,
}

/// `unmatched_config_rules`: a config rule that decided no stored verdict.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UnmatchedConfigRule {
    pub rule: String,
}

/// `unrecognised_endpoints`: the connections no rule recognised, and their customers.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct UnrecognisedEndpoints {
    pub connections: i64,
    pub customers: i64,
    pub arr: Money,
    pub arr_share: Option<f64>,
}

/// `unrecognised_hosts`: one endpoint host no rule recognised.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct UnrecognisedHostRow {
    pub host: Option<String>,
    /// False for a snapshot loaded before schema version 4, which kept no endpoints.
    pub stored: bool,
    pub connections: i64,
    pub customers: i64,
    pub arr: Money,
}

/// `doctor_accounts_without_workspace`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct AccountWithoutWorkspaceRow {
    pub account_id: String,
    pub account_name: Option<String>,
    pub arr: Money,
}

/// `doctor_unlinked_workspaces`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct UnlinkedWorkspaceRow {
    pub workspace_id: String,
    pub workspace_name: Option<String>,
    pub users: i64,
}

/// `doctor_missing_accounts`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct MissingAccountRow {
    pub workspace_id: String,
    pub account_id: String,
    pub line: i64,
}

/// `doctor_prerequisite_breaks`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct PrerequisiteBreakRow {
    pub feature: String,
    pub requires: String,
    pub workspace_id: String,
    pub account_id: Option<String>,
    pub arr: Option<Money>,
}

/// `doctor_empty_flags`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct EmptyFlagsRow {
    pub feature: String,
    pub label: String,
    pub workspaces: i64,
}

/// `doctor_conflicting_links`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct ConflictingLinkRow {
    pub workspace_id: String,
    pub accounts: String,
    pub arr: Money,
}

/// `doctor_missing_parents`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct MissingParentRow {
    pub account_id: String,
    pub account_name: Option<String>,
    pub parent_id: String,
    pub arr: Option<Money>,
}

/// `doctor_double_counted_parents`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct DoubleCountedParentRow {
    pub account_id: String,
    pub account_name: Option<String>,
    pub arr: Money,
    pub children: i64,
}
