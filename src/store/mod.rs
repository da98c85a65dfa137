//! The DuckDB store: one file holding every load as a dated snapshot.
//!
//! Owns the schema and its version, opening (with a clear message when another
//! process holds the file), replacing a snapshot all or nothing, selecting the
//! snapshots a report uses, running SQL into typed rows (`rows`), and reading
//! Parquet files for the sources (`parquet`). The only module that names
//! `duckdb::`; no duckdb type leaves it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use duckdb::{params, AccessMode, Config, Connection};
use rustc_hash::FxHashMap;
use serde::de::DeserializeOwned;
use serde::Serialize;

mod batch;
pub(crate) use batch::Cell;
mod load;
mod parquet;
mod rows;
pub(crate) mod runs;
mod stop;

pub(crate) use parquet::ParquetFile;

pub(crate) use rows::struct_fields;

const SCHEMA: &str = include_str!("schema.sql");
/// Bump with a migration in `MIGRATIONS` whenever schema.sql changes shape.
const SCHEMA_VERSION: i32 = 7;
/// (version it leads to, SQL) for every version after 1, oldest first.
const MIGRATIONS: &[(i32, &str)] = &[
    (2, include_str!("migrations/v2.sql")),
    (3, include_str!("migrations/v3.sql")),
    (4, include_str!("migrations/v4.sql")),
    (5, include_str!("migrations/v5.sql")),
    (6, include_str!("migrations/v6.sql")),
    (7, include_str!("migrations/v7.sql")),
];

/// DuckDB compression methods a load does not use (see `Store::open_write`).
const UNCOMPRESSED_STRINGS: &str = "fsst,dictionary";

/// The inputs a snapshot can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Source {
    Flags,
    Arr,
    WorkspaceAccounts,
    Auth0,
}

impl Source {
    pub(crate) const ALL: [Source; 4] = [Source::Flags, Source::Arr, Source::WorkspaceAccounts, Source::Auth0];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Source::Flags => "flags",
            Source::Arr => "arr",
            Source::WorkspaceAccounts => "workspace-accounts",
            Source::Auth0 => "auth0",
        }
    }

    /// The command that loads a snapshot of this source, for error messages.
    pub(crate) fn load_command(self) -> &'static str {
        match self {
            Source::Flags => "featurearr load flags FILE --as-of DATE",
            Source::Arr => "featurearr load arr FILE --as-of DATE",
            Source::WorkspaceAccounts => "featurearr load workspace-accounts FILE --as-of DATE",
            Source::Auth0 => "featurearr load auth0 DUMP.json --as-of DATE (or pull auth0)",
        }
    }

    /// Tables holding this source's rows.
    fn tables(self) -> &'static [&'static str] {
        match self {
            Source::Flags => &["flag_features", "workspaces"],
            Source::Arr => &["accounts", "account_workspaces"],
            Source::WorkspaceAccounts => &["workspace_accounts"],
            Source::Auth0 => &[
                "auth0_connections",
                "auth0_connection_workspaces",
                "auth0_organizations",
                "auth0_org_connections",
                "auth0_logins",
                "auth0_log_window",
                "auth0_load_verdicts",
                "auth0_load_verdict_basis",
                "auth0_load_rules",
            ],
        }
    }
}

/// A snapshot as listed by `snapshots`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SnapshotInfo {
    pub snapshot_id: i64,
    pub source: String,
    pub as_of: String,
    pub origin: String,
    pub rows: i64,
    pub details: serde_json::Value,
}

pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
    /// Inside `in_one_transaction`: snapshots are written into its transaction
    /// instead of each committing its own.
    in_transaction: bool,
}

