//! Issue 18: Auth0 verdicts decided at load and reused by reports while the config and
//! classifier are those of the load (schema version 7); decided again from the stored
//! raw facts otherwise, with the same output byte for byte.

use std::collections::BTreeMap;

use crate::util::{assert_same_reports, every_report, fixtures, Project};

const AS_OF: &str = "2026-09-30";
const EARLIER: &str = "2026-06-30";

/// Rules of every kind: one names a vendor, one ignores, one matches nothing; and a
/// name pattern that maps a connection metadata does not.
const CONFIG: &str = r#"[currency]
reporting = "USD"
rates = { EUR = 1.08, GBP = 1.27 }

[auth0]
connection_name_pattern = "^(ws-.+)-sso$"

[[auth0.vendor_rules]]
vendor = "Delta IdP"
host = "sso.delta.example"

[[auth0.vendor_rules]]
vendor = "ignore"
strategy = "waad"

[[auth0.vendor_rules]]
vendor = "Rippling"
host = "app.rippling.com"
"#;

/// The basic fixture at two dates, the recorded connections page as the Auth0 snapshot
/// of `AS_OF` and the basic dump as that of `EARLIER`, loaded with `CONFIG`.
fn loaded() -> Project {
    let p = Project::new("basic");
    p.write("featurearr.toml", CONFIG);
    let page = std::fs::read(fixtures().join("real").join("connections-page.json")).unwrap();
    p.write("connections-page.json", page);
    for as_of in [EARLIER, AS_OF] {
        p.load_basic(as_of);
    }
    p.run(&["load", "auth0", "auth0.json", "--as-of", EARLIER]);
    p.run(&["load", "auth0", "connections-page.json", "--as-of", AS_OF]);
    p
}

/// Every report in every format, and `report idps --explain` in each format, which
/// lists every connection's verdict.
fn reports(p: &Project) -> BTreeMap<String, Vec<u8>> {
    let mut all = every_report(p, AS_OF);
    for format in ["md", "json", "csv", "html"] {
        all.insert(
            format!("idps-explain.{format}"),
            p.run(&["report", "idps", "--explain", "--format", format]).into_bytes(),
        );
    }
    all
}

