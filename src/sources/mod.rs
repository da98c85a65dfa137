//! Sources: everything that reads data from outside (HTTP APIs, dumps) and
//! turns it into plain rows. Knows nothing about the store or reports.
pub(crate) mod auth0;
pub(crate) mod http;
