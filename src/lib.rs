//! Library root of featurearr. For now it holds only the input readers in
//! `sources`; the integrator wires them to the CLI and the store.
#![allow(dead_code)]

pub(crate) mod sources;
