//! featurearr: how much revenue sits on each security feature and identity provider.
//!
//! `run` is the one function that walks the whole journey:
//! sources (read files and APIs) -> store (DuckDB snapshots) -> queries
//! (SQL building blocks) -> report (templates) -> output (stdout or file).
//! Every other module does one stage and never reaches downstream.

pub mod cli;
mod compose;
mod config;
mod demo;
mod figures;
mod money;
mod output;
mod progress;
mod queries;
mod report;
mod sources;
mod store;
mod wording;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;

use cli::{
    Cli, Command, DemoArgs, DoctorArgs, DocumentFormat, Format, LoadArgs, LoadCommand, PullAuth0Args, PullCommand,
    PullSalesforceArgs, ReportCommand, ReportGroup, UsageError,
};
use config::Config;
use report::charts::{Chart, Figure};
use report::Reports;
use sources::summary::LoadSummary;
use sources::text::csv_reader::Delimiter;
use store::Store;
use wording::count_of;

/// Auth0 allows 2 Management API requests per second on free tenants; the safe default.
const DEFAULT_AUTH0_RPS: f64 = 2.0;

/// Runs one command line to completion.
pub fn run(cli: Cli) -> Result<()> {
    let config = Config::resolve(&cli)?;
    match cli.command {
        Command::Load(load) => run_load(&config, load),
        Command::Pull(PullCommand::Auth0(args)) => run_pull_auth0(&config, &args),
        Command::Pull(PullCommand::Salesforce(args)) => run_pull_salesforce(&config, &args),
        Command::Report(group) => run_report(&config, group),
        Command::Doctor(args) => run_doctor(&config, &args),
        Command::Snapshots(args) => run_snapshots(&config, args.format),
        Command::Demo(args) => run_demo(&config, &args),
    }
}

fn run_report(config: &Config, group: ReportGroup) -> Result<()> {
    match (group.command, group.output_dir) {
        (Some(command), None) => run_one_report(config, command),
        (None, Some(dir)) => {
            let store = Store::open_read(&config.db, config.wait)?;
            let as_of = compose::report_date(&store, group.as_of)?;
            for path in write_all_reports(&store, config, as_of, &dir)? {
                println!("{}", path.display());
            }
            Ok(())
        }
        _ => Err(UsageError::msg(
            "name a report (e.g. `featurearr report revenue-share`) or pass --output-dir DIR for all of them".into(),
        )),
    }
}

fn run_one_report(config: &Config, command: ReportCommand) -> Result<()> {
    let store = Store::open_read(&config.db, config.wait)?;
    let reports = || Reports::new(config.reports_dir.as_deref(), &config.currency.reporting);
    let (text, output) = match command {
        ReportCommand::RevenueShare(args) => {
            let as_of = compose::report_date(&store, args.as_of)?;
            let report = compose::revenue_share(&store, config, as_of)?;
            let text = match args.out.format {
                Format::Json => json_text(&report)?,
                Format::Csv => csv_text(&report.features)?,
                Format::Md => reports()?.render_markdown("revenue-share.md.j2", &report, &[])?,
                Format::Html => {
                    let figures = drawn("revenue-share", figures::revenue_share(&report));
                    reports()?.render_html("revenue-share.html.j2", &report, &figures)?
                }
            };
            (text, args.out.output)
        }
        ReportCommand::Idps(args) => {
            let as_of = compose::report_date(&store, args.report.as_of)?;
            let report = compose::idps(&store, config, as_of, args.explain)?;
            let page = IdpsPage {
                report: &report,
                explain: args.explain,
            };
            let text = match args.report.out.format {
                Format::Json => json_text(&report)?,
                Format::Csv => csv_text(&report.idps)?,
                Format::Md => reports()?.render_markdown("idps.md.j2", &page, &[])?,
                Format::Html => {
                    let figures = drawn("idps", figures::idps(&report));
                    reports()?.render_html("idps.html.j2", &page, &figures)?
                }
            };
            (text, args.report.out.output)
        }
        ReportCommand::Quarterly(args) => {
            let quarter = compose::Quarter::parse(&args.quarter)?;
            let report = compose::quarterly(&store, config, quarter)?;
            let text = match args.out.format {
                DocumentFormat::Json => json_text(&report)?,
                DocumentFormat::Md => reports()?.render_markdown("quarterly.md.j2", &report, &[])?,
                DocumentFormat::Html => {
                    let figures = drawn("quarterly", figures::quarterly(&report)?);
                    reports()?.render_html("quarterly.html.j2", &report, &figures)?
                }
            };
            (text, args.out.output)
        }
        ReportCommand::Blurb(args) => {
            if args.from >= args.to {
                return Err(UsageError::msg(format!(
                    "--from {} must be before --to {}",
                    args.from, args.to
                )));
            }
            let blurb = compose::blurb(&store, config, &args.feature, args.from, args.to)?;
            let reports = reports()?;
            let text = match args.out.format {
                DocumentFormat::Json => json_text(&blurb.document(blurb_text(&reports, &blurb)?))?,
                DocumentFormat::Md => reports.render_markdown("blurb.md.j2", &BlurbPage { blurb: &blurb }, &[])?,
                DocumentFormat::Html => {
                    reports.render_html("blurb.html.j2", &blurb.document(blurb_text(&reports, &blurb)?), &[])?
                }
            };
            (text, args.out.output)
        }
    };
    output::write_output(output.as_deref(), &text)
}

