//! Every numeric option, environment variable and config key is bounded (issue 12):
//! a value outside its range (negative, NaN, infinite, huge, a word, 0 where 0 means
//! nothing) is a usage error, exit 2, naming the option and its range, with nothing
//! on stdout and no panic; a value at each end of the range is accepted. Also the
//! panic hook: a panic that escapes is one line on stderr and exit code 101.

use assert_cmd::Command;

use crate::auth0_server::{self, ServerConfig};
use crate::util::{usage_error, Project};

/// Values no numeric option accepts.
const NEVER: [&str; 7] = ["-1", "NaN", "inf", "-inf", "1e308", "ten", ""];

/// Asserts that each of `values`, given as `--flag=VALUE` after `args`, is refused
/// with a message naming the flag and `range`.
fn assert_flag_refuses(p: &Project, args: &[&str], flag: &str, values: &[&str], range: &str) {
    for value in values {
        let mut all = args.to_vec();
        let given = format!("{flag}={value}");
        all.push(&given);
        let stderr = p.usage_error(&all);
        assert!(
            stderr.contains(flag) && stderr.contains(range),
            "{all:?}: the error names {flag} and {range}:\n{stderr}"
        );
    }
    // The same values given as a separate argument, where the shell would put them.
    let stderr = p.usage_error(&[args, &[flag, "-1"]].concat());
    assert!(stderr.contains(range), "{stderr}");
}

/// Asserts that each of `values` in the environment variable `env` is refused with
/// a message naming the variable and `range`.
fn assert_env_refuses(p: &Project, args: &[&str], env: &str, values: &[&str], range: &str) {
    for value in values {
        let stderr = usage_error(p.cmd().env(env, value).args(args));
        assert!(
            stderr.contains(env) && stderr.contains(range),
            "{env}={value}: the error names {env} and {range}:\n{stderr}"
        );
    }
}

/// Asserts that each TOML value of `key` in `section` is refused with a message
/// naming the key and `range`; `config` is the rest of the file.
fn assert_config_refuses(p: &Project, section: &str, key: &str, values: &[&str], range: &str) {
    for value in values {
        p.write("bad.toml", format!("[{section}]\n{key} = {value}\n"));
        let stderr = p.usage_error(&["--config", "bad.toml", "snapshots"]);
        assert!(
            stderr.contains(&format!("[{section}] {key}")) && stderr.contains(range),
            "{key} = {value}: the error names [{section}] {key} and {range}:\n{stderr}"
        );
    }
}

/// `pull auth0` against nothing: a value that passes the bounds gets as far as the
/// missing credentials (exit 1), which proves it was accepted.
fn assert_pull_accepts(p: &Project, args: &[&str]) {
    let stderr = p.fail(&[&["pull", "auth0", "--domain", "http://127.0.0.1:9"], args].concat());
    assert!(stderr.contains("AUTH0_CLIENT_ID is not set"), "{args:?}: {stderr}");
}

#[test]
fn load_auth0_log_days_is_1_to_3650() {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    let load = ["load", "auth0", "auth0.json", "--as-of", "2026-09-30"];
    let out_of_range = [&NEVER[..], &["0", "3651", "200000000", "2.5"]].concat();
    assert_flag_refuses(&p, &load, "--log-days", &out_of_range, "1 to 3650");
    p.usage_error(&[&load[..], &["--log-days", "200000000"]].concat());
    for days in ["1", "3650"] {
        p.run(&[&load[..], &["--log-days", days]].concat());
    }
    // Logins are counted over the 3650 days ending on the as-of date.
    let idps = p.json(&["report", "idps", "--format", "json"]);
    assert!(idps["idps"][0]["logins"].is_number(), "{idps}");
}

/// `pull auth0 FLAG`: refused out of range, accepted at both ends of it.
fn assert_pull_flag_bounded(flag: &str, out_of_range: &[&str], range: &str, ends: [&str; 2]) {
    let p = Project::empty();
    let pull = ["pull", "auth0", "--domain", "http://127.0.0.1:9"];
    assert_flag_refuses(&p, &pull, flag, &[&NEVER[..], out_of_range].concat(), range);
    for value in ends {
        assert_pull_accepts(&p, &[flag, value]);
    }
}

