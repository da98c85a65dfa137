//! `pull auth0` / `load auth0` end to end: the real binary against the
//! stand-in Auth0 server (`auth0_server`), in a fresh temp dir, with a
//! cleared environment.
//!
//! Needs the CLI of SPEC 1 (`pull auth0`, `load auth0`, `snapshots`), and
//! `FEATUREARR_AUTH0_RPS` for the client-side rate limit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

use crate::auth0_server::{self, Fault, FaultKind, ServerConfig, StandIn};

const AS_OF: &str = "2026-09-30";
const LOG_DAYS: u32 = 30;
/// The CLI's default `RetryPolicy::max_retries`.
const MAX_RETRIES: usize = 3;
/// The client-side limit the rate-limit test sets; the other tests pull unlimited
/// (0), so that they take a second, not the 15 s of 150 requests at 10/s.
const RPS: f64 = 10.0;

struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn db(&self) -> PathBuf {
        self.path("store.duckdb")
    }

    /// `featurearr --db DB ...` with only the variables it needs.
    fn cmd(&self, server: &StandIn) -> Command {
        let mut cmd = Command::cargo_bin("featurearr").unwrap();
        cmd.env_clear()
            .current_dir(self.dir.path())
            .env("AUTH0_CLIENT_ID", &server.config().client_id)
            .env("AUTH0_CLIENT_SECRET", &server.config().client_secret)
            .env("FEATUREARR_AUTH0_RPS", "0")
            .timeout(Duration::from_secs(300))
            .arg("--db")
            .arg(self.db());
        cmd
    }

    fn pull(&self, server: &StandIn, dump: &Path) -> assert_cmd::assert::Assert {
        self.pull_at(server, dump, 0.0)
    }

    /// A pull with a client-side limit of `rps` requests per second (0: none).
    fn pull_at(&self, server: &StandIn, dump: &Path, rps: f64) -> assert_cmd::assert::Assert {
        self.cmd(server)
            .env("FEATUREARR_AUTH0_RPS", rps.to_string())
            .args([
                "pull",
                "auth0",
                "--domain",
                &server.base_url(),
                "--as-of",
                AS_OF,
                "--save-dump",
            ])
            .arg(dump)
            .args(["--log-days", &LOG_DAYS.to_string()])
            .assert()
    }

    fn snapshots(&self, server: &StandIn) -> Vec<u8> {
        let out = self
            .cmd(server)
            .args(["snapshots", "--format", "json"])
            .assert()
            .success();
        out.get_output().stdout.clone()
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// How many times each `key` value occurs in `items`.
fn id_counts(items: &Value, key: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for item in items.as_array().unwrap() {
        *counts.entry(item[key].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    counts
}

fn assert_exactly_once(what: &str, got: &HashMap<String, usize>, want: &[String]) {
    for id in want {
        assert_eq!(got.get(id), Some(&1), "{what} {id} must appear exactly once");
    }
    assert_eq!(got.len(), want.len(), "{what}: unexpected extra ids");
}

pub fn small_server(faults: Vec<Fault>) -> StandIn {
    auth0_server::start(ServerConfig {
        connections: 60,
        organizations: 12,
        logs: 400,
        faults,
        ..ServerConfig::default()
    })
}

#[test]
fn pull_auth0_saves_every_object_exactly_once() {
    let server = auth0_server::start(ServerConfig::default());
    let scratch = Scratch::new();
    let dump_path = scratch.path("out.json");
    scratch.pull(&server, &dump_path).success();

    let dump = read_json(&dump_path);
    let want = server.dump();
    let ids = |v: &Value, key: &str| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| o[key].as_str().unwrap().to_string())
            .collect()
    };
    assert_exactly_once(
        "connection",
        &id_counts(&dump["connections"], "id"),
        &ids(&want["connections"], "id"),
    );
    assert_exactly_once(
        "organization",
        &id_counts(&dump["organizations"], "id"),
        &ids(&want["organizations"], "id"),
    );
    let logins = server.login_log_ids(chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap(), LOG_DAYS);
    assert!(
        logins.len() > 1000,
        "the window must exceed Auth0's 1,000-result search cap"
    );
    assert_exactly_once("log", &id_counts(&dump["logs"], "log_id"), &logins);

    // Objects are saved as served, organizations with their enabled connections.
    assert_eq!(dump["connections"], want["connections"]);
    for (got, want) in dump["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["organizations"].as_array().unwrap())
    {
        assert_eq!(
            got["enabled_connections"], want["enabled_connections"],
            "org {}",
            want["id"]
        );
    }
    // One token for the whole run, and every list page asked for once.
    assert_eq!(server.request_count("/oauth/token"), 1);
    assert_eq!(
        server.request_count("/api/v2/connections"),
        5,
        "230 connections in pages of 50"
    );
}

#[test]
fn pull_auth0_retries_faults_a_bounded_number_of_times() {
    let server = small_server(vec![
        Fault::nth("/oauth/token", 1, FaultKind::ServiceUnavailable),
        Fault::nth("/api/v2/connections", 1, FaultKind::RateLimitReset),
        Fault::nth("/api/v2/organizations", 1, FaultKind::RetryAfter(1)),
        Fault::nth("/api/v2/logs", 2, FaultKind::ServiceUnavailable),
        Fault::nth("/api/v2/logs", 3, FaultKind::ServiceUnavailable),
    ]);
    let scratch = Scratch::new();
    let dump_path = scratch.path("out.json");
    scratch.pull(&server, &dump_path).success();

    assert_eq!(server.request_count("/oauth/token"), 2, "one 503, then the token");
    assert_eq!(
        server.request_count("/api/v2/connections"),
        1 + 2,
        "one 429, then 60 connections in 2 pages"
    );
    let orgs = server.request_count("/api/v2/organizations");
    assert_eq!(
        orgs,
        1 + 1 + 12,
        "one 429, one list page, one enabled-connections page per org"
    );
    let failures = server.requests().iter().filter(|r| r.status >= 400).count();
    assert_eq!(
        failures, 5,
        "every injected fault was retried once, nothing else failed"
    );
    let dump = read_json(&dump_path);
    assert_eq!(dump["connections"].as_array().unwrap().len(), 60);
    assert_eq!(dump["organizations"].as_array().unwrap().len(), 12);
}

#[test]
fn pull_auth0_against_a_dead_server_fails_after_bounded_attempts() {
    let server = small_server(vec![Fault::every("/", FaultKind::ServiceUnavailable)]);
    let scratch = Scratch::new();
    let dump_path = scratch.path("out.json");
    let out = scratch.pull(&server, &dump_path).failure().code(1);
    assert!(out.get_output().stdout.is_empty(), "nothing on stdout on error");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("503"), "stderr names the status: {stderr}");
    // The first request (the token) never succeeds, so it is the only one.
    assert_eq!(server.request_count("/"), 1 + MAX_RETRIES);
    assert!(!dump_path.exists(), "no dump from a failed pull");
}

#[test]
fn pull_auth0_gives_up_at_once_on_a_missing_scope() {
    let server = small_server(vec![Fault::every(
        "/api/v2/organizations",
        FaultKind::InsufficientScope("read:organizations".into()),
    )]);
    let scratch = Scratch::new();
    let out = scratch.pull(&server, &scratch.path("out.json")).failure().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("read:organizations") && stderr.contains("403"),
        "{stderr}"
    );
    assert_eq!(server.request_count("/api/v2/organizations"), 1, "a 403 is not retried");
}