/// Each chart drawn as a figure of report `report`'s page.
fn drawn(report: &str, charts: Vec<Chart>) -> Vec<Figure> {
    charts.iter().map(|chart| chart.figure(report)).collect()
}

/// The context of `idps.md.j2`.
#[derive(Serialize)]
struct IdpsPage<'a> {
    report: &'a compose::Idps,
    explain: bool,
}

/// The context of `blurb.md.j2`.
#[derive(Serialize)]
struct BlurbPage<'a> {
    blurb: &'a compose::Blurb,
}

/// The blurb's wording, rendered from the macros of `blurb-parts.j2` (as the markdown is).
fn blurb_text(reports: &Reports, blurb: &compose::Blurb) -> Result<compose::BlurbText> {
    let lines = |name: &str| reports.render_lines("blurb-parts.j2", name, blurb);
    Ok(compose::BlurbText {
        sentences: lines("sentences")?,
        footnote: lines("footnote")?.join(" "),
        warnings: lines("warnings")?,
    })
}

/// Renders every report for `as_of` into `dir` under fixed names, each as markdown,
/// JSON (CSV where it has rows) and HTML, with its charts in `charts/` and an
/// `index.html` linking them all, and returns the paths written. The quarterly report
/// and the blurbs cover the quarter holding `as_of`; they are left out when the store
/// cannot support them.
fn write_all_reports(store: &Store, config: &Config, as_of: NaiveDate, dir: &Path) -> Result<Vec<PathBuf>> {
    let reports = Reports::new(config.reports_dir.as_deref(), &config.currency.reporting)?;
    let mut folder = Folder::new(dir);

    let share = compose::revenue_share(store, config, as_of)?;
    let figures = drawn("revenue-share", figures::revenue_share(&share));
    folder.report(
        ("revenue-share", None),
        &[
            ("md", reports.render_markdown("revenue-share.md.j2", &share, &figures)?),
            ("json", json_text(&share)?),
            ("csv", csv_text(&share.features)?),
            ("html", reports.render_html("revenue-share.html.j2", &share, &figures)?),
        ],
        &figures,
    )?;

    if store.snapshot_on_or_before(store::Source::Auth0, as_of)?.is_some() {
        let idps = compose::idps(store, config, as_of, false)?;
        let page = IdpsPage {
            report: &idps,
            explain: false,
        };
        let figures = drawn("idps", figures::idps(&idps));
        folder.report(
            ("idps", None),
            &[
                ("md", reports.render_markdown("idps.md.j2", &page, &figures)?),
                ("json", json_text(&idps)?),
                ("csv", csv_text(&idps.idps)?),
                ("html", reports.render_html("idps.html.j2", &page, &figures)?),
            ],
            &figures,
        )?;
    }

    let doctor = compose::doctor(store, config, as_of)?;
    folder.report(
        ("doctor", None),
        &[
            ("md", reports.render_markdown("doctor.md.j2", &doctor, &[])?),
            ("json", json_text(&doctor)?),
            ("html", reports.render_html("doctor.html.j2", &doctor, &[])?),
        ],
        &[],
    )?;

    let quarter = compose::Quarter::containing(as_of, config.fiscal_year_start_month);
    let quarterly = compose::quarterly(store, config, quarter)?;
    let figures = drawn("quarterly", figures::quarterly(&quarterly)?);
    folder.report(
        ("quarterly", None),
        &[
            ("md", reports.render_markdown("quarterly.md.j2", &quarterly, &figures)?),
            ("json", json_text(&quarterly)?),
            ("html", reports.render_html("quarterly.html.j2", &quarterly, &figures)?),
        ],
        &figures,
    )?;
    if quarterly.previous.is_some() {
        // From the previous quarter's end to this report's date (at most the quarter's end).
        let (_, from) = quarter.previous().bounds(config.fiscal_year_start_month);
        let (_, end) = quarter.bounds(config.fiscal_year_start_month);
        let to = end.min(as_of);
        for feature in &share.features {
            let key = &feature.feature;
            let blurb = compose::blurb(store, config, key, from, to)?;
            let document = blurb.document(blurb_text(&reports, &blurb)?);
            folder.report(
                ("blurb", Some((key, &blurb.label))),
                &[
                    (
                        "md",
                        reports.render_markdown("blurb.md.j2", &BlurbPage { blurb: &blurb }, &[])?,
                    ),
                    ("json", json_text(&document)?),
                    ("html", reports.render_html("blurb.html.j2", &document, &[])?),
                ],
                &[],
            )?;
        }
    }
    let index = reports.render(
        "index.html.j2",
        &Index {
            as_of: as_of.to_string(),
            reports: &folder.entries,
            images: &folder.images,
        },
    )?;
    folder.file("index.html", index.as_bytes())?;
    Ok(folder.written)
}