#[test]
fn pull_auth0_log_days_is_0_to_3650() {
    assert_pull_flag_bounded(
        "--log-days",
        &["3651", "200000000"],
        "0 (no logs) or 1 to 3650",
        ["0", "3650"],
    );
}

#[test]
fn rps_flag_env_and_config_key_are_0_or_a_hundredth_to_1000() {
    let p = Project::empty();
    let pull = ["pull", "auth0", "--domain", "http://127.0.0.1:9"];
    let range = "0 (no client-side limit) or 0.01 to 1000";
    let out_of_range = [&NEVER[..], &["1e-20", "0.001", "1000.5", "NaN"]].concat();
    assert_flag_refuses(&p, &pull, "--rps", &out_of_range, range);
    assert_env_refuses(&p, &pull, "FEATUREARR_AUTH0_RPS", &out_of_range, range);
    let toml_out_of_range = ["-1", "nan", "inf", "-inf", "1e308", "1e-20", "1001", "\"ten\"", "[]"];
    assert_config_refuses(&p, "auth0", "requests_per_second", &toml_out_of_range, range);
    for rps in ["0", "0.01", "1000", "16"] {
        assert_pull_accepts(&p, &["--rps", rps]);
        p.write("ok.toml", format!("[auth0]\nrequests_per_second = {rps}\n"));
        assert_pull_accepts(&p, &["--config", "ok.toml"]);
    }
}

#[test]
fn timeout_is_1_to_3600_seconds() {
    assert_pull_flag_bounded("--timeout", &["0", "3601", "1.5"], "1 to 3600", ["1", "3600"]);
}

#[test]
fn max_retries_is_0_to_20() {
    assert_pull_flag_bounded("--max-retries", &["21", "4294967296"], "0 to 20", ["0", "20"]);
}

