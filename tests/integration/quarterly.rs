//! `report quarterly`, `report blurb` and `report --output-dir`: changes worked
//! out by hand from fixtures/quarters (API-name ARR exports, CRLF, 18-char ids).
//!
//! 2026-06-30: Acme 100k (SSO, MFA), Beta 50k (MFA), Gamma 20k (SSO), Delta 10k,
//!             Gone Co 30k (SSO, MFA). 5 customers, 210k.
//! 2026-09-30: Acme 120k (SSO, SCIM, MFA), Beta 50k (turned SSO on, MFA), Gamma 20k
//!             (turned SSO off), Delta 10k, New Co 60k (new: SSO, MFA), Gone Co at 0
//!             (churned; its workspace still has SSO and MFA). 5 customers, 260k.
//! SSO ARR: 150k = Acme 100k + Gamma 20k + Gone 30k  ->  230k = Acme 120k + Beta 50k + New 60k
//!        = 150k + turned on 50k - turned off 20k + new 60k - churned 30k + retained +20k.
//! SSO workspaces 3 -> 4 (a1, b1, n1, g1); forced-MFA workspaces 3 -> 4, users at the end
//! 120 + 25 + 40 + 8 = 193, forced-MFA ARR 230k of 260k.

use crate::util::{assert_close, Project};

fn quarters() -> Project {
    let p = Project::new("quarters");
    for date in ["2026-06-30", "2026-09-30"] {
        p.run(&["load", "flags", &format!("flags-{date}.csv"), "--as-of", date]);
        p.run(&["load", "arr", &format!("arr-{date}.csv"), "--as-of", date]);
    }
    p
}

#[test]
fn quarterly_json_splits_each_features_arr_change() {
    let p = quarters();
    let r = p.json(&["report", "quarterly", "--quarter", "2026Q3", "--format", "json"]);
    assert_eq!(r["quarter"], "2026Q3");
    assert_eq!(r["period"]["end"], "2026-09-30");
    assert_eq!(r["period"]["previous_end"], "2026-06-30");
    assert_close(&r["current"]["totals"]["arr"], 260_000.0);
    assert_close(&r["previous"]["totals"]["arr"], 210_000.0);
    let fields: Vec<&String> = r["current"]["totals"].as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        ["customers", "arr", "all_arr", "arr_coverage", "workspaces"],
        "as the README documents"
    );

    let sso = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["feature"] == "sso")
        .unwrap();
    assert_eq!(sso["base_customers"], 3);
    assert_eq!(sso["customers"], 3);
    assert_close(&sso["base_arr"], 150_000.0);
    assert_close(&sso["arr"], 230_000.0);
    assert_eq!(sso["turned_on"], 1);
    assert_close(&sso["turned_on_arr"], 50_000.0);
    assert_eq!(sso["turned_off"], 1);
    assert_close(&sso["turned_off_arr"], 20_000.0);
    assert_eq!(sso["new_customers"], 1);
    assert_close(&sso["new_arr"], 60_000.0);
    assert_eq!(sso["churned_customers"], 1);
    assert_close(&sso["churned_arr"], 30_000.0);
    assert_close(&sso["retained_change"], 20_000.0);

    let features = r["features"].as_array().unwrap();
    let sso = features.iter().find(|f| f["feature"] == "sso").unwrap();
    assert_eq!(sso["previous"]["workspaces"], 3);
    assert_eq!(sso["current"]["workspaces"], 4);
    assert_close(&sso["workspaces_change_pct"], 1.0 / 3.0);
    assert_close(&sso["arr_change"], 80_000.0);

    let points: Vec<&str> = r["adoption_over_time"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["as_of"].as_str().unwrap())
        .collect();
    assert_eq!(points, ["2026-06-30", "2026-09-30"]);
}

#[test]
fn quarterly_markdown_shows_workspace_counts_at_both_dates() {
    let p = quarters();
    let md = p.run(&["report", "quarterly", "--quarter", "2026Q3"]);
    assert!(md.contains("| SSO | 3 | 4 | +33.3% |"), "{md}");
    assert!(md.contains("| Forced MFA | 3 | 4 | +33.3% |"), "{md}");
    assert!(md.contains("xychart-beta"), "{md}");
    insta::assert_snapshot!(md);
}

/// Issue 12: a count of one takes the singular noun and verb.
#[test]
fn quarterly_data_quality_counts_of_one_take_the_singular() {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    let md = p.run(&["report", "quarterly", "--quarter", "2026Q3"]);
    assert!(
        md.contains("\n- 1 workspace has no account; 1 account with ARR has no workspace ($30k).\n"),
        "{md}"
    );
}

#[test]
fn quarter_without_a_snapshot_names_the_nearest_dates() {
    let p = quarters();
    let err = p.fail(&["report", "quarterly", "--quarter", "2026Q1"]);
    assert!(err.contains("2026-03-31"), "{err}");
    assert!(err.contains("2026-06-30, 2026-09-30"), "{err}");
}