impl Store {
    /// Opens the store for writing, creating it and its schema if needed.
    /// `wait` is how long to retry while another process holds the file.
    pub(crate) fn open_write(path: &Path, wait: Duration) -> Result<Store> {
        let conn = open(path, AccessMode::ReadWrite, wait)?;
        // Strings are stored without dictionary or FSST compression. Choosing between
        // them analyses every string written: a third of a 1M flags load, which IDs
        // (unique, random) barely repay. The store is about twice the size for it
        // (55 -> 126 MiB for one 1M snapshot of each source); reports read it as fast.
        conn.execute_batch(&format!("SET disabled_compression_methods = '{UNCOMPRESSED_STRINGS}'"))
            .context("cannot configure the store's compression")?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            in_transaction: false,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing store for reading; several readers may share it.
    /// `wait` is how long to retry while another process writes it. A store
    /// written by an older featurearr is upgraded first, once (a write that
    /// rewrites the tables whose shape changed).
    pub(crate) fn open_read(path: &Path, wait: Duration) -> Result<Store> {
        if !path.exists() {
            bail!(
                "no store at {}; load a snapshot first (featurearr load flags FILE) or pass --db PATH",
                path.display()
            );
        }
        let conn = open(path, AccessMode::ReadOnly, wait)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            in_transaction: false,
        };
        if store.version()? < SCHEMA_VERSION {
            drop(store);
            drop(Store::open_write(path, wait)?);
            return Store::open_read(path, wait);
        }
        stop::at("read-open");
        Ok(store)
    }

