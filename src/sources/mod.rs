//! Sources: read the inputs (files and APIs) into typed rows.
//! Knows files, HTTP and JSON; knows nothing about DuckDB or reports.

pub(crate) mod auth0;
pub(crate) mod flags;
pub(crate) mod http;
pub(crate) mod mapping;
pub(crate) mod salesforce;
pub(crate) mod summary;
#[cfg(test)]
pub(crate) mod test_file;
pub(crate) mod text;

#[cfg(test)]
mod fuzz;
