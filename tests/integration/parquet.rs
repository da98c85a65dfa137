//! Parquet inputs (issue 17): `load flags FILE.parquet` and `load arr FILE.parquet`
//! (API names), read by DuckDB's Parquet reader and held to the checks of the CSV
//! readers. The files are written by DuckDB in each test (`util::write_parquet`).

use crate::util::{revenue_json, write_parquet, Project};

/// The basic fixture's flags.csv read by DuckDB with every column as text.
fn flags_text(p: &Project) -> String {
    format!(
        "SELECT * FROM read_csv('{}', all_varchar = true, header = true)",
        p.path("flags.csv").display()
    )
}

/// A flag column of `flags_text` as a BOOLEAN, NULL where the cell is empty.
fn boolean(column: &str) -> String {
    format!(
        "CASE WHEN lower({column}) IN ('true', 't', 'yes', 'y', '1') THEN true \
         WHEN lower({column}) IN ('false', 'f', 'no', 'n', '0') THEN false END AS {column}"
    )
}

/// The basic fixture's flags as a typed Parquet file: BOOLEAN flags, `users` as `users_type`.
fn typed_flags(p: &Project, users_type: &str) -> String {
    let flags = ["sso_enabled", "scim_enabled", "mfa_enforced", "ip_allowlist_enabled"].map(boolean);
    format!(
        "SELECT workspace_id, workspace_name, users::{users_type} AS users, {} FROM ({})",
        flags.join(", "),
        flags_text(p)
    )
}

#[test]
fn parquet_flags_give_the_same_revenue_share_json_as_the_csv() {
    let csv = Project::new("basic");
    csv.load_basic("2026-09-30");
    let expected = revenue_json(&csv);

    for (name, select) in [
        ("typed", typed_flags(&csv, "INTEGER")),
        // pandas writes an integer column with gaps as float64.
        ("users as DOUBLE", typed_flags(&csv, "DOUBLE")),
        ("every column text", flags_text(&csv)),
    ] {
        let p = Project::new("basic");
        write_parquet(&p.path("flags.parquet"), &select);
        assert_eq!(
            p.run_stderr(&["load", "flags", "flags.parquet", "--as-of", "2026-09-30"]),
            "loaded 7 workspaces into the flags snapshot of 2026-09-30: 7 rows read, none skipped\n",
            "{name}"
        );
        p.load_basic_arr("2026-09-30");
        assert_eq!(revenue_json(&p), expected, "{name}");
    }
}

#[test]
fn a_bad_value_in_parquet_flags_is_named_by_row_column_and_workspace_id() {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    let store = std::fs::read(p.path("featurearr.duckdb")).unwrap();
    for (select, message) in [
        (
            "SELECT * FROM (VALUES ('ws-1', 'yes'), ('ws-2', 'maybe')) t(workspace_id, sso_enabled)",
            "flags.parquet: row 2 (workspace_id `ws-2`): column sso_enabled: `maybe` is not a boolean",
        ),
        (
            "SELECT * FROM (VALUES ('ws-1', 3), ('ws-2', -3)) t(workspace_id, users)",
            "flags.parquet: row 2 (workspace_id `ws-2`): column users: `-3` is negative",
        ),
        (
            "SELECT * FROM (VALUES ('ws-1', 3.5::DOUBLE)) t(workspace_id, users)",
            "flags.parquet: row 1 (workspace_id `ws-1`): column users: `3.5` is not a whole number",
        ),
        (
            "SELECT * FROM (VALUES ('ws-1'), (NULL)) t(workspace_id)",
            "flags.parquet: row 2: column workspace_id: the workspace ID is empty",
        ),
        (
            "SELECT 1 AS id, true AS sso_enabled",
            "flags.parquet: no workspace_id column; the file has `id`, `sso_enabled`; add a workspace_id column \
             (it is required), or rename the ID column to workspace_id when writing the file",
        ),
    ] {
        write_parquet(&p.path("flags.parquet"), select);
        let err = p.fail(&["load", "flags", "flags.parquet", "--as-of", "2026-09-30"]);
        assert!(err.starts_with(&format!("error: {message}")), "{select}:\n{err}");
        assert_eq!(std::fs::read(p.path("featurearr.duckdb")).unwrap(), store, "{select}");
    }
    p.write("flags.parquet", "workspace_id\nws-1\n");
    let err = p.fail(&["load", "flags", "flags.parquet"]);
    assert!(
        err.starts_with(
            "error: flags.parquet is not a Parquet file DuckDB can read (Invalid Input Error: No magic bytes"
        ),
        "{err}"
    );
}

