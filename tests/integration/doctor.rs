//! `doctor`: every finding on data built to trigger it, with counts and ARR
//! worked out by hand from fixtures/basic, and `--fail-on` exit codes.

use crate::util::{assert_close, item, Project};

fn finding<'a>(report: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    item(report, "findings", "key", key)
}

/// The basic fixture plus: ws-d1 (Delta, $14,000) with SCIM on and SSO off; a
/// mapping row to an account missing from the export; ws-a1 also claimed by
/// Delta; an ARR snapshot 10 days older than the flags snapshot.
fn troubled() -> Project {
    let p = Project::new("basic");
    let flags = std::fs::read_to_string(p.path("flags.csv"))
        .unwrap()
        .replace("ws-d1,Delta,5,1,0,0,0", "ws-d1,Delta,5,0,1,0,0");
    p.write("flags2.csv", flags);
    p.write(
        "map2.csv",
        "workspace_id,account_id\nws-c1,0015g00000Pq7RSAAZ\nws-e1,0015g00000QqQqQ\nws-a1,0015g00000Mn0PqAAJ\n",
    );
    p.run(&["load", "flags", "flags2.csv", "--as-of", "2026-09-30"]);
    p.run(&["load", "arr", "arr.csv", "--as-of", "2026-09-20"]);
    p.run(&["load", "workspace-accounts", "map2.csv", "--as-of", "2026-09-30"]);
    p.run(&["load", "auth0", "auth0.json", "--as-of", "2026-09-30"]);
    p
}

#[test]
fn doctor_lists_every_kind_of_finding_weighted_in_arr() {
    let p = troubled();
    let r = p.json(&["doctor", "--format", "json"]);
    // Customers: Acme 120,000, Beta 54,000, Gamma 12,700, Delta 14,000; not attributable:
    // No Workspace Inc 30,000.
    assert_close(&r["all_arr"], 230_700.0);
    assert_close(&r["attributable_arr"], 200_700.0);
    assert_close(&r["unattributed_arr_share"], 30_000.0 / 230_700.0);

    let f = finding(&r, "accounts-without-workspace");
    assert_eq!(f["count"], 1);
    assert_close(&f["arr"], 30_000.0);
    assert_eq!(f["items"][0]["account_id"], "0015g00000Gh4JkAAJ");

    // ws-e1 is now linked, but to an account the export does not hold: still no account.
    assert_eq!(finding(&r, "workspaces-without-account")["count"], 1);
    let missing = finding(&r, "missing-accounts");
    assert_eq!(missing["count"], 1);
    assert_eq!(missing["items"][0]["workspace_id"], "ws-e1");

    let unmapped = finding(&r, "unmapped-connections");
    assert_eq!(unmapped["count"], 1);
    assert_eq!(unmapped["items"][0]["connection_id"], "con_StaleLegacy07");

    // SCIM requires SSO: ws-d1 breaks it, weighing Delta's 14,000.
    let breaks = finding(&r, "prerequisite-breaks");
    assert_eq!(breaks["count"], 1);
    assert_eq!(breaks["items"][0]["workspace_id"], "ws-d1");
    assert_close(&breaks["arr"], 14_000.0);

    // ws-a2's IP-allowlist cell is empty.
    assert_eq!(finding(&r, "empty-booleans")["count"], 1);

    // ws-a1 is claimed by Acme (export) and Delta (mapping): 120,000 + 14,000.
    let conflicts = finding(&r, "conflicting-links");
    assert_eq!(conflicts["count"], 1);
    assert_close(&conflicts["arr"], 134_000.0);

    let gaps = finding(&r, "snapshot-gaps");
    assert_eq!(gaps["count"], 1);
    assert_eq!(gaps["items"][0]["source"], "arr");
    assert_eq!(gaps["items"][0]["days"], 10);
}

#[test]
fn doctor_exits_0_with_findings_and_1_past_a_fail_on_threshold() {
    let p = troubled();
    let md = p.run(&["doctor"]);
    assert!(
        md.contains("legacy-sso"),
        "the unmapped connection is listed by name: {md}"
    );
    // 30,000 of 230,700 is 13.0% unattributed.
    p.run(&["doctor", "--fail-on", "unattributed-arr=15%"]);
    let out = p
        .cmd()
        .args(["doctor", "--fail-on", "unattributed-arr=2%"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("13.0%") && stderr.contains("2.0%"), "{stderr}");
    assert!(
        !out.stdout.is_empty(),
        "the report is still printed for the scheduled job's log"
    );
    let out = p
        .cmd()
        .args(["doctor", "--fail-on", "unmapped-connections=0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "enterprise connections mapped to no workspace (unmapped-connections): 1, above the --fail-on limit of 0"
        ),
        "{stderr}"
    );
    p.run(&["doctor", "--fail-on", "unmapped-connections=1"]);
    let err = p.usage_error(&["doctor", "--fail-on", "nonsense=1"]);
    assert!(err.contains("unmapped-connections"), "{err}");
}

#[test]
fn finding_arr_is_the_exact_sum_of_cents() {
    let p = Project::new("basic");
    let arr = std::fs::read_to_string(p.path("arr.csv")).unwrap();
    let header = arr.lines().next().unwrap();
    // 0.10 + 0.20 is 0.30000000000000004 in floating point; ARR is summed in cents.
    p.write(
        "arr2.csv",
        format!(
            "{header}\n\"0015g00000XyZaB\",\"Acme\",\"\",\"USD 0.10\",\"USD\",\"ws-a1\",\"1/15/2026\"\n\
             \"0015g00000Ab1Cd\",\"Unlinked One\",\"\",\"USD 0.10\",\"USD\",\"\",\"1/15/2026\"\n\
             \"0015g00000Ab2Cd\",\"Unlinked Two\",\"\",\"USD 0.20\",\"USD\",\"\",\"1/15/2026\"\n"
        ),
    );
    p.run(&["load", "flags", "flags.csv", "--as-of", "2026-09-30"]);
    p.run(&["load", "arr", "arr2.csv", "--as-of", "2026-09-30"]);
    let r = p.json(&["doctor", "--format", "json"]);
    let f = finding(&r, "accounts-without-workspace");
    assert_eq!(f["count"], 2);
    assert_eq!(f["arr"].as_f64(), Some(0.3), "{f:#}");
    assert_eq!(r["unattributed_arr"].as_f64(), Some(0.3), "{r:#}");
}
