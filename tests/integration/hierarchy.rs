//! Account hierarchies (issue 14 item 2): `[salesforce] rollup = "account"` (default)
//! and `"ultimate_parent"` on one stored snapshot, with numbers worked out by hand.
//!
//! Fixture `hierarchy` (report export, 15-character IDs, `Parent Account ID`):
//!
//! | account | parent | ARR | workspaces (features) |
//! | --- | --- | ---: | --- |
//! | GLB01 Globex Holdings | - | 10,000 | g1 (SSO) |
//! | GLB02 Globex Europe | GLB01 | 20,000 | r1 (-), shared (SCIM without SSO) |
//! | GLB03 Globex Lyon | GLB02 | 5,000 | l1 (SSO, SCIM), shared |
//! | GLB04 Globex US | GLB01 | 0 | u1 (forced MFA) |
//! | ORP01 Orphan Ltd | ZZZ99, not in the export | 7,000 | o1 (SSO) |
//! | ORP02 Orphan Child | ORP01 | 3,000 | - |
//! | SOLO1 Solo Inc | - | 40,000 | s1 (forced MFA) |
//! | TOT01 Totals Group | - | 9,000 (= its children's) | p1 (-) |
//! | TOT02 Totals East | TOT01 | 3,000 | c1 (SSO) |
//! | TOT03 Totals West | TOT01 | 6,000 | - |
//!
//! plus workspace free1 (SSO, no account). Three levels: GLB01 > GLB02 > GLB03. Auth0:
//! Okta on l1, r1 and c1; Microsoft Entra ID on g1 and s1.

use serde_json::Value;

use crate::util::{assert_close, item, Project};

const AS_OF: &str = "2026-09-30";

fn loaded() -> Project {
    let p = Project::new("hierarchy");
    p.run(&["load", "flags", "flags.csv", "--as-of", AS_OF]);
    p.run(&["load", "arr", "arr.csv", "--as-of", AS_OF]);
    p.run(&["load", "auth0", "auth0.json", "--as-of", AS_OF]);
    p
}

/// `featurearr ARGS --format json` under the default config, or with `families.toml`
/// (`rollup = "ultimate_parent"`): the same store, nothing reloaded.
fn json(p: &Project, families: bool, args: &[&str]) -> Value {
    let mut all: Vec<&str> = Vec::new();
    if families {
        all.extend(["--config", "families.toml"]);
    }
    all.extend(args);
    all.extend(["--format", "json"]);
    p.json(&all)
}

fn feature<'a>(r: &'a Value, key: &str) -> &'a Value {
    item(r, "features", "feature", key)
}

fn idp<'a>(r: &'a Value, name: &str) -> &'a Value {
    item(r, "idps", "idp", name)
}

fn finding<'a>(r: &'a Value, key: &str) -> &'a Value {
    item(r, "findings", "key", key)
}

/// (customers, ARR) of a feature.
fn counts(f: &Value) -> (i64, f64) {
    (f["customers"].as_i64().unwrap(), f["arr"].as_f64().unwrap())
}

#[test]
fn rollup_account_counts_each_account_on_its_own() {
    let p = loaded();
    let r = json(&p, false, &["report", "revenue-share"]);
    // Customers: accounts with ARR > 0 and a workspace: GLB01, GLB02, GLB03, ORP01,
    // SOLO1, TOT01, TOT02 (GLB04 is at 0; ORP02 and TOT03 have no workspace).
    // 10k + 20k + 5k + 7k + 40k + 9k + 3k = 94k.
    assert_eq!(r["totals"]["customers"], 7);
    assert_eq!(r["totals"]["arr"], 94_000.0);
    // All ARR > 0: 94k + ORP02 3k + TOT03 6k.
    assert_close(&r["totals"]["arr_coverage"], 94_000.0 / 103_000.0);
    // g1, r1, shared, l1, o1, s1, p1, c1 (u1 is GLB04's, not a customer's).
    assert_eq!(r["totals"]["customer_workspaces"], 8);
    assert_eq!(r["totals"]["workspaces"], 10);
    // SSO: GLB01 (g1), GLB03 (l1), ORP01 (o1), TOT02 (c1) = 10k + 5k + 7k + 3k.
    assert_eq!(counts(feature(&r, "sso")), (4, 25_000.0));
    // SCIM: GLB03 (l1, shared) and GLB02 (shared) = 5k + 20k.
    assert_eq!(counts(feature(&r, "scim")), (2, 25_000.0));
    // u1's forced MFA belongs to GLB04 at ARR 0: only SOLO1 counts.
    assert_eq!(counts(feature(&r, "forced_mfa")), (1, 40_000.0));
    assert_eq!(feature(&r, "sso")["workspaces"], 5);
    assert_eq!(r["coverage"]["accounts_without_workspace"], 2);
    assert_eq!(r["coverage"]["arr_without_workspace"], 9_000.0);
    assert!(
        r["snapshots"][1].get("customers").is_none(),
        "the default says nothing new: {r}"
    );

    let i = json(&p, false, &["report", "idps"]);
    assert_eq!(i["total_arr"], 94_000.0);
    // Okta on l1 (GLB03), r1 (GLB02), c1 (TOT02): 5k + 20k + 3k.
    assert_eq!(idp(&i, "Okta")["customers"], 3);
    assert_eq!(idp(&i, "Okta")["arr"], 28_000.0);
    // Entra on g1 (GLB01) and s1 (SOLO1).
    assert_eq!(idp(&i, "Microsoft Entra ID")["customers"], 2);
    assert_eq!(idp(&i, "Microsoft Entra ID")["arr"], 50_000.0);
}

