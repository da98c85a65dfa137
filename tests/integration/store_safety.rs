//! The store under stress (issue 5, items 3 and 4): a load killed at any
//! moment leaves no partial snapshot, and a second process on a busy store
//! gets a clear error naming the store and the holder, or waits with --wait.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{assert_same_reports, every_report, Project};

const BIG_AS_OF: &str = "2026-10-01";
/// Enough rows that a debug build spends seconds parsing and writing them.
const BIG_ROWS: usize = 40_000;

fn write_big_flags(p: &Project, rows: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(p.path("big.csv")).unwrap());
    writeln!(
        out,
        "workspace_id,workspace_name,users,sso_enabled,scim_enabled,mfa_enforced"
    )
    .unwrap();
    for i in 0..rows {
        writeln!(out, "big-{i},Workspace {i},{},{},no,{}", i % 500, i % 3 == 0, i % 2).unwrap();
    }
}

fn spawn(p: &Project, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("featurearr"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(p.dir.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn state(p: &Project) -> (String, String) {
    (
        p.run(&["snapshots", "--format", "json"]),
        p.run(&["report", "revenue-share", "--format", "json"]),
    )
}

/// A folder with the basic fixture loaded and a big flags file beside it.
fn baseline() -> (Project, (String, String)) {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    write_big_flags(&p, BIG_ROWS);
    let before = state(&p);
    (p, before)
}

fn copy_of(p: &Project) -> Project {
    let copy = Project::empty();
    for entry in std::fs::read_dir(p.dir.path()).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_file() {
            std::fs::copy(entry.path(), copy.path(&entry.file_name().to_string_lossy())).unwrap();
        }
    }
    copy
}

/// When to kill the load.
#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// This share (percent) of an uninterrupted load's time after the start.
    Percent(u32),
    /// As soon as the write-ahead log appears: the commit is being written.
    WalAppears,
}

#[test]
fn a_load_killed_at_any_moment_leaves_no_partial_snapshot() {
    let (base, before) = baseline();
    // An uninterrupted load on a copy: how long a load takes here, and the state it leaves.
    let whole = copy_of(&base);
    let started = Instant::now();
    whole.run(&["load", "flags", "big.csv", "--as-of", BIG_AS_OF]);
    let load_time = started.elapsed();
    let complete = state(&whole);
    let mut before_commit = Vec::new();
    for at in [
        KillAt::Percent(10),
        KillAt::Percent(30),
        KillAt::Percent(60),
        KillAt::Percent(90),
        KillAt::WalAppears,
    ] {
        let p = copy_of(&base);
        let wal = p.path("featurearr.duckdb.wal");
        let started = Instant::now();
        let mut child = spawn(&p, &["load", "flags", "big.csv", "--as-of", BIG_AS_OF]);
        let deadline = started + Duration::from_secs(120);
        loop {
            let due = match at {
                KillAt::Percent(share) => started.elapsed() >= load_time * share / 100,
                KillAt::WalAppears => wal.exists(),
            };
            if due || child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // SIGKILL on Unix: no destructor, no rollback, no checkpoint runs.
        let _ = child.kill();
        let status = child.wait().unwrap();
        println!("{at:?}: stopped after {:?} ({status})", started.elapsed());
        // All or nothing: the store is as before, or holds the whole new snapshot
        // (the kill landed after the commit).
        let after = state(&p);
        if after == before {
            before_commit.push(at);
        } else {
            assert_eq!(after, complete, "{at:?}: a killed load left a partial snapshot");
        }
        // The store still takes writes after the crash.
        p.run(&["load", "flags", "flags.csv", "--as-of", "2026-10-02"]);
    }
    assert!(
        before_commit.len() >= 3,
        "only {before_commit:?} landed before the commit; raise BIG_ROWS"
    );
}

/// Holds the store's write lock from this test process, as a long load would.
fn hold(p: &Project) -> duckdb::Connection {
    duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap()
}

#[test]
fn a_second_process_gets_a_clear_error_naming_the_store_and_holder() {
    let (p, _) = baseline();
    let held = hold(&p);
    let pid = format!("(PID {})", std::process::id());

    let reader = p.fail(&["snapshots", "--format", "json"]);
    println!("reader: {reader}");
    assert!(
        reader.starts_with(&format!(
            "error: the store featurearr.duckdb is being written by another process {pid}"
        )),
        "{reader}"
    );
    assert!(reader.contains("--wait"), "{reader}");
    let report = p.fail(&["report", "revenue-share", "--format", "json"]);
    assert!(report.contains("is being written by another process"), "{report}");
    let writer = p.fail(&["load", "flags", "flags.csv", "--as-of", "2026-10-02"]);
    println!("writer: {writer}");
    assert!(
        writer.starts_with(&format!(
            "error: the store featurearr.duckdb is in use by another process {pid}"
        )),
        "{writer}"
    );
    assert!(writer.contains("pass --wait SECONDS"), "{writer}");

    let started = Instant::now();
    let gave_up = p.fail(&["--wait", "1", "snapshots"]);
    println!("gave up: {gave_up}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert!(gave_up.contains("was not released within --wait 1 s"), "{gave_up}");
    drop(held);
}

#[test]
fn with_wait_a_second_process_queues_until_the_store_is_free() {
    let (p, before) = baseline();
    let held = hold(&p);
    let writer = spawn(
        &p,
        &["--wait", "60", "load", "flags", "flags.csv", "--as-of", "2026-10-02"],
    );
    let reader = {
        let mut cmd = p.cmd();
        cmd.env("FEATUREARR_WAIT", "60")
            .args(["report", "revenue-share", "--format", "json", "--as-of", "2026-09-30"]);
        std::thread::spawn(move || cmd.output().unwrap())
    };
    std::thread::sleep(Duration::from_millis(1500));
    drop(held);
    let writer = writer.wait_with_output().unwrap();
    let writer_err = String::from_utf8_lossy(&writer.stderr);
    println!("waiting writer: {writer_err}");
    assert!(writer.status.success(), "{writer_err}");
    assert!(writer_err.contains("waiting up to 60 s"), "{writer_err}");
    let reader = reader.join().unwrap();
    assert!(reader.status.success(), "{}", String::from_utf8_lossy(&reader.stderr));
    let snapshots = p.json(&["snapshots", "--format", "json"]);
    assert!(
        snapshots["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["as_of"] == "2026-10-02"),
        "{snapshots:#}"
    );
    assert_eq!(
        p.run(&["report", "revenue-share", "--format", "json", "--as-of", "2026-09-30"]),
        before.1
    );
}

#[test]
fn two_real_loads_at_once_with_wait_both_land_whole() {
    let (p, before) = baseline();
    let big = spawn(&p, &["--wait", "120", "load", "flags", "big.csv", "--as-of", BIG_AS_OF]);
    std::thread::sleep(Duration::from_millis(100));
    let small = spawn(
        &p,
        &["--wait", "120", "load", "flags", "flags.csv", "--as-of", "2026-10-02"],
    );
    let report = {
        let mut cmd = p.cmd();
        cmd.args([
            "--wait",
            "120",
            "report",
            "revenue-share",
            "--format",
            "json",
            "--as-of",
            "2026-09-30",
        ]);
        std::thread::spawn(move || cmd.output().unwrap())
    };
    for child in [big, small] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let report = report.join().unwrap();
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    assert_eq!(String::from_utf8(report.stdout).unwrap(), before.1);
    assert_eq!(snapshot_rows(&p, "flags", BIG_AS_OF), Some(serde_json::json!(BIG_ROWS)));
    assert_eq!(snapshot_rows(&p, "flags", "2026-10-02"), Some(serde_json::json!(7)));
}

/// The `rows` of the snapshot of `source` for `date`, as `snapshots` lists it.
fn snapshot_rows(p: &Project, source: &str, date: &str) -> Option<serde_json::Value> {
    let snapshots = p.json(&["snapshots", "--format", "json"]);
    snapshots["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == source && s["as_of"] == date)
        .map(|s| s["rows"].clone())
}

// --- stop points (issue 18, items 3 and 4) ------------------------------------------
//
// A debug build stops at a named point when `FEATUREARR_STOP_AT` names it (see
// src/store/stop.rs), prints `featurearr: stopped at POINT (PID n)` and waits to be
// killed or released (`FEATUREARR_STOP_RELEASE`). A kill so lands exactly where it
// matters, and a real process holds the store for as long as a test needs.

/// How long any wait of these tests may last before it fails: no assertion rests on
/// a shorter window.
const PATIENCE: Duration = Duration::from_secs(120);

/// A running featurearr process, its stderr read line by line and its stdout kept.
struct Stopped {
    child: Child,
    stderr: std::sync::mpsc::Receiver<String>,
    stdout: std::thread::JoinHandle<Vec<u8>>,
    lines: Vec<String>,
}

impl Stopped {
    /// Waits (at most PATIENCE) for a stderr line containing `text`.
    fn wait_for_line(&mut self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.lines.iter().any(|l| l.contains(text)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) => self.lines.push(line),
                Err(_) => panic!(
                    "no line with {text:?} within {PATIENCE:?}; stderr so far: {:?}",
                    self.lines
                ),
            }
        }
    }

    /// SIGKILL (no destructor, rollback or checkpoint runs), and reap it.
    fn kill(mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "the process ended before the kill"
        );
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Waits (at most PATIENCE) for the process to end; its whole stdout and stderr.
    fn finish(mut self) -> std::process::Output {
        let status = wait_within(&mut self.child, PATIENCE);
        // The reader threads end at the pipes' end of file, which the exit brings.
        while let Ok(line) = self.stderr.recv_timeout(PATIENCE) {
            self.lines.push(line);
        }
        std::process::Output {
            status,
            stdout: self.stdout.join().unwrap(),
            stderr: self.lines.join("\n").into_bytes(),
        }
    }
}

fn wait_within(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts `featurearr ARGS` with `envs`, its stdout kept, its stderr read line by line.
fn start(p: &Project, args: &[&str], envs: &[(&str, String)]) -> Stopped {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("featurearr"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(p.dir.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).unwrap();
        bytes
    });
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Stopped {
        child,
        stderr: rx,
        stdout,
        lines: Vec::new(),
    }
}

/// Starts `featurearr ARGS` and waits until it has stopped at `point`.
fn stopped_at(p: &Project, point: &str, args: &[&str], envs: &[(&str, String)]) -> Stopped {
    let mut envs = envs.to_vec();
    envs.push(("FEATUREARR_STOP_AT", point.to_string()));
    let mut s = start(p, args, &envs);
    s.wait_for_line(&format!("featurearr: stopped at {point} (PID {})", s.child.id()));
    s
}

/// The basic fixture loaded for 2026-09-30, its Auth0 dump included, plus a changed
/// copy of each input to replace it with.
fn replace_baseline() -> Project {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    p.run(&["load", "auth0", "auth0.json", "--as-of", "2026-09-30"]);
    write_big_flags(&p, BIG_ROWS);
    let arr = std::fs::read_to_string(p.path("arr.csv")).unwrap();
    p.write("arr-changed.csv", arr.replace("$14,000.00", "$19,500.00"));
    let mapping = std::fs::read_to_string(p.path("workspace-accounts.csv")).unwrap();
    p.write(
        "workspace-accounts-changed.csv",
        format!("{mapping}ws-e1,0015g00000Gh4JkAAK\n"),
    );
    let dump: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("auth0.json")).unwrap()).unwrap();
    let mut changed = dump.clone();
    changed["connections"].as_array_mut().unwrap().remove(0);
    p.write("auth0-changed.json", changed.to_string());
    // `refresh` takes every source from files named by date (beside the others:
    // `copy_of` copies the folder's files, not its subfolders).
    for (from, to) in [
        ("big.csv", "flags"),
        ("arr-changed.csv", "arr"),
        ("workspace-accounts-changed.csv", "workspace-accounts"),
    ] {
        std::fs::copy(p.path(from), p.path(&format!("refresh-{to}-2026-09-30.csv"))).unwrap();
    }
    std::fs::copy(p.path("auth0-changed.json"), p.path("refresh-auth0-2026-09-30.json")).unwrap();
    let config = std::fs::read_to_string(p.path("featurearr.toml")).unwrap();
    p.write(
        "featurearr.toml",
        format!(
            "{config}\n[refresh]\noutput_dir = \"refresh-out/{{as_of}}\"\n\n[refresh.sources]\n\
             flags = \"refresh-flags-{{as_of}}.csv\"\narr = \"refresh-arr-{{as_of}}.csv\"\n\
             workspace_accounts = \"refresh-workspace-accounts-{{as_of}}.csv\"\n\
             auth0 = \"refresh-auth0-{{as_of}}.json\"\n"
        ),
    );
    let big = p.path("big.csv").display().to_string().replace('\'', "''");
    crate::util::write_parquet(
        &p.path("big.parquet"),
        &format!("SELECT * FROM read_csv('{big}', all_varchar = true)"),
    );
    p
}

/// The basic fixture's flags in the test PostgreSQL server, less one workspace.
const CHANGED_FLAGS_QUERY: &str = "SELECT id AS workspace_id, name AS workspace_name, members AS users, sso_enabled,
       scim_enabled, mfa_enforced, ip_allowlist_enabled
FROM workspaces WHERE id <> 'ws-b1'
ORDER BY id";

/// A command that replaces a snapshot: what it is, its arguments and its environment.
type Replace = (&'static str, Vec<String>, Vec<(&'static str, String)>);

