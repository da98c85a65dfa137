//! Input shapes through the CLI: JSON and NDJSON flags, an API-name ARR export,
//! a flags URL with pages and a bearer token, demo determinism, and
//! user overrides of queries and templates.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use crate::util::{assert_close, revenue_json, Project};

const FLAGS_JSON: &str = r#"[
  {"workspace_id": "ws-a1", "workspace_name": "Acme | Main", "users": 100, "sso_enabled": true, "scim_enabled": "yes", "mfa_enforced": 0, "ip_allowlist_enabled": "true"},
  {"workspace_id": "ws-a2", "workspace_name": "Acme <b>EU</b>", "users": "50", "sso_enabled": false, "scim_enabled": "N", "mfa_enforced": 1, "ip_allowlist_enabled": null},
  {"workspace_id": "ws-b1", "workspace_name": "Beta, \"Inc\"", "users": 20, "sso_enabled": "yes", "scim_enabled": "no", "mfa_enforced": "y", "ip_allowlist_enabled": false},
  {"workspace_id": "ws-c1", "workspace_name": "Gamma", "users": 10, "sso_enabled": "0", "scim_enabled": 0, "mfa_enforced": "N", "ip_allowlist_enabled": 0},
  {"workspace_id": "ws-d1", "workspace_name": "Delta", "users": 5, "sso_enabled": 1, "scim_enabled": 0, "mfa_enforced": 0, "ip_allowlist_enabled": 0},
  {"workspace_id": "ws-e1", "workspace_name": "Free one", "users": 3, "sso_enabled": "t", "scim_enabled": "f", "mfa_enforced": "f", "ip_allowlist_enabled": "f"},
  {"workspace_id": "ws-f1", "workspace_name": "Churned Co", "users": 7, "sso_enabled": true, "scim_enabled": true, "mfa_enforced": true, "ip_allowlist_enabled": true}
]"#;

#[test]
fn json_and_ndjson_flags_give_the_same_report_as_csv() {
    let csv = Project::new("basic");
    csv.load_basic("2026-09-30");
    let expected = revenue_json(&csv);

    let json = Project::new("basic");
    json.write("flags.json", FLAGS_JSON);
    json.run(&["load", "flags", "flags.json", "--as-of", "2026-09-30"]);
    json.run(&["load", "arr", "arr.csv", "--as-of", "2026-09-30"]);
    json.run(&[
        "load",
        "workspace-accounts",
        "workspace-accounts.csv",
        "--as-of",
        "2026-09-30",
    ]);
    assert_eq!(revenue_json(&json), expected);

    let ndjson = Project::new("basic");
    let items: Vec<serde_json::Value> = serde_json::from_str(FLAGS_JSON).unwrap();
    let lines: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    ndjson.write("flags.ndjson", lines.join("\n") + "\n");
    ndjson.run(&["load", "flags", "flags.ndjson", "--as-of", "2026-09-30"]);
    ndjson.run(&["load", "arr", "arr.csv", "--as-of", "2026-09-30"]);
    ndjson.run(&[
        "load",
        "workspace-accounts",
        "workspace-accounts.csv",
        "--as-of",
        "2026-09-30",
    ]);
    assert_eq!(revenue_json(&ndjson), expected);
}

