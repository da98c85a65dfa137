//! The command line as the user types it: clap derive types, the bounds of every
//! numeric option, and the usage error that `main` turns into exit code 2.
//!
//! No I/O. Every numeric option declares a [`Bounds`] once, which gives both its
//! clap value parser and the range its `--help` shows; `config` checks numeric
//! config keys against the same bounds, turns these values into a resolved
//! `Config`, and `lib::run` walks the pipeline.

use std::fmt::{self, Display};
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// The years of `--as-of`, `--from`, `--to` and `--quarter`.
pub(crate) const YEARS: Bounds<i32> = Bounds::new(1900, 9999);
/// `--wait` and `FEATUREARR_WAIT`, in seconds: up to a day.
pub(crate) const WAIT_SECONDS: Bounds<u64> = Bounds::new(1, 86_400).or_zero("fail at once");
/// `load auth0 --log-days`: a dump may hold more than Auth0 keeps (a log stream's export).
pub(crate) const LOAD_LOG_DAYS: Bounds<u32> = Bounds::new(1, 3650);
/// `pull auth0 --log-days`; Auth0 keeps 1 to 30 days by plan, and the pull warns past 30.
pub(crate) const PULL_LOG_DAYS: Bounds<u32> = Bounds::new(1, 3650).or_zero("no logs");
/// `--rps`, `FEATUREARR_AUTH0_RPS` and `[auth0] requests_per_second`. Below 0.01 a
/// pull would wait minutes between requests; Auth0 allows at most tens per second.
pub(crate) const AUTH0_RPS: Bounds<f64> = Bounds::new(0.01, 1000.0).or_zero("no client-side limit");
/// `pull auth0 --timeout`, `[http] connect_timeout` and `read_timeout`, in seconds.
pub(crate) const TIMEOUT_SECONDS: Bounds<u64> = Bounds::new(1, 3600);
/// `connect_timeout` of a `postgresql://` URL and PGCONNECT_TIMEOUT, in seconds. libpq
/// reads 0 as "wait for ever", which a scheduled load should not do.
pub(crate) const PG_CONNECT_TIMEOUT: Bounds<u64> = Bounds::new(1, 3600);
/// `load flags --query` and `[flags] query`, in characters: a query longer than this
/// is no hand-written query.
pub(crate) const QUERY_CHARS: Bounds<usize> = Bounds::new(1, 100_000);
/// `pull auth0 --max-retries` and `[http] max_retries`: each retry may wait up to 30 s.
pub(crate) const MAX_RETRIES: Bounds<u32> = Bounds::new(0, 20);
/// `demo --workspaces`: fewer than 10 mean nothing. 10M ran to the end in 10 min on
/// 2 busy cores: 9.9 GiB of inputs, a 3.2 GiB store and a 5.5 GiB peak.
pub(crate) const DEMO_WORKSPACES: Bounds<usize> = Bounds::new(10, 10_000_000);
/// `demo --seed`: any 64-bit seed.
pub(crate) const DEMO_SEED: Bounds<u64> = Bounds::new(0, u64::MAX);
/// `runs --limit`: a daily job records about 365 runs a year.
pub(crate) const RUNS_LIMIT: Bounds<usize> = Bounds::new(1, 100_000);
/// `doctor --fail-on KEY=N` for a finding counted in rows.
pub(crate) const FAIL_ON_COUNT: Bounds<u64> = Bounds::new(0, 1_000_000_000);
/// `doctor --fail-on unattributed-arr=N%`.
pub(crate) const FAIL_ON_PERCENT: Bounds<f64> = Bounds::new(0.0, 100.0);
/// `doctor --fail-on unattributed-arr=N`, a fraction of ARR.
pub(crate) const FAIL_ON_SHARE: Bounds<f64> = Bounds::new(0.0, 1.0);

/// A type a numeric option can hold.
pub(crate) trait Number: Copy + PartialOrd + Display + Send + Sync + 'static {
    /// How the user is told what to write: "a whole number" or "a number".
    const KIND: &'static str;
    const ZERO: Self;
    /// Rust's own parse: for `f64` it accepts NaN and infinities, which no bound contains.
    fn parse_text(text: &str) -> Option<Self>;
}

