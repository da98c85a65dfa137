//! Tests of the demo generator that read its files back the way a user's tools would:
//! determinism, the numbers the brief promises, and the exact shapes of each format.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;

/// A fresh folder under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("featurearr-demo-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn generate(name: &str, workspaces: usize, seed: u64) -> (Scratch, DemoInputs) {
    let scratch = Scratch::new(name);
    let inputs = write_inputs(&scratch.0, &DemoOptions { workspaces, seed }).unwrap();
    (scratch, inputs)
}

fn all_files(inputs: &DemoInputs) -> Vec<PathBuf> {
    let mut files = vec![inputs.config.clone()];
    for s in &inputs.snapshots {
        files.extend([
            s.flags.clone(),
            s.arr.clone(),
            s.workspace_accounts.clone(),
            s.auth0.clone(),
        ]);
    }
    files
}

fn parse_bool(s: &str) -> bool {
    match s.to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" => true,
        "false" | "f" | "no" | "n" | "0" | "" => false,
        other => panic!("unparseable boolean {other:?}"),
    }
}

struct FlagRow {
    id: String,
    name: String,
    users: u64,
    sso: bool,
    scim: bool,
    mfa: bool,
    ip: bool,
}

fn read_flags(path: &Path) -> Vec<FlagRow> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "workspace_id",
            "workspace_name",
            "users",
            "sso_enabled",
            "scim_enabled",
            "mfa_enforced",
            "ip_allowlist_enabled"
        ]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            FlagRow {
                id: r[0].to_string(),
                name: r[1].to_string(),
                users: r[2].parse().unwrap(),
                sso: parse_bool(&r[3]),
                scim: parse_bool(&r[4]),
                mfa: parse_bool(&r[5]),
                ip: parse_bool(&r[6]),
            }
        })
        .collect()
}

struct ArrRow {
    id: String,
    arr_usd: f64,
    currency: String,
    workspaces: Vec<String>,
}

/// Data rows and the footer lines (after the first blank line) of a report export.
fn read_arr(path: &Path) -> (Vec<ArrRow>, Vec<String>) {
    let text = fs::read_to_string(path).unwrap();
    assert!(!text.contains('\r'), "report exports end rows with LF");
    let (data, footer) = text.split_once("\n\n").expect("blank line before the footer");
    let mut reader = csv::Reader::from_reader(data.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "Account ID",
            "Account Name",
            "Parent Account ID",
            "Annual Recurring Revenue",
            "Account Currency",
            "Workspace ID",
            "Last Modified Date"
        ]
    );
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let currency = r[4].to_string();
            let rate = match currency.as_str() {
                "USD" => 1.0,
                "EUR" => 1.08,
                "GBP" => 1.27,
                other => panic!("unexpected currency {other}"),
            };
            let amount: f64 = r[3]
                .trim_start_matches(&format!("{currency} "))
                .trim_start_matches('$')
                .replace(',', "")
                .parse()
                .unwrap_or_else(|_| panic!("money cell {:?}", &r[3]));
            let workspaces = r[5].split(';').filter(|s| !s.is_empty()).map(str::to_string).collect();
            ArrRow {
                id: r[0].to_string(),
                arr_usd: amount * rate,
                currency,
                workspaces,
            }
        })
        .collect();
    (rows, footer.lines().map(str::to_string).collect())
}

fn read_mapping(path: &Path) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["workspace_id", "account_id"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect()
}

/// Account (15-char id) → its workspaces, from the export cells and the mapping file.
fn account_workspaces(arr: &[ArrRow], mapping: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in arr {
        out.entry(row.id.clone())
            .or_default()
            .extend(row.workspaces.iter().cloned());
    }
    for (ws, account18) in mapping {
        if let Some(set) = out.get_mut(&account18[..15]) {
            set.insert(ws.clone());
        }
    }
    out
}

/// Written apart from `salesforce::id18`, from the wording of reference §2.5.
fn independent_suffix(id15: &str) -> String {
    let alphabet: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".chars().collect();
    let chars: Vec<char> = id15.chars().collect();
    (0..3)
        .map(|chunk| {
            let mut index = 0;
            for j in 0..5 {
                if chars[chunk * 5 + j].is_ascii_uppercase() {
                    index += 1 << j;
                }
            }
            alphabet[index]
        })
        .collect()
}

