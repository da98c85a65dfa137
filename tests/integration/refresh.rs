//! `featurearr refresh` and `runs` end to end: the real binary against the stand-in
//! Auth0 server (`auth0_server`) and a webhook and a heartbeat receiver (`receiver`)
//! on 127.0.0.1, in a fresh folder with a cleared environment. Flags and ARR are files
//! written here, whose workspaces are those the stand-in's connections name, so that
//! the IdPs carry ARR.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

use crate::auth0::small_server;
use crate::auth0_server::{Fault, FaultKind, StandIn};
use crate::postgres::{loaded_project, QUERY};
use crate::postgres_server::{server as pg_server, PASSWORD};
use crate::receiver::{self, Receiver};
use crate::salesforce_server::{
    self, Account, Fault as SalesforceFault, FaultKind as SalesforceFaultKind, ServerConfig as OrgConfig,
    StandIn as SalesforceStandIn,
};
use crate::util::{revenue_json, Project};

const FIRST: &str = "2026-09-30";
const SECOND: &str = "2026-10-31";
/// The path of the heartbeat check; its UUID-like part is what the service keys on.
const PING: &str = "/ping/5f1c2d3e-standin";
/// The path of the webhook; on Slack, the whole path is the credential.
const HOOK: &str = "/services/T0STANDIN/B0STANDIN/s3cr3tHookToken";

/// A scheduled job's folder: the config, the day's exports and the store.
struct Job {
    dir: tempfile::TempDir,
}

impl Job {
    /// A job whose flags and ARR exports are `{as_of}` files, Auth0 pulled live from
    /// `server`, with the given `[refresh]` lines and `[notify]` URLs.
    fn new(server: &StandIn, refresh: &str, webhook: &str, heartbeat: &str) -> Job {
        let job = Job {
            dir: tempfile::tempdir().unwrap(),
        };
        job.configure(server, refresh, webhook, heartbeat);
        job
    }

    /// Writes the config: Auth0 from `server`, the `[refresh]` lines, the `[notify]` URLs.
    fn configure(&self, server: &StandIn, refresh: &str, webhook: &str, heartbeat: &str) {
        self.configure_arr(server, None, refresh, webhook, heartbeat);
    }