macro_rules! whole_number {
    ($($t:ty),*) => {$(
        impl Number for $t {
            const KIND: &'static str = "a whole number";
            const ZERO: Self = 0;
            fn parse_text(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        }
    )*};
}
whole_number!(i32, u32, u64, usize);

impl Number for f64 {
    const KIND: &'static str = "a number";
    const ZERO: Self = 0.0;
    fn parse_text(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

/// The values a numeric option (or config key) accepts: `min..=max`, and 0 too when
/// 0 means something of its own (`or_zero`). One constant gives the clap parser
/// (`parser`, `env_parser`), the `--help` line (`help`) and the config check
/// (`config::bounded`), so the range is written once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds<T> {
    min: T,
    max: T,
    /// What 0 means, when 0 is accepted below `min`.
    zero: Option<&'static str>,
}

impl<T: Number> Bounds<T> {
    pub(crate) const fn new(min: T, max: T) -> Self {
        Bounds { min, max, zero: None }
    }

    /// Also accepts 0, meaning `meaning` (e.g. "no limit").
    pub(crate) const fn or_zero(self, meaning: &'static str) -> Self {
        Bounds {
            zero: Some(meaning),
            ..self
        }
    }

    /// `1 to 3600`, or `0 (no logs) or 1 to 3650`.
    pub(crate) fn range(&self) -> String {
        let range = format!("{} to {}", self.min, self.max);
        match self.zero {
            Some(meaning) => format!("0 ({meaning}) or {range}"),
            None => range,
        }
    }

    /// What a rejected value must be instead: `a whole number from 1 to 3600`,
    /// or `a whole number: 0 (no logs) or 1 to 3650`.
    pub(crate) fn expected(&self) -> String {
        match self.zero {
            Some(_) => format!("{}: {}", T::KIND, self.range()),
            None => format!("{} from {}", T::KIND, self.range()),
        }
    }

    /// An option's help line with its range, shown by `--help`.
    pub(crate) fn help(&self, text: &str) -> String {
        format!("{text} [range: {}]", self.range())
    }

    pub(crate) fn contains(&self, value: T) -> bool {
        (self.min <= value && value <= self.max) || (self.zero.is_some() && value == T::ZERO)
    }

    /// The value `text` holds when it is in bounds; else what it must be.
    pub(crate) fn parse(&self, text: &str) -> Result<T, String> {
        T::parse_text(text.trim())
            .filter(|value| self.contains(*value))
            .ok_or_else(|| format!("must be {}", self.expected()))
    }

    /// The clap value parser of an option without an environment variable.
    pub(crate) fn parser(self) -> impl clap::builder::TypedValueParser<Value = T> {
        move |text: &str| self.parse(text)
    }

    /// The clap value parser of an option that also reads `env`: clap's error names
    /// only the flag, so the message names the variable the value may have come from.
    pub(crate) fn env_parser(self, env: &'static str) -> impl clap::builder::TypedValueParser<Value = T> {
        move |text: &str| {
            self.parse(text)
                .map_err(|must| format!("{must} (if it came from {env}, fix or unset that variable)"))
        }
    }
}

/// A mistake in what the user asked for that clap cannot see: a config file key out
/// of range, or options that only make sense together. `main` exits 2 on it, as
/// clap does for the mistakes it finds itself; its message and causes print as any
/// error's do.
#[derive(Debug)]
pub struct UsageError(anyhow::Error);

impl UsageError {
    pub(crate) fn new(error: anyhow::Error) -> UsageError {
        UsageError(error)
    }

    /// A usage error with this message, ready to return from `lib::run`.
    pub(crate) fn msg(message: String) -> anyhow::Error {
        UsageError(anyhow::Error::msg(message)).into()
    }
}

impl Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl std::error::Error for UsageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// A refresh that loaded its data and wrote its reports, but whose doctor gates were
/// exceeded: `main` exits 3 on it, so that a scheduler can tell it from a failure (1)
/// and from a usage error (2).
#[derive(Debug)]
pub struct GatesExceeded(pub(crate) String);

impl Display for GatesExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GatesExceeded {}

/// How much revenue sits on each security feature and identity provider.
///
/// featurearr joins workspace feature flags (SSO, SCIM, forced MFA and any flag
/// you declare; from files, URLs or PostgreSQL) with Salesforce ARR (exports or
/// a live pull) and Auth0 connections in a DuckDB file that keeps every load as a
/// dated snapshot, and renders reports in markdown, JSON, CSV and HTML with charts.
#[derive(Debug, Parser)]
#[command(name = "featurearr", version, about, max_term_width = 100)]
#[command(after_help = "\
Examples:
  featurearr demo --dir demo-out                      # sample data, every report
  featurearr load flags flags.csv --as-of 2026-09-30
  featurearr load arr report1642777476321.csv --as-of 2026-09-30
  featurearr report revenue-share --format md")]
pub struct Cli {
    /// The DuckDB store holding every snapshot
    #[arg(long, global = true, env = "FEATUREARR_DB", default_value = "featurearr.duckdb")]
    pub db: PathBuf,

    /// Config file (default: featurearr.toml in the working directory, if present)
    #[arg(long, global = true, env = "FEATUREARR_CONFIG")]
    pub config: Option<PathBuf>,

    // Seconds to wait for another featurearr process to release the store.
    #[arg(
        long,
        global = true,
        env = "FEATUREARR_WAIT",
        default_value_t = 0,
        value_name = "SECONDS",
        allow_negative_numbers = true,
        value_parser = WAIT_SECONDS.env_parser("FEATUREARR_WAIT"),
        help = WAIT_SECONDS.help("Seconds to wait for another featurearr process to release the store")
    )]
    pub wait: u64,

    /// Folder whose *.sql files replace the built-in queries of the same name
    #[arg(long, global = true, value_name = "DIR")]
    pub queries_dir: Option<PathBuf>,

    /// Folder whose *.j2 templates replace the built-in reports of the same name
    #[arg(long, global = true, value_name = "DIR")]
    pub reports_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load one snapshot of a source into the store
    #[command(subcommand)]
    Load(LoadCommand),

    /// Render a report from the snapshots in the store
    Report(ReportGroup),

    /// Pull live from an external API into a snapshot
    #[command(subcommand)]
    Pull(PullCommand),

    /// Data-quality findings, weighted in ARR: what could not be attributed and why
    #[command(after_help = "\
Examples:
  featurearr doctor
  featurearr doctor --format json --fail-on unattributed-arr=2% --fail-on unmapped-connections=0

--fail-on keys: unattributed-arr (a percentage of ARR, 0% to 100%), and counts from 0
to 1000000000 of workspaces-without-account, accounts-without-workspace,
unmapped-connections, missing-accounts, prerequisite-breaks, empty-booleans,
conflicting-links, missing-parents, double-counted-parents, snapshot-gaps.
The report is printed either way; the exit code is 1 when a threshold is exceeded.")]
    Doctor(DoctorArgs),

    /// List what is loaded, per source and date
    #[command(after_help = "Example:\n  featurearr snapshots --format json")]
    Snapshots(FormatArgs),

    /// Pull every source of [refresh.sources] as one dated set, render every report, check the gates, tell the team
    #[command(after_help = "\
Driven by the config (paths relative to its folder; {as_of} is the run's date):

  [refresh]
  output_dir = \"reports/{as_of}\"                 # every report, plus index.md
  fail_on = [\"unattributed-arr=5%\"]              # doctor gates, as doctor --fail-on
  [refresh.sources]
  flags = \"exports/flags-{as_of}.csv\"            # a file, an http(s) URL, or a postgresql:// URL
                                                 #   read with [flags] query
  arr = \"salesforce\"                             # pull live (SALESFORCE_* variables); or an export
  workspace_accounts = \"exports/ws-accounts.csv\" # optional
  auth0 = \"auth0\"                                # optional; pull live (AUTH0_*) or a dump
  [notify]
  webhook_url = \"https://hooks.slack.com/...\"    # or FEATUREARR_WEBHOOK_URL
  heartbeat_url = \"https://hc-ping.com/<uuid>\"   # or FEATUREARR_HEARTBEAT_URL

Every source is read and checked first; then one transaction replaces that date's
snapshot of each, and the reports are rendered from it before it commits. A failed run
changes no snapshot and no report; it is recorded (featurearr runs) and reported.

Exit codes: 0 done; 1 a source, the store or a report failed (nothing changed);
2 a usage error (bad option or config); 3 loaded and reported, but a gate was exceeded.

Examples:
  featurearr refresh                          # today's date (UTC)
  featurearr refresh --as-of 2026-09-30
  featurearr refresh --dry-run                # check config, files, credentials, the flags query; change nothing
  0 6 1 * * cd /srv/featurearr && featurearr refresh --wait 600   # crontab: the 1st, 06:00")]
    Refresh(RefreshArgs),

    /// List the recorded refresh runs, newest first: durations, rows, requests, outcome
    #[command(after_help = "\
Examples:
  featurearr runs
  featurearr runs --format json --limit 1     # the last run, for a monitor")]
    Runs(RunsArgs),

    /// Write realistic sample inputs, load them into a store, render every report
    #[command(after_help = "Example:\n  featurearr demo --dir demo-out --workspaces 5000 --seed 7")]
    Demo(DemoArgs),
}

#[derive(Debug, Subcommand)]
pub enum LoadCommand {
    /// Workspace feature flags: a CSV, JSON, NDJSON or Parquet file, an http(s) URL returning JSON, or a PostgreSQL query
    #[command(after_help = "\
Examples:
  featurearr load flags flags.csv --as-of 2026-09-30
  featurearr load flags flags-export.csv --delimiter semicolon
  featurearr load flags flags.parquet
  FEATUREARR_FLAGS_TOKEN=... featurearr load flags https://admin.example.com/api/workspaces
  PGPASSWORD=... featurearr load flags 'postgresql://featurearr@db.internal:5432/app?sslmode=verify-full' \\
      --query 'SELECT id AS workspace_id, name AS workspace_name, sso_enabled FROM workspaces'

A PostgreSQL password comes from the URL, PGPASSWORD or ~/.pgpass (PGPASSFILE), as for
psql. The URL may set sslmode (disable, prefer, require, verify-ca, verify-full),
sslrootcert and connect_timeout (seconds, 1 to 3600, default 10). The query runs in a
read-only transaction; its columns are the flags columns.")]
    Flags(LoadFlagsArgs),

    /// A Salesforce ARR export: a report export or API-name CSV (any of the Bulk API's delimiters), or a Parquet file with API names
    #[command(after_help = "\
Examples:
  featurearr load arr report1642777476321.csv --as-of 2026-09-30
  featurearr load arr bulk-results.csv --delimiter pipe
  featurearr load arr accounts.parquet")]
    Arr(CsvLoadArgs),

    /// A workspace_id,account_id mapping CSV
    #[command(after_help = "Example:\n  featurearr load workspace-accounts workspace-accounts.csv --as-of 2026-09-30")]
    WorkspaceAccounts(CsvLoadArgs),

    /// An Auth0 dump ({"connections", "organizations", "logs"}), e.g. one saved by `pull auth0 --save-dump`
    #[command(after_help = "Example:\n  featurearr load auth0 auth0-2026-09-30.json --as-of 2026-09-30")]
    Auth0(LoadAuth0Args),
}

/// A load of a CSV file, whose delimiter is detected from its header line unless given.
#[derive(Debug, Args)]
pub struct CsvLoadArgs {
    #[command(flatten)]
    pub load: LoadArgs,

    /// The CSV field delimiter (default: detected from the header line; the config's
    /// [salesforce] delimiter or [flags] delimiter, when set, comes before detection)
    #[arg(long, value_enum, value_name = "DELIMITER")]
    pub delimiter: Option<CsvDelimiter>,
}

/// A CSV field delimiter, by name or as the character itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CsvDelimiter {
    #[value(alias = ",")]
    Comma,
    #[value(alias = ";")]
    Semicolon,
    #[value(alias = "\t", alias = "\\t")]
    Tab,
    #[value(alias = "|")]
    Pipe,
}

#[derive(Debug, Args)]
pub struct LoadAuth0Args {
    #[command(flatten)]
    pub load: LoadArgs,

    // Count successful logins of the N days ending on --as-of.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 30,
        allow_negative_numbers = true,
        value_parser = LOAD_LOG_DAYS.parser(),
        help = LOAD_LOG_DAYS.help("Count successful logins of the N days ending on --as-of")
    )]
    pub log_days: u32,
}