#[test]
fn api_name_export_with_18_char_ids_joins_a_mapping_with_15_char_ids() {
    let p = Project::new("basic");
    // Data Loader style: upper-case API names, every value quoted, 18-character ids, CRLF.
    p.write(
        "arr-api.csv",
        "\"ID\",\"NAME\",\"PARENTID\",\"ARR__C\",\"CURRENCYISOCODE\",\"WORKSPACE_ID__C\"\r\n\
         \"0015g00000XyZaBAAV\",\"Acme | Corp\",\"\",\"120000\",\"USD\",\"ws-a1;ws-a2\"\r\n\
         \"0015g00000Pq7RsAAJ\",\"Beta\",\"\",\"50000\",\"EUR\",\"ws-b1\"\r\n\
         \"0015g00000Pq7RSAAZ\",\"Gamma Ltd\",\"\",\"10000\",\"GBP\",\"\"\r\n\
         \"0015g00000Mn0PqAAJ\",\"Delta\",\"\",\"14000.00\",\"USD\",\"ws-d1\"\r\n\
         \"0015g00000Zz9YxAAJ\",\"Churned Co\",\"\",\"0\",\"USD\",\"ws-f1\"\r\n\
         \"0015g00000Gh4JkAAJ\",\"No Workspace Inc\",\"\",\"30000\",\"USD\",\"\"\r\n",
    );
    // The mapping names Gamma by its 15-character id this time.
    p.write("map15.csv", "workspace_id,account_id\nws-c1,0015g00000Pq7RS\n");
    p.run(&["load", "flags", "flags.csv", "--as-of", "2026-09-30"]);
    p.run(&["load", "arr", "arr-api.csv", "--as-of", "2026-09-30"]);
    p.run(&["load", "workspace-accounts", "map15.csv", "--as-of", "2026-09-30"]);
    let r = revenue_json(&p);
    assert_eq!(r["totals"]["customers"], 4);
    assert_close(&r["totals"]["arr"], 200_700.0);
    assert_close(&r["features"][0]["arr"], 188_000.0);
}

/// A one-thread HTTP server serving two pages of flags, linked by `Link: rel="next"`,
/// that answers 401 without the expected bearer token.
fn flags_server(token: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let items: Vec<serde_json::Value> = serde_json::from_str(FLAGS_JSON).unwrap();
    let (page1, page2) = items.split_at(4);
    let (page1, page2) = (
        serde_json::to_string(page1).unwrap(),
        serde_json::to_string(page2).unwrap(),
    );
    let next = format!("{base}/workspaces?page=2");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let mut authorized = false;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if line.to_ascii_lowercase().starts_with("authorization:")
                    && line.trim_end().ends_with(&format!("Bearer {token}"))
                {
                    authorized = true;
                }
            }
            let (status, body, link) = if !authorized {
                (
                    "401 Unauthorized",
                    r#"{"message": "bad token"}"#.to_string(),
                    String::new(),
                )
            } else if request.contains("page=2") {
                ("200 OK", page2.clone(), String::new())
            } else {
                ("200 OK", page1.clone(), format!("Link: <{next}>; rel=\"next\"\r\n"))
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{link}Connection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).unwrap();
        }
    });
    format!("{base}/workspaces")
}