/// The basic fixture's accounts in the API-name shape, 18-character IDs, ARR as `arr`.
fn accounts_api(arr: &str) -> String {
    format!(
        "SELECT Id, Name, ParentId, {arr} AS ARR__c, CurrencyIsoCode, Workspace_ID__c FROM (VALUES
           ('0015g00000XyZaBAAV', 'Acme | Corp', NULL, '120000.00', 'USD', 'ws-a1;ws-a2'),
           ('0015g00000Pq7RsAAJ', 'Beta <i>GmbH</i>', NULL, '50000', 'EUR', 'ws-b1'),
           ('0015g00000Pq7RSAAZ', 'Gamma Ltd', NULL, '10000', 'GBP', NULL),
           ('0015g00000Mn0PqAAJ', 'Delta', NULL, '14000.00', 'USD', 'ws-d1'),
           ('0015g00000Zz9YxAAJ', 'Churned Co', NULL, '0', 'USD', 'ws-f1'),
           ('0015g00000Gh4JkAAJ', 'No Workspace Inc', NULL, '30000', 'USD', NULL)
         ) t(Id, Name, ParentId, arr, CurrencyIsoCode, Workspace_ID__c)"
    )
}

#[test]
fn parquet_arr_in_api_names_gives_the_same_report_as_the_report_export() {
    let csv = Project::new("basic");
    csv.load_basic("2026-09-30");
    let expected = revenue_json(&csv);
    // ARR exactly as DECIMAL, as text, and as DOUBLE (read through its shortest decimal).
    for arr in ["arr::DECIMAL(18, 2)", "arr", "arr::DOUBLE"] {
        let p = Project::new("basic");
        write_parquet(&p.path("arr.parquet"), &accounts_api(arr));
        p.run(&["load", "flags", "flags.csv", "--as-of", "2026-09-30"]);
        assert_eq!(
            p.run_stderr(&["load", "arr", "arr.parquet", "--as-of", "2026-09-30"]),
            "loaded 6 accounts into the arr snapshot of 2026-09-30: 6 rows read, none skipped\n",
            "{arr}"
        );
        p.load_basic_mapping("2026-09-30");
        assert_eq!(revenue_json(&p), expected, "{arr}");
    }
}

#[test]
fn a_double_arr_with_more_than_cents_is_refused_not_rounded() {
    let p = Project::new("basic");
    write_parquet(
        &p.path("arr.parquet"),
        "SELECT * FROM (VALUES ('0015g00000XyZaBAAV', 120000.5::DOUBLE, 'USD'), \
         ('0015g00000Pq7RsAAJ', 0.1::DOUBLE + 0.2::DOUBLE, 'USD')) t(Id, ARR__c, CurrencyIsoCode)",
    );
    let err = p.fail(&["load", "arr", "arr.parquet"]);
    assert_eq!(
        err,
        "error: arr.parquet:2: column ARR__c: `0.30000000000000004` has more than 2 decimal places; \
         ARR is kept to the cent\n"
    );
    write_parquet(&p.path("arr.parquet"), "SELECT 'x' AS Name, 1 AS ARR__c");
    let err = p.fail(&["load", "arr", "arr.parquet"]);
    assert!(
        err.starts_with("error: arr.parquet: no account ID column; the file's columns are `Name`, `ARR__c`"),
        "{err}"
    );
    assert!(!p.path("featurearr.duckdb").exists());
}