/// What `write_all_reports` has put in its folder: every path, in order, and what
/// `index.html` links.
struct Folder<'a> {
    dir: &'a Path,
    written: Vec<PathBuf>,
    entries: Vec<IndexEntry>,
    images: Vec<IndexImage>,
}

/// The context of `index.html.j2`.
#[derive(Serialize)]
struct Index<'a> {
    as_of: String,
    reports: &'a [IndexEntry],
    images: &'a [IndexImage],
}

/// A report in the index: its kind (`blurb` for `blurb-sso`), what it is about (the
/// label of a blurb's feature), its page and its other files.
#[derive(Serialize)]
struct IndexEntry {
    report: String,
    subject: Option<String>,
    html: String,
    files: Vec<String>,
}

/// A chart in the index, and its two files.
#[derive(Serialize)]
struct IndexImage {
    title: String,
    svg: String,
    png: String,
}

impl Folder<'_> {
    fn new(dir: &Path) -> Folder<'_> {
        Folder {
            dir,
            written: Vec::new(),
            entries: Vec::new(),
            images: Vec::new(),
        }
    }

    fn file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        output::write_file(&path, bytes)?;
        self.written.push(path);
        Ok(())
    }

    /// Report `kind` in each of its formats (`revenue-share.md`, ...; `blurb-sso.md` for
    /// the blurb whose subject is feature `sso`, labelled `SSO`), and each chart of its
    /// page as `charts/<file>.svg` and `.png`.
    fn report(
        &mut self,
        (kind, subject): (&str, Option<(&str, &str)>),
        formats: &[(&str, String)],
        figures: &[Figure],
    ) -> Result<()> {
        let stem = match subject {
            Some((key, _)) => format!("{kind}-{key}"),
            None => kind.to_string(),
        };
        let mut files = Vec::new();
        for (extension, text) in formats {
            let name = format!("{stem}.{extension}");
            self.file(&name, text.as_bytes())?;
            if *extension != "html" {
                files.push(name);
            }
        }
        for figure in figures {
            let (svg, png) = (
                format!("charts/{}.svg", figure.file),
                format!("charts/{}.png", figure.file),
            );
            self.file(&svg, figure.svg.as_bytes())?;
            let image = report::charts::render_png(&figure.svg)
                .with_context(|| format!("cannot draw the chart {}", figure.file))?;
            self.file(&png, &image)?;
            self.images.push(IndexImage {
                title: figure.title.clone(),
                svg,
                png,
            });
        }
        self.entries.push(IndexEntry {
            report: kind.to_string(),
            subject: subject.map(|(_, label)| label.to_string()),
            html: format!("{stem}.html"),
            files,
        });
        Ok(())
    }
}

