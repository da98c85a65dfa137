//! Auth0 source: pull connections, organizations (with their enabled
//! connections) and successful-login logs from the Management API into a
//! dump, read and write dump files, and turn a dump into rows (a dump file to
//! be loaded streams into facts and a login tally first, never held whole).
//!
//! Knows HTTP (through `sources::http`) and JSON; knows nothing about the
//! store or reports.
//!
//! Layers, each importing only those above it:
//! - `dump`: the dump as the API gave it, objects kept as JSON values;
//! - `elements`: the fields of connection, organization and log objects that
//!   the layers below read, parsed without building whole objects;
//! - `classify`: which IdP vendor a connection's raw facts and the config rules
//!   point at, and the rule that decided;
//! - `verdict`: a connection's vendor and workspace by name, with the fingerprint of
//!   the config and code that decided them (loads store verdicts, reports reuse them
//!   while the fingerprint holds);
//! - `facts`: what a dump says about connections and organizations;
//! - `logins`: successful logins counted log by log;
//! - `rows`: facts and logins made into the rows the store loads (the mapping by
//!   metadata; reports map by name);
//! - `stream`: a dump file read into facts and logins as it streams past;
//! - `file`, `pull` (with `pager`, `token`, `errors`): the entry points, reading
//!   and writing dump files, and pulling a dump from the Management API.

mod classify;
mod dump;
mod elements;
mod errors;
mod facts;
mod file;
mod logins;
mod pager;
mod pull;
mod rows;
mod stream;
#[cfg(test)]
mod test_dumps;
mod token;
mod verdict;

pub(crate) use classify::{endpoints_of_json, CertificateSubject, Endpoint, IdpFacts, VendorRule};
pub(crate) use dump::Auth0Dump;
pub(crate) use facts::DumpFacts;
pub(crate) use file::{read_dump_for_load, write_dump};
pub(crate) use logins::LoginTally;
pub(crate) use pull::{base_url_from_domain, check_token, fetch_dump, log_window, PullOptions, PullStats};
pub(crate) use rows::{to_rows_with_logins, Auth0Rows, ConnectionRow};
pub(crate) use verdict::{Classifier, LoadVerdicts, Verdict};

#[cfg(test)]
pub(crate) use {
    classify::{classify, compile_rules},
    file::read_dump,
    rows::to_rows,
};
