//! `report revenue-share`: numbers worked out by hand from fixtures/basic.
//!
//! The fixture: Acme (USD 120,000 on two rows, workspaces ws-a1 and ws-a2),
//! Beta (EUR 50,000 at 1.08 = 54,000, ws-b1), Gamma (GBP 10,000 at 1.27 =
//! 12,700, linked only by the workspace-accounts file with an 18-char id whose
//! 15-char form differs from Beta's by case alone), Delta ($14,000, ws-d1),
//! Churned Co (0, ws-f1), No Workspace Inc ($30,000, no workspace) and a free
//! workspace ws-e1. Customers: Acme, Beta, Gamma, Delta = 4, ARR 200,700.

use crate::util::{assert_close, Project};

const TOTAL_ARR: f64 = 200_700.0;

fn basic() -> Project {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    p
}

#[test]
fn revenue_share_json_matches_hand_computed_numbers() {
    let p = basic();
    let r = p.json(&["report", "revenue-share", "--format", "json"]);
    assert_eq!(r["as_of"], "2026-09-30");
    assert_eq!(r["currency"], "USD");
    assert_eq!(r["totals"]["customers"], 4);
    assert_close(&r["totals"]["arr"], TOTAL_ARR);
    assert_eq!(r["totals"]["workspaces"], 7);
    assert_close(&r["totals"]["arr_coverage"], TOTAL_ARR / 230_700.0);

    let features = r["features"].as_array().unwrap();
    let keys: Vec<&str> = features.iter().map(|f| f["feature"].as_str().unwrap()).collect();
    assert_eq!(keys, ["sso", "scim", "forced_mfa", "ip_allowlist"]);

    // SSO: Acme (ws-a1), Beta (ws-b1 "yes"), Delta (ws-d1 "1"); not Gamma ("0").
    // Workspaces with SSO: a1, b1, d1, e1 (free, "t"), f1 (churned) = 5, users 100+20+5+3+7.
    let sso = &features[0];
    assert_eq!(sso["label"], "SSO");
    assert_eq!(sso["customers"], 3);
    assert_close(&sso["customer_share"], 0.75);
    assert_close(&sso["arr"], 188_000.0);
    assert_close(&sso["arr_share"], 188_000.0 / TOTAL_ARR);
    assert_close(&sso["concentration"], (188_000.0 / TOTAL_ARR) / 0.75);
    assert_eq!(sso["workspaces"], 5);
    assert_eq!(sso["users"], 135);

    // SCIM: only Acme among customers (ws-a1 "yes"); workspaces a1 and f1.
    let scim = &features[1];
    assert_eq!(scim["customers"], 1);
    assert_close(&scim["arr"], 120_000.0);
    assert_eq!(scim["workspaces"], 2);
    assert_eq!(scim["users"], 107);

    // Forced MFA: Acme through ws-a2 only (ARR counted once), Beta ("y").
    let mfa = &features[2];
    assert_eq!(mfa["customers"], 2);
    assert_close(&mfa["arr"], 174_000.0);
    assert_close(&mfa["customer_share"], 0.5);
    assert_eq!(mfa["workspaces"], 3);
    assert_eq!(mfa["users"], 77);

    // IP allowlist, declared in the config; ws-a2's empty cell counts as false.
    let ip = &features[3];
    assert_eq!(ip["label"], "IP allowlist");
    assert_eq!(ip["customers"], 1);
    assert_eq!(ip["workspaces"], 2);
}

#[test]
fn coverage_counts_what_could_not_be_attributed() {
    let p = basic();
    let r = p.json(&["report", "revenue-share", "--format", "json"]);
    let c = &r["coverage"];
    assert_close(&c["attributable_arr"], TOTAL_ARR);
    assert_close(&c["all_arr"], 230_700.0);
    // ws-e1 is free; ws-f1 belongs to an account in the export (churned), so it is linked.
    assert_eq!(c["workspaces_without_account"], 1);
    assert_eq!(c["accounts_without_workspace"], 1);
    assert_close(&c["arr_without_workspace"], 30_000.0);
    assert_eq!(c["churned_accounts"], 1);
}

