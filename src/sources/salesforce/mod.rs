//! Salesforce source: ARR exports read into accounts (`reader`), and ARR pulled
//! live from an org's REST and Bulk API 2.0 (`pull`), written as the API-name export
//! that the reader reads, so that a pull stores exactly what `load arr` of its dump does.
//!
//! Knows files, HTTP (through `sources::http`) and JSON; knows nothing about the
//! store or reports.
//!
//! Layers, each importing only those above it:
//! - `fields`: what a pull asks for (`[salesforce]`, `[salesforce.fields]`) and its SOQL;
//! - `hierarchy`: the parent links of an export, checked for cycles;
//! - `reader`: an export (report labels or API names) read into accounts;
//! - `session`: the token and authorised calls to one org, and its error codes;
//! - `rest`, `bulk`: a SOQL query's records over REST or a Bulk API 2.0 job;
//! - `pull`: currencies, count, records, and the API-name CSV they make.

mod bulk;
mod fields;
mod hierarchy;
mod pull;
mod reader;
mod rest;
mod session;

pub(crate) use fields::{
    ApiFields, FieldsSection, QuerySettings, DEFAULT_API_VERSION, DEFAULT_BULK_THRESHOLD, DEFAULT_OBJECT,
};
pub(crate) use pull::{check_access, fetch_accounts, Api, PullOptions, PullSummary};
pub(crate) use reader::{
    read_account_table, read_accounts, read_accounts_bytes, ColumnOverrides, CurrencyRates, RateSource,
    SalesforceExport, Shape,
};
pub(crate) use session::Credentials;
