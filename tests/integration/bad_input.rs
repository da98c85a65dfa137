//! Malformed inputs (issue 5, item 2): every case either loads correctly
//! (with a warning where the input was repaired) or exits 1 with nothing on
//! stdout and an error naming the file, `FILE:LINE` and the column where a
//! row is at fault, and what to do. Either way the store is exactly as it
//! was: `snapshots` and `report revenue-share` print the same bytes.
//!
//! Header-only flags files load as an empty snapshot with a warning (SPEC
//! 2.1 asks for one row per workspace, and zero is a valid count); reports
//! then show zero customers rather than failing.

use std::path::Path;
use std::sync::OnceLock;

use crate::util::{fixtures, Project};

const AS_OF: &str = "2026-09-30";

/// The basic fixture loaded once; each case starts from a copy of it.
struct Baseline {
    dir: tempfile::TempDir,
    snapshots: String,
    report: String,
}

fn baseline() -> &'static Baseline {
    static BASELINE: OnceLock<Baseline> = OnceLock::new();
    BASELINE.get_or_init(|| {
        let p = Project::new("basic");
        p.load_basic(AS_OF);
        let snapshots = p.run(&["snapshots", "--format", "json"]);
        let report = p.run(&["report", "revenue-share", "--format", "json"]);
        Baseline {
            dir: p.dir,
            snapshots,
            report,
        }
    })
}

/// A fresh folder holding the basic fixture and a copy of the loaded store.
fn project() -> Project {
    let base = baseline();
    let p = Project::empty();
    for entry in std::fs::read_dir(base.dir.path()).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), p.path(&entry.file_name().to_string_lossy())).unwrap();
        }
    }
    p
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("basic").join(name)).unwrap()
}

fn assert_store_unchanged(p: &Project, case: &str) {
    let base = baseline();
    assert_eq!(
        p.run(&["snapshots", "--format", "json"]),
        base.snapshots,
        "{case}: snapshots changed"
    );
    assert_eq!(
        p.run(&["report", "revenue-share", "--format", "json"]),
        base.report,
        "{case}: the revenue-share report changed"
    );
}

/// After a load that replaced a snapshot with the same data from `file`,
/// the report is the baseline's but for the file name it cites.
fn assert_same_report(p: &Project, file: &str, fixture_file: &str) {
    let report = p.run(&["report", "revenue-share", "--format", "json"]);
    let origin = |name: &str| format!("\"origin\": \"{name}\"");
    assert!(report.contains(&origin(file)), "{report}");
    assert_eq!(report.replace(&origin(file), &origin(fixture_file)), baseline().report);
}

/// Loads `contents` as `file` into source `source` for the baseline date and
/// expects exit 1, every `wanted` fragment in stderr, and an unchanged store.
/// Returns stderr.
fn fails(source: &str, file: &str, contents: impl AsRef<[u8]>, wanted: &[&str]) -> String {
    let p = project();
    p.write(file, contents);
    fails_in(&p, &["load", source, file, "--as-of", AS_OF], wanted)
}

fn fails_in(p: &Project, args: &[&str], wanted: &[&str]) -> String {
    let stderr = p.fail(args);
    println!("featurearr {}\n{stderr}", args.join(" "));
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: "),
        "{args:?}: first line is not the error: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    for fragment in wanted {
        assert!(
            stderr.contains(fragment),
            "{args:?}: stderr lacks `{fragment}`:\n{stderr}"
        );
    }
    assert_store_unchanged(p, &format!("{args:?}"));
    stderr
}

/// Runs a load that must succeed; returns stderr (warnings and the summary).
fn loads(p: &Project, args: &[&str]) -> String {
    let out = p.cmd().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    println!("featurearr {}\n{stderr}", args.join(" "));
    assert!(out.status.success(), "{args:?} should load:\n{stderr}");
    assert!(out.stdout.is_empty(), "a load prints nothing on stdout");
    stderr
}

fn flags_with(from: &str, to: &str) -> String {
    let text = fixture("flags.csv");
    assert!(text.contains(from), "fixture lacks {from}");
    text.replacen(from, to, 1)
}

fn arr_with(from: &str, to: &str) -> String {
    let text = fixture("arr.csv");
    assert!(text.contains(from), "fixture lacks {from}");
    text.replacen(from, to, 1)
}

// ---------------------------------------------------------------- flags