/// The replaces of a same-date snapshot that the kill tests interrupt: every load kind
/// (flags from CSV, Parquet and PostgreSQL), `pull auth0` and `pull salesforce` (against
/// the stand-in servers), and `refresh` of every source at once.
fn replaces(server: &crate::auth0_server::StandIn, salesforce: &crate::salesforce_server::StandIn) -> Vec<Replace> {
    let load = |kind: &str, file: &str| -> Vec<String> {
        ["load", kind, file, "--as-of", "2026-09-30"].map(String::from).to_vec()
    };
    vec![
        ("load flags", load("flags", "big.csv"), vec![]),
        ("load flags from Parquet", load("flags", "big.parquet"), vec![]),
        (
            "load flags from PostgreSQL",
            [
                "load",
                "flags",
                &crate::postgres_server::server().url("featurearr", None, "sslmode=disable"),
                "--query",
                CHANGED_FLAGS_QUERY,
                "--as-of",
                "2026-09-30",
            ]
            .map(String::from)
            .to_vec(),
            vec![("PGPASSWORD", crate::postgres_server::PASSWORD.to_string())],
        ),
        ("load arr", load("arr", "arr-changed.csv"), vec![]),
        (
            "load workspace-accounts",
            load("workspace-accounts", "workspace-accounts-changed.csv"),
            vec![],
        ),
        ("load auth0", load("auth0", "auth0-changed.json"), vec![]),
        (
            "pull auth0",
            ["pull", "auth0", "--domain", &server.base_url(), "--as-of", "2026-09-30"]
                .map(String::from)
                .to_vec(),
            vec![
                ("AUTH0_CLIENT_ID", server.config().client_id.clone()),
                ("AUTH0_CLIENT_SECRET", server.config().client_secret.clone()),
                ("FEATUREARR_AUTH0_RPS", "0".to_string()),
            ],
        ),
        (
            "refresh",
            ["refresh", "--as-of", "2026-09-30"].map(String::from).to_vec(),
            vec![],
        ),
        (
            "pull salesforce",
            [
                "pull",
                "salesforce",
                "--rest",
                "--instance-url",
                &salesforce.base_url(),
                "--as-of",
                "2026-09-30",
            ]
            .map(String::from)
            .to_vec(),
            vec![
                ("SALESFORCE_CLIENT_ID", salesforce.config().client_id.clone()),
                ("SALESFORCE_CLIENT_SECRET", salesforce.config().client_secret.clone()),
            ],
        ),
    ]
}