#[test]
fn flags_from_a_url_follow_link_pages_with_the_bearer_token() {
    let csv = Project::new("basic");
    csv.load_basic("2026-09-30");
    let expected = revenue_json(&csv);

    let url = flags_server("tok-9f2e");
    let p = Project::new("basic");
    let out = p
        .cmd()
        .env("FEATUREARR_FLAGS_TOKEN", "tok-9f2e")
        .args(["load", "flags", &url, "--as-of", "2026-09-30"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    p.run(&["load", "arr", "arr.csv", "--as-of", "2026-09-30"]);
    p.run(&[
        "load",
        "workspace-accounts",
        "workspace-accounts.csv",
        "--as-of",
        "2026-09-30",
    ]);
    assert_eq!(revenue_json(&p), expected);
}

#[test]
fn flags_url_with_a_wrong_token_fails_without_printing_it() {
    let url = flags_server("right-token-77");
    let p = Project::new("basic");
    let out = p
        .cmd()
        .env("FEATUREARR_FLAGS_TOKEN", "wrong-token-55")
        .args(["load", "flags", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("401"), "{stderr}");
    assert!(!stderr.contains("wrong-token-55"), "{stderr}");
    assert!(
        !p.path("featurearr.duckdb").exists() || p.fail(&["report", "revenue-share"]).contains("no flags snapshot")
    );
}

#[test]
fn demo_is_deterministic_per_seed_and_renders_every_report() {
    let p = Project::empty();
    let out = p.run(&["demo", "--dir", "a", "--workspaces", "300", "--seed", "7"]);
    assert!(out.contains("a/revenue-share.md"), "{out}");
    for name in [
        "revenue-share.md",
        "idps.md",
        "quarterly.md",
        "doctor.md",
        "blurb-forced_mfa.md",
    ] {
        assert!(p.path("a").join(name).is_file(), "{name} missing: {out}");
    }
    p.run(&["demo", "--dir", "b", "--workspaces", "300", "--seed", "7"]);
    p.run(&["demo", "--dir", "c", "--workspaces", "300", "--seed", "8"]);
    let read = |dir: &str, name: &str| std::fs::read_to_string(p.path(dir).join(name)).unwrap();
    // Reports name the files they loaded, which differ by folder; compare the numbers.
    let numbers = |dir: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&read(dir, "revenue-share.json")).unwrap();
        v.as_object_mut().unwrap().remove("snapshots");
        v
    };
    assert_eq!(numbers("a"), numbers("b"));
    assert_ne!(numbers("a"), numbers("c"));
    assert_eq!(
        read("a", "inputs/flags-2026-09-30.csv"),
        read("b", "inputs/flags-2026-09-30.csv")
    );
    // The sample tells the story users look for: big contracts mandate SSO.
    let r = numbers("a");
    let bands = r["bands"].as_array().unwrap();
    let sso_small = bands[0]["features"][0]["customer_share"].as_f64().unwrap();
    let sso_large = bands[2]["features"][0]["customer_share"].as_f64().unwrap();
    assert!(sso_large > sso_small, "{bands:#?}");
}

#[test]
fn user_templates_and_queries_replace_the_built_in_ones_file_by_file() {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    std::fs::create_dir(p.path("my-reports")).unwrap();
    p.write(
        "my-reports/revenue-share.md.j2",
        "Custom: {% for f in features %}{{ f.feature }}={{ f.customers }} {% endfor %}\n",
    );
    assert_eq!(
        p.run(&["--reports-dir", "my-reports", "report", "revenue-share"]),
        "Custom: sso=3 scim=1 forced_mfa=2 ip_allowlist=1 "
    );
    // Other templates stay built in.
    assert!(p
        .run(&["--reports-dir", "my-reports", "snapshots"])
        .contains("# Snapshots"));

    std::fs::create_dir(p.path("my-queries")).unwrap();
    let builtin =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/customers.sql"))
            .unwrap();
    // Only accounts above $50k count as customers in this variant.
    let join = "JOIN customer_units(at_side) u ON u.account_key = ck.account_key";
    assert!(builtin.contains(join), "customers.sql changed; update this test's edit");
    p.write(
        "my-queries/customers.sql",
        builtin.replace(join, &format!("{join}\nWHERE u.arr > 50000")),
    );
    let r = p.json(&[
        "--queries-dir",
        "my-queries",
        "report",
        "revenue-share",
        "--format",
        "json",
    ]);
    assert_eq!(r["totals"]["customers"], 2);
    assert_close(&r["totals"]["arr"], 174_000.0);

    p.write("my-reports/revenue-share.md.j2", "{{ no_such_field }}\n");
    let err = p.fail(&["--reports-dir", "my-reports", "report", "revenue-share"]);
    assert!(err.contains("revenue-share.md.j2"), "{err}");
}

/// Writes `my-queries/NAME`: the built-in block with `from` replaced by `to`.
fn edited_query(p: &Project, name: &str, from: &str, to: &str) {
    let builtin = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("queries")
            .join(name),
    )
    .unwrap();
    assert!(builtin.contains(from), "{name} changed; update this test's edit");
    std::fs::create_dir_all(p.path("my-queries")).unwrap();
    p.write(&format!("my-queries/{name}"), builtin.replace(from, to));
}

/// Issue 12: a user's query block whose column is renamed is an error naming the block,
/// the column and the file, not a report of zeros.
#[test]
fn a_renamed_column_in_a_user_query_is_an_error_naming_block_column_and_file() {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    p.run(&["load", "auth0", "auth0.json", "--as-of", "2026-09-30"]);
    edited_query(&p, "totals.sql", "w.workspaces", "w.workspaces AS all_workspaces");
    let reports: [&[&str]; 4] = [
        &["report", "revenue-share"],
        &["report", "idps"],
        &["report", "quarterly", "--quarter", "2026Q3"],
        &["doctor"],
    ];
    for report in reports {
        let err = p.fail(&[&["--queries-dir", "my-queries"], report, &["--format", "json"]].concat());
        assert!(err.contains("query totals from my-queries/totals.sql failed"), "{err}");
        assert!(err.contains("no column `workspaces`"), "{err}");
        assert!(err.contains("all_workspaces"), "its columns are listed: {err}");
    }
}