#[test]
fn write_inputs_same_seed_byte_identical() {
    let (_a, first) = generate("same-a", 1500, 7);
    let (_b, second) = generate("same-b", 1500, 7);
    for (x, y) in all_files(&first).iter().zip(all_files(&second)) {
        assert_eq!(x.file_name(), y.file_name());
        assert!(
            fs::read(x).unwrap() == fs::read(&y).unwrap(),
            "{} differs between runs",
            x.display()
        );
    }
}

#[test]
fn write_inputs_different_seed_different_files() {
    let (_a, first) = generate("diff-a", 800, 1);
    let (_b, second) = generate("diff-b", 800, 2);
    for (x, y) in all_files(&first).iter().zip(all_files(&second)).skip(1) {
        assert!(
            fs::read(x).unwrap() != fs::read(&y).unwrap(),
            "{} same for two seeds",
            x.display()
        );
    }
}

#[test]
fn write_inputs_layout_and_dates_fixed() {
    let (scratch, inputs) = generate("layout", 300, 42);
    let dates: Vec<String> = inputs.snapshots.iter().map(|s| s.as_of.to_string()).collect();
    assert_eq!(dates, ["2026-03-31", "2026-06-30", "2026-09-30"]);
    let dir = scratch.0.join("inputs");
    assert_eq!(inputs.config, dir.join("featurearr.toml"));
    assert_eq!(inputs.snapshots[2].flags, dir.join("flags-2026-09-30.csv"));
    assert_eq!(inputs.snapshots[0].arr, dir.join("arr-2026-03-31.csv"));
    assert_eq!(
        inputs.snapshots[1].workspace_accounts,
        dir.join("workspace-accounts-2026-06-30.csv")
    );
    assert_eq!(inputs.snapshots[1].auth0, dir.join("auth0-2026-06-30.json"));
    let config = fs::read_to_string(&inputs.config).unwrap();
    for line in [
        "reporting = \"USD\"",
        "rates = { EUR = 1.08, GBP = 1.27 }",
        "[features.ip_allowlist]",
        "column = \"ip_allowlist_enabled\"",
        "label = \"IP allowlist\"",
        "requires = \"sso\"",
        "connection_name_pattern = \"^ws-(.+)-sso$\"",
    ] {
        assert!(config.contains(line), "config lacks {line}");
    }
}

