//! `featurearr.toml` and the command line resolved once into a `Config`.
//!
//! Precedence: flag > environment > config file > default. Secrets (the Auth0
//! client secret) come from the environment or the config file, never a flag.
//! Knows nothing about DuckDB, HTTP or templates; the settings that a source
//! reads are that source's own types, deserialized here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, ensure, Context, Result};
use serde::Deserialize;

use crate::cli::{
    parse_fail_on, parse_query, Bounds, Cli, CsvDelimiter, FailOn, Number, UsageError, AUTH0_RPS, MAX_RETRIES,
    TIMEOUT_SECONDS,
};
use crate::money::Money;
use crate::queries::Rollup;
use crate::sources::auth0::VendorRule;
use crate::sources::http::HttpSettings;
use crate::sources::salesforce::{
    ApiFields, ColumnOverrides, CurrencyRates, FieldsSection, QuerySettings, DEFAULT_API_VERSION,
    DEFAULT_BULK_THRESHOLD, DEFAULT_OBJECT,
};
use crate::sources::text::csv_reader::Delimiter;

const DEFAULT_CONFIG: &str = "featurearr.toml";

/// Upper bounds of the default ARR bands: under $10k, $10k-$50k, $50k-$250k, $250k and up.
const DEFAULT_ARR_BANDS: [Money; 3] = [
    Money::from_cents(1_000_000),
    Money::from_cents(5_000_000),
    Money::from_cents(25_000_000),
];

/// `[report] arr_bands`: how many upper bounds (more make an unreadable table).
const ARR_BAND_COUNT: Bounds<usize> = Bounds::new(1, 20);
/// `[report] arr_bands`: each upper bound, an amount in the reporting currency
/// (at most 2 decimals, so that it is a whole number of cents).
const ARR_BAND: Bounds<f64> = Bounds::new(0.01, 1_000_000_000_000.0);
/// `[report] fiscal_year_start_month`.
const FISCAL_YEAR_START_MONTH: Bounds<u32> = Bounds::new(1, 12);
/// `[currency] rates`: one unit of a currency in the reporting currency. The widest
/// real spreads (1 IRR is about 0.00002 USD) fit with room; with at most
/// `RATE_DECIMALS` decimals a rate has at most 18 digits, which the ARR reader's
/// exact conversion needs.
const CURRENCY_RATE: Bounds<f64> = Bounds::new(0.000_001, 1_000_000.0);
const RATE_DECIMALS: usize = 12;
/// `[salesforce] bulk_threshold`: from this many records on, a Bulk API 2.0 job (0: always).
const BULK_THRESHOLD: Bounds<u64> = Bounds::new(0, 1_000_000_000);
/// `[salesforce] api_version`: Bulk API 2.0 query jobs need 47.0 or later.
const API_VERSION: Bounds<f64> = Bounds::new(47.0, 999.0);