/// Issue 12: a column missing from a user's block, or NULL where a number belongs, is
/// an error, never a 0 or a silently shorter report. Before typed rows, the coverage
/// block without `churned_accounts` dropped the field from the JSON, and a NULL `users`
/// made the blurb say "now covering 0 users".
#[test]
fn a_missing_or_null_column_is_an_error_not_zero() {
    let p = Project::new("basic");
    p.load_basic("2026-06-30");
    p.load_basic("2026-09-30");
    // The built-in block reports the one churned account.
    let r = p.json(&["report", "revenue-share", "--format", "json"]);
    assert_eq!(r["coverage"]["churned_accounts"], 1);
    edited_query(&p, "coverage.sql", ", a.churned_accounts\nFROM", "\nFROM");
    for format in ["json", "md"] {
        let err = p.fail(&[
            "--queries-dir",
            "my-queries",
            "report",
            "revenue-share",
            "--format",
            format,
        ]);
        assert!(
            err.contains("query coverage from my-queries/coverage.sql failed"),
            "{err}"
        );
        assert!(err.contains("no column `churned_accounts`"), "{err}");
    }

    std::fs::remove_file(p.path("my-queries/coverage.sql")).unwrap();
    edited_query(
        &p,
        "revenue_share.sql",
        "coalesce(bw.users, 0)::BIGINT AS users",
        "NULL::BIGINT AS users",
    );
    let blurb = "--queries-dir my-queries report blurb --feature sso --from 2026-06-30 --to 2026-09-30";
    let err = p.fail(&blurb.split(' ').collect::<Vec<_>>());
    assert!(
        err.contains("query revenue_share from my-queries/revenue_share.sql failed"),
        "{err}"
    );
    assert!(err.contains("row 1: column `users`: holds NULL"), "{err}");
}

/// Issue 12: the blurb's sentences live in templates: overriding `blurb-parts.j2`
/// rewords the markdown and the JSON `sentences`, `text`, `warnings` and `footnote`
/// alike, and the numbers they quote are the report's.
#[test]
fn blurb_wording_comes_from_templates_that_a_reports_dir_overrides() {
    let p = Project::new("basic");
    p.load_basic("2026-06-30");
    p.load_basic("2026-09-30");
    let blurb = "report blurb --feature sso --from 2026-06-30 --to 2026-09-30 --format";
    let args = |format: &str| -> Vec<String> {
        format!("--reports-dir my-reports {blurb} {format}")
            .split(' ')
            .map(String::from)
            .collect()
    };
    std::fs::create_dir(p.path("my-reports")).unwrap();
    p.write(
        "my-reports/blurb-parts.j2",
        "{% macro sentences(b) -%}\n\
         SSO sits with {{ b.to.customers }} customers and {{ b.to.arr | money }}.\n\
         Up {{ b.workspaces_change | signed(0) }}.\n\
         {%- endmacro %}\n\
         {% macro warnings(b) -%}\nMind the {{ b.small_sample_limit }}.\n{%- endmacro %}\n\
         {% macro footnote(b) -%}\nMade by hand.\n{%- endmacro %}\n",
    );
    let r = p.json(&args("json").iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        r["sentences"],
        serde_json::json!(["SSO sits with 3 customers and $188k.", "Up +0."])
    );
    assert_eq!(r["text"], "SSO sits with 3 customers and $188k. Up +0.");
    assert_eq!(r["warnings"], serde_json::json!(["Mind the 5."]));
    assert_eq!(r["footnote"], "Made by hand.");
    let md = p.run(&args("md").iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        md,
        "SSO sits with 3 customers and $188k. Up +0.[^1]\n\n> **Before you paste this:**\n> - Mind the 5.\n\n[^1]: Made by hand.\n"
    );
    // Without the override, the built-in wording.
    let builtin = p.json(&format!("{blurb} json").split(' ').collect::<Vec<_>>());
    assert!(
        builtin["text"]
            .as_str()
            .unwrap()
            .starts_with("Between 2026-06-30 and 2026-09-30, workspaces with SSO enabled held steady at 5"),
        "{builtin:#}"
    );
}