#[test]
fn demo_2000_numbers_tell_the_story() {
    let (_s, inputs) = generate("story", 2000, 42);
    let newest = &inputs.snapshots[2];
    let flags = read_flags(&newest.flags);
    let (arr, footer) = read_arr(&newest.arr);
    let mapping = read_mapping(&newest.workspace_accounts);

    // Size: about the requested workspaces; ids unique.
    assert!((1800..=2100).contains(&flags.len()), "{} workspaces", flags.len());
    let ids: BTreeSet<&str> = flags.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), flags.len(), "duplicate workspace ids");

    // Free workspaces: in no export cell and no mapping row.
    let linked: BTreeSet<&str> = arr
        .iter()
        .flat_map(|r| r.workspaces.iter().map(String::as_str))
        .chain(mapping.iter().map(|(ws, _)| ws.as_str()))
        .collect();
    let free = flags.iter().filter(|f| !linked.contains(f.id.as_str())).count();
    let free_share = free as f64 / flags.len() as f64;
    assert!((0.10..0.22).contains(&free_share), "free share {free_share}");

    // Accounts: about 1 per 5 workspaces (issue 6); most have 1-2 workspaces, the biggest
    // customers dozens.
    let by_account = account_workspaces(&arr, &mapping);
    let accounts = by_account.len();
    assert!((340..=470).contains(&accounts), "{accounts} accounts");
    let widest = by_account.values().map(BTreeSet::len).max().unwrap_or(0);
    assert!((20..=400).contains(&widest), "widest account has {widest} workspaces");
    let one_or_two = by_account.values().filter(|w| (1..=2).contains(&w.len())).count();
    assert!(one_or_two * 2 > accounts, "most accounts have 1-2 workspaces");
    assert!(
        by_account.values().any(|w| w.is_empty()),
        "some ARR is not attributable"
    );

    // Currencies, churn, money spellings.
    let mut currencies = BTreeMap::new();
    let mut arr_by_account = BTreeMap::new();
    for row in &arr {
        arr_by_account.insert(row.id.clone(), row.arr_usd);
        *currencies.entry(row.currency.as_str()).or_insert(0) += 1;
    }
    assert!(
        currencies.contains_key("EUR") && currencies.contains_key("GBP"),
        "{currencies:?}"
    );
    let churned = arr_by_account.values().filter(|a| **a == 0.0).count();
    assert!(churned * 100 >= accounts * 2, "{churned} churned of {accounts}");
    let text = fs::read_to_string(&newest.arr).unwrap();
    for pattern in ["\"USD ", "\"$", "\"EUR ", ",\"0.00\"", ".00\""] {
        assert!(text.contains(pattern), "no money cell like {pattern}");
    }
    let mut sorted: Vec<f64> = arr_by_account.values().copied().filter(|a| *a > 0.0).collect();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    assert!((10_000.0..32_000.0).contains(&median), "median ARR {median}");
    assert!(sorted.last().copied().unwrap() > 500_000.0, "no long tail");

    // Footer exactly as a report export ends.
    assert_eq!(
        footer,
        [
            format!("\"Grand Totals ({} records)\"", arr.len()),
            String::new(),
            "\"Confidential Information - Do Not Distribute\"".to_string(),
            "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"".to_string(),
        ]
    );

    // SSO tracks size; SCIM only with SSO.
    let sso: BTreeSet<&str> = flags.iter().filter(|f| f.sso).map(|f| f.id.as_str()).collect();
    let share = |lo: f64, hi: f64| {
        let group: Vec<bool> = by_account
            .iter()
            .filter(|(id, w)| !w.is_empty() && (lo..hi).contains(&arr_by_account[*id]))
            .map(|(_, w)| w.iter().any(|ws| sso.contains(ws.as_str())))
            .collect();
        (
            group.iter().filter(|x| **x).count() as f64 / group.len().max(1) as f64,
            group.len(),
        )
    };
    let (small, n_small) = share(1.0, 10_000.0);
    let (big, n_big) = share(250_000.0, f64::INFINITY);
    assert!(n_small > 50 && n_big >= 5, "{n_small} small, {n_big} big accounts");
    assert!(small < 0.3 && big > 0.6, "SSO share small {small}, big {big}");
    assert!(flags.iter().all(|f| f.sso || !f.scim), "SCIM without SSO");
    let mfa = flags.iter().filter(|f| f.mfa).count() as f64 / flags.len() as f64;
    assert!((0.15..0.5).contains(&mfa), "MFA share {mfa}");
    let ip = flags.iter().filter(|f| f.ip).count() as f64 / flags.len() as f64;
    assert!(ip > 0.0 && ip < 0.06, "IP allowlist share {ip}");
    assert!(flags.iter().all(|f| f.users >= 1));
}

