//! The command line as the user types it: clap derive types and nothing else.
//!
//! No I/O and no validation beyond what clap does; `config` turns these values
//! into a resolved `Config`, and `lib::run` walks the pipeline.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// How much revenue sits on each security feature and identity provider.
///
/// featurearr joins workspace feature flags (SSO, SCIM, forced MFA and any flag
/// you declare) with Salesforce ARR exports in a DuckDB file that keeps every
/// load as a dated snapshot, and renders reports in markdown, JSON and CSV.
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

    /// Seconds to wait for another featurearr process to release the store (0: fail at once)
    #[arg(
        long,
        global = true,
        env = "FEATUREARR_WAIT",
        default_value_t = 0,
        value_name = "SECONDS"
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

--fail-on keys: unattributed-arr (percent of ARR), workspaces-without-account,
accounts-without-workspace, unmapped-connections, missing-accounts,
prerequisite-breaks, empty-booleans, conflicting-links, snapshot-gaps (counts).
The report is printed either way; the exit code is 1 when a threshold is exceeded.")]
    Doctor(DoctorArgs),

    /// List what is loaded, per source and date
    #[command(after_help = "Example:\n  featurearr snapshots --format json")]
    Snapshots(FormatArgs),

    /// Write realistic sample inputs, load them into a store, render every report
    #[command(after_help = "Example:\n  featurearr demo --dir demo-out --workspaces 5000 --seed 7")]
    Demo(DemoArgs),
}

#[derive(Debug, Subcommand)]
pub enum LoadCommand {
    /// Workspace feature flags: a CSV, JSON or NDJSON file, or an http(s) URL returning JSON
    #[command(after_help = "\
Examples:
  featurearr load flags flags.csv --as-of 2026-09-30
  FEATUREARR_FLAGS_TOKEN=... featurearr load flags https://admin.example.com/api/workspaces")]
    Flags(LoadArgs),

    /// A Salesforce ARR export (report export or API-name CSV)
    #[command(after_help = "Example:\n  featurearr load arr report1642777476321.csv --as-of 2026-09-30")]
    Arr(LoadArgs),

    /// A workspace_id,account_id mapping CSV
    #[command(after_help = "Example:\n  featurearr load workspace-accounts workspace-accounts.csv --as-of 2026-09-30")]
    WorkspaceAccounts(LoadArgs),

    /// An Auth0 dump ({"connections", "organizations", "logs"}), e.g. one saved by `pull auth0 --save-dump`
    #[command(after_help = "Example:\n  featurearr load auth0 auth0-2026-09-30.json --as-of 2026-09-30")]
    Auth0(LoadAuth0Args),
}

#[derive(Debug, Args)]
pub struct LoadAuth0Args {
    #[command(flatten)]
    pub load: LoadArgs,

    /// Count successful logins of the N days ending on --as-of
    #[arg(long, value_name = "N", default_value_t = 30)]
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

    /// Pull successful logins of the N days ending on --as-of (0: no logs)
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub log_days: u32,

    /// Client-side limit in requests per second (Auth0 allows 2 on free tenants, 16 on enterprise ones)
    #[arg(long, value_name = "N", env = "FEATUREARR_AUTH0_RPS")]
    pub rps: Option<f64>,

    /// Seconds before a request times out
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,

    /// Retries of a request after a 429, a 5xx or a timeout
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_retries: u32,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The file to load (for flags also an http:// or https:// URL)
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
  featurearr report --output-dir reports-2026-09-30 --as-of 2026-09-30   # every report, fixed file names")]
pub struct ReportGroup {
    #[command(subcommand)]
    pub command: Option<ReportCommand>,

    /// Render every report into DIR under fixed names (revenue-share.md, .json, ...)
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
  featurearr report revenue-share --as-of 2026-06-30 --format json --output q2.json")]
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

Quarters follow [report] fiscal_year_start_month (default 1, January) and are named
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
    #[arg(long, value_name = "KEY=VALUE")]
    pub fail_on: Vec<String>,
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

/// Output of a report that has no table form: md or json.
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
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the sample inputs, the store and the rendered reports
    #[arg(long, default_value = "featurearr-demo")]
    pub dir: PathBuf,

    /// How many workspaces to generate
    #[arg(long, default_value_t = 2000)]
    pub workspaces: usize,

    /// Random seed: the same seed writes the same files
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// A `YYYY-MM-DD` date; anything else is a usage error.
fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date; use YYYY-MM-DD, e.g. 2026-09-30"))
}

/// A `YYYYQn` quarter such as 2026Q3; anything else is a usage error.
fn parse_quarter(text: &str) -> Result<String, String> {
    let upper = text.trim().to_ascii_uppercase();
    let valid = upper.len() == 6
        && upper[..4].chars().all(|c| c.is_ascii_digit())
        && &upper[4..5] == "Q"
        && matches!(&upper[5..], "1" | "2" | "3" | "4");
    if valid {
        Ok(upper)
    } else {
        Err(format!("`{text}` is not a quarter; use YYYYQn, e.g. 2026Q3"))
    }
}