fn run_load(config: &Config, command: LoadCommand) -> Result<()> {
    match command {
        LoadCommand::Flags(args) => {
            let delimiter = args.file.delimiter.map(config::delimiter_of).or(config.flags_delimiter);
            let as_of = load_date(&args.file.load)?;
            load_flags(config, &args.file.load.input, args.query.as_deref(), as_of, delimiter)
        }
        LoadCommand::Arr(args) => {
            let delimiter = args.delimiter.map(config::delimiter_of).or(config.salesforce_delimiter);
            load_arr(config, &args.load.input, load_date(&args.load)?, delimiter)
        }
        LoadCommand::WorkspaceAccounts(args) => {
            let delimiter = args.delimiter.map(config::delimiter_of);
            load_workspace_accounts(config, &args.load.input, load_date(&args.load)?, delimiter)
        }
        LoadCommand::Auth0(args) => load_auth0(config, &args.load.input, load_date(&args.load)?, args.log_days),
    }
}

fn load_flags(
    config: &Config,
    input: &str,
    query: Option<&str>,
    as_of: NaiveDate,
    delimiter: Option<Delimiter>,
) -> Result<()> {
    let origin = flags_origin(input);
    let step = progress::step(format!("reading {origin}"));
    let flags = read_flags_input(config, input, query, delimiter)?;
    warn_all(&flags.warnings);
    step.set(format!(
        "writing {} to {}",
        count_of(flags.rows.len(), "workspace"),
        config.db.display()
    ));
    // A CSV file, a query's result and a Parquet file hold rows; JSON, records.
    let read_noun = if input.ends_with(".csv")
        || input.ends_with(".CSV")
        || sources::postgres::is_postgres_url(input)
        || is_parquet(input)
    {
        "row"
    } else {
        "record"
    };
    let summary = LoadSummary::new(
        flags.rows.len() + flags.empty_rows_skipped,
        read_noun,
        flags.rows.len(),
        "workspace",
    )
    .skip(flags.empty_rows_skipped, "empty row", "empty rows");
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_flags(as_of, &origin, &flags, &config.features, &summary)?;
    drop(step);
    eprintln!("{}", summary.line(&format!("the flags snapshot of {as_of}")));
    Ok(())
}

/// How a flags input is named in progress, errors and the snapshot: a PostgreSQL
/// URL without its password, anything else as given.
fn flags_origin(input: &str) -> String {
    if sources::postgres::is_postgres_url(input) {
        sources::postgres::redact(input)
    } else {
        input.to_string()
    }
}

/// Reads one flags snapshot from any flags input: a file (CSV, JSON, NDJSON,
/// Parquet), an http(s) URL returning JSON, or a `postgresql://` URL with `query`
/// (else `[flags] query`). Nothing is written; `refresh` reads each source this way
/// before it changes the store.
fn read_flags_input(
    config: &Config,
    input: &str,
    query: Option<&str>,
    delimiter: Option<Delimiter>,
) -> Result<sources::flags::FlagsSnapshot> {
    let features: Vec<sources::flags::FeatureColumn> = config
        .features
        .iter()
        .map(|f| sources::flags::FeatureColumn {
            key: f.key.clone(),
            columns: f.columns.clone(),
        })
        .collect();
    if sources::postgres::is_postgres_url(input) {
        let target = sources::postgres::Target::from_url(input).map_err(UsageError::new)?;
        let Some(query) = query.or(config.flags_query.as_deref()) else {
            return Err(UsageError::msg(format!(
                "{} needs a query: pass --query 'SELECT id AS workspace_id, ... FROM workspaces' or set [flags] query \
                 in the config",
                target.origin()
            )));
        };
        return sources::postgres::read_flags(&target, query, &features, config.http_ca_file.as_deref());
    }
    if query.is_some() {
        return Err(UsageError::msg(format!(
            "--query runs on a PostgreSQL database; give a postgresql:// URL instead of {input}, or leave --query out"
        )));
    }
    // A file is checked for duplicate workspace ids as it is read; pages of a URL, once all are in.
    if input.starts_with("http://") || input.starts_with("https://") {
        let flags = fetch_flags(config, input, &features)?;
        sources::flags::check_unique(&flags, input)?;
        Ok(flags)
    } else if is_parquet(input) {
        let file = store::ParquetFile::open(Path::new(input))?;
        let mut table = sources::flags::FlagsTable::new(
            input,
            file.columns(),
            &features,
            "the file has",
            "or rename the ID column to workspace_id when writing the file",
        )?;
        file.for_each_row(|cells| table.push(cells))?;
        table.finish()
    } else {
        sources::flags::read_flags_file(Path::new(input), &features, delimiter)
    }
}