#[test]
fn rollup_ultimate_parent_counts_families_without_reloading() {
    let p = loaded();
    let r = json(&p, true, &["report", "revenue-share"]);
    // Families: Globex = GLB01-04 (10k + 20k + 5k + 0 = 35k; g1, r1, shared, l1, u1);
    // Orphan = ORP01 (its parent is missing, so it is a top) + ORP02 = 10k (o1);
    // Solo = 40k (s1); Totals = TOT01-03 = 18k (p1, c1).
    assert_eq!(r["totals"]["customers"], 4);
    assert_eq!(r["totals"]["arr"], 103_000.0);
    assert_eq!(r["totals"]["arr_coverage"], 1.0);
    // shared, linked by GLB02 and GLB03, counts once for Globex.
    assert_eq!(r["totals"]["customer_workspaces"], 9);
    assert_eq!(r["totals"]["workspaces"], 10);
    // SSO: Globex (g1, l1), Orphan (o1), Totals (c1) = 35k + 10k + 18k.
    assert_eq!(counts(feature(&r, "sso")), (3, 63_000.0));
    assert_close(&feature(&r, "sso")["customer_share"], 0.75);
    // SCIM from Globex Lyon's and the shared workspace: the whole family's 35k, once.
    assert_eq!(counts(feature(&r, "scim")), (1, 35_000.0));
    assert_eq!(feature(&r, "scim")["workspaces"], 2);
    assert_eq!(feature(&r, "scim")["users"], 13);
    // Forced MFA: Globex through u1 of its member at ARR 0, and Solo: 35k + 40k.
    assert_eq!(counts(feature(&r, "forced_mfa")), (2, 75_000.0));
    // Workspace counts do not depend on the rollup.
    assert_eq!(feature(&r, "sso")["workspaces"], 5);
    assert_eq!(feature(&r, "sso")["users"], 24);
    assert_eq!(r["coverage"]["accounts_without_workspace"], 0);
    assert_eq!(r["coverage"]["arr_without_workspace"], 0.0);
    assert_eq!(r["snapshots"][1]["customers"], "account families");

    let i = json(&p, true, &["report", "idps"]);
    assert_eq!(i["total_arr"], 103_000.0);
    // Okta on l1 and r1 (Globex, once) and c1 (Totals): 35k + 18k.
    assert_eq!(idp(&i, "Okta")["customers"], 2);
    assert_eq!(idp(&i, "Okta")["arr"], 53_000.0);
    assert_eq!(idp(&i, "Okta")["connections"], 3);
    // Entra on g1 (Globex) and s1 (Solo): 35k + 40k.
    assert_eq!(idp(&i, "Microsoft Entra ID")["customers"], 2);
    assert_eq!(idp(&i, "Microsoft Entra ID")["arr"], 75_000.0);

    // And back: the default gives the account numbers again from the same store.
    let again = json(&p, false, &["report", "revenue-share"]);
    assert_eq!(again["totals"]["customers"], 7);
}

