//! `report idps`: numbers worked out by hand from fixtures/basic/auth0.json.
//!
//! Connections (as_of 2026-09-30, log window 2026-09-01..2026-09-30):
//! - con_OktaNative0001  okta   metadata ws-a1 (Acme)          3 logins in window, 1 on 2026-08-31
//! - con_SamlOkta00002   samlp  beta.okta.com, name ws-b1-sso (Beta)   2 logins
//! - con_WaadDelta0003   waad   via org_DeltaOrg000001 metadata ws-d1 (Delta)  1 login, 1 failure
//! - con_OidcUnknown04   oidc   sso.example.net, metadata ws-e1 (free workspace)
//! - con_OneLoginGam05   samlp  gamma.onelogin.com, metadata ws-c1 (Gamma)
//! - con_OneLoginAcm06   samlp  acme.onelogin.com, name ws-a2-sso (Acme)
//! - con_StaleLegacy07   samlp  unknown host, enabled on an org without metadata: unmapped
//! - a database and a social connection: not IdPs.
//!
//! Okta: Acme 120,000 + Beta 54,000 = 174,000, 2 connections, 5 logins.
//! OneLogin: Acme 120,000 + Gamma 12,700 = 132,700. Entra: Delta 14,000, 1 login.
//! Other OIDC: one connection on a free workspace, 0 customers.

use crate::auth0_server::{self, ServerConfig};
use crate::util::{assert_close, Project};

const TOTAL_ARR: f64 = 200_700.0;

fn with_auth0() -> Project {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    p.run(&["load", "auth0", "auth0.json", "--as-of", "2026-09-30"]);
    p
}

#[test]
fn idps_json_matches_hand_computed_numbers_in_order() {
    let p = with_auth0();
    let r = p.json(&["report", "idps", "--format", "json"]);
    assert_eq!(r["as_of"], "2026-09-30");
    assert_eq!(r["currency"], "USD");
    assert_close(&r["total_arr"], TOTAL_ARR);
    let idps = r["idps"].as_array().unwrap();
    let names: Vec<&str> = idps.iter().map(|i| i["idp"].as_str().unwrap()).collect();
    assert_eq!(names, ["Okta", "OneLogin", "Microsoft Entra ID", "Other OIDC"]);

    let okta = &idps[0];
    assert_eq!(okta["connections"], 2);
    assert_eq!(okta["workspaces"], 2);
    assert_eq!(okta["customers"], 2);
    assert_close(&okta["arr"], 174_000.0);
    assert_close(&okta["arr_share"], 174_000.0 / TOTAL_ARR);
    assert_eq!(okta["logins"], 5);

    let onelogin = &idps[1];
    assert_eq!(onelogin["customers"], 2);
    assert_close(&onelogin["arr"], 132_700.0);
    assert_eq!(onelogin["logins"], 0);

    let entra = &idps[2];
    assert_eq!(entra["customers"], 1);
    assert_close(&entra["arr"], 14_000.0);
    assert_eq!(entra["logins"], 1);

    let other = &idps[3];
    assert_eq!(other["connections"], 1);
    assert_eq!(other["workspaces"], 1);
    assert_eq!(other["customers"], 0);
    assert_close(&other["arr"], 0.0);

    // Every spec field and nothing else in an idp row.
    let keys: Vec<&String> = okta.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "idp",
            "connections",
            "workspaces",
            "customers",
            "arr",
            "arr_share",
            "logins"
        ]
    );
}

#[test]
fn integration_candidates_count_customers_on_generic_connections_only() {
    let p = with_auth0();
    let r = p.json(&["report", "idps", "--format", "json"]);
    let c = r["integration_candidates"].as_array().unwrap();
    let names: Vec<&str> = c.iter().map(|i| i["idp"].as_str().unwrap()).collect();
    assert_eq!(names, ["OneLogin", "Okta"]);
    assert_eq!(c[0]["customers"], 2);
    assert_close(&c[0]["arr"], 132_700.0);
    // Acme already reaches Okta natively; only Beta would gain from a native Okta integration.
    assert_eq!(c[1]["customers"], 1);
    assert_close(&c[1]["arr"], 54_000.0);
    assert_eq!(c[1]["native_customers"], 1);
}

