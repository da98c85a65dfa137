//! `featurearr.toml` and the command line resolved once into a `Config`.
//!
//! Precedence: flag > environment > config file > default. Secrets (the Auth0
//! client secret) come from the environment or the config file, never a flag.
//! Knows nothing about DuckDB, HTTP or templates; the settings that a source
//! reads are that source's own types, deserialized here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use serde::Deserialize;

use crate::cli::Cli;
use crate::money::Money;
use crate::sources::auth0::VendorRule;
use crate::sources::salesforce::{ColumnOverrides, CurrencyRates};

const DEFAULT_CONFIG: &str = "featurearr.toml";

/// Upper bounds of the default ARR bands: under $10k, $10k-$50k, $50k-$250k, $250k and up.
const DEFAULT_ARR_BANDS: [Money; 3] = [
    Money::from_cents(1_000_000),
    Money::from_cents(5_000_000),
    Money::from_cents(25_000_000),
];

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
    auth0: Auth0Section,
    #[serde(default)]
    report: ReportSection,
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
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Auth0Section {
    domain: Option<String>,
    connection_name_pattern: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    requests_per_second: Option<f64>,
    #[serde(default)]
    vendor_rules: Vec<VendorRule>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportSection {
    arr_bands: Option<Vec<f64>>,
    queries_dir: Option<PathBuf>,
    reports_dir: Option<PathBuf>,
    fiscal_year_start_month: Option<u32>,
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
    pub auth0: Auth0Config,
    /// Upper bounds of the ARR bands, ascending, in the reporting currency.
    pub arr_bands: Vec<Money>,
    pub queries_dir: Option<PathBuf>,
    pub reports_dir: Option<PathBuf>,
    pub fiscal_year_start_month: u32,
    /// How long opening the store waits for another process to release it.
    pub wait: std::time::Duration,
}

impl Config {
    /// Resolves the command line and the config file into one `Config`.
    pub(crate) fn resolve(cli: &Cli) -> Result<Config> {
        let mut config = Config::load(
            cli.db.clone(),
            cli.config.as_deref(),
            cli.queries_dir.clone(),
            cli.reports_dir.clone(),
        )?;
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
            Some(bands) => {
                ensure!(
                    !bands.is_empty()
                        && bands.iter().all(|b| b.is_finite() && *b > 0.0)
                        && bands.windows(2).all(|w| w[0] < w[1]),
                    "{origin}: [report] arr_bands must be positive and ascending, e.g. arr_bands = [10000, 50000, 250000]"
                );
                bands.iter().map(|b| band_amount(*b, &origin)).collect::<Result<_>>()?
            }
        };
        let fiscal_year_start_month = file.report.fiscal_year_start_month.unwrap_or(1);
        ensure!(
            (1..=12).contains(&fiscal_year_start_month),
            "{origin}: [report] fiscal_year_start_month must be 1 to 12, not {fiscal_year_start_month}"
        );
        let auth0 = Auth0Config {
            domain: file.auth0.domain,
            connection_name_pattern: file.auth0.connection_name_pattern,
            client_id: file.auth0.client_id,
            client_secret: file.auth0.client_secret,
            requests_per_second: file.auth0.requests_per_second,
            vendor_rules: file.auth0.vendor_rules,
        };
        let relative = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
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
        Ok(Config {
            db,
            features,
            currency,
            salesforce_columns: file.salesforce.columns,
            auth0,
            arr_bands,
            queries_dir,
            reports_dir,
            fiscal_year_start_month,
            wait: std::time::Duration::ZERO,
        })
    }
}

/// A band bound as the exact amount the file wrote: TOML reads `10000.5` as a float,
/// whose shortest round-trip text is the decimal as written.
fn band_amount(bound: f64, origin: &str) -> Result<Money> {
    Money::parse(&bound.to_string()).with_context(|| {
        format!("{origin}: [report] arr_bands bound {bound} has more than 2 decimals; a bound is an amount in cents")
    })
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
        // Floats are written back with Rust's shortest round-trip form, so
        // `1.08` in the file becomes the exact decimal text "1.08".
        let text = match value {
            toml::Value::Float(f) if f.is_finite() && *f > 0.0 => format!("{f}"),
            toml::Value::Integer(i) if *i > 0 => i.to_string(),
            toml::Value::String(s) if s.trim().parse::<f64>().is_ok_and(|f| f > 0.0) => s.trim().to_string(),
            other => {
                bail!("{origin}: [currency] rate for {code_upper} must be a positive number such as 1.08, not {other}")
            }
        };
        rates.insert(code_upper, text);
    }
    Ok(CurrencyRates { reporting, rates })
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

    #[test]
    fn misspelt_key_is_an_error() {
        assert!(parse("[curency]\nreporting = \"USD\"").is_err());
    }
}