#[derive(Debug, Subcommand)]
pub enum PullCommand {
    /// Connections, organizations and login logs from the Auth0 Management API
    #[command(after_help = "\
Credentials come from AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (or [auth0] in the
config); the tenant from --domain, AUTH0_DOMAIN or [auth0] domain. The
application needs the scopes read:connections, read:connections_options,
read:organizations, read:organization_connections and read:logs.

Examples:
  featurearr pull auth0 --domain acme.us.auth0.com --save-dump auth0-2026-09-30.json
  FEATUREARR_AUTH0_RPS=16 featurearr pull auth0 --log-days 7")]
    Auth0(PullAuth0Args),

    /// Accounts and their ARR from a Salesforce org's REST or Bulk API 2.0, into the arr snapshot
    #[command(after_help = "\
Credentials come from SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (a Connected App
with the client credentials flow), or from SALESFORCE_ACCESS_TOKEN (e.g. what
`sf org display --json` prints). The org's URL comes from --instance-url,
SALESFORCE_INSTANCE_URL or [salesforce] instance_url. What is read: [salesforce] object,
api_version, where, bulk_threshold and [salesforce.fields] in the config.

Examples:
  featurearr pull salesforce --instance-url https://acme.my.salesforce.com --as-of 2026-09-30
  featurearr pull salesforce --bulk --save-dump arr-2026-09-30.csv   # replay: load arr arr-2026-09-30.csv")]
    Salesforce(PullSalesforceArgs),
}

