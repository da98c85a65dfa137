//! Byte-identical from scratch (issue 18, item 5): two fresh stores built from the same
//! inputs give the same bytes for every report in every format (md, json, csv, html
//! and the chart files), idps included, at every snapshot date. The html tests check
//! that one store renders the same bytes twice; this checks that nothing of a store's
//! own history (keys, snapshot ids, row order on disk) reaches a report.

use crate::util::{assert_same_reports, every_report, Project};

const DATES: [&str; 3] = ["2026-03-31", "2026-06-30", "2026-09-30"];
const SOURCES: [(&str, &str); 4] = [
    ("flags", "flags-{}.csv"),
    ("arr", "arr-{}.csv"),
    ("workspace-accounts", "workspace-accounts-{}.csv"),
    ("auth0", "auth0-{}.json"),
];

/// A fresh store in its own folder, with the demo's inputs loaded in the given order.
fn fresh_store(inputs: &std::path::Path, loads: &[(&str, &str)]) -> Project {
    let p = Project::empty();
    std::fs::copy(inputs.join("featurearr.toml"), p.path("featurearr.toml")).unwrap();
    for (kind, date) in loads {
        let file = SOURCES.iter().find(|(k, _)| k == kind).unwrap().1.replace("{}", date);
        let path = inputs.join(file);
        p.run(&["load", kind, path.to_str().unwrap(), "--as-of", date]);
    }
    p
}

#[test]
fn two_fresh_stores_from_the_same_inputs_give_the_same_bytes_for_every_report() {
    // Inputs from the demo: three snapshots of every source, Auth0 dumps with logs.
    let demo = Project::empty();
    demo.run(&["demo", "--dir", "demo", "--workspaces", "3000", "--seed", "18"]);
    let inputs = demo.path("demo/inputs");
    let in_order: Vec<(&str, &str)> = DATES
        .iter()
        .flat_map(|d| SOURCES.iter().map(move |(k, _)| (*k, *d)))
        .collect();
    let first = fresh_store(&inputs, &in_order);
    let second = fresh_store(&inputs, &in_order);
    // A third store loaded newest first and sources backwards: its keys and snapshot
    // ids differ from the others', which no report may show.
    let reversed: Vec<(&str, &str)> = in_order.iter().rev().copied().collect();
    let third = fresh_store(&inputs, &reversed);
    for date in DATES {
        let want = every_report(&first, date);
        assert!(want.keys().any(|k| k.starts_with("idps.")), "{:?}", want.keys());
        assert!(want.keys().any(|k| k.ends_with(".png")), "{:?}", want.keys());
        assert_same_reports(&format!("second store at {date}"), &every_report(&second, date), &want);
        let mut reports_only = every_report(&third, date);
        let mut want_reports = want.clone();
        for listing in ["snapshots.md", "snapshots.json"] {
            reports_only.remove(listing);
            want_reports.remove(listing);
        }
        assert_same_reports(
            &format!("store loaded backwards at {date}"),
            &reports_only,
            &want_reports,
        );
        // Each report on stdout, in each of its formats, too.
        for args in [
            &["report", "revenue-share"][..],
            &["report", "idps"],
            &["doctor"],
            &["report", "quarterly", "--quarter", "2026Q3"],
        ] {
            for format in ["md", "json", "csv", "html"] {
                if format == "csv" && !matches!(args[..], ["report", "revenue-share"] | ["report", "idps"]) {
                    continue;
                }
                let mut full = args.to_vec();
                full.extend(["--format", format]);
                if !args.contains(&"quarterly") {
                    full.extend(["--as-of", date]);
                }
                assert_eq!(first.run(&full), second.run(&full), "{full:?}");
                assert_eq!(first.run(&full), third.run(&full), "{full:?} (loaded backwards)");
            }
        }
    }
}
