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
mod notify;
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
    Cli, Command, DemoArgs, DoctorArgs, DocumentFormat, Format, GatesExceeded, ListFormat, LoadArgs, LoadCommand,
    PullAuth0Args, PullCommand, PullSalesforceArgs, RefreshArgs, ReportCommand, ReportGroup, RunsArgs, UsageError,
};
use config::{Config, SourceSpec};
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
        Command::Refresh(args) => run_refresh(&config, &args),
        Command::Runs(args) => run_runs(&config, &args),
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
    let (flags, _) = read_flags_input(config, input, query, delimiter)?;
    step.set(format!(
        "writing {} to {}",
        count_of(flags.rows.len(), "workspace"),
        config.db.display()
    ));
    let summary = flags_summary(input, &flags);
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_flags(as_of, &origin, &flags, &config.features, &summary)?;
    drop(store);
    left_to_exit(flags);
    drop(step);
    eprintln!("{}", summary.line(&format!("the flags snapshot of {as_of}")));
    Ok(())
}

/// Leaves what a `load` read to the end of the process, which follows: freeing a 1M
/// input's rows one small allocation at a time took 12 to 25 ms of each load, and the
/// operating system takes the memory back at once. Only for the `load` commands, whose
/// process ends when they return; the store is closed (and checkpointed) before.
fn left_to_exit<T>(input: T) {
    std::mem::forget(input);
}

fn is_url(input: &str) -> bool {
    input.starts_with("http://") || input.starts_with("https://")
}

