//! Tables: inputs whose rows arrive as values in typed columns rather than as
//! lines of text (a PostgreSQL query's result, a Parquet file). Each value comes
//! as its text (SQL NULL as none), so the readers check it by the rules they
//! apply to a CSV cell; only the column's kind travels with its name.

/// A column of a table as its source describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableColumn {
    pub name: String,
    /// The column holds numbers that may carry a fraction (NUMERIC, DECIMAL, DOUBLE):
    /// a whole value such as `12.0` is a whole number there, as it is in JSON.
    pub fractional: bool,
}