#[test]
fn reports_say_when_customers_are_account_families() {
    let p = loaded();
    let families = p.run(&["--config", "families.toml", "report", "revenue-share"]);
    assert!(
        families.contains("4 customers hold $103k of attributable ARR across their 9 workspaces")
            && families.contains("Customers are account families: a top account with every account below it"),
        "{families}"
    );
    assert!(
        families.contains("A customer is a Salesforce account family with ARR > 0"),
        "{families}"
    );
    assert!(
        families.contains("| arr | 2026-09-30 | arr.csv (customers: account families) |"),
        "{families}"
    );
    for report in [
        &["report", "idps"][..],
        &["doctor"],
        &["report", "quarterly", "--quarter", "2026Q3"],
    ] {
        let args: Vec<&str> = ["--config", "families.toml"].iter().chain(report).copied().collect();
        let md = p.run(&args);
        assert!(md.contains("Customers are account families"), "{report:?}:\n{md}");
        let md = p.run(report);
        assert!(!md.contains("account families"), "{report:?}:\n{md}");
    }
    let html = p.run(&[
        "--config",
        "families.toml",
        "report",
        "revenue-share",
        "--format",
        "html",
    ]);
    assert!(
        html.contains("Customers are account families") && html.contains("(customers: account families)"),
        "{html}"
    );
    let html = p.run(&["report", "revenue-share", "--format", "html"]);
    assert!(!html.contains("account families"), "{html}");
    let accounts = p.run(&["report", "revenue-share"]);
    assert!(
        accounts.contains("A customer is a Salesforce account with ARR > 0"),
        "{accounts}"
    );
    p.run(&["load", "flags", "flags.csv", "--as-of", "2026-06-30"]);
    p.run(&["load", "arr", "arr.csv", "--as-of", "2026-06-30"]);
    let blurb = p.run(&[
        "--config",
        "families.toml",
        "report",
        "blurb",
        "--feature",
        "sso",
        "--from",
        "2026-06-30",
        "--to",
        AS_OF,
    ]);
    assert!(blurb.contains("Salesforce account families with ARR > 0"), "{blurb}");
}

