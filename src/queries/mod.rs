//! The SQL building blocks in `queries/*.sql`, registered as DuckDB table macros.
//!
//! Each file is one SELECT whose header documents its purpose, grain and every
//! output column. It becomes `CREATE TEMP MACRO <file stem>(at_side) AS TABLE ...`,
//! where `at_side` names the side of the `selection` temp table it reads (`cur` for
//! the report date, `prev` for a comparison date), so blocks compose by name:
//! `revenue_share(at_side)` reads `customers(at_side)`. The files are compiled into the
//! binary; a user folder replaces them file by file.
//!
//! Each block's rows are read into the struct of `rows` that names it (`Block`): a
//! column the struct reads that the block does not return is an error naming the
//! block, the column and the file the block came from.

use std::cell::RefCell;
use std::path::Path;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::money::Money;
use crate::store::{Cell, Source, Store};

pub(crate) mod rows;

pub(crate) use rows::Block;

/// Macro parameters: a block reads one side, or compares two.
const ONE_SIDE: &str = "at_side";
const TWO_SIDES: &str = "at_side, base_side";

/// Built-in queries in dependency order: a block only reads blocks above it.
const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "flag_workspaces",
        ONE_SIDE,
        include_str!("../../queries/flag_workspaces.sql"),
    ),
    ("features", ONE_SIDE, include_str!("../../queries/features.sql")),
    (
        "workspace_features",
        ONE_SIDE,
        include_str!("../../queries/workspace_features.sql"),
    ),
    ("account_arr", ONE_SIDE, include_str!("../../queries/account_arr.sql")),
    (
        "workspace_links",
        ONE_SIDE,
        include_str!("../../queries/workspace_links.sql"),
    ),
    (
        "account_families",
        ONE_SIDE,
        include_str!("../../queries/account_families.sql"),
    ),
    (
        "customer_units",
        ONE_SIDE,
        include_str!("../../queries/customer_units.sql"),
    ),
    (
        "customer_workspaces",
        ONE_SIDE,
        include_str!("../../queries/customer_workspaces.sql"),
    ),
    (
        "customer_keys",
        ONE_SIDE,
        include_str!("../../queries/customer_keys.sql"),
    ),
    ("customers", ONE_SIDE, include_str!("../../queries/customers.sql")),
    (
        "customer_features",
        ONE_SIDE,
        include_str!("../../queries/customer_features.sql"),
    ),
    ("totals", ONE_SIDE, include_str!("../../queries/totals.sql")),
    (
        "revenue_share",
        ONE_SIDE,
        include_str!("../../queries/revenue_share.sql"),
    ),
    (
        "band_adoption",
        ONE_SIDE,
        include_str!("../../queries/band_adoption.sql"),
    ),
    ("coverage", ONE_SIDE, include_str!("../../queries/coverage.sql")),
    (
        "connection_facts",
        ONE_SIDE,
        include_str!("../../queries/connection_facts.sql"),
    ),
    (
        "classified_at_load",
        ONE_SIDE,
        include_str!("../../queries/classified_at_load.sql"),
    ),
    (
        "load_verdict_basis",
        ONE_SIDE,
        include_str!("../../queries/load_verdict_basis.sql"),
    ),
    (
        "load_verdicts",
        ONE_SIDE,
        include_str!("../../queries/load_verdicts.sql"),
    ),
    (
        "unmatched_config_rules",
        ONE_SIDE,
        include_str!("../../queries/unmatched_config_rules.sql"),
    ),
    (
        "idp_connections",
        ONE_SIDE,
        include_str!("../../queries/idp_connections.sql"),
    ),
    ("idp_logins", ONE_SIDE, include_str!("../../queries/idp_logins.sql")),
    ("idps", ONE_SIDE, include_str!("../../queries/idps.sql")),
    (
        "integration_candidates",
        ONE_SIDE,
        include_str!("../../queries/integration_candidates.sql"),
    ),
    (
        "unrecognised_endpoints",
        ONE_SIDE,
        include_str!("../../queries/unrecognised_endpoints.sql"),
    ),
    (
        "unrecognised_hosts",
        ONE_SIDE,
        include_str!("../../queries/unrecognised_hosts.sql"),
    ),
    (
        "unmapped_connections",
        ONE_SIDE,
        include_str!("../../queries/unmapped_connections.sql"),
    ),
    (
        "explained_connections",
        ONE_SIDE,
        include_str!("../../queries/explained_connections.sql"),
    ),
    (
        "doctor_unlinked_workspaces",
        ONE_SIDE,
        include_str!("../../queries/doctor_unlinked_workspaces.sql"),
    ),
    (
        "doctor_accounts_without_workspace",
        ONE_SIDE,
        include_str!("../../queries/doctor_accounts_without_workspace.sql"),
    ),
    (
        "doctor_missing_accounts",
        ONE_SIDE,
        include_str!("../../queries/doctor_missing_accounts.sql"),
    ),
    (
        "doctor_prerequisite_breaks",
        ONE_SIDE,
        include_str!("../../queries/doctor_prerequisite_breaks.sql"),
    ),
    (
        "doctor_empty_flags",
        ONE_SIDE,
        include_str!("../../queries/doctor_empty_flags.sql"),
    ),
    (
        "doctor_conflicting_links",
        ONE_SIDE,
        include_str!("../../queries/doctor_conflicting_links.sql"),
    ),
    (
        "doctor_missing_parents",
        ONE_SIDE,
        include_str!("../../queries/doctor_missing_parents.sql"),
    ),
    (
        "doctor_double_counted_parents",
        ONE_SIDE,
        include_str!("../../queries/doctor_double_counted_parents.sql"),
    ),
    (
        "feature_changes",
        TWO_SIDES,
        include_str!("../../queries/feature_changes.sql"),
    ),
];