#[derive(Debug, Args)]
pub struct PullSalesforceArgs {
    /// The snapshot's date, YYYY-MM-DD (default: today, UTC)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Also write the accounts to FILE as the API-name CSV `load arr` reads (never a token)
    #[arg(long, value_name = "FILE")]
    pub save_dump: Option<PathBuf>,

    /// Read the records with a Bulk API 2.0 query job, whatever their number
    #[arg(long, conflicts_with = "rest")]
    pub bulk: bool,

    /// Read the records with the REST query API, whatever their number
    #[arg(long)]
    pub rest: bool,

    /// The org's URL (https://acme.my.salesforce.com; http:// for a local test server)
    #[arg(long, value_name = "URL", env = "SALESFORCE_INSTANCE_URL")]
    pub instance_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct PullAuth0Args {
    /// Tenant host (acme.us.auth0.com) or base URL (http://127.0.0.1:8080)
    #[arg(long, value_name = "D")]
    pub domain: Option<String>,

    /// The snapshot's date, YYYY-MM-DD (default: today, UTC)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Also write what was pulled to FILE, in the dump format `load auth0` reads (never the token)
    #[arg(long, value_name = "FILE")]
    pub save_dump: Option<PathBuf>,

    // Pull successful logins of the N days ending on --as-of.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 30,
        allow_negative_numbers = true,
        value_parser = PULL_LOG_DAYS.parser(),
        help = PULL_LOG_DAYS.help("Pull successful logins of the N days ending on --as-of (Auth0 keeps at most 30)")
    )]
    pub log_days: u32,

    // Client-side limit in requests per second (default 2, or [auth0] requests_per_second).
    #[arg(
        long,
        value_name = "N",
        env = "FEATUREARR_AUTH0_RPS",
        allow_negative_numbers = true,
        value_parser = AUTH0_RPS.env_parser("FEATUREARR_AUTH0_RPS"),
        help = AUTH0_RPS.help(
            "Client-side limit in requests per second (default 2, what free tenants allow; 16 on enterprise ones)"
        )
    )]
    pub rps: Option<f64>,

    // Seconds before connecting or reading times out (default: [http] in the config, else 30 and 60).
    #[arg(
        long,
        value_name = "SECONDS",
        allow_negative_numbers = true,
        value_parser = TIMEOUT_SECONDS.parser(),
        help = TIMEOUT_SECONDS.help(
            "Seconds before connecting or reading times out (default: [http] connect_timeout and read_timeout, else 30 and 60)"
        )
    )]
    pub timeout: Option<u64>,

    // Retries of a request after a 429, a 5xx or a timeout (default: [http] max_retries, else 3).
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = MAX_RETRIES.parser(),
        help = MAX_RETRIES.help("Retries of a request after a 429, a 5xx or a timeout (default: [http] max_retries, else 3)")
    )]
    pub max_retries: Option<u32>,
}