/// Issue 6: `demo --workspaces 1000000` writes about 1M workspaces, 200k accounts, 20k
/// Auth0 enterprise connections and 1M login events. Pinned as ratios to the workspaces asked
/// for, in the newest snapshot, at a size where the biggest customers are as big as at 1M.
#[test]
fn demo_counts_per_workspace_match_issue_6() {
    let workspaces = 20_000;
    let (_s, inputs) = generate("issue-6", workspaces, 42);
    let newest = &inputs.snapshots[2];
    let per_workspace = |n: usize| n as f64 / workspaces as f64;

    let flags = read_flags(&newest.flags).len();
    let (arr, _) = read_arr(&newest.arr);
    let accounts = arr.iter().map(|r| r.id.as_str()).collect::<BTreeSet<_>>().len();
    let dump: serde_json::Value = serde_json::from_slice(&fs::read(&newest.auth0).unwrap()).unwrap();
    let connections = dump["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !matches!(c["strategy"].as_str(), Some("auth0" | "google-oauth2")))
        .count();
    let logs = dump["logs"].as_array().unwrap().len();

    assert!((0.95..=1.0).contains(&per_workspace(flags)), "{flags} workspaces");
    assert!((0.17..=0.23).contains(&per_workspace(accounts)), "{accounts} accounts");
    assert!(
        (0.017..=0.023).contains(&per_workspace(connections)),
        "{connections} connections"
    );
    // A third of "one login per workspace" in each of the three dumps.
    assert!((0.30..=0.36).contains(&per_workspace(logs)), "{logs} log events");
}

#[test]
fn demo_quarters_evolve_with_stable_ids() {
    let (_s, inputs) = generate("evolve", 3000, 42);
    let q: Vec<Vec<FlagRow>> = inputs.snapshots.iter().map(|s| read_flags(&s.flags)).collect();
    let ids = |rows: &[FlagRow]| rows.iter().map(|f| f.id.clone()).collect::<BTreeSet<_>>();
    let (first, last) = (ids(&q[0]), ids(&q[2]));
    let kept = first.intersection(&last).count();
    assert!(kept as f64 > 0.95 * first.len() as f64, "ids not stable");
    assert!(last.difference(&first).count() > 50, "no new workspaces");
    assert!(first.difference(&last).count() > 0, "no workspace ever goes away");
    // Adoption among paying customers (any workspace with the feature) rises each quarter.
    let adoption = |s: &DemoSnapshot, rows: &[FlagRow], pick: fn(&FlagRow) -> bool| {
        let (arr, _) = read_arr(&s.arr);
        let paying: BTreeSet<String> = arr.iter().filter(|r| r.arr_usd > 0.0).map(|r| r.id.clone()).collect();
        let with: BTreeSet<&str> = rows.iter().filter(|f| pick(f)).map(|f| f.id.as_str()).collect();
        let present: BTreeSet<&str> = rows.iter().map(|f| f.id.as_str()).collect();
        let customers: Vec<bool> = account_workspaces(&arr, &read_mapping(&s.workspace_accounts))
            .into_iter()
            .filter(|(id, ws)| paying.contains(id) && ws.iter().any(|w| present.contains(w.as_str())))
            .map(|(_, ws)| ws.iter().any(|w| with.contains(w.as_str())))
            .collect();
        customers.iter().filter(|x| **x).count() as f64 / customers.len() as f64
    };
    type Pick = fn(&FlagRow) -> bool;
    let features: [(&str, Pick); 3] = [("sso", |f| f.sso), ("scim", |f| f.scim), ("mfa", |f| f.mfa)];
    for (name, pick) in features {
        let a = adoption(&inputs.snapshots[0], &q[0], pick);
        let b = adoption(&inputs.snapshots[1], &q[1], pick);
        let c = adoption(&inputs.snapshots[2], &q[2], pick);
        // Two points, or 15% for a feature that few have: SCIM needs SSO, which about a tenth
        // of customers run (issue 6).
        let rise = (0.15 * a).min(0.02);
        assert!(b > a && c > b && c > a + rise, "{name} adoption {a} -> {b} -> {c}");
    }
    // Some workspace switched SSO off between the first and last quarter.
    let sso_first: BTreeSet<&str> = q[0].iter().filter(|f| f.sso).map(|f| f.id.as_str()).collect();
    assert!(q[2].iter().any(|f| !f.sso && sso_first.contains(f.id.as_str())));

    let arr: Vec<BTreeMap<String, f64>> = inputs
        .snapshots
        .iter()
        .map(|s| read_arr(&s.arr).0.into_iter().map(|r| (r.id, r.arr_usd)).collect())
        .collect();
    let changed = arr[0]
        .iter()
        .filter(|(id, a)| arr[2].get(*id).is_some_and(|b| b != *a))
        .count();
    let vanished = arr[0].keys().filter(|id| !arr[2].contains_key(*id)).count();
    let new = arr[2].keys().filter(|id| !arr[0].contains_key(*id)).count();
    assert!(
        changed > 20 && vanished > 0 && new > 5,
        "{changed} changed, {vanished} gone, {new} new"
    );
}

#[test]
fn account_ids_checksums_join_15_and_18() {
    assert_eq!(independent_suffix("0015g00000Pq7Rs"), "AAJ");
    assert_eq!(independent_suffix("0015g00000Pq7RS"), "AAZ");
    let (_s, inputs) = generate("ids", 2000, 42);
    let mut seen_15 = BTreeSet::new();
    for snapshot in &inputs.snapshots {
        let (arr, _) = read_arr(&snapshot.arr);
        for row in &arr {
            assert_eq!(row.id.len(), 15);
            assert!(row.id.starts_with("001") && row.id.bytes().all(|b| b.is_ascii_alphanumeric()));
            let id: [u8; 15] = row.id.as_bytes().try_into().unwrap();
            let long = salesforce::id18(&id);
            assert_eq!(&long[15..], independent_suffix(&row.id).as_bytes());
            seen_15.insert(row.id.clone());
        }
        let mapping = read_mapping(&snapshot.workspace_accounts);
        assert!(!mapping.is_empty());
        for (_, id) in &mapping {
            assert_eq!(id.len(), 18);
            assert_eq!(id[15..], independent_suffix(&id[..15]), "{id}");
        }
        let known = mapping.iter().filter(|(_, id)| seen_15.contains(&id[..15])).count();
        assert!(known * 100 >= mapping.len() * 95, "mapping ids do not join the export");
    }
    // Case matters: some pair of ids differs only by case.
    let lower: BTreeSet<String> = seen_15.iter().map(|id| id.to_ascii_lowercase()).collect();
    assert!(lower.len() < seen_15.len(), "no case-only twin ids");
}

#[test]
fn flags_csv_awkward_names_and_spellings() {
    let (_s, inputs) = generate("names", 2000, 42);
    let flags = read_flags(&inputs.snapshots[0].flags);
    assert_eq!(flags.iter().filter(|f| f.name.contains('|')).count(), 1);
    assert_eq!(flags.iter().filter(|f| f.name.contains("<b>HTML</b>")).count(), 1);
    assert!(flags.iter().any(|f| f.name.contains(',')));
    assert!(flags.iter().any(|f| f.name.contains('"')));
    let text = fs::read_to_string(&inputs.snapshots[0].flags).unwrap();
    for spelling in [",true", ",false", ",TRUE", ",yes", ",0", ",N"] {
        assert!(text.contains(spelling), "no {spelling}");
    }
    let canonical = text.matches(",true").count() + text.matches(",false").count();
    assert!(
        canonical > 4 * 7 * flags.len() / 8 / 2,
        "canonical spellings should dominate"
    );
}

#[test]
fn auth0_dump_parses_in_api_shape() {
    // One enterprise connection per ~50 workspaces (issue 6): 2,000 workspaces give too few
    // to hold every rarer IdP the checks below look for; 10,000 give about 200.
    let workspaces = 10_000;
    let (_s, inputs) = generate("auth0", workspaces, 42);
    let newest = &inputs.snapshots[2];
    let flags: BTreeMap<String, FlagRow> = read_flags(&newest.flags)
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    let dump: serde_json::Value = serde_json::from_slice(&fs::read(&newest.auth0).unwrap()).unwrap();
    let keys: Vec<&str> = dump.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["connections", "organizations", "logs"]);

    let connections = dump["connections"].as_array().unwrap();
    let mut by_id = BTreeMap::new();
    let mut strategies = BTreeMap::new();
    let name_pattern = |name: &str| {
        name.strip_prefix("ws-")
            .and_then(|n| n.strip_suffix("-sso"))
            .map(str::to_string)
    };
    let (mut via_metadata, mut via_name) = (0, 0);
    for c in connections {
        for key in ["id", "name", "strategy"] {
            assert!(c[key].is_string(), "connection without {key}: {c}");
        }
        assert!(c["options"].is_object(), "connection without options: {c}");
        let id = c["id"].as_str().unwrap();
        assert!(id.starts_with("con_") && id.len() == 20, "{id}");
        let name = c["name"].as_str().unwrap();
        assert!(
            name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'),
            "bad name {name}"
        );
        assert!(by_id.insert(id.to_string(), c).is_none(), "duplicate connection id");
        *strategies
            .entry(c["strategy"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
        if let Some(ws) = c["metadata"]["workspace_id"].as_str() {
            via_metadata += 1;
            assert!(flags.contains_key(ws), "metadata points at unknown workspace {ws}");
        } else if let Some(ws) = name_pattern(name) {
            via_name += 1;
            assert!(flags.contains_key(&ws), "name points at unknown workspace {ws}");
        }
    }
    for s in ["auth0", "google-oauth2", "samlp", "waad", "okta", "oidc", "google-apps"] {
        assert!(strategies.contains_key(s), "no {s} connection: {strategies:?}");
    }
    let enterprise = connections.len() - 2;
    assert!(
        via_metadata * 3 > enterprise && via_name * 5 > enterprise,
        "{via_metadata} {via_name} of {enterprise}"
    );
    let hosts = fs::read_to_string(&newest.auth0).unwrap();
    for host in [
        "login.microsoftonline.com",
        ".okta.com",
        "onelogin.com",
        "/adfs/ls",
        "/realms/",
    ] {
        assert!(hosts.contains(host), "no {host}");
    }

    // Organizations carry enabled_connections in the endpoint's item shape.
    let mut via_org = BTreeSet::new();
    for org in dump["organizations"].as_array().unwrap() {
        assert!(org["id"].as_str().unwrap().starts_with("org_"));
        let name = org["name"].as_str().unwrap();
        assert!(
            name.len() <= 50
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        );
        for item in org["enabled_connections"].as_array().unwrap() {
            let id = item["connection_id"].as_str().unwrap();
            let c = by_id.get(id).unwrap_or_else(|| panic!("org enables unknown {id}"));
            assert_eq!(item["connection"]["name"], c["name"]);
            assert_eq!(item["connection"]["strategy"], c["strategy"]);
            assert!(item["assign_membership_on_login"].is_boolean());
            if org["metadata"]["workspace_id"].is_string() && c["strategy"] != "auth0" {
                via_org.insert(id.to_string());
            }
        }
    }
    assert!(!via_org.is_empty());

    // Stale connections: enterprise, yet no route to a workspace.
    let stale = connections
        .iter()
        .filter(|c| !matches!(c["strategy"].as_str(), Some("auth0" | "google-oauth2")))
        .filter(|c| c["metadata"]["workspace_id"].is_null())
        .filter(|c| name_pattern(c["name"].as_str().unwrap()).is_none())
        .filter(|c| !via_org.contains(c["id"].as_str().unwrap()))
        .count();
    assert!((2..=3).contains(&stale), "{stale} stale connections");

    // Logs: capped, sorted, within the 30 days, referring to real connections.
    let logs = dump["logs"].as_array().unwrap();
    // About one log per workspace over the three dumps.
    assert!(
        logs.len() * 20 > workspaces * 3 && logs.len() * 8 <= workspaces * 3,
        "{} logs",
        logs.len()
    );
    let mut last_id = String::new();
    let mut failed = 0;
    for log in logs {
        let log_id = log["log_id"].as_str().unwrap();
        assert!(log_id.len() == 56 && log_id.starts_with("900") && log_id.bytes().all(|b| b.is_ascii_digit()));
        assert!(*log_id > *last_id, "logs not in log_id order");
        last_id = log_id.to_string();
        let date = log["date"].as_str().unwrap();
        assert!(("2026-09-01".."2026-10-01").contains(&date), "{date}");
        let c = by_id
            .get(log["connection_id"].as_str().unwrap())
            .expect("log of unknown connection");
        assert_eq!(log["connection"], c["name"]);
        assert_eq!(log["strategy"], c["strategy"]);
        for key in ["client_id", "user_id", "ip", "user_agent", "hostname"] {
            assert!(log[key].is_string(), "log without {key}");
        }
        match log["type"].as_str().unwrap() {
            "s" => {}
            "f" => failed += 1,
            other => panic!("log type {other}"),
        }
    }
    assert!(failed > 0 && failed * 20 < logs.len(), "{failed} failed logins");
}