/// What the user wrote in `featurearr.toml` (SPEC 2.4). Unknown keys are an
/// error: a misspelt key silently ignored would change numbers unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    currency: CurrencySection,
    #[serde(default)]
    features: BTreeMap<String, FeatureSection>,
    #[serde(default)]
    salesforce: SalesforceSection,
    #[serde(default)]
    flags: FlagsSection,
    #[serde(default)]
    auth0: Auth0Section,
    #[serde(default)]
    report: ReportSection,
    #[serde(default)]
    refresh: RefreshSection,
    #[serde(default)]
    notify: NotifySection,
    #[serde(default)]
    http: HttpSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CurrencySection {
    reporting: Option<String>,
    #[serde(default)]
    rates: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureSection {
    column: Option<String>,
    label: Option<String>,
    requires: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SalesforceSection {
    /// Header names for an export whose headers differ from SPEC 2.2.
    #[serde(default)]
    columns: ColumnOverrides,
    /// What `pull salesforce` reads (SPEC 6).
    instance_url: Option<String>,
    object: Option<String>,
    api_version: Option<toml::Value>,
    #[serde(rename = "where")]
    where_clause: Option<String>,
    bulk_threshold: Option<toml::Value>,
    /// What a customer is in reports: an account, or an account family.
    #[serde(default)]
    rollup: Rollup,
    #[serde(default)]
    fields: FieldsSection,
    /// The ARR file's CSV delimiter, when detection from the header line is not wanted.
    delimiter: Option<toml::Value>,
}

/// `[http]`: every live source's client (flags URLs, Auth0, Salesforce).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpSection {
    connect_timeout: Option<toml::Value>,
    read_timeout: Option<toml::Value>,
    max_retries: Option<toml::Value>,
    /// A PEM bundle of extra CAs, relative to the config file.
    ca_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagsSection {
    /// The flags CSV's delimiter, when detection from the header line is not wanted.
    delimiter: Option<toml::Value>,
    /// The query of a `postgresql://` flags source (`load flags URL`, `[refresh.sources] flags`).
    query: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Auth0Section {
    domain: Option<String>,
    connection_name_pattern: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    /// Checked against `cli::AUTH0_RPS`; numeric keys are read as any TOML value so
    /// that a wrong type gets the same message, with the range, as a wrong number.
    requests_per_second: Option<toml::Value>,
    #[serde(default)]
    vendor_rules: Vec<VendorRule>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportSection {
    arr_bands: Option<toml::Value>,
    queries_dir: Option<PathBuf>,
    reports_dir: Option<PathBuf>,
    fiscal_year_start_month: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshSection {
    output_dir: Option<String>,
    #[serde(default)]
    fail_on: Vec<String>,
    sources: Option<RefreshSourcesSection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshSourcesSection {
    flags: Option<String>,
    arr: Option<String>,
    workspace_accounts: Option<String>,
    auth0: Option<String>,
}

/// `[notify]`: its URLs are secrets (a Slack webhook URL is its own credential), so
/// Debug never shows them.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifySection {
    webhook_url: Option<String>,
    heartbeat_url: Option<String>,
}

impl std::fmt::Debug for NotifySection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifySection").finish_non_exhaustive()
    }
}

/// `[refresh]`: what `featurearr refresh` pulls, where it writes the reports, and the
/// doctor gates it checks. Paths are relative to the config file's folder.
#[derive(Debug)]
pub(crate) struct RefreshConfig {
    /// The reports' folder, `{as_of}` not yet filled in (default `reports/{as_of}`).
    pub output_dir: PathBuf,
    pub fail_on: Vec<FailOn>,
    pub flags: Option<SourceSpec>,
    pub arr: Option<SourceSpec>,
    pub workspace_accounts: Option<SourceSpec>,
    pub auth0: Option<SourceSpec>,
    /// The config file that said so, for messages.
    pub origin: String,
}

/// Where `refresh` takes one source from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SourceSpec {
    /// A file; `{as_of}` in it is filled in with the run's date.
    File(PathBuf),
    /// An http(s) URL (flags only); `{as_of}` filled in too.
    Url(String),
    /// A `postgresql://` URL (flags only), read with `[flags] query`. It may hold the
    /// password: show it through `sources::postgres::redact`.
    Database(String),
    /// Pulled live from the source's API (`"auth0"`, `"salesforce"`).
    Live,
}

impl SourceSpec {
    /// The file or URL for the run of `as_of`; `None` for a live pull.
    pub(crate) fn for_date(&self, as_of: chrono::NaiveDate) -> Option<String> {
        let fill = |text: &str| text.replace(AS_OF_PLACEHOLDER, &as_of.to_string());
        match self {
            SourceSpec::File(path) => Some(fill(&path.to_string_lossy())),
            SourceSpec::Url(url) | SourceSpec::Database(url) => Some(fill(url)),
            SourceSpec::Live => None,
        }
    }
}

/// `[refresh] output_dir` when the config does not set it.
const DEFAULT_OUTPUT_DIR: &str = "reports/{as_of}";

/// What `{as_of}` in `[refresh]` paths and URLs stands for: the run's date, YYYY-MM-DD.
pub(crate) const AS_OF_PLACEHOLDER: &str = "{as_of}";

/// Where `refresh` reports to: `[notify]`, or `FEATUREARR_WEBHOOK_URL` and
/// `FEATUREARR_HEARTBEAT_URL`, which replace it (set and empty: none). Debug never
/// shows the URLs.
#[derive(Default, Clone)]
pub(crate) struct NotifyConfig {
    pub webhook_url: Option<String>,
    pub heartbeat_url: Option<String>,
}

impl std::fmt::Debug for NotifyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |url: &Option<String>| url.as_ref().map(|_| "[REDACTED]");
        f.debug_struct("NotifyConfig")
            .field("webhook_url", &set(&self.webhook_url))
            .field("heartbeat_url", &set(&self.heartbeat_url))
            .finish()
    }
}

/// A feature: a boolean column of the flags input reported on its own.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Feature {
    pub key: String,
    pub label: String,
    /// Header names accepted for it, first match wins.
    pub columns: Vec<String>,
    pub requires: Option<String>,
}

/// `[auth0]` settings. Debug is written by hand so that the client secret
/// can never reach a log line or a panic message through `{:?}`.
#[derive(Clone, Default)]
pub(crate) struct Auth0Config {
    pub domain: Option<String>,
    pub connection_name_pattern: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub requests_per_second: Option<f64>,
    pub vendor_rules: Vec<VendorRule>,
}

impl std::fmt::Debug for Auth0Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0Config")
            .field("domain", &self.domain)
            .field("connection_name_pattern", &self.connection_name_pattern)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "[REDACTED]"))
            .field("requests_per_second", &self.requests_per_second)
            .field("vendor_rules", &self.vendor_rules)
            .finish()
    }
}