#[test]
fn flags_bad_boolean() {
    fails(
        "flags",
        "bad.csv",
        flags_with("ws-d1,Delta,5,1,", "ws-d1,Delta,5,maybe,"),
        &[
            "bad.csv:6:",
            "column sso_enabled",
            "`maybe` is not a boolean",
            "use true/false",
        ],
    );
}

#[test]
fn flags_without_workspace_id_column() {
    fails(
        "flags",
        "bad.csv",
        flags_with("workspace_id,", "id,"),
        &["bad.csv:1:", "no workspace_id column", "add a workspace_id column"],
    );
}

#[test]
fn flags_duplicate_workspace_id() {
    fails(
        "flags",
        "bad.csv",
        flags_with("ws-e1,Free one", "ws-a1,Free one"),
        &[
            "bad.csv:7:",
            "column workspace_id",
            "first on line 2",
            "remove or merge",
        ],
    );
}

#[test]
fn flags_invalid_utf8_is_read_as_windows_1252_with_a_warning() {
    let p = project();
    let mut bytes = flags_with("Free one", "Fr\u{0}ee one").into_bytes();
    let at = bytes.iter().position(|&b| b == 0).unwrap();
    bytes[at] = 0xE9; // é in Windows-1252, invalid alone in UTF-8
    p.write("latin.csv", bytes);
    let stderr = loads(&p, &["load", "flags", "latin.csv", "--as-of", AS_OF]);
    assert!(
        stderr.contains("warning: latin.csv is not UTF-8 (first at line 7)"),
        "{stderr}"
    );
    // Same workspaces and flags: the report does not change.
    assert_same_report(&p, "latin.csv", "flags.csv");
}

#[test]
fn flags_truncated_json() {
    fails(
        "flags",
        "cut.json",
        "[\n  {\"workspace_id\": \"ws-1\", \"sso_enabled\": true},\n  {\"workspace_id\": \"ws",
        &["cut.json:3:", "not valid JSON", "download it again"],
    );
}

#[test]
fn flags_json_object_instead_of_array() {
    fails(
        "flags",
        "obj.json",
        "{\"workspaces\": [{\"workspace_id\": \"ws-1\"}]}",
        &[
            "obj.json",
            "expected a JSON array of workspace objects",
            "found an object",
        ],
    );
}

#[test]
fn flags_json_array_of_numbers() {
    fails(
        "flags",
        "nums.json",
        "[\n1,\n2]",
        &[
            "nums.json:2:",
            "expected a JSON object for each workspace",
            "found a number",
        ],
    );
}

#[test]
fn flags_empty_file() {
    fails(
        "flags",
        "empty.csv",
        "",
        &["empty.csv is empty", "expected a header row with workspace_id"],
    );
}

#[test]
fn flags_header_only_loads_zero_rows_with_a_warning_and_reports_still_work() {
    let p = project();
    p.write("header.csv", "workspace_id,sso_enabled\n");
    let stderr = loads(&p, &["load", "flags", "header.csv", "--as-of", "2026-10-01"]);
    assert!(stderr.contains("warning: header.csv has no workspace rows"), "{stderr}");
    let report = p.json(&["report", "revenue-share", "--format", "json"]);
    assert_eq!(report["as_of"], "2026-10-01");
    assert_eq!(report["totals"]["workspaces"], 0);
    assert_eq!(report["totals"]["customers"], 0);
    p.run(&["report", "revenue-share"]);
    // The earlier date still gives the earlier report, byte for byte.
    assert_eq!(
        p.run(&["report", "revenue-share", "--format", "json", "--as-of", AS_OF]),
        baseline().report
    );
}

#[test]
fn flags_crlf_loads() {
    let p = project();
    p.write("crlf.csv", fixture("flags.csv").replace('\n', "\r\n"));
    loads(&p, &["load", "flags", "crlf.csv", "--as-of", AS_OF]);
    assert_same_report(&p, "crlf.csv", "flags.csv");
}

#[test]
fn flags_bom_loads() {
    let p = project();
    p.write("bom.csv", format!("\u{feff}{}", fixture("flags.csv")));
    let stderr = loads(&p, &["load", "flags", "bom.csv", "--as-of", AS_OF]);
    assert!(!stderr.contains("warning"), "a BOM needs no warning: {stderr}");
    assert_same_report(&p, "bom.csv", "flags.csv");
}

