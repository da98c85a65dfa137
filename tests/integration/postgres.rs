//! `load flags postgresql://... --query SQL` against a real PostgreSQL server
//! (`postgres_server`, issue 17): the same report as from the CSV, each bad value
//! named by column and workspace_id, an error of its own with the next step for
//! each failure, the store unchanged by each, the password nowhere, and every
//! sslmode.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::postgres_server::{self_signed_certificate, server, PASSWORD};
use crate::util::{revenue_json, Project};

/// The basic fixture's flags, from the `workspaces` table.
pub const QUERY: &str = "SELECT id AS workspace_id, name AS workspace_name, members AS users, sso_enabled,
       scim_enabled, mfa_enforced, ip_allowlist_enabled
FROM workspaces
ORDER BY id;";

/// `featurearr load flags URL --query QUERY` with `env`, as run by `p`.
fn load(p: &Project, url: &str, query: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = p.cmd();
    cmd.args(["load", "flags", url, "--query", query, "--as-of", "2026-09-30"]);
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().unwrap()
}

/// Runs a load that must fail with exit 1 and returns its stderr, after checking that
/// nothing reached stdout, the store file is byte for byte as before, and the
/// password is in no output.
fn load_fails(p: &Project, url: &str, query: &str, env: &[(&str, &str)]) -> String {
    let store = p.path("featurearr.duckdb");
    let before = std::fs::read(&store).ok();
    let out = load(p, url, query, env);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "the load should fail with 1:\n{stderr}");
    assert!(out.stdout.is_empty(), "nothing may go to stdout on error");
    assert_eq!(
        std::fs::read(&store).ok(),
        before,
        "a failed load must leave the store as it was"
    );
    assert!(!stderr.contains(PASSWORD), "the password is in stderr:\n{stderr}");
    stderr
}

/// A project whose store holds the basic fixture's CSV snapshots of 2026-09-30.
pub fn loaded_project() -> Project {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    p
}