/// A file whose name ends in `.parquet` (any case).
fn is_parquet(input: &str) -> bool {
    Path::new(input)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// What an ARR read kept and skipped, for the load's last line and the snapshot.
fn arr_summary(export: &sources::salesforce::SalesforceExport) -> LoadSummary {
    LoadSummary::new(export.rows_read, "row", export.accounts.len(), "account")
        .skip(export.deleted_rows_skipped, "row marked deleted", "rows marked deleted")
        .skip(export.empty_rows_skipped, "empty row", "empty rows")
        .skip(export.totals_rows_skipped, "totals row", "totals rows")
        .skip(export.footer_lines_skipped, "footer line", "footer lines")
        .note(export.rows_merged, |n| {
            format!(
                "{} merged into accounts already read (one row per workspace)",
                count_of(n, "row")
            )
        })
        .note(export.empty_arr, |n| {
            format!("{} with an empty ARR, kept at 0", count_of(n, "account"))
        })
}

fn load_arr(config: &Config, input: &str, as_of: NaiveDate, delimiter: Option<Delimiter>) -> Result<()> {
    let step = progress::step(format!("reading {input}"));
    let export = if is_parquet(input) {
        let file = store::ParquetFile::open(Path::new(input))?;
        sources::salesforce::read_account_table(
            input,
            file.columns(),
            |visit| file.for_each_row(visit),
            &config.salesforce_columns,
            &config.salesforce.fields,
            &config.currency,
        )?
    } else {
        sources::salesforce::read_accounts(
            Path::new(input),
            &config.salesforce_columns,
            &config.salesforce.fields,
            &config.currency,
            delimiter,
        )?
    };
    warn_all(&export.warnings);
    step.set(format!(
        "writing {} to {}",
        count_of(export.accounts.len(), "account"),
        config.db.display()
    ));
    let summary = arr_summary(&export);
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_arr(as_of, input, &export, &config.currency.reporting, &summary, None)?;
    drop(step);
    eprintln!("{}", summary.line(&format!("the arr snapshot of {as_of}")));
    Ok(())
}

fn load_workspace_accounts(config: &Config, input: &str, as_of: NaiveDate, delimiter: Option<Delimiter>) -> Result<()> {
    let mapping = sources::mapping::read_workspace_accounts(Path::new(input), delimiter)?;
    warn_all(&mapping.warnings);
    let summary = LoadSummary::new(mapping.rows_read, "row", mapping.links.len(), "link")
        .skip(mapping.empty_rows_skipped, "empty row", "empty rows")
        .skip(mapping.repeated_links_skipped, "repeated link", "repeated links");
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_workspace_accounts(as_of, input, &mapping, &summary)?;
    eprintln!(
        "{}",
        summary.line(&format!("the workspace-accounts snapshot of {as_of}"))
    );
    Ok(())
}

fn load_auth0(config: &Config, input: &str, as_of: NaiveDate, log_days: u32) -> Result<()> {
    // Logins are counted while the file is read: a dump can hold a million log objects.
    let step = progress::step(format!("reading {input}"));
    let (facts, logins) = sources::auth0::read_dump_for_load(Path::new(input))?;
    let window = Some(sources::auth0::log_window(as_of, log_days));
    step.set(format!(
        "mapping and writing {}",
        count_of(facts.connections.len(), "connection")
    ));
    let summary = load_auth0_rows(config, facts, logins, input, as_of, window)?;
    drop(step);
    eprintln!("{}", summary.line(&format!("the auth0 snapshot of {as_of}")));
    Ok(())
}

/// Writes sample inputs, loads every snapshot into a store in the same
/// folder and renders every report there.
fn run_demo(cli_config: &Config, args: &DemoArgs) -> Result<()> {
    let options = demo::DemoOptions {
        workspaces: args.workspaces,
        seed: args.seed,
    };
    eprintln!(
        "writing sample inputs for {} workspaces into {}",
        args.workspaces,
        args.dir.display()
    );
    let inputs = demo::write_inputs(&args.dir, &options)?;
    let db = args.dir.join("featurearr.duckdb");
    let mut config = Config::load(
        db.clone(),
        Some(&inputs.config),
        cli_config.queries_dir.clone(),
        cli_config.reports_dir.clone(),
    )?;
    config.wait = cli_config.wait;
    let text = |p: &Path| p.display().to_string();
    for snapshot in &inputs.snapshots {
        load_flags(
            &config,
            &text(&snapshot.flags),
            None,
            snapshot.as_of,
            config.flags_delimiter,
        )?;
        load_arr(
            &config,
            &text(&snapshot.arr),
            snapshot.as_of,
            config.salesforce_delimiter,
        )?;
        load_workspace_accounts(&config, &text(&snapshot.workspace_accounts), snapshot.as_of, None)?;
        load_auth0(&config, &text(&snapshot.auth0), snapshot.as_of, 30)?;
    }
    let last = inputs.snapshots.last().context("the demo wrote no snapshot")?.as_of;
    let store = Store::open_read(&db, config.wait)?;
    let reports = write_all_reports(&store, &config, last, &args.dir)?;
    println!("inputs:  {}", inputs.config.parent().unwrap_or(&args.dir).display());
    println!("store:   {}", db.display());
    for path in reports {
        println!("report:  {}", path.display());
    }
    Ok(())
}

fn run_doctor(config: &Config, args: &DoctorArgs) -> Result<()> {
    let store = Store::open_read(&config.db, config.wait)?;
    let as_of = compose::report_date(&store, args.as_of)?;
    let doctor = compose::doctor(&store, config, as_of)?;
    // Check the thresholds first, so that a typo in --fail-on prints nothing on stdout.
    let exceeded = compose::exceeded_thresholds(&doctor, &args.fail_on)?;
    let reports = || Reports::new(config.reports_dir.as_deref(), &config.currency.reporting);
    let text = match args.format {
        DocumentFormat::Json => json_text(&doctor)?,
        DocumentFormat::Md => reports()?.render_markdown("doctor.md.j2", &doctor, &[])?,
        DocumentFormat::Html => reports()?.render_html("doctor.html.j2", &doctor, &[])?,
    };
    output::write_output(None, &text)?;
    if exceeded.is_empty() {
        return Ok(());
    }
    bail!("doctor found {}", exceeded.join("; "))
}

fn run_pull_auth0(config: &Config, args: &PullAuth0Args) -> Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let domain = args
        .domain
        .clone()
        .or_else(|| std::env::var("AUTH0_DOMAIN").ok().filter(|d| !d.trim().is_empty()))
        .or_else(|| config.auth0.domain.clone())
        .context("no Auth0 tenant given; pass --domain acme.us.auth0.com, set AUTH0_DOMAIN, or set [auth0] domain in the config")?;
    let client_id = std::env::var("AUTH0_CLIENT_ID")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| config.auth0.client_id.clone())
        .context("AUTH0_CLIENT_ID is not set; export it (the Machine-to-Machine application's client ID) or set [auth0] client_id")?;
    let client_secret = std::env::var("AUTH0_CLIENT_SECRET")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| config.auth0.client_secret.clone())
        .context("AUTH0_CLIENT_SECRET is not set; export it in the environment (never pass it as a flag)")?;
    let mut http = config.http.clone();
    if let Some(seconds) = args.timeout {
        http.connect_timeout = std::time::Duration::from_secs(seconds);
        http.read_timeout = std::time::Duration::from_secs(seconds);
    }
    if let Some(retries) = args.max_retries {
        http.retry.max_retries = retries;
    }
    http.requests_per_second = args
        .rps
        .or(config.auth0.requests_per_second)
        .unwrap_or(DEFAULT_AUTH0_RPS);
    let options = sources::auth0::PullOptions {
        base_url: sources::auth0::base_url_from_domain(&domain),
        client_id,
        client_secret,
        log_days: args.log_days,
        as_of,
        http,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let (dump, stats) = sources::auth0::fetch_dump(&options)?;
    warn_all(&stats.warnings);
    if let Some(path) = &args.save_dump {
        sources::auth0::write_dump(path, &dump)?;
        eprintln!("saved the dump to {}", path.display());
    }
    let window = (args.log_days > 0).then(|| sources::auth0::log_window(as_of, args.log_days));
    let origin = format!("pull {}", options.base_url);
    let logins = dump.logs.as_deref().map(sources::auth0::LoginTally::from_values);
    let facts = sources::auth0::DumpFacts::from_dump(&dump)?;
    eprintln!(
        "pulled {} and {} in {} ({}, {:.1} s)",
        count_of(dump.connections.len(), "connection"),
        count_of(dump.organizations.len(), "organization"),
        count_of(stats.requests, "request"),
        wording::count_of_irregular(stats.retries, "retry", "retries"),
        stats.elapsed.as_secs_f64()
    );
    let summary = load_auth0_rows(config, facts, logins, &origin, as_of, window)?;
    eprintln!("{}", summary.line(&format!("the auth0 snapshot of {as_of}")));
    Ok(())
}

