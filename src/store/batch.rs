//! Appending rows of `Cell`s column by column, through Arrow record batches.
//!
//! DuckDB's row appender binds and checks every value on its own: on a million-workspace
//! flags load that was a sixth of the CPU (perf). A record batch reaches DuckDB as whole
//! vectors of 2048 values instead. Rows are gathered one row group at a time, so memory
//! stays bounded whatever the input's size.

use std::sync::Arc;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use duckdb::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder, UInt32Array,
    UInt32Builder, UInt64Builder,
};
use duckdb::arrow::datatypes::{Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::Appender;

/// One cell handed to `Loader::append`. Money is in cents.
#[derive(Debug, Clone)]
pub(crate) enum Cell<'a> {
    Str(Option<&'a str>),
    Int(Option<i64>),
    UInt(u64),
    /// A workspace or account key (`Loader::workspace_keys`).
    Key(u32),
    /// A key that may be absent (`accounts.parent_key`).
    OptKey(Option<u32>),
    Cents(Option<i128>),
    Date(Option<NaiveDate>),
    Bool(Option<bool>),
}

/// Rows per batch: one DuckDB row group.
const BATCH_ROWS: usize = 122_880;

/// Largest magnitude DECIMAL(18, 2) holds, in cents, plus one.
const CENTS_LIMIT: i128 = 1_000_000_000_000_000_000;

/// Appends every row to `app`, `first` (the snapshot id, when given) before each row's
/// cells. Every row must have the same cell kinds in the same order; the table's column
/// types may be wider (DuckDB casts a batch's vectors to them, and fails on a value that
/// does not fit). Returns the number of rows.
///
/// The batches are gathered on a second thread while DuckDB takes the previous one:
/// DuckDB's append runs on one thread, and gathering was a fifth of a 1M flags store
/// (90 of 370 ms) with the other core idle.
pub(super) fn append_all<'a, I>(app: &mut Appender, table: &str, first: Option<Cell<'a>>, rows: I) -> Result<u64>
where
    I: IntoIterator<Item = Vec<Cell<'a>>>,
    I::IntoIter: Send,
{
    let rows = rows.into_iter();
    std::thread::scope(|scope| {
        // One batch waiting beside the one being gathered: memory stays at two row groups.
        let (ready, batches) = std::sync::mpsc::sync_channel::<RecordBatch>(1);
        let gatherer = scope.spawn(move || gather(table, first, rows, |batch| ready.send(batch).is_ok()));
        for batch in batches {
            app.append_record_batch(batch)
                .with_context(|| format!("cannot append rows to {table}"))?;
        }
        gatherer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Gathers `rows` into record batches of `BATCH_ROWS` and hands each to `send`, which
/// says whether to go on (false: the appender failed and stopped taking them).
fn gather<'a>(
    table: &str,
    first: Option<Cell<'a>>,
    rows: impl Iterator<Item = Vec<Cell<'a>>>,
    mut send: impl FnMut(RecordBatch) -> bool,
) -> Result<u64> {
    let mut columns: Option<Vec<Column>> = None;
    let mut count = 0u64;
    let mut pending = 0usize;
    for row in rows {
        let cells = first.iter().chain(row.iter());
        let columns = columns.get_or_insert_with(|| cells.clone().map(Column::for_cell).collect());
        if columns.len() != row.len() + usize::from(first.is_some()) {
            bail!(
                "a row for {table} has {} cells, the first had {}",
                row.len(),
                columns.len()
            );
        }
        for (column, cell) in columns.iter_mut().zip(cells) {
            column
                .push(cell)
                .with_context(|| format!("cannot append a row to {table}"))?;
        }
        count += 1;
        pending += 1;
        if pending == BATCH_ROWS {
            if !send(batch_of(table, columns)?) {
                return Ok(count);
            }
            pending = 0;
        }
    }
    if let Some(columns) = columns.as_mut() {
        if pending > 0 {
            send(batch_of(table, columns)?);
        }
    }
    Ok(count)
}

/// The gathered rows as one record batch; empties the builders.
fn batch_of(table: &str, columns: &mut [Column]) -> Result<RecordBatch> {
    let arrays: Vec<ArrayRef> = columns.iter_mut().map(Column::finish).collect();
    let fields: Vec<Field> = arrays
        .iter()
        .enumerate()
        .map(|(i, a)| Field::new(format!("c{i}"), a.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .with_context(|| format!("cannot gather rows for {table}"))
}

/// One column being gathered; its kind is the first row's cell kind.
enum Column {
    Str(StringBuilder),
    Int(Int64Builder),
    UInt(UInt64Builder),
    Key(UInt32Builder),
    Cents(Decimal128Builder),
    Date(Date32Builder),
    Bool(BooleanBuilder),
}

impl Column {
    fn for_cell(cell: &Cell) -> Column {
        match cell {
            Cell::Str(_) => Column::Str(StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * 16)),
            Cell::Int(_) => Column::Int(Int64Builder::with_capacity(BATCH_ROWS)),
            Cell::UInt(_) => Column::UInt(UInt64Builder::with_capacity(BATCH_ROWS)),
            Cell::Key(_) | Cell::OptKey(_) => Column::Key(UInt32Builder::with_capacity(BATCH_ROWS)),
            Cell::Cents(_) => Column::Cents(
                Decimal128Builder::with_capacity(BATCH_ROWS)
                    .with_precision_and_scale(18, 2)
                    .expect("DECIMAL(18, 2) is a valid Arrow decimal"),
            ),
            Cell::Date(_) => Column::Date(Date32Builder::with_capacity(BATCH_ROWS)),
            Cell::Bool(_) => Column::Bool(BooleanBuilder::with_capacity(BATCH_ROWS)),
        }
    }

    fn push(&mut self, cell: &Cell) -> Result<()> {
        match (self, cell) {
            (Column::Str(b), Cell::Str(v)) => b.append_option(*v),
            (Column::Int(b), Cell::Int(v)) => b.append_option(*v),
            (Column::UInt(b), Cell::UInt(v)) => b.append_value(*v),
            (Column::Key(b), Cell::Key(v)) => b.append_value(*v),
            (Column::Key(b), Cell::OptKey(v)) => b.append_option(*v),
            (Column::Cents(b), Cell::Cents(v)) => {
                if let Some(cents) = v {
                    if cents.abs() >= CENTS_LIMIT {
                        bail!("{cents} cents is beyond DECIMAL(18, 2)");
                    }
                }
                b.append_option(*v)
            }
            (Column::Date(b), Cell::Date(v)) => b.append_option(v.map(days_since_epoch)),
            (Column::Bool(b), Cell::Bool(v)) => b.append_option(*v),
            (_, cell) => bail!("a {cell:?} cell where an earlier row had another kind"),
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Str(b) => Arc::new(b.finish()),
            Column::Int(b) => Arc::new(b.finish()),
            Column::UInt(b) => Arc::new(b.finish()),
            Column::Key(b) => Arc::new(b.finish()),
            Column::Cents(b) => Arc::new(b.finish()),
            Column::Date(b) => Arc::new(b.finish()),
            Column::Bool(b) => Arc::new(b.finish()),
        }
    }
}

/// Column `at` of a query's batch as `u32`s (a UINTEGER column without NULLs).
pub(super) fn u32_column(batch: &RecordBatch, at: usize) -> Result<&[u32]> {
    let column = batch
        .column(at)
        .as_any()
        .downcast_ref::<UInt32Array>()
        .with_context(|| format!("column {at} is {}, not UINTEGER", batch.column(at).data_type()))?;
    if column.null_count() > 0 {
        bail!("column {at} holds NULLs");
    }
    Ok(column.values())
}

fn days_since_epoch(day: NaiveDate) -> i32 {
    (day - NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")).num_days() as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use duckdb::Connection;

    fn appended(rows: Vec<Vec<Cell>>) -> Result<Vec<String>> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(
            "CREATE TABLE t (snapshot_id INTEGER, s VARCHAR, i BIGINT, n INTEGER, u UBIGINT, k UINTEGER, \
             m DECIMAL(18, 2), d DATE)",
        )?;
        let mut app = conn.appender("t")?;
        append_all(&mut app, "t", Some(Cell::Int(Some(7))), rows)?;
        app.flush()?;
        drop(app);
        let mut stmt = conn.prepare("SELECT t::VARCHAR FROM t ORDER BY rowid")?;
        let out = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
        Ok(out)
    }

    #[test]
    fn every_cell_kind_arrives_exactly_with_its_nulls() {
        let day = NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        let rows = vec![
            vec![
                Cell::Str(Some("wé,\"x\"")),
                Cell::Int(Some(-3)),
                Cell::Int(Some(2)),
                Cell::UInt(u64::MAX),
                Cell::Key(u32::MAX),
                Cell::Cents(Some(-999_999_999_999_999_999)),
                Cell::Date(Some(day)),
            ],
            vec![
                Cell::Str(None),
                Cell::Int(None),
                Cell::Int(None),
                Cell::UInt(0),
                Cell::Key(1),
                Cell::Cents(None),
                Cell::Date(None),
            ],
        ];
        assert_eq!(
            appended(rows).unwrap(),
            [
                "{'snapshot_id': 7, 's': 'wé,\"x\"', 'i': -3, 'n': 2, 'u': 18446744073709551615, 'k': 4294967295, \
                 'm': -9999999999999999.99, 'd': 2026-09-30}",
                "{'snapshot_id': 7, 's': NULL, 'i': NULL, 'n': NULL, 'u': 0, 'k': 1, 'm': NULL, 'd': NULL}",
            ]
        );
    }

    #[test]
    fn batches_keep_row_order_across_row_groups() {
        let names: Vec<String> = (0..BATCH_ROWS + 5).map(|i| format!("w{i}")).collect();
        let rows = names.iter().enumerate().map(|(i, n)| {
            vec![
                Cell::Str(Some(n)),
                Cell::Int(Some(i as i64)),
                Cell::Int(None),
                Cell::UInt(0),
                Cell::Key(i as u32),
                Cell::Cents(Some(i as i128)),
                Cell::Date(None),
            ]
        });
        let out = appended(rows.collect()).unwrap();
        assert_eq!(out.len(), BATCH_ROWS + 5);
        assert!(out[BATCH_ROWS + 4].contains(&format!("'s': w{}, 'i': {}", BATCH_ROWS + 4, BATCH_ROWS + 4)));
    }

    #[test]
    fn a_value_that_does_not_fit_its_column_fails_the_append() {
        let too_much = vec![vec![
            Cell::Str(None),
            Cell::Int(None),
            Cell::Int(Some(i64::from(i32::MAX) + 1)),
            Cell::UInt(0),
            Cell::Key(0),
            Cell::Cents(None),
            Cell::Date(None),
        ]];
        assert!(appended(too_much).is_err());
        let beyond_decimal = vec![vec![
            Cell::Str(None),
            Cell::Int(None),
            Cell::Int(None),
            Cell::UInt(0),
            Cell::Key(0),
            Cell::Cents(Some(CENTS_LIMIT)),
            Cell::Date(None),
        ]];
        let err = appended(beyond_decimal).unwrap_err();
        assert!(format!("{err:#}").contains("beyond DECIMAL(18, 2)"), "{err:#}");
    }
}