/// A Salesforce org holding one of the basic fixture's accounts, at another ARR and
/// with other workspaces, so that a pull changes the reports.
fn salesforce_org() -> crate::salesforce_server::StandIn {
    crate::salesforce_server::start(crate::salesforce_server::ServerConfig {
        accounts: vec![crate::salesforce_server::Account {
            id: "0015g00000Pq7RSAAZ".into(),
            name: "Gamma Ltd".into(),
            parent: None,
            arr: Some("90000.0".into()),
            currency: "USD".into(),
            workspaces: "ws-a1;ws-c1".into(),
        }],
        ..Default::default()
    })
}

#[test]
fn a_replace_killed_before_or_after_its_commit_leaves_every_report_whole() {
    let server = crate::auth0_server::start(crate::auth0_server::ServerConfig {
        connections: 40,
        organizations: 8,
        logs: 200,
        ..Default::default()
    });
    let salesforce = salesforce_org();
    let base = replace_baseline();
    let before = every_report(&base, "2026-09-30");
    for (what, args, envs) in replaces(&server, &salesforce) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // The same replace, uninterrupted, on a copy: the state a finished replace leaves.
        let whole = copy_of(&base);
        let out = start(&whole, &args, &envs).finish();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        let complete = every_report(&whole, "2026-09-30");
        assert!(
            complete != before,
            "{what} must change some report for the kills to prove anything"
        );

        // Killed with the snapshot's every row written and the commit not yet asked for.
        let p = copy_of(&base);
        stopped_at(&p, "before-commit", &args, &envs).kill();
        assert_same_reports(
            &format!("{what} killed before its commit"),
            &every_report(&p, "2026-09-30"),
            &before,
        );

        // Killed after the commit, before the store was closed or checkpointed: the
        // write-ahead log brings the whole new snapshot back.
        let p = copy_of(&base);
        stopped_at(&p, "after-commit", &args, &envs).kill();
        let mut after = every_report(&p, "2026-09-30");
        let mut complete = complete;
        if what == "pull salesforce" {
            // The snapshot's details keep the org's API usage, which the stand-in counts
            // across pulls; its rows must match, and every report.
            assert_eq!(
                snapshot_rows(&p, "arr", "2026-09-30"),
                snapshot_rows(&whole, "arr", "2026-09-30")
            );
            for listing in ["snapshots.json", "snapshots.md"] {
                after.remove(listing);
                complete.remove(listing);
            }
        }
        assert_same_reports(&format!("{what} killed after its commit"), &after, &complete);
        // And the store takes writes again.
        p.run(&["load", "flags", "flags.csv", "--as-of", "2026-10-02"]);
        println!("{what}: killed before and after its commit, every report whole");
    }
}

