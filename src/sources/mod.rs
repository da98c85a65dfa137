//! Sources: read the inputs (files and APIs) into typed rows.

pub(crate) mod auth0;
pub(crate) mod flags;
pub(crate) mod http;
pub(crate) mod salesforce;
pub(crate) mod text;
