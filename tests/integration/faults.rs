//! Faults on every path of `pull auth0`, with exact counts (issue 18, item 2). Against
//! the stand-in server (`auth0_server`): a 429, a 503 and a response slower than the
//! client's timeout on each endpoint the pull calls (token, connections, organizations,
//! each organization's enabled connections, logs pages). After each, the pull succeeds
//! and every record kind is counted exactly against the server's data: connections,
//! organizations, enabled connections of each organization, successful logins of each
//! connection in the window, and the stored snapshot's rows; the faulty request was
//! retried once and nothing else failed.

use std::collections::BTreeMap;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

use crate::auth0_server::{self, Fault, FaultKind, ServerConfig, StandIn};
use crate::util::Project;

const AS_OF: &str = "2026-09-30";
const LOG_DAYS: u32 = 30;

/// Each endpoint of a pull, as (what, path prefix of its requests, which request of
/// that prefix to break). The organizations list is the first request under its
/// prefix; enabled connections are the per-organization paths below it; the second
/// logs request is a later page.
const ENDPOINTS: [(&str, &str, usize); 5] = [
    ("token", "/oauth/token", 1),
    ("connections", "/api/v2/connections", 2),
    ("organizations", "/api/v2/organizations", 1),
    ("enabled connections", "/api/v2/organizations/", 3),
    ("logs", "/api/v2/logs", 2),
];

fn server(faults: Vec<Fault>) -> StandIn {
    auth0_server::start(ServerConfig {
        connections: 120,
        organizations: 14,
        logs: 900,
        faults,
        ..ServerConfig::default()
    })
}

fn pull(p: &Project, server: &StandIn) -> std::process::Output {
    Command::cargo_bin("featurearr")
        .unwrap()
        .env_clear()
        .current_dir(p.dir.path())
        .env("AUTH0_CLIENT_ID", &server.config().client_id)
        .env("AUTH0_CLIENT_SECRET", &server.config().client_secret)
        .env("FEATUREARR_AUTH0_RPS", "0")
        .timeout(Duration::from_secs(300))
        .args(["pull", "auth0", "--domain", &server.base_url(), "--as-of", AS_OF])
        .args([
            "--log-days",
            &LOG_DAYS.to_string(),
            "--timeout",
            "1",
            "--save-dump",
            "dump.json",
        ])
        .output()
        .unwrap()
}

/// Per record kind, what a dump holds: connection ids, organization ids, each
/// organization's enabled connection ids, and each connection's successful logins in
/// the window (by log id, so a page read twice would show).
#[derive(Debug, PartialEq)]
struct Counts {
    connections: Vec<String>,
    organizations: Vec<String>,
    enabled: BTreeMap<String, Vec<String>>,
    logins: BTreeMap<String, Vec<String>>,
}

fn sorted(items: &Value, key: &str) -> Vec<String> {
    let mut ids: Vec<String> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[key].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn counts(dump: &Value, login_ids: &[String]) -> Counts {
    let enabled = dump["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_string(),
                sorted(&o["enabled_connections"], "connection_id"),
            )
        })
        .collect();
    let mut logins: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for log in dump["logs"].as_array().unwrap() {
        let id = log["log_id"].as_str().unwrap().to_string();
        if login_ids.contains(&id) {
            let connection = log["connection_id"].as_str().unwrap_or_default().to_string();
            logins.entry(connection).or_default().push(id);
        }
    }
    for ids in logins.values_mut() {
        ids.sort();
    }
    Counts {
        connections: sorted(&dump["connections"], "id"),
        organizations: sorted(&dump["organizations"], "id"),
        enabled,
        logins,
    }
}

/// Requests per endpoint prefix of a pull without faults.
fn clean_request_counts() -> BTreeMap<&'static str, usize> {
    let server = server(vec![]);
    let p = Project::empty();
    assert!(pull(&p, &server).status.success());
    ENDPOINTS
        .iter()
        .map(|(_, prefix, _)| (*prefix, server.arrivals(prefix)))
        .collect()
}