/// Everything a command needs, resolved and checked.
#[derive(Debug)]
pub(crate) struct Config {
    pub db: PathBuf,
    pub features: Vec<Feature>,
    pub currency: CurrencyRates,
    pub salesforce_columns: ColumnOverrides,
    /// `[salesforce]`: what `pull salesforce` reads; its `fields` also name API-name columns.
    pub salesforce: QuerySettings,
    /// `[salesforce] instance_url`.
    pub salesforce_instance_url: Option<String>,
    /// `[salesforce] rollup`: applied when a report runs, so changing it needs no reload.
    pub rollup: Rollup,
    /// `[http]`, with `SSL_CERT_FILE` among the CA files.
    pub http: HttpSettings,
    /// `[salesforce] delimiter`; None: detect it.
    pub salesforce_delimiter: Option<Delimiter>,
    /// `[flags] delimiter`; None: detect it.
    pub flags_delimiter: Option<Delimiter>,
    pub auth0: Auth0Config,
    /// Upper bounds of the ARR bands, ascending, in the reporting currency.
    pub arr_bands: Vec<Money>,
    pub queries_dir: Option<PathBuf>,
    pub reports_dir: Option<PathBuf>,
    pub fiscal_year_start_month: u32,
    /// How long opening the store waits for another process to release it.
    pub wait: std::time::Duration,
    pub refresh: RefreshConfig,
    pub notify: NotifyConfig,
    /// `[flags] query`: the SQL of a PostgreSQL flags source when `--query` is not given.
    pub flags_query: Option<String>,
    /// `[http] ca_file`, relative to the config file's folder.
    pub http_ca_file: Option<PathBuf>,
}

impl Config {
    /// Resolves the command line and the config file into one `Config`.
    ///
    /// # Errors
    /// A [`UsageError`] (exit 2) when the config file cannot be read, is not valid, or
    /// holds a value out of its range, or when a folder flag names no folder.
    pub(crate) fn resolve(cli: &Cli) -> Result<Config> {
        let mut config = Config::load(
            cli.db.clone(),
            cli.config.as_deref(),
            cli.queries_dir.clone(),
            cli.reports_dir.clone(),
        )
        .map_err(UsageError::new)?;
        config.wait = std::time::Duration::from_secs(cli.wait);
        Ok(config)
    }

    /// A `Config` from a store path, a config file (default: featurearr.toml
    /// if present) and folders that override the built-in queries and reports.
    pub(crate) fn load(
        db: PathBuf,
        config: Option<&Path>,
        queries_dir: Option<PathBuf>,
        reports_dir: Option<PathBuf>,
    ) -> Result<Config> {
        let (source, file) = match config {
            Some(path) => (Some(path.to_path_buf()), read_config(path)?),
            None if Path::new(DEFAULT_CONFIG).is_file() => (
                Some(PathBuf::from(DEFAULT_CONFIG)),
                read_config(Path::new(DEFAULT_CONFIG))?,
            ),
            None => (None, ConfigFile::default()),
        };
        let base = source
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let origin = source
            .as_deref()
            .unwrap_or(Path::new(DEFAULT_CONFIG))
            .display()
            .to_string();

        let features = resolve_features(&file.features, &origin)?;
        let currency = resolve_currency(&file.currency, &origin)?;
        let arr_bands = match &file.report.arr_bands {
            None => DEFAULT_ARR_BANDS.to_vec(),
            Some(bands) => resolve_arr_bands(bands, &origin)?,
        };
        let fiscal_year_start_month = match &file.report.fiscal_year_start_month {
            None => 1,
            Some(month) => bounded(
                &origin,
                "[report] fiscal_year_start_month",
                month,
                FISCAL_YEAR_START_MONTH,
            )?,
        };
        let requests_per_second = match &file.auth0.requests_per_second {
            None => None,
            Some(rps) => Some(bounded(&origin, "[auth0] requests_per_second", rps, AUTH0_RPS)?),
        };
        let auth0 = Auth0Config {
            domain: file.auth0.domain,
            connection_name_pattern: file.auth0.connection_name_pattern,
            client_id: file.auth0.client_id,
            client_secret: file.auth0.client_secret,
            requests_per_second,
            vendor_rules: file.auth0.vendor_rules,
        };
        let relative = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let flags_query = match file.flags.query {
            None => None,
            Some(query) => Some(parse_query(&query).map_err(|must| anyhow!("{origin}: [flags] query {must}"))?),
        };
        let http_ca_file = file.http.ca_file.clone().map(relative);
        let salesforce = resolve_salesforce(&file.salesforce, &origin)?;
        let http = resolve_http(&file.http, &origin, http_ca_file.clone())?;
        let queries_dir = queries_dir.or(file.report.queries_dir.map(relative));
        let reports_dir = reports_dir.or(file.report.reports_dir.map(relative));
        for (dir, flag) in [(&queries_dir, "--queries-dir"), (&reports_dir, "--reports-dir")] {
            if let Some(dir) = dir {
                ensure!(
                    dir.is_dir(),
                    "{} is not a folder; check {flag} or [report] in {origin}",
                    dir.display()
                );
            }
        }
        let refresh = resolve_refresh(file.refresh, &base, &origin, flags_query.is_some())?;
        let notify = resolve_notify(file.notify, &origin, |name| std::env::var(name).ok())?;
        Ok(Config {
            db,
            features,
            currency,
            salesforce_columns: file.salesforce.columns,
            salesforce,
            salesforce_instance_url: file.salesforce.instance_url.filter(|u| !u.trim().is_empty()),
            rollup: file.salesforce.rollup,
            http,
            salesforce_delimiter: delimiter_key(&origin, "[salesforce] delimiter", file.salesforce.delimiter.as_ref())?,
            flags_delimiter: delimiter_key(&origin, "[flags] delimiter", file.flags.delimiter.as_ref())?,
            auth0,
            arr_bands,
            queries_dir,
            reports_dir,
            fiscal_year_start_month,
            wait: std::time::Duration::ZERO,
            refresh,
            notify,
            flags_query,
            http_ca_file,
        })
    }
}

