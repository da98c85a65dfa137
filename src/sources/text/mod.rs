//! Reading text, shared by the file readers: decoding a file's bytes, the
//! cells of a row (booleans, money, Salesforce IDs), CSV records and the
//! elements of JSON arrays, each with true line numbers.
//!
//! Everything here works on one value or one text at a time and returns short
//! phrases as errors; the readers add the `FILE:LINE: column` prefix, because
//! only they know where the value came from.

pub(crate) mod boolean;
pub(crate) mod csv_reader;
pub(crate) mod decode;
pub(crate) mod json;
pub(crate) mod lines;
pub(crate) mod money;
pub(crate) mod salesforce_id;