#[test]
fn a_pull_at_the_ends_of_every_range_loads_its_snapshot() {
    let server = auth0_server::start(ServerConfig {
        connections: 6,
        organizations: 3,
        logs: 40,
        ..Default::default()
    });
    let p = Project::empty();
    p.write("featurearr.toml", "[auth0]\nrequests_per_second = 0.01\n");
    // The flag beats the config's 0.01 (a request every 100 s would time the test out).
    let out = p
        .cmd()
        .env("AUTH0_CLIENT_ID", &server.config().client_id)
        .env("AUTH0_CLIENT_SECRET", &server.config().client_secret)
        .args(["pull", "auth0", "--domain", &server.base_url(), "--as-of", "2026-09-30"])
        .args([
            "--rps",
            "1000",
            "--timeout",
            "3600",
            "--max-retries",
            "20",
            "--log-days",
            "3650",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("longer than Auth0 keeps logs"), "{stderr}");
    let snapshots = p.json(&["snapshots", "--format", "json"]);
    assert_eq!(snapshots["snapshots"][0]["source"], "auth0", "{snapshots}");
}

#[test]
fn wait_flag_and_env_are_0_to_86400_seconds() {
    let p = Project::new("basic");
    p.run(&["load", "flags", "flags.csv", "--as-of", "2026-09-30"]);
    let range = "0 (fail at once) or 1 to 86400";
    let out_of_range = [&NEVER[..], &["86401", "1.5"]].concat();
    assert_flag_refuses(&p, &["snapshots"], "--wait", &out_of_range, range);
    assert_env_refuses(&p, &["snapshots"], "FEATUREARR_WAIT", &out_of_range, range);
    for seconds in ["0", "86400"] {
        p.run(&["--wait", seconds, "snapshots"]);
        let out = p
            .cmd()
            .env("FEATUREARR_WAIT", seconds)
            .arg("snapshots")
            .output()
            .unwrap();
        assert!(out.status.success(), "FEATUREARR_WAIT={seconds}");
    }
}

#[test]
fn demo_workspaces_and_seed_are_bounded() {
    let p = Project::empty();
    let demo = ["demo", "--dir", "d"];
    let out_of_range = [&NEVER[..], &["0", "9", "10000001", "1e3"]].concat();
    assert_flag_refuses(&p, &demo, "--workspaces", &out_of_range, "10 to 10000000");
    let out_of_range = [&NEVER[..], &["18446744073709551616", "1.5"]].concat();
    assert_flag_refuses(&p, &demo, "--seed", &out_of_range, "0 to 18446744073709551615");
    assert!(!p.path("d").exists(), "a refused demo writes nothing");
    let out = p.run(&[&demo[..], &["--workspaces", "10", "--seed", "18446744073709551615"]].concat());
    assert!(out.contains("revenue-share.json"), "{out}");
}

#[test]
fn fail_on_thresholds_are_a_share_or_a_count_in_range() {
    let p = Project::new("basic");
    p.load_basic("2026-09-30");
    let share = "0 to 100 followed by %";
    for value in ["abc%", "-1%", "NaN%", "inf%", "1e308%", "101%", "2", "-0.5", "ten", ""] {
        let stderr = p.usage_error(&["doctor", "--fail-on", &format!("unattributed-arr={value}")]);
        assert!(
            stderr.contains("--fail-on") && stderr.contains(share),
            "{value}: {stderr}"
        );
    }
    for value in [&NEVER[..], &["1000000001", "2.5"]].concat() {
        let stderr = p.usage_error(&["doctor", "--fail-on", &format!("unmapped-connections={value}")]);
        assert!(
            stderr.contains("--fail-on") && stderr.contains("0 to 1000000000"),
            "{value}: {stderr}"
        );
    }
    let stderr = p.usage_error(&["doctor", "--fail-on", "unmapped-connections"]);
    assert!(stderr.contains("KEY=VALUE"), "{stderr}");
    p.run(&[
        "doctor",
        "--fail-on",
        "unattributed-arr=100%",
        "--fail-on",
        "unattributed-arr=1",
    ]);
    // Every count key --fail-on accepts is a finding doctor reports.
    for key in featurearr::cli::FAIL_ON_COUNT_KEYS {
        p.run(&["doctor", "--fail-on", &format!("{key}=1000000000")]);
    }
}

#[test]
fn fiscal_year_start_month_is_1_to_12() {
    let p = Project::new("quarters");
    let out_of_range = ["0", "13", "-1", "nan", "inf", "1e308", "1.5", "\"3\"", "true"];
    assert_config_refuses(&p, "report", "fiscal_year_start_month", &out_of_range, "1 to 12");
    p.write("featurearr.toml", "[report]\nfiscal_year_start_month = 12\n");
    for as_of in ["2026-06-30", "2026-09-30"] {
        p.run(&["load", "flags", &format!("flags-{as_of}.csv"), "--as-of", as_of]);
        p.run(&["load", "arr", &format!("arr-{as_of}.csv"), "--as-of", as_of]);
    }
    let q = p.json(&["report", "quarterly", "--quarter", "2026Q4", "--format", "json"]);
    assert_eq!(q["fiscal_year_start_month"], 12, "{q}");
}

#[test]
fn arr_bands_are_ascending_amounts_in_cents() {
    let p = Project::new("basic");
    let range = "0.01 to 1000000000000";
    for band in ["-1", "0", "nan", "inf", "1e308", "1e13", "\"ten\""] {
        p.write("bad.toml", format!("[report]\narr_bands = [10000, {band}]\n"));
        let stderr = p.usage_error(&["--config", "bad.toml", "snapshots"]);
        assert!(
            stderr.contains("[report] arr_bands[1]") && stderr.contains(range),
            "{band}: {stderr}"
        );
    }
    let too_many = (1..=21).map(|i| (i * 1000).to_string()).collect::<Vec<_>>().join(", ");
    for (bands, says) in [
        ("[10000.005]", "more than 2 decimals"),
        ("[50000, 10000]", "ascending"),
        ("[10000, 10000]", "ascending"),
        ("[]", "1 to 20"),
        (&format!("[{too_many}]"), "1 to 20"),
        ("10000", "a list of amounts"),
    ] {
        p.write("bad.toml", format!("[report]\narr_bands = {bands}\n"));
        let stderr = p.usage_error(&["--config", "bad.toml", "snapshots"]);
        assert!(
            stderr.contains("[report] arr_bands") && stderr.contains(says),
            "{bands}: {stderr}"
        );
    }
    p.write(
        "featurearr.toml",
        "[currency]\nrates = { EUR = 1.08, GBP = 1.27 }\n[report]\narr_bands = [0.01, 50000.5, 1000000000000]\n",
    );
    p.load_basic("2026-09-30");
    let share = p.json(&["report", "revenue-share", "--format", "json"]);
    let bands: Vec<&str> = share["bands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["band"].as_str().unwrap())
        .collect();
    assert_eq!(bands.len(), 4, "{bands:?}");
}

#[test]
fn currency_rates_are_decimals_in_range() {
    let p = Project::new("basic");
    let range = "0.000001 to 1000000";
    for rate in [
        "-1",
        "0",
        "nan",
        "inf",
        "1e308",
        "1e-20",
        "1000001",
        "\"ten\"",
        "\"1e3\"",
        "\"-1.08\"",
        "1.0000000000001",
        "\"1.08.1\"",
    ] {
        p.write("bad.toml", format!("[currency]\nrates = {{ EUR = {rate} }}\n"));
        let stderr = p.usage_error(&["--config", "bad.toml", "snapshots"]);
        assert!(
            stderr.contains("[currency] rates.EUR") && stderr.contains(range),
            "{rate}: {stderr}"
        );
    }
    p.write(
        "featurearr.toml",
        "[currency]\nrates = { EUR = 1000000, GBP = \"0.000001\" }\n",
    );
    p.load_basic("2026-09-30");
    p.run(&["report", "revenue-share", "--format", "json"]);
}

#[test]
fn dates_and_quarters_are_years_1900_to_9999() {
    let p = Project::new("basic");
    for date in [
        "1899-12-31",
        "0000-01-01",
        "10000-01-01",
        "+262143-12-31",
        "2026-13-01",
        "-1",
        "NaN",
    ] {
        let stderr = p.usage_error(&["load", "flags", "flags.csv", &format!("--as-of={date}")]);
        assert!(
            stderr.contains("--as-of") && stderr.contains("1900 to 9999"),
            "{date}: {stderr}"
        );
    }
    // 202éQ is six bytes with a character across byte 4: it used to panic.
    for quarter in ["1899Q4", "0000Q1", "10000Q1", "2026Q5", "202éQ", "éééQ1", "-1", "NaN"] {
        let stderr = p.usage_error(&["report", "quarterly", &format!("--quarter={quarter}")]);
        assert!(
            stderr.contains("--quarter") && stderr.contains("1900 to 9999"),
            "{quarter}: {stderr}"
        );
    }
    for date in ["1900-01-01", "9999-12-31"] {
        p.run(&["load", "flags", "flags.csv", "--as-of", date]);
    }
    p.load_basic("2026-09-30");
    let stderr = p.usage_error(&[
        "report",
        "blurb",
        "--feature",
        "sso",
        "--from",
        "2026-09-30",
        "--to",
        "2026-07-01",
    ]);
    assert!(
        stderr.contains("--from 2026-09-30 must be before --to 2026-07-01"),
        "{stderr}"
    );
}

#[test]
fn report_without_a_report_or_output_dir_is_a_usage_error() {
    let stderr = Project::empty().usage_error(&["report"]);
    assert!(stderr.contains("--output-dir"), "{stderr}");
}

#[test]
fn postgres_connect_timeout_and_port_are_bounded() {
    let p = Project::empty();
    let url = "postgresql://reader@127.0.0.1:1/app";
    let load = |url: &str| {
        vec![
            "load".to_string(),
            "flags".into(),
            url.into(),
            "--query".into(),
            "SELECT 1".into(),
        ]
    };
    let out_of_range = [&NEVER[..6], &["0", "3601", "2.5"]].concat();
    for value in &out_of_range {
        let args = load(&format!("{url}?connect_timeout={value}"));
        let stderr = p.usage_error(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            stderr.contains("connect_timeout in the URL must be a whole number from 1 to 3600"),
            "{value}: {stderr}"
        );
    }
    let args = load(url);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // An empty variable is unset, as libpq reads it.
    assert_env_refuses(&p, &args, "PGCONNECT_TIMEOUT", &out_of_range, "1 to 3600");
    let no_port = [
        "load",
        "flags",
        "postgresql://reader@127.0.0.1/app",
        "--query",
        "SELECT 1",
    ];
    assert_env_refuses(&p, &no_port, "PGPORT", &["0", "65536", "-1", "ten"], "1 to 65535");
    let stderr = p.usage_error(&[
        "load",
        "flags",
        "postgresql://reader@127.0.0.1:99999/app",
        "--query",
        "SELECT 1",
    ]);
    assert!(
        stderr.contains("the port in the URL must be a whole number from 1 to 65535"),
        "{stderr}"
    );
    // Both ends are accepted: the load gets as far as connecting (nobody listens on port 1).
    for timeout in ["1", "3600"] {
        let url = format!("postgresql://reader:pw@127.0.0.1:1/app?connect_timeout={timeout}");
        let stderr = p.fail(&["load", "flags", &url, "--query", "SELECT 1"]);
        assert!(stderr.contains("connection refused"), "{stderr}");
    }
}

#[test]
fn help_shows_every_range() {
    let p = Project::empty();
    for (args, ranges) in [
        (
            &["pull", "auth0", "--help"][..],
            &[
                "[range: 0 (no logs) or 1 to 3650]",
                "[range: 0 (no client-side limit) or 0.01 to 1000]",
                "[range: 1 to 3600]",
                "[range: 0 to 20]",
                "[range: 0 (fail at once) or 1 to 86400]",
            ][..],
        ),
        (&["load", "auth0", "--help"], &["[range: 1 to 3650]"]),
        (
            &["load", "flags", "--help"],
            &["connect_timeout (seconds, 1 to 3600, default 10)"],
        ),
        (
            &["demo", "--help"],
            &["[range: 10 to 10000000]", "[range: 0 to 18446744073709551615]"],
        ),
        (&["doctor", "--help"], &["0% to 100%", "1000000000"]),
        (
            &["report", "quarterly", "--help"],
            &["fiscal_year_start_month (1 to 12"],
        ),
    ] {
        // Compared with whitespace collapsed: clap wraps help to the terminal's width.
        let help = p.run(args).split_whitespace().collect::<Vec<_>>().join(" ");
        for range in ranges {
            assert!(help.contains(range), "{args:?} shows {range}:\n{help}");
        }
    }
}

/// The binary turns a panic into one line and exit code 101. Nothing in a release
/// binary panics on purpose, so this uses `FEATUREARR_DEBUG_PANIC`, which only debug
/// builds (those `cargo test` runs) read: see `debug_panic_for_tests` in `main.rs`.
#[cfg(debug_assertions)]
#[test]
fn a_panic_is_one_line_and_exit_101_unless_rust_backtrace_is_set() {
    let p = Project::empty();
    let out = p
        .cmd()
        .env("FEATUREARR_DEBUG_PANIC", "1")
        .arg("snapshots")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(101), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr.lines().count(),
        1,
        "one line, however many threads panicked:\n{stderr}"
    );
    assert!(
        stderr.starts_with("internal error: FEATUREARR_DEBUG_PANIC is set (at src/main.rs:")
            && stderr.ends_with("); please report it\n"),
        "{stderr}"
    );

    let out = Command::cargo_bin("featurearr")
        .unwrap()
        .env_clear()
        .current_dir(p.dir.path())
        .env("FEATUREARR_DEBUG_PANIC", "1")
        .env("RUST_BACKTRACE", "1")
        .arg("snapshots")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(101), "{stderr}");
    assert!(
        stderr.contains("panicked at") && stderr.contains("stack backtrace"),
        "Rust's own hook, with the backtrace asked for:\n{stderr}"
    );
}

#[test]
fn http_and_salesforce_config_keys_are_bounded() {
    let p = Project::empty();
    assert_config_refuses(
        &p,
        "http",
        "connect_timeout",
        &["0", "3601", "-1", "nan", "\"30\""],
        "1 to 3600",
    );
    assert_config_refuses(&p, "http", "read_timeout", &["0", "3601", "1.5"], "1 to 3600");
    assert_config_refuses(&p, "http", "max_retries", &["-1", "21", "inf"], "0 to 20");
    assert_config_refuses(
        &p,
        "salesforce",
        "bulk_threshold",
        &["-1", "1000000001", "1e10"],
        "0 to 1000000000",
    );
    assert_config_refuses(
        &p,
        "salesforce",
        "api_version",
        &["46.0", "1000", "\"v62\"", "nan"],
        "47 to 999",
    );
    p.write("ok.toml", "[http]\nconnect_timeout = 1\nread_timeout = 3600\nmax_retries = 0\n[salesforce]\nbulk_threshold = 0\napi_version = \"62.0\"\n");
    // The ends of every range pass the config check and get as far as the missing store.
    let stderr = p.fail(&["--config", "ok.toml", "snapshots"]);
    assert!(stderr.contains("no store at"), "{stderr}");
}
