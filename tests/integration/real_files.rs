//! Issue 13: files other people wrote. Auth0 connection objects as the Management API
//! returns them (the recorded bodies of reference 3.3, and the vendors' documented
//! sign-in URLs of reference 3.4 on the recorded SAML body), in a saved
//! `GET /api/v2/connections` page or bare array; IdP rules applied when a report runs.

use serde_json::Value;

use crate::util::{fixtures, Project};

const AS_OF: &str = "2026-09-30";

/// The basic fixture's flags, ARR and links, and the real connections page as the Auth0
/// snapshot (a tenant without Organizations: the page has no `organizations`).
fn with_real_connections(file: &str) -> Project {
    let p = Project::new("basic");
    p.write("featurearr.toml", "[currency]\nrates = { EUR = 1.08, GBP = 1.27 }\n");
    p.load_basic(AS_OF);
    let dump = std::fs::read(fixtures().join("real").join(file)).unwrap();
    p.write(file, dump);
    p.run(&["load", "auth0", file, "--as-of", AS_OF]);
    p
}

/// `connection_id` -> (vendor, vendor_rule, ignored) from `report idps --explain --format json`.
fn verdicts(p: &Project) -> Vec<(String, String, String, bool)> {
    let r = p.json(&["report", "idps", "--format", "json", "--explain"]);
    let mut out: Vec<(String, String, String, bool)> = r["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["connection_id"].as_str().unwrap().to_string(),
                c["vendor"].as_str().unwrap().to_string(),
                c["vendor_rule"].as_str().unwrap().to_string(),
                c["ignored"].as_bool().unwrap(),
            )
        })
        .collect();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

fn verdict(all: &[(String, String, String, bool)], id: &str) -> (String, String) {
    let v = all
        .iter()
        .find(|v| v.0 == id)
        .unwrap_or_else(|| panic!("{id} not listed: {all:#?}"));
    (v.1.clone(), v.2.clone())
}

/// The connection ids of doctor's unmapped-connections finding.
fn doctor_unmapped(p: &Project) -> Vec<String> {
    let doctor = p.json(&["doctor", "--format", "json"]);
    let finding = doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "unmapped-connections")
        .unwrap()
        .clone();
    finding["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["connection_id"].as_str().unwrap().to_string())
        .collect()
}

fn idp<'a>(r: &'a Value, name: &str) -> Option<&'a Value> {
    r["idps"].as_array().unwrap().iter().find(|i| i["idp"] == name)
}

#[test]
fn every_built_in_rule_on_recorded_and_documented_connections() {
    let p = with_real_connections("connections-page.json");
    let all = verdicts(&p);
    assert_eq!(
        all.len(),
        20,
        "every connection of the page is an enterprise one: {all:#?}"
    );
    let cases = [
        // Recorded bodies (reference 3.3).
        ("con_Xx9aiRppSPC3E6vT", "Other SAML", "fallback samlp"),
        ("con_rv6zpbnX2uYT1aTt", "Microsoft Entra ID", "strategy waad"),
        ("con_7uaVTwH0ylGhVEh6", "Okta", "strategy okta"),
        ("con_S6e3XARphqilWTZJ", "Other OIDC", "fallback oidc"),
        ("con_TfYahoo00000001", "Other OIDC", "fallback oidc"),
        ("con_fPkps25eM9WtmRnd", "Google Workspace", "strategy google-apps"),
        ("con_R9OG6MkVSSaAJpjL", "ADFS", "strategy adfs"),
        ("con_0HfFi7TBvyFrGigT", "Ping Identity", "strategy pingfederate"),
        ("con_ADrecorded000001", "Active Directory", "strategy ad"),
        // Documented sign-in URLs (reference 3.4).
        (
            "con_OktaSamlDoc0001",
            "Okta",
            "host acme.okta.com in options.signInEndpoint",
        ),
        (
            "con_EntraSamlDoc001",
            "Microsoft Entra ID",
            "host login.microsoftonline.com in options.signInEndpoint",
        ),
        (
            "con_GoogleSamlDoc01",
            "Google Workspace",
            "host accounts.google.com in options.signInEndpoint",
        ),
        (
            "con_OneLoginDoc0001",
            "OneLogin",
            "host acme.onelogin.com in options.signInEndpoint",
        ),
        (
            "con_JumpCloudDoc001",
            "JumpCloud",
            "host sso.jumpcloud.com in options.signInEndpoint",
        ),
        (
            "con_PingOneDoc00001",
            "Ping Identity",
            "host auth.pingone.com in options.signInEndpoint",
        ),
        (
            "con_DuoOidcDoc00001",
            "Duo",
            "host sso-abc123.sso.duosecurity.com in options.discovery_url",
        ),
        ("con_AdfsPathDoc0001", "ADFS", "path /adfs/ in options.signInEndpoint"),
        (
            "con_KeycloakDoc0001",
            "Keycloak",
            "path /realms/ in options.signInEndpoint",
        ),
        // Okta on a custom domain, signed by Okta: the certificate decides.
        (
            "con_OktaCustomCert1",
            "Okta",
            "certificate subject O=Okta, OU=SSOProvider",
        ),
    ];
    for (id, vendor, rule) in cases {
        assert_eq!(verdict(&all, id), (vendor.to_string(), rule.to_string()), "{id}");
    }
    // The issue's case: the customer's own domain and a self-made `O=okta` certificate.
    let (vendor, rule) = verdict(&all, "con_SelfMadeOkta01");
    assert_eq!(vendor, "Other SAML");
    assert!(
        rule.starts_with("fallback samlp (certificate subject O=okta names Okta, but Okta's signing certificates have OU=SSOProvider"),
        "{rule}"
    );
    let md = p.run(&["report", "idps", "--explain"]);
    assert!(md.contains("a self-made certificate proves nothing"), "{md}");
}