#[test]
fn a_report_waits_for_a_real_load_and_sees_its_snapshot_whole() {
    let (p, _) = baseline();
    let load = stopped_at(
        &p,
        "before-commit",
        &["load", "flags", "big.csv", "--as-of", BIG_AS_OF],
        &[("FEATUREARR_STOP_RELEASE", p.path("release").display().to_string())],
    );
    let holder = format!("(PID {})", load.child.id());
    // Without --wait: refused at once, naming the store and the featurearr process.
    let refused = p.fail(&["report", "revenue-share", "--format", "json"]);
    assert!(
        refused.contains("featurearr.duckdb is being written by another process") && refused.contains(&holder),
        "{refused}"
    );
    // With --wait: queued until the load has committed, then it reads the new snapshot.
    let mut report = start(&p, &["--wait", "120", "snapshots", "--format", "json"], &[]);
    report.wait_for_line("waiting up to 120 s");
    p.write("release", "");
    let load = load.finish();
    assert!(load.status.success(), "{}", String::from_utf8_lossy(&load.stderr));
    let report = report.finish();
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    // The queued reader ran after the commit: it lists the whole new snapshot.
    let seen: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let big = seen["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["as_of"] == BIG_AS_OF)
        .unwrap_or_else(|| panic!("the waiting report missed the load: {seen}"));
    assert_eq!(big["rows"], serde_json::json!(BIG_ROWS));
    assert_eq!(p.run(&["snapshots", "--format", "json"]).into_bytes(), report.stdout);
}

#[test]
fn loads_and_reports_queued_behind_a_real_load_all_finish_and_nothing_is_lost() {
    let (p, before) = baseline();
    let release = ("FEATUREARR_STOP_RELEASE", p.path("release").display().to_string());
    let holder = stopped_at(
        &p,
        "before-commit",
        &["load", "flags", "big.csv", "--as-of", BIG_AS_OF],
        std::slice::from_ref(&release),
    );
    let refused = p.fail(&["load", "flags", "flags.csv", "--as-of", "2026-10-02"]);
    assert!(
        refused.contains(&format!("is in use by another process (PID {})", holder.child.id())),
        "{refused}"
    );
    let mut queued: Vec<Stopped> = [
        &["--wait", "120", "load", "flags", "flags.csv", "--as-of", "2026-10-02"][..],
        &["--wait", "120", "load", "arr", "arr.csv", "--as-of", "2026-10-02"],
        &[
            "--wait",
            "120",
            "report",
            "revenue-share",
            "--format",
            "json",
            "--as-of",
            "2026-09-30",
        ],
        &["--wait", "120", "doctor", "--format", "json", "--as-of", "2026-09-30"],
    ]
    .iter()
    .map(|args| start(&p, args, &[]))
    .collect();
    // Every one of them is queued (it said so) before the holder lets go.
    for q in &mut queued {
        q.wait_for_line("waiting up to 120 s");
    }
    p.write("release", "");
    let holder = holder.finish();
    assert!(holder.status.success(), "{}", String::from_utf8_lossy(&holder.stderr));
    let outputs: Vec<std::process::Output> = queued.into_iter().map(Stopped::finish).collect();
    for out in &outputs {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(String::from_utf8(outputs[2].stdout.clone()).unwrap(), before.1);
    assert_eq!(
        outputs[3].stdout,
        p.run(&["doctor", "--format", "json", "--as-of", "2026-09-30"])
            .into_bytes()
    );
    assert_eq!(snapshot_rows(&p, "flags", BIG_AS_OF), Some(serde_json::json!(BIG_ROWS)));
    assert_eq!(snapshot_rows(&p, "flags", "2026-10-02"), Some(serde_json::json!(7)));
    // arr.csv: seven rows, Acme's two of them one account.
    assert_eq!(snapshot_rows(&p, "arr", "2026-10-02"), Some(serde_json::json!(6)));
}

#[test]
fn a_load_queues_behind_a_running_report_and_the_report_reads_the_store_as_it_was() {
    let (p, before) = baseline();
    let release = ("FEATUREARR_STOP_RELEASE", p.path("release").display().to_string());
    // A report that has opened the store and is still running.
    let report = stopped_at(
        &p,
        "read-open",
        &["report", "revenue-share", "--format", "json", "--as-of", "2026-09-30"],
        std::slice::from_ref(&release),
    );
    let refused = p.fail(&["load", "flags", "big.csv", "--as-of", "2026-09-30"]);
    assert!(
        refused.contains(&format!("is in use by another process (PID {})", report.child.id())),
        "{refused}"
    );
    let mut load = start(
        &p,
        &["--wait", "120", "load", "flags", "big.csv", "--as-of", "2026-09-30"],
        &[],
    );
    load.wait_for_line("waiting up to 120 s");
    p.write("release", "");
    let report = report.finish();
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    assert_eq!(
        String::from_utf8(report.stdout).unwrap(),
        before.1,
        "the report read the store as it was"
    );
    let load = load.finish();
    assert!(load.status.success(), "{}", String::from_utf8_lossy(&load.stderr));
    assert_ne!(
        p.run(&["report", "revenue-share", "--format", "json", "--as-of", "2026-09-30"]),
        before.1
    );
}

#[test]
fn a_refresh_queues_behind_a_running_report_and_both_finish_whole() {
    let p = replace_baseline();
    let before = p.run(&["report", "revenue-share", "--format", "json", "--as-of", "2026-09-30"]);
    let release = ("FEATUREARR_STOP_RELEASE", p.path("release").display().to_string());
    let report = stopped_at(
        &p,
        "read-open",
        &["report", "revenue-share", "--format", "json", "--as-of", "2026-09-30"],
        std::slice::from_ref(&release),
    );
    let mut refresh = start(&p, &["--wait", "120", "refresh", "--as-of", "2026-09-30"], &[]);
    refresh.wait_for_line("waiting up to 120 s");
    p.write("release", "");
    let report = report.finish();
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    assert_eq!(
        String::from_utf8(report.stdout).unwrap(),
        before,
        "the report read the store as it was"
    );
    let refresh = refresh.finish();
    assert!(refresh.status.success(), "{}", String::from_utf8_lossy(&refresh.stderr));
    // Nothing lost: the refresh's every source is in, and its report is the store's.
    let after = p.run(&["report", "revenue-share", "--format", "json", "--as-of", "2026-09-30"]);
    assert_ne!(after, before);
    assert_eq!(
        snapshot_rows(&p, "flags", "2026-09-30"),
        Some(serde_json::json!(BIG_ROWS))
    );
    let written = std::fs::read_to_string(p.path("refresh-out/2026-09-30/revenue-share.json")).unwrap();
    assert_eq!(written, after);
}
