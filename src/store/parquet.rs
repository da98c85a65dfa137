//! Reading a Parquet file with DuckDB's Parquet reader (built into libduckdb), for
//! the sources' table readers: the file's columns, then its rows in file order,
//! streamed one record batch at a time, each value as its text.
//!
//! Values become text in DuckDB's casts, which are exact: a DECIMAL prints every
//! digit of its scale (`120000.00`), a DOUBLE its shortest round-trip decimal
//! (`120000.5`, `0.30000000000000004`), a BOOLEAN `true`/`false`. The readers then
//! apply the rules of a CSV cell, so a Parquet file is held to the same checks. The
//! store owns this because only it names `duckdb::`; it knows nothing of what the
//! columns mean.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use duckdb::arrow::array::{Array, StringArray};
use duckdb::Connection;

use crate::sources::table::TableColumn;

/// An open Parquet file and its columns.
pub(crate) struct ParquetFile {
    conn: Connection,
    /// The `read_parquet(...)` call naming the file, its path quoted for SQL.
    scan: String,
    origin: String,
    columns: Vec<TableColumn>,
}

impl ParquetFile {
    /// Opens `path` and reads its schema; an error when it is missing or no Parquet file.
    pub(crate) fn open(path: &Path) -> Result<ParquetFile> {
        let origin = path.display().to_string();
        if !path.is_file() {
            bail!("cannot read {origin}: no such file; check the path");
        }
        let conn = Connection::open_in_memory().context("cannot start DuckDB to read a Parquet file")?;
        // A literal, not a parameter: DuckDB binds a table function's arguments when it
        // plans the query. Quotes are doubled, so any path is one string.
        let scan = format!("read_parquet('{}')", origin.replace('\'', "''"));
        let describe = format!("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {scan})");
        let columns = conn
            .prepare(&describe)
            .and_then(|mut stmt| {
                stmt.query_map([], |row| {
                    let name: String = row.get(0)?;
                    let kind: String = row.get(1)?;
                    Ok(TableColumn {
                        name,
                        fractional: kind.starts_with("DECIMAL") || matches!(kind.as_str(), "DOUBLE" | "FLOAT"),
                    })
                })?
                .collect::<duckdb::Result<Vec<_>>>()
            })
            .map_err(|err| {
                // DuckDB's message goes on with the SQL featurearr wrote; its first line says it.
                let text = err.to_string();
                let reason = text.lines().next().unwrap_or_default().to_string();
                anyhow!("{origin} is not a Parquet file DuckDB can read ({reason}); export it again as Parquet")
            })?;
        Ok(ParquetFile {
            conn,
            scan,
            origin,
            columns,
        })
    }

    pub(crate) fn columns(&self) -> &[TableColumn] {
        &self.columns
    }

    /// Hands every row to `visit` in file order: its values as text, in column order,
    /// `None` for NULL. Stops at the first error `visit` returns.
    pub(crate) fn for_each_row(&self, mut visit: impl FnMut(&[Option<&str>]) -> Result<()>) -> Result<()> {
        if self.columns.is_empty() {
            return Ok(());
        }
        let casts: Vec<String> = (1..=self.columns.len())
            .map(|at| format!("CAST(#{at} AS VARCHAR)"))
            .collect();
        let sql = format!("SELECT {} FROM {}", casts.join(", "), self.scan);
        let mut stmt = self.conn.prepare(&sql)?;
        let batches = stmt
            .stream_arrow([])
            .with_context(|| format!("cannot read the rows of {}", self.origin))?;
        for batch in batches {
            let mut cells: Vec<Option<&str>> = Vec::with_capacity(self.columns.len());
            let columns: Vec<&StringArray> = batch
                .columns()
                .iter()
                .map(|column| column.as_any().downcast_ref::<StringArray>())
                .collect::<Option<_>>()
                .with_context(|| format!("DuckDB returned {} in a shape featurearr cannot read", self.origin))?;
            for row in 0..batch.num_rows() {
                cells.clear();
                cells.extend(columns.iter().map(|c| (!c.is_null(row)).then(|| c.value(row))));
                visit(&cells)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Parquet file written by DuckDB from `select`.
    pub(crate) fn parquet_file(dir: &Path, name: &str, select: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!("COPY ({select}) TO '{}' (FORMAT parquet)", path.display()))
            .unwrap();
        path
    }

    #[test]
    fn values_arrive_as_exact_text_in_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = parquet_file(
            dir.path(),
            "t.parquet",
            "SELECT * FROM (VALUES ('ws_1', true, 12::INTEGER, 120000.50::DECIMAL(18,2), 0.1::DOUBLE + 0.2::DOUBLE), \
             ('ws_2', NULL, NULL, NULL, 120000.5::DOUBLE)) t(id, flag, users, arr, arr_double)",
        );
        let file = ParquetFile::open(&path).unwrap();
        let kinds: Vec<(&str, bool)> = file.columns().iter().map(|c| (c.name.as_str(), c.fractional)).collect();
        assert_eq!(
            kinds,
            [
                ("id", false),
                ("flag", false),
                ("users", false),
                ("arr", true),
                ("arr_double", true)
            ]
        );
        let mut rows: Vec<Vec<Option<String>>> = Vec::new();
        file.for_each_row(|cells| {
            rows.push(cells.iter().map(|c| c.map(str::to_string)).collect());
            Ok(())
        })
        .unwrap();
        let text = |cells: &[Option<&str>]| cells.iter().map(|c| c.map(str::to_string)).collect::<Vec<_>>();
        assert_eq!(
            rows,
            [
                text(&[
                    Some("ws_1"),
                    Some("true"),
                    Some("12"),
                    Some("120000.50"),
                    Some("0.30000000000000004")
                ]),
                text(&[Some("ws_2"), None, None, None, Some("120000.5")]),
            ]
        );
    }

    #[test]
    fn a_file_that_is_no_parquet_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flags.parquet");
        std::fs::write(&path, "workspace_id\nws_1\n").unwrap();
        let err = format!("{:#}", ParquetFile::open(&path).err().unwrap());
        assert!(
            err.starts_with(&format!("{} is not a Parquet file DuckDB can read", path.display())),
            "{err}"
        );
        let err = format!(
            "{:#}",
            ParquetFile::open(&dir.path().join("missing.parquet")).err().unwrap()
        );
        assert!(err.contains("no such file"), "{err}");
    }
}
