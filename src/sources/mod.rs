//! Input readers: each turns one kind of user-supplied file into typed rows,
//! rejecting bad data with `FILE:LINE: column` errors before anything is stored.

pub(crate) mod flags;
pub(crate) mod salesforce;
pub(crate) mod text;