    /// `configure`, with ARR pulled live from the stand-in org `salesforce` when given
    /// (else from the day's export), with `[http]` retrying once, quickly.
    fn configure_arr(
        &self,
        server: &StandIn,
        salesforce: Option<&SalesforceStandIn>,
        refresh: &str,
        webhook: &str,
        heartbeat: &str,
    ) {
        let (arr, org) = match salesforce {
            Some(org) => (
                "salesforce".to_string(),
                format!(
                    "[salesforce]\ninstance_url = \"{}\"\n\n[http]\nmax_retries = 1\n\n",
                    org.base_url()
                ),
            ),
            None => ("exports/arr-{as_of}.csv".to_string(), String::new()),
        };
        self.write(
            "featurearr.toml",
            &format!(
                "[auth0]\ndomain = \"{}\"\nrequests_per_second = 0\n\n{org}\
                 [refresh]\noutput_dir = \"reports/{{as_of}}\"\n{refresh}\n\n\
                 [refresh.sources]\nflags = \"exports/flags-{{as_of}}.csv\"\narr = \"{arr}\"\n\
                 auth0 = \"auth0\"\n\n\
                 [notify]\nwebhook_url = \"{webhook}\"\nheartbeat_url = \"{heartbeat}\"\n",
                server.base_url()
            ),
        );
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The exports of `as_of`: 12 workspaces `ws-conn0000`, `ws-conn0004`, ... (those of
    /// the stand-in's connections with `metadata.workspace_id`), one account each; the
    /// first `sso` of them have SSO on, and account n has ARR (n + 1) x 10,000 USD.
    fn exports(&self, as_of: &str, sso: usize) {
        let mut flags = String::from("workspace_id,workspace_name,users,sso_enabled,scim_enabled,mfa_enforced\n");
        let mut arr = String::from("Id,Name,ARR__c,CurrencyIsoCode,Workspace_ID__c\n");
        for n in 0..12 {
            let workspace = format!("ws-conn{:04}", n * 4);
            flags.push_str(&format!(
                "{workspace},Customer {n},{},{},{},{}\n",
                10 * (n + 1),
                n < sso,
                n < 2,
                n % 2 == 0
            ));
            arr.push_str(&format!(
                "0015g00000Acc{n:02},Customer {n},{},USD,{workspace}\n",
                (n + 1) * 10_000
            ));
        }
        self.write(&format!("exports/flags-{as_of}.csv"), &flags);
        self.write(&format!("exports/arr-{as_of}.csv"), &arr);
    }

    fn cmd(&self, server: &StandIn) -> Command {
        let mut cmd = Command::cargo_bin("featurearr").unwrap();
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AUTH0_CLIENT_ID", &server.config().client_id)
            .env("AUTH0_CLIENT_SECRET", &server.config().client_secret)
            .env("SALESFORCE_CLIENT_ID", &org_credentials().client_id)
            .env("SALESFORCE_CLIENT_SECRET", &org_credentials().client_secret)
            .current_dir(self.dir.path())
            .timeout(Duration::from_secs(300));
        cmd
    }

    /// `featurearr refresh --as-of AS_OF`: its exit code and stderr.
    fn refresh(&self, server: &StandIn, as_of: &str) -> (i32, String) {
        let out = self.cmd(server).args(["refresh", "--as-of", as_of]).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(!stderr.contains("panicked"), "{stderr}");
        (out.status.code().unwrap(), stderr)
    }

    fn json(&self, server: &StandIn, args: &[&str]) -> Value {
        let out = self.cmd(server).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn report(&self, as_of: &str, name: &str) -> Value {
        let text = std::fs::read_to_string(self.path(&format!("reports/{as_of}/{name}"))).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

/// The stand-in org's Connected App, whose credentials every job's command carries.
fn org_credentials() -> OrgConfig {
    OrgConfig::default()
}

/// A stand-in org holding the accounts of `Job::exports`: account n with ARR
/// (n + 1) x 10,000 USD on workspace `ws-conn{4n}`, served `faults`.
fn org(faults: Vec<SalesforceFault>) -> SalesforceStandIn {
    let accounts = (0..12)
        .map(|n| Account {
            id: format!("0015g00000Acc{n:02}"),
            name: format!("Customer {n}"),
            parent: None,
            arr: Some(format!("{}.0", (n + 1) * 10_000)),
            currency: "USD".into(),
            workspaces: format!("ws-conn{:04}", n * 4),
        })
        .collect();
    salesforce_server::start(OrgConfig {
        accounts,
        faults,
        ..org_credentials()
    })
}

/// Every file under `dir` (relative path -> bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// The one POST the webhook got, parsed.
fn only_message(webhook: &Receiver) -> Value {
    let got = webhook.received();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].method, "POST");
    assert_eq!(got[0].path, HOOK);
    assert_eq!(got[0].content_type.as_deref(), Some("application/json"));
    serde_json::from_str(&got[0].body).unwrap()
}

/// `30.0%`, as the message (and the markdown reports) write a share.
fn pct(share: &Value) -> String {
    format!("{:.1}%", share.as_f64().unwrap() * 100.0)
}

fn pings(heartbeat: &Receiver) -> Vec<String> {
    heartbeat
        .received()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn refresh_loads_every_source_as_one_set_renders_every_report_and_tells_the_team() {
    let server = small_server(Vec::new());
    let (webhook, heartbeat) = (receiver::start(200), receiver::start(200));
    let job = Job::new(&server, "", &webhook.url(HOOK), &heartbeat.url(PING));
    job.exports(FIRST, 6);
    let (code, stderr) = job.refresh(&server, FIRST);
    assert_eq!(code, 0, "{stderr}");
    for step in [
        "reading flags from",
        "pulling auth0 live",
        "rendering every report",
        "telling the team",
    ] {
        assert!(stderr.contains(step), "progress names each step: {step}\n{stderr}");
    }

    // One snapshot of each source, at the date.
    let snapshots = job.json(&server, &["snapshots", "--format", "json"]);
    let got: Vec<(String, String)> = snapshots["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["source"].as_str().unwrap().into(),
                s["as_of"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("arr", FIRST), ("auth0", FIRST), ("flags", FIRST)].map(|(s, d)| (s.to_string(), d.to_string()))
    );

    // The folder holds what `report --output-dir` writes, byte for byte, plus index.md:
    // the markdown, JSON and CSV, the HTML pages and index.html, and the charts' SVG
    // and PNG files (issue 16), all from the one code path.
    let out = files(&job.path(&format!("reports/{FIRST}")));
    job.cmd(&server)
        .args(["report", "--output-dir", "compare", "--as-of", FIRST])
        .assert()
        .success();
    let mut expected = files(&job.path("compare"));
    for name in [
        "idps.json",
        "revenue-share.md",
        "revenue-share.html",
        "idps.html",
        "quarterly.html",
        "doctor.html",
        "index.html",
    ] {
        assert!(expected.contains_key(name), "report --output-dir writes {name}");
    }
    for ext in [".svg", ".png"] {
        let charts = expected
            .keys()
            .filter(|name| name.starts_with("charts/") && name.ends_with(ext))
            .count();
        assert!(charts >= 5, "charts/*{ext}: {charts}");
    }
    let index = String::from_utf8(out["index.md"].clone()).unwrap();
    expected.insert("index.md".into(), index.clone().into_bytes());
    assert_eq!(out, expected);
    for name in ["revenue-share.md", "idps.md", "doctor.md", "quarterly.md", "index.html"] {
        assert!(index.contains(&format!("]({name})")), "index.md links {name}:\n{index}");
    }

    // The message carries the numbers of revenue-share.json and the top IdPs of idps.json.
    let message = only_message(&webhook);
    let text = message["text"].as_str().unwrap();
    let blocks = message["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], "header");
    let share = job.report(FIRST, "revenue-share.json");
    for feature in share["features"].as_array().unwrap() {
        let line = format!(
            "*{}*: {} of customers, {} of ARR",
            feature["label"].as_str().unwrap(),
            pct(&feature["customer_share"]),
            pct(&feature["arr_share"])
        );
        assert!(text.contains(&line), "{line}\nnot in\n{text}");
        assert!(
            blocks
                .iter()
                .any(|b| b["text"]["text"].as_str().is_some_and(|t| t.contains(&line))),
            "the blocks carry {line} too"
        );
    }
    let idps = job.report(FIRST, "idps.json");
    let top: Vec<&str> = idps["idps"]
        .as_array()
        .unwrap()
        .iter()
        .take(3)
        .map(|i| i["idp"].as_str().unwrap())
        .collect();
    assert!(!top.is_empty(), "the fixture puts ARR on IdPs");
    for (n, idp) in top.iter().enumerate() {
        assert!(
            text.contains(&format!("{}. {idp}: ", n + 1)),
            "{idp} at {}:\n{text}",
            n + 1
        );
    }
    assert!(
        text.contains("*Doctor*: ") && text.contains(&format!("reports/{FIRST}")),
        "{text}"
    );
    assert_eq!(pings(&heartbeat), [format!("GET {PING}")]);

    // The run is recorded with its steps, rows and requests; no URL of [notify] anywhere.
    let runs = job.json(&server, &["runs", "--format", "json"]);
    let run = &runs["runs"][0];
    assert_eq!((run["outcome"].as_str(), runs["total"].as_i64()), (Some("ok"), Some(1)));
    let auth0 = run["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "auth0")
        .unwrap();
    assert_eq!(auth0["requests"].as_u64().unwrap() as usize, server.request_count("/"));
    assert_eq!(run["requests"], auth0["requests"], "file sources make no requests");
    assert_eq!(run["sources"][0]["rows"], 12, "12 workspaces of flags");
    let notified: Vec<&str> = run["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(notified, ["sent", "sent"]);
    let store = std::fs::read(job.path("featurearr.duckdb")).unwrap();
    for secret in ["s3cr3tHookToken", "5f1c2d3e-standin"] {
        assert!(
            !store.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} in the store"
        );
    }
}

#[test]
fn refresh_with_auth0_failing_changes_no_snapshot_and_no_report_and_says_so() {
    let good = small_server(Vec::new());
    let (webhook, heartbeat) = (receiver::start(200), receiver::start(200));
    let job = Job::new(&good, "", &webhook.url(HOOK), &heartbeat.url(PING));
    job.exports(FIRST, 6);
    assert_eq!(job.refresh(&good, FIRST).0, 0);
    let snapshots = job.json(&good, &["snapshots", "--format", "json"]);
    let reports = files(&job.path("reports"));

    // The same date again, with other flags, while Auth0 refuses every connections page.
    let failing = small_server(vec![Fault::every(
        "/api/v2/connections",
        FaultKind::InsufficientScope("read:connections".into()),
    )]);
    job.configure(&failing, "", &webhook.url(HOOK), &heartbeat.url(PING));
    job.exports(FIRST, 2);
    let (code, stderr) = job.refresh(&failing, FIRST);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("failed at auth0; no snapshot and no report changed"),
        "{stderr}"
    );
    assert_eq!(job.json(&failing, &["snapshots", "--format", "json"]), snapshots);
    assert_eq!(files(&job.path("reports")), reports);

    let messages = webhook.received();
    let failure: Value = serde_json::from_str(&messages.last().unwrap().body).unwrap();
    let text = failure["text"].as_str().unwrap();
    assert!(text.contains(&format!("featurearr refresh {FIRST} failed")), "{text}");
    assert!(
        text.contains("*auth0* failed: ") && text.contains("read:connections"),
        "{text}"
    );
    assert_eq!(pings(&heartbeat), [format!("GET {PING}"), format!("GET {PING}/fail")]);

    let runs = job.json(&failing, &["runs", "--format", "json"]);
    let outcomes: Vec<(&str, Option<&str>)> = runs["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["outcome"].as_str().unwrap(), r["failed_step"].as_str()))
        .collect();
    assert_eq!(outcomes, [("failed", Some("auth0")), ("ok", None)], "newest first");
    assert!(runs["runs"][0]["error"].as_str().unwrap().contains("read:connections"));
}

#[test]
fn refresh_with_the_webhook_down_still_loads_and_exits_0() {
    let server = small_server(Vec::new());
    let heartbeat = receiver::start(200);
    let dead = format!("{}{HOOK}", receiver::dead_url());
    let job = Job::new(&server, "", &dead, &heartbeat.url(PING));
    job.exports(FIRST, 6);
    let (code, stderr) = job.refresh(&server, FIRST);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: the webhook notification was not sent"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("s3cr3tHookToken") && !stderr.contains("B0STANDIN"),
        "{stderr}"
    );
    assert_eq!(
        job.json(&server, &["snapshots", "--format", "json"])["snapshots"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(pings(&heartbeat), [format!("GET {PING}")]);
    let runs = job.json(&server, &["runs", "--format", "json"]);
    let webhook = &runs["runs"][0]["notifications"][0];
    assert_eq!(
        (webhook["channel"].as_str(), webhook["outcome"].as_str()),
        (Some("webhook"), Some("failed"))
    );
    assert_eq!(webhook["attempts"], 3, "tried three times");
    assert!(!webhook["error"].as_str().unwrap().contains("s3cr3tHookToken"));
    assert_eq!(runs["runs"][0]["outcome"], "ok");
}

#[test]
fn refresh_exceeding_a_gate_exits_3_with_the_data_loaded_and_the_reports_written() {
    let server = small_server(Vec::new());
    let (webhook, heartbeat) = (receiver::start(200), receiver::start(200));
    // The stand-in maps a quarter of its connections to no workspace.
    let job = Job::new(
        &server,
        "fail_on = [\"unmapped-connections=0\"]",
        &webhook.url(HOOK),
        &heartbeat.url(PING),
    );
    job.exports(FIRST, 6);
    let (code, stderr) = job.refresh(&server, FIRST);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("above the --fail-on limit of 0"), "{stderr}");
    assert!(job.path(&format!("reports/{FIRST}/doctor.md")).is_file());
    assert!(job.path(&format!("reports/{FIRST}/index.md")).is_file());
    assert_eq!(
        job.json(&server, &["snapshots", "--format", "json"])["snapshots"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let text = only_message(&webhook)["text"].as_str().unwrap().to_string();
    assert!(
        text.contains("gate was exceeded") && text.contains("1 of 1 gate exceeded"),
        "{text}"
    );
    assert_eq!(pings(&heartbeat), [format!("GET {PING}/fail")]);
    let runs = job.json(&server, &["runs", "--format", "json"]);
    assert_eq!(runs["runs"][0]["outcome"], "gates-exceeded");
    assert_eq!(runs["runs"][0]["gates_exceeded"].as_array().unwrap().len(), 1);
}

#[test]
fn a_second_refresh_reports_the_change_since_the_first_and_runs_lists_both() {
    let server = small_server(Vec::new());
    let (webhook, heartbeat) = (receiver::start(200), receiver::start(200));
    let job = Job::new(&server, "", &webhook.url(HOOK), &heartbeat.url(PING));
    job.exports(FIRST, 6);
    job.exports(SECOND, 9);
    assert_eq!(job.refresh(&server, FIRST).0, 0);
    assert_eq!(job.refresh(&server, SECOND).0, 0);

    let messages = webhook.received();
    assert_eq!(messages.len(), 2);
    let first: Value = serde_json::from_str(&messages[0].body).unwrap();
    assert!(first["text"].as_str().unwrap().contains("No earlier successful run"));
    let second: Value = serde_json::from_str(&messages[1].body).unwrap();
    let text = second["text"].as_str().unwrap();
    let (before, after) = (
        job.report(FIRST, "revenue-share.json"),
        job.report(SECOND, "revenue-share.json"),
    );
    let sso = |r: &Value, key: &str| r["features"][0][key].as_f64().unwrap();
    assert_eq!(after["features"][0]["feature"], "sso");
    // SSO on 6 then 9 of 12 customers: 50.0% -> 75.0% of customers; of ARR, 210k and
    // 450k of 780k: 26.9% -> 57.7%.
    let change = |key: &str| format!("{:+.1} pts", (sso(&after, key) - sso(&before, key)) * 100.0);
    assert_eq!(change("customer_share"), "+25.0 pts");
    let line = format!(
        "*SSO*: 75.0% of customers, 57.7% of ARR ({} and {} since {FIRST})",
        change("customer_share"),
        change("arr_share")
    );
    assert!(text.contains(&line), "{line}\nnot in\n{text}");

    let runs = job.json(&server, &["runs", "--format", "json"]);
    let listed = runs["runs"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        (listed[0]["as_of"].as_str(), listed[1]["as_of"].as_str()),
        (Some(SECOND), Some(FIRST))
    );
    for run in listed {
        assert!(run["seconds"].as_f64().unwrap() > 0.0);
        let steps: Vec<&str> = run["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            [
                "flags",
                "arr",
                "auth0",
                "store",
                "snapshots",
                "reports",
                "doctor",
                "publish",
                "notify"
            ]
        );
        assert!(run["requests"].as_i64().unwrap() > 0);
    }
    let markdown = job.cmd(&server).arg("runs").output().unwrap();
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        markdown.contains(&format!("| 2 | {SECOND} |")) && markdown.contains(&format!("| 1 | {FIRST} |")),
        "{markdown}"
    );
}

#[test]
fn refresh_dry_run_reaches_the_token_endpoint_and_changes_nothing() {
    let server = small_server(Vec::new());
    let (webhook, heartbeat) = (receiver::start(200), receiver::start(200));
    let job = Job::new(&server, "", &webhook.url(HOOK), &heartbeat.url(PING));
    job.exports(FIRST, 6);
    let out = job
        .cmd(&server)
        .args(["refresh", "--as-of", FIRST, "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "the checks are diagnostics, on stderr");
    let report = String::from_utf8(out.stderr).unwrap();
    assert!(
        report.contains("ok      auth0: ") && report.contains(&format!("flags-{FIRST}.csv")),
        "{report}"
    );
    assert_eq!(server.request_count("/oauth/token"), 1);
    assert_eq!(server.request_count("/"), 1, "only the token endpoint");
    assert!(!job.path("featurearr.duckdb").exists() && !job.path("reports").exists());
    assert!(webhook.received().is_empty() && heartbeat.received().is_empty());
    assert!(!report.contains("s3cr3tHookToken"));

    // A missing export and refused credentials fail the dry run, each named.
    std::fs::remove_file(job.path(&format!("exports/arr-{FIRST}.csv"))).unwrap();
    let out = job
        .cmd(&server)
        .env("AUTH0_CLIENT_SECRET", "wrong-secret")
        .args(["refresh", "--as-of", FIRST, "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing on stdout when the dry run fails");
    let report = String::from_utf8(out.stderr).unwrap();
    assert!(
        report.contains(&format!("FAILED  arr: cannot read exports/arr-{FIRST}.csv")),
        "{report}"
    );
    assert!(
        report.contains("FAILED  auth0: ") && !report.contains("wrong-secret"),
        "{report}"
    );
    assert!(!job.path("featurearr.duckdb").exists());
}

#[test]
fn refresh_without_its_sources_is_a_usage_error() {
    let server = small_server(Vec::new());
    let job = Job::new(&server, "", "", "");
    job.write("featurearr.toml", "[refresh.sources]\nflags = \"flags.csv\"\n");
    let out = job.cmd(&server).args(["refresh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refresh needs [refresh.sources] arr"));
    job.write(
        "featurearr.toml",
        "[notify]\nwebhook_url = \"hooks.slack.com/services/T0/B0/s3cr3t\"\n",
    );
    let out = job.cmd(&server).args(["refresh"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("[notify] webhook_url is not an http(s) URL") && !stderr.contains("s3cr3t"),
        "{stderr}"
    );
}

#[test]
fn a_report_failing_after_the_snapshots_are_written_rolls_them_back() {
    let server = small_server(Vec::new());
    let (webhook, heartbeat) = (receiver::start(200), receiver::start(200));
    let job = Job::new(&server, "", &webhook.url(HOOK), &heartbeat.url(PING));
    job.exports(FIRST, 6);
    assert_eq!(job.refresh(&server, FIRST).0, 0);
    let snapshots = job.json(&server, &["snapshots", "--format", "json"]);
    let reports = files(&job.path("reports"));

    // Every source reads well and is written into the transaction; then a template of
    // the user's breaks the doctor report.
    job.exports(FIRST, 2);
    job.write("my-reports/doctor.md.j2", "{{ no_such_field }}\n");
    let config = std::fs::read_to_string(job.path("featurearr.toml")).unwrap();
    job.write(
        "featurearr.toml",
        &format!("[report]\nreports_dir = \"my-reports\"\n\n{config}"),
    );
    let (code, stderr) = job.refresh(&server, FIRST);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("failed at reports") && stderr.contains("doctor.md.j2"),
        "{stderr}"
    );
    assert_eq!(job.json(&server, &["snapshots", "--format", "json"]), snapshots);
    assert_eq!(files(&job.path("reports")), reports);
    let leftovers: Vec<_> = std::fs::read_dir(job.path("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, [FIRST], "no half-rendered folder is left behind");
    assert_eq!(pings(&heartbeat).last().unwrap(), &format!("GET {PING}/fail"));
}

/// The basic fixture with `[refresh.sources]` flags from the throwaway PostgreSQL
/// server (`url`, read with `query` as `[flags] query`), ARR and workspace-accounts
/// from its files.
fn postgres_job(url: &str, query: &str) -> Project {
    let p = Project::new("basic");
    let mut config = std::fs::read_to_string(p.path("featurearr.toml")).unwrap();
    config.push_str(&format!(
        "\n[flags]\nquery = '''\n{query}\n'''\n\n[refresh]\noutput_dir = \"reports/{{as_of}}\"\n\n\
         [refresh.sources]\nflags = \"{url}\"\narr = \"arr.csv\"\nworkspace_accounts = \"workspace-accounts.csv\"\n"
    ));
    p.write("featurearr.toml", &config);
    p
}

/// `featurearr refresh --as-of FIRST [--dry-run]` in `p`: exit code, stdout, stderr.
fn refresh_in(p: &Project, dry_run: bool) -> (i32, String, String) {
    let mut cmd = p.cmd();
    cmd.args(["refresh", "--as-of", FIRST]);
    if dry_run {
        cmd.arg("--dry-run");
    }
    let out = cmd.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains(PASSWORD), "the password is in the output:\n{text}");
    }
    (out.status.code().unwrap(), stdout, stderr)
}

#[test]
fn refresh_takes_flags_from_postgresql_with_the_flags_query_and_dry_run_checks_it() {
    // The password in the URL, the riskiest place: it must show nowhere else.
    let url = pg_server().url("featurearr", Some(PASSWORD), "sslmode=disable");
    let shown = pg_server().url("featurearr", None, "sslmode=disable");
    let p = postgres_job(&url, QUERY);

    // The dry run connects and checks the query, and changes nothing.
    let (code, stdout, stderr) = refresh_in(&p, true);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(&format!("ok      flags: {shown} accepts [flags] query (7 columns")),
        "{stderr}"
    );
    assert!(!p.path("featurearr.duckdb").exists() && !p.path("reports").exists());

    // A query the role may not run (billing_email is not granted) is caught by the dry
    // run, though preparing it succeeds; so is one without the flags columns.
    let secret_column = QUERY.replace("ip_allowlist_enabled\n", "ip_allowlist_enabled, billing_email\n");
    assert_ne!(secret_column, QUERY);
    let (code, _, stderr) = refresh_in(&postgres_job(&url, &secret_column), true);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("FAILED  flags: the query failed: permission denied") && stderr.contains("needs SELECT"),
        "{stderr}"
    );
    let (code, _, stderr) = refresh_in(&postgres_job(&url, "SELECT name FROM workspaces"), true);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("FAILED  flags: ") && stderr.contains("workspace_id"),
        "{stderr}"
    );

    // The refresh loads the rows: the same revenue share as from the fixture's CSVs.
    let (code, stdout, stderr) = refresh_in(&p, false);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&format!("reports/{FIRST}")), "{stdout}");
    assert_eq!(revenue_json(&p), revenue_json(&loaded_project()));
    let snapshots = p.json(&["snapshots", "--format", "json"]);
    let flags = snapshots["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "flags")
        .unwrap();
    assert_eq!(
        flags["origin"],
        shown.as_str(),
        "the URL is recorded without its password"
    );
    let runs = p.json(&["runs", "--format", "json"]);
    let source = &runs["runs"][0]["sources"][0];
    assert_eq!(
        (
            source["source"].as_str(),
            source["origin"].as_str(),
            source["rows"].as_i64()
        ),
        (Some("flags"), Some(shown.as_str()), Some(7))
    );
    let mut kept = files(&p.path("reports"));
    kept.insert(
        "featurearr.duckdb".into(),
        std::fs::read(p.path("featurearr.duckdb")).unwrap(),
    );
    for (name, bytes) in kept {
        assert!(
            !bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()),
            "the password is in {name}"
        );
    }
}

#[test]
fn refresh_pulls_salesforce_and_auth0_live_as_one_set() {
    let auth0 = small_server(Vec::new());
    let salesforce = org(Vec::new());
    let (webhook, heartbeat) = (receiver::start(200), receiver::start(200));
    let live = Job::new(&auth0, "", &webhook.url(HOOK), &heartbeat.url(PING));
    live.configure_arr(&auth0, Some(&salesforce), "", &webhook.url(HOOK), &heartbeat.url(PING));
    live.exports(FIRST, 6);
    std::fs::remove_file(live.path(&format!("exports/arr-{FIRST}.csv"))).unwrap();

    // The dry run reaches the org's token endpoint, and nothing else of it.
    let out = live
        .cmd(&auth0)
        .args(["refresh", "--as-of", FIRST, "--dry-run"])
        .output()
        .unwrap();
    let report = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains(&format!(
            "ok      arr: Salesforce at {} gave an access token",
            salesforce.base_url()
        )),
        "{report}"
    );
    let paths: Vec<String> = salesforce.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/services/oauth2/token"]);
    assert!(!live.path("featurearr.duckdb").exists());

    let (code, stderr) = live.refresh(&auth0, FIRST);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("pulling arr live") && stderr.contains("pulled 12 records over REST"),
        "{stderr}"
    );
    assert!(!stderr.contains(&org_credentials().client_secret), "{stderr}");
    let auth0_requests = auth0.request_count("/");

    // The same reports as a refresh of the same accounts from an export file.
    let from_file = Job::new(&auth0, "", "", "");
    from_file.exports(FIRST, 6);
    assert_eq!(from_file.refresh(&auth0, FIRST).0, 0);
    for name in ["revenue-share.json", "idps.json"] {
        // All but the snapshots' origins, which name where the ARR came from.
        let numbers = |job: &Job| {
            let mut report = job.report(FIRST, name);
            report.as_object_mut().unwrap().remove("snapshots");
            report
        };
        assert_eq!(numbers(&live), numbers(&from_file), "{name}");
    }

    // One snapshot per source; the ARR one keeps the pull's summary, as pull salesforce does.
    let snapshots = live.json(&auth0, &["snapshots", "--format", "json"]);
    let arr = snapshots["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "arr")
        .unwrap();
    assert_eq!(
        arr["origin"],
        format!("pull salesforce {}", salesforce.base_url()).as_str()
    );
    assert_eq!(arr["details"]["pull"]["records"], 12, "{arr}");

    // The run record counts each live source's HTTP requests: all the stand-ins got.
    let runs = live.json(&auth0, &["runs", "--format", "json"]);
    let run = &runs["runs"][0];
    let requests = |name: &str| {
        run["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == name)
            .unwrap()["requests"]
            .as_u64()
            .unwrap() as usize
    };
    // The dry run's token request came before the run.
    assert_eq!(requests("arr"), salesforce.requests().len() - 1);
    assert!(requests("arr") >= 3, "a token, COUNT() and the records");
    assert_eq!(requests("auth0") + 1, auth0_requests, "and the dry run's token");
    assert_eq!(
        run["requests"].as_u64().unwrap() as usize,
        requests("arr") + requests("auth0")
    );
    let text = only_message(&webhook)["text"].as_str().unwrap().to_string();
    assert!(text.contains("*SSO*: 50.0% of customers"), "{text}");
    assert_eq!(pings(&heartbeat), [format!("GET {PING}")]);
}

#[test]
fn refresh_with_salesforce_failing_changes_nothing_and_names_it() {
    let auth0 = small_server(Vec::new());
    let good = org(Vec::new());
    let (webhook, heartbeat) = (receiver::start(200), receiver::start(200));
    let job = Job::new(&auth0, "", &webhook.url(HOOK), &heartbeat.url(PING));
    job.configure_arr(&auth0, Some(&good), "", &webhook.url(HOOK), &heartbeat.url(PING));
    job.exports(FIRST, 6);
    assert_eq!(job.refresh(&auth0, FIRST).0, 0);
    let snapshots = job.json(&auth0, &["snapshots", "--format", "json"]);
    let store_reports = files(&job.path("reports"));

    // The same date again, with other flags, while the org answers every query 503.
    let failing = org(vec![SalesforceFault::every(
        "/services/data/",
        SalesforceFaultKind::Unavailable,
    )]);
    job.configure_arr(&auth0, Some(&failing), "", &webhook.url(HOOK), &heartbeat.url(PING));
    job.exports(FIRST, 2);
    let (code, stderr) = job.refresh(&auth0, FIRST);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("failed at arr; no snapshot and no report changed"),
        "{stderr}"
    );
    assert_eq!(job.json(&auth0, &["snapshots", "--format", "json"]), snapshots);
    assert_eq!(files(&job.path("reports")), store_reports);
    assert_eq!(
        failing.request_count("/services/data/"),
        2,
        "[http] max_retries = 1: the first COUNT() and its retry"
    );

    let messages = webhook.received();
    assert_eq!(messages.len(), 2);
    let failure: Value = serde_json::from_str(&messages[1].body).unwrap();
    let text = failure["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("featurearr refresh {FIRST} failed"))
            && text.contains("*arr* failed: cannot pull accounts from Salesforce at")
            && text.contains("503"),
        "{text}"
    );
    assert_eq!(pings(&heartbeat), [format!("GET {PING}"), format!("GET {PING}/fail")]);
    let runs = job.json(&auth0, &["runs", "--format", "json"]);
    let run = &runs["runs"][0];
    assert_eq!(
        (run["outcome"].as_str(), run["failed_step"].as_str()),
        (Some("failed"), Some("arr"))
    );
    assert!(run["error"].as_str().unwrap().contains("Salesforce"), "{run}");
}