/// The sides (`cur`, `prev`) whose connections `report idps` classified now (its
/// timings say so) rather than reusing the verdicts stored at their load.
fn classified_now(p: &Project) -> Vec<String> {
    let out = p
        .cmd()
        .env("FEATUREARR_TIMINGS", "1")
        .args(["report", "idps"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("timing: classify "))
        .map(|l| l.split(" of ").nth(1).unwrap().split(' ').next().unwrap().to_string())
        .collect()
}

fn sql(p: &Project, statements: &str) {
    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    db.execute_batch(statements).unwrap();
}

fn count(p: &Project, query: &str) -> i64 {
    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    db.query_row(query, [], |r| r.get(0)).unwrap()
}

#[test]
fn stored_verdicts_and_verdicts_decided_now_give_the_same_reports() {
    let p = loaded();
    let none: [&str; 0] = [];
    assert_eq!(
        classified_now(&p),
        none,
        "the config of the load: the stored verdicts are reused"
    );
    let stored = reports(&p);
    let idps: serde_json::Value = serde_json::from_slice(&stored["idps-explain.json"]).unwrap();
    // The fixture exercises what verdicts carry: a config rule's vendor, an ignored
    // connection, a mapping by name, an unmatched rule, and the earlier snapshot.
    assert!(
        idps["idps"].as_array().unwrap().iter().any(|i| i["idp"] == "Delta IdP"),
        "{idps:#}"
    );
    let connections = idps["connections"].as_array().unwrap();
    assert!(connections.iter().any(|c| c["ignored"] == true), "{idps:#}");
    assert!(connections.iter().any(|c| c["mapped_by"] == "name pattern"), "{idps:#}");
    assert_eq!(
        idps["unmatched_config_rules"],
        serde_json::json!(["config rule 3 (host app.rippling.com)"])
    );
    assert_eq!(idps["change"]["previous_auth0_as_of"], EARLIER);

    // The same pattern written another way: another fingerprint, the same verdicts.
    p.write("featurearr.toml", CONFIG.replace("^(ws-.+)-sso$", "^(ws-.+)-ss[o]$"));
    assert_eq!(classified_now(&p), ["cur", "prev"]);
    assert_same_reports("a config that changes no verdict", &reports(&p), &stored);

    // No stored verdicts at all: classified now.
    p.write("featurearr.toml", CONFIG);
    sql(
        &p,
        "DELETE FROM auth0_load_verdicts; DELETE FROM auth0_load_verdict_basis; DELETE FROM auth0_load_rules;",
    );
    assert_eq!(classified_now(&p), ["cur", "prev"]);
    assert_same_reports("stored verdicts removed", &reports(&p), &stored);
}

#[test]
fn a_stored_verdict_is_what_the_report_says_until_the_config_changes() {
    let p = loaded();
    let before = p.json(&["report", "idps", "--format", "json"]);
    let okta = |r: &serde_json::Value| {
        r["idps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["idp"] == "Okta")
            .map(|i| i["connections"].as_i64().unwrap())
    };
    let okta_before = okta(&before).unwrap();
    // One stored verdict changed by hand, and rule 3 said to have decided it.
    sql(
        &p,
        "UPDATE auth0_load_verdicts SET vendor = 'Tampered IdP', vendor_rule = 'by hand', config_rule = 3
         WHERE connection_id = 'con_7uaVTwH0ylGhVEh6'",
    );
    let tampered = p.json(&["report", "idps", "--format", "json", "--explain"]);
    let connection = tampered["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["connection_id"] == "con_7uaVTwH0ylGhVEh6")
        .unwrap();
    assert_eq!(
        (&connection["vendor"], &connection["vendor_rule"]),
        (&"Tampered IdP".into(), &"by hand".into())
    );
    assert_eq!(okta(&tampered), Some(okta_before - 1), "{tampered:#}");
    assert_eq!(tampered["unmatched_config_rules"], serde_json::json!([]));
    // A changed config is not decided by the stored verdicts: the connection is Okta's
    // again, and the new rule is applied.
    p.write(
        "featurearr.toml",
        format!("{CONFIG}\n[[auth0.vendor_rules]]\nvendor = \"Keycloak Cloud\"\nhost = \"keycloak.example\"\n"),
    );
    let after = p.json(&["report", "idps", "--format", "json", "--explain"]);
    assert_eq!(okta(&after), Some(okta_before), "{after:#}");
    assert!(!after.to_string().contains("Tampered IdP"));
    assert_eq!(
        after["unmatched_config_rules"],
        serde_json::json!([
            "config rule 3 (host app.rippling.com)",
            "config rule 4 (host keycloak.example)"
        ])
    );
}

#[test]
fn a_store_of_schema_version_6_reports_as_before_and_stores_verdicts_at_the_next_load() {
    let p = loaded();
    let before = reports(&p);
    // What version 6 held: no stored verdicts.
    sql(
        &p,
        "DROP TABLE auth0_load_verdicts; DROP TABLE auth0_load_verdict_basis; DROP TABLE auth0_load_rules;
         UPDATE schema_version SET version = 6;",
    );
    assert_eq!(classified_now(&p), ["cur", "prev"]);
    assert_same_reports("a store of schema version 6", &reports(&p), &before);
    assert_eq!(count(&p, "SELECT max(version) FROM schema_version"), 7);
    assert_eq!(count(&p, "SELECT count(*) FROM auth0_load_verdicts"), 0);
    p.run(&["load", "auth0", "connections-page.json", "--as-of", AS_OF]);
    // The earlier snapshot, not reloaded, is still classified now.
    assert_eq!(classified_now(&p), ["prev"]);
    // A reload gives the snapshot a new id, which `snapshots` lists.
    let without_ids = |mut all: BTreeMap<String, Vec<u8>>| {
        all.retain(|name, _| !name.starts_with("snapshots."));
        all
    };
    assert_same_reports("reloaded", &without_ids(reports(&p)), &without_ids(before));
}

#[test]
fn a_same_date_replace_of_the_auth0_snapshot_leaves_no_stale_verdicts() {
    let p = loaded();
    let stored = |p: &Project| {
        [
            "SELECT count(*) FROM auth0_load_verdicts",
            "SELECT count(*) FROM auth0_load_verdict_basis",
            "SELECT count(*) FROM auth0_load_rules",
            "SELECT count(*) FROM auth0_load_verdicts WHERE snapshot_id NOT IN (SELECT snapshot_id FROM snapshots)",
        ]
        .map(|q| count(p, q))
    };
    // 20 enterprise connections on the page, 7 in the basic dump; 3 config rules each.
    assert_eq!(stored(&p), [27, 2, 6, 0]);
    p.run(&["load", "auth0", "auth0.json", "--as-of", AS_OF]);
    assert_eq!(stored(&p), [14, 2, 6, 0]);
    p.write("featurearr.toml", CONFIG.split("\n[[").next().unwrap());
    p.run(&["load", "auth0", "connections-page.json", "--as-of", AS_OF]);
    assert_eq!(stored(&p), [27, 2, 3, 0]);
    // The earlier snapshot's verdicts were decided with rules the config no longer has.
    assert_eq!(classified_now(&p), ["prev"]);
}
