//! The one integration-test binary (STYLE C11).
//!
//! `auth0` (CLI tests against the stand-in) needs the `pull auth0` / `load
//! auth0` / `snapshots` commands; the integrator adds `mod auth0;` here once
//! the CLI is merged.
mod auth0_server;