#[test]
fn pull_auth0_bad_secret_fails_with_a_hint_and_no_secret() {
    let server = small_server(vec![]);
    let scratch = Scratch::new();
    let out = scratch
        .cmd(&server)
        .env("AUTH0_CLIENT_SECRET", "wrong-secret-4c1d9e")
        .args(["pull", "auth0", "--domain", &server.base_url(), "--as-of", AS_OF])
        .assert()
        .failure()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("AUTH0_CLIENT_SECRET"), "{stderr}");
    assert!(!stderr.contains("wrong-secret-4c1d9e"), "{stderr}");
    assert_eq!(server.request_count("/oauth/token"), 1, "a 401 is not retried");
}

#[test]
fn pull_auth0_never_writes_the_secret_or_the_token() {
    let server = small_server(vec![Fault::nth(
        "/api/v2/connections",
        2,
        FaultKind::ServiceUnavailable,
    )]);
    let scratch = Scratch::new();
    let dump_path = scratch.path("out.json");
    let out = scratch.pull(&server, &dump_path).success();
    let secret = server.config().client_secret.as_bytes().to_vec();
    let token = server.config().access_token.as_bytes().to_vec();
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    let mut places: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), out.get_output().stdout.clone()),
        ("stderr".into(), out.get_output().stderr.clone()),
        ("dump".into(), std::fs::read(&dump_path).unwrap()),
    ];
    for entry in std::fs::read_dir(scratch.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            places.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    assert!(
        places.iter().any(|(name, _)| name.ends_with("store.duckdb")),
        "the pull wrote the store"
    );
    for (name, bytes) in &places {
        assert!(!contains(bytes, &secret), "client secret found in {name}");
        assert!(!contains(bytes, &token), "access token found in {name}");
    }
}