#[derive(Debug, Args)]
pub struct LoadFlagsArgs {
    #[command(flatten)]
    pub file: CsvLoadArgs,

    /// The SQL query whose rows are the flags, with a postgresql:// source (default: [flags] query in the config)
    #[arg(long, value_name = "SQL", value_parser = parse_query)]
    pub query: Option<String>,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The file to load (for flags also an http(s):// or postgresql:// URL)
    #[arg(value_name = "FILE")]
    pub input: String,

    /// The snapshot's date, YYYY-MM-DD (default: today, UTC); loading the same date again replaces it
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_required = false)]
#[command(after_help = "\
Examples:
  featurearr report revenue-share --format json
  featurearr report --output-dir reports-2026-09-30 --as-of 2026-09-30   # every report, fixed file names

--output-dir writes each report as markdown, JSON (and CSV where it has rows) and a
self-contained HTML page, an index.html linking them, and every chart as
charts/<report>-<chart>.svg and a 1600 px wide .png for slides.")]
pub struct ReportGroup {
    #[command(subcommand)]
    pub command: Option<ReportCommand>,

    /// Render every report into DIR under fixed names (revenue-share.md, .json, .html, ...), with index.html and charts/
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// With --output-dir: the report date (default: the latest flags snapshot)
    #[arg(long, value_name = "DATE", requires = "output_dir", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Revenue share per feature: customers, ARR, concentration, adoption per ARR band
    #[command(after_help = "\
Examples:
  featurearr report revenue-share
  featurearr report revenue-share --as-of 2026-06-30 --format json --output q2.json
  featurearr report revenue-share --format html --output revenue-share.html   # a page with charts")]
    RevenueShare(ReportArgs),

