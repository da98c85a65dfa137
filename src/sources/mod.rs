//! Sources: read the inputs (files and APIs) into typed rows.
//! Knows files, HTTP, JSON and PostgreSQL; knows nothing about DuckDB or reports
//! (a Parquet file is read by the store, which owns DuckDB, and handed to the
//! readers here as a `table`).

pub(crate) mod auth0;
pub(crate) mod flags;
pub(crate) mod http;
pub(crate) mod mapping;
pub(crate) mod postgres;
pub(crate) mod salesforce;
pub(crate) mod summary;
pub(crate) mod table;
#[cfg(test)]
pub(crate) mod test_file;
pub(crate) mod text;

#[cfg(test)]
mod fuzz;