/// A non-empty environment variable.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Pulls accounts from Salesforce, reads them as `load arr` reads its dump (which
/// `--save-dump` writes), and stores them as the arr snapshot of `--as-of`.
fn run_pull_salesforce(config: &Config, args: &PullSalesforceArgs) -> Result<()> {
    use sources::http::Secret;
    let as_of = args.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let instance = args
        .instance_url
        .clone()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| config.salesforce_instance_url.clone())
        .context(
            "no Salesforce org given; pass --instance-url https://acme.my.salesforce.com, set \
             SALESFORCE_INSTANCE_URL, or set [salesforce] instance_url in the config",
        )?;
    let credentials = sources::salesforce::Credentials {
        client_id: env_var("SALESFORCE_CLIENT_ID"),
        client_secret: env_var("SALESFORCE_CLIENT_SECRET").map(Secret::new),
        access_token: env_var("SALESFORCE_ACCESS_TOKEN").map(Secret::new),
    };
    let has_client_credentials = credentials.client_id.is_some() && credentials.client_secret.is_some();
    if credentials.access_token.is_none() && !has_client_credentials {
        bail!(
            "no Salesforce credentials; export SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (a Connected App \
             with the client credentials flow) or SALESFORCE_ACCESS_TOKEN (e.g. from `sf org display --json`); \
             never pass them as flags"
        );
    }
    let options = sources::salesforce::PullOptions {
        instance_url: sources::auth0::base_url_from_domain(&instance),
        credentials,
        query: config.salesforce.clone(),
        api: match (args.bulk, args.rest) {
            (true, _) => sources::salesforce::Api::Bulk,
            (_, true) => sources::salesforce::Api::Rest,
            _ => sources::salesforce::Api::Auto,
        },
        reporting: config.currency.reporting.clone(),
        http: config.http.clone(),
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let pulled = sources::salesforce::fetch_accounts(&options)?;
    warn_all(&pulled.summary.warnings);
    let origin = format!("pull salesforce {}", options.instance_url);
    // The pull's own field names are the columns: what `load arr` of the dump finds too.
    let export = sources::salesforce::read_accounts_bytes(
        &pulled.csv,
        &origin,
        &sources::salesforce::ColumnOverrides::default(),
        &pulled.fields,
        &config.currency,
        // The pull writes its CSV with commas.
        Some(sources::text::csv_reader::Delimiter::Comma),
    )
    .context("the pulled accounts cannot be loaded as they are; no snapshot was written")?;
    warn_all(&export.warnings);
    if let Some(path) = &args.save_dump {
        output::write_file(path, &pulled.csv)?;
        eprintln!(
            "saved the accounts to {} (replay with `featurearr load arr`)",
            path.display()
        );
    }
    let summary = &pulled.summary;
    let details = serde_json::to_value(summary)?;
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_arr(
        as_of,
        &origin,
        &export,
        &config.currency.reporting,
        &arr_summary(&export),
        Some(&details),
    )?;
    let api = if summary.api == "bulk" { "Bulk API 2.0" } else { "REST" };
    let left = match summary.api_usage {
        Some(usage) => format!(
            "; the org has {} of {} daily API requests left",
            wording::thousands(usage.remaining().try_into().unwrap_or(i64::MAX)),
            wording::thousands(usage.limit.try_into().unwrap_or(i64::MAX))
        ),
        None => "; Salesforce sent no Sforce-Limit-Info, so the org's remaining daily API requests are unknown".into(),
    };
    eprintln!(
        "pulled {} over {api} in {} ({}, {:.1} s){left}; loaded {} into the arr snapshot of {as_of}",
        count_of(summary.records, "record"),
        count_of(summary.api_requests, "API request"),
        wording::count_of_irregular(summary.retries, "retry", "retries"),
        summary.elapsed.as_secs_f64(),
        count_of(export.accounts.len(), "account"),
    );
    Ok(())
}