    /// Creates the schema of a new store, or brings an older one to `SCHEMA_VERSION`
    /// in one transaction.
    fn migrate(&mut self) -> Result<()> {
        let tx = self.conn.transaction().context("cannot start a transaction")?;
        tx.execute_batch(SCHEMA)
            .with_context(|| format!("cannot create the schema in {}", self.path.display()))?;
        let version: Option<i32> = tx.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))?;
        match version {
            None => {
                tx.execute("INSERT INTO schema_version VALUES (?)", params![SCHEMA_VERSION])?;
            }
            Some(v) if v == SCHEMA_VERSION => {}
            Some(v) if v > SCHEMA_VERSION => bail!(
                "{} has schema version {v}, but this featurearr knows version {SCHEMA_VERSION}; use a newer featurearr",
                self.path.display()
            ),
            Some(v) => {
                for (to, sql) in MIGRATIONS.iter().filter(|(to, _)| *to > v) {
                    tx.execute_batch(sql).with_context(|| {
                        format!(
                            "cannot upgrade {} to schema version {to}; the store is unchanged",
                            self.path.display()
                        )
                    })?;
                }
                tx.execute("UPDATE schema_version SET version = ?", params![SCHEMA_VERSION])?;
            }
        }
        tx.commit()
            .with_context(|| format!("cannot write the schema of {}", self.path.display()))
    }

    /// The store's schema version; errors when the file is no featurearr store or
    /// comes from a newer featurearr.
    fn version(&self) -> Result<i32> {
        let version: Option<i32> = self
            .conn
            .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
            .with_context(|| {
                format!(
                    "{} is not a featurearr store (no schema_version table)",
                    self.path.display()
                )
            })?;
        match version {
            Some(v) if v > SCHEMA_VERSION => bail!(
                "{} has schema version {v}, but this featurearr knows version {SCHEMA_VERSION}; use a newer featurearr",
                self.path.display()
            ),
            Some(v) => Ok(v),
            None => bail!(
                "{} is not a featurearr store (empty schema_version)",
                self.path.display()
            ),
        }
    }

    /// Runs `work` in one transaction that it cannot see end: every snapshot it
    /// replaces (`load_*`) and anything it reads sees its own writes, and nothing is
    /// committed until it returns Ok. On an error, from `work` or the commit, the
    /// store is exactly as before. `refresh` replaces the snapshots of every source
    /// and renders the reports in one such transaction.
    pub(crate) fn in_one_transaction<T>(&mut self, work: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        if self.in_transaction {
            bail!("in_one_transaction cannot be nested; this is a bug, please report it");
        }
        // Plain SQL rather than a duckdb Transaction, which would borrow the
        // connection for as long as `work` needs the whole store.
        self.conn
            .execute_batch("BEGIN TRANSACTION")
            .context("cannot start a transaction")?;
        self.in_transaction = true;
        let result = work(self);
        self.in_transaction = false;
        match result {
            Ok(value) => {
                stop::at("before-commit");
                if let Err(err) = self.conn.execute_batch("COMMIT") {
                    // A failed COMMIT may leave the transaction open; end it unapplied.
                    let _ = self.conn.execute_batch("ROLLBACK");
                    return Err(anyhow::Error::new(err).context(format!(
                        "cannot commit the snapshots to {}; the store is unchanged",
                        self.path.display()
                    )));
                }
                stop::at("after-commit");
                Ok(value)
            }
            Err(err) => {
                // An error here leaves nothing to undo: DuckDB discards the transaction
                // with the connection.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(err)
            }
        }
    }

    /// Replaces the snapshot of `source` for `as_of` with what `fill` appends,
    /// in one transaction: on any error the store is exactly as before. Inside
    /// `in_one_transaction`, the rows join its transaction instead.
    pub(crate) fn replace_snapshot(
        &mut self,
        source: Source,
        as_of: NaiveDate,
        origin: &str,
        details: &serde_json::Value,
        fill: impl FnOnce(&mut Loader) -> Result<u64>,
    ) -> Result<i64> {
        let own = match self.in_transaction {
            true => None,
            false => Some(
                self.conn
                    .unchecked_transaction()
                    .context("cannot start a transaction")?,
            ),
        };
        let tx: &Connection = &self.conn;
        let old: Option<i64> = tx
            .query_row(
                "SELECT snapshot_id FROM snapshots WHERE source = ? AND as_of = ?",
                params![source.name(), as_of.to_string()],
                |r| r.get(0),
            )
            .ok();
        if let Some(old) = old {
            for table in source.tables() {
                tx.execute(&format!("DELETE FROM {table} WHERE snapshot_id = ?"), params![old])?;
            }
            tx.execute("DELETE FROM snapshots WHERE snapshot_id = ?", params![old])?;
        }
        let snapshot_id: i64 = tx.query_row("SELECT nextval('snapshot_ids')", [], |r| r.get(0))?;
        let mut loader = Loader { tx, snapshot_id };
        let rows = fill(&mut loader)?;
        tx.execute(
            "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?)",
            params![
                snapshot_id,
                source.name(),
                as_of.to_string(),
                origin,
                rows as i64,
                details.to_string()
            ],
        )?;
        if let Some(own) = own {
            stop::at("before-commit");
            own.commit().with_context(|| {
                format!(
                    "cannot commit the {} snapshot to {}",
                    source.name(),
                    self.path.display()
                )
            })?;
            stop::at("after-commit");
        }
        Ok(snapshot_id)
    }

    pub(crate) fn snapshots(&self) -> Result<Vec<SnapshotInfo>> {
        let mut stmt = self.conn.prepare(
            "SELECT snapshot_id, source, strftime(as_of, '%Y-%m-%d'), origin, rows, details
             FROM snapshots ORDER BY source, as_of",
        )?;
        let rows = stmt.query_map([], |r| {
            let details: String = r.get(5)?;
            Ok(SnapshotInfo {
                snapshot_id: r.get(0)?,
                source: r.get(1)?,
                as_of: r.get(2)?,
                origin: r.get(3)?,
                rows: r.get(4)?,
                details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest snapshot of `source` dated on or before `as_of`.
    pub(crate) fn snapshot_on_or_before(&self, source: Source, as_of: NaiveDate) -> Result<Option<SnapshotInfo>> {
        Ok(self
            .snapshots()?
            .into_iter()
            .filter(|s| s.source == source.name() && s.as_of.as_str() <= as_of.to_string().as_str())
            .max_by(|a, b| a.as_of.cmp(&b.as_of)))
    }

    /// Runs a statement that returns nothing (temporary views and tables).
    pub(crate) fn execute(&self, sql: &str) -> Result<()> {
        self.conn.execute_batch(sql)?;
        Ok(())
    }

    /// Creates (or replaces) a temporary table from rows of cells.
    pub(crate) fn temp_table(&self, name: &str, columns: &str, rows: &[Vec<Cell>]) -> Result<()> {
        self.conn
            .execute_batch(&format!("CREATE OR REPLACE TEMP TABLE {name} ({columns})"))?;
        let mut app = self.conn.appender_to_catalog_and_db(name, "temp", "main")?;
        batch::append_all(&mut app, name, None, rows.iter().cloned())?;
        app.flush().with_context(|| format!("cannot write {name}"))?;
        Ok(())
    }

    /// Runs one query and reads each row into a `T`, a struct whose fields are found
    /// by column name (`rows`): a field without a column is an error naming it.
    pub(crate) fn query_rows<T: DeserializeOwned>(&self, sql: &str) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        let columns: Vec<String> = rows.as_ref().map(|s| s.column_names()).unwrap_or_default();
        rows::read_rows(&mut rows, &columns)
    }

    /// The column names a query returns.
    #[cfg(test)]
    pub(crate) fn columns_of(&self, sql: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query([])?;
        Ok(rows.as_ref().map(|s| s.column_names()).unwrap_or_default())
    }
}

/// Appends the rows of one snapshot; every row carries the snapshot id first.
pub(crate) struct Loader<'tx> {
    tx: &'tx Connection,
    snapshot_id: i64,
}

/// One ID dictionary (`workspace_keys` or `account_keys`, schema.sql). IDs it has not
/// seen get the next keys and are added in the load's transaction.
struct KeyDictionary {
    table: &'static str,
    key_column: &'static str,
    id_column: &'static str,
}

static WORKSPACE_KEYS: KeyDictionary = KeyDictionary {
    table: "workspace_keys",
    key_column: "workspace_key",
    id_column: "workspace_id",
};

static ACCOUNT_KEYS: KeyDictionary = KeyDictionary {
    table: "account_keys",
    key_column: "account_key",
    id_column: "account_id",
};

impl KeyDictionary {
    /// The key of every ID in `ids`, in order; new IDs are numbered in order of first
    /// appearance.
    ///
    /// The IDs are looked up by a join in DuckDB rather than by reading the whole
    /// dictionary into a map: a workspace-accounts load of 300k links read all 1M
    /// workspace keys, 40% of its time (perf).
    fn keys_of<'a>(
        &'static self,
        tx: &Connection,
        ids: impl IntoIterator<Item = &'a str>,
        repeats: Repeats,
        added: Added,
    ) -> Result<(Vec<u32>, NewKeys)> {
        let KeyDictionary { table, key_column, .. } = *self;
        let ids: Vec<&str> = ids.into_iter().collect();
        let mut next: u32 = tx.query_row(
            &format!("SELECT coalesce(max({key_column}), 0) + 1 FROM {table}"),
            [],
            |r| r.get(0),
        )?;
        let mut keys: Vec<Option<u32>> = vec![None; ids.len()];
        // An empty dictionary (a store's first load) has nothing to look up: staging and
        // joining a million IDs that cannot match was a sixth of a first 1M flags load.
        if next > 1 {
            self.look_up(tx, &ids, &mut keys)?;
        }
        let unknown = keys.iter().filter(|k| k.is_none()).count();
        let first_new = next;
        let mut added_in_order: Vec<(u32, &str)> = Vec::with_capacity(match added {
            Added::Now => unknown,
            Added::ByCaller => 0,
        });
        let mut add = |id| {
            if let Added::Now = added {
                added_in_order.push((next, id));
            }
            next += 1;
            next - 1
        };
        let keys: Vec<u32> = match repeats {
            // Remembering the new IDs was an eighth of a first 1M flags load (perf), and
            // distinct IDs need no remembering.
            Repeats::Never => keys
                .into_iter()
                .zip(&ids)
                .map(|(key, id)| key.unwrap_or_else(|| add(id)))
                .collect(),
            Repeats::Maybe => {
                // Sized once: growing it was 7% of a first 1M flags load (perf).
                let mut added: FxHashMap<&str, u32> = FxHashMap::with_capacity_and_hasher(unknown, Default::default());
                keys.into_iter()
                    .zip(&ids)
                    .map(|(key, id)| key.unwrap_or_else(|| *added.entry(id).or_insert_with(|| add(id))))
                    .collect()
            }
        };
        if !added_in_order.is_empty() {
            let mut app = tx.appender(table)?;
            let rows = added_in_order
                .into_iter()
                .map(|(key, id)| vec![Cell::Key(key), Cell::Str(Some(id))]);
            batch::append_all(&mut app, table, None, rows)?;
            app.flush().with_context(|| format!("cannot write {table}"))?;
        }
        let new_keys = NewKeys {
            dictionary: self,
            first: first_new,
            count: u64::from(next - first_new),
        };
        Ok((keys, new_keys))
    }
}

impl KeyDictionary {
    /// Fills in the key of every ID of `ids` the dictionary holds, by a join in DuckDB.
    fn look_up(&self, tx: &Connection, ids: &[&str], keys: &mut [Option<u32>]) -> Result<()> {
        let KeyDictionary {
            table,
            key_column,
            id_column,
        } = *self;
        tx.execute_batch("CREATE OR REPLACE TEMP TABLE wanted_ids (position UINTEGER NOT NULL, id VARCHAR NOT NULL)")?;
        let mut app = tx.appender_to_catalog_and_db("wanted_ids", "temp", "main")?;
        let wanted = ids
            .iter()
            .enumerate()
            .map(|(at, id)| vec![Cell::Key(at as u32), Cell::Str(Some(id))]);
        batch::append_all(&mut app, "wanted_ids", None, wanted)?;
        app.flush().context("cannot stage IDs for their keys")?;
        drop(app);

        let mut stmt = tx.prepare(&format!(
            "SELECT w.position, d.{key_column} FROM temp.wanted_ids w JOIN {table} d ON d.{id_column} = w.id"
        ))?;
        for found in stmt.query_arrow([])? {
            let positions = batch::u32_column(&found, 0)?;
            let found_keys = batch::u32_column(&found, 1)?;
            for (at, key) in positions.iter().zip(found_keys) {
                keys[*at as usize] = Some(*key);
            }
        }
        drop(stmt);
        tx.execute_batch("DROP TABLE temp.wanted_ids")?;
        Ok(())
    }
}

/// Who adds the IDs new to a dictionary.
#[derive(Clone, Copy)]
enum Added {
    /// `keys_of`, before it returns.
    Now,
    /// The caller, with `Loader::add_new_keys` once its rows are in their table.
    ByCaller,
}

/// The keys `keys_of` gave to IDs new to `dictionary`: `count` keys from `first`.
pub(crate) struct NewKeys {
    dictionary: &'static KeyDictionary,
    first: u32,
    count: u64,
}

/// Whether a list of IDs may name one ID more than once.
#[derive(Clone, Copy)]
pub(crate) enum Repeats {
    /// Every ID is different: the readers checked (flags) or merged (ARR accounts) them.
    Never,
    Maybe,
}

impl Loader<'_> {
    /// The integer key of each workspace ID (schema.sql: workspace_keys).
    pub(crate) fn workspace_keys<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
        repeats: Repeats,
    ) -> Result<Vec<u32>> {
        Ok(WORKSPACE_KEYS.keys_of(self.tx, ids, repeats, Added::Now)?.0)
    }

    /// The integer key of each of `ids`, all different, with the keys given to IDs new
    /// to the dictionary, which are not added yet: `add_new_keys` adds them from the
    /// table the caller appends the IDs and keys to. Through the appender, a first 1M
    /// flags load's IDs took 130 ms; copied inside DuckDB, 55 ms.
    pub(crate) fn distinct_workspace_keys<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<(Vec<u32>, NewKeys)> {
        WORKSPACE_KEYS.keys_of(self.tx, ids, Repeats::Never, Added::ByCaller)
    }

    /// Adds the IDs of `new` to their dictionary from this snapshot's rows of `table`,
    /// which holds the dictionary's ID and key columns.
    pub(crate) fn add_new_keys(&self, new: NewKeys, table: &str) -> Result<()> {
        let NewKeys {
            dictionary,
            first,
            count,
        } = new;
        let KeyDictionary {
            table: dictionary_table,
            key_column,
            id_column,
        } = *dictionary;
        let added = self.tx.execute(
            &format!(
                "INSERT INTO {dictionary_table} SELECT {key_column}, {id_column} FROM {table} \
                 WHERE snapshot_id = ? AND {key_column} >= ? ORDER BY {key_column}"
            ),
            params![self.snapshot_id, first],
        )?;
        if added as u64 != count {
            bail!("{table} holds {added} new {id_column}s of this snapshot where {count} were given keys");
        }
        Ok(())
    }

    /// The integer key of each account ID (schema.sql: account_keys).
    pub(crate) fn account_keys<'a>(
        &self,
        ids: impl IntoIterator<Item = &'a str>,
        repeats: Repeats,
    ) -> Result<Vec<u32>> {
        Ok(ACCOUNT_KEYS.keys_of(self.tx, ids, repeats, Added::Now)?.0)
    }

    /// Appends `rows` to `table`; each row gets the snapshot id as first column.
    pub(crate) fn append<'a>(
        &mut self,
        table: &str,
        rows: impl IntoIterator<Item = Vec<Cell<'a>>, IntoIter: Send>,
    ) -> Result<u64> {
        let mut app = self.tx.appender(table)?;
        let count = batch::append_all(&mut app, table, Some(Cell::Int(Some(self.snapshot_id))), rows)?;
        // Dropping an appender discards its errors, so flush explicitly.
        app.flush().with_context(|| format!("cannot write {table}"))?;
        Ok(count)
    }
}