/// Blocks that later blocks read several times (`customers`, through `customer_keys`,
/// is read by `totals`, `revenue_share`, `band_adoption`, `coverage`, `idps`, ...).
/// `prepare` computes each once per side into a temp table and points its macro at that
/// table, so a report does not recompute the same million-row joins again and again.
/// Materialized on first use, by `run_query`. `account_families` walks the parent links
/// recursively and is read by every customer block. Not materialized: blocks that only
/// filter one table (`flag_workspaces`, `account_arr`: copying their strings cost
/// more than scanning the key columns again), unpack feature bits
/// (`workspace_features`, `customer_features`), or join a materialized block to
/// `account_arr` by key (`customers`: copying the account IDs and names of 190k
/// customers cost 130 ms at 1M, joining them back on a dense integer key a few ms).
const MATERIALIZED: &[&str] = &[
    "features",
    "workspace_links",
    "account_families",
    "customer_workspaces",
    "customer_keys",
    "totals",
    "idp_connections",
    "idp_logins",
];

/// One query: its name (the file stem) and its SQL.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub name: &'static str,
    /// The macro's parameters: `at_side`, or `at_side, base_side` for comparisons.
    pub params: &'static str,
    pub sql: String,
    /// Where it came from, for error messages.
    pub origin: String,
}

/// The queries to register: built-ins, each replaced by `dir/<name>.sql` if present.
pub(crate) fn load_queries(dir: Option<&Path>) -> Result<Vec<Query>> {
    let mut queries = Vec::with_capacity(BUILTIN.len());
    for (name, params, builtin) in BUILTIN {
        let path = dir.map(|d| d.join(format!("{name}.sql")));
        let query = match path {
            Some(path) if path.is_file() => Query {
                name,
                params,
                sql: std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?,
                origin: path.display().to_string(),
            },
            _ => Query {
                name,
                params,
                sql: builtin.to_string(),
                origin: format!("built-in queries/{name}.sql"),
            },
        };
        documented_columns(&query)?;
        queries.push(query);
    }
    Ok(queries)
}

/// The column names listed under `-- columns:` in a query's header.
pub(crate) fn documented_columns(query: &Query) -> Result<Vec<String>> {
    let mut lines = query.sql.lines().take_while(|l| l.starts_with("--"));
    if !lines.any(|l| l.trim() == "-- columns:") {
        bail!(
            "{} has no `-- columns:` header; document each output column (see queries/customers.sql)",
            query.origin
        );
    }
    Ok(lines
        .filter_map(|l| l.strip_prefix("--   "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect())
}

/// `[salesforce] rollup`: what one customer is. The blocks read it from the temp table
/// `report_settings` (column `rollup`), so it applies to snapshots loaded before it
/// changed: the parent links are stored, the families are found when a report runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Rollup {
    /// Each account is a customer of its own (SPEC 3).
    #[default]
    Account,
    /// A customer is an account family: every account whose chain of parent links
    /// leads to the same top account of the snapshot.
    UltimateParent,
}

impl Rollup {
    /// The value as the config writes it and `report_settings.rollup` holds it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Rollup::Account => "account",
            Rollup::UltimateParent => "ultimate_parent",
        }
    }
}