/// Maps a dump's connections by metadata and stores them, with their raw facts (reports
/// classify them), and the organizations, as the Auth0 snapshot of `as_of`, with
/// `logins` counted from its logs (None: no logs). Returns the load's summary.
fn load_auth0_rows(
    config: &Config,
    facts: sources::auth0::DumpFacts,
    logins: Option<sources::auth0::LoginTally>,
    origin: &str,
    as_of: NaiveDate,
    window: Option<(NaiveDate, NaiveDate)>,
) -> Result<LoadSummary> {
    let pattern = match &config.auth0.connection_name_pattern {
        Some(p) => Some(
            regex::Regex::new(p)
                .with_context(|| format!("[auth0] connection_name_pattern `{p}` is not a valid regex"))?,
        ),
        None => None,
    };
    let rows = sources::auth0::to_rows_with_logins(facts, logins, pattern.as_ref())?;
    // to_rows already warns about unmapped connections; they are kept and listed by doctor.
    warn_all(&rows.warnings);
    let window = if rows.logins.is_some() { window } else { None };
    let logins: i64 = rows.logins.iter().flatten().map(|l| l.logins).sum();
    let summary = LoadSummary::new(
        rows.connections_read,
        "connection",
        rows.connections.len(),
        "enterprise connection",
    )
    .skip(
        rows.not_enterprise,
        "database, social or passwordless connection (not an IdP)",
        "database, social or passwordless connections (not IdPs)",
    )
    .skip(
        rows.repeated_ids,
        "connection repeating an id",
        "connections repeating an id",
    )
    .note(rows.organizations.len(), |n| {
        format!("{} read", count_of(n, "organization"))
    })
    .note(rows.logins.is_some() as usize, |_| {
        format!("{} counted", count_of(logins, "successful login"))
    });
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_auth0(as_of, origin, &rows, window, &summary)?;
    Ok(summary)
}