/// Opens the DuckDB file, retrying while another process holds its lock
/// until `wait` has passed.
///
/// DuckDB lets one process write a file, or several read it, never both: a
/// writer's lock makes every other open fail, and readers' shared locks make
/// a writer's open fail. The error names the holder's PID, which we keep.
fn open(path: &Path, mode: AccessMode, wait: Duration) -> Result<Connection> {
    let started = Instant::now();
    let mut announced = false;
    let mut attempt: u32 = 0;
    loop {
        let config = Config::default().access_mode(mode_copy(&mode))?;
        let err = match Connection::open_with_flags(path, config) {
            Ok(conn) => return Ok(conn),
            Err(err) => err,
        };
        let text = err.to_string();
        let Some(holder) = lock_holder(&text) else {
            return Err(anyhow::Error::new(err).context(format!("cannot open the store {}", path.display())));
        };
        let elapsed = started.elapsed();
        if elapsed >= wait {
            let what = match mode {
                AccessMode::ReadOnly => "is being written by",
                _ => "is in use by",
            };
            if wait.is_zero() {
                bail!(
                    "the store {} {what} another process ({holder}); retry when it has finished, \
                     or pass --wait SECONDS to wait for it",
                    path.display()
                );
            }
            bail!(
                "the store {} {what} another process ({holder}) and was not released within --wait {} s; \
                 retry later or pass a longer --wait",
                path.display(),
                wait.as_secs()
            );
        }
        if !announced {
            eprintln!(
                "waiting up to {} s for {holder} to release the store {}",
                wait.as_secs(),
                path.display()
            );
            announced = true;
        }
        // 100 to 250 ms, varied so that several waiting processes do not retry in step.
        let pause = Duration::from_millis(100 + u64::from(attempt % 4) * 50).min(wait - elapsed);
        attempt += 1;
        std::thread::sleep(pause.max(Duration::from_millis(1)));
    }
}