#[test]
fn unmapped_connections_are_listed_not_dropped() {
    let p = with_auth0();
    let r = p.json(&["report", "idps", "--format", "json"]);
    let unmapped = r["unmapped_connections"].as_array().unwrap();
    assert_eq!(unmapped.len(), 1);
    assert_eq!(unmapped[0]["connection_id"], "con_StaleLegacy07");
    let md = p.run(&["report", "idps"]);
    assert!(
        md.contains("con\\_StaleLegacy07") || md.contains("con_StaleLegacy07"),
        "{md}"
    );
    // Issue 12: the noun and verb agree with the count.
    assert!(
        md.contains("\n1 enterprise connection maps to no workspace and is not counted above"),
        "{md}"
    );
    let doctor = p.json(&["doctor", "--format", "json"]);
    let finding = doctor["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "unmapped-connections")
        .unwrap();
    assert_eq!(finding["count"], 1);
    assert_eq!(finding["items"][0]["name"], "legacy-sso");
}

#[test]
fn every_connection_records_the_rule_that_classified_it() {
    let p = with_auth0();
    // SPEC 6: the JSON lists every connection only with --explain.
    let r = p.json(&["report", "idps", "--format", "json"]);
    assert!(r.get("connections").is_none(), "{r:#}");
    let r = p.json(&["report", "idps", "--format", "json", "--explain"]);
    let conns = r["connections"].as_array().unwrap();
    // Database and social connections are not IdPs.
    assert_eq!(conns.len(), 7, "{conns:#?}");
    let rule = |id: &str| {
        conns.iter().find(|c| c["connection_id"] == id).unwrap()["vendor_rule"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(rule("con_OktaNative0001").contains("okta"));
    assert!(rule("con_SamlOkta00002").contains("beta.okta.com"));
    assert!(rule("con_OneLoginGam05").contains("onelogin"));
    let mapped_by = conns
        .iter()
        .find(|c| c["connection_id"] == "con_WaadDelta0003")
        .unwrap()["mapped_by"]
        .as_str()
        .unwrap();
    assert!(mapped_by.contains("org_DeltaOrg000001"), "{mapped_by}");
    let md = p.run(&["report", "idps", "--explain"]);
    assert!(md.contains("How each connection was classified"), "{md}");
    assert!(md.contains("gamma \\| &lt;b&gt;sso&lt;/b&gt;"), "{md}");
}

#[test]
fn idps_csv_writes_the_same_rows() {
    let p = with_auth0();
    let csv = p.run(&["report", "idps", "--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "idp,connections,workspaces,customers,arr,arr_share,logins");
    assert_eq!(lines.len(), 5);
    assert!(lines[1].starts_with("Okta,2,2,2,174000.0,"), "{}", lines[1]);
}

#[test]
fn logins_are_null_without_logs() {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    let mut dump: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("auth0.json")).unwrap()).unwrap();
    dump.as_object_mut().unwrap().remove("logs");
    p.write("nologs.json", dump.to_string());
    p.run(&["load", "auth0", "nologs.json", "--as-of", "2026-09-30"]);
    let r = p.json(&["report", "idps", "--format", "json"]);
    assert!(r["idps"][0]["logins"].is_null(), "{:#}", r["idps"][0]);
}

#[test]
fn change_against_the_previous_auth0_snapshot() {
    let p = with_auth0();
    // An earlier snapshot without the OneLogin connections.
    let mut dump: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("auth0.json")).unwrap()).unwrap();
    dump["connections"]
        .as_array_mut()
        .unwrap()
        .retain(|c| !c["id"].as_str().unwrap().starts_with("con_OneLogin"));
    p.write("earlier.json", dump.to_string());
    p.load_basic("2026-06-30");
    p.run(&["load", "auth0", "earlier.json", "--as-of", "2026-06-30"]);
    let r = p.json(&["report", "idps", "--format", "json"]);
    assert_eq!(r["change"]["previous_auth0_as_of"], "2026-06-30");
    let rows = r["change"]["rows"].as_array().unwrap();
    let onelogin = rows.iter().find(|x| x["idp"] == "OneLogin").unwrap();
    assert_eq!(onelogin["new"], true);
    let okta = rows.iter().find(|x| x["idp"] == "Okta").unwrap();
    assert_eq!(okta["customers_change"], 0);
    // Fewer than 5 customers on every vendor here: each is flagged as a small sample.
    assert_eq!(r["small_sample"].as_array().unwrap().len(), 4);
}

#[test]
fn pull_gives_the_same_report_as_loading_the_servers_dump() {
    let server = auth0_server::start(ServerConfig::default());
    let p = Project::new("basic");
    p.write("featurearr.toml", "[currency]\nrates = { EUR = 1.08, GBP = 1.27 }\n");
    p.load_basic("2026-09-30");
    p.write("server-dump.json", server.dump().to_string());

    let pulled = Project::new("basic");
    pulled.write("featurearr.toml", "[currency]\nrates = { EUR = 1.08, GBP = 1.27 }\n");
    pulled.load_basic("2026-09-30");
    let out = pulled
        .cmd()
        .env("AUTH0_CLIENT_ID", &server.config().client_id)
        .env("AUTH0_CLIENT_SECRET", &server.config().client_secret)
        .env("FEATUREARR_AUTH0_RPS", "0")
        .args([
            "pull",
            "auth0",
            "--domain",
            &server.base_url(),
            "--as-of",
            "2026-09-30",
            "--log-days",
            "30",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    p.run(&[
        "load",
        "auth0",
        "server-dump.json",
        "--as-of",
        "2026-09-30",
        "--log-days",
        "30",
    ]);
    let from_dump = p.run(&["report", "idps", "--format", "json", "--explain"]);
    let from_pull = pulled.run(&["report", "idps", "--format", "json", "--explain"]);
    let strip = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v.as_object_mut().unwrap().remove("snapshots");
        v
    };
    assert_eq!(strip(&from_pull), strip(&from_dump));
    assert!(!strip(&from_pull)["connections"].as_array().unwrap().is_empty());
}