#[test]
fn bands_show_adoption_by_contract_size() {
    let p = basic();
    let r = p.json(&["report", "revenue-share", "--format", "json"]);
    let bands = r["bands"].as_array().unwrap();
    let labels: Vec<&str> = bands.iter().map(|b| b["band"].as_str().unwrap()).collect();
    assert_eq!(labels, ["under $10k", "$10k-$50k", "$50k-$250k", "$250k and up"]);
    // $10k-$50k: Gamma 12,700 and Delta 14,000; SSO only Delta.
    assert_eq!(bands[1]["customers"], 2);
    assert_close(&bands[1]["features"][0]["customer_share"], 0.5);
    // $50k-$250k: Acme and Beta, both with SSO.
    assert_eq!(bands[2]["customers"], 2);
    assert_close(&bands[2]["features"][0]["customer_share"], 1.0);
}

#[test]
fn revenue_share_markdown_snapshot() {
    let p = basic();
    let md = p.run(&["report", "revenue-share"]);
    insta::assert_snapshot!(md);
}

#[test]
fn revenue_share_csv_has_one_header_and_a_row_per_feature() {
    let p = basic();
    let csv = p.run(&["report", "revenue-share", "--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "feature,label,customers,customer_share,arr,arr_share,concentration,workspaces,users"
    );
    assert_eq!(lines.len(), 5);
    assert!(lines[1].starts_with("sso,SSO,3,0.75,188000.0,"), "{}", lines[1]);
}

#[test]
fn markdown_tables_keep_their_shape_whatever_the_names() {
    let p = Project::new("basic");
    p.write("featurearr.toml", "[currency]\nrates = { EUR = 1.08, GBP = 1.27 }\n[features.weird]\ncolumn = \"ip_allowlist_enabled\"\nlabel = \"A|B <script>x</script>\\nnext\"\n");
    p.load_basic("2026-09-30");
    let md = p.run(&["report", "revenue-share"]);
    for line in md.lines().filter(|l| l.starts_with('|')) {
        // Every row of a table has the same number of unescaped pipes as its header.
        let cells = line.replace("\\|", "").matches('|').count();
        assert!(cells >= 4, "{line}");
    }
    assert!(!md.contains("<script>"));
    let table: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| feature |"))
        .take_while(|l| l.starts_with('|'))
        .collect();
    let widths: Vec<usize> = table
        .iter()
        .map(|l| l.replace("\\|", "").matches('|').count())
        .collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "{table:#?}");
}

#[test]
fn report_is_byte_identical_across_runs() {
    let p = basic();
    let a = p.run(&["report", "revenue-share"]);
    let b = p.run(&["report", "revenue-share"]);
    assert_eq!(a, b);
}

#[test]
fn report_before_any_snapshot_names_the_source_and_command() {
    let p = basic();
    let err = p.fail(&["report", "revenue-share", "--as-of", "2026-01-01"]);
    assert!(err.contains("no flags snapshot on or before 2026-01-01"), "{err}");
    assert!(err.contains("featurearr load flags"), "{err}");
}

#[test]
fn report_uses_newest_snapshot_on_or_before_the_date() {
    let p = basic();
    // A later ARR snapshot where Delta doubled: the report of 2026-09-30 must not see it.
    let arr = std::fs::read_to_string(p.path("arr.csv"))
        .unwrap()
        .replace("$14,000.00", "$28,000.00");
    p.write("arr-later.csv", arr);
    p.run(&["load", "arr", "arr-later.csv", "--as-of", "2026-10-15"]);
    let r = p.json(&["report", "revenue-share", "--format", "json", "--as-of", "2026-09-30"]);
    assert_close(&r["totals"]["arr"], TOTAL_ARR);
    let r = p.json(&["report", "revenue-share", "--format", "json", "--as-of", "2026-10-20"]);
    assert_close(&r["totals"]["arr"], TOTAL_ARR + 14_000.0);
    let snapshots = r["snapshots"].as_array().unwrap();
    assert!(snapshots
        .iter()
        .any(|s| s["source"] == "arr" && s["as_of"] == "2026-10-15"));
    assert!(snapshots
        .iter()
        .any(|s| s["source"] == "flags" && s["as_of"] == "2026-09-30"));
}