/// `[salesforce]`: object, API version, condition, threshold and field names.
fn resolve_salesforce(section: &SalesforceSection, origin: &str) -> Result<QuerySettings> {
    let object = section.object.as_deref().map(str::trim).unwrap_or(DEFAULT_OBJECT);
    ensure!(
        is_identifier(object),
        "{origin}: [salesforce] object = `{object}` is not a Salesforce object API name such as Account"
    );
    let api_version = match &section.api_version {
        None => DEFAULT_API_VERSION.to_string(),
        Some(value) => {
            // Written as "62.0" (a string) or 62.0; versions are whole numbers.
            let as_number = match value {
                toml::Value::String(text) => text
                    .trim()
                    .parse::<f64>()
                    .map(toml::Value::Float)
                    .unwrap_or(value.clone()),
                other => other.clone(),
            };
            let version = bounded(origin, "[salesforce] api_version", &as_number, API_VERSION)?;
            ensure!(
                version.fract() == 0.0,
                "{origin}: [salesforce] api_version must be a version such as \"62.0\", not {value}"
            );
            format!("{version:.1}")
        }
    };
    let bulk_threshold = match &section.bulk_threshold {
        None => DEFAULT_BULK_THRESHOLD,
        Some(value) => bounded(origin, "[salesforce] bulk_threshold", value, BULK_THRESHOLD)?,
    };
    Ok(QuerySettings {
        object: object.to_string(),
        api_version,
        where_clause: section
            .where_clause
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_string),
        bulk_threshold,
        fields: ApiFields::resolve(&section.fields, origin)?,
    })
}