#[test]
fn flags_unclosed_quote() {
    fails(
        "flags",
        "quote.csv",
        flags_with("ws-e1,Free one,", "ws-e1,\"Free one,"),
        &["quote.csv:7:", "never closed", "close the quote"],
    );
}

#[test]
fn flags_ten_megabyte_field_loads_without_hanging() {
    let p = project();
    let huge = "x".repeat(10 * 1024 * 1024);
    p.write("huge.csv", flags_with("Free one", &huge));
    let started = std::time::Instant::now();
    loads(&p, &["load", "flags", "huge.csv", "--as-of", AS_OF]);
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
    assert_same_report(&p, "huge.csv", "flags.csv");
}

#[test]
fn flags_negative_users() {
    fails(
        "flags",
        "bad.csv",
        flags_with("ws-c1,Gamma,10,", "ws-c1,Gamma,-10,"),
        &[
            "bad.csv:5:",
            "column users",
            "`-10` is negative",
            "a whole number of 0 or more",
        ],
    );
}

#[test]
fn flags_non_integer_users() {
    fails(
        "flags",
        "bad.csv",
        flags_with("ws-c1,Gamma,10,", "ws-c1,Gamma,10.5,"),
        &[
            "bad.csv:5:",
            "column users",
            "`10.5` is not a whole number",
            "a whole number of 0 or more",
        ],
    );
}

#[test]
fn flags_row_with_too_many_fields() {
    fails(
        "flags",
        "bad.csv",
        flags_with("ws-c1,Gamma,10,0,0,N,0", "ws-c1,Gamma,10,0,0,N,0,extra"),
        &[
            "bad.csv:5:",
            "the row has 8 fields but the header on line 1 has 7",
            "quote values",
        ],
    );
}

#[test]
fn flags_unknown_extension() {
    fails(
        "flags",
        "flags.xlsx",
        fixture("flags.csv"),
        &[
            "flags.xlsx has an extension",
            ".csv, .json, .ndjson, .jsonl or .parquet",
        ],
    );
}

#[test]
fn flags_ndjson_bad_line() {
    fails(
        "flags",
        "bad.ndjson",
        "{\"workspace_id\": \"a\"}\n{\"workspace_id\": \"b\", \"scim_enabled\": \"sometimes\"}\n",
        &["bad.ndjson:2:", "column scim_enabled", "use true/false"],
    );
}

// ---------------------------------------------------------------- ARR export

#[test]
fn arr_without_arr_column() {
    fails(
        "arr",
        "bad.csv",
        arr_with("\"Annual Recurring Revenue\"", "\"Amount\""),
        &["bad.csv:1:", "no ARR column", "[salesforce.columns]"],
    );
}

#[test]
fn arr_without_account_id_column() {
    fails(
        "arr",
        "bad.csv",
        arr_with("\"Account ID\"", "\"Customer\""),
        &["bad.csv", "no account ID column", "account_id = \"<header>\""],
    );
}

#[test]
fn arr_conflicting_for_one_account() {
    fails(
        "arr",
        "bad.csv",
        arr_with(
            "\"USD 120,000.00\",\"USD\",\"ws-a2\"",
            "\"USD 125,000.00\",\"USD\",\"ws-a2\"",
        ),
        &[
            "bad.csv:3:",
            "column Annual Recurring Revenue",
            "lines 2 (USD 120,000.00), 3 (USD 125,000.00)",
            "must be the same on every row",
        ],
    );
}

#[test]
fn arr_negative() {
    fails(
        "arr",
        "bad.csv",
        arr_with("\"$14,000.00\"", "\"-14000\""),
        &[
            "bad.csv:6:",
            "column Annual Recurring Revenue",
            "`-14000` is negative",
            "ARR must be 0 or more",
        ],
    );
}

#[test]
fn arr_accounting_negative_in_parentheses() {
    fails(
        "arr",
        "bad.csv",
        arr_with("\"$14,000.00\"", "\"(12.50)\""),
        &["bad.csv:6:", "column Annual Recurring Revenue", "`(12.50)` is negative"],
    );
}

#[test]
fn arr_unparseable_money() {
    fails(
        "arr",
        "bad.csv",
        arr_with("\"$14,000.00\"", "\"14k\""),
        &[
            "bad.csv:6:",
            "column Annual Recurring Revenue",
            "`14k` is not a money amount",
            "expected forms like",
        ],
    );
}