/// One side of a comparison: which snapshot each source contributes.
#[derive(Debug, Clone)]
pub(crate) struct Side {
    pub name: String,
    pub as_of: NaiveDate,
    /// (source, snapshot id, snapshot date) for each source that has a snapshot.
    pub snapshots: Vec<(Source, i64, NaiveDate)>,
}

/// An ARR band: lower bound inclusive, upper exclusive (None = no upper bound).
#[derive(Debug, Clone)]
pub(crate) struct Band {
    pub label: String,
    pub lower: Money,
    pub upper: Option<Money>,
}

/// The registered blocks of one selection, ready to be read as typed rows.
pub(crate) struct Blocks<'s> {
    store: &'s Store,
    queries: Vec<Query>,
    /// reads[i]: indices (into `queries`) of every block query i reads, transitively,
    /// ascending.
    reads: Vec<Vec<usize>>,
    /// Whether query i's macro is defined on the connection for this selection. Macros
    /// are defined when a block is first read, with the blocks it reads: defining all 34
    /// up front was 85 ms of a 450 ms `report revenue-share` at 1M, which reads 12.
    defined: RefCell<Vec<bool>>,
}

/// Registers the selection, the bands and the rollup on the store's connection, and
/// plans the blocks: each block's macro is defined when it is first read.
pub(crate) fn prepare<'s>(
    store: &'s Store,
    queries: Vec<Query>,
    sides: &[Side],
    bands: &[Band],
    rollup: Rollup,
) -> Result<Blocks<'s>> {
    let selection: Vec<Vec<Cell>> = sides
        .iter()
        .flat_map(|side| {
            side.snapshots.iter().map(move |(source, id, date)| {
                vec![
                    Cell::Str(Some(&side.name)),
                    Cell::Str(Some(source.name())),
                    Cell::Int(Some(*id)),
                    Cell::Date(Some(*date)),
                ]
            })
        })
        .collect();
    store.temp_table(
        "selection",
        "side VARCHAR, source VARCHAR, snapshot_id BIGINT, as_of DATE",
        &selection,
    )?;
    let bands: Vec<Vec<Cell>> = bands
        .iter()
        .enumerate()
        .map(|(i, b)| {
            vec![
                Cell::Int(Some(i as i64 + 1)),
                Cell::Str(Some(&b.label)),
                Cell::Cents(Some(b.lower.cents())),
                Cell::Cents(b.upper.map(Money::cents)),
            ]
        })
        .collect();
    store.temp_table(
        "arr_bands",
        "band_order INTEGER, label VARCHAR, lower_bound DECIMAL(18,2), upper_bound DECIMAL(18,2)",
        &bands,
    )?;
    fill_auth0_verdicts(store, &[], &[], &[])?;
    store.temp_table(
        "report_settings",
        "rollup VARCHAR",
        &[vec![Cell::Str(Some(rollup.name()))]],
    )?;
    size_perfect_hash_tables(store)?;
    let reads = plan_materialization(store, &queries)?;
    let defined = RefCell::new(vec![false; queries.len()]);
    Ok(Blocks {
        store,
        queries,
        reads,
        defined,
    })
}

/// The columns of temp view `auth0_verdicts`: each enterprise connection's vendor as
/// decided for the report (`connection_facts` are what it is decided from).
const AUTH0_VERDICTS: &str =
    "snapshot_id INTEGER, connection_id VARCHAR, vendor VARCHAR, vendor_rule VARCHAR, ignored BOOLEAN";
/// The columns of temp table `auth0_name_workspaces`: the workspaces the name pattern in
/// force maps connections to, where metadata maps them to none, with their keys
/// (schema.sql: workspace_keys; NULL for a workspace the store has never seen).
const AUTH0_NAME_WORKSPACES: &str = "snapshot_id INTEGER, connection_id VARCHAR, workspace_id VARCHAR";