fn is_identifier(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[http]`: timeouts and retries bounded as the flags of `pull auth0` are, and the CA
/// bundles to trust: `ca_file`, then `SSL_CERT_FILE`.
fn resolve_http(section: &HttpSection, origin: &str, ca_file: Option<PathBuf>) -> Result<HttpSettings> {
    let mut http = HttpSettings::default();
    if let Some(value) = &section.connect_timeout {
        http.connect_timeout =
            std::time::Duration::from_secs(bounded(origin, "[http] connect_timeout", value, TIMEOUT_SECONDS)?);
    }
    if let Some(value) = &section.read_timeout {
        http.read_timeout =
            std::time::Duration::from_secs(bounded(origin, "[http] read_timeout", value, TIMEOUT_SECONDS)?);
    }
    if let Some(value) = &section.max_retries {
        http.retry.max_retries = bounded(origin, "[http] max_retries", value, MAX_RETRIES)?;
    }
    http.ca_files.extend(ca_file);
    if let Some(file) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        http.ca_files.push(PathBuf::from(file));
    }
    Ok(http)
}

/// The delimiter of `--delimiter`.
pub(crate) fn delimiter_of(arg: CsvDelimiter) -> Delimiter {
    match arg {
        CsvDelimiter::Comma => Delimiter::Comma,
        CsvDelimiter::Semicolon => Delimiter::Semicolon,
        CsvDelimiter::Tab => Delimiter::Tab,
        CsvDelimiter::Pipe => Delimiter::Pipe,
    }
}

/// A delimiter config key: one of the four names or characters, like `--delimiter`.
fn delimiter_key(origin: &str, key: &str, value: Option<&toml::Value>) -> Result<Option<Delimiter>> {
    let Some(value) = value else { return Ok(None) };
    match value.as_str().and_then(Delimiter::parse) {
        Some(delimiter) => Ok(Some(delimiter)),
        None => bail!(
            "{key} = {value} in {origin} is not a delimiter; use \",\" (comma), \";\" (semicolon), \"\\t\" (tab) or \"|\" (pipe), or leave it out to detect it from the header line"
        ),
    }
}

/// A numeric config key checked against the bounds of its option: `key` as the user
/// writes it (`[auth0] requests_per_second`), `value` as TOML read it. New numeric
/// keys declare a [`Bounds`] (in `cli` when a flag shares it) and call this.
fn bounded<T: Number>(origin: &str, key: &str, value: &toml::Value, bounds: Bounds<T>) -> Result<T> {
    let text = match value {
        toml::Value::Integer(i) => i.to_string(),
        // NaN and infinities print as words that no bound contains.
        toml::Value::Float(f) => f.to_string(),
        _ => String::new(),
    };
    bounds
        .parse(&text)
        .map_err(|must| anyhow!("{origin}: {key} {must}, not {value}"))
}

/// `[report] arr_bands`: ascending upper bounds, each a whole number of cents, read as
/// the exact amount the file wrote (TOML reads `10000.5` as a float, whose shortest
/// round-trip text is the decimal as written).
fn resolve_arr_bands(value: &toml::Value, origin: &str) -> Result<Vec<Money>> {
    const EXAMPLE: &str = "e.g. arr_bands = [10000, 50000, 250000]";
    let Some(items) = value.as_array() else {
        bail!("{origin}: [report] arr_bands must be a list of amounts, {EXAMPLE}, not {value}");
    };
    ensure!(
        ARR_BAND_COUNT.contains(items.len()),
        "{origin}: [report] arr_bands must hold {} upper bounds, not {}; {EXAMPLE}",
        ARR_BAND_COUNT.range(),
        items.len()
    );
    let mut bands: Vec<Money> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let key = format!("[report] arr_bands[{i}]");
        let bound = bounded(origin, &key, item, ARR_BAND)?;
        let Some(band) = Money::parse(&bound.to_string()) else {
            bail!("{origin}: {key} = {item} has more than 2 decimals; a band bound is an amount in cents");
        };
        if let Some(&previous) = bands.last() {
            ensure!(
                previous < band,
                "{origin}: [report] arr_bands must be in ascending order, but {item} follows {}; {EXAMPLE}",
                items[i - 1]
            );
        }
        bands.push(band);
    }
    Ok(bands)
}

/// `[refresh]`: gates read as `doctor --fail-on` reads them, sources as files (relative
/// to the config's folder), URLs or the names of live pulls.
/// `has_flags_query`: whether `[flags] query` is set, which a PostgreSQL flags source needs.
fn resolve_refresh(section: RefreshSection, base: &Path, origin: &str, has_flags_query: bool) -> Result<RefreshConfig> {
    let fail_on = section
        .fail_on
        .iter()
        .map(|gate| parse_fail_on(gate).map_err(|why| anyhow!("{origin}: [refresh] fail_on `{gate}`: {why}")))
        .collect::<Result<_>>()?;
    let relative = |p: &str| {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            base.join(p)
        }
    };
    let output_dir = section.output_dir.unwrap_or_else(|| DEFAULT_OUTPUT_DIR.to_string());
    check_placeholders(&output_dir, &format!("{origin}: [refresh] output_dir"))?;
    let output_dir = relative(&output_dir);
    let sources = section.sources.unwrap_or_default();
    // Which live pull each source may name, and whether it may be a URL.
    let spec = |key: &str, value: Option<String>, live: Option<&str>, url: bool| -> Result<Option<SourceSpec>> {
        let Some(value) = value else { return Ok(None) };
        let what = format!("{origin}: [refresh.sources] {key}");
        let value = value.trim().to_string();
        ensure!(!value.is_empty(), "{what} is empty; give a file path or remove the key");
        if Some(value.as_str()) == live {
            return Ok(Some(SourceSpec::Live));
        }
        if ["auth0", "salesforce"].contains(&value.as_str()) {
            bail!(
                "{what} = \"{value}\" names a live pull this source cannot come from; {}",
                match live {
                    Some(live) => format!("use \"{live}\" or a file path"),
                    None => "give a file path".to_string(),
                }
            );
        }
        if crate::sources::postgres::is_postgres_url(&value) {
            ensure!(
                url,
                "{what} is a PostgreSQL URL, but this source is read from a file; give a file path"
            );
            check_placeholders(&crate::sources::postgres::redact(&value), &what)?;
            ensure!(
                has_flags_query,
                "{what} is a PostgreSQL URL, but [flags] query is not set; add [flags] query = \"SELECT id AS \
                 workspace_id, ... FROM workspaces\" to {origin}"
            );
            return Ok(Some(SourceSpec::Database(value)));
        }
        check_placeholders(&value, &what)?;
        if value.starts_with("http://") || value.starts_with("https://") {
            ensure!(
                url,
                "{what} is a URL, but this source is read from a file; give a file path"
            );
            return Ok(Some(SourceSpec::Url(value)));
        }
        Ok(Some(SourceSpec::File(relative(&value))))
    };
    Ok(RefreshConfig {
        output_dir,
        fail_on,
        flags: spec("flags", sources.flags, None, true)?,
        arr: spec("arr", sources.arr, Some("salesforce"), false)?,
        workspace_accounts: spec("workspace_accounts", sources.workspace_accounts, None, false)?,
        auth0: spec("auth0", sources.auth0, Some("auth0"), false)?,
        origin: origin.to_string(),
    })
}

/// Refuses `{...}` other than `{as_of}`: a typo such as `{asof}` would otherwise name
/// the same folder or file every day.
fn check_placeholders(text: &str, what: &str) -> Result<()> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|c| open + c + 1).unwrap_or(rest.len());
        let placeholder = &rest[open..close];
        ensure!(
            placeholder == AS_OF_PLACEHOLDER,
            "{what} holds `{placeholder}`; the only placeholder is {AS_OF_PLACEHOLDER} (the run's date)"
        );
        rest = &rest[close..];
    }
    Ok(())
}

/// `[notify]` with the environment's variables over it. A URL that is not http(s) is an
/// error that names the key, never the URL (a secret).
fn resolve_notify(section: NotifySection, origin: &str, env: impl Fn(&str) -> Option<String>) -> Result<NotifyConfig> {
    let pick = |variable: &str, key: &str, configured: Option<String>| -> Result<Option<String>> {
        let (url, from) = match env(variable) {
            Some(value) => (value, variable.to_string()),
            None => match configured {
                Some(value) => (value, format!("{origin}: [notify] {key}")),
                None => return Ok(None),
            },
        };
        let url = url.trim().to_string();
        if url.is_empty() {
            return Ok(None);
        }
        ensure!(
            url.starts_with("https://") || url.starts_with("http://"),
            "{from} is not an http(s) URL; give the full https://... URL"
        );
        Ok(Some(url))
    };
    Ok(NotifyConfig {
        webhook_url: pick("FEATUREARR_WEBHOOK_URL", "webhook_url", section.webhook_url)?,
        heartbeat_url: pick("FEATUREARR_HEARTBEAT_URL", "heartbeat_url", section.heartbeat_url)?,
    })
}

/// Digits after the decimal point of a plain decimal text.
fn decimals(text: &str) -> usize {
    text.split_once('.').map_or(0, |(_, fraction)| fraction.len())
}

fn read_config(path: &Path) -> Result<ConfigFile> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the config file {}; pass --config PATH or remove the flag",
            path.display()
        )
    })?;
    toml::from_str(&text).with_context(|| {
        format!(
            "{} is not a valid featurearr config (see SPEC 2.4 keys in the README)",
            path.display()
        )
    })
}

/// The three built-in features, then those the config declares, by key.
fn resolve_features(declared: &BTreeMap<String, FeatureSection>, origin: &str) -> Result<Vec<Feature>> {
    let builtin = |key: &str, label: &str, columns: &[&str], requires: Option<&str>| Feature {
        key: key.into(),
        label: label.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        requires: requires.map(Into::into),
    };
    let mut features = vec![
        builtin("sso", "SSO", &["sso_enabled"], None),
        builtin("scim", "SCIM", &["scim_enabled"], Some("sso")),
        builtin(
            "forced_mfa",
            "Forced MFA",
            &["mfa_enforced", "force_mfa", "forced_mfa"],
            None,
        ),
    ];
    for (key, section) in declared {
        ensure!(
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{origin}: feature key `{key}` may hold only letters, digits and _"
        );
        let column = section.column.clone().unwrap_or_else(|| key.clone());
        match features.iter_mut().find(|f| &f.key == key) {
            // Redeclaring a built-in feature relabels it or points it at another column.
            Some(f) => {
                if let Some(label) = &section.label {
                    f.label = label.clone();
                }
                if section.column.is_some() {
                    f.columns = vec![column];
                }
                if section.requires.is_some() {
                    f.requires = section.requires.clone();
                }
            }
            None => features.push(Feature {
                key: key.clone(),
                label: section.label.clone().unwrap_or_else(|| key.clone()),
                columns: vec![column],
                requires: section.requires.clone(),
            }),
        }
    }
    for f in &features {
        if let Some(req) = &f.requires {
            ensure!(
                features.iter().any(|g| &g.key == req),
                "{origin}: feature `{}` requires `{req}`, which is not a feature; declare [features.{req}] or fix `requires`",
                f.key
            );
        }
    }
    Ok(features)
}

fn resolve_currency(section: &CurrencySection, origin: &str) -> Result<CurrencyRates> {
    let reporting = section
        .reporting
        .clone()
        .unwrap_or_else(|| "USD".into())
        .trim()
        .to_ascii_uppercase();
    ensure!(
        is_currency_code(&reporting),
        "{origin}: [currency] reporting must be a 3-letter ISO code such as USD, not `{reporting}`"
    );
    let mut rates = BTreeMap::new();
    for (code, value) in &section.rates {
        let code_upper = code.trim().to_ascii_uppercase();
        ensure!(
            is_currency_code(&code_upper),
            "{origin}: [currency] rates key `{code}` is not a 3-letter ISO currency code"
        );
        let text = rate_text(value, origin, &code_upper)?;
        rates.insert(code_upper, text);
    }
    Ok(CurrencyRates { reporting, rates })
}

/// A rate's exact decimal text. Floats are written back with Rust's shortest
/// round-trip form, so `1.08` in the file becomes the text "1.08"; a string is
/// kept as written, so that a rate with more digits than a float holds stays exact.
fn rate_text(value: &toml::Value, origin: &str, code: &str) -> Result<String> {
    let text = match value {
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::String(s) => s.trim().to_string(),
        _ => String::new(),
    };
    let plain_decimal = text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|&b| b == b'.').count() <= 1
        && text.bytes().any(|b| b.is_ascii_digit());
    let in_bounds = CURRENCY_RATE.parse(&text).is_ok();
    ensure!(
        plain_decimal && in_bounds && decimals(&text) <= RATE_DECIMALS,
        "{origin}: [currency] rates.{code} must be a decimal number from {} with at most {RATE_DECIMALS} decimals, \
         such as {code} = 1.08 (1 {code} = 1.08 of the reporting currency), not {value}",
        CURRENCY_RATE.range()
    );
    Ok(text)
}

fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile> {
        Ok(toml::from_str(text)?)
    }

    #[test]
    fn rates_keep_their_decimal_text() {
        let file = parse("[currency]\nrates = { eur = 1.08, GBP = 1.27, JPY = \"0.0067\" }").unwrap();
        let currency = resolve_currency(&file.currency, "t.toml").unwrap();
        assert_eq!(currency.reporting, "USD");
        assert_eq!(currency.rates["EUR"], "1.08");
        assert_eq!(currency.rates["GBP"], "1.27");
        assert_eq!(currency.rates["JPY"], "0.0067");
    }

    #[test]
    fn negative_rate_is_refused() {
        let file = parse("[currency]\nrates = { EUR = -1.0 }").unwrap();
        assert!(resolve_currency(&file.currency, "t.toml").is_err());
    }

    #[test]
    fn declared_features_follow_builtins() {
        let file = parse(
            "[features.ip_allowlist]\ncolumn = \"ip_allowlist_enabled\"\nlabel = \"IP allowlist\"\nrequires = \"sso\"",
        )
        .unwrap();
        let features = resolve_features(&file.features, "t.toml").unwrap();
        let keys: Vec<_> = features.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["sso", "scim", "forced_mfa", "ip_allowlist"]);
        assert_eq!(features[3].columns, ["ip_allowlist_enabled"]);
        assert_eq!(features[3].requires.as_deref(), Some("sso"));
    }

    #[test]
    fn unknown_prerequisite_is_an_error() {
        let file = parse("[features.x]\nrequires = \"nope\"").unwrap();
        assert!(resolve_features(&file.features, "t.toml").is_err());
    }

    #[test]
    fn debug_output_never_shows_the_client_secret() {
        let auth0 = Auth0Config {
            client_secret: Some("s3cr3t-value".into()),
            ..Default::default()
        };
        let text = format!("{auth0:?}");
        assert!(!text.contains("s3cr3t-value") && text.contains("[REDACTED]"), "{text}");
    }

    /// The TOML value `text` is, as a config key would hold it.
    fn value(text: &str) -> toml::Value {
        toml::from_str::<toml::Table>(&format!("v = {text}")).unwrap()["v"].clone()
    }

    #[test]
    fn numeric_keys_name_themselves_and_their_range() {
        let key = "[report] fiscal_year_start_month";
        for bad in ["0", "13", "-1", "nan", "inf", "1e308", "1.5", "\"3\""] {
            let err = bounded("t.toml", key, &value(bad), FISCAL_YEAR_START_MONTH).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("t.toml: {key} must be a whole number from 1 to 12, not {}", value(bad)),
                "{bad}"
            );
        }
        assert_eq!(
            bounded("t.toml", key, &value("12"), FISCAL_YEAR_START_MONTH).unwrap(),
            12
        );
    }

    #[test]
    fn arr_bands_are_ascending_whole_cents() {
        let bands = |text: &str| resolve_arr_bands(&value(text), "t.toml");
        assert_eq!(
            bands("[0.01, 50000.5, 1000000000000]").unwrap(),
            [
                Money::from_cents(1),
                Money::from_cents(5_000_050),
                Money::from_cents(100_000_000_000_000)
            ]
        );
        for bad in [
            "[]",
            "[1, 1]",
            "[2, 1]",
            "[10000.005]",
            "[0]",
            "[-1]",
            "[nan]",
            "[inf]",
            "[1e13]",
            "10000",
            "[\"1\"]",
        ] {
            assert!(bands(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates_must_be_plain_decimals_in_range() {
        let rate = |text: &str| rate_text(&value(text), "t.toml", "EUR");
        assert_eq!(rate("0.000001").unwrap(), "0.000001");
        assert_eq!(rate("1000000").unwrap(), "1000000");
        assert_eq!(rate("\"123456.123456789012\"").unwrap(), "123456.123456789012");
        for bad in [
            "0",
            "-1",
            "nan",
            "inf",
            "1e308",
            "1e-20",
            "1000001",
            "\"1e3\"",
            "\"1.2.3\"",
            "\".\"",
            "\"0.0000000000001\"",
            "true",
        ] {
            assert!(rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refresh_sources_are_files_urls_or_their_live_pull() {
        let file = parse(
            "[refresh]\noutput_dir = \"reports/{as_of}\"\nfail_on = [\"unattributed-arr=5%\"]\n\
             [refresh.sources]\nflags = \"https://admin.example.com/flags?date={as_of}\"\n\
             arr = \"/exports/arr-{as_of}.csv\"\nauth0 = \"auth0\"\nworkspace_accounts = \"ws.csv\"",
        )
        .unwrap();
        let refresh = resolve_refresh(file.refresh, Path::new("/etc/featurearr"), "t.toml", false).unwrap();
        let date = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap();
        assert_eq!(refresh.output_dir, PathBuf::from("/etc/featurearr/reports/{as_of}"));
        assert_eq!(refresh.fail_on, [FailOn::UnattributedArr(0.05)]);
        assert_eq!(
            refresh.flags.unwrap().for_date(date).unwrap(),
            "https://admin.example.com/flags?date=2026-09-30"
        );
        assert_eq!(
            refresh.arr.unwrap().for_date(date).unwrap(),
            "/exports/arr-2026-09-30.csv"
        );
        assert_eq!(refresh.auth0, Some(SourceSpec::Live));
        assert_eq!(
            refresh.workspace_accounts,
            Some(SourceSpec::File(PathBuf::from("/etc/featurearr/ws.csv")))
        );

        // A PostgreSQL flags source, read with [flags] query; kept whole (it may hold
        // the password the read needs), never relative to the config's folder.
        let url = "postgresql://featurearr:s3cr3t@replica.internal:5432/app?sslmode=require";
        let file = parse(&format!("[refresh.sources]\nflags = \"{url}\"")).unwrap();
        let refresh = resolve_refresh(file.refresh, Path::new("/etc/featurearr"), "t.toml", true).unwrap();
        assert_eq!(refresh.flags, Some(SourceSpec::Database(url.to_string())));

        let file = parse("[refresh.sources]\narr = \"salesforce\"\nauth0 = \"dump-{as_of}.json\"").unwrap();
        let refresh = resolve_refresh(file.refresh, Path::new("/srv"), "t.toml", false).unwrap();
        assert_eq!(refresh.arr, Some(SourceSpec::Live));
        assert_eq!(
            refresh.auth0,
            Some(SourceSpec::File(PathBuf::from("/srv/dump-{as_of}.json")))
        );
    }

    #[test]
    fn refresh_refuses_what_would_go_wrong_every_day() {
        for (text, says) in [
            ("[refresh]\noutput_dir = \"reports/{asof}\"", "`{asof}`"),
            (
                "[refresh]\nfail_on = [\"unattributed-arr=500%\"]",
                "fail_on `unattributed-arr=500%`",
            ),
            ("[refresh.sources]\narr = \"auth0\"", "arr = \"auth0\""),
            (
                "[refresh.sources]\nauth0 = \"salesforce\"",
                "use \"auth0\" or a file path",
            ),
            ("[refresh.sources]\nflags = \"auth0\"", "give a file path"),
            ("[refresh.sources]\nauth0 = \"https://acme.auth0.com\"", "is a URL"),
            ("[refresh.sources]\nflags = \" \"", "is empty"),
            (
                "[refresh.sources]\nflags = \"postgresql://fa:s3cr3t@db/app\"",
                "[flags] query is not set",
            ),
            (
                "[refresh.sources]\narr = \"postgres://fa:s3cr3t@db/app\"",
                "is a PostgreSQL URL, but this source is read from a file",
            ),
            (
                "[refresh.sources]\nflags = \"postgresql://fa:s3cr3t@db/{date}\"",
                "`{date}`",
            ),
        ] {
            let file = parse(text).unwrap();
            let err = resolve_refresh(file.refresh, Path::new(""), "t.toml", false)
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{text}: {err}");
            assert!(!err.contains("s3cr3t"), "the password is in the error: {err}");
        }
        assert!(parse("[refresh.sources]\nflag = \"f.csv\"").is_err());
    }

    #[test]
    fn notify_urls_come_from_the_environment_first_and_are_never_shown() {
        let file = || parse("[notify]\nwebhook_url = \"https://hooks.slack.com/services/T0/B0/s3cr3t\"").unwrap();
        let none = |_: &str| None;
        let notify = resolve_notify(file().notify, "t.toml", none).unwrap();
        assert_eq!(
            notify.webhook_url.as_deref(),
            Some("https://hooks.slack.com/services/T0/B0/s3cr3t")
        );
        assert_eq!(notify.heartbeat_url, None);
        assert!(!format!("{notify:?}").contains("s3cr3t"));

        let env = |name: &str| match name {
            "FEATUREARR_WEBHOOK_URL" => Some(String::new()),
            "FEATUREARR_HEARTBEAT_URL" => Some("https://hc-ping.com/abc".into()),
            _ => None,
        };
        let notify = resolve_notify(file().notify, "t.toml", env).unwrap();
        assert_eq!(notify.webhook_url, None, "an empty variable turns the webhook off");
        assert_eq!(notify.heartbeat_url.as_deref(), Some("https://hc-ping.com/abc"));

        let bad = parse("[notify]\nheartbeat_url = \"hc-ping.com/s3cr3t\"").unwrap();
        let err = resolve_notify(bad.notify, "t.toml", none).unwrap_err().to_string();
        assert!(
            err.contains("[notify] heartbeat_url") && !err.contains("s3cr3t"),
            "{err}"
        );
    }

    #[test]
    fn misspelt_key_is_an_error() {
        assert!(parse("[curency]\nreporting = \"USD\"").is_err());
    }
}