    /// Top identity providers by customers, ARR and logins, and integration candidates
    #[command(after_help = "\
Examples:
  featurearr report idps
  featurearr report idps --format json --explain    # every connection with the rule that classified it")]
    Idps(IdpsArgs),

    /// The quarterly report: quarter-end against the previous quarter-end, with where changes came from
    #[command(after_help = "\
Examples:
  featurearr report quarterly --quarter 2026Q3
  featurearr report quarterly --quarter 2026Q3 --format json --output q3.json
  featurearr report quarterly --quarter 2026Q3 --format html --output q3.html

Quarters follow [report] fiscal_year_start_month (1 to 12, default 1, January) and are named
by the fiscal year they end in.")]
    Quarterly(QuarterlyArgs),

    /// Two to four sentences on one feature between two dates, ready for a review
    #[command(after_help = "\
Example:
  featurearr report blurb --feature forced_mfa --from 2026-07-01 --to 2026-09-30")]
    Blurb(BlurbArgs),
}

#[derive(Debug, Args)]
pub struct IdpsArgs {
    #[command(flatten)]
    pub report: ReportArgs,

    /// List every enterprise connection with its vendor, the rule that decided it and its workspace
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Report date, YYYY-MM-DD (default: the latest flags snapshot)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Output format
    #[arg(long, value_enum, default_value_t = DocumentFormat::Md)]
    pub format: DocumentFormat,

    /// Exit 1 when a finding exceeds a threshold: KEY=VALUE, e.g. unattributed-arr=2%
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_fail_on)]
    pub fail_on: Vec<FailOn>,
}

#[derive(Debug, Args)]
pub struct QuarterlyArgs {
    /// The quarter, YYYYQn (e.g. 2026Q3)
    #[arg(long, value_name = "YYYYQn", value_parser = parse_quarter)]
    pub quarter: String,

    #[command(flatten)]
    pub out: DocumentOutputArgs,
}

#[derive(Debug, Args)]
pub struct BlurbArgs {
    /// Feature key: sso, scim, forced_mfa, or one declared in the config
    #[arg(long, value_name = "KEY")]
    pub feature: String,

    /// Start date, YYYY-MM-DD
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: NaiveDate,

    /// End date, YYYY-MM-DD
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: NaiveDate,

    #[command(flatten)]
    pub out: DocumentOutputArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report date, YYYY-MM-DD (default: the latest flags snapshot); each source uses its newest snapshot on or before it
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,

    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Output of a report that has no table form: md, json or html.
#[derive(Debug, Args)]
pub struct DocumentOutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = DocumentFormat::Md)]
    pub format: DocumentFormat,

    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocumentFormat {
    Md,
    Json,
    /// A self-contained page with inline CSS and SVG charts
    Html,
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// The date of the set of snapshots, YYYY-MM-DD (default: today, UTC)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,

    /// Check the config, each file and each live source's credentials; load, write and send nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Md)]
    pub format: ListFormat,

    // How many runs to list, newest first.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 30,
        allow_negative_numbers = true,
        value_parser = RUNS_LIMIT.parser(),
        help = RUNS_LIMIT.help("How many runs to list, newest first")
    )]
    pub limit: usize,
}

/// Output of a listing that is no report: md or json.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Md,
    Json,
}