#[test]
fn doctor_lists_missing_parents_and_parents_that_hold_their_childrens_arr() {
    let p = loaded();
    for (families, missing_arr) in [(false, 7_000.0), (true, 10_000.0)] {
        let d = json(&p, families, &["doctor"]);
        let missing = finding(&d, "missing-parents");
        assert_eq!(missing["count"], 1);
        // Under families ORP01 heads its own family with ORP02: 7k + 3k.
        assert_eq!(missing["arr"], missing_arr, "families: {families}");
        assert_eq!(missing["items"][0]["account_id"], "0015g00000ORP01AAH");
        assert_eq!(missing["items"][0]["parent_id"], "0015g00000ZZZ99AAH");
        let double = finding(&d, "double-counted-parents");
        // TOT01's 9k = TOT02's 3k + TOT03's 6k; GLB01 (10k vs 20k) and GLB02 (20k vs 5k) are not.
        assert_eq!(double["count"], 1);
        assert_eq!(double["arr"], 9_000.0);
        assert_eq!(double["items"][0]["account_name"], "Totals Group");
        assert_eq!(double["items"][0]["children"], 2);
    }
    // shared has SCIM without SSO: under accounts GLB02 and GLB03 each own it (20k + 5k);
    // under families Globex owns it once (35k), though two of its accounts link it.
    for (families, owners, arr) in [(false, 2, 25_000.0), (true, 1, 35_000.0)] {
        let breaks = finding(&json(&p, families, &["doctor"]), "prerequisite-breaks").clone();
        assert_eq!(
            (breaks["count"].as_i64().unwrap(), breaks["arr"].as_f64().unwrap()),
            (owners, arr)
        );
    }
    let d = json(&p, false, &["doctor"]);
    // ORP02 (3k) and TOT03 (6k) have no workspace of their own...
    assert_eq!(finding(&d, "accounts-without-workspace")["count"], 2);
    // ...but their families do.
    let d = json(&p, true, &["doctor"]);
    assert_eq!(finding(&d, "accounts-without-workspace")["count"], 0);
    assert_eq!(d["attributable_arr"], 103_000.0);

    let out = p
        .cmd()
        .args(["doctor", "--fail-on", "missing-parents=0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a --fail-on key: {out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("(missing-parents): 1, above the --fail-on limit of 0"));
}

#[test]
fn a_cycle_of_parent_links_fails_the_load_naming_its_accounts() {
    let p = loaded();
    let before = std::fs::read(p.path("featurearr.duckdb")).unwrap();
    let err = p.fail(&["load", "arr", "arr-cycle.csv", "--as-of", AS_OF]);
    assert!(
        err.contains(
            "arr-cycle.csv: the ParentId links form a cycle: 0015g00000CYC01AAH (Cycle One, line 3) -> \
             0015g00000CYC03AAH (Cycle Three, line 5) -> 0015g00000CYC02AAH (Cycle Two, line 4) -> 0015g00000CYC01AAH"
        ),
        "{err}"
    );
    assert_eq!(
        std::fs::read(p.path("featurearr.duckdb")).unwrap(),
        before,
        "the store is unchanged"
    );
    assert_eq!(json(&p, true, &["report", "revenue-share"])["totals"]["customers"], 4);
}

#[test]
fn an_api_name_file_and_a_configured_parent_column_give_the_same_families() {
    let p = Project::new("hierarchy");
    p.run(&["load", "flags", "flags.csv", "--as-of", AS_OF]);
    // The fixture's Globex family as API names (18-character IDs, ParentId), and again
    // with a header the config maps through [salesforce.columns] parent.
    let api = "Id,Name,ParentId,ARR__c,Workspace_ID__c\n\
               0015g00000GLB01AAH,Globex Holdings,,10000,g1\n\
               0015g00000GLB02AAH,Globex Europe,0015g00000GLB01AAH,20000,r1;shared\n\
               0015g00000GLB03AAH,Globex Lyon,0015g00000GLB02AAH,5000,l1;shared\n\
               0015g00000GLB04AAH,Globex US,0015g00000GLB01AAH,0,u1\n";
    p.write("api.csv", api);
    p.run(&["load", "arr", "api.csv", "--as-of", AS_OF]);
    let r = json(&p, true, &["report", "revenue-share"]);
    assert_eq!(r["totals"]["customers"], 1);
    assert_eq!(r["totals"]["arr"], 35_000.0);
    assert_eq!(counts(feature(&r, "forced_mfa")), (1, 35_000.0));

    p.write("mapped.csv", api.replacen("ParentId", "Mother Account", 1));
    p.write(
        "mapped.toml",
        "[salesforce]\nrollup = \"ultimate_parent\"\n\n[salesforce.columns]\nparent = \"Mother Account\"\n",
    );
    p.run(&["--config", "mapped.toml", "load", "arr", "mapped.csv", "--as-of", AS_OF]);
    let mapped: Value = p.json(&["--config", "mapped.toml", "report", "revenue-share", "--format", "json"]);
    assert_eq!(mapped["totals"], r["totals"]);
    assert_eq!(mapped["features"], r["features"]);
}

#[test]
fn rollup_is_account_or_ultimate_parent() {
    let p = loaded();
    p.write("bad.toml", "[salesforce]\nrollup = \"parent\"\n");
    let err = p.usage_error(&["--config", "bad.toml", "report", "revenue-share"]);
    assert!(err.contains("rollup") && err.contains("ultimate_parent"), "{err}");
}

#[test]
fn a_store_of_schema_version_3_gets_parent_keys_and_the_same_families() {
    let p = loaded();
    let before = json(&p, true, &["report", "revenue-share"]);
    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    // What version 3 held: no parent keys, and no key for a parent outside every export.
    db.execute_batch(
        "ALTER TABLE accounts DROP COLUMN parent_key;
         DELETE FROM account_keys WHERE account_id = '0015g00000ZZZ99AAH';
         DROP TABLE auth0_load_verdicts;
         DROP TABLE auth0_load_verdict_basis;
         DROP TABLE auth0_load_rules;
         UPDATE schema_version SET version = 3;",
    )
    .unwrap();
    drop(db);
    assert_eq!(json(&p, true, &["report", "revenue-share"]), before);
    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    let (version, keyed): (i32, i64) = db
        .query_row(
            "SELECT (SELECT version FROM schema_version),
                    (SELECT count(*) FROM accounts a JOIN account_keys k ON k.account_key = a.parent_key
                     WHERE k.account_id = a.parent_id)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(version, 7, "the current schema version");
    assert_eq!(keyed, 7, "every account with a parent has its parent's key");
}
