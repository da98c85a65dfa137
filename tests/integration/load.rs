//! Loading snapshots: idempotent per source and date, all or nothing.

use crate::util::Project;

#[test]
fn reloading_the_same_date_replaces_the_snapshot() {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    p.load_basic("2026-09-30");
    let s = p.json(&["snapshots", "--format", "json"]);
    let snapshots = s["snapshots"].as_array().unwrap();
    assert_eq!(snapshots.len(), 3, "{s:#}");
    let flags = snapshots.iter().find(|x| x["source"] == "flags").unwrap();
    assert_eq!(flags["rows"], 7);
    let r = p.json(&["report", "revenue-share", "--format", "json"]);
    assert_eq!(r["totals"]["workspaces"], 7);
}

#[test]
fn a_bad_row_leaves_the_store_unchanged() {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    let before = p.run(&["snapshots", "--format", "json"]);
    let report_before = p.run(&["report", "revenue-share", "--format", "json"]);
    let flags = std::fs::read_to_string(p.path("flags.csv"))
        .unwrap()
        .replace("ws-d1,Delta,5,1", "ws-d1,Delta,5,maybe");
    p.write("bad.csv", flags);
    let err = p.fail(&["load", "flags", "bad.csv", "--as-of", "2026-09-30"]);
    assert!(err.contains("bad.csv:6"), "{err}");
    assert!(err.contains("sso_enabled"), "{err}");
    assert_eq!(p.run(&["snapshots", "--format", "json"]), before);
    assert_eq!(p.run(&["report", "revenue-share", "--format", "json"]), report_before);
}

#[test]
fn conflicting_arr_for_one_account_names_the_lines() {
    let p = Project::new("basic");
    let arr = std::fs::read_to_string(p.path("arr.csv")).unwrap();
    let arr = arr.replacen(
        "\"USD 120,000.00\",\"USD\",\"ws-a2\"",
        "\"USD 125,000.00\",\"USD\",\"ws-a2\"",
        1,
    );
    p.write("conflict.csv", arr);
    let err = p.fail(&["load", "arr", "conflict.csv", "--as-of", "2026-09-30"]);
    assert!(err.contains('2') && err.contains('3'), "{err}");
    assert!(err.contains("0015g00000XyZaB"), "{err}");
}

#[test]
fn missing_rate_names_the_currency_codes() {
    let p = Project::new("basic");
    p.write("featurearr.toml", "[currency]\nrates = { EUR = 1.08 }\n");
    let err = p.fail(&["load", "arr", "arr.csv", "--as-of", "2026-09-30"]);
    assert!(err.contains("GBP"), "{err}");
}

#[test]
fn snapshots_lists_each_source_and_date_in_markdown() {
    let p = Project::new("basic");
    p.load_basic("2026-06-30");
    p.run(&["load", "flags", "flags.csv", "--as-of", "2026-09-30"]);
    let md = p.run(&["snapshots"]);
    assert!(md.contains("| flags | 2026-06-30 | 7 |"), "{md}");
    assert!(md.contains("| flags | 2026-09-30 | 7 |"), "{md}");
    assert!(md.contains("| arr | 2026-06-30 | 6 |"), "{md}");
}

#[test]
fn bad_date_is_a_usage_error_with_the_expected_form() {
    let p = Project::new("basic");
    let out = p
        .cmd()
        .args(["load", "flags", "flags.csv", "--as-of", "30/09/2026"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
    let out = p
        .cmd()
        .args(["report", "quarterly", "--quarter", "2026Q5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYYQn"));
    let out = p.cmd().args(["doctor", "--format", "csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!p.path("featurearr.duckdb").exists(), "a usage error touches nothing");
}

#[test]
fn unknown_command_is_a_usage_error() {
    let p = Project::empty();
    p.cmd().args(["report", "nope"]).assert().code(2);
}

/// Turns a store of the current schema back into version 1: each flag value a
/// (workspace, feature) row of workspace_flags, no ID keys. What a store written before
/// flag bits (version 2), ID keys (version 3), parent keys (version 5) and Auth0 verdicts
/// stored at load (version 7) holds.
const DOWNGRADE_TO_V1: &str = "
    CREATE TABLE workspace_flags (snapshot_id INTEGER NOT NULL, workspace_id VARCHAR NOT NULL,
                                  feature VARCHAR NOT NULL, enabled BOOLEAN);
    INSERT INTO workspace_flags
    SELECT w.snapshot_id, w.workspace_id, f.feature,
           CASE WHEN (w.flags_empty >> f.position) & 1 = 1 THEN NULL ELSE (w.flags_on >> f.position) & 1 = 1 END
    FROM workspaces w JOIN flag_features f ON f.snapshot_id = w.snapshot_id;
    ALTER TABLE workspaces DROP COLUMN flags_on;
    ALTER TABLE workspaces DROP COLUMN flags_empty;
    ALTER TABLE workspaces DROP COLUMN workspace_key;
    ALTER TABLE accounts DROP COLUMN account_key;
    ALTER TABLE accounts DROP COLUMN parent_key;
    ALTER TABLE account_workspaces DROP COLUMN account_key;
    ALTER TABLE account_workspaces DROP COLUMN workspace_key;
    ALTER TABLE workspace_accounts DROP COLUMN workspace_key;
    ALTER TABLE workspace_accounts DROP COLUMN account_key;
    ALTER TABLE auth0_connection_workspaces DROP COLUMN workspace_key;
    DROP TABLE workspace_keys;
    DROP TABLE account_keys;
    DROP TABLE auth0_load_verdicts;
    DROP TABLE auth0_load_verdict_basis;
    DROP TABLE auth0_load_rules;
    UPDATE schema_version SET version = 1;
";

#[test]
fn a_store_of_schema_version_1_is_upgraded_keeping_every_number() {
    let p = Project::new("basic");
    p.load_basic("2026-06-30");
    p.load_basic("2026-09-30");
    let reports = || {
        [
            p.run(&["report", "revenue-share", "--format", "json"]),
            p.run(&["report", "quarterly", "--quarter", "2026Q3", "--format", "json"]),
            p.run(&["doctor", "--format", "json"]),
        ]
    };
    let before = reports();
    assert!(
        before[2].contains("empty"),
        "the fixture has an empty flag cell: {}",
        before[2]
    );

    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    db.execute_batch(DOWNGRADE_TO_V1).unwrap();
    drop(db);

    // A report only reads, yet it upgrades the store first.
    assert_eq!(reports(), before);
    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    let version: i32 = db
        .query_row("SELECT version FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 7, "the current schema version");
    let old_table: i64 = db
        .query_row(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'workspace_flags'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old_table, 0, "workspace_flags is gone after the upgrade");
    let keyless: i64 = db
        .query_row(
            "SELECT (SELECT count(*) FROM workspaces WHERE workspace_key IS NULL)
                  + (SELECT count(*) FROM account_workspaces WHERE account_key IS NULL OR workspace_key IS NULL)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(keyless, 0);
}