fn mode_copy(mode: &AccessMode) -> AccessMode {
    match mode {
        AccessMode::ReadOnly => AccessMode::ReadOnly,
        AccessMode::ReadWrite => AccessMode::ReadWrite,
        AccessMode::Automatic => AccessMode::Automatic,
    }
}

/// "PID 1234" from DuckDB's lock error, or a generic phrase when the
/// message is a lock error without a PID; `None` for any other error.
fn lock_holder(text: &str) -> Option<String> {
    if !(text.contains("Could not set lock") || text.contains("Conflicting lock")) {
        return None;
    }
    let pid = text
        .split("PID ")
        .nth(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
        .filter(|pid| !pid.is_empty());
    Some(pid.map_or_else(|| "PID unknown".to_string(), |pid| format!("PID {pid}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads skip string compression analysis (`open_write`): even strings that
    /// dictionary or FSST would shrink a lot are stored as they are.
    #[test]
    fn a_written_store_keeps_strings_uncompressed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_write(&dir.path().join("t.duckdb"), Duration::ZERO).unwrap();
        store
            .execute(
                "CREATE TABLE repeated AS SELECT 'workspace-' || (i % 3)::VARCHAR AS few, \
                 'ws-0000' || i::VARCHAR AS many FROM range(300000) t(i); CHECKPOINT",
            )
            .unwrap();
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Used {
            compression: String,
        }
        let used: Vec<Used> = store
            .query_rows(
                "SELECT DISTINCT compression FROM pragma_storage_info('repeated') \
                 WHERE segment_type = 'VARCHAR' ORDER BY 1",
            )
            .unwrap();
        assert_eq!(
            used,
            [Used {
                compression: "Uncompressed".into()
            }]
        );
    }
}