#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Md)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Md,
    Json,
    Csv,
    /// A self-contained page with inline CSS and SVG charts
    Html,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the sample inputs, the store and the rendered reports
    #[arg(long, default_value = "featurearr-demo")]
    pub dir: PathBuf,

    // How many workspaces to generate.
    #[arg(
        long,
        default_value_t = 2000,
        allow_negative_numbers = true,
        value_parser = DEMO_WORKSPACES.parser(),
        help = DEMO_WORKSPACES.help("How many workspaces to generate")
    )]
    pub workspaces: usize,

    // Random seed: the same seed writes the same files.
    #[arg(
        long,
        default_value_t = 42,
        allow_negative_numbers = true,
        value_parser = DEMO_SEED.parser(),
        help = DEMO_SEED.help("Random seed: the same seed writes the same files")
    )]
    pub seed: u64,
}

/// A `doctor --fail-on` threshold.
#[derive(Debug, Clone, PartialEq)]
pub enum FailOn {
    /// `unattributed-arr`: the largest share of ARR (0 to 1) that may be unattributed.
    UnattributedArr(f64),
    /// A finding counted in rows (one of [`FAIL_ON_COUNT_KEYS`]) and the most it may count.
    Count { key: String, limit: u64 },
}

/// The doctor findings `--fail-on` can name besides `unattributed-arr`.
pub const FAIL_ON_COUNT_KEYS: [&str; 10] = [
    "workspaces-without-account",
    "accounts-without-workspace",
    "unmapped-connections",
    "missing-accounts",
    "prerequisite-breaks",
    "empty-booleans",
    "conflicting-links",
    "missing-parents",
    "double-counted-parents",
    "snapshot-gaps",
];

/// `KEY=VALUE`: `unattributed-arr=2%` (or the fraction 0.02), or a finding's key and a count.
pub(crate) fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    let Some((key, value)) = text.split_once('=') else {
        return Err("must be KEY=VALUE, e.g. unattributed-arr=2% or unmapped-connections=0".into());
    };
    let (key, value) = (key.trim(), value.trim());
    if key == "unattributed-arr" {
        let share = match value.strip_suffix('%') {
            Some(percent) => FAIL_ON_PERCENT.parse(percent).map(|p| p / 100.0),
            None => FAIL_ON_SHARE.parse(value),
        };
        return share.map(FailOn::UnattributedArr).map_err(|_| {
            format!(
                "unattributed-arr must be a percentage, {} followed by %, such as 2%, or a fraction, {}, such as 0.02",
                FAIL_ON_PERCENT.range(),
                FAIL_ON_SHARE.range()
            )
        });
    }
    if !FAIL_ON_COUNT_KEYS.contains(&key) {
        return Err(format!(
            "key `{key}` is unknown; use unattributed-arr or one of {}",
            FAIL_ON_COUNT_KEYS.join(", ")
        ));
    }
    let limit = FAIL_ON_COUNT.parse(value).map_err(|must| format!("{key} {must}"))?;
    Ok(FailOn::Count {
        key: key.to_string(),
        limit,
    })
}

/// An SQL query of `QUERY_CHARS` characters, not counting the white space around it.
pub(crate) fn parse_query(text: &str) -> Result<String, String> {
    let query = text.trim();
    if QUERY_CHARS.contains(query.chars().count()) {
        Ok(query.to_string())
    } else {
        Err(format!(
            "must be an SQL query of {} characters, such as 'SELECT id AS workspace_id, sso_enabled FROM workspaces'",
            QUERY_CHARS.range()
        ))
    }
}

/// A `YYYY-MM-DD` date in `YEARS`; anything else is a usage error.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .filter(|date| YEARS.contains(date.year()))
        .ok_or_else(|| {
            format!(
                "`{text}` is not a date; use YYYY-MM-DD with a year from {}, e.g. 2026-09-30",
                YEARS.range()
            )
        })
}