fn check_fault(clean: &BTreeMap<&str, usize>, what: &str, prefix: &str, nth: usize, kind: FaultKind) {
    let server = server(vec![Fault::nth(prefix, nth, kind.clone())]);
    let p = Project::empty();
    let out = pull(&p, &server);
    let label = format!("{kind:?} on request {nth} of {what} ({prefix})");
    assert!(
        out.status.success(),
        "{label}: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let as_of = chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap();
    let login_ids = server.login_log_ids(as_of, LOG_DAYS);
    let dump: Value = serde_json::from_str(&std::fs::read_to_string(p.path("dump.json")).unwrap()).unwrap();
    let got = counts(&dump, &login_ids);
    let want = counts(&server.dump(), &login_ids);
    assert!(
        want.connections.len() == 120 && want.organizations.len() == 14,
        "{want:?}"
    );
    assert!(
        want.logins.len() > 10,
        "logins spread over connections: {:?}",
        want.logins.len()
    );
    assert_eq!(got.connections, want.connections, "{label}: connections");
    assert_eq!(got.organizations, want.organizations, "{label}: organizations");
    assert_eq!(got.enabled, want.enabled, "{label}: enabled connections");
    assert_eq!(got.logins, want.logins, "{label}: logins per connection");

    // The faulty request was answered badly once, retried once; nothing else failed.
    let failed: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.status >= 400)
        .map(|r| format!("{} {}", r.status, r.path))
        .collect();
    match kind {
        // A slow answer is a 200 the client stopped waiting for.
        FaultKind::Slow(_) => assert!(failed.is_empty(), "{label}: {failed:?}"),
        _ => assert_eq!(failed.len(), 1, "{label}: {failed:?}"),
    }
    for (other, requests) in clean {
        let extra = usize::from(prefix.starts_with(other));
        // Counted on arrival: a slow answer may still be held back when the pull is done.
        assert_eq!(
            server.arrivals(other),
            requests + extra,
            "{label}: requests under {other}: one more than a pull without faults where it fired: {:?}\npull's stderr: {}",
            server
                .requests()
                .iter()
                .filter(|r| r.path.starts_with(other))
                .map(|r| (r.status, r.path.clone(), r.query.clone()))
                .collect::<Vec<_>>(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // And the store holds what the dump holds.
    let snapshots: Value = serde_json::from_str(
        &String::from_utf8(
            Command::cargo_bin("featurearr")
                .unwrap()
                .env_clear()
                .current_dir(p.dir.path())
                .args(["snapshots", "--format", "json"])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap(),
    )
    .unwrap();
    let auth0 = snapshots["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "auth0")
        .unwrap_or_else(|| panic!("{label}: no auth0 snapshot: {snapshots}"));
    let replay = Project::empty();
    std::fs::copy(p.path("dump.json"), replay.path("dump.json")).unwrap();
    replay.run(&[
        "load",
        "auth0",
        "dump.json",
        "--as-of",
        AS_OF,
        "--log-days",
        &LOG_DAYS.to_string(),
    ]);
    let replayed = replay.json(&["snapshots", "--format", "json"]);
    assert_eq!(
        auth0["rows"], replayed["snapshots"][0]["rows"],
        "{label}: the pulled snapshot's rows"
    );
    assert_eq!(
        auth0["details"], replayed["snapshots"][0]["details"],
        "{label}: the pulled snapshot's counts"
    );
    println!("{label}: every record once");
}

#[test]
fn a_429_on_any_endpoint_loses_and_repeats_nothing() {
    let clean = clean_request_counts();
    for (what, prefix, nth) in ENDPOINTS {
        check_fault(&clean, what, prefix, nth, FaultKind::RateLimitReset);
    }
}

#[test]
fn a_503_on_any_endpoint_loses_and_repeats_nothing() {
    let clean = clean_request_counts();
    for (what, prefix, nth) in ENDPOINTS {
        check_fault(&clean, what, prefix, nth, FaultKind::ServiceUnavailable);
    }
}

#[test]
fn an_answer_slower_than_the_timeout_on_any_endpoint_loses_and_repeats_nothing() {
    let clean = clean_request_counts();
    for (what, prefix, nth) in ENDPOINTS {
        check_fault(&clean, what, prefix, nth, FaultKind::Slow(Duration::from_secs(3)));
    }
}