/// Defines temp view `auth0_verdicts` (rows: snapshot id, connection id, vendor, rule,
/// ignored) and fills temp table `auth0_name_workspaces` (snapshot id, connection id,
/// workspace id; the workspace key is looked up here), which `idp_connections` and the
/// blocks after it read: the rows given, decided in Rust, and the verdicts stored at the
/// load of the Auth0 snapshot of each of `stored_sides` (block `load_verdicts`).
/// `auth0_verdicts` reads the stored verdicts where they are: copying 224k of them into
/// a temp table took 60-90 ms. `prepare` leaves both empty; a report on IdPs fills them
/// (`Blocks::set_auth0_verdicts`) before it reads any block that needs them.
fn fill_auth0_verdicts(
    store: &Store,
    verdicts: &[Vec<Cell>],
    name_workspaces: &[Vec<Cell>],
    stored_sides: &[&str],
) -> Result<()> {
    store.temp_table("auth0_verdicts_decided", AUTH0_VERDICTS, verdicts)?;
    store.temp_table("auth0_names", AUTH0_NAME_WORKSPACES, name_workspaces)?;
    let mut reads = vec!["SELECT * FROM auth0_verdicts_decided".to_string()];
    for side in stored_sides {
        let side = side.replace('\'', "''");
        reads.push(format!(
            "SELECT snapshot_id, connection_id, vendor, vendor_rule, ignored FROM load_verdicts('{side}')"
        ));
        store
            .execute(&format!(
                "INSERT INTO auth0_names SELECT snapshot_id, connection_id, name_workspace_id
                 FROM load_verdicts('{side}') WHERE name_workspace_id IS NOT NULL"
            ))
            .context("cannot read the Auth0 verdicts stored with the snapshot (block load_verdicts)")?;
    }
    store.execute(&format!(
        "CREATE OR REPLACE TEMP VIEW auth0_verdicts AS {}",
        reads.join(" UNION ALL ")
    ))?;
    #[derive(Deserialize)]
    struct Names {
        any: bool,
    }
    let any_names = !name_workspaces.is_empty()
        || !stored_sides.is_empty()
            && store
                .query_rows::<Names>("SELECT EXISTS (SELECT 1 FROM auth0_names) AS any")?
                .first()
                .is_some_and(|n| n.any);
    // Joined to the million-row key dictionary only when there is a name to look up.
    let keys = if any_names {
        "k.workspace_key FROM auth0_names n LEFT JOIN workspace_keys k ON k.workspace_id = n.workspace_id"
    } else {
        "NULL::UINTEGER AS workspace_key FROM auth0_names n"
    };
    store.execute(&format!(
        "CREATE OR REPLACE TEMP TABLE auth0_name_workspaces AS SELECT n.snapshot_id, n.connection_id, n.workspace_id, {keys}"
    ))
}

/// Lets DuckDB group by a workspace or account key with an array indexed by the key
/// (a "perfect hash table") instead of hashing: keys are dense integers from 1
/// (schema.sql), and DuckDB only does so when the key range fits in 2^perfect_ht_threshold
/// slots, 4096 by default. Grouping 830k workspace links by workspace: 140 -> 75 ms at 1M.
/// Capped at 2^22 slots (a table of that many counters per thread); beyond that, groups
/// are hashed as before.
fn size_perfect_hash_tables(store: &Store) -> Result<()> {
    #[derive(Deserialize)]
    struct Largest {
        key: u64,
    }
    let largest = store.query_rows::<Largest>(
        "SELECT greatest(coalesce((SELECT max(workspace_key) FROM workspace_keys), 0),
                         coalesce((SELECT max(account_key) FROM account_keys), 0))::UBIGINT AS key",
    )?;
    let largest = largest.first().map_or(0, |row| row.key);
    let bits = (u64::BITS - largest.leading_zeros()).clamp(12, 22);
    store.execute(&format!("SET perfect_ht_threshold = {bits}"))
}