/// A `YYYYQn` quarter such as 2026Q3, of a year in `YEARS`; anything else is a usage error.
fn parse_quarter(text: &str) -> Result<String, String> {
    let upper = text.trim().to_ascii_uppercase();
    let year = upper
        .split_once('Q')
        .filter(|(year, q)| year.len() == 4 && matches!(*q, "1" | "2" | "3" | "4"))
        .and_then(|(year, _)| YEARS.parse(year).ok());
    match year {
        Some(_) => Ok(upper),
        None => Err(format!(
            "`{text}` is not a quarter; use YYYYQn with a year from {}, e.g. 2026Q3",
            YEARS.range()
        )),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed_and_every_default_is_in_bounds() {
        // debug_assert checks the definitions; parsing bare commands runs every
        // default through its bounded parser.
        Cli::command().debug_assert();
        for args in [
            &["featurearr", "snapshots"][..],
            &["featurearr", "load", "auth0", "d.json"],
            &["featurearr", "pull", "auth0"],
            &["featurearr", "pull", "salesforce", "--bulk"],
            &["featurearr", "demo"],
            &["featurearr", "refresh"],
            &["featurearr", "runs"],
        ] {
            Cli::try_parse_from(args).unwrap();
        }
    }

    #[test]
    fn whole_number_bounds_refuse_what_is_outside_and_keep_what_is_inside() {
        let days = Bounds::new(1u32, 3650);
        for text in [
            "-1",
            "0",
            "3651",
            "NaN",
            "inf",
            "1e308",
            "2.5",
            "ten",
            "",
            "99999999999",
        ] {
            assert_eq!(
                days.parse(text),
                Err("must be a whole number from 1 to 3650".to_string()),
                "{text}"
            );
        }
        assert_eq!(days.parse(" 1 "), Ok(1));
        assert_eq!(days.parse("3650"), Ok(3650));
    }

    #[test]
    fn number_bounds_refuse_nan_infinities_and_tiny_values_and_may_allow_zero() {
        for text in [
            "NaN", "nan", "inf", "-inf", "infinity", "1e308", "1e-20", "-0.5", "1000.01",
        ] {
            assert!(AUTH0_RPS.parse(text).is_err(), "{text}");
        }
        assert_eq!(AUTH0_RPS.parse("0"), Ok(0.0));
        assert_eq!(AUTH0_RPS.parse("0.01"), Ok(0.01));
        assert_eq!(AUTH0_RPS.parse("1e3"), Ok(1000.0));
        assert_eq!(AUTH0_RPS.range(), "0 (no client-side limit) or 0.01 to 1000");
        assert_eq!(
            AUTH0_RPS.parse("-1"),
            Err("must be a number: 0 (no client-side limit) or 0.01 to 1000".to_string())
        );
    }

    #[test]
    fn help_lines_carry_the_range() {
        assert_eq!(
            TIMEOUT_SECONDS.help("Seconds before a request times out"),
            "Seconds before a request times out [range: 1 to 3600]"
        );
    }

    #[test]
    fn fail_on_reads_shares_and_counts_and_refuses_the_rest() {
        assert_eq!(parse_fail_on("unattributed-arr=2%"), Ok(FailOn::UnattributedArr(0.02)));
        assert_eq!(
            parse_fail_on(" unattributed-arr = 0.5 "),
            Ok(FailOn::UnattributedArr(0.5))
        );
        assert_eq!(
            parse_fail_on("snapshot-gaps=0"),
            Ok(FailOn::Count {
                key: "snapshot-gaps".into(),
                limit: 0
            })
        );
        for bad in [
            "unattributed-arr=abc%",
            "unattributed-arr=101%",
            "unattributed-arr=-1%",
            "unattributed-arr=NaN%",
            "unattributed-arr=2",
            "snapshot-gaps=-1",
            "snapshot-gaps=1e308",
            "snapshot-gaps=1.5",
            "nonsense=1",
            "snapshot-gaps",
        ] {
            assert!(parse_fail_on(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quarters_and_dates_are_years_1900_to_9999() {
        assert_eq!(parse_quarter("2026q3"), Ok("2026Q3".to_string()));
        // Six bytes with a two-byte character across byte 4 used to panic on a slice.
        for bad in ["202éQ", "éééQ1", "1899Q4", "10000Q1", "2026Q5", "2026Q", "Q3"] {
            assert!(parse_quarter(bad).is_err(), "{bad}");
        }
        assert!(parse_date("1900-01-01").is_ok() && parse_date("9999-12-31").is_ok());
        for bad in ["1899-12-31", "0000-01-01", "+10000-01-01", "2026-02-30"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_usage_error_prints_as_its_message_and_keeps_the_causes() {
        let inner = anyhow::anyhow!("toml says no").context("featurearr.toml is not a valid config");
        let err: anyhow::Error = UsageError::new(inner).into();
        let chain: Vec<String> = err.chain().map(|c| c.to_string()).collect();
        assert_eq!(chain, ["featurearr.toml is not a valid config", "toml says no"]);
        assert!(err.is::<UsageError>());
    }
}