#[test]
fn a_bare_connections_array_loads_as_the_page_does() {
    let page = with_real_connections("connections-page.json");
    let array = with_real_connections("connections-array.json");
    let strip = |p: &Project| {
        let mut v = p.json(&["report", "idps", "--format", "json", "--explain"]);
        v.as_object_mut().unwrap().remove("snapshots");
        v
    };
    assert_eq!(strip(&page), strip(&array));
}

#[test]
fn rules_and_name_pattern_added_after_the_load_change_the_next_report() {
    let p = with_real_connections("connections-page.json");
    let before = p.json(&["report", "idps", "--format", "json"]);
    assert!(idp(&before, "Delta IdP").is_none());
    let unmapped = |r: &Value| -> Vec<String> {
        r["unmapped_connections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["connection_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(unmapped(&before).contains(&"con_SelfMadeOkta01".to_string()));
    // Acme's recorded SAML connection is unrecognised: not an integration candidate, but
    // in its own section with its host.
    let candidates = before["integration_candidates"].as_array().unwrap();
    assert!(
        candidates
            .iter()
            .all(|c| c["idp"] != "Other SAML" && c["idp"] != "Other OIDC"),
        "{candidates:#?}"
    );
    let unrecognised = &before["unrecognised_endpoints"];
    assert_eq!(unrecognised["connections"], 1);
    assert_eq!(unrecognised["customers"], 1);
    assert_eq!(unrecognised["arr"], 120000.0);
    assert_eq!(unrecognised["top_hosts"][0]["host"], "saml-from-metadata-xml.provider");
    assert_eq!(before["classified_at_load"], serde_json::json!([]));

    // No reload: only the config changes.
    p.write(
        "featurearr.toml",
        r#"[currency]
rates = { EUR = 1.08, GBP = 1.27 }

[auth0]
connection_name_pattern = "^(ws-.+)-sso$"

[[auth0.vendor_rules]]
vendor = "Delta IdP"
host = "sso.delta.example"

[[auth0.vendor_rules]]
vendor = "Rippling"
host = "app.rippling.com"
"#,
    );
    let after = p.json(&["report", "idps", "--format", "json"]);
    // ws-d1 (Delta, $14,000) is mapped by the name pattern, its vendor named by rule 1.
    let delta = idp(&after, "Delta IdP").unwrap_or_else(|| panic!("{after:#}"));
    assert_eq!(
        (delta["connections"].as_i64(), delta["customers"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(delta["arr"], 14000.0);
    assert!(!unmapped(&after).contains(&"con_SelfMadeOkta01".to_string()));
    assert_eq!(
        after["unmatched_config_rules"],
        serde_json::json!(["config rule 2 (host app.rippling.com)"])
    );
    let all = verdicts(&p);
    assert_eq!(
        verdict(&all, "con_SelfMadeOkta01"),
        ("Delta IdP".into(), "config rule 1 (host sso.delta.example)".into())
    );
    let md = p.run(&["report", "idps"]);
    assert!(
        md.contains("Config rules that matched no connection: `config rule 2 (host app.rippling.com)`"),
        "{md}"
    );
    let html = p.run(&["report", "idps", "--format", "html"]);
    assert!(
        html.contains("Config rules that matched no connection: <code>config rule 2 (host app.rippling.com)</code>"),
        "{html}"
    );
    // Doctor maps the same way: the connection is no longer a finding.
    let items = doctor_unmapped(&p);
    assert!(!items.contains(&"con_SelfMadeOkta01".to_string()), "{items:?}");
    // So do the quarterly report's IdP section and `report --output-dir`.
    let quarterly = p.json(&["report", "quarterly", "--quarter", "2026Q3", "--format", "json"]);
    let rows = quarterly["idps"]["rows"].as_array().unwrap();
    let delta = rows.iter().find(|r| r["idp"] == "Delta IdP");
    assert_eq!(delta.map(|r| r["arr"].clone()), Some(14000.0.into()), "{rows:#?}");
    p.run(&["report", "--output-dir", "out", "--as-of", AS_OF]);
    let written: Value = serde_json::from_slice(&std::fs::read(p.path("out/idps.json")).unwrap()).unwrap();
    assert!(idp(&written, "Delta IdP").is_some(), "{written:#}");
}

#[test]
fn a_config_rule_overrides_a_built_in_verdict_and_ignore_drops_a_connection() {
    let p = with_real_connections("connections-page.json");
    let before = p.json(&["report", "idps", "--format", "json"]);
    let entra = idp(&before, "Microsoft Entra ID").unwrap();
    assert_eq!(
        (entra["connections"].as_i64(), entra["customers"].as_i64()),
        (Some(1), Some(1))
    );
    assert!(idp(&before, "Ping Identity").is_some());
    p.write(
        "featurearr.toml",
        r#"[currency]
rates = { EUR = 1.08, GBP = 1.27 }

[[auth0.vendor_rules]]
vendor = "ignore"
strategy = "waad"

[[auth0.vendor_rules]]
vendor = "PingFederate"
strategy = "pingfederate"

[[auth0.vendor_rules]]
vendor = "Okta"
host = "saml-from-metadata-xml.provider"
"#,
    );
    let after = p.json(&["report", "idps", "--format", "json"]);
    // ignore: the waad connection leaves every count.
    assert!(idp(&after, "Microsoft Entra ID").is_none(), "{after:#}");
    // A config rule beats the built-in strategy rule, and may name a built-in vendor.
    assert!(idp(&after, "Ping Identity").is_none());
    let ping = idp(&after, "PingFederate").unwrap();
    assert_eq!(
        (ping["customers"].as_i64(), ping["arr"].as_f64()),
        (Some(1), Some(12700.0))
    );
    let okta = idp(&after, "Okta").unwrap();
    let okta_before = idp(&before, "Okta").unwrap();
    assert_eq!(
        okta["connections"].as_i64().unwrap(),
        okta_before["connections"].as_i64().unwrap() + 1
    );
    // Acme (ws-a1, $120,000) now reaches Okta through a generic SAML connection only.
    let candidates = after["integration_candidates"].as_array().unwrap();
    let okta_candidate = candidates.iter().find(|c| c["idp"] == "Okta").unwrap();
    assert_eq!(okta_candidate["arr"], 120000.0);
    assert_eq!(after["unrecognised_endpoints"]["connections"], 0);
    let all = verdicts(&p);
    let waad = all.iter().find(|v| v.0 == "con_rv6zpbnX2uYT1aTt").unwrap();
    assert_eq!(
        (waad.1.as_str(), waad.2.as_str(), waad.3),
        ("ignore", "config rule 1 (strategy waad)", true)
    );
    let md = p.run(&["report", "idps", "--explain"]);
    assert!(
        md.contains("| con\\_rv6zpbnX2uYT1aTt | Test-AzureAD-Connection-1747381016 | waad | ignored | config rule 1 (strategy waad) |"),
        "{md}"
    );
    let html = p.run(&["report", "idps", "--explain", "--format", "html"]);
    assert!(
        html.contains("<td><code>con_rv6zpbnX2uYT1aTt</code></td><td>Test-AzureAD-Connection-1747381016</td><td>waad</td><td>ignored</td><td>config rule 1 (strategy waad)</td>"),
        "{html}"
    );
    assert!(
        html.contains("<h2>Unrecognised endpoints</h2>\n<p>Every mapped connection's endpoint was recognised.</p>"),
        "{html}"
    );
    // Ignored connections are no unmapped-connection finding either.
    let items = doctor_unmapped(&p);
    assert!(
        !items.is_empty() && !items.contains(&"con_rv6zpbnX2uYT1aTt".to_string()),
        "{items:?}"
    );
}

#[test]
fn a_connection_without_id_is_named_by_its_name_and_position() {
    let p = Project::new("basic");
    p.write(
        "conns.json",
        r#"[{"id": "con_1", "name": "a", "strategy": "samlp"}, {"name": "acme-sso", "strategy": "samlp", "options": {}}]"#,
    );
    let err = p.fail(&["load", "auth0", "conns.json", "--as-of", AS_OF]);
    assert!(
        err.contains("connection #2 (name \"acme-sso\") in the Auth0 dump has no \"id\""),
        "{err}"
    );
}

/// Turns the store back into what a featurearr before schema version 4 wrote: each
/// connection's vendor decided at load time, no raw facts, no parent keys (v5) and no
/// stored verdicts beside the connections (v7).
const BACK_TO_V3: &str = "
    CREATE TABLE old_connections AS
    SELECT snapshot_id, connection_id, name, strategy,
           CASE WHEN connection_id = 'con_Xx9aiRppSPC3E6vT' THEN 'Other SAML' ELSE 'Legacy Vendor' END AS vendor,
           'host legacy.example in options.signInEndpoint' AS vendor_rule
    FROM auth0_connections;
    DROP TABLE auth0_connections;
    ALTER TABLE old_connections RENAME TO auth0_connections;
    ALTER TABLE accounts DROP COLUMN parent_key;
    DROP TABLE auth0_load_verdicts;
    DROP TABLE auth0_load_verdict_basis;
    DROP TABLE auth0_load_rules;
    UPDATE schema_version SET version = 3;
";

#[test]
fn a_snapshot_classified_at_load_keeps_its_verdicts_and_asks_for_a_reload() {
    let p = with_real_connections("connections-page.json");
    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    db.execute_batch(BACK_TO_V3).unwrap();
    drop(db);
    p.write(
        "featurearr.toml",
        "[currency]\nrates = { EUR = 1.08, GBP = 1.27 }\n\n[[auth0.vendor_rules]]\nvendor = \"Okta\"\nstrategy = \"waad\"\n",
    );
    let r = p.json(&["report", "idps", "--format", "json"]);
    assert_eq!(r["classified_at_load"], serde_json::json!([AS_OF]));
    let idps: Vec<&str> = r["idps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["idp"].as_str().unwrap())
        .collect();
    assert_eq!(
        idps,
        ["Legacy Vendor", "Other SAML"],
        "the stored verdicts stand: {r:#}"
    );
    assert_eq!(r["unmatched_config_rules"], serde_json::json!([]));
    // The old store kept no endpoints: the unrecognised host is unknown, and says why.
    let unrecognised = &r["unrecognised_endpoints"];
    assert_eq!(unrecognised["connections"], 1, "{unrecognised:#}");
    assert_eq!(
        unrecognised["top_hosts"],
        serde_json::json!([{"host": null, "stored": false, "connections": 1, "customers": 1, "arr": 120000.0}])
    );
    let notice = format!("**The Auth0 snapshot of {AS_OF} was classified when it was loaded**");
    let md = p.run(&["report", "idps"]);
    assert_eq!(md.matches(&notice).count(), 1, "{md}");
    assert!(
        md.contains("| (not kept: loaded by an older featurearr) | 1 | 1 | $120k |"),
        "{md}"
    );
    assert!(!md.contains("no reload needed"), "{md}");
    let html = p.run(&["report", "idps", "--format", "html"]);
    let html_notice = format!("<strong>The Auth0 snapshot of {AS_OF} was classified when it was loaded</strong>");
    assert_eq!(html.matches(&html_notice).count(), 1, "{html}");
    assert!(html.contains("(not kept: loaded by an older featurearr)"), "{html}");
    assert_eq!(p.run(&["doctor", "--format", "html"]).matches(&html_notice).count(), 1);
    assert!(
        md.contains(&format!("featurearr load auth0 DUMP.json --as-of {AS_OF}")),
        "{md}"
    );
    assert_eq!(p.run(&["doctor"]).matches(&notice).count(), 1);
    let doctor = p.json(&["doctor", "--format", "json"]);
    assert_eq!(doctor["classified_at_load"], serde_json::json!([AS_OF]));
    // Reloading applies the current rules.
    p.run(&["load", "auth0", "connections-page.json", "--as-of", AS_OF]);
    let r = p.json(&["report", "idps", "--format", "json"]);
    assert_eq!(r["classified_at_load"], serde_json::json!([]));
    assert!(idp(&r, "Legacy Vendor").is_none());
    assert_eq!(
        r["unrecognised_endpoints"]["top_hosts"][0]["host"],
        "saml-from-metadata-xml.provider"
    );
    assert!(!p.run(&["report", "idps"]).contains(&notice));
}

/// An API-name export as Data Loader writes it (reference 2.1: every value quoted, null as
/// `""`), with names holding every delimiter, an account on two rows (one per workspace),
/// a 15-character parent ID and two currencies. `{d}` is the delimiter.
fn data_loader_export(d: char) -> String {
    let rows = [
        ["ID", "NAME", "PARENTID", "ARR__C", "CURRENCYISOCODE", "WORKSPACE_ID__C"],
        ["0015g00000XyZaBAAV", "Acme Corp", "", "120000", "USD", "ws-a1"],
        ["0015g00000XyZaBAAV", "Acme Corp", "", "120000", "USD", "ws-a2"],
        [
            "0015g00000Pq7RsAAJ",
            "Beta; Gamma | Delta, \"GmbH\"",
            "0015g00000XyZaB",
            "50000",
            "EUR",
            "ws-b1",
        ],
        ["0015g00000Mn0PqAAJ", "Tab\tCo", "", "14000.50", "USD", "ws-d1"],
        ["0015g00000Gh4JkAAJ", "No Workspace Inc", "", "", "USD", ""],
    ];
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|cell| format!("\"{}\"", cell.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(&d.to_string())
        })
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

/// The rows of the ARR snapshot's tables, in a fixed order, as text.
fn arr_snapshot(p: &Project) -> Vec<String> {
    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT concat_ws('|', account_id, account_name, parent_id, arr, original_arr, currency, rate, reporting, first_line) \
         FROM accounts ORDER BY account_id",
        "SELECT concat_ws('|', account_id, workspace_id) FROM account_workspaces ORDER BY account_id, workspace_id",
    ] {
        let mut stmt = db.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

#[test]
fn an_export_with_any_delimiter_loads_the_same_snapshot() {
    let config = "[currency]\nrates = { EUR = 1.08 }\n";
    let mut snapshots = Vec::new();
    for (d, name) in [(',', "comma"), (';', "semicolon"), ('\t', "tab"), ('|', "pipe")] {
        let p = Project::empty();
        p.write("featurearr.toml", config);
        p.write("arr.csv", data_loader_export(d));
        let out = p
            .cmd()
            .args(["load", "arr", "arr.csv", "--as-of", AS_OF])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        assert!(
            stderr.ends_with(&format!(
                "loaded 4 accounts into the arr snapshot of {AS_OF}: 5 rows read, none skipped; \
                 1 row merged into accounts already read (one row per workspace); 1 account with an empty ARR, kept at 0\n"
            )),
            "{name}: {stderr}"
        );
        snapshots.push((name, arr_snapshot(&p)));
    }
    let (_, comma) = &snapshots[0];
    assert_eq!(comma.len(), 4 + 4, "{comma:#?}");
    assert!(
        comma.contains(
            &"0015g00000Pq7RsAAJ|Beta; Gamma | Delta, \"GmbH\"|0015g00000XyZaBAAV|54000.00|50000.00|EUR|1.08|USD|4"
                .to_string()
        ),
        "{comma:#?}"
    );
    for (name, snapshot) in &snapshots[1..] {
        assert_eq!(snapshot, comma, "{name}");
    }
    // --delimiter and [salesforce] delimiter set it; a wrong one fails on the header, naming it.
    let p = Project::empty();
    p.write("featurearr.toml", config);
    p.write("arr.csv", data_loader_export(';'));
    p.run(&["load", "arr", "arr.csv", "--as-of", AS_OF, "--delimiter", "semicolon"]);
    assert_eq!(arr_snapshot(&p), *comma);
    let err = p.fail(&["load", "arr", "arr.csv", "--as-of", AS_OF, "--delimiter", ","]);
    assert!(err.contains("arr.csv:1: no account ID column"), "{err}");
    assert!(
        err.contains("split at `,`, the delimiter given by --delimiter or the config"),
        "{err}"
    );
    p.write(
        "featurearr.toml",
        format!("{config}\n[salesforce]\ndelimiter = \"|\"\n"),
    );
    let err = p.fail(&["load", "arr", "arr.csv", "--as-of", AS_OF]);
    assert!(err.contains("split at `|`, the delimiter given"), "{err}");
    // The flag beats the config.
    p.run(&["load", "arr", "arr.csv", "--as-of", AS_OF, "--delimiter", ";"]);
    p.write(
        "featurearr.toml",
        format!("{config}\n[salesforce]\ndelimiter = \"^\"\n"),
    );
    let err = p.usage_error(&["load", "arr", "arr.csv", "--as-of", AS_OF]);
    assert!(err.contains("[salesforce] delimiter = \"^\""), "{err}");
    let err = p.usage_error(&["load", "arr", "arr.csv", "--delimiter", "caret"]);
    assert!(err.contains("--delimiter"), "{err}");
}

#[test]
fn flags_and_links_with_any_delimiter_load_the_same_snapshot() {
    let flags = [
        [
            "workspace_id",
            "workspace_name",
            "users",
            "sso_enabled",
            "scim_enabled",
            "mfa_enforced",
        ],
        ["ws-a1", "Acme; Main | HQ", "100", "TRUE", "yes", "0"],
        ["ws-b1", "Beta, Inc", "20", "false", "N", "1"],
    ];
    let mut seen = Vec::new();
    for d in [",", ";", "\t", "|"] {
        let p = Project::empty();
        let text: String = flags
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| {
                        if c.contains(d) {
                            format!("\"{c}\"")
                        } else {
                            c.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(d)
                    + "\n"
            })
            .collect();
        p.write("flags.csv", text);
        p.write(
            "links.csv",
            format!("workspace_id{d}account_id\nws-a1{d}0015g00000XyZaB\nws-a1{d}0015g00000XyZaB\n"),
        );
        p.run(&["load", "flags", "flags.csv", "--as-of", AS_OF]);
        let out = p
            .cmd()
            .args(["load", "workspace-accounts", "links.csv", "--as-of", AS_OF])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).ends_with(&format!(
            "loaded 1 link into the workspace-accounts snapshot of {AS_OF}: 2 rows read, 1 skipped (1 repeated link)\n"
        )));
        let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
        let rows: Vec<String> = db
            .prepare("SELECT concat_ws('|', workspace_id, workspace_name, users, flags_on, flags_empty) FROM workspaces ORDER BY workspace_id")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        seen.push(rows);
    }
    assert_eq!(seen[0], ["ws-a1|Acme; Main | HQ|100|3|0", "ws-b1|Beta, Inc|20|4|0"]);
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:#?}");
    let p = Project::empty();
    p.write("flags.csv", "id;sso_enabled\nws-1;true\n");
    let err = p.fail(&["load", "flags", "flags.csv", "--as-of", AS_OF]);
    assert!(err.contains("flags.csv:1: no workspace_id column; the header has `id`, `sso_enabled` (split at `;`, the delimiter detected from the header line"), "{err}");
    p.write("featurearr.toml", "[flags]\ndelimiter = \"tab\"\n");
    let err = p.fail(&["load", "flags", "flags.csv", "--as-of", AS_OF]);
    assert!(
        err.contains("split at tabs, the delimiter given by --delimiter or the config"),
        "{err}"
    );
}

/// A dbt seed in the shape of Fivetran's Salesforce `account` table (snake_case columns,
/// `is_deleted`, `_fivetran_synced`; reference 2.2 and 5.1): most rows deleted, the ARR
/// pass-through column never filled, no currency column.
const DBT_SEED: &str = "\
id,_fivetran_synced,account_number,account_source,annual_revenue,is_deleted,name,parent_id,type,arr__c
0015g00000XyZaBAAV,2019-11-08 18:42:16.117,,,,false,Acme Corp,,Customer,
0015g00000Pq7RsAAJ,2019-11-08 18:42:16.117,,,,true,Old Acme,,Customer,
0015g00000Mn0PqAAJ,2019-11-08 18:42:16.117,,Web,,TRUE,Merged Co,,Prospect,
0015g00000Gh4JkAAJ,2019-11-08 18:42:16.117,,,5000000,true,Gone Ltd,,Customer,
0015g00000Zz9YxAAJ,2019-11-08 18:42:16.117,,,,true,Zed,,,
0015g00000Ab1CdAAJ,2019-11-08 18:42:16.117,,,,false,Beta GmbH,,Customer,
0015g00000Ef2GhAAJ,2019-11-08 18:42:16.117,,,,true,Epsilon,,,
0015g00000Ij3KlAAJ,2019-11-08 18:42:16.117,,,,true,Iota,,,
0015g00000Mn4OpAAJ,2019-11-08 18:42:16.117,,,,false,Mu Inc,,Customer,
0015g00000Qr5StAAJ,2019-11-08 18:42:16.117,,,,true,Rho,,,
";

#[test]
fn a_dbt_seed_with_deleted_rows_and_empty_arr_says_so_with_counts() {
    let p = Project::empty();
    p.write("account.csv", DBT_SEED);
    let out = p
        .cmd()
        .args(["load", "arr", "account.csv", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "warning: account.csv: skipped 7 rows marked deleted (is_deleted true): deleted records are not live accounts",
            "warning: account.csv: the ARR column `arr__c` is empty on 3 of 3 account rows; is it the right column? \
             Set arr = \"<header>\" under [salesforce.columns] in featurearr.toml to read another",
            "warning: account.csv: 3 of 3 accounts have an empty `arr__c`; they are kept with ARR 0 (so they are not \
             customers), and doctor counts them",
            "warning: account.csv: no currency column (`CurrencyIsoCode`, `Account Currency` or `arr__c Currency`), so \
             the amounts of 3 rows were taken as USD, the reporting currency; if the export has one under another name, \
             set currency = \"<header>\" under [salesforce.columns] in featurearr.toml",
            &format!(
                "loaded 3 accounts into the arr snapshot of {AS_OF}: 10 rows read, 7 skipped (7 rows marked deleted); \
                 3 accounts with an empty ARR, kept at 0"
            ),
        ],
        "{stderr}"
    );
    // Deleted records are not live accounts; the summary is in the snapshot's details.
    let ids = arr_snapshot(&p);
    assert_eq!(ids.len(), 3, "{ids:#?}");
    assert!(ids.iter().all(|r| !r.contains("Old Acme") && !r.contains("Gone Ltd")));
    let snapshots = p.json(&["snapshots", "--format", "json"]);
    let details = &snapshots["snapshots"][0]["details"];
    assert_eq!(details["summary"]["read"], 10);
    assert_eq!(details["summary"]["loaded"], 3);
    assert_eq!(
        details["summary"]["skipped"][0],
        serde_json::json!({"count": 7, "why": "rows marked deleted"})
    );
    // A deleted flag that is no boolean stops the load at its cell.
    p.write("bad.csv", "Id,IsDeleted,ARR__c\n0015g00000XyZaBAAV,maybe,1\n");
    let err = p.fail(&["load", "arr", "bad.csv", "--as-of", AS_OF]);
    assert!(
        err.contains("bad.csv:2: column IsDeleted: `maybe` is not a boolean"),
        "{err}"
    );
}

#[test]
fn two_snapshots_classified_at_load_get_one_notice() {
    let p = with_real_connections("connections-page.json");
    p.load_basic("2026-06-30");
    p.run(&["load", "auth0", "connections-page.json", "--as-of", "2026-06-30"]);
    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    db.execute_batch(BACK_TO_V3).unwrap();
    drop(db);
    let r = p.json(&["report", "idps", "--format", "json"]);
    assert_eq!(r["classified_at_load"], serde_json::json!([AS_OF, "2026-06-30"]));
    let md = p.run(&["report", "idps"]);
    assert_eq!(md.matches("classified when").count(), 1, "{md}");
    assert!(
        md.contains(&format!(
            "**The Auth0 snapshots of {AS_OF} and 2026-06-30 were classified when they were loaded**"
        )),
        "{md}"
    );
    let html = p.run(&["report", "idps", "--format", "html"]);
    assert_eq!(html.matches("classified when").count(), 1, "{html}");
}