/// Most pages a flags URL may return: a guard against a `Link` header that loops.
const MAX_FLAGS_PAGES: usize = 100_000;

/// Reads flags from an HTTP source returning JSON arrays, following
/// `Link: <...>; rel="next"` pages, with the bearer token in FEATUREARR_FLAGS_TOKEN.
fn fetch_flags(
    config: &Config,
    url: &str,
    features: &[sources::flags::FeatureColumn],
) -> Result<sources::flags::FlagsSnapshot> {
    let token = std::env::var("FEATUREARR_FLAGS_TOKEN").unwrap_or_default();
    let client = sources::http::HttpClient::new(&config.http, sources::http::FLAGS_URL)?;
    let mut snapshot = sources::flags::FlagsSnapshot::default();
    let mut next = Some(url.to_string());
    let mut pages = 0;
    while let Some(page_url) = next.take() {
        pages += 1;
        if pages > MAX_FLAGS_PAGES {
            bail!("{url} returned more than {MAX_FLAGS_PAGES} pages; its Link headers may loop");
        }
        let (value, link) = sources::http::fetch_json_page(&client, &page_url, &token)?;
        // Pretty-printed so that each record starts on its own line of the page.
        let text = serde_json::to_string_pretty(&value)?;
        let origin = format!("{} (page {pages})", sources::http::display_path(&page_url));
        sources::flags::parse_flags_json_page(&text, &origin, features, &mut snapshot)?;
        next = link;
    }
    Ok(snapshot)
}

fn warn_all(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// A load's date: `--as-of`, else today (UTC).
fn load_date(args: &LoadArgs) -> Result<NaiveDate> {
    Ok(args.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive()))
}

fn run_snapshots(config: &Config, format: Format) -> Result<()> {
    let store = Store::open_read(&config.db, config.wait)?;
    let snapshots = store.snapshots()?;
    let document = json!({ "store": config.db.display().to_string(), "snapshots": snapshots });
    let reports = || Reports::new(config.reports_dir.as_deref(), &config.currency.reporting);
    let text = match format {
        Format::Json => json_text(&document)?,
        Format::Md => reports()?.render_markdown("snapshots.md.j2", &document, &[])?,
        Format::Html => reports()?.render_html("snapshots.html.j2", &document, &[])?,
        Format::Csv => {
            let rows: Vec<SnapshotCsvRow> = snapshots
                .into_iter()
                .map(|s| SnapshotCsvRow {
                    source: s.source,
                    as_of: s.as_of,
                    rows: s.rows,
                    origin: s.origin,
                })
                .collect();
            csv_text(&rows)?
        }
    };
    output::write_output(None, &text)
}

fn json_text(value: &impl Serialize) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    Ok(text)
}

/// A row of `snapshots --format csv`.
#[derive(Serialize, serde::Deserialize)]
struct SnapshotCsvRow {
    source: String,
    as_of: String,
    rows: i64,
    origin: String,
}

/// Rows as CSV under a header of their field names, also when there are none.
fn csv_text<T: Serialize + serde::de::DeserializeOwned>(rows: &[T]) -> Result<String> {
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    writer.write_record(store::struct_fields::<T>()?)?;
    for row in rows {
        writer.serialize(row)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}
