//! featurearr library: the modules behind the `featurearr` binary.
#![allow(dead_code)]
pub(crate) mod demo;