#[test]
fn pull_auth0_failing_halfway_leaves_the_earlier_snapshot_unchanged() {
    let server = small_server(vec![Fault::every("/api/v2/logs", FaultKind::ServiceUnavailable)]);
    let scratch = Scratch::new();
    let earlier = scratch.path("earlier.json");
    std::fs::write(&earlier, serde_json::to_string_pretty(&server.dump()).unwrap()).unwrap();
    scratch
        .cmd(&server)
        .args(["load", "auth0"])
        .arg(&earlier)
        .args(["--as-of", "2026-06-30"])
        .assert()
        .success();
    let before = scratch.snapshots(&server);

    let out = scratch.pull(&server, &scratch.path("out.json")).failure().code(1);
    assert!(out.get_output().stdout.is_empty());
    assert!(
        server.request_count("/api/v2/organizations") > 0,
        "the pull got halfway before failing"
    );
    assert_eq!(server.request_count("/api/v2/logs"), 1 + MAX_RETRIES);

    assert_eq!(
        scratch.snapshots(&server),
        before,
        "snapshots changed after a failed pull"
    );
}

#[test]
fn pull_auth0_respects_the_client_side_rate_limit() {
    let server = small_server(vec![]);
    let scratch = Scratch::new();
    scratch.pull_at(&server, &scratch.path("out.json"), RPS).success();
    let times = server.request_times();
    assert!(times.len() >= 20, "enough requests to measure: {}", times.len());
    let span = times.last().unwrap().duration_since(times[0]).as_secs_f64();
    let rate = (times.len() - 1) as f64 / span;
    eprintln!(
        "pull auth0 with --rps {RPS}: {} requests in {span:.2} s = {rate:.2} requests/s",
        times.len()
    );
    // 10 % slack for timer granularity.
    assert!(
        rate <= RPS * 1.1,
        "measured {rate:.1} requests/s over {} requests, limit {RPS}",
        times.len()
    );
}

#[test]
fn pull_auth0_without_options_scope_still_succeeds_and_warns() {
    let server = auth0_server::start(ServerConfig {
        connections: 40,
        organizations: 5,
        logs: 100,
        grant_options_scope: false,
        ..ServerConfig::default()
    });
    let scratch = Scratch::new();
    let out = scratch.pull(&server, &scratch.path("out.json")).success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("read:connections_options"), "{stderr}");
}