#[test]
fn blurb_states_counts_change_users_and_arr() {
    let p = quarters();
    let r = p.json(&[
        "report",
        "blurb",
        "--feature",
        "forced_mfa",
        "--from",
        "2026-06-30",
        "--to",
        "2026-09-30",
        "--format",
        "json",
    ]);
    let first = r["sentences"][0].as_str().unwrap();
    assert_eq!(
        first,
        "Between 2026-06-30 and 2026-09-30, workspaces enforcing MFA rose from 3 to 4 (+33%), now covering 193 users and $230k ARR (88% of attributable ARR)."
    );
    let sentences = r["sentences"].as_array().unwrap().len();
    assert!((2..=4).contains(&sentences), "{r:#}");
    assert_eq!(r["from"]["workspaces"], 3);
    assert_eq!(r["to"]["workspaces"], 4);
    assert_eq!(r["to"]["users"], 193);
    // Three customers on each side: the claim rests on a small sample, and it says so.
    let warnings = r["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].as_str().unwrap().contains("fewer than 5"), "{warnings:#?}");
    assert!(r["footnote"].as_str().unwrap().contains("flags 2026-06-30"));
}

#[test]
fn blurb_warns_when_the_nearest_snapshot_is_far_from_the_date() {
    let p = quarters();
    let r = p.json(&[
        "report",
        "blurb",
        "--feature",
        "sso",
        "--from",
        "2026-07-15",
        "--to",
        "2026-09-30",
        "--format",
        "json",
    ]);
    let warnings: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("2026-06-30") && w.contains("15 days")),
        "{warnings:#?}"
    );
    let md = p.run(&[
        "report",
        "blurb",
        "--feature",
        "sso",
        "--from",
        "2026-07-15",
        "--to",
        "2026-09-30",
    ]);
    assert!(md.contains("Before you paste this"), "{md}");
    assert!(md.contains("[^1]:"), "{md}");
}

#[test]
fn blurb_warns_when_the_customer_base_changed_a_lot() {
    let p = quarters();
    // A later snapshot where three new customers arrived: 5 -> 8 customers (+60%).
    let extra = "ws-x1,X,1,true,false,false\nws-x2,Y,1,true,false,false\nws-x3,Z,1,true,false,false\n";
    let flags = std::fs::read_to_string(p.path("flags-2026-09-30.csv")).unwrap() + extra;
    p.write("flags-late.csv", flags);
    let arr = std::fs::read_to_string(p.path("arr-2026-09-30.csv")).unwrap()
        + "001Aa00000XxXxXAAA,X,,1000,USD,ws-x1\r\n001Aa00000YyYyYAAA,Y,,1000,USD,ws-x2\r\n001Aa00000ZzZzZAAA,Z,,1000,USD,ws-x3\r\n";
    p.write("arr-late.csv", arr);
    p.run(&["load", "flags", "flags-late.csv", "--as-of", "2026-10-31"]);
    p.run(&["load", "arr", "arr-late.csv", "--as-of", "2026-10-31"]);
    let r = p.json(&[
        "report",
        "blurb",
        "--feature",
        "sso",
        "--from",
        "2026-06-30",
        "--to",
        "2026-10-31",
        "--format",
        "json",
    ]);
    let warnings: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("customer base changed by +60%")),
        "{warnings:#?}"
    );
}

#[test]
fn blurb_of_an_unknown_feature_lists_the_known_ones() {
    let p = quarters();
    let err = p.fail(&[
        "report",
        "blurb",
        "--feature",
        "mfa",
        "--from",
        "2026-06-30",
        "--to",
        "2026-09-30",
    ]);
    assert!(err.contains("sso, scim, forced_mfa"), "{err}");
}

#[test]
fn output_dir_renders_every_report_byte_identically() {
    let p = quarters();
    p.run(&["report", "--output-dir", "out1"]);
    p.run(&["report", "--output-dir", "out2"]);
    // Every file, the charts in their folder too.
    let mut names: Vec<String> = Vec::new();
    for dir in ["", "charts/"] {
        for entry in std::fs::read_dir(p.path("out1").join(dir)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                names.push(format!("{dir}{}", entry.file_name().into_string().unwrap()));
            }
        }
    }
    names.sort();
    for expected in [
        "revenue-share.md",
        "revenue-share.json",
        "revenue-share.csv",
        "revenue-share.html",
        "quarterly.md",
        "quarterly.json",
        "quarterly.html",
        "doctor.md",
        "blurb-sso.md",
        "index.html",
        "charts/quarterly-waterfall-sso.svg",
        "charts/quarterly-waterfall-sso.png",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
    for name in &names {
        let a = std::fs::read(p.path("out1").join(name)).unwrap();
        let b = std::fs::read(p.path("out2").join(name)).unwrap();
        assert_eq!(a, b, "{name} differs between two runs");
    }
}