/// Records, for every block, which `MATERIALIZED` blocks it reads directly or through
/// other blocks (temp table `materialize_plan`), and drops tables materialized for an
/// earlier selection (listed in temp table `materialized`). `run_query` then
/// materializes what a query needs on first use, so a report computes each shared block
/// once and never one it does not read.
fn plan_materialization(store: &Store, queries: &[Query]) -> Result<Vec<Vec<usize>>> {
    let reads = |body: &str, name: &str| {
        body.match_indices(name).any(|(at, _)| {
            let before = body[..at].chars().next_back();
            let after = body[at + name.len()..].trim_start().starts_with('(');
            after && !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    // deps[i]: indices (into `queries`) of every block query i reads, transitively.
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(queries.len());
    for (i, query) in queries.iter().enumerate() {
        let mut mine: Vec<usize> = Vec::new();
        for (j, other) in queries[..i].iter().enumerate() {
            if reads(&query.sql, other.name) {
                for &d in deps[j].iter().chain(std::iter::once(&j)) {
                    if !mine.contains(&d) {
                        mine.push(d);
                    }
                }
            }
        }
        mine.sort_unstable();
        deps.push(mine);
    }
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (i, query) in queries.iter().enumerate() {
        let own = std::iter::once(&i).filter(|_| MATERIALIZED.contains(&query.name));
        for &d in deps[i]
            .iter()
            .filter(|&&d| MATERIALIZED.contains(&queries[d].name))
            .chain(own)
        {
            rows.push(vec![
                Cell::Str(Some(query.name)),
                Cell::Str(Some(queries[d].name)),
                Cell::Int(Some(d as i64)),
            ]);
        }
    }
    // Not duckdb_tables(): listing the catalog takes 5 ms.
    store.execute("CREATE TEMP TABLE IF NOT EXISTS materialized (block VARCHAR, table_name VARCHAR)")?;
    for row in store.query_rows::<Materialized>("SELECT table_name FROM materialized")? {
        store.execute(&format!("DROP TABLE temp.{}", row.table_name))?;
    }
    store.execute("DELETE FROM materialized")?;
    store.temp_table(
        "materialize_plan",
        "block VARCHAR, needs VARCHAR, position BIGINT",
        &rows,
    )?;
    Ok(deps)
}

/// A row of the temp table `materialized`.
#[derive(Deserialize)]
struct Materialized {
    table_name: String,
}

/// Materializes, for every side of the selection, each block `name` needs that is not
/// materialized yet: the rows of side number i go to the temp table
/// `materialized_<block>_<i>`, in the block's own row order, and the block's macro is
/// redefined to read those tables.
///
/// One table per side rather than one table with a side column: a million-row block
/// wrote that column's text a million times (about 45 ms at 1M), and every read
/// filtered on it.
fn materialize_for(store: &Store, name: &str) -> Result<()> {
    #[derive(Deserialize)]
    struct Pending {
        needs: String,
    }
    #[derive(Deserialize)]
    struct SelectedSide {
        side: String,
    }
    let quoted = name.replace('\'', "''");
    let pending = store.query_rows::<Pending>(&format!(
        "SELECT p.needs FROM materialize_plan p
         WHERE p.block = '{quoted}' AND p.needs NOT IN (SELECT block FROM materialized)
         ORDER BY p.position"
    ))?;
    if pending.is_empty() {
        return Ok(());
    }
    let sides = store.query_rows::<SelectedSide>("SELECT DISTINCT side FROM selection ORDER BY side")?;
    for Pending { needs: block } in &pending {
        let mut reads = Vec::with_capacity(sides.len());
        for (i, side) in sides.iter().enumerate() {
            let side = side.side.replace('\'', "''");
            let table = format!("materialized_{block}_{i}");
            let sql = format!("CREATE TEMP TABLE {table} AS SELECT * FROM {block}('{side}')");
            timed(&format!("materialize {block}('{side}')"), || store.execute(&sql))
                .with_context(|| format!("query {block} failed"))?;
            store.execute(&format!("INSERT INTO materialized VALUES ('{block}', '{table}')"))?;
            // at_side is a constant in every call, so DuckDB drops the other sides' reads.
            reads.push(format!("SELECT * FROM {table} WHERE at_side = '{side}'"));
        }
        if reads.is_empty() {
            continue;
        }
        store.execute(&format!(
            "CREATE OR REPLACE TEMP MACRO {block}(at_side) AS TABLE {}",
            reads.join(" UNION ALL ")
        ))?;
    }
    Ok(())
}

/// Runs `work`; with FEATUREARR_TIMINGS set, prints how long it took to stderr (the
/// per-block profile behind the README's Performance notes).
pub(crate) fn timed<T>(label: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    if std::env::var_os("FEATUREARR_TIMINGS").is_none() {
        return work();
    }
    let started = std::time::Instant::now();
    let result = work();
    eprintln!("timing: {label} {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    result
}

/// What a summary adds up besides counting rows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Total {
    Nothing,
    /// The exact sum of a DECIMAL money column.
    Money(&'static str),
    /// The sum of an integer column.
    Count(&'static str),
}

/// A block's row count, the sum of one of its columns, and its first rows.
pub(crate) struct Summary<T> {
    pub count: i64,
    /// The sum of a `Total::Money` column (0 when there are no rows).
    pub money: Option<Money>,
    /// The sum of a `Total::Count` column (0 when there are no rows).
    pub units: Option<i64>,
    /// The first `limit` rows, in the block's order.
    pub first: Vec<T>,
}

/// The one row of a summary's count and sum.
#[derive(Deserialize)]
struct SummaryTotals {
    count: i64,
    money: Option<Money>,
    units: Option<i64>,
}

impl Blocks<'_> {
    /// Every row of block `T::NAME` for `side`.
    pub(crate) fn rows<T: Block>(&self, side: &str) -> Result<Vec<T>> {
        self.read(T::NAME, &format!("'{side}'"), |store, sql| store.query_rows(sql))
    }

    /// The single row of a one-row block such as `totals`.
    pub(crate) fn one<T: Block>(&self, side: &str) -> Result<T> {
        let mut rows = self.rows::<T>(side)?;
        match rows.len() {
            1 => Ok(rows.remove(0)),
            n => bail!(
                "block {} ({}) returned {n} rows for side `{side}`; it must return exactly one",
                T::NAME,
                self.origin(T::NAME)
            ),
        }
    }

    /// Every row of comparison block `T::NAME`: side `at` against side `base`.
    pub(crate) fn compare<T: Block>(&self, at: &str, base: &str) -> Result<Vec<T>> {
        self.read(T::NAME, &format!("'{at}', '{base}'"), |store, sql| {
            store.query_rows(sql)
        })
    }

    /// Block `T::NAME` for `side`, summarized in SQL: its row count, the sum `total`
    /// names (0 when there are no rows), and its first `limit` rows. Doctor findings can
    /// hold a hundred thousand rows; none of them crosses into Rust only to be counted,
    /// and money is summed as DECIMAL.
    pub(crate) fn summary<T: Block>(&self, side: &str, total: Total, limit: usize) -> Result<Summary<T>> {
        let name = T::NAME;
        self.read(name, &format!("'{side}'"), |store, call| {
            // The query runs once, into a temp table that keeps its row order (DuckDB
            // preserves insertion order). Counting straight from the query would not spare
            // the sort: DuckDB keeps an ORDER BY under an aggregate, so a count pass and a
            // LIMIT pass did all of the query's work twice.
            store.execute(&format!("CREATE OR REPLACE TEMP TABLE summarized AS {call}"))?;
            let sums = match total {
                Total::Nothing => "NULL::DECIMAL(38,2) AS money, NULL::BIGINT AS units".to_string(),
                Total::Money(column) => {
                    format!("coalesce(sum(\"{column}\"), 0)::DECIMAL(38,2) AS money, NULL::BIGINT AS units")
                }
                Total::Count(column) => {
                    format!("NULL::DECIMAL(38,2) AS money, coalesce(sum(\"{column}\"), 0)::BIGINT AS units")
                }
            };
            let totals = store
                .query_rows::<SummaryTotals>(&format!("SELECT count(*)::BIGINT AS count, {sums} FROM summarized"))?;
            let first = store.query_rows::<T>(&format!("SELECT * FROM summarized LIMIT {limit}"))?;
            store.execute("DROP TABLE summarized")?;
            let totals = totals.into_iter().next().context("a count returned no row")?;
            Ok(Summary {
                count: totals.count,
                money: totals.money,
                units: totals.units,
                first,
            })
        })
    }

    /// Runs `read` on `SELECT * FROM name(args)` after materializing what the block
    /// needs, and names the block and its file in any error.
    fn read<R>(&self, name: &str, args: &str, read: impl FnOnce(&Store, &str) -> Result<R>) -> Result<R> {
        self.define(name)?;
        materialize_for(self.store, name).with_context(|| format!("query {name} failed"))?;
        timed(&format!("{name}({args})"), || {
            read(self.store, &format!("SELECT * FROM {name}({args})"))
        })
        .with_context(|| format!("query {name} from {} failed", self.origin(name)))
    }

    /// Fills the verdicts the IdP blocks read (`fill_auth0_verdicts`): `verdicts` and
    /// `name_workspaces` decided in Rust, and those stored at the load of the Auth0
    /// snapshot of each of `stored_sides`, read through block `load_verdicts`.
    pub(crate) fn set_auth0_verdicts(
        &self,
        verdicts: &[Vec<Cell>],
        name_workspaces: &[Vec<Cell>],
        stored_sides: &[&str],
    ) -> Result<()> {
        if !stored_sides.is_empty() {
            self.define("load_verdicts")?;
        }
        fill_auth0_verdicts(self.store, verdicts, name_workspaces, stored_sides)
    }

    /// Defines the macro of block `name` and of every block it reads that is not defined
    /// yet, those it reads first (a block reads only blocks listed before it).
    fn define(&self, name: &str) -> Result<()> {
        let Some(at) = self.queries.iter().position(|q| q.name == name) else {
            return Ok(());
        };
        let mut defined = self.defined.borrow_mut();
        for i in self.reads[at].iter().copied().chain(std::iter::once(at)) {
            if defined[i] {
                continue;
            }
            let query = &self.queries[i];
            let body = query.sql.trim().trim_end_matches(';');
            self.store
                .execute(&format!(
                    "CREATE OR REPLACE TEMP MACRO {}({}) AS TABLE\n{body}",
                    query.name, query.params
                ))
                .with_context(|| format!("{} is not valid SQL for a building block", query.origin))?;
            defined[i] = true;
        }
        Ok(())
    }

    /// Where block `name` came from: the built-in file or the user's.
    fn origin(&self, name: &str) -> &str {
        self.queries
            .iter()
            .find(|q| q.name == name)
            .map_or("an unregistered block", |q| q.origin.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(name: &str) -> Side {
        Side {
            name: name.into(),
            as_of: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
            snapshots: vec![],
        }
    }

    /// Every built-in query returns exactly the columns its header documents.
    #[test]
    fn every_query_returns_its_documented_columns() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_write(&dir.path().join("t.duckdb"), std::time::Duration::ZERO).unwrap();
        let queries = load_queries(None).unwrap();
        let blocks = prepare(
            &store,
            queries.clone(),
            &[side("cur"), side("prev")],
            &[],
            Rollup::Account,
        )
        .unwrap();
        for query in &queries {
            let args = if query.params == TWO_SIDES {
                "'cur', 'prev'"
            } else {
                "'cur'"
            };
            blocks.define(query.name).unwrap();
            materialize_for(blocks.store, query.name).unwrap();
            let columns = store
                .columns_of(&format!("SELECT * FROM {}({args})", query.name))
                .unwrap();
            assert_eq!(columns, documented_columns(query).unwrap(), "{}", query.name);
        }
    }

    /// Each row struct reads exactly its block's documented columns, in their order
    /// (so that a row serializes as the block's row), except those it leaves out on
    /// purpose.
    #[test]
    fn every_row_struct_reads_its_blocks_documented_columns() {
        let queries = load_queries(None).unwrap();
        for (block, fields) in rows::read_blocks() {
            let query = queries.iter().find(|q| q.name == block).expect(block);
            let mut documented = documented_columns(query).unwrap();
            if block == "idp_connections" {
                documented.retain(|c| c != "workspace_key");
            }
            assert_eq!(fields, documented, "{block}");
        }
    }

    fn one_block<'s>(store: &'s Store, sql: &str) -> Blocks<'s> {
        let query = Query {
            name: "totals",
            params: ONE_SIDE,
            sql: sql.into(),
            origin: "/my/queries/totals.sql".into(),
        };
        prepare(store, vec![query], &[side("cur")], &[], Rollup::Account).unwrap()
    }

    /// A renamed column is an error naming the block, its file and the column, not a
    /// row of zeros.
    #[test]
    fn a_missing_column_names_the_block_its_file_and_the_column() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_write(&dir.path().join("t.duckdb"), std::time::Duration::ZERO).unwrap();
        let blocks = one_block(
            &store,
            "-- columns:\n--   customers BIGINT\n\
             SELECT 4::BIGINT AS customers, 1.00::DECIMAL(38,2) AS total_arr, 1.00::DECIMAL(38,2) AS all_arr, \
             1.0::DOUBLE AS arr_coverage, 0.00::DECIMAL(38,2) AS unattributed_arr, 0.0::DOUBLE AS unattributed_arr_share, \
             7::BIGINT AS workspaces, 6::BIGINT AS customer_workspaces",
        );
        let err = format!("{:#}", blocks.one::<rows::Totals>("cur").unwrap_err());
        assert!(err.contains("query totals from /my/queries/totals.sql failed"), "{err}");
        assert!(err.contains("no column `arr`"), "{err}");
        assert!(err.contains("total_arr"), "{err}");
    }

    /// Money is read as exact cents, however large, and NULL where a value is needed is
    /// an error naming the column.
    #[test]
    fn money_is_read_exactly_and_null_is_not_zero() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_write(&dir.path().join("t.duckdb"), std::time::Duration::ZERO).unwrap();
        let columns = "7::BIGINT AS workspaces, 6::BIGINT AS customer_workspaces";
        let blocks = one_block(
            &store,
            &format!(
                "-- columns:\n--   customers BIGINT\n\
                 SELECT 4::BIGINT AS customers, 123456789012345678901234567890.12::DECIMAL(38,2) AS arr, \
                 13977723460.31::DECIMAL(18,2) AS all_arr, NULL::DOUBLE AS arr_coverage, \
                 -0.10::DECIMAL(38,2) AS unattributed_arr, NULL::DOUBLE AS unattributed_arr_share, {columns}"
            ),
        );
        let totals = blocks.one::<rows::Totals>("cur").unwrap();
        assert_eq!(totals.arr.cents(), 12_345_678_901_234_567_890_123_456_789_012);
        assert_eq!(totals.all_arr.cents(), 1_397_772_346_031);
        assert_eq!(totals.unattributed_arr.cents(), -10);
        assert_eq!(totals.arr_coverage, None);

        let blocks = one_block(
            &store,
            &format!(
                "-- columns:\n--   customers BIGINT\n\
                 SELECT NULL::BIGINT AS customers, 1::DECIMAL(38,2) AS arr, 1::DECIMAL(38,2) AS all_arr, \
                 1.0::DOUBLE AS arr_coverage, 0::DECIMAL(38,2) AS unattributed_arr, 0.0::DOUBLE AS unattributed_arr_share, {columns}"
            ),
        );
        let err = format!("{:#}", blocks.one::<rows::Totals>("cur").unwrap_err());
        assert!(err.contains("row 1: column `customers`: holds NULL"), "{err}");
    }

    /// Money held in a DOUBLE is refused: it would not be exact.
    #[test]
    fn money_in_a_double_column_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_write(&dir.path().join("t.duckdb"), std::time::Duration::ZERO).unwrap();
        let blocks = one_block(
            &store,
            "-- columns:\n--   customers BIGINT\n\
             SELECT 4::BIGINT AS customers, 0.1::DOUBLE AS arr, 1::DECIMAL(38,2) AS all_arr, \
             1.0::DOUBLE AS arr_coverage, 0::DECIMAL(38,2) AS unattributed_arr, 0.0::DOUBLE AS unattributed_arr_share, \
             7::BIGINT AS workspaces, 6::BIGINT AS customer_workspaces",
        );
        let err = format!("{:#}", blocks.one::<rows::Totals>("cur").unwrap_err());
        assert!(err.contains("column `arr`: holds Double"), "{err}");
    }

    /// The listed rows are the query's first rows in its own order, also when the
    /// query's many rows are sorted and copied by several threads.
    #[test]
    fn a_summary_lists_the_first_rows_in_query_order() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Shuffled {
            n: i64,
            amount: Money,
        }
        impl Block for Shuffled {
            const NAME: &'static str = "shuffled";
        }
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_write(&dir.path().join("t.duckdb"), std::time::Duration::ZERO).unwrap();
        let shuffled = Query {
            name: "shuffled",
            params: ONE_SIDE,
            sql: "-- columns:\n--   n  BIGINT\n--   amount  DECIMAL(18,2)\n\
                  SELECT i AS n, 0.10::DECIMAL(18,2) AS amount FROM range(300000) t(i) ORDER BY hash(i), i"
                .into(),
            origin: "test".into(),
        };
        let blocks = prepare(&store, vec![shuffled], &[side("cur")], &[], Rollup::Account).unwrap();
        let all = blocks.rows::<Shuffled>("cur").unwrap();
        let summary = blocks.summary::<Shuffled>("cur", Total::Money("amount"), 25).unwrap();
        assert_eq!(summary.first, all[..25]);
        assert_eq!(summary.count, 300_000);
        // 0.1 added 300,000 times in f64 is not 30000; the DECIMAL sum is.
        assert_eq!(summary.money, Some(Money::from_cents(3_000_000)));
        assert_eq!(summary.units, None);
        let counted = blocks.summary::<Shuffled>("cur", Total::Count("n"), 0).unwrap();
        assert_eq!(counted.units, Some(299_999 * 300_000 / 2));
        assert!(counted.first.is_empty());
    }

    #[test]
    fn a_query_without_a_columns_header_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("totals.sql"), "SELECT 1 AS customers").unwrap();
        let err = load_queries(Some(dir.path())).unwrap_err().to_string();
        assert!(err.contains("totals.sql") && err.contains("-- columns:"), "{err}");
    }
}