#[test]
fn rows_from_the_database_give_the_same_revenue_share_json_as_the_csv() {
    let csv = loaded_project();
    let expected = revenue_json(&csv);

    let db = Project::new("basic");
    let url = server().url("featurearr", None, "sslmode=disable");
    let out = load(&db, &url, QUERY, &[("PGPASSWORD", PASSWORD)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "loaded 7 workspaces into the flags snapshot of 2026-09-30: 7 rows read, none skipped\n"
    );
    db.load_basic_arr("2026-09-30");
    assert_eq!(revenue_json(&db), expected);

    // The snapshot records where the rows came from: the URL (no password) and the query.
    let snapshots = db.json(&["snapshots", "--format", "json"]);
    let flags = &snapshots["snapshots"][1];
    assert_eq!(flags["source"], "flags");
    assert_eq!(flags["origin"], url.as_str());
    assert_eq!(flags["details"]["query"], QUERY.trim_end_matches(';'));
}

#[test]
fn many_rows_with_escaped_text_arrive_whole_and_in_order() {
    let p = Project::new("basic");
    let url = server().url("featurearr", Some(PASSWORD), "sslmode=disable");
    // 30,000 rows are several batches between the two reading threads; the names need
    // COPY's escapes (tab, newline, backslash) and UTF-8, and NULLs are empty cells.
    let query =
        "SELECT 'ws-' || i AS workspace_id, E'tab\\there ' || i || E'\\nnew line \\\\ caf\\u00e9' AS workspace_name,
                        CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS users,
                        CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END AS sso_enabled
                 FROM generate_series(1, 30000) i";
    let out = load(&p, &url, query, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let db = duckdb::Connection::open(p.path("featurearr.duckdb")).unwrap();
    let (rows, sso_on, sso_empty, users_null, in_order): (i64, i64, i64, i64, bool) = db
        .query_row(
            "SELECT count(*), count(*) FILTER (flags_on & 1 = 1), count(*) FILTER (flags_empty & 1 = 1),
                    count(*) FILTER (users IS NULL), bool_and(line = substr(workspace_id, 4)::BIGINT)
             FROM workspaces",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    // Even numbers not divisible by 5: 15,000 - 3,000; multiples of 5: 6,000; of 3: 10,000.
    assert_eq!(
        (rows, sso_on, sso_empty, users_null, in_order),
        (30_000, 12_000, 6_000, 10_000, true)
    );
    let name: String = db
        .query_row(
            "SELECT workspace_name FROM workspaces WHERE workspace_id = 'ws-29999'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, "tab\there 29999\nnew line \\ café");
}

#[test]
fn the_query_can_come_from_the_config_and_one_is_required() {
    let p = Project::new("basic");
    let mut config = std::fs::read_to_string(p.path("featurearr.toml")).unwrap();
    config.push_str(&format!("\n[flags]\nquery = '''\n{QUERY}\n'''\n"));
    p.write("featurearr.toml", &config);
    let url = server().url("featurearr", None, "sslmode=disable");
    let out = p
        .cmd()
        .env("PGPASSWORD", PASSWORD)
        .args(["load", "flags", &url, "--as-of", "2026-09-30"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let bare = Project::empty();
    let err = bare.usage_error(&["load", "flags", &url]);
    assert!(err.contains("needs a query: pass --query"), "{err}");
    let err = bare.usage_error(&["load", "flags", "flags.csv", "--query", "SELECT 1"]);
    assert!(err.contains("--query runs on a PostgreSQL database"), "{err}");
    let err = bare.usage_error(&["load", "flags", &url, "--query", "  "]);
    assert!(err.contains("must be an SQL query of 1 to 100000 characters"), "{err}");
    bare.write("featurearr.toml", "[flags]\nquery = ''\n");
    let err = bare.usage_error(&["load", "flags", &url]);
    assert!(
        err.contains("[flags] query must be an SQL query of 1 to 100000 characters"),
        "{err}"
    );
}

#[test]
fn each_bad_value_is_named_by_row_column_and_workspace_id() {
    let p = loaded_project();
    let url = server().url("featurearr", Some(PASSWORD), "sslmode=disable");
    // Ordered by id: ws-a1, ws-a2, ws-b1, ws-c1, ws-d1, ws-e1, ws-f1.
    let cases = [
        (
            "SELECT id AS workspace_id, CASE WHEN id = 'ws-c1' THEN 'maybe' ELSE 'yes' END AS sso_enabled \
             FROM workspaces ORDER BY id",
            "row 4 (workspace_id `ws-c1`): column sso_enabled: `maybe` is not a boolean; \
             use true/false, yes/no, y/n, t/f or 1/0",
        ),
        (
            "SELECT id AS workspace_id, members - 20 AS users FROM workspaces ORDER BY id",
            "row 4 (workspace_id `ws-c1`): column users: `-10` is negative; \
             users is the number of members of the workspace, a whole number of 0 or more",
        ),
        (
            "SELECT id AS workspace_id, CASE WHEN id = 'ws-b1' THEN 2.5 ELSE members END AS \"Users\" \
             FROM workspaces ORDER BY id",
            "row 3 (workspace_id `ws-b1`): column Users: `2.5` is not a whole number",
        ),
        (
            "SELECT id AS workspace_id, CASE WHEN id = 'ws-a2' THEN 2 ELSE 1 END AS mfa_enforced \
             FROM workspaces ORDER BY id",
            "row 2 (workspace_id `ws-a2`): column mfa_enforced: `2` is not a boolean",
        ),
        (
            "SELECT NULLIF(id, 'ws-b1') AS workspace_id FROM workspaces ORDER BY id",
            "row 3: column workspace_id: the workspace ID is empty; every workspace needs a workspace_id",
        ),
        (
            // Far into a long result, after many batches: the checker stops the reading.
            "SELECT 'ws-' || i AS workspace_id, CASE WHEN i = 90000 THEN 'maybe' ELSE 'no' END AS sso_enabled \
             FROM generate_series(1, 100000) i",
            "row 90000 (workspace_id `ws-90000`): column sso_enabled: `maybe` is not a boolean",
        ),
        (
            "SELECT 'ws-x' AS workspace_id FROM workspaces",
            "row 2: column workspace_id: `ws-x` appears again (first on row 1); \
             each workspace must appear once, so remove or merge one of the rows",
        ),
        (
            "SELECT id, sso_enabled FROM workspaces",
            "no workspace_id column; the query returns `id`, `sso_enabled`; add a workspace_id column \
             (it is required), e.g. SELECT id AS workspace_id, ...",
        ),
    ];
    let origin = server().url("featurearr", None, "sslmode=disable");
    for (query, message) in cases {
        let err = load_fails(&p, &url, query, &[]);
        let expected = format!("error: {origin}: {message}");
        assert!(err.starts_with(&expected), "{query}:\n{err}\nexpected: {expected}");
    }
}

#[test]
fn a_wrong_password_says_which_user_and_where_the_password_came_from() {
    let p = loaded_project();
    let srv = server();
    let address = format!("127.0.0.1:{}", srv.port);
    let refused = format!(
        "error: PostgreSQL at {address} refused the password of user `featurearr` \
         (password authentication failed for user \"featurearr\"); "
    );
    let err = load_fails(&p, &srv.url("featurearr", Some("not-it"), ""), QUERY, &[]);
    assert!(
        err.starts_with(&format!("{refused}the password came from the URL; ")),
        "{err}"
    );
    let err = load_fails(&p, &srv.url("featurearr", None, ""), QUERY, &[("PGPASSWORD", "not-it")]);
    assert!(
        err.starts_with(&format!("{refused}the password came from PGPASSWORD; ")),
        "{err}"
    );

    let passfile = p.write("pgpass", format!("127.0.0.1:{}:app:featurearr:not-it\n", srv.port));
    set_mode(&passfile, 0o600);
    let file = passfile.display().to_string();
    let err = load_fails(&p, &srv.url("featurearr", None, ""), QUERY, &[("PGPASSFILE", &file)]);
    assert!(
        err.starts_with(&format!("{refused}the password came from line 1 of {file}; ")),
        "{err}"
    );

    // No password anywhere: every place looked at is named.
    let home = p.path("home");
    std::fs::create_dir(&home).unwrap();
    let err = load_fails(
        &p,
        &srv.url("featurearr", None, ""),
        QUERY,
        &[("HOME", &home.display().to_string())],
    );
    assert_eq!(
        err,
        format!(
            "error: PostgreSQL at {address} asks for a password for user `featurearr`, and no password was found: \
             none in the URL, PGPASSWORD is not set, {}/.pgpass does not exist; set PGPASSWORD, or add a line \
             host:port:database:user:password to ~/.pgpass (mode 0600)\n",
            home.display()
        )
    );
}

#[test]
fn the_password_file_is_read_as_libpq_reads_it() {
    let p = Project::new("basic");
    let srv = server();
    let passfile = p.write(
        "pgpass",
        format!(
            "# featurearr's reader\nother-host:*:*:*:nope\n127.0.0.1:{}:app:featurearr:{PASSWORD}\n",
            srv.port
        ),
    );
    let file = passfile.display().to_string();
    set_mode(&passfile, 0o644);
    let err = load_fails(&p, &srv.url("featurearr", None, ""), QUERY, &[("PGPASSFILE", &file)]);
    assert!(
        err.contains(&format!(
            "{file} is ignored because its permissions (644) let others read it (chmod 0600 {file})"
        )),
        "{err}"
    );
    set_mode(&passfile, 0o600);
    let out = load(&p, &srv.url("featurearr", None, ""), QUERY, &[("PGPASSFILE", &file)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_refused_connection_names_host_and_port() {
    let p = loaded_project();
    // A port nobody listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgresql://featurearr:{PASSWORD}@127.0.0.1:{port}/app");
    let err = load_fails(&p, &url, QUERY, &[]);
    assert_eq!(
        err,
        format!(
            "error: cannot connect to PostgreSQL at 127.0.0.1:{port}: connection refused; check the host and port \
             in the URL, and that the server is running and listens there (listen_addresses and port in postgresql.conf)\n"
        )
    );
}

#[test]
fn a_server_that_never_answers_fails_after_connect_timeout() {
    let p = loaded_project();
    // Accepts connections and says nothing, as a stuck server or a black-holing proxy would.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("postgresql://featurearr:{PASSWORD}@127.0.0.1:{port}/app?connect_timeout=1");
    let started = Instant::now();
    let err = load_fails(&p, &url, QUERY, &[]);
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(
        err.starts_with(&format!(
            "error: no answer from PostgreSQL at 127.0.0.1:{port} within 1 s (connect_timeout); check the host, \
             the port and any firewall between, or raise connect_timeout in the URL"
        )),
        "{err}"
    );
    drop(listener);
    for bad in ["connect_timeout=0", "connect_timeout=3601", "connect_timeout=soon"] {
        let url = format!("postgresql://featurearr@127.0.0.1:{port}/app?{bad}");
        let err = p.usage_error(&["load", "flags", &url, "--query", QUERY]);
        assert!(err.contains("must be a whole number from 1 to 3600"), "{bad}: {err}");
    }
}

#[test]
fn an_sql_error_gives_postgresqls_message_and_its_place_in_the_query() {
    let p = loaded_project();
    let url = server().url("featurearr", Some(PASSWORD), "sslmode=disable");
    let query = "SELECT id AS workspace_id,\n       sso_enabled\nFROM workspaces\nWHERE sso_enabled = = true";
    let err = load_fails(&p, &url, query, &[]);
    assert_eq!(
        err,
        "error: the query failed: syntax error at or near \"=\" at line 4, column 21 of the query: \
         `WHERE sso_enabled = = true` (SQLSTATE 42601); fix the query (--query or [flags] query) and load again\n"
    );
    let err = load_fails(&p, &url, "SELECT id AS workspace_id FROM workspace", &[]);
    assert!(
        err.starts_with(
            "error: the query failed: relation \"workspace\" does not exist at line 1, column 32 of the query: \
             `SELECT id AS workspace_id FROM workspace` (SQLSTATE 42P01)"
        ),
        "{err}"
    );
    // featurearr's role may read only the columns granted to it.
    let err = load_fails(
        &p,
        &url,
        "SELECT id AS workspace_id, billing_email FROM workspaces",
        &[],
    );
    assert!(
        err.starts_with(
            "error: the query failed: permission denied for table workspaces; user `featurearr` needs SELECT"
        ),
        "{err}"
    );
    // The query runs read-only, whatever it says.
    let err = load_fails(&p, &url, "DELETE FROM workspaces RETURNING id AS workspace_id", &[]);
    assert!(
        err.starts_with("error: the query tries to change data (cannot execute DELETE in a read-only transaction)"),
        "{err}"
    );
}

#[test]
fn a_statement_timeout_is_explained() {
    let p = loaded_project();
    let url = server().url(
        "featurearr",
        Some(PASSWORD),
        "sslmode=disable&options=-c%20statement_timeout%3D200",
    );
    let err = load_fails(&p, &url, "SELECT id AS workspace_id FROM workspaces, pg_sleep(5)", &[]);
    assert!(
        err.starts_with(
            "error: the query ran longer than the server's statement_timeout and PostgreSQL cancelled it; make it faster"
        ),
        "{err}"
    );
    assert!(err.contains("ALTER ROLE featurearr SET statement_timeout"), "{err}");
}

#[test]
fn the_password_reaches_no_output_and_not_the_store() {
    let p = Project::new("basic");
    let url = server().url("featurearr", Some(PASSWORD), "sslmode=require");
    let out = load(&p, &url, QUERY, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let snapshots = p.run(&["snapshots", "--format", "json"]);
    for (what, text) in [
        ("stdout", out.stdout),
        ("stderr", out.stderr),
        ("snapshots", snapshots.clone().into_bytes()),
        ("the store", std::fs::read(p.path("featurearr.duckdb")).unwrap()),
    ] {
        let found = text.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes());
        assert!(!found, "the password is in {what}");
    }
    let origin = format!(
        "postgresql://featurearr@127.0.0.1:{}/app?sslmode=require",
        server().port
    );
    assert!(snapshots.contains(&format!("\"origin\": \"{origin}\"")), "{snapshots}");
}

#[test]
fn sslmode_disable_and_require_both_load_and_are_honoured() {
    let srv = server();
    // fa_tls may connect only over TLS, fa_plain only without (pg_hba.conf).
    for (user, mode) in [("fa_tls", "require"), ("fa_plain", "disable"), ("fa_tls", "prefer")] {
        let p = Project::new("basic");
        let out = load(
            &p,
            &srv.url(user, Some(PASSWORD), &format!("sslmode={mode}")),
            QUERY,
            &[],
        );
        assert!(
            out.status.success(),
            "{user} {mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let p = loaded_project();
    for (user, mode, says) in [
        ("fa_tls", "disable", "no encryption"),
        ("fa_plain", "require", "SSL encryption"),
    ] {
        let err = load_fails(
            &p,
            &srv.url(user, Some(PASSWORD), &format!("sslmode={mode}")),
            QUERY,
            &[],
        );
        assert!(
            err.starts_with(&format!(
                "error: PostgreSQL at 127.0.0.1:{} does not let user `{user}` connect to database `app`",
                srv.port
            )) && err.contains(says),
            "{user} {mode}: {err}"
        );
    }
}

#[test]
fn verify_full_checks_the_certificate_against_the_given_ca_and_the_host_name() {
    let srv = server();
    let cert = srv.certificate().display().to_string();
    let at = |host: &str, params: &str| format!("postgresql://featurearr:{PASSWORD}@{host}:{}/app?{params}", srv.port);
    // The CA from the URL.
    let p = Project::new("basic");
    let out = load(
        &p,
        &at("localhost", &format!("sslmode=verify-full&sslrootcert={cert}")),
        QUERY,
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The CA from [http] ca_file.
    let p = Project::new("basic");
    let mut config = std::fs::read_to_string(p.path("featurearr.toml")).unwrap();
    config.push_str(&format!("\n[http]\nca_file = '{cert}'\n"));
    p.write("featurearr.toml", &config);
    let out = load(&p, &at("localhost", "sslmode=verify-full"), QUERY, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let p = loaded_project();
    // The certificate names localhost, not 127.0.0.1: verify-full refuses, verify-ca does not look.
    let err = load_fails(
        &p,
        &at("127.0.0.1", &format!("sslmode=verify-full&sslrootcert={cert}")),
        QUERY,
        &[],
    );
    assert!(
        err.contains("the certificate does not name 127.0.0.1; connect by a name it holds, or use sslmode=verify-ca"),
        "{err}"
    );
    let out = load(
        &p,
        &at("127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={cert}")),
        QUERY,
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Another CA than the one that signed the server's certificate.
    let other = p.path("other-ca.crt");
    self_signed_certificate(&other, &p.path("other-ca.key"));
    let other = other.display().to_string();
    let err = load_fails(
        &p,
        &at("localhost", &format!("sslmode=verify-full&sslrootcert={other}")),
        QUERY,
        &[],
    );
    assert!(
        err.contains("failed under sslmode=verify-full")
            && err.contains("give the CA that signed it in sslrootcert=PATH or [http] ca_file"),
        "{err}"
    );
    // No CA at all.
    let home = p.path("home");
    std::fs::create_dir_all(&home).unwrap();
    let err = load_fails(
        &p,
        &at("localhost", "sslmode=verify-full"),
        QUERY,
        &[("HOME", &home.display().to_string())],
    );
    assert!(
        err.contains("sslmode=verify-full needs the CA that signed the server's certificate"),
        "{err}"
    );
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