#[test]
fn arr_more_than_two_decimals() {
    fails(
        "arr",
        "bad.csv",
        arr_with("\"$14,000.00\"", "\"14000.005\""),
        &[
            "bad.csv:6:",
            "column Annual Recurring Revenue",
            "more than 2 decimal places",
            "kept to the cent",
        ],
    );
}

#[test]
fn arr_unknown_currency_without_rate() {
    fails(
        "arr",
        "bad.csv",
        arr_with("\"$14,000.00\",\"USD\"", "\"14000\",\"JPY\""),
        &[
            "bad.csv:6:",
            "column Account Currency",
            "no exchange rate to USD for JPY",
            "JPY = <rate>",
        ],
    );
}

#[test]
fn arr_fourteen_character_account_id() {
    fails(
        "arr",
        "bad.csv",
        arr_with("\"0015g00000Mn0Pq\"", "\"0015g00000Mn0P\""),
        &[
            "bad.csv:6:",
            "column Account ID",
            "is not a Salesforce ID",
            "record IDs",
        ],
    );
}

#[test]
fn arr_windows_1252_export_loads_with_a_warning() {
    let p = project();
    let mut bytes = arr_with("Beta <i>GmbH</i>", "Soci\u{0}t\u{0}").into_bytes();
    for b in bytes.iter_mut().filter(|b| **b == 0) {
        *b = 0xE9;
    }
    p.write("latin.csv", bytes);
    let stderr = loads(&p, &["load", "arr", "latin.csv", "--as-of", AS_OF]);
    assert!(
        stderr.contains("warning: latin.csv is not UTF-8 (first at line 4); read it as Windows-1252"),
        "{stderr}"
    );
    assert!(stderr.contains("loaded 6 accounts"), "{stderr}");
    assert_same_report(&p, "latin.csv", "arr.csv");
}

#[test]
fn arr_empty_file() {
    fails("arr", "empty.csv", "", &["empty.csv is empty", "header row"]);
}

#[test]
fn arr_missing_file() {
    fails_in(
        &project(),
        &["load", "arr", "nope.csv", "--as-of", AS_OF],
        &["cannot read nope.csv", "check the path", "No such file"],
    );
}

// ---------------------------------------------------------------- other sources and paths

#[test]
fn workspace_accounts_empty_account_id() {
    fails(
        "workspace-accounts",
        "bad.csv",
        "workspace_id,account_id\nws-c1,0015g00000Pq7RSAAZ\nws-e1,\n",
        &[
            "bad.csv:3:",
            "column account_id",
            "every row needs a Salesforce account id",
        ],
    );
}

#[test]
fn workspace_accounts_fourteen_character_account_id() {
    fails(
        "workspace-accounts",
        "bad.csv",
        "workspace_id,account_id\nws-c1,0015g00000Pq7R\n",
        &[
            "bad.csv:2:",
            "column account_id",
            "is not a Salesforce ID",
            "15- or 18-character",
        ],
    );
}

#[test]
fn auth0_truncated_dump() {
    fails(
        "auth0",
        "cut.json",
        "{\n  \"connections\": [\n    {\"id\": \"con_1\", \"name\": \"ws-a1-sso\",",
        &["cut.json:3:", "not valid JSON", "pull it again"],
    );
}

#[test]
fn auth0_dump_of_the_wrong_shape() {
    fails(
        "auth0",
        "text.json",
        "\"a saved error page\"",
        &["text.json is not an Auth0 dump", "\"connections\": [...]"],
    );
    fails(
        "auth0",
        "typo.json",
        "{\"conections\": [{\"id\": \"con_1\"}]}",
        &["typo.json has no \"connections\" array", "GET /api/v2/connections"],
    );
}

#[test]
fn auth0_empty_dump() {
    fails(
        "auth0",
        "empty.json",
        "",
        &["empty.json is empty", "pull auth0 --save-dump"],
    );
}

#[test]
fn missing_flags_file() {
    fails_in(
        &project(),
        &["load", "flags", "missing.csv", "--as-of", AS_OF],
        &["cannot read missing.csv", "check the path"],
    );
}

#[test]
fn directory_given_as_file() {
    let p = project();
    std::fs::create_dir(p.path("folder.csv")).unwrap();
    for source in ["flags", "arr", "workspace-accounts", "auth0"] {
        fails_in(
            &p,
            &["load", source, "folder.csv", "--as-of", AS_OF],
            &["folder.csv is a folder, not a file", "pass the path of the file"],
        );
    }
    assert!(Path::new(&p.path("folder.csv")).is_dir());
}