/// Asserts that none of `secrets` is in stdout, stderr or any file of the
/// scratch folder (store, dump, WAL), as bytes.
fn assert_no_secrets(scratch: &Scratch, output: &std::process::Output, secrets: &[&str]) {
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    let mut places: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), output.stdout.clone()),
        ("stderr".into(), output.stderr.clone()),
    ];
    for entry in std::fs::read_dir(scratch.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            places.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    for (name, bytes) in &places {
        for secret in secrets {
            assert!(!contains(bytes, secret.as_bytes()), "`{secret}` found in {name}");
        }
    }
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs a pull that must fail with 1; the store and dump paths are in the scratch folder.
fn failed_pull(scratch: &Scratch, server: &StandIn, domain: &str, secret: &str) -> std::process::Output {
    let out = scratch
        .cmd(server)
        .env("AUTH0_CLIENT_SECRET", secret)
        .args([
            "pull",
            "auth0",
            "--domain",
            domain,
            "--as-of",
            AS_OF,
            "--timeout",
            "5",
            "--save-dump",
        ])
        .arg(scratch.path("out.json"))
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(!scratch.path("out.json").exists(), "no dump from a failed pull");
    out
}

fn secrets(server: &StandIn) -> [&str; 2] {
    [&server.config().client_secret, &server.config().access_token]
}

#[test]
fn secrets_stay_out_of_every_output_on_a_bad_secret() {
    let server = small_server(vec![]);
    let scratch = Scratch::new();
    let out = failed_pull(&scratch, &server, &server.base_url(), "wrong-secret-4c1d9e");
    assert_no_secrets(&scratch, &out, &["wrong-secret-4c1d9e", &server.config().access_token]);
}

#[test]
fn secrets_stay_out_of_every_output_on_a_missing_scope() {
    let server = small_server(vec![Fault::every(
        "/api/v2/connections",
        FaultKind::InsufficientScope("read:connections".into()),
    )]);
    let scratch = Scratch::new();
    let secret = server.config().client_secret.clone();
    let out = failed_pull(&scratch, &server, &server.base_url(), &secret);
    assert!(String::from_utf8_lossy(&out.stderr).contains("403"));
    assert_no_secrets(&scratch, &out, &secrets(&server));
}

#[test]
fn secrets_stay_out_of_every_output_when_an_error_body_echoes_the_request() {
    for path in ["/oauth/token", "/api/v2/organizations"] {
        let server = small_server(vec![Fault::every(path, FaultKind::EchoRequest(500))]);
        let scratch = Scratch::new();
        let secret = server.config().client_secret.clone();
        let out = failed_pull(&scratch, &server, &server.base_url(), &secret);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("500"),
            "{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_secrets(&scratch, &out, &secrets(&server));
    }
}

#[test]
fn secrets_stay_out_of_every_output_when_the_connection_is_refused() {
    let server = small_server(vec![]);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let scratch = Scratch::new();
    let secret = server.config().client_secret.clone();
    let out = failed_pull(&scratch, &server, &closed, &secret);
    assert_no_secrets(&scratch, &out, &secrets(&server));
}

#[test]
fn pull_auth0_renews_a_token_refused_mid_pull_once() {
    let server = small_server(vec![Fault::nth("/api/v2/organizations", 1, FaultKind::InvalidToken)]);
    let scratch = Scratch::new();
    let dump_path = scratch.path("out.json");
    scratch.pull(&server, &dump_path).success();
    assert_eq!(server.request_count("/oauth/token"), 2, "a new token after the 401");
    let dump = read_json(&dump_path);
    assert_eq!(dump["organizations"].as_array().unwrap().len(), 12);
}

#[test]
fn pull_auth0_fails_on_a_second_401_after_renewing_the_token() {
    let server = small_server(vec![Fault::every("/api/v2/organizations", FaultKind::InvalidToken)]);
    let scratch = Scratch::new();
    let out = scratch.pull(&server, &scratch.path("out.json")).failure().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("401") && stderr.contains("Invalid token"), "{stderr}");
    assert_eq!(server.request_count("/oauth/token"), 2, "one new token, then the error");
    assert_eq!(server.request_count("/api/v2/organizations"), 2);
}