/// What a flags load read, loaded and skipped.
fn flags_summary(input: &str, flags: &sources::flags::FlagsSnapshot) -> LoadSummary {
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
    LoadSummary::new(
        flags.rows.len() + flags.empty_rows_skipped,
        read_noun,
        flags.rows.len(),
        "workspace",
    )
    .skip(flags.empty_rows_skipped, "empty row", "empty rows")
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
/// before it changes the store. Warns on stderr about what the reader noticed;
/// returns the snapshot with the HTTP requests made (0 for a file or a database).
fn read_flags_input(
    config: &Config,
    input: &str,
    query: Option<&str>,
    delimiter: Option<Delimiter>,
) -> Result<(sources::flags::FlagsSnapshot, u64)> {
    let features = feature_columns(config);
    let (flags, requests) = if sources::postgres::is_postgres_url(input) {
        let target = sources::postgres::Target::from_url(input).map_err(UsageError::new)?;
        let query = flags_query(config, &target, query)?;
        let flags = sources::postgres::read_flags(&target, query, &features, config.http_ca_file.as_deref())?;
        (flags, 0)
    } else if query.is_some() {
        return Err(UsageError::msg(format!(
            "--query runs on a PostgreSQL database; give a postgresql:// URL instead of {input}, or leave --query out"
        )));
    } else if is_url(input) {
        // A file is checked for duplicate workspace ids as it is read; pages of a URL, once all are in.
        let (flags, requests) = fetch_flags(config, input, &features)?;
        sources::flags::check_unique(&flags, input)?;
        (flags, requests)
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
        (table.finish()?, 0)
    } else {
        (
            sources::flags::read_flags_file(Path::new(input), &features, delimiter)?,
            0,
        )
    };
    warn_all(&flags.warnings);
    Ok((flags, requests))
}

/// The flags columns of the configured features, as the flags readers look for them.
fn feature_columns(config: &Config) -> Vec<sources::flags::FeatureColumn> {
    config
        .features
        .iter()
        .map(|f| sources::flags::FeatureColumn {
            key: f.key.clone(),
            columns: f.columns.clone(),
        })
        .collect()
}

/// The SQL of a PostgreSQL flags source: `--query`, else `[flags] query`.
fn flags_query<'a>(config: &'a Config, target: &sources::postgres::Target, query: Option<&'a str>) -> Result<&'a str> {
    query.or(config.flags_query.as_deref()).ok_or_else(|| {
        UsageError::msg(format!(
            "{} needs a query: pass --query 'SELECT id AS workspace_id, ... FROM workspaces' or set [flags] query \
             in the config",
            target.origin()
        ))
    })
}

/// A file whose name ends in `.parquet` (any case).
fn is_parquet(input: &str) -> bool {
    Path::new(input)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

fn load_arr(config: &Config, input: &str, as_of: NaiveDate, delimiter: Option<Delimiter>) -> Result<()> {
    let step = progress::step(format!("reading {input}"));
    let export = read_arr_file(config, input, delimiter)?;
    step.set(format!(
        "writing {} to {}",
        count_of(export.accounts.len(), "account"),
        config.db.display()
    ));
    let summary = arr_summary(&export);
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_arr(as_of, input, &export, &config.currency.reporting, &summary, None)?;
    drop(store);
    left_to_exit(export);
    drop(step);
    eprintln!("{}", summary.line(&format!("the arr snapshot of {as_of}")));
    Ok(())
}

/// Reads and checks a Salesforce ARR export (CSV or Parquet), warning on stderr about
/// what the reader noticed.
fn read_arr_file(
    config: &Config,
    input: &str,
    delimiter: Option<Delimiter>,
) -> Result<sources::salesforce::SalesforceExport> {
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
    Ok(export)
}

/// What an ARR load read, loaded, skipped and merged.
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

fn load_workspace_accounts(config: &Config, input: &str, as_of: NaiveDate, delimiter: Option<Delimiter>) -> Result<()> {
    let mapping = sources::mapping::read_workspace_accounts(Path::new(input), delimiter)?;
    warn_all(&mapping.warnings);
    let summary = mapping_summary(&mapping);
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_workspace_accounts(as_of, input, &mapping, &summary)?;
    drop(store);
    left_to_exit(mapping);
    eprintln!(
        "{}",
        summary.line(&format!("the workspace-accounts snapshot of {as_of}"))
    );
    Ok(())
}

/// What a workspace-accounts load read, loaded and skipped.
fn mapping_summary(mapping: &sources::mapping::Mapping) -> LoadSummary {
    LoadSummary::new(mapping.rows_read, "row", mapping.links.len(), "link")
        .skip(mapping.empty_rows_skipped, "empty row", "empty rows")
        .skip(mapping.repeated_links_skipped, "repeated link", "repeated links")
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
    let pulled = pull_auth0(config, args)?;
    let (dump, as_of) = (&pulled.dump, pulled.as_of);
    if let Some(path) = &args.save_dump {
        sources::auth0::write_dump(path, dump)?;
        eprintln!("saved the dump to {}", path.display());
    }
    let logins = dump.logs.as_deref().map(sources::auth0::LoginTally::from_values);
    let facts = sources::auth0::DumpFacts::from_dump(dump)?;
    let summary = load_auth0_rows(config, facts, logins, &pulled.origin, as_of, pulled.window)?;
    eprintln!("{}", summary.line(&format!("the auth0 snapshot of {as_of}")));
    Ok(())
}

/// What `pull auth0` fetched, before it is stored.
struct PulledAuth0 {
    dump: sources::auth0::Auth0Dump,
    stats: sources::auth0::PullStats,
    as_of: NaiveDate,
    /// `pull <base URL>`, the snapshot's origin.
    origin: String,
    window: Option<(NaiveDate, NaiveDate)>,
}

/// The options of a pull from the Auth0 Management API: the tenant and credentials
/// from the flags, the environment or the config.
fn auth0_pull_options(config: &Config, args: &PullAuth0Args) -> Result<sources::auth0::PullOptions> {
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
    Ok(sources::auth0::PullOptions {
        base_url: sources::auth0::base_url_from_domain(&domain),
        client_id,
        client_secret,
        log_days: args.log_days,
        as_of,
        http,
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    })
}

/// Pulls a dump from the Auth0 Management API, warning about what the pull noticed.
fn pull_auth0(config: &Config, args: &PullAuth0Args) -> Result<PulledAuth0> {
    let options = auth0_pull_options(config, args)?;
    let (dump, stats) = sources::auth0::fetch_dump(&options)?;
    warn_all(&stats.warnings);
    eprintln!(
        "pulled {} and {} in {} ({}, {:.1} s)",
        count_of(dump.connections.len(), "connection"),
        count_of(dump.organizations.len(), "organization"),
        count_of(stats.requests, "request"),
        wording::count_of_irregular(stats.retries, "retry", "retries"),
        stats.elapsed.as_secs_f64()
    );
    let window = (args.log_days > 0).then(|| sources::auth0::log_window(options.as_of, args.log_days));
    Ok(PulledAuth0 {
        dump,
        stats,
        as_of: options.as_of,
        origin: format!("pull {}", options.base_url),
        window,
    })
}

/// A non-empty environment variable.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Pulls accounts from Salesforce, reads them as `load arr` reads its dump (which
/// `--save-dump` writes), and stores them as the arr snapshot of `--as-of`.
fn run_pull_salesforce(config: &Config, args: &PullSalesforceArgs) -> Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let options = salesforce_pull_options(config, args)?;
    let pulled = pull_salesforce(config, &options)?;
    if let Some(path) = &args.save_dump {
        output::write_file(path, &pulled.csv)?;
        eprintln!(
            "saved the accounts to {} (replay with `featurearr load arr`)",
            path.display()
        );
    }
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_arr(
        as_of,
        &pulled.origin,
        &pulled.export,
        &config.currency.reporting,
        &arr_summary(&pulled.export),
        Some(&pulled.details),
    )?;
    eprintln!(
        "{}; loaded {} into the arr snapshot of {as_of}",
        salesforce_pull_line(&pulled.summary),
        count_of(pulled.export.accounts.len(), "account"),
    );
    Ok(())
}

/// What `pull salesforce` fetched and read, before it is stored.
struct PulledArr {
    /// The records read as `load arr` reads the dump.
    export: sources::salesforce::SalesforceExport,
    /// The API-name CSV the pull wrote (what `--save-dump` saves).
    csv: Vec<u8>,
    /// `pull salesforce <instance URL>`, the snapshot's origin.
    origin: String,
    summary: sources::salesforce::PullSummary,
    /// The summary as the snapshot's details keep it.
    details: serde_json::Value,
}

/// The options of a pull from Salesforce: the org from the flags, the environment or
/// the config; credentials from the environment only.
fn salesforce_pull_options(config: &Config, args: &PullSalesforceArgs) -> Result<sources::salesforce::PullOptions> {
    use sources::http::Secret;
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
    Ok(sources::salesforce::PullOptions {
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
    })
}

/// Pulls the accounts and reads them as `load arr` reads the pull's dump, warning
/// about what the pull and the reader noticed. Stores nothing.
fn pull_salesforce(config: &Config, options: &sources::salesforce::PullOptions) -> Result<PulledArr> {
    let pulled = sources::salesforce::fetch_accounts(options)?;
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
    let details = serde_json::to_value(&pulled.summary)?;
    Ok(PulledArr {
        export,
        csv: pulled.csv,
        origin,
        summary: pulled.summary,
        details,
    })
}

/// "pulled N records over REST in M API requests (R retries, S s); the org has ...".
fn salesforce_pull_line(summary: &sources::salesforce::PullSummary) -> String {
    let api = if summary.api == "bulk" { "Bulk API 2.0" } else { "REST" };
    let left = match summary.api_usage {
        Some(usage) => format!(
            "; the org has {} of {} daily API requests left",
            wording::thousands(usage.remaining().try_into().unwrap_or(i64::MAX)),
            wording::thousands(usage.limit.try_into().unwrap_or(i64::MAX))
        ),
        None => "; Salesforce sent no Sforce-Limit-Info, so the org's remaining daily API requests are unknown".into(),
    };
    format!(
        "pulled {} over {api} in {} ({}, {:.1} s){left}",
        count_of(summary.records, "record"),
        count_of(summary.api_requests, "API request"),
        wording::count_of_irregular(summary.retries, "retry", "retries"),
        summary.elapsed.as_secs_f64(),
    )
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
    let (rows, summary) = auth0_rows(config, facts, logins)?;
    let window = if rows.logins.is_some() { window } else { None };
    let mut store = Store::open_write(&config.db, config.wait)?;
    store.load_auth0(as_of, origin, &rows, window, &summary)?;
    Ok(summary)
}

/// A dump's connections mapped to workspaces by metadata (reports classify them), with
/// `logins` counted from its logs (None: no logs), and what the load read and skipped.
fn auth0_rows(
    config: &Config,
    facts: sources::auth0::DumpFacts,
    logins: Option<sources::auth0::LoginTally>,
) -> Result<(sources::auth0::Auth0Rows, LoadSummary)> {
    let pattern = match &config.auth0.connection_name_pattern {
        Some(p) => Some(
            regex::Regex::new(p)
                .with_context(|| format!("[auth0] connection_name_pattern `{p}` is not a valid regex"))?,
        ),
        None => None,
    };
    let mut rows = sources::auth0::to_rows_with_logins(facts, logins, pattern.as_ref())?;
    // Each connection's verdict with the config of the load, stored with its fingerprint
    // so that reports run with the same config and classifier reuse it instead of
    // classifying again. A rule that does not compile stores none: the load does not
    // read the rules otherwise, and the report that does names the rule.
    if let Ok(classifier) = sources::auth0::Classifier::new(
        &config.auth0.vendor_rules,
        config.auth0.connection_name_pattern.as_deref(),
    ) {
        let connections = rows.connections.iter().map(|c| (&c.idp, c.metadata_mapped));
        rows.verdicts = Some(queries::timed("classify connections at load", || {
            Ok(classifier.decide_all(connections))
        })?);
    }
    // to_rows already warns about unmapped connections; they are kept and listed by doctor.
    warn_all(&rows.warnings);
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
    Ok((rows, summary))
}

/// Most pages a flags URL may return: a guard against a `Link` header that loops.
const MAX_FLAGS_PAGES: usize = 100_000;

/// Reads flags from an HTTP source returning JSON arrays, following
/// `Link: <...>; rel="next"` pages, with the bearer token in FEATUREARR_FLAGS_TOKEN.
/// Returns the flags with the requests made.
fn fetch_flags(
    config: &Config,
    url: &str,
    features: &[sources::flags::FeatureColumn],
) -> Result<(sources::flags::FlagsSnapshot, u64)> {
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
    Ok((snapshot, client.requests()))
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

/// The sources of a refresh, in the order they are read and stored.
const REFRESH_SOURCES: [store::Source; 4] = [
    store::Source::Flags,
    store::Source::Arr,
    store::Source::WorkspaceAccounts,
    store::Source::Auth0,
];

/// Days of Auth0 logins a refresh counts, as `pull auth0` and `load auth0` do by default.
const REFRESH_LOG_DAYS: u32 = 30;

/// What a refresh does for one date: each source and where it comes from, and the
/// folder of its reports.
struct RefreshPlan {
    as_of: NaiveDate,
    sources: Vec<(store::Source, SourceSpec)>,
    output_dir: PathBuf,
}

/// The plan of `[refresh]` for `as_of`; a usage error when a required source is missing.
fn refresh_plan(config: &Config, as_of: NaiveDate) -> Result<RefreshPlan> {
    let refresh = &config.refresh;
    let mut sources = Vec::new();
    for source in REFRESH_SOURCES {
        let spec = match source {
            store::Source::Flags => &refresh.flags,
            store::Source::Arr => &refresh.arr,
            store::Source::WorkspaceAccounts => &refresh.workspace_accounts,
            store::Source::Auth0 => &refresh.auth0,
        };
        match spec {
            Some(spec) => sources.push((source, spec.clone())),
            None if matches!(source, store::Source::Flags | store::Source::Arr) => {
                return Err(UsageError::msg(format!(
                    "refresh needs [refresh.sources] {} in {}; set it to a file path{} (see featurearr refresh --help)",
                    source.name(),
                    refresh.origin,
                    if source == store::Source::Flags {
                        ", an http(s) URL or a postgresql:// URL with [flags] query"
                    } else {
                        " or \"salesforce\" (pull live)"
                    }
                )))
            }
            None => {}
        }
    }
    let output_dir = PathBuf::from(
        refresh
            .output_dir
            .to_string_lossy()
            .replace(config::AS_OF_PLACEHOLDER, &as_of.to_string()),
    );
    Ok(RefreshPlan {
        as_of,
        sources,
        output_dir,
    })
}

/// A source read into memory and checked, not yet stored.
enum SourceData {
    Flags(sources::flags::FlagsSnapshot),
    Arr {
        export: sources::salesforce::SalesforceExport,
        /// A live pull's summary, kept in the snapshot's details as `pull salesforce` keeps it.
        pull: Option<serde_json::Value>,
    },
    WorkspaceAccounts(sources::mapping::Mapping),
    Auth0 {
        rows: sources::auth0::Auth0Rows,
        window: Option<(NaiveDate, NaiveDate)>,
    },
}

struct ReadSource {
    /// The snapshot's origin, as a load of the same input would record it.
    origin: String,
    data: SourceData,
    /// What was read, loaded and skipped, as the load would say and keep it.
    summary: LoadSummary,
    requests: u64,
}

impl ReadSource {
    /// Records read: workspaces, accounts, links or enterprise connections.
    fn rows(&self) -> usize {
        match &self.data {
            SourceData::Flags(flags) => flags.rows.len(),
            SourceData::Arr { export, .. } => export.accounts.len(),
            SourceData::WorkspaceAccounts(mapping) => mapping.links.len(),
            SourceData::Auth0 { rows, .. } => rows.connections.len(),
        }
    }

    /// Writes it as the snapshot of `as_of` (into the caller's transaction, if any).
    fn store(&self, store: &mut Store, config: &Config, as_of: NaiveDate) -> Result<()> {
        match &self.data {
            SourceData::Flags(flags) => {
                store.load_flags(as_of, &self.origin, flags, &config.features, &self.summary)?
            }
            SourceData::Arr { export, pull } => store.load_arr(
                as_of,
                &self.origin,
                export,
                &config.currency.reporting,
                &self.summary,
                pull.as_ref(),
            )?,
            SourceData::WorkspaceAccounts(mapping) => {
                store.load_workspace_accounts(as_of, &self.origin, mapping, &self.summary)?
            }
            SourceData::Auth0 { rows, window } => {
                store.load_auth0(as_of, &self.origin, rows, *window, &self.summary)?
            }
        };
        Ok(())
    }
}

/// The `pull auth0` a refresh makes: its defaults (the `[auth0]` and `[http]` settings),
/// for the run's date.
fn refresh_auth0_pull(as_of: NaiveDate) -> PullAuth0Args {
    PullAuth0Args {
        domain: None,
        as_of: Some(as_of),
        save_dump: None,
        log_days: REFRESH_LOG_DAYS,
        rps: None,
        timeout: None,
        max_retries: None,
    }
}

/// The `pull salesforce` a refresh makes: its defaults (REST or Bulk by the count,
/// the org of `SALESFORCE_INSTANCE_URL` or `[salesforce] instance_url`), for the run's date.
fn refresh_salesforce_pull(as_of: NaiveDate) -> PullSalesforceArgs {
    PullSalesforceArgs {
        as_of: Some(as_of),
        save_dump: None,
        bulk: false,
        rest: false,
        instance_url: env_var("SALESFORCE_INSTANCE_URL"),
    }
}

/// Reads (or pulls) one source of a refresh and checks it, as its `load` or `pull`
/// command would, without storing it.
fn read_source(config: &Config, as_of: NaiveDate, source: store::Source, spec: &SourceSpec) -> Result<ReadSource> {
    let input = spec.for_date(as_of);
    let read = |origin: String, data: SourceData, summary: LoadSummary, requests: u64| ReadSource {
        origin,
        data,
        summary,
        requests,
    };
    Ok(match (source, input) {
        (store::Source::Flags, Some(input)) => {
            let (flags, requests) = read_flags_input(config, &input, None, config.flags_delimiter)?;
            let summary = flags_summary(&input, &flags);
            read(flags_origin(&input), SourceData::Flags(flags), summary, requests)
        }
        (store::Source::Arr, Some(input)) => {
            let export = read_arr_file(config, &input, config.salesforce_delimiter)?;
            let summary = arr_summary(&export);
            read(input, SourceData::Arr { export, pull: None }, summary, 0)
        }
        (store::Source::WorkspaceAccounts, Some(input)) => {
            let mapping = sources::mapping::read_workspace_accounts(Path::new(&input), None)?;
            warn_all(&mapping.warnings);
            let summary = mapping_summary(&mapping);
            read(input, SourceData::WorkspaceAccounts(mapping), summary, 0)
        }
        (store::Source::Auth0, Some(input)) => {
            let (facts, logins) = sources::auth0::read_dump_for_load(Path::new(&input))?;
            let (rows, summary) = auth0_rows(config, facts, logins)?;
            let window = rows
                .logins
                .is_some()
                .then(|| sources::auth0::log_window(as_of, REFRESH_LOG_DAYS));
            read(input, SourceData::Auth0 { rows, window }, summary, 0)
        }
        (store::Source::Arr, None) => {
            let options = salesforce_pull_options(config, &refresh_salesforce_pull(as_of))?;
            let pulled = pull_salesforce(config, &options)?;
            eprintln!("{}", salesforce_pull_line(&pulled.summary));
            let summary = arr_summary(&pulled.export);
            // Every HTTP request of the pull: the token's and the API's, retries included.
            let requests = pulled.summary.api_requests + pulled.summary.token_requests;
            let data = SourceData::Arr {
                export: pulled.export,
                pull: Some(pulled.details),
            };
            read(pulled.origin, data, summary, requests)
        }
        (store::Source::Auth0, None) => {
            let pulled = pull_auth0(config, &refresh_auth0_pull(as_of))?;
            let logins = pulled.dump.logs.as_deref().map(sources::auth0::LoginTally::from_values);
            let facts = sources::auth0::DumpFacts::from_dump(&pulled.dump)?;
            let (rows, summary) = auth0_rows(config, facts, logins)?;
            let window = if rows.logins.is_some() { pulled.window } else { None };
            read(
                pulled.origin,
                SourceData::Auth0 { rows, window },
                summary,
                pulled.stats.requests,
            )
        }
        (source, None) => bail!(
            "{} cannot be pulled live; this is a bug, please report it",
            source.name()
        ),
    })
}

/// How a refresh has gone so far: when it started, each step's time and outcome, and
/// each source's rows and requests. Each step announces itself on stderr.
struct RunLog {
    started: chrono::DateTime<chrono::Utc>,
    clock: std::time::Instant,
    steps: Vec<store::runs::RunStep>,
    sources: Vec<store::runs::RunSource>,
}

impl RunLog {
    fn start() -> RunLog {
        RunLog {
            started: chrono::Utc::now(),
            clock: std::time::Instant::now(),
            steps: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// Runs step `name` (described as `what` on stderr) and notes its time and outcome.
    fn step<T>(&mut self, name: &str, what: &str, work: impl FnOnce(&mut RunLog) -> Result<T>) -> Result<T> {
        eprintln!("refresh: {what}");
        let started = std::time::Instant::now();
        let result = work(self);
        let seconds = started.elapsed().as_secs_f64();
        self.steps.push(store::runs::RunStep {
            step: name.to_string(),
            seconds,
            outcome: if result.is_ok() { "ok" } else { "failed" }.to_string(),
        });
        if result.is_ok() {
            eprintln!("refresh: {name} done in {seconds:.1} s");
        }
        result
    }

    /// The step that failed: the last one noted as failed, else the store (a commit
    /// fails outside any step).
    fn failed_step(&self) -> String {
        self.steps
            .iter()
            .rev()
            .find(|s| s.outcome == "failed")
            .map_or_else(|| "store".to_string(), |s| s.step.clone())
    }

    fn seconds(&self) -> f64 {
        self.clock.elapsed().as_secs_f64()
    }
}

/// What a refresh that loaded its data leaves for the message and the record.
struct Loaded {
    output_dir: PathBuf,
    headline: compose::Headline,
    summary: compose::RunSummary,
    exceeded: Vec<String>,
}

/// Runs `featurearr refresh`: every source read and checked, then one transaction that
/// replaces the date's snapshots and renders the reports before it commits; then the
/// gates, the notifications and the run's record. See `featurearr refresh --help`.
fn run_refresh(config: &Config, args: &RefreshArgs) -> Result<()> {
    let as_of = args.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let plan = refresh_plan(config, as_of)?;
    if args.dry_run {
        return refresh_dry_run(config, &plan);
    }
    let mut log = RunLog::start();
    let result = refresh_set(config, &plan, &mut log);
    let outcome = match &result {
        Err(_) => "failed",
        Ok(loaded) if loaded.exceeded.is_empty() => "ok",
        Ok(_) => "gates-exceeded",
    };
    let failed_step = result.is_err().then(|| log.failed_step());
    let error = result.as_ref().err().map(|err| format!("{err:#}"));
    let output_dir = result
        .as_ref()
        .ok()
        .map(|loaded| loaded.output_dir.display().to_string());
    let message = RunMessage {
        as_of: as_of.to_string(),
        outcome,
        seconds: log.seconds(),
        output_dir: output_dir.clone(),
        failed_step: failed_step.clone(),
        error: error.as_deref().map(|e| e.lines().next().unwrap_or("").to_string()),
        summary: result.as_ref().ok().map(|loaded| &loaded.summary),
    };
    let notifications = log.step("notify", "telling the team", |_| Ok(notify_run(config, &message)))?;
    for failed in notifications.iter().filter(|d| d.outcome == "failed") {
        eprintln!(
            "warning: the {} notification was not sent: {}; the run itself is unaffected",
            failed.channel,
            failed.error.as_deref().unwrap_or("unknown error")
        );
    }
    let record = store::runs::RunRecord {
        run_id: 0,
        as_of: as_of.to_string(),
        started_at: utc_time(log.started),
        finished_at: utc_time(chrono::Utc::now()),
        outcome: outcome.to_string(),
        failed_step: failed_step.clone(),
        error,
        output_dir,
        steps: log.steps.clone(),
        sources: log.sources.clone(),
        details: json!({
            "gates_exceeded": result.as_ref().map(|l| l.exceeded.clone()).unwrap_or_default(),
            "notifications": notifications,
            "headline": result.as_ref().ok().map(|l| &l.headline),
        }),
    };
    // The record is the run's own: written whatever happened, in a transaction of its own.
    let recorded = Store::open_write(&config.db, config.wait).and_then(|mut store| store.record_run(&record));
    match &recorded {
        Ok(run_id) => eprintln!("refresh: recorded as run {run_id} (featurearr runs)"),
        Err(err) => eprintln!(
            "warning: the run could not be recorded in {}: {err:#}",
            config.db.display()
        ),
    }
    match result {
        Err(err) => Err(err.context(format!(
            "refresh of {as_of} failed at {}; no snapshot and no report changed",
            failed_step.unwrap_or_default()
        ))),
        Ok(loaded) if !loaded.exceeded.is_empty() => Err(GatesExceeded(format!(
            "refresh of {as_of} loaded every source and wrote the reports to {}, but doctor found {}",
            loaded.output_dir.display(),
            loaded.exceeded.join("; ")
        ))
        .into()),
        Ok(loaded) => {
            println!("{}", loaded.output_dir.display());
            Ok(())
        }
    }
}

/// `2026-10-01T06:00:00.123Z`.
fn utc_time(time: chrono::DateTime<chrono::Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Reads every source, then replaces the date's snapshots and renders the reports in one
/// transaction, then moves the reports into place.
fn refresh_set(config: &Config, plan: &RefreshPlan, log: &mut RunLog) -> Result<Loaded> {
    let as_of = plan.as_of;
    let mut read = Vec::new();
    for (source, spec) in &plan.sources {
        let name = source.name();
        let what = match spec.for_date(as_of) {
            Some(input) => format!("reading {name} from {}", shown_input(&input)),
            None => format!("pulling {name} live"),
        };
        let result = log.step(name, &what, |_| read_source(config, as_of, *source, spec));
        log.sources.push(store::runs::RunSource {
            source: name.to_string(),
            origin: match &result {
                Ok(r) => shown_input(&r.origin),
                Err(_) => spec
                    .for_date(as_of)
                    .map_or_else(|| format!("pull {name}"), |input| shown_input(&input)),
            },
            rows: result.as_ref().ok().map(|r| r.rows() as i64),
            requests: result.as_ref().ok().map(|r| r.requests as i64),
        });
        read.push(result?);
    }
    let mut store = log.step("store", &format!("opening the store {}", config.db.display()), |_| {
        Store::open_write(&config.db, config.wait)
    })?;
    // The previous run that loaded its data, and its headline numbers.
    let previous = store
        .runs()?
        .into_iter()
        .filter(|run| run.outcome != "failed")
        .find_map(|run| {
            let headline = serde_json::from_value::<compose::Headline>(run.details.get("headline")?.clone()).ok()?;
            Some((run.run_id, headline))
        });
    let (staging, loaded) = store.in_one_transaction(|store| {
        log.step(
            "snapshots",
            &format!("replacing the {as_of} snapshots of {}", count_of(read.len(), "source")),
            |_| {
                for source in &read {
                    source.store(store, config, as_of)?;
                }
                Ok(())
            },
        )?;
        let staging = log.step("reports", "rendering every report", |_| {
            render_refresh_reports(store, config, plan)
        })?;
        let loaded = log.step("doctor", "checking the gates", |_| {
            let share = compose::revenue_share(store, config, as_of)?;
            let idps = match store.snapshot_on_or_before(store::Source::Auth0, as_of)? {
                Some(_) => Some(compose::idps(store, config, as_of, false)?),
                None => None,
            };
            let doctor = compose::doctor(store, config, as_of)?;
            let exceeded = compose::exceeded_thresholds(&doctor, &config.refresh.fail_on)?;
            let summary = compose::run_summary(
                &share,
                idps.as_ref(),
                &doctor,
                config.refresh.fail_on.len(),
                &exceeded,
                previous.as_ref().map(|(id, headline)| (*id, headline)),
            );
            Ok(Loaded {
                output_dir: plan.output_dir.clone(),
                headline: compose::headline(&share),
                summary,
                exceeded,
            })
        })?;
        Ok((staging, loaded))
    })?;
    drop(store);
    log.step(
        "publish",
        &format!("moving the reports into {}", plan.output_dir.display()),
        |_| move_files(staging.path(), &plan.output_dir),
    )?;
    Ok(loaded)
}

/// Renders every report of `plan`'s date, as `report --output-dir` does, plus
/// `index.md`, into a new folder beside the output folder (on the same file system, so
/// that moving them in is a rename).
fn render_refresh_reports(store: &Store, config: &Config, plan: &RefreshPlan) -> Result<tempfile::TempDir> {
    let parent = match plan.output_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("cannot create the folder {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".featurearr-refresh-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot write in {}; check the folder's permissions", parent.display()))?;
    let written = write_all_reports(store, config, plan.as_of, staging.path())?;
    let index = report_index(config, plan.as_of, staging.path(), &written)?;
    output::write_file(&staging.path().join("index.md"), index.as_bytes())?;
    Ok(staging)
}

/// `index.md`: every file written into `dir`, by report (its name without extension);
/// files in subfolders (charts) apart.
fn report_index(config: &Config, as_of: NaiveDate, dir: &Path, written: &[PathBuf]) -> Result<String> {
    #[derive(Serialize)]
    struct Entry {
        name: String,
        files: Vec<String>,
    }
    let mut reports: Vec<Entry> = Vec::new();
    let mut others = Vec::new();
    for path in written {
        let relative = path.strip_prefix(dir).unwrap_or(path);
        let name = relative.to_string_lossy().replace('\\', "/");
        if relative.components().count() > 1 {
            others.push(name);
            continue;
        }
        let stem = name.split_once('.').map_or(name.as_str(), |(stem, _)| stem).to_string();
        match reports.iter_mut().find(|r| r.name == stem) {
            Some(entry) => entry.files.push(name),
            None => reports.push(Entry {
                name: stem,
                files: vec![name],
            }),
        }
    }
    Reports::new(config.reports_dir.as_deref(), &config.currency.reporting)?.render(
        "index.md.j2",
        &json!({ "as_of": as_of.to_string(), "reports": reports, "others": others }),
    )
}

/// Moves every file under `from` to the same place under `to`, replacing what is there;
/// files of `to` that `from` does not have are left alone (as `report --output-dir`
/// leaves them).
fn move_files(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create the folder {}", to.display()))?;
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .with_context(|| format!("cannot read {}", from.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            move_files(&entry.path(), &target)?;
        } else {
            std::fs::rename(entry.path(), &target)
                .with_context(|| format!("cannot move the report into {}", target.display()))?;
        }
    }
    Ok(())
}

/// An input as messages and the run record show it: a URL without the query parameters
/// that may carry a credential, a PostgreSQL URL without its password.
fn shown_input(input: &str) -> String {
    if sources::postgres::is_postgres_url(input) {
        return sources::postgres::redact(input);
    }
    match input.split_once("://") {
        Some((scheme, rest)) if is_url(input) => {
            let host = rest.split(['/', '?']).next().unwrap_or(rest);
            format!("{scheme}://{host}{}", sources::http::display_path(input))
        }
        _ => input.to_string(),
    }
}

/// The context of `refresh-message.j2`.
#[derive(Serialize)]
struct RunMessage<'a> {
    as_of: String,
    outcome: &'a str,
    seconds: f64,
    output_dir: Option<String>,
    failed_step: Option<String>,
    /// The first line of the error.
    error: Option<String>,
    summary: Option<&'a compose::RunSummary>,
}

/// Sends the message to the webhook and pings the heartbeat, those configured; returns
/// what became of each. Never fails: a notification must not fail the run.
fn notify_run(config: &Config, message: &RunMessage) -> Vec<notify::Delivery> {
    let mut deliveries = Vec::new();
    if let Some(url) = &config.notify.webhook_url {
        let payload = match run_message(config, message) {
            Ok(message) => notify::slack_payload(&message),
            // A broken template of the user's still gets the news out, plainly.
            Err(err) => notify::slack_payload(&notify::Message {
                title: format!("featurearr refresh {}: {}", message.as_of, message.outcome),
                sections: vec![vec![format!("(the message could not be worded: {err:#})")]],
                context: Vec::new(),
            }),
        };
        deliveries.push(notify::post_webhook(&config.http, url, &payload));
    }
    if let Some(url) = &config.notify.heartbeat_url {
        deliveries.push(notify::ping_heartbeat(&config.http, url, message.outcome == "ok"));
    }
    deliveries
}

/// The message's lines, worded by `refresh-message.j2`.
fn run_message(config: &Config, message: &RunMessage) -> Result<notify::Message> {
    let reports = Reports::new(config.reports_dir.as_deref(), &config.currency.reporting)?;
    let lines = |name: &str| reports.render_lines("refresh-message.j2", name, message);
    let sections = match message.summary {
        Some(_) => vec![lines("headline")?, lines("idps")?, lines("verdict")?],
        None => vec![lines("failure")?],
    };
    Ok(notify::Message {
        title: lines("title")?.join(" "),
        sections,
        context: lines("context")?,
    })
}

/// `refresh --dry-run`: checks the plan without loading, writing or sending anything,
/// and prints one line per check on stderr; fails when any check does.
fn refresh_dry_run(config: &Config, plan: &RefreshPlan) -> Result<()> {
    let mut checks: Vec<(String, Result<String>)> = Vec::new();
    for (source, spec) in &plan.sources {
        let name = source.name();
        let check = match spec.for_date(plan.as_of) {
            Some(url) if is_url(&url) => {
                let token = std::env::var("FEATUREARR_FLAGS_TOKEN").unwrap_or_default();
                sources::http::HttpClient::new(&config.http, sources::http::FLAGS_URL)
                    .and_then(|client| sources::http::fetch_json_page(&client, &url, &token))
                    .map(|_| format!("{} answers", shown_input(&url)))
            }
            Some(url) if sources::postgres::is_postgres_url(&url) => check_flags_database(config, &url),
            Some(path) => readable_file(Path::new(&path)),
            None if *source == store::Source::Arr => {
                salesforce_pull_options(config, &refresh_salesforce_pull(plan.as_of)).and_then(|options| {
                    sources::salesforce::check_access(&options).map(|_| {
                        let credentials = &options.credentials;
                        let how = if credentials.client_id.is_some() && credentials.client_secret.is_some() {
                            "gave an access token"
                        } else {
                            "accepts SALESFORCE_ACCESS_TOKEN"
                        };
                        format!("Salesforce at {} {how}", options.instance_url)
                    })
                })
            }
            None => auth0_pull_options(config, &refresh_auth0_pull(plan.as_of)).and_then(|options| {
                sources::auth0::check_token(&options)
                    .map(|_| format!("{} gave a Management API token", options.base_url))
            }),
        };
        checks.push((name.to_string(), check));
    }
    checks.push((
        "store".into(),
        Ok(match config.db.exists() {
            true => format!("{} exists", config.db.display()),
            false => format!("{} will be created", config.db.display()),
        }),
    ));
    checks.push((
        "reports".into(),
        Ok(format!("{} (every report and index.md)", plan.output_dir.display())),
    ));
    checks.push((
        "gates".into(),
        Ok(match config.refresh.fail_on.len() {
            0 => "none set ([refresh] fail_on)".to_string(),
            n => format!("{} checked after the load", count_of(n, "gate")),
        }),
    ));
    let configured = |url: &Option<String>| match url {
        Some(_) => "set; nothing is sent in a dry run",
        None => "not set",
    };
    checks.push(("webhook".into(), Ok(configured(&config.notify.webhook_url).into())));
    checks.push(("heartbeat".into(), Ok(configured(&config.notify.heartbeat_url).into())));
    let mut failed = 0;
    for (what, check) in &checks {
        match check {
            // On stderr, as every diagnostic: nothing goes to stdout when the command fails.
            Ok(detail) => eprintln!("ok      {what}: {detail}"),
            Err(err) => {
                failed += 1;
                eprintln!("FAILED  {what}: {err:#}");
            }
        }
    }
    if failed > 0 {
        bail!(
            "dry run of refresh {}: {} of {} failed; nothing was loaded, written or sent",
            plan.as_of,
            failed,
            count_of(checks.len(), "check")
        );
    }
    eprintln!(
        "dry run of refresh {}: every check passed; nothing was loaded, written or sent",
        plan.as_of
    );
    Ok(())
}

/// "URL runs the query (N columns)" when the flags query would load from the database:
/// connected, its columns checked, the server willing to run it; nothing read or changed.
fn check_flags_database(config: &Config, url: &str) -> Result<String> {
    let target = sources::postgres::Target::from_url(url)?;
    let query = flags_query(config, &target, None)?;
    let columns =
        sources::postgres::check_flags_query(&target, query, &feature_columns(config), config.http_ca_file.as_deref())?;
    Ok(format!(
        "{} accepts [flags] query ({}, read-only; no row read)",
        target.origin(),
        count_of(columns, "column")
    ))
}

/// "PATH (SIZE bytes)" when `path` is a file this process can read.
fn readable_file(path: &Path) -> Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        bail!("{} is not a file", path.display());
    }
    Ok(format!(
        "{} ({} bytes)",
        path.display(),
        wording::thousands(metadata.len() as i64)
    ))
}

/// A run as `runs` lists it.
#[derive(Serialize)]
struct RunListing {
    run_id: i64,
    as_of: String,
    started_at: String,
    finished_at: String,
    seconds: f64,
    outcome: String,
    failed_step: Option<String>,
    error: Option<String>,
    /// The first line of `error`.
    error_line: Option<String>,
    output_dir: Option<String>,
    steps: Vec<store::runs::RunStep>,
    sources: Vec<store::runs::RunSource>,
    /// HTTP requests of every source.
    requests: i64,
    gates_exceeded: Vec<String>,
    notifications: Vec<notify::Delivery>,
}

impl RunListing {
    fn new(run: store::runs::RunRecord) -> RunListing {
        let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
        let seconds = match (time(&run.started_at), time(&run.finished_at)) {
            (Some(start), Some(end)) => (end - start).num_milliseconds() as f64 / 1000.0,
            _ => 0.0,
        };
        let detail = |key: &str| run.details.get(key).cloned().unwrap_or(serde_json::Value::Null);
        RunListing {
            run_id: run.run_id,
            error_line: run.error.as_deref().map(|e| e.lines().next().unwrap_or("").to_string()),
            requests: run.sources.iter().filter_map(|s| s.requests).sum(),
            gates_exceeded: serde_json::from_value(detail("gates_exceeded")).unwrap_or_default(),
            notifications: serde_json::from_value(detail("notifications")).unwrap_or_default(),
            as_of: run.as_of,
            started_at: run.started_at,
            finished_at: run.finished_at,
            seconds,
            outcome: run.outcome,
            failed_step: run.failed_step,
            error: run.error,
            output_dir: run.output_dir,
            steps: run.steps,
            sources: run.sources,
        }
    }
}

fn run_runs(config: &Config, args: &RunsArgs) -> Result<()> {
    let store = Store::open_read(&config.db, config.wait)?;
    let runs = store.runs()?;
    let total = runs.len();
    let last_success = runs
        .iter()
        .find(|r| r.outcome == "ok")
        .map(|r| json!({ "run_id": r.run_id, "as_of": r.as_of, "finished_at": r.finished_at }));
    let runs: Vec<RunListing> = runs.into_iter().take(args.limit).map(RunListing::new).collect();
    let document = json!({
        "store": config.db.display().to_string(),
        "total": total,
        "shown": runs.len(),
        "last_success": last_success,
        "runs": runs,
    });
    let text = match args.format {
        ListFormat::Json => json_text(&document)?,
        ListFormat::Md => {
            Reports::new(config.reports_dir.as_deref(), &config.currency.reporting)?.render("runs.md.j2", &document)?
        }
    };
    output::write_output(None, &text)
}
